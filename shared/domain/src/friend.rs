//! A friend (友だち): a LINE user who added the city's official account.
//!
//! Only what the service needs is kept: the LINE user id (a per-channel pseudonym), when the
//! friend was first and last seen, and whether they currently follow the account. No display
//! name, picture or status message is stored (6.1.1: minimal personal data).

use chrono::{DateTime, Utc};
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
    fn out_of_order_events_never_move_times_backwards() {
        let mut f = Friend::first_seen("U1", t(10));
        f.seen(t(4));
        f.seen(t(8));
        assert_eq!(f.first_seen, t(4));
        assert_eq!(f.last_active, t(10));
    }
}
