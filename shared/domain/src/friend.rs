//! A friend (友だち): a LINE user who added the city's official account.
//!
//! Only what the service needs is kept: the LINE user id (a per-channel pseudonym), when the
//! friend was first and last seen, and whether they currently follow the account. No display
//! name, picture or status message is stored (6.1.1: minimal personal data).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FriendStatus {
    /// Follows the account and can receive messages.
    Following,
    /// Blocked or removed the account (LINE's unfollow event): never targeted by deliveries.
    Blocked,
    /// Seen only through an event other than follow (e.g. a message sent before the account
    /// learned of the follow); treated as following for replies.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Friend {
    pub user_id: String,
    pub status: FriendStatus,
    pub first_seen: DateTime<Utc>,
    pub last_active: DateTime<Utc>,
    pub followed_at: Option<DateTime<Utc>>,
    pub blocked_at: Option<DateTime<Utc>>,
    /// What the citizen registered (segment item id → chosen values), e.g. `district` → `雲浜`.
    /// Empty until they register; removed when they delete their registration.
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl Friend {
    /// A friend first seen at `at` through an event that says nothing of following.
    pub fn first_seen(user_id: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self {
            user_id: user_id.into(),
            status: FriendStatus::Unknown,
            first_seen: at,
            last_active: at,
            followed_at: None,
            blocked_at: None,
            attributes: BTreeMap::new(),
        }
    }

    /// Any event from the friend. Events can arrive out of order (redeliveries), so times only
    /// move forward.
    pub fn seen(&mut self, at: DateTime<Utc>) {
        self.first_seen = self.first_seen.min(at);
        self.last_active = self.last_active.max(at);
    }

    /// Follow (友だち追加) or unblock.
    pub fn followed(&mut self, at: DateTime<Utc>) {
        self.seen(at);
        if self.blocked_at.is_some_and(|b| b > at) {
            return; // a later unfollow already happened; this follow is stale
        }
        self.status = FriendStatus::Following;
        self.followed_at = Some(at);
        self.blocked_at = None;
    }

    /// Unfollow (ブロック).
    pub fn blocked(&mut self, at: DateTime<Utc>) {
        self.seen(at);
        if self.followed_at.is_some_and(|f| f > at) {
            return; // a later follow already happened
        }
        self.status = FriendStatus::Blocked;
        self.blocked_at = Some(at);
    }

    pub fn can_receive_messages(&self) -> bool {
        self.status != FriendStatus::Blocked
    }
}

/// How long the data of a friend who blocked the account is kept (保存期間, 仕様書 6.1.1): after
/// that the daily upkeep removes their record and everything else kept under their user id.
/// A friend who follows again before then is kept, registration and all.
///
/// Why keep it at all: a block is often a mistake undone within days, and a citizen who
/// unblocks expects their registration to still be there. Why not longer: a friend who blocked
/// cannot be sent anything, so their data serves nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredRetention", into = "StoredRetention")]
pub struct Retention {
    days_after_blocking: u32,
}

#[derive(Serialize, Deserialize)]
struct StoredRetention {
    days_after_blocking: u32,
}

impl TryFrom<StoredRetention> for Retention {
    type Error = RetentionError;
    fn try_from(s: StoredRetention) -> Result<Self, Self::Error> {
        Retention::days_after_blocking(s.days_after_blocking)
    }
}

impl From<Retention> for StoredRetention {
    fn from(r: Retention) -> Self {
        StoredRetention {
            days_after_blocking: r.days_after_blocking,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("保存期間は{min}〜{max}日の範囲で入力してください。", min = Retention::MIN_DAYS, max = Retention::MAX_DAYS)]
    OutOfRange,
    #[error("保存期間は日数（半角数字）で入力してください。")]
    NotANumber,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            days_after_blocking: Self::DEFAULT_DAYS,
        }
    }
}

impl Retention {
    /// Until staff set their own: about half a year after blocking.
    pub const DEFAULT_DAYS: u32 = 180;
    /// At least a week, so that a block undone within days keeps the registration.
    pub const MIN_DAYS: u32 = 7;
    /// At most three years, as long as the usage statistics are kept.
    pub const MAX_DAYS: u32 = 1095;

