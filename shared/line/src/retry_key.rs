//! `X-Line-Retry-Key`: one UUID per logical send, so that LINE answers a repeat with 409
//! instead of delivering twice. The key is stored before the first attempt, under the
//! operation's name: a process that crashes mid-send and runs the operation again gets the
//! same key back, and LINE recognises the repeat.

use serde::{Deserialize, Serialize};
use serde_json::json;
use std::fmt;
use std::sync::Arc;
use tayori_ports::{Clock, Condition, Item, StoreError, TableStore};
use uuid::Uuid;

/// LINE remembers a retry key for 24 hours; keeping ours longer would buy nothing.
pub const RETRY_KEY_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

const SORT_KEY: &str = "KEY";

/// A retry key; shown (and serialised) as a lowercase hyphenated UUID, the form LINE requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RetryKey(pub Uuid);

impl RetryKey {
    /// A fresh key, for a send that is not resumed after a crash (prefer [`RetryKeys`]).
    pub fn new() -> RetryKey {
        RetryKey(Uuid::new_v4())
    }

    pub fn parse(text: &str) -> Result<RetryKey, uuid::Error> {
        Uuid::try_parse(text).map(RetryKey)
    }
}

impl Default for RetryKey {
    fn default() -> Self {
        RetryKey::new()
    }
}

impl fmt::Display for RetryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

/// Retry keys persisted in the table, one per operation name (e.g.
/// `broadcast/<id>/batch/<n>`), under `RETRYKEY#<operation>` / `KEY`, expiring after 24 h.
#[derive(Clone)]
pub struct RetryKeys {
    table: Arc<dyn TableStore>,
    clock: Arc<dyn Clock>,
}

impl RetryKeys {
    pub fn new(table: Arc<dyn TableStore>, clock: Arc<dyn Clock>) -> RetryKeys {
        RetryKeys { table, clock }
    }

    /// The key for `operation`: the stored one if any, else a new one, stored before it is
    /// returned. Two processes asking at once get the same key (the conditional put decides).
    pub async fn key_for(&self, operation: &str) -> Result<RetryKey, StoreError> {
        let pk = partition(operation);
        if let Some(item) = self.table.get(&pk, SORT_KEY).await? {
            return key_of(&item);
        }
        let key = RetryKey::new();
        let now = self.clock.now();
        let item = Item::new(
            pk.clone(),
            SORT_KEY,
            json!({
                "key": key.to_string(),
                "operation": operation,
                "createdAt": now.to_rfc3339(),
            }),
        )
        .expiring_at(now.timestamp() + RETRY_KEY_LIFETIME_SECONDS);
        match self.table.put(item, Condition::IfAbsent).await {
            Ok(()) => Ok(key),
            Err(StoreError::ConditionFailed) => {
                // Another process stored its key between our read and our put: use theirs.
                match self.table.get(&pk, SORT_KEY).await? {
                    Some(item) => key_of(&item),
                    None => Err(StoreError::Unavailable(format!(
                        "the retry key for {operation} was taken but cannot be read back"
                    ))),
                }
            }
            Err(e) => Err(e),
        }
    }
}

fn partition(operation: &str) -> String {
    format!("RETRYKEY#{operation}")
}

fn key_of(item: &Item) -> Result<RetryKey, StoreError> {
    item.body["key"]
        .as_str()
        .and_then(|k| RetryKey::parse(k).ok())
        .ok_or_else(|| {
            StoreError::Invalid(format!("the item {} holds no readable retry key", item.pk))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_key_is_shown_as_a_lowercase_hyphenated_uuid() {
        let key = RetryKey(Uuid::parse_str("123E4567-E89B-12D3-A456-426614174000").unwrap());
        assert_eq!(key.to_string(), "123e4567-e89b-12d3-a456-426614174000");
        assert_eq!(RetryKey::parse(&key.to_string()).unwrap(), key);
        assert_eq!(
            serde_json::to_value(key).unwrap(),
            serde_json::json!("123e4567-e89b-12d3-a456-426614174000")
        );
    }

    #[test]
    fn fresh_retry_keys_differ() {
        assert_ne!(RetryKey::new(), RetryKey::new());
    }
}
