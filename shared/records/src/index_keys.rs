//! The index keys behind friends' segment keys (see `tayori_ports::index_key`), stored wrapped by
//! the key service in one record, `SETTINGS` / `INDEXKEY`.
//!
//! The first process that needs a key creates it with a conditional put, so two cold starts at
//! the same moment agree on one key (the loser reads the winner's). Each process unwraps the
//! keys once and re-reads the record every few minutes (`tayori_ports::cipher::KEY_LIFETIME`)
//! to see a rotation.
//!
//! A rotation (infra/key-rotation.md) makes a new current key and keeps the old one as
//! *previous*: friends hashed with it are still matched until the daily upkeep has re-hashed
//! them all, and only then, at least [`PREVIOUS_KEY_GRACE`] after the rotation (so that no
//! process still writes with a cached old key), is the previous key retired.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tayori_ports::{
    Condition, FieldCipher, IndexKeys, Item, Platform, StoreError, TableStore, WrappedIndexKeys,
};

const PK: &str = "SETTINGS";
const SK: &str = "INDEXKEY";

/// How long after a rotation the previous key stays in force at least: far longer than any
/// process keeps its cached keys.
pub const PREVIOUS_KEY_GRACE: Duration = Duration::days(1);

/// What a request to rotate did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// A new current key of this generation is in force.
    Rotated(u32),
    /// The previous rotation is not finished (friends not all re-hashed yet): nothing changed.
    StillRotating,
}

#[derive(Clone)]
pub struct IndexKeyRecord {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
}

impl IndexKeyRecord {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
        }
    }

    /// The keys in force: from this process's cache, else from the table (created on first
    /// use).
    pub async fn keys(&self) -> Result<Arc<IndexKeys>, RecordError> {
        if let Some(keys) = self.cipher.cached_index_keys().await {
            return Ok(keys);
        }
        let stored = match self.stored().await? {
            Some((stored, _)) => stored,
            None => self.create().await?,
        };
        Ok(self.cipher.open_index_keys(&stored).await?)
    }

    async fn stored(&self) -> Result<Option<(WrappedIndexKeys, u64)>, RecordError> {
        match self.table.get(PK, SK).await? {
            Some(item) => Ok(Some((decode(&item)?, item.version))),
            None => Ok(None),
        }
    }

    async fn create(&self) -> Result<WrappedIndexKeys, RecordError> {
        let fresh = WrappedIndexKeys {
            current: self.cipher.new_index_key(1).await?,
            previous: None,
            rotated_at: None,
        };
        let item = Item::new(PK, SK, encode(&fresh)).with_version(1);
        match self.table.put(item, Condition::IfAbsent).await {
            Ok(()) => Ok(fresh),
            // Another cold start stored its key first: everyone uses that one.
            Err(StoreError::ConditionFailed) => self
                .stored()
                .await?
                .map(|(stored, _)| stored)
                .ok_or_else(|| RecordError::Contended(format!("{PK}/{SK}"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Puts a new current key in force, keeping the current one as previous. Refused while a
    /// previous key is still in force: two rotations in a row would strand the friends still
    /// hashed with the oldest key.
    pub async fn rotate(&self, now: DateTime<Utc>) -> Result<Rotation, RecordError> {
        self.keys().await?; // creates the first key if there is none
        let (stored, version) = self
            .stored()
            .await?
            .ok_or_else(|| RecordError::Contended(format!("{PK}/{SK}")))?;
        if stored.previous.is_some() {
            return Ok(Rotation::StillRotating);
        }
        let generation = stored.current.generation + 1;
        let rotated = WrappedIndexKeys {
            current: self.cipher.new_index_key(generation).await?,
            previous: Some(stored.current),
            rotated_at: Some(now),
        };
        self.replace(&rotated, version).await?;
        Ok(Rotation::Rotated(generation))
    }

    /// Retires the previous key once `every_friend_rehashed` (the upkeep's walk, begun at
    /// `walk_began`, found nobody still on it) and the grace period since the rotation has
    /// passed before that walk began. Answers whether it was retired.
    pub async fn retire_previous(
        &self,
        walk_began: DateTime<Utc>,
        every_friend_rehashed: bool,
    ) -> Result<bool, RecordError> {
        let Some((stored, version)) = self.stored().await? else {
            return Ok(false);
        };
        let grace_over = stored
            .rotated_at
            .is_some_and(|at| at + PREVIOUS_KEY_GRACE <= walk_began);
        if stored.previous.is_none() || !grace_over || !every_friend_rehashed {
            return Ok(false);
        }
        let retired = WrappedIndexKeys {
            previous: None,
            ..stored
        };
        self.replace(&retired, version).await?;
        Ok(true)
    }

    async fn replace(&self, keys: &WrappedIndexKeys, version: u64) -> Result<(), RecordError> {
        let item = Item::new(PK, SK, encode(keys)).with_version(version + 1);
        match self.table.put(item, Condition::IfVersion(version)).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => {
                return Err(RecordError::Contended(format!("{PK}/{SK}")))
            }
            Err(e) => return Err(e.into()),
        }
        // This process sees its own change at once.
        self.cipher.open_index_keys(keys).await?;
        Ok(())
    }
}
