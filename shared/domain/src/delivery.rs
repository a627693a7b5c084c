//! A delivery (配信): a message of up to five bubbles that staff compose, get approved when
//! they may not send themselves, and send now or at a minute in JST, to every friend or to a
//! segment. Its life:
//!
//! ```text
//! 下書き ──submit──▶ 承認待ち ──approve──▶ 予約済み ──(due)──▶ 配信中 ──▶ 配信済み
//!    │ (may send) ─────────────────────────▲   │ cancel          │ stop
//!    │                                         ▼                  ▼
//!    └─────────────────────────────────▶ 取消                  停止
//! ```
//!
//! "Send now" is a reservation for the current minute: one path, so an immediate delivery that
//! dies half-way is resumed exactly like a scheduled one.

pub mod changes;
pub mod link;
pub mod log;

use crate::segment::Target;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

pub use link::{check_link, is_safe_link, LinkProblem, MAX_LINK_UNITS};

/// At most this many bubbles (LINE's messages per request).
pub const MAX_BUBBLES: usize = 5;
/// LINE's limit for a text message, in UTF-16 code units.
pub const MAX_TEXT_UNITS: usize = 5000;
pub const MAX_TITLE_CHARS: usize = 100;
/// LINE's limit for an action's label (the button of an image with a link), in characters.
pub const MAX_BUTTON_LABEL_CHARS: usize = 20;
/// LINE's limit for a location message's title and address, in characters.
pub const MAX_PLACE_CHARS: usize = 100;
/// Recipients per multicast request (LINE's limit).
pub const BATCH_SIZE: usize = 500;

/// The bus event that asks the broadcast function to send a delivery now (detail `{"id"}`);
/// the every-minute tick sends it anyway if the event is lost.
pub const DELIVERY_REQUESTED: &str = "delivery.requested";

/// Categories staff file deliveries under; the log and the usage report group by them.
pub const CATEGORIES: [&str; 7] = ["防災", "子育て", "ごみ", "健康", "イベント", "観光", "一般"];

/// Who a test delivery reaches, in the log's words.
pub const TESTERS: &str = "テスト配信の受信者";

/// Who the garbage notices are created by: Tayori itself, under this name in the log.
pub const GARBAGE_NOTICE_AUTHOR: &str = "自動配信（ごみ）";

/// An image stored in the object store: the original for LINE's full view, a preview
/// (≤ 1 MB, ≤ 240 px high is not required but small) for the chat list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredImage {
    pub original: String,
    pub preview: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bubble {
    Text {
        text: String,
    },
    Image {
        image: StoredImage,
    },
    /// An image with a button that opens a page (a Flex bubble).
    ImageLink {
        image: StoredImage,
        url: String,
        label: String,
    },
    Location {
        title: String,
        address: String,
        latitude: f64,
        longitude: f64,
    },
}

/// A bubble's field that LINE limits in length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BubbleField {
    Text,
    ButtonLabel,
    PlaceName,
    Address,
}

impl std::fmt::Display for BubbleField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BubbleField::Text => "本文",
            BubbleField::ButtonLabel => "ボタンの文言",
            BubbleField::PlaceName => "場所の名前",
            BubbleField::Address => "住所",
        })
    }
}

/// A field longer than LINE takes; LINE refuses the whole message for it, so a draft is never
/// stored with one. Renders as the end of a sentence that names the bubble.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}が長すぎます（{length}文字。上限は{limit}文字）。")]
pub struct OverLimit {
    pub field: BubbleField,
    pub length: usize,
    pub limit: usize,
}

impl Bubble {
    /// Every field of this bubble longer than LINE takes. Text is counted in UTF-16 units, as
    /// LINE counts it; the others in characters.
    pub fn over_limits(&self) -> Vec<OverLimit> {
        let fields: Vec<(BubbleField, usize, usize)> = match self {
            Bubble::Text { text } => vec![(BubbleField::Text, text_units(text), MAX_TEXT_UNITS)],
            Bubble::Image { .. } => vec![],
            Bubble::ImageLink { label, .. } => vec![(
                BubbleField::ButtonLabel,
                label.chars().count(),
                MAX_BUTTON_LABEL_CHARS,
            )],
            Bubble::Location { title, address, .. } => vec![
                (
                    BubbleField::PlaceName,
                    title.chars().count(),
                    MAX_PLACE_CHARS,
                ),
                (
                    BubbleField::Address,
                    address.chars().count(),
                    MAX_PLACE_CHARS,
                ),
            ],
        };
        fields
            .into_iter()
            .filter(|(_, length, limit)| length > limit)
            .map(|(field, length, limit)| OverLimit {
                field,
                length,
                limit,
            })
            .collect()
    }

    /// The picture of an image bubble.
    pub fn image(&self) -> Option<&StoredImage> {
        match self {
            Bubble::Image { image } | Bubble::ImageLink { image, .. } => Some(image),
            Bubble::Text { .. } | Bubble::Location { .. } => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Draft,
    AwaitingApproval,
    Scheduled,
    Sending,
    Sent,
    Cancelled,
    Stopped,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 7] = [
        Self::Draft,
        Self::AwaitingApproval,
        Self::Scheduled,
        Self::Sending,
        Self::Sent,
        Self::Cancelled,
        Self::Stopped,
    ];

    /// The form's value for it (as stored).
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Cancelled => "cancelled",
            Self::Stopped => "stopped",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "下書き",
            Self::AwaitingApproval => "承認待ち",
            Self::Scheduled => "予約済み",
            Self::Sending => "配信中",
            Self::Sent => "配信済み",
            Self::Cancelled => "取消",
            Self::Stopped => "停止",
        }
    }
}

