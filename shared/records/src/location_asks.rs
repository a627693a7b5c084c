//! What a citizen last asked to find near them (「近くの公民館」), kept until their location
//! arrives: LINE's location picker sends only the position, so the kind asked for has to wait
//! here. Kept ten minutes at most, and only the kind's id beside the LINE user id.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tayori_ports::{Condition, Item, TableStore};

const SK: &str = "KIND";
/// How long a question waits for its location.
pub const ASK_MINUTES: i64 = 10;

fn pk(user_id: &str) -> String {
    format!("LOCATIONASK#{user_id}")
}

#[derive(Clone)]
pub struct LocationAsks {
    table: Arc<dyn TableStore>,
}

impl LocationAsks {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// Remembers that `user_id` asked for facilities of `kind`; replaces an earlier question.
    pub async fn remember(
        &self,
        user_id: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RecordError> {
        let expires = (now + Duration::minutes(ASK_MINUTES)).timestamp();
        let item = Item::new(pk(user_id), SK, encode(&kind)).expiring_at(expires);
        Ok(self.table.put(item, Condition::Always).await?)
    }

    /// The kind `user_id` asked for in the last ten minutes, forgotten as it is read.
    pub async fn take(&self, user_id: &str) -> Result<Option<String>, RecordError> {
        let Some(item) = self.table.get(&pk(user_id), SK).await? else {
            return Ok(None);
        };
        let kind: String = decode(&item)?;
        self.forget(user_id).await?;
        Ok(Some(kind))
    }

    /// Forgets a question (the citizen asked for shelters instead).
    pub async fn forget(&self, user_id: &str) -> Result<(), RecordError> {
        Ok(self
            .table
            .delete(&pk(user_id), SK, Condition::Always)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_ports::ManualClock;

    #[tokio::test]
    async fn a_question_waits_ten_minutes_and_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let now = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let clock = Arc::new(ManualClock::new(now));
        let asks = LocationAsks::new(Arc::new(
            SqliteTable::open(dir.path(), clock.clone()).unwrap(),
        ));
        asks.remember("U1", "kominkan", now).await.unwrap();
        assert_eq!(asks.take("U1").await.unwrap().as_deref(), Some("kominkan"));
        assert_eq!(asks.take("U1").await.unwrap(), None);

        asks.remember("U1", "aed", now).await.unwrap();
        asks.forget("U1").await.unwrap();
        assert_eq!(asks.take("U1").await.unwrap(), None);

        asks.remember("U1", "aed", now).await.unwrap();
        clock.advance(Duration::minutes(ASK_MINUTES));
        assert_eq!(asks.take("U1").await.unwrap(), None);
    }
}
