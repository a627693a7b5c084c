//! Friends (友だち) by LINE user id.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::Friend;
use tayori_ports::{Condition, Item, StoreError, TableStore};

#[derive(Clone)]
pub struct Friends {
    table: Arc<dyn TableStore>,
}

fn pk(user_id: &str) -> String {
    format!("FRIEND#{user_id}")
}
const SK: &str = "PROFILE";

impl Friends {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn get(&self, user_id: &str) -> Result<Option<Friend>, RecordError> {
        match self.table.get(&pk(user_id), SK).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Applies `change` to the friend's record (created on first sight at `at`), with optimistic
    /// concurrency so that two events of the same friend handled at once both count.
    pub async fn update(
        &self,
        user_id: &str,
        at: DateTime<Utc>,
        change: impl Fn(&mut Friend),
    ) -> Result<Friend, RecordError> {
        for attempt in 0..crate::MAX_UPDATE_ATTEMPTS {
            let current = self.table.get(&pk(user_id), SK).await?;
            let (mut friend, condition, version) = match &current {
                Some(item) => (
                    decode::<Friend>(item)?,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (Friend::first_seen(user_id, at), Condition::IfAbsent, 1),
            };
            change(&mut friend);
            let item = Item::new(pk(user_id), SK, encode(&friend)).with_version(version);
            match self.table.put(item, condition).await {
                Ok(()) => return Ok(friend),
                Err(StoreError::ConditionFailed) => crate::backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RecordError::Contended(pk(user_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_domain::FriendStatus;
    use tayori_ports::SystemClock;

    #[tokio::test]
    async fn concurrent_updates_of_one_friend_all_count() {
        let dir = tempfile::tempdir().unwrap();
        let table = Arc::new(SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap());
        let friends = Friends::new(table);
        let base = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let friends = friends.clone();
            tasks.push(tokio::spawn(async move {
                let at = base + chrono::Duration::seconds(i);
                friends.update("U1", at, |f| f.seen(at)).await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let f = friends.get("U1").await.unwrap().unwrap();
        assert_eq!(f.first_seen, base);
        assert_eq!(f.last_active, base + chrono::Duration::seconds(15));
        assert_eq!(f.status, FriendStatus::Unknown);
    }
}