    pub fn days_after_blocking(days: u32) -> Result<Self, RetentionError> {
        if (Self::MIN_DAYS..=Self::MAX_DAYS).contains(&days) {
            Ok(Self {
                days_after_blocking: days,
            })
        } else {
            Err(RetentionError::OutOfRange)
        }
    }

    /// What a clerk typed in the console's form.
    pub fn parse(typed: &str) -> Result<Self, RetentionError> {
        let days: u32 = typed
            .trim()
            .parse()
            .map_err(|_| RetentionError::NotANumber)?;
        Self::days_after_blocking(days)
    }

    pub fn days(&self) -> u32 {
        self.days_after_blocking
    }

    /// Whether a friend in `status`, blocked at `blocked_at`, is to be removed at `now`: they
    /// still block the account and the period has passed.
    pub fn is_due(
        &self,
        status: FriendStatus,
        blocked_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        status == FriendStatus::Blocked
            && blocked_at
                .is_some_and(|at| now - at >= Duration::days(i64::from(self.days_after_blocking)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(min)
    }

    #[test]
    fn a_follow_then_block_leaves_a_blocked_friend_who_gets_no_deliveries() {
        let mut f = Friend::first_seen("U1", t(0));
        f.followed(t(0));
        assert!(f.can_receive_messages());
        f.blocked(t(5));
        assert_eq!(f.status, FriendStatus::Blocked);
        assert!(!f.can_receive_messages());
        assert_eq!(f.last_active, t(5));
    }

    #[test]
    fn a_stale_follow_arriving_after_a_later_block_does_not_unblock() {
        let mut f = Friend::first_seen("U1", t(0));
        f.blocked(t(10));
        f.followed(t(3));
        assert_eq!(f.status, FriendStatus::Blocked);
        assert_eq!(f.first_seen, t(0));
    }

    #[test]
    fn unblocking_follows_again() {
        let mut f = Friend::first_seen("U1", t(0));
        f.followed(t(0));
        f.blocked(t(1));
        f.followed(t(2));
        assert_eq!(f.status, FriendStatus::Following);
        assert_eq!(f.blocked_at, None);
    }

    #[test]
    fn a_friend_blocked_longer_than_the_period_is_due_for_removal_and_one_who_followed_again_is_not(
    ) {
        let policy = Retention::default();
        assert_eq!(policy.days(), 180);
        let now = t(0) + Duration::days(400);
        let blocked = |days_ago: i64| {
            let mut f = Friend::first_seen("U1", t(0));
            f.followed(t(0));
            f.blocked(now - Duration::days(days_ago));
            f
        };
        let due = |f: &Friend| policy.is_due(f.status, f.blocked_at, now);
        assert!(due(&blocked(181)));
        assert!(due(&blocked(180)), "the period is over on its last day");
        assert!(!due(&blocked(179)));
        let mut back = blocked(181);
        back.followed(now - Duration::days(2));
        assert!(!due(&back), "followed again");
        assert!(!due(&Friend::first_seen("U2", t(0))), "never blocked");
    }

    #[test]
    fn the_period_is_a_whole_number_of_days_within_its_bounds() {
        assert_eq!(Retention::parse(" 365 ").unwrap().days(), 365);
        assert_eq!(Retention::parse("6"), Err(RetentionError::OutOfRange));
        assert_eq!(Retention::parse("1096"), Err(RetentionError::OutOfRange));
        assert_eq!(Retention::parse("半年"), Err(RetentionError::NotANumber));
        assert_eq!(
            RetentionError::OutOfRange.to_string(),
            "保存期間は7〜1095日の範囲で入力してください。"
        );
        let stored: Result<Retention, _> = serde_json::from_str(r#"{"days_after_blocking": 3}"#);
        assert!(
            stored.is_err(),
            "a stored value outside the bounds is refused"
        );
        let json = serde_json::to_string(&Retention::default()).unwrap();
        assert_eq!(json, r#"{"days_after_blocking":180}"#);
    }

    #[test]
    fn out_of_order_events_never_move_times_backwards() {
        let mut f = Friend::first_seen("U1", t(10));
        f.seen(t(4));
        f.seen(t(8));
        assert_eq!(f.first_seen, t(4));
        assert_eq!(f.last_active, t(10));
    }
}
