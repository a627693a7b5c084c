//! The optimistic update every record shares: read, decide, write under conditions on what was
//! read, and read again when another writer came in between. The attempts are counted here, so
//! that how often a record is tried, the pause between tries and the error at the end are the
//! same for every record:
//!
//! ```ignore
//! let mut attempts = Attempts::new(&pk);
//! loop {
//!     let (writes, after) = /* read, apply the change */;
//!     if attempts.written(table, writes).await? {
//!         return Ok(after);
//!     }
//! }
//! ```
//!
//! A loop in the caller rather than a closure handed to a helper: each round borrows the
//! record's repository and the caller's change, and a future borrowing them from inside a
//! closure would not be `Send` for the handlers that spawn it.

use crate::{backoff, RecordError, MAX_UPDATE_ATTEMPTS};
use tayori_ports::{StoreError, TableStore, Write};

/// How long a writer keeps trying.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Patience {
    pub attempts: u32,
    /// The attempt after which the pause stops growing (see [`backoff`]).
    pub longest_pause_after: u32,
}

impl Patience {
    /// An update of one record by staff or a handler: rarely contended.
    pub const UPDATE: Patience = Patience {
        attempts: MAX_UPDATE_ATTEMPTS,
        longest_pause_after: 6,
    };
}

/// The attempts of one optimistic update of the record `key`.
#[derive(Debug)]
pub(crate) struct Attempts {
    key: String,
    patience: Patience,
    made: u32,
}

impl Attempts {
    /// With [`Patience::UPDATE`].
    pub fn new(key: &str) -> Self {
        Self::within(Patience::UPDATE, key)
    }

    pub fn within(patience: Patience, key: &str) -> Self {
        Self {
            key: key.to_string(),
            patience,
            made: 0,
        }
    }

    /// Writes `writes` together, each under its condition: `true` once written; `false` when
    /// a condition failed (another writer came in between) and the caller is to read again,
    /// after a short random pause; [`RecordError::Contended`] once that happened as often as
    /// the patience allows.
    pub async fn written(
        &mut self,
        table: &dyn TableStore,
        writes: Vec<Write>,
    ) -> Result<bool, RecordError> {
        match write(table, writes).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => {
                self.made += 1;
                if self.made >= self.patience.attempts {
                    return Err(RecordError::Contended(self.key.clone()));
                }
                backoff(self.made.min(self.patience.longest_pause_after)).await;
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// One write goes alone (a transaction costs DynamoDB twice the capacity); more go together.
async fn write(table: &dyn TableStore, mut writes: Vec<Write>) -> Result<(), StoreError> {
    if writes.len() != 1 {
        return table.transact(writes).await;
    }
    match writes.pop().expect("one write") {
        Write::Put { item, condition } => table.put(item, condition).await,
        Write::Delete { pk, sk, condition } => table.delete(&pk, &sk, condition).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_ports::{Condition, Item, SystemClock};

    fn table() -> (SqliteTable, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
        (table, dir)
    }

    fn put_at(seen: u64) -> Vec<Write> {
        vec![Write::Put {
            item: Item::new("P", "S", json!({})).with_version(seen + 1),
            condition: Condition::IfVersion(seen),
        }]
    }

    #[tokio::test]
    async fn a_write_that_lost_a_race_is_tried_again_until_the_patience_runs_out() {
        let (table, _dir) = table();
        table
            .put(
                Item::new("P", "S", json!({})).with_version(1),
                Condition::IfAbsent,
            )
            .await
            .unwrap();
        let mut attempts = Attempts::new("P");
        // Read at a version another writer has since moved past.
        assert!(!attempts.written(&table, put_at(7)).await.unwrap());
        assert!(attempts.written(&table, put_at(1)).await.unwrap());
        assert_eq!(table.get("P", "S").await.unwrap().unwrap().version, 2);

        let mut attempts = Attempts::new("P");
        for _ in 1..MAX_UPDATE_ATTEMPTS {
            assert!(!attempts.written(&table, put_at(99)).await.unwrap());
        }
        let gave_up = attempts.written(&table, put_at(99)).await.unwrap_err();
        assert!(matches!(gave_up, RecordError::Contended(k) if k == "P"));
    }

    #[tokio::test]
    async fn writes_go_together_or_not_at_all() {
        let (table, _dir) = table();
        let mut attempts = Attempts::new("P");
        let both = vec![
            Write::Put {
                item: Item::new("P", "A", json!({})).with_version(1),
                condition: Condition::IfAbsent,
            },
            put_at(3).remove(0),
        ];
        assert!(!attempts.written(&table, both).await.unwrap());
        assert!(table.get("P", "A").await.unwrap().is_none());
    }
}
