//! The disaster capability's automatic half: JMA rules staff configure ([`RuleDesk`]) and the
//! poller ([`Poller`]) that reads JMA's Atom feeds, fetches each new message once, parses it
//! ([`tayori_jma`]), and for every enabled rule that matches acts once: opens the emergency
//! (or widens the open one), asks for the emergency rich menu, and posts the rule's first
//! message (released at once, or a draft submitted for approval). Every action is recorded
//! with the XML that caused it ([`store::ActionRecord`]); a 解除 for a watched kind and area
//! only leaves a notice for staff ([`store::LiftingNotice`]), and switches nothing.
//!
//! What is not understood is logged and skipped: a malformed message, an unknown type or code
//! never switches anything and never stops the poll.

pub mod emergency;
pub mod poller;
pub mod rules;
pub mod source;
pub mod store;

pub use emergency::{EmergencyDesk, RuleOpening};
pub use poller::{latest_cancellations, PollReport, Poller, JMA_ACTOR, MAX_ENTRY_AGE_MINUTES};
pub use rules::RuleDesk;
pub use source::{FeedFetch, FeedSource, FolderFeedSource, HttpFeedSource, SourceError};
pub use store::{ActionRecord, DisasterRecords, LiftingNotice, Validators};

/// JMA's PULL feeds: 高頻度（随時） carries the warnings, 高頻度（地震火山） earthquakes and tsunami.
pub const JMA_EXTRA_FEED: &str = "https://www.data.jma.go.jp/developer/xml/feed/extra.xml";
pub const JMA_EQVOL_FEED: &str = "https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml";

#[derive(Debug, thiserror::Error)]
pub enum DisasterError {
    /// A rule staff filled in was refused: shown to them as it is.
    #[error(transparent)]
    Rule(#[from] tayori_domain::emergency_rule::RuleError),
    #[error("ルールが見つかりません。")]
    NotFound,
    #[error("このルールは他の操作で先に変更されました。もう一度開いてから変更してください。")]
    Conflict,
    #[error("保存できませんでした: {0}")]
    Store(#[from] tayori_ports::StoreError),
    #[error("保存できませんでした: {0}")]
    Record(#[from] tayori_records::RecordError),
    #[error("記録 {key} が読めません: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("JMAの電文を取得できませんでした: {0}")]
    Source(#[from] SourceError),
    #[error("電文を保存できませんでした: {0}")]
    Objects(#[from] tayori_ports::ObjectError),
    #[error("最初のメッセージを作れませんでした: {0}")]
    Desk(#[from] tayori_deliveries::DeskError),
    /// The emergency itself refused (no name, already closed…): shown as it is.
    #[error(transparent)]
    Emergency(#[from] tayori_domain::emergency::EmergencyError),
    #[error("すでに災害対応「{0}」が開始されています。同時に開始できるのは1件です。")]
    AlreadyOpen(String),
    #[error("この災害対応は見つかりません。")]
    EmergencyNotFound,
}

impl DisasterError {
    /// Whether the clerk can act on it (fix the form, reload), rather than a failure.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            DisasterError::Rule(_)
                | DisasterError::NotFound
                | DisasterError::Conflict
                | DisasterError::Emergency(_)
                | DisasterError::AlreadyOpen(_)
                | DisasterError::EmergencyNotFound
        )
    }
}