/// What sort of delivery it is, for the log's filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// Composed by staff for citizens.
    Normal,
    /// Sent only to staff's own LINE accounts (テスト配信).
    Test,
    /// A morning or evening garbage collection notice Tayori composed itself.
    GarbageNotice,
}

impl DeliveryKind {
    pub const ALL: [DeliveryKind; 3] = [Self::Normal, Self::Test, Self::GarbageNotice];

    pub fn label(self) -> &'static str {
        match self {
            Self::Normal => "通常",
            Self::Test => "テスト",
            Self::GarbageNotice => "ごみ収集のお知らせ",
        }
    }

    /// The form's value for it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Test => "test",
            Self::GarbageNotice => "garbage_notice",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Counts across a delivery's batches. Every recipient ends in exactly one of the three.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub recipients: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Recipients of batches not sent because staff stopped the delivery.
    #[serde(default)]
    pub not_sent: u64,
}

/// Who did what, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What staff compose: everything about a delivery but its life. A value the composer hands to
/// [`Delivery::compose`]; a draft may be unfinished, so it is checked in full only on submit.
#[derive(Clone, Debug, PartialEq)]
pub struct Composition {
    pub title: String,
    pub category: String,
    pub bubbles: Vec<Bubble>,
    pub target: Target,
    pub send_at: Option<DateTime<Utc>>,
}

/// A delivery and its life. Its fields are private: every change is one of its methods, which
/// keep the rules (who may approve, what may be cancelled or stopped, what a draft may hold);
/// the stored layout is the serde layout of these fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    id: String,
    title: String,
    category: String,
    bubbles: Vec<Bubble>,
    target: Target,
    /// The target in words, fixed when the delivery is submitted, so the log keeps saying what
    /// staff chose even after segment items change.
    #[serde(default)]
    target_description: String,
    /// When it should go out; `None` for "as soon as it is approved / now".
    send_at: Option<DateTime<Utc>>,
    /// A test delivery goes only to the testers and is logged as a test.
    #[serde(default)]
    test: bool,
    status: DeliveryStatus,
    created: Stamp,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    submitted: Option<Stamp>,
    #[serde(default)]
    approved: Option<Stamp>,
    /// When it was due and who set it going (the submitter or the approver).
    #[serde(default)]
    released: Option<Stamp>,
    #[serde(default)]
    started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    finished_at: Option<DateTime<Utc>>,
    #[serde(default)]
    stop_requested: Option<Stamp>,
    #[serde(default)]
    cancelled: Option<Stamp>,
    #[serde(default)]
    totals: Totals,
    /// LINE's distinct errors for failed batches, for the log.
    #[serde(default)]
    errors: Vec<String>,
    #[serde(default)]
    duplicated_from: Option<String>,
    /// It goes only to the citizens named for it (a child-rearing message to the parents of
    /// the children who reached a stage), whose list is kept sealed beside it; the target is
    /// then not used. Left out when false, so every other delivery is stored as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    to_named_citizens: bool,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("タイトルを入力してください。")]
    NoTitle,
    #[error("タイトルは{MAX_TITLE_CHARS}文字以内にしてください。")]
    TitleTooLong,
    #[error("分類を選んでください。")]
    UnknownCategory,
    #[error("吹き出しを1つ以上追加してください。")]
    NoBubbles,
    #[error("吹き出しは{MAX_BUBBLES}つまでです。")]
    TooManyBubbles,
    #[error("{0}つ目の吹き出しの本文が空です。")]
    EmptyText(usize),
    #[error("{0}つ目の吹き出しが長すぎます（{1}文字相当。上限は{MAX_TEXT_UNITS}）。")]
    TextTooLong(usize, usize),
    #[error("{0}つ目の{1}")]
    BadLink(usize, LinkProblem),
    #[error("{0}つ目の{1}")]
    OverLimit(usize, OverLimit),
    #[error("{0}つ目のボタンの文言を入力してください。")]
    NoButtonLabel(usize),
    #[error("{0}つ目の吹き出しの位置情報が正しくありません。")]
    BadLocation(usize),
    #[error("予約日時は現在より後にしてください。")]
    SendAtInPast,
    #[error("この配信は「{0}」のため、この操作はできません。")]
    WrongStatus(&'static str),
    #[error("自分が作成した配信は承認できません。")]
    SelfApproval,
}

impl Delivery {
    pub fn draft(id: String, by: &str, now: DateTime<Utc>) -> Self {
        Self {
            id,
            title: String::new(),
            category: "一般".into(),
            bubbles: Vec::new(),
            target: Target::All,
            target_description: String::new(),
            send_at: None,
            test: false,
            status: DeliveryStatus::Draft,
            created: Stamp {
                by: by.into(),
                at: now,
            },
            updated_at: now,
            submitted: None,
            approved: None,
            released: None,
            started_at: None,
            finished_at: None,
            stop_requested: None,
            cancelled: None,
            totals: Totals::default(),
            errors: Vec::new(),
            duplicated_from: None,
            to_named_citizens: false,
        }
    }

