//! A report's status (対応状況) and where it may move:
//!
//! ```text
//! 受付 ──▶ 確認中 ──▶ 対応中 ──▶ 完了
//!   │        │          └──────▶ 対応不可
//!   │        └──▶ 完了 / 対応不可 / 重複
//!   └──▶ 対応中 / 完了 / 対応不可 / 重複
//! 完了 / 対応不可 / 重複 ──(コメント付きで)──▶ 対応中
//! ```

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// 受付: filed, nobody has looked yet.
    Received,
    /// 確認中: a clerk is checking it (on site or on the map).
    Checking,
    /// 対応中: the work is ordered or under way.
    InProgress,
    /// 完了.
    Done,
    /// 対応不可: the city will not act (private land, another authority); the citizen is told why.
    Declined,
    /// 重複: another report already covers it (the report links the original).
    Duplicate,
}

/// Why a status move is refused by the state machine (who moves is checked separately).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveRefusal {
    Same,
    NotAllowed,
    /// Declined and Duplicate tell the citizen why; reopening says why the work resumes.
    CommentRequired,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 6] = [
        Self::Received,
        Self::Checking,
        Self::InProgress,
        Self::Done,
        Self::Declined,
        Self::Duplicate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "受付",
            Self::Checking => "確認中",
            Self::InProgress => "対応中",
            Self::Done => "完了",
            Self::Declined => "対応不可",
            Self::Duplicate => "重複",
        }
    }

    /// The stored and form value.
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Checking => "checking",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Declined => "declined",
            Self::Duplicate => "duplicate",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Self::Done | Self::Declined | Self::Duplicate)
    }

    /// The statuses a clerk may choose from this one (the console's buttons).
    pub fn next(self) -> &'static [ReportStatus] {
        use ReportStatus::*;
        match self {
            Received => &[Checking, InProgress, Done, Declined, Duplicate],
            Checking => &[InProgress, Done, Declined, Duplicate],
            InProgress => &[Done, Declined],
            Done | Declined | Duplicate => &[InProgress],
        }
    }

    /// Whether the move is allowed, given whether a public comment comes with it.
    pub fn check_move(self, to: ReportStatus, has_comment: bool) -> Result<(), MoveRefusal> {
        if self == to {
            return Err(MoveRefusal::Same);
        }
        if !self.next().contains(&to) {
            return Err(MoveRefusal::NotAllowed);
        }
        let needs_comment = matches!(to, Self::Declined | Self::Duplicate) || self.is_closed();
        if needs_comment && !has_comment {
            return Err(MoveRefusal::CommentRequired);
        }
        Ok(())
    }

    /// Whether the citizen is pushed the move. Every move is, but the first look (受付 → 確認中)
    /// without a comment: it is the clerk's own triage, and a push saying only "we are looking"
    /// minutes after the receipt would be noise. With a comment it is news and is pushed.
    pub fn tells_citizen(from: ReportStatus, to: ReportStatus, has_comment: bool) -> bool {
        has_comment || !(from == Self::Received && to == Self::Checking)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportStatus::*;

    #[test]
    fn codes_round_trip_and_closed_statuses_are_the_last_three() {
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::from_code(s.code()), Some(s));
            assert_eq!(s.is_closed(), matches!(s, Done | Declined | Duplicate));
        }
        assert_eq!(ReportStatus::from_code("open"), None);
    }

    #[test]
    fn only_the_first_look_without_a_comment_is_kept_from_the_citizen() {
        assert!(!ReportStatus::tells_citizen(Received, Checking, false));
        assert!(ReportStatus::tells_citizen(Received, Checking, true));
        assert!(ReportStatus::tells_citizen(Checking, InProgress, false));
        assert!(ReportStatus::tells_citizen(Received, Done, false));
    }
}
