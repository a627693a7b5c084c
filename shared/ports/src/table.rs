//! The table store: one key-value table with a sort key, one secondary index and TTL, shaped
//! after DynamoDB's single-table design so that the embedded adapter can be held to the same
//! contract.
//!
//! Contract (checked by the conformance suite on both adapters):
//! - an item whose `expires_at` is at or before the store clock's now is treated as absent by
//!   `get`, `query` and every condition, even before the store physically removes it;
//! - `query` returns items in sort-key order (ascending unless `descending`); a page may hold
//!   fewer than `limit` items while `cursor` is `Some`: continue until it is `None`;
//! - `transact` applies every write or none; a failed condition anywhere fails the whole batch
//!   with `StoreError::ConditionFailed`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// At most this many writes in one transaction (DynamoDB's limit).
pub const MAX_TRANSACTION_WRITES: usize = 100;
/// At most this many items in one query page.
pub const MAX_PAGE_SIZE: usize = 1000;
/// Largest serialised item accepted (DynamoDB's item limit is 400 KB; keep a margin).
pub const MAX_ITEM_BYTES: usize = 380 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    pub pk: String,
    pub sk: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub pk: String,
    pub sk: String,
    /// Key in the secondary index `gsi1`, for the staff lists (e.g. reports by status).
    pub gsi1: Option<IndexKey>,
    /// Unix seconds after which the item is gone (DynamoDB TTL attribute `expires_at`).
    pub expires_at: Option<i64>,
    /// Optimistic-concurrency version; compared by `Condition::IfVersion`.
    pub version: u64,
    pub body: serde_json::Value,
}

impl Item {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>, body: serde_json::Value) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
            gsi1: None,
            expires_at: None,
            version: 0,
            body,
        }
    }

    pub fn with_gsi1(mut self, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        self.gsi1 = Some(IndexKey {
            pk: pk.into(),
            sk: sk.into(),
        });
        self
    }

    pub fn expiring_at(mut self, unix_seconds: i64) -> Self {
        self.expires_at = Some(unix_seconds);
        self
    }

    pub fn with_version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    /// Whether the item counts as gone at `now_unix`.
    pub fn is_expired(&self, now_unix: i64) -> bool {
        self.expires_at.is_some_and(|t| t <= now_unix)
    }

    /// Checks the limits both adapters enforce, so the embedded store refuses what DynamoDB would.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.pk.is_empty() || self.sk.is_empty() {
            return Err(StoreError::Invalid("pk and sk must not be empty".into()));
        }
        if let Some(g) = &self.gsi1 {
            if g.pk.is_empty() || g.sk.is_empty() {
                return Err(StoreError::Invalid("gsi1 keys must not be empty".into()));
            }
        }
        let size = self.pk.len() + self.sk.len() + self.body.to_string().len();
        if size > MAX_ITEM_BYTES {
            return Err(StoreError::Invalid(format!(
                "item is {size} bytes; the limit is {MAX_ITEM_BYTES}"
            )));
        }
        Ok(())
    }
}

/// A condition on the item currently stored under the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    Always,
    /// No live item exists (an expired one counts as absent).
    IfAbsent,
    /// A live item exists.
    IfExists,
    /// A live item exists and its version equals this.
    IfVersion(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    Primary,
    Gsi1,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRange {
    All,
    BeginsWith(String),
    /// Inclusive on both ends, like DynamoDB's BETWEEN.
    Between(String, String),
}

/// Opaque position for the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub String);

#[derive(Clone, Debug)]
pub struct Query {
    pub index: Index,
    pub pk: String,
    pub range: KeyRange,
    pub limit: usize,
    pub cursor: Option<Cursor>,
    pub descending: bool,
}

impl Query {
    pub fn partition(pk: impl Into<String>) -> Self {
        Self {
            index: Index::Primary,
            pk: pk.into(),
            range: KeyRange::All,
            limit: 100,
            cursor: None,
            descending: false,
        }
    }

    pub fn gsi1(pk: impl Into<String>) -> Self {
        Self {
            index: Index::Gsi1,
            ..Self::partition(pk)
        }
    }

    pub fn range(mut self, range: KeyRange) -> Self {
        self.range = range;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }

    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }
}

#[derive(Clone, Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub cursor: Option<Cursor>,
}

#[derive(Clone, Debug)]
pub enum Write {
    Put {
        item: Item,
        condition: Condition,
    },
    Delete {
        pk: String,
        sk: String,
        condition: Condition,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the condition on the stored item did not hold")]
    ConditionFailed,
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait TableStore: Send + Sync {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError>;
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError>;
    /// Deleting an absent item with `Condition::Always` succeeds.
    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError>;
    async fn query(&self, query: Query) -> Result<Page, StoreError>;
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;
}

/// Checks the query and transaction limits both adapters share.
pub fn validate_query(query: &Query) -> Result<(), StoreError> {
    if query.pk.is_empty() {
        return Err(StoreError::Invalid("query needs a partition key".into()));
    }
    if query.limit == 0 || query.limit > MAX_PAGE_SIZE {
        return Err(StoreError::Invalid(format!(
            "query limit must be 1..={MAX_PAGE_SIZE}"
        )));
    }
    Ok(())
}

pub fn validate_transaction(writes: &[Write]) -> Result<(), StoreError> {
    if writes.is_empty() || writes.len() > MAX_TRANSACTION_WRITES {
        return Err(StoreError::Invalid(format!(
            "a transaction holds 1..={MAX_TRANSACTION_WRITES} writes"
        )));
    }
    let mut keys = std::collections::HashSet::new();
    for w in writes {
        let key = match w {
            Write::Put { item, .. } => {
                item.validate()?;
                (item.pk.as_str(), item.sk.as_str())
            }
            Write::Delete { pk, sk, .. } => (pk.as_str(), sk.as_str()),
        };
        if !keys.insert(key) {
            return Err(StoreError::Invalid(
                "a transaction may touch each item only once".into(),
            ));
        }
    }
    Ok(())
}

/// Evaluates a condition against the live item (already filtered for expiry); shared by the
/// embedded adapter and by tests.
pub fn condition_holds(condition: &Condition, current: Option<&Item>) -> bool {
    match condition {
        Condition::Always => true,
        Condition::IfAbsent => current.is_none(),
        Condition::IfExists => current.is_some(),
        Condition::IfVersion(v) => current.is_some_and(|i| i.version == *v),
    }
}