    /// A one-text delivery Tayori composes itself (e.g. the garbage notices), as a draft:
    /// the caller submits it with `may_send` so it takes the same path as staff's deliveries
    /// (validation, the due index, the sender, the log).
    pub fn automatic(
        id: String,
        by: &str,
        category: &str,
        title: String,
        text: String,
        target: Target,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            title,
            category: category.into(),
            bubbles: vec![Bubble::Text { text }],
            target,
            ..Self::draft(id, by, now)
        }
    }

    /// Makes a draft go only to the citizens named for it (see the field), not to a target.
    pub fn to_named_citizens(self) -> Self {
        Self {
            target: Target::All,
            to_named_citizens: true,
            ..self
        }
    }

    /// Whether it goes only to the citizens named for it.
    pub fn is_to_named_citizens(&self) -> bool {
        self.to_named_citizens
    }

    /// A new draft with this one's content, for "複製して編集"; its title says it is a copy, so
    /// the log never shows two deliveries under one name by accident.
    pub fn duplicate(&self, id: String, by: &str, now: DateTime<Utc>) -> Self {
        Self {
            title: copy_title(&self.title),
            category: self.category.clone(),
            bubbles: self.bubbles.clone(),
            target: self.target.clone(),
            duplicated_from: Some(self.id.clone()),
            ..Self::draft(id, by, now)
        }
    }

    /// A copy of this delivery's content for the testers (テスト配信), as a draft to submit at
    /// once: it goes only to them, now, and the log shows it as a test of this one. Refused
    /// when this one could not be submitted, so a test never passes what the real one would not.
    pub fn test_copy(
        &self,
        id: String,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, DeliveryError> {
        // The draft itself must be sendable: its marked copy has a title even when it has none.
        self.validate()?;
        Ok(Self {
            title: marked_title("【テスト】", &self.title, false),
            category: self.category.clone(),
            bubbles: self.bubbles.clone(),
            target: self.target.clone(),
            test: true,
            duplicated_from: Some(self.id.clone()),
            ..Self::draft(id, by, now)
        })
    }

    /// Staff's composition replaces the draft's content. A draft may be unfinished (empty
    /// title, no bubbles), but never holds what could not be sent as it reads: a title or a
    /// field longer than LINE takes, or a link to anything but an https:// page.
    pub fn compose(&mut self, c: Composition, now: DateTime<Utc>) -> Result<(), DeliveryError> {
        self.expect(&[DeliveryStatus::Draft])?;
        if c.title.chars().count() > MAX_TITLE_CHARS {
            return Err(DeliveryError::TitleTooLong);
        }
        if c.bubbles.len() > MAX_BUBBLES {
            return Err(DeliveryError::TooManyBubbles);
        }
        check_links(&c.bubbles)?;
        for (n, bubble) in c.bubbles.iter().enumerate().map(|(i, b)| (i + 1, b)) {
            if let Some(over) = bubble.over_limits().into_iter().next() {
                return Err(DeliveryError::OverLimit(n, over));
            }
        }
        self.title = c.title;
        self.category = c.category;
        self.bubbles = c.bubbles;
        self.target = c.target;
        self.send_at = c.send_at;
        self.updated_at = now;
        Ok(())
    }

    /// Its content, as the composer shows it.
    pub fn composition(&self) -> Composition {
        Composition {
            title: self.title.clone(),
            category: self.category.clone(),
            bubbles: self.bubbles.clone(),
            target: self.target.clone(),
            send_at: self.send_at,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn category(&self) -> &str {
        &self.category
    }

    pub fn bubbles(&self) -> &[Bubble] {
        &self.bubbles
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Who receives it, in the words fixed when it was submitted (empty before).
    pub fn target_description(&self) -> &str {
        &self.target_description
    }

    /// Who receives it, as the log says: the words fixed at submission, or the target described
    /// with today's segment items before that.
    pub fn described_target(&self, items: &crate::segment::SegmentItems) -> String {
        if self.target_description.is_empty() {
            self.target.describe(items)
        } else {
            self.target_description.clone()
        }
    }

    pub fn send_at(&self) -> Option<DateTime<Utc>> {
        self.send_at
    }

    /// Whether it goes only to the testers.
    pub fn is_test(&self) -> bool {
        self.test
    }

    pub fn status(&self) -> DeliveryStatus {
        self.status
    }

    pub fn created(&self) -> &Stamp {
        &self.created
    }

    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    pub fn submitted(&self) -> Option<&Stamp> {
        self.submitted.as_ref()
    }

    pub fn approved(&self) -> Option<&Stamp> {
        self.approved.as_ref()
    }

    pub fn released(&self) -> Option<&Stamp> {
        self.released.as_ref()
    }

    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        self.started_at
    }

    pub fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.finished_at
    }

    pub fn stop_requested(&self) -> Option<&Stamp> {
        self.stop_requested.as_ref()
    }

    pub fn cancelled(&self) -> Option<&Stamp> {
        self.cancelled.as_ref()
    }

    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// LINE's distinct errors for failed batches.
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    pub fn duplicated_from(&self) -> Option<&str> {
        self.duplicated_from.as_deref()
    }

    /// Checks what staff composed; the first problem, in words a clerk can act on.
    pub fn validate(&self) -> Result<(), DeliveryError> {
        if self.title.trim().is_empty() {
            return Err(DeliveryError::NoTitle);
        }
        if self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(DeliveryError::TitleTooLong);
        }
        if !CATEGORIES.contains(&self.category.as_str()) {
            return Err(DeliveryError::UnknownCategory);
        }
        if self.bubbles.is_empty() {
            return Err(DeliveryError::NoBubbles);
        }
        if self.bubbles.len() > MAX_BUBBLES {
            return Err(DeliveryError::TooManyBubbles);
        }
        for (n, bubble) in self.bubbles.iter().enumerate().map(|(i, b)| (i + 1, b)) {
            match bubble {
                Bubble::Text { text } => {
                    if text.trim().is_empty() {
                        return Err(DeliveryError::EmptyText(n));
                    }
                    let units = text_units(text);
                    if units > MAX_TEXT_UNITS {
                        return Err(DeliveryError::TextTooLong(n, units));
                    }
                }
                Bubble::Image { .. } => {}
                Bubble::ImageLink { url, label, .. } => {
                    check_link(url).map_err(|p| DeliveryError::BadLink(n, p))?;
                    if label.trim().is_empty() {
                        return Err(DeliveryError::NoButtonLabel(n));
                    }
                }
                Bubble::Location {
                    title,
                    address,
                    latitude,
                    longitude,
                } => {
                    let ok = !title.trim().is_empty()
                        && !address.trim().is_empty()
                        && (-90.0..=90.0).contains(latitude)
                        && (-180.0..=180.0).contains(longitude);
                    if !ok {
                        return Err(DeliveryError::BadLocation(n));
                    }
                }
            }
            if let Some(over) = bubble.over_limits().into_iter().next() {
                return Err(DeliveryError::OverLimit(n, over));
            }
        }
        Ok(())
    }

    /// What sort of delivery it is.
    pub fn kind(&self) -> DeliveryKind {
        if self.test {
            DeliveryKind::Test
        } else if self.created.by == GARBAGE_NOTICE_AUTHOR {
            DeliveryKind::GarbageNotice
        } else {
            DeliveryKind::Normal
        }
    }

    /// Its place in the log, oldest first: when it was created (UTC, to the millisecond, so
    /// that the text sorts as the time does), then its id.
    pub fn log_key(&self) -> String {
        format!(
            "{}#{}",
            self.created.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.id
        )
    }

    /// Staff submit the draft. With the send permission it is released at once (for `send_at`
    /// or now); without it, it waits for someone who may approve.
    pub fn submit(
        &mut self,
        by: &str,
        may_send: bool,
        target_description: String,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        self.expect(&[DeliveryStatus::Draft])?;
        self.validate()?;
        if self.send_at.is_some_and(|at| at <= now) {
            return Err(DeliveryError::SendAtInPast);
        }
        let stamp = Stamp {
            by: by.into(),
            at: now,
        };
        self.target_description = target_description;
        self.submitted = Some(stamp.clone());
        self.updated_at = now;
        if may_send {
            self.released = Some(stamp);
            self.status = DeliveryStatus::Scheduled;
        } else {
            self.status = DeliveryStatus::AwaitingApproval;
        }
        Ok(())
    }

    /// Someone with the approve permission, other than the submitter, releases it.
    pub fn approve(&mut self, by: &str, now: DateTime<Utc>) -> Result<(), DeliveryError> {
        self.expect(&[DeliveryStatus::AwaitingApproval])?;
        if self.submitted.as_ref().is_some_and(|s| s.by == by) {
            return Err(DeliveryError::SelfApproval);
        }
        let stamp = Stamp {
            by: by.into(),
            at: now,
        };
        self.approved = Some(stamp.clone());
        self.released = Some(stamp);
        self.status = DeliveryStatus::Scheduled;
        self.updated_at = now;
        Ok(())
    }

    /// Sent back to draft for changes (by an approver or the author).
    pub fn return_to_draft(&mut self, now: DateTime<Utc>) -> Result<(), DeliveryError> {
        self.expect(&[DeliveryStatus::AwaitingApproval, DeliveryStatus::Scheduled])?;
        self.status = DeliveryStatus::Draft;
        self.submitted = None;
        self.approved = None;
        self.released = None;
        self.updated_at = now;
        Ok(())
    }

    pub fn cancel(&mut self, by: &str, now: DateTime<Utc>) -> Result<(), DeliveryError> {
        self.expect(&[
            DeliveryStatus::Draft,
            DeliveryStatus::AwaitingApproval,
            DeliveryStatus::Scheduled,
        ])?;
        self.status = DeliveryStatus::Cancelled;
        self.cancelled = Some(Stamp {
            by: by.into(),
            at: now,
        });
        self.updated_at = now;
        Ok(())
    }

    /// Asks a delivery in progress to stop; the sender stops before its next batch.
    pub fn request_stop(&mut self, by: &str, now: DateTime<Utc>) -> Result<(), DeliveryError> {
        self.expect(&[DeliveryStatus::Sending])?;
        self.stop_requested = Some(Stamp {
            by: by.into(),
            at: now,
        });
        self.updated_at = now;
        Ok(())
    }

    /// The sender starts it, if it is due: false (and unchanged) when it is not, e.g. cancelled
    /// or sent back to draft since the sender read it.
    pub fn start_sending(&mut self, now: DateTime<Utc>) -> bool {
        if !self.is_due(now) {
            return false;
        }
        self.status = DeliveryStatus::Sending;
        self.started_at = Some(now);
        self.updated_at = now;
        true
    }

    /// The sender closes it with its batches' results: 配信済み, or 停止 when staff stopped it
    /// and some recipients were not sent to. False (and unchanged) when it is not sending,
    /// e.g. another sender closed it first.
    pub fn close(&mut self, totals: Totals, errors: Vec<String>, now: DateTime<Utc>) -> bool {
        if self.status != DeliveryStatus::Sending {
            return false;
        }
        self.status = if totals.not_sent > 0 {
            DeliveryStatus::Stopped
        } else {
            DeliveryStatus::Sent
        };
        self.finished_at = Some(now);
        self.totals = totals;
        self.errors = errors;
        self.updated_at = now;
        true
    }

    /// When the sender should start it: its time, or the moment it was released.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        (self.status == DeliveryStatus::Scheduled)
            .then(|| self.due_at_unchecked())
            .flatten()
    }

    /// Since when a sender should be working on it: due and not started, or started and not
    /// finished (a sender may have died). The sender's work list is ordered by this.
    pub fn open_since(&self) -> Option<DateTime<Utc>> {
        match self.status {
            DeliveryStatus::Sending => self.started_at.or(self.due_at_unchecked()),
            _ => self.due_at(),
        }
    }

    fn due_at_unchecked(&self) -> Option<DateTime<Utc>> {
        self.send_at.or(self.released.as_ref().map(|s| s.at))
    }

    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.due_at().is_some_and(|at| at <= now)
    }

    fn expect(&self, allowed: &[DeliveryStatus]) -> Result<(), DeliveryError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(DeliveryError::WrongStatus(self.status.label()))
        }
    }
}

