//! The daily upkeep of friends' data (`scheduler.daily-housekeeping`, 03:00 JST):
//!
//! - friends who have blocked the account for longer than the retention period staff set
//!   (保存期間, 仕様書 6.1.1) are removed with everything kept under their user id: their
//!   record and sealed registration, a questionnaire in progress, wrong tester codes counted,
//!   and their tester link if a clerk had registered them;
//! - friends stored before field encryption, or hashed with an index key since rotated, are
//!   sealed and hashed afresh; once nobody is left on a rotated key it is retired.
//!
//! Every step can be repeated: a run cut short (a timeout, a crash) is finished by the next.

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use tayori_ports::Platform;
use tayori_records::friends::ListedFriend;
use tayori_records::index_keys::{IndexKeyRecord, Rotation};
use tayori_records::retention::RetentionRecord;
use tayori_records::{AuditEntry, AuditLog, Friends, RecordError, Testers};

/// Friends resealed in one run at most: the first run after field encryption over a large city
/// spreads over a few nights rather than outlasting the function's time limit.
pub const MAX_RESEALS_PER_RUN: usize = 20_000;
/// Writes in flight at once; each is a round trip to the table.
const IN_FLIGHT: usize = 16;
/// Who the audit log says removed the data.
pub const AUDIT_ACTOR: &str = "自動処理（保存期間）";

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Upkept {
    pub removed: u64,
    /// Due for removal when listed but changed since (followed again): kept.
    pub kept: u64,
    pub testers_unlinked: u64,
    pub resealed: u64,
    pub previous_key_retired: bool,
}

pub struct FriendDataUpkeep {
    platform: Platform,
}

impl FriendDataUpkeep {
    pub fn new(platform: Platform) -> Self {
        Self { platform }
    }

    pub async fn run(&self, now: DateTime<Utc>) -> Result<Upkept, RecordError> {
        let retention = RetentionRecord::new(self.platform.table.clone())
            .get()
            .await?;
        let friends = Friends::new(&self.platform);
        let keys = friends.index_keys().await?;
        let mut due: Vec<ListedFriend> = Vec::new();
        let mut stale: Vec<String> = Vec::new();
        friends
            .for_each_page(|page| {
                for friend in page {
                    if retention.is_due(friend.status, friend.blocked_at, now) {
                        due.push(friend);
                    } else if friend.needs_resealing(&keys) {
                        stale.push(friend.user_id);
                    }
                }
            })
            .await?;

        let mut upkept = Upkept::default();
        // Each future owns what it needs: the job runs inside an `async_trait` handler, whose
        // future must not borrow across the stream's closures.
        let removals: Vec<bool> = stream::iter(due.into_iter().map(|friend| {
            let friends = friends.clone();
            async move { friends.remove(&friend).await }
        }))
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await?;
        upkept.removed = removals.iter().filter(|r| **r).count() as u64;
        upkept.kept = removals.len() as u64 - upkept.removed;
        upkept.testers_unlinked = self.unlink_removed_testers(&friends).await?;

        let every_friend_rehashed = stale.len() <= MAX_RESEALS_PER_RUN;
        stale.truncate(MAX_RESEALS_PER_RUN);
        let resealed: Vec<bool> = stream::iter(stale.into_iter().map(|user_id| {
            let friends = friends.clone();
            async move { friends.reseal(&user_id).await }
        }))
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await?;
        upkept.resealed = resealed.iter().filter(|r| **r).count() as u64;
        upkept.previous_key_retired = IndexKeyRecord::new(&self.platform)
            .retire_previous(now, every_friend_rehashed)
            .await?;

        if upkept.removed > 0 {
            let entry = AuditEntry {
                at: now,
                actor: AUDIT_ACTOR.into(),
                ip: "-".into(),
                action: "保存期間を過ぎた友だちのデータを削除".into(),
                target: "friends".into(),
                summary: format!(
                    "{}人（ブロックから{}日を過ぎた友だち）",
                    upkept.removed,
                    retention.days()
                ),
            };
            if let Err(e) = AuditLog::new(self.platform.table.clone())
                .append(&entry)
                .await
            {
                tracing::error!(error = %e, "audit entry for removed friends not written");
            }
        }
        Ok(upkept)
    }

    /// Tester links of friends whose record is gone (removed now, or by an earlier run that
    /// stopped before this step).
    async fn unlink_removed_testers(&self, friends: &Friends) -> Result<u64, RecordError> {
        let testers = Testers::new(self.platform.table.clone());
        let mut unlinked = 0;
        for tester in testers.get().await? {
            if !friends.exists(&tester.user_id).await? {
                testers.remove(&tester.user_id).await?;
                unlinked += 1;
            }
        }
        Ok(unlinked)
    }

    /// Puts a new index key in force (infra/key-rotation.md) and re-hashes every friend with
    /// it at once; friends written meanwhile by processes still on the old key are re-hashed
    /// by the next daily runs, and the old key is retired by the first run that finds none.
    pub async fn rotate_index_key(&self, now: DateTime<Utc>) -> Result<Rotation, RecordError> {
        let rotation = IndexKeyRecord::new(&self.platform).rotate(now).await?;
        if let Rotation::Rotated(_) = rotation {
            self.run(now).await?;
        }
        Ok(rotation)
    }
}
