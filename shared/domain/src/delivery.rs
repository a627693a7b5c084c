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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub title: String,
    pub category: String,
    pub bubbles: Vec<Bubble>,
    pub target: Target,
    /// The target in words, fixed when the delivery is submitted, so the log keeps saying what
    /// staff chose even after segment items change.
    #[serde(default)]
    pub target_description: String,
    /// When it should go out; `None` for "as soon as it is approved / now".
    pub send_at: Option<DateTime<Utc>>,
    /// A test delivery goes only to the testers and is logged as a test.
    #[serde(default)]
    pub test: bool,
    pub status: DeliveryStatus,
    pub created: Stamp,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub submitted: Option<Stamp>,
    #[serde(default)]
    pub approved: Option<Stamp>,
    /// When it was due and who set it going (the submitter or the approver).
    #[serde(default)]
    pub released: Option<Stamp>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub stop_requested: Option<Stamp>,
    #[serde(default)]
    pub cancelled: Option<Stamp>,
    #[serde(default)]
    pub totals: Totals,
    /// LINE's distinct errors for failed batches, for the log.
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub duplicated_from: Option<String>,
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

    /// Checks every link a draft holds, as it is saved: a draft may be unfinished, but what it
    /// links to must be a page (the preview draws it, LINE opens it). An empty link is an
    /// unfinished one, refused only when the delivery is submitted.
    pub fn check_links(&self) -> Result<(), DeliveryError> {
        for (n, bubble) in self.bubbles.iter().enumerate().map(|(i, b)| (i + 1, b)) {
            if let Bubble::ImageLink { url, .. } = bubble {
                if !url.is_empty() {
                    check_link(url).map_err(|p| DeliveryError::BadLink(n, p))?;
                }
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

/// The title of a copy: 「（コピー）」 after the original's (shortened to stay within the title's
/// limit); a copy of a copy is not marked twice.
fn copy_title(title: &str) -> String {
    const MARK: &str = "（コピー）";
    if title.ends_with(MARK) {
        return title.to_string();
    }
    let room = MAX_TITLE_CHARS - MARK.chars().count();
    let kept: String = title.chars().take(room).collect();
    format!("{kept}{MARK}")
}

/// Length as LINE counts it: UTF-16 code units (an emoji outside the BMP counts 2).
pub fn text_units(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn composed() -> Delivery {
        let mut d = Delivery::draft("D1".into(), "tanaka", now());
        d.title = "年末年始のごみ収集".into();
        d.category = "ごみ".into();
        d.bubbles = vec![Bubble::Text {
            text: "12月31日から1月3日は収集をお休みします。".into(),
        }];
        d
    }

    #[test]
    fn a_clerk_who_may_send_releases_at_once_and_one_who_may_not_waits_for_approval() {
        let mut sender = composed();
        sender
            .submit("tanaka", true, "すべての友だち".into(), now())
            .unwrap();
        assert_eq!(sender.status, DeliveryStatus::Scheduled);
        assert!(sender.is_due(now()));

        let mut drafter = composed();
        drafter
            .submit("tanaka", false, "すべての友だち".into(), now())
            .unwrap();
        assert_eq!(drafter.status, DeliveryStatus::AwaitingApproval);
        assert!(!drafter.is_due(now()));
        assert_eq!(
            drafter.approve("tanaka", now()),
            Err(DeliveryError::SelfApproval)
        );
        drafter
            .approve("suzuki", now() + Duration::minutes(5))
            .unwrap();
        assert!(drafter.is_due(now() + Duration::minutes(5)));
        assert_eq!(drafter.approved.unwrap().by, "suzuki");
    }

    #[test]
    fn a_reservation_is_due_at_its_minute_and_not_before() {
        let mut d = composed();
        d.send_at = Some(now() + Duration::hours(2));
        d.submit("tanaka", true, String::new(), now()).unwrap();
        assert!(!d.is_due(now() + Duration::minutes(119)));
        assert!(d.is_due(now() + Duration::hours(2)));
        let mut past = composed();
        past.send_at = Some(now() - Duration::minutes(1));
        assert_eq!(
            past.submit("tanaka", true, String::new(), now()),
            Err(DeliveryError::SendAtInPast)
        );
    }

    #[test]
    fn only_what_has_not_started_can_be_cancelled_and_only_what_is_sending_stopped() {
        let mut d = composed();
        d.submit("tanaka", true, String::new(), now()).unwrap();
        assert!(d.request_stop("tanaka", now()).is_err());
        d.cancel("tanaka", now()).unwrap();
        assert!(!d.is_due(now()));
        d.status = DeliveryStatus::Sending;
        assert_eq!(
            d.cancel("tanaka", now()),
            Err(DeliveryError::WrongStatus("配信中"))
        );
        d.request_stop("suzuki", now()).unwrap();
        assert_eq!(d.stop_requested.unwrap().by, "suzuki");
    }

    #[test]
    fn composition_errors_name_the_bubble_in_question() {
        let mut d = composed();
        d.bubbles.push(Bubble::Text {
            text: "😀".repeat(2501),
        });
        assert_eq!(d.validate(), Err(DeliveryError::TextTooLong(2, 5002)));
        d.bubbles[1] = Bubble::ImageLink {
            image: StoredImage {
                original: "a".into(),
                preview: "b".into(),
            },
            url: "http://example.jp".into(),
            label: "詳しく".into(),
        };
        assert_eq!(
            d.validate(),
            Err(DeliveryError::BadLink(2, LinkProblem::NotHttps))
        );
        assert_eq!(
            DeliveryError::BadLink(2, LinkProblem::NotHttps).to_string(),
            "2つ目のリンク先URLは https:// で始まるURLにしてください。"
        );
        d.bubbles = vec![d.bubbles[0].clone(); 6];
        assert_eq!(d.validate(), Err(DeliveryError::TooManyBubbles));
        d.bubbles.clear();
        assert_eq!(d.validate(), Err(DeliveryError::NoBubbles));
        assert_eq!(
            DeliveryError::TextTooLong(2, 5002).to_string(),
            "2つ目の吹き出しが長すぎます（5002文字相当。上限は5000）。"
        );
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
            image: StoredImage {
                original: "a".into(),
                preview: "b".into(),
            },
            url: "https://www1.city.obama.fukui.jp/".into(),
            label: "詳".repeat(21),
        };
        let mut d = composed();
        d.bubbles.push(button);
        assert_eq!(
            d.validate().unwrap_err().to_string(),
            "2つ目のボタンの文言が長すぎます（21文字。上限は20文字）。"
        );
        assert!(composed().bubbles[0].over_limits().is_empty());
    }

    #[test]
    fn a_draft_may_be_unfinished_but_never_links_to_anything_but_an_https_page() {
        let mut d = composed();
        let link = |url: &str| Bubble::ImageLink {
            image: StoredImage {
                original: "a".into(),
                preview: "b".into(),
            },
            url: url.into(),
            label: String::new(),
        };
        d.bubbles.push(link(""));
        assert_eq!(d.check_links(), Ok(()), "an empty link is unfinished");
        assert_eq!(
            d.validate(),
            Err(DeliveryError::BadLink(2, LinkProblem::NotHttps))
        );
        for url in [
            "javascript:alert(1)",
            "data:text/html,x",
            "http://example.jp",
        ] {
            d.bubbles[1] = link(url);
            assert_eq!(
                d.check_links(),
                Err(DeliveryError::BadLink(2, LinkProblem::NotHttps)),
                "{url}"
            );
        }
        d.bubbles[1] = link("https://www1.city.obama.fukui.jp/");
        assert_eq!(d.check_links(), Ok(()));
        assert_eq!(d.validate(), Err(DeliveryError::NoButtonLabel(2)));
    }

    #[test]
    fn garbage_notices_and_tests_are_told_apart_from_staffs_deliveries() {
        let mut d = composed();
        assert_eq!(d.kind(), DeliveryKind::Normal);
        d.created.by = GARBAGE_NOTICE_AUTHOR.into();
        assert_eq!(d.kind(), DeliveryKind::GarbageNotice);
        d.test = true;
        assert_eq!(d.kind(), DeliveryKind::Test);
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
    fn the_log_key_sorts_as_the_creation_time_does() {
        let mut early = composed();
        early.created.at = now() - Duration::milliseconds(1);
        let late = composed();
        assert_eq!(late.log_key(), "2026-12-01T00:00:00.000Z#D1");
        assert!(early.log_key() < late.log_key());
    }

    #[test]
    fn a_duplicate_is_a_fresh_draft_with_the_same_content() {
        let mut sent = composed();
        sent.submit("tanaka", true, "すべての友だち".into(), now())
            .unwrap();
        sent.status = DeliveryStatus::Sent;
        sent.totals.recipients = 10;
        let copy = sent.duplicate("D2".into(), "suzuki", now());
        assert_eq!(copy.status, DeliveryStatus::Draft);
        assert_eq!(
            (copy.title.as_str(), copy.bubbles.len()),
            ("年末年始のごみ収集（コピー）", 1)
        );
        assert_eq!(
            copy.duplicate("D3".into(), "suzuki", now()).title,
            copy.title
        );
        sent.title = "長".repeat(MAX_TITLE_CHARS);
        let long = sent.duplicate("D4".into(), "suzuki", now()).title;
        assert!(long.ends_with("（コピー）"));
        assert_eq!(long.chars().count(), MAX_TITLE_CHARS);
        assert_eq!(copy.totals, Totals::default());
        assert_eq!(copy.duplicated_from.as_deref(), Some("D1"));
        assert_eq!(copy.created.by, "suzuki");
    }
}