/// Checks every link of a draft's bubbles: a draft may be unfinished, but what it links to
/// must be a page (the preview draws it, LINE opens it). An empty link is an unfinished one,
/// refused only when the delivery is submitted.
fn check_links(bubbles: &[Bubble]) -> Result<(), DeliveryError> {
    for (n, bubble) in bubbles.iter().enumerate().map(|(i, b)| (i + 1, b)) {
        if let Bubble::ImageLink { url, .. } = bubble {
            if !url.is_empty() {
                check_link(url).map_err(|p| DeliveryError::BadLink(n, p))?;
            }
        }
    }
    Ok(())
}

/// The title of a copy: 「（コピー）」 after the original's; a copy of a copy is not marked twice.
fn copy_title(title: &str) -> String {
    marked_title("（コピー）", title, true)
}

/// `title` with `mark` before or after it, shortened to stay within the title's limit, so a
/// copy or a test of a full-length title can still be submitted.
fn marked_title(mark: &str, title: &str, after: bool) -> String {
    let marked = if after {
        title.ends_with(mark)
    } else {
        title.starts_with(mark)
    };
    if marked {
        return title.to_string();
    }
    let room = MAX_TITLE_CHARS - mark.chars().count();
    let kept: String = title.chars().take(room).collect();
    if after {
        format!("{kept}{mark}")
    } else {
        format!("{mark}{kept}")
    }
}

