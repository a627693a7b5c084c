//! Friends (友だち) by LINE user id.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::Friend;
use tayori_ports::{Condition, Cursor, Item, Query, StoreError, TableStore};

#[derive(Clone)]
pub struct Friends {
    table: Arc<dyn TableStore>,
}

fn pk(user_id: &str) -> String {
    format!("FRIEND#{user_id}")
}
const SK: &str = "PROFILE";

/// Friends are listed through the index in this many partitions, so that a city-wide delivery
/// reads them in parallel and no single index partition carries every friend.
pub const FRIEND_SHARDS: u32 = 16;

fn shard_of(user_id: &str) -> u32 {
    // FNV-1a: stable across processes and releases, unlike the std hasher.
    let hash = user_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % FRIEND_SHARDS
}

fn shard_pk(shard: u32) -> String {
    format!("FRIENDS#{shard:02}")
}

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
            let item = Item::new(pk(user_id), SK, encode(&friend))
                .with_gsi1(shard_pk(shard_of(user_id)), user_id)
                .with_version(version);
            match self.table.put(item, condition).await {
                Ok(()) => return Ok(friend),
                Err(StoreError::ConditionFailed) => crate::backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RecordError::Contended(pk(user_id)))
    }

    /// One page of the friends in `shard` (0..FRIEND_SHARDS), in user-id order; pass the
    /// returned cursor back for the next page until it is `None`.
    pub async fn page(
        &self,
        shard: u32,
        after: Option<Cursor>,
    ) -> Result<(Vec<Friend>, Option<Cursor>), RecordError> {
        let page = self
            .table
            .query(Query::gsi1(shard_pk(shard)).limit(1000).after(after))
            .await?;
        let friends = page.items.iter().map(decode).collect::<Result<_, _>>()?;
        Ok((friends, page.cursor))
    }

    /// Every friend record, shard by shard, handed to `each` a page at a time (a city has tens
    /// of thousands; nothing holds them all at once unless the caller does).
    pub async fn for_each_page(
        &self,
        mut each: impl FnMut(Vec<Friend>),
    ) -> Result<(), RecordError> {
        for shard in 0..FRIEND_SHARDS {
            let mut cursor = None;
            loop {
                let (friends, next) = self.page(shard, cursor).await?;
                each(friends);
                match next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
        }
        Ok(())
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

    #[tokio::test]
    async fn every_friend_is_listed_once_across_the_shards() {
        let dir = tempfile::tempdir().unwrap();
        let table = Arc::new(SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap());
        let friends = Friends::new(table);
        let at = Utc::now();
        for n in 0..2500 {
            friends
                .update(&format!("U{n:032x}"), at, |f| f.followed(at))
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        friends
            .for_each_page(|page| seen.extend(page.into_iter().map(|f| f.user_id)))
            .await
            .unwrap();
        let unique: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (2500, 2500));
        let used: std::collections::HashSet<_> = seen.iter().map(|u| shard_of(u)).collect();
        assert_eq!(
            used.len(),
            FRIEND_SHARDS as usize,
            "spread over every shard"
        );
    }
}