/// Length as LINE counts it: UTF-16 code units (an emoji outside the BMP counts 2).
pub fn text_units(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use DeliveryStatus::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn composition() -> Composition {
        Composition {
            title: "年末年始のごみ収集".into(),
            category: "ごみ".into(),
            bubbles: vec![Bubble::Text {
                text: "12月31日から1月3日は収集をお休みします。".into(),
            }],
            target: Target::All,
            send_at: None,
        }
    }

    fn composed() -> Delivery {
        let mut d = Delivery::draft("D1".into(), "tanaka", now());
        d.compose(composition(), now()).unwrap();
        d
    }

    fn with_bubbles(bubbles: Vec<Bubble>) -> Composition {
        Composition {
            bubbles,
            ..composition()
        }
    }

    fn picture() -> StoredImage {
        StoredImage {
            original: "a".into(),
            preview: "b".into(),
        }
    }

    fn totals(not_sent: u64) -> Totals {
        Totals {
            recipients: 3,
            succeeded: 3 - not_sent,
            failed: 0,
            not_sent,
        }
    }

    /// A delivery in `status`, brought there by its own methods.
    fn in_status(status: DeliveryStatus) -> Delivery {
        let mut d = composed();
        match status {
            Draft => {}
            AwaitingApproval => d.submit("tanaka", false, String::new(), now()).unwrap(),
            Cancelled => d.cancel("tanaka", now()).unwrap(),
            _ => {
                d.submit("tanaka", true, String::new(), now()).unwrap();
                if status != Scheduled {
                    assert!(d.start_sending(now()));
                }
                match status {
                    Sent => assert!(d.close(totals(0), Vec::new(), now())),
                    Stopped => {
                        d.request_stop("suzuki", now()).unwrap();
                        assert!(d.close(totals(1), Vec::new(), now()));
                    }
                    _ => {}
                }
            }
        }
        assert_eq!(d.status(), status);
        d
    }

    /// An action on a delivery: `Ok(true)` done, `Ok(false)` declined (the sender's steps
    /// answer whether they did anything), `Err` refused by a rule.
    type Action = fn(&mut Delivery) -> Result<bool, DeliveryError>;

    fn done(r: Result<(), DeliveryError>) -> Result<bool, DeliveryError> {
        r.map(|()| true)
    }

    #[test]
    fn every_action_on_every_status_does_what_the_table_says() {
        let later = now() + Duration::minutes(1);
        let actions: [(&str, Action, [Option<DeliveryStatus>; 7]); 9] = [
            (
                "compose",
                |d| done(d.compose(composition(), now())),
                [Some(Draft), None, None, None, None, None, None],
            ),
            (
                "submit (may send)",
                |d| done(d.submit("tanaka", true, String::new(), now())),
                [Some(Scheduled), None, None, None, None, None, None],
            ),
            (
                "submit (for approval)",
                |d| done(d.submit("tanaka", false, String::new(), now())),
                [Some(AwaitingApproval), None, None, None, None, None, None],
            ),
            (
                "approve",
                |d| done(d.approve("suzuki", now())),
                [None, Some(Scheduled), None, None, None, None, None],
            ),
            (
                "return to draft",
                |d| done(d.return_to_draft(now())),
                [None, Some(Draft), Some(Draft), None, None, None, None],
            ),
            (
                "cancel",
                |d| done(d.cancel("suzuki", now())),
                [
                    Some(Cancelled),
                    Some(Cancelled),
                    Some(Cancelled),
                    None,
                    None,
                    None,
                    None,
                ],
            ),
            (
                "request stop",
                |d| done(d.request_stop("suzuki", now())),
                [None, None, None, Some(Sending), None, None, None],
            ),
            (
                "start sending",
                |d| Ok(d.start_sending(now())),
                [None, None, Some(Sending), None, None, None, None],
            ),
            (
                "close",
                |d| Ok(d.close(totals(0), Vec::new(), now())),
                [None, None, None, Some(Sent), None, None, None],
            ),
        ];
        for (name, action, expected) in actions {
            for (status, expected) in DeliveryStatus::ALL.into_iter().zip(expected) {
                let before = in_status(status);
                let mut d = before.clone();
                let result = action(&mut d);
                match expected {
                    Some(after) => {
                        assert_eq!(result, Ok(true), "{name} on {status:?}");
                        assert_eq!(d.status(), after, "{name} on {status:?}");
                    }
                    None => {
                        if let Err(e) = result {
                            assert_eq!(e, DeliveryError::WrongStatus(status.label()));
                        } else {
                            assert_eq!(result, Ok(false), "{name} on {status:?}");
                        }
                        assert_eq!(d, before, "{name} on {status:?} changes nothing");
                    }
                }
            }
        }
        let mut returned = in_status(Scheduled);
        returned.return_to_draft(later).unwrap();
        assert_eq!(
            (returned.submitted(), returned.released()),
            (None, None),
            "a returned draft is submitted afresh"
        );
    }

    #[test]
    fn a_clerk_who_may_send_releases_at_once_and_one_who_may_not_waits_for_approval() {
        let mut sender = composed();
        sender
            .submit("tanaka", true, "すべての友だち".into(), now())
            .unwrap();
        assert_eq!(sender.status(), Scheduled);
        assert!(sender.is_due(now()));
        assert_eq!(sender.target_description(), "すべての友だち");

        let mut drafter = composed();
        drafter
            .submit("tanaka", false, "すべての友だち".into(), now())
            .unwrap();
        assert_eq!(drafter.status(), AwaitingApproval);
        assert!(!drafter.is_due(now()));
        assert_eq!(
            drafter.approve("tanaka", now()),
            Err(DeliveryError::SelfApproval)
        );
        assert_eq!(drafter.status(), AwaitingApproval);
        drafter
            .approve("suzuki", now() + Duration::minutes(5))
            .unwrap();
        assert!(drafter.is_due(now() + Duration::minutes(5)));
        assert_eq!(drafter.approved().unwrap().by, "suzuki");
    }

    #[test]
    fn a_reservation_is_due_at_its_minute_and_not_before() {
        let mut d = Delivery::draft("D1".into(), "tanaka", now());
        let reserved = Composition {
            send_at: Some(now() + Duration::hours(2)),
            ..composition()
        };
        d.compose(reserved, now()).unwrap();
        d.submit("tanaka", true, String::new(), now()).unwrap();
        assert!(!d.is_due(now() + Duration::minutes(119)));
        assert!(d.is_due(now() + Duration::hours(2)));
        assert!(!d.start_sending(now() + Duration::minutes(119)));
        assert_eq!(d.status(), Scheduled);

        let mut past = Delivery::draft("D2".into(), "tanaka", now());
        let late = Composition {
            send_at: Some(now() - Duration::minutes(1)),
            ..composition()
        };
        past.compose(late, now()).unwrap();
        assert_eq!(
            past.submit("tanaka", true, String::new(), now()),
            Err(DeliveryError::SendAtInPast)
        );
        assert_eq!(past.status(), Draft);
    }

    #[test]
    fn a_stop_is_asked_for_and_the_sender_closes_as_stopped_only_if_some_were_not_sent() {
        let mut d = in_status(Sending);
        d.request_stop("suzuki", now()).unwrap();
        assert_eq!(d.stop_requested().unwrap().by, "suzuki");
        let mut finished = d.clone();
        assert!(finished.close(totals(0), Vec::new(), now()));
        assert_eq!(
            finished.status(),
            Sent,
            "the stop came after the last batch"
        );
        assert!(d.close(totals(2), vec!["429".into()], now()));
        assert_eq!(
            (d.status(), d.totals(), d.errors()),
            (Stopped, totals(2), &["429".to_string()][..])
        );
    }

    #[test]
    fn composition_errors_name_the_bubble_in_question() {
        let mut d = composed();
        let text = composition().bubbles[0].clone();
        let long = Bubble::Text {
            text: "😀".repeat(2501),
        };
        assert_eq!(
            d.compose(with_bubbles(vec![text.clone(), long]), now())
                .unwrap_err()
                .to_string(),
            "2つ目の本文が長すぎます（5002文字。上限は5000文字）。"
        );
        let link = Bubble::ImageLink {
            image: picture(),
            url: "http://example.jp".into(),
            label: "詳しく".into(),
        };
        assert_eq!(
            d.compose(with_bubbles(vec![text.clone(), link]), now()),
            Err(DeliveryError::BadLink(2, LinkProblem::NotHttps))
        );
        assert_eq!(
            DeliveryError::BadLink(2, LinkProblem::NotHttps).to_string(),
            "2つ目のリンク先URLは https:// で始まるURLにしてください。"
        );
        assert_eq!(
            d.compose(with_bubbles(vec![text.clone(); 6]), now()),
            Err(DeliveryError::TooManyBubbles)
        );
        d.compose(with_bubbles(Vec::new()), now()).unwrap();
        assert_eq!(d.validate(), Err(DeliveryError::NoBubbles));
        for (composition, problem) in [
            (
                Composition {
                    title: " ".into(),
                    ..composition()
                },
                DeliveryError::NoTitle,
            ),
            (
                Composition {
                    category: "その他".into(),
                    ..composition()
                },
                DeliveryError::UnknownCategory,
            ),
            (
                with_bubbles(vec![Bubble::Text { text: " ".into() }]),
                DeliveryError::EmptyText(1),
            ),
            (
                with_bubbles(vec![Bubble::Location {
                    title: "市役所".into(),
                    address: "大手町".into(),
                    latitude: f64::NAN,
                    longitude: 135.74,
                }]),
                DeliveryError::BadLocation(1),
            ),
        ] {
            let mut d = Delivery::draft("D9".into(), "tanaka", now());
            d.compose(composition, now()).unwrap();
            assert_eq!(d.submit("tanaka", true, String::new(), now()), Err(problem));
            assert_eq!(d.status(), Draft);
        }
        let too_long = Composition {
            title: "長".repeat(MAX_TITLE_CHARS + 1),
            ..composition()
        };
        assert_eq!(d.compose(too_long, now()), Err(DeliveryError::TitleTooLong));
    }

    #[test]
    fn fields_longer_than_line_takes_are_named_with_their_length_and_limit() {
        let place = Bubble::Location {
            title: "小浜市役所".into(),
            address: "福".repeat(101),
            latitude: 35.49,
            longitude: 135.74,
        };
        let over = place.over_limits();
        assert_eq!(
            over,
            [OverLimit {
                field: BubbleField::Address,
                length: 101,
                limit: MAX_PLACE_CHARS
            }]
        );
        assert_eq!(
            over[0].to_string(),
            "住所が長すぎます（101文字。上限は100文字）。"
        );
        let button = Bubble::ImageLink {
            image: picture(),
            url: "https://www1.city.obama.fukui.jp/".into(),
            label: "詳".repeat(21),
        };
        let mut d = composed();
        let text = composition().bubbles[0].clone();
        assert_eq!(
            d.compose(with_bubbles(vec![text, button]), now())
                .unwrap_err()
                .to_string(),
            "2つ目のボタンの文言が長すぎます（21文字。上限は20文字）。"
        );
        assert!(composed().bubbles()[0].over_limits().is_empty());
    }

    #[test]
    fn a_draft_may_be_unfinished_but_never_links_to_anything_but_an_https_page() {
        let mut d = composed();
        let text = composition().bubbles[0].clone();
        let link = |url: &str| {
            with_bubbles(vec![
                text.clone(),
                Bubble::ImageLink {
                    image: picture(),
                    url: url.into(),
                    label: String::new(),
                },
            ])
        };
        assert_eq!(
            d.compose(link(""), now()),
            Ok(()),
            "an empty link is unfinished"
        );
        assert_eq!(
            d.validate(),
            Err(DeliveryError::BadLink(2, LinkProblem::NotHttps))
        );
        for url in [
            "javascript:alert(1)",
            "data:text/html,x",
            "http://example.jp",
        ] {
            assert_eq!(
                d.compose(link(url), now()),
                Err(DeliveryError::BadLink(2, LinkProblem::NotHttps)),
                "{url}"
            );
        }
        d.compose(link("https://www1.city.obama.fukui.jp/"), now())
            .unwrap();
        assert_eq!(d.validate(), Err(DeliveryError::NoButtonLabel(2)));
    }

    #[test]
    fn garbage_notices_and_tests_are_told_apart_from_staffs_deliveries() {
        let d = composed();
        assert_eq!(d.kind(), DeliveryKind::Normal);
        let notice = Delivery::automatic(
            "G1".into(),
            GARBAGE_NOTICE_AUTHOR,
            "ごみ",
            "ごみ収集のお知らせ".into(),
            "燃やすごみの日です。".into(),
            Target::All,
            now(),
        );
        assert_eq!(notice.kind(), DeliveryKind::GarbageNotice);
        let test = d.test_copy("T1".into(), "tanaka", now()).unwrap();
        assert_eq!(test.kind(), DeliveryKind::Test);
        for kind in DeliveryKind::ALL {
            assert_eq!(DeliveryKind::from_code(kind.code()), Some(kind));
        }
        for status in DeliveryStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.code())
            );
        }
    }

    #[test]
    fn a_test_copy_goes_to_the_testers_now_under_a_marked_title() {
        let mut long = Delivery::draft("D1".into(), "tanaka", now());
        let full = Composition {
            title: "長".repeat(MAX_TITLE_CHARS),
            send_at: Some(now() + Duration::days(1)),
            ..composition()
        };
        long.compose(full, now()).unwrap();
        let mut test = long.test_copy("T1".into(), "tanaka", now()).unwrap();
        assert!(test.title().starts_with("【テスト】"));
        assert_eq!(test.title().chars().count(), MAX_TITLE_CHARS);
        test.submit("tanaka", true, TESTERS.into(), now()).unwrap();
        assert_eq!(
            (test.status(), test.is_due(now()), test.target_description()),
            (Scheduled, true, TESTERS)
        );
        assert_eq!(test.duplicated_from(), Some("D1"));
        assert_eq!(long.status(), Draft, "the draft itself is not submitted");
        let unfinished = Delivery::draft("D2".into(), "tanaka", now());
        assert_eq!(
            unfinished.test_copy("T2".into(), "tanaka", now()),
            Err(DeliveryError::NoTitle)
        );
    }

    #[test]
    fn the_log_key_sorts_as_the_creation_time_does() {
        let early = Delivery::draft("D1".into(), "tanaka", now() - Duration::milliseconds(1));
        let late = composed();
        assert_eq!(late.log_key(), "2026-12-01T00:00:00.000Z#D1");
        assert!(early.log_key() < late.log_key());
    }

    #[test]
    fn a_duplicate_is_a_fresh_draft_with_the_same_content() {
        let sent = in_status(Sent);
        let copy = sent.duplicate("D2".into(), "suzuki", now());
        assert_eq!(copy.status(), Draft);
        assert_eq!(
            (copy.title(), copy.bubbles().len()),
            ("年末年始のごみ収集（コピー）", 1)
        );
        assert_eq!(
            copy.duplicate("D3".into(), "suzuki", now()).title(),
            copy.title()
        );
        let mut long = Delivery::draft("D5".into(), "tanaka", now());
        let full = Composition {
            title: "長".repeat(MAX_TITLE_CHARS),
            ..composition()
        };
        long.compose(full, now()).unwrap();
        let long = long.duplicate("D4".into(), "suzuki", now());
        assert!(long.title().ends_with("（コピー）"));
        assert_eq!(long.title().chars().count(), MAX_TITLE_CHARS);
        assert_eq!(copy.totals(), Totals::default());
        assert_eq!(copy.duplicated_from(), Some("D1"));
        assert_eq!(copy.created().by, "suzuki");
    }

    /// A delivery as stored before its fields were private: the stored layout must not change,
    /// or every delivery in the table stops decoding.
    #[test]
    fn a_stored_delivery_of_the_known_shape_still_decodes_and_encodes_the_same() {
        let stored = serde_json::json!({
            "id": "0123456789abcdef0123456789abcdef",
            "title": "年末年始のごみ収集",
            "category": "ごみ",
            "bubbles": [
                { "kind": "text", "text": "12月31日から1月3日は収集をお休みします。" },
                { "kind": "image_link",
                  "image": { "original": "media/a.jpg", "preview": "media/a-preview.jpg" },
                  "url": "https://www1.city.obama.fukui.jp/", "label": "詳しく" }
            ],
            "target": { "kind": "segment", "conditions": [
                { "item": "district", "matching": "any_of", "values": ["雲浜"] }
            ] },
            "target_description": "居住地区: 雲浜",
            "send_at": null,
            "test": false,
            "status": "stopped",
            "created": { "by": "tanaka", "at": "2026-12-01T00:00:00Z" },
            "updated_at": "2026-12-01T00:10:00Z",
            "submitted": { "by": "tanaka", "at": "2026-12-01T00:01:00Z" },
            "approved": { "by": "suzuki", "at": "2026-12-01T00:02:00Z" },
            "released": { "by": "suzuki", "at": "2026-12-01T00:02:00Z" },
            "started_at": "2026-12-01T00:03:00Z",
            "finished_at": "2026-12-01T00:10:00Z",
            "stop_requested": { "by": "suzuki", "at": "2026-12-01T00:05:00Z" },
            "cancelled": null,
            "totals": { "recipients": 1000, "succeeded": 500, "failed": 0, "not_sent": 500 },
            "errors": [],
            "duplicated_from": null
        });
        let d: Delivery = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(
            (
                d.status(),
                d.approved().unwrap().by.as_str(),
                d.totals().not_sent
            ),
            (Stopped, "suzuki", 500)
        );
        assert_eq!(serde_json::to_value(&d).unwrap(), stored);
        let oldest = serde_json::json!({
            "id": "D1", "title": "", "category": "一般", "bubbles": [],
            "target": { "kind": "all" }, "send_at": null, "status": "draft",
            "created": { "by": "tanaka", "at": "2026-12-01T00:00:00Z" },
            "updated_at": "2026-12-01T00:00:00Z"
        });
        let draft: Delivery = serde_json::from_value(oldest).unwrap();
        assert_eq!(draft, Delivery::draft("D1".into(), "tanaka", now()));
    }

    #[test]
    fn a_delivery_to_named_citizens_stays_so_in_storage_but_its_copy_goes_to_the_target_shown() {
        let named = Delivery::automatic(
            "C1".into(),
            "自動配信（子育て）",
            "子育て",
            "生後2か月".into(),
            "予防接種のご案内です。".into(),
            Target::Segment { conditions: vec![] },
            now(),
        )
        .to_named_citizens();
        assert!(named.is_to_named_citizens());
        assert_eq!(named.target(), &Target::All);
        let stored: Delivery =
            serde_json::from_value(serde_json::to_value(&named).unwrap()).unwrap();
        assert!(stored.is_to_named_citizens());
        // The copy's form shows its target (すべての友だち); it must not secretly keep the names.
        let copy = named.duplicate("C2".into(), "tanaka", now());
        assert!(!copy.is_to_named_citizens());
        assert!(!composed().is_to_named_citizens());
    }
}
