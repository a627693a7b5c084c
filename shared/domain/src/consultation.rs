//! A consultation (相談): a citizen asks, from LINE, to talk with a person in one of the city's
//! topics (子育て, 福祉, ごみ, その他). While the case is open the bot stops answering that citizen
//! on its own; staff of the topic's 課 read the conversation, reply (a push), keep internal notes,
//! assign it and close it with a category. Fields are private: every change is one of [`Case`]'s
//! methods, which check who may make it (相談対応 in the case's department) and that the case is
//! still open.
//!
//! The conversation itself ([`Message`]) is append-only: each change that adds to it answers
//! the message for the records to append.

pub mod office_hours;
pub mod settings;

#[cfg(test)]
mod tests;

use crate::report::StaffName;
use crate::staff::{Permission, StaffAccount};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use office_hours::{DaySpan, OfficeHours, OfficeHoursError};
pub use settings::{ConsultationSettings, SettingsError};

/// LINE takes at most 5,000 characters in a text message; a reply or a note stays within it.
pub const MAX_TEXT_CHARS: usize = 5000;

/// What the citizen chose to consult about. Each topic belongs to one 課, whose staff (with
/// 相談対応 in their scope) handle it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// 子育て
    Childcare,
    /// 福祉
    Welfare,
    /// ごみ
    Garbage,
    /// その他
    Other,
}

impl Topic {
    pub const ALL: [Topic; 4] = [Self::Childcare, Self::Welfare, Self::Garbage, Self::Other];

    /// What the citizen taps and staff read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Childcare => "子育て",
            Self::Welfare => "福祉",
            Self::Garbage => "ごみ",
            Self::Other => "その他",
        }
    }

    /// The stable code in postbacks and forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::Childcare => "childcare",
            Self::Welfare => "welfare",
            Self::Garbage => "garbage",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The 課 that answers: 小浜市's departments for each topic; その他 goes to 総務課, which
    /// passes it on.
    pub fn department(self) -> &'static str {
        match self {
            Self::Childcare => "子ども未来課",
            Self::Welfare => "社会福祉課",
            Self::Garbage => "環境衛生課",
            Self::Other => "総務課",
        }
    }
}

/// Why a case was closed (終了区分), counted in the usage report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    /// 解決
    Resolved,
    /// 他の窓口を案内
    Referred,
    /// 情報提供のみ
    InformationOnly,
    /// 市民からの応答なし
    NoResponse,
    /// 市民が終了: the citizen's 「相談を終える」; staff do not choose it.
    EndedByCitizen,
}

impl Closing {
    /// The categories staff choose from when closing.
    pub const FOR_STAFF: [Closing; 4] = [
        Self::Resolved,
        Self::Referred,
        Self::InformationOnly,
        Self::NoResponse,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Resolved => "解決",
            Self::Referred => "他の窓口を案内",
            Self::InformationOnly => "情報提供のみ",
            Self::NoResponse => "市民からの応答なし",
            Self::EndedByCitizen => "市民が終了",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Referred => "referred",
            Self::InformationOnly => "information_only",
            Self::NoResponse => "no_response",
            Self::EndedByCitizen => "ended_by_citizen",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::FOR_STAFF
            .into_iter()
            .chain([Self::EndedByCitizen])
            .find(|c| c.code() == code)
    }
}

/// An image the citizen sent, as stored by the webhook (the object key; the console shows it
/// through a short-lived link).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    pub key: String,
}

/// What a citizen sends into an open case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CitizenContent {
    Text(String),
    Image(ImageRef),
}

/// One entry of the conversation, in the order it happened. The records seal the texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// The citizen's text.
    CitizenText { at: DateTime<Utc>, text: String },
    /// The citizen's image.
    CitizenImage { at: DateTime<Utc>, image: ImageRef },
    /// A staff reply, pushed to the citizen.
    Reply {
        at: DateTime<Utc>,
        by: StaffName,
        text: String,
    },
    /// An internal note (内部メモ): staff only, never sent.
    Note {
        at: DateTime<Utc>,
        by: StaffName,
        text: String,
    },
}

impl Message {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::CitizenText { at, .. }
            | Self::CitizenImage { at, .. }
            | Self::Reply { at, .. }
            | Self::Note { at, .. } => *at,
        }
    }
}

/// How and when a case ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closed {
    pub at: DateTime<Utc>,
    pub closing: Closing,
    /// The staff member who closed it; `None` when the citizen ended it.
    #[serde(default)]
    pub by: Option<StaffName>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsultationError {
    #[error("相談対応の権限がないため、この操作はできません。")]
    NoPermission,
    #[error("この相談は{0}の担当です。担当課の範囲外のため、この操作はできません。")]
    OtherDepartment(String),
    #[error("{0}さんは{1}の相談を担当できないため、担当者にできません。")]
    AssigneeOutside(String, String),
    #[error("この相談はすでに終了しています。")]
    AlreadyClosed,
    #[error("本文を入力してください。")]
    EmptyText,
    #[error("本文は{MAX_TEXT_CHARS}文字以内にしてください。")]
    TextTooLong,
    #[error("「市民が終了」は市民の操作でだけ選ばれます。終了区分を選び直してください。")]
    CitizensClosing,
}

/// A consultation case. The serde layout is the stored layout (the records seal `user_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    id: String,
    topic: Topic,
    /// The 課 at opening (a later change of the topic's 課 does not move old cases).
    department: String,
    user_id: String,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    assignee: Option<StaffName>,
    /// Since when the citizen has waited for a person: from opening, and from their first
    /// message after each reply; `None` once staff replied.
    #[serde(default)]
    awaiting_since: Option<DateTime<Utc>>,
    #[serde(default)]
    last_reply_at: Option<DateTime<Utc>>,
    /// The last 受付時間外 auto-reply, so that a citizen writing several lines hears it once.
    #[serde(default)]
    last_auto_reply_at: Option<DateTime<Utc>>,
    #[serde(default)]
    citizen_messages: u32,
    #[serde(default)]
    replies: u32,
    /// Every message added so far (the citizen's, replies, notes): the records number the
    /// conversation with it, so its order holds even within one millisecond.
    #[serde(default)]
    entries: u32,
    #[serde(default)]
    closed: Option<Closed>,
}

fn checked_text(raw: &str) -> Result<String, ConsultationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ConsultationError::EmptyText);
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ConsultationError::TextTooLong);
    }
    Ok(text.to_string())
}

impl Case {
    /// The citizen chose `topic`: a case opens, waiting for staff from now.
    pub fn open(id: String, topic: Topic, user_id: String, now: DateTime<Utc>) -> Self {
        Self {
            id,
            topic,
            department: topic.department().to_string(),
            user_id,
            opened_at: now,
            updated_at: now,
            assignee: None,
            awaiting_since: Some(now),
            last_reply_at: None,
            last_auto_reply_at: None,
            citizen_messages: 0,
            replies: 0,
            entries: 0,
            closed: None,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn topic(&self) -> Topic {
        self.topic
    }
    pub fn department(&self) -> &str {
        &self.department
    }
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn opened_at(&self) -> DateTime<Utc> {
        self.opened_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn assignee(&self) -> Option<&StaffName> {
        self.assignee.as_ref()
    }
    pub fn awaiting_since(&self) -> Option<DateTime<Utc>> {
        self.awaiting_since
    }
    pub fn last_reply_at(&self) -> Option<DateTime<Utc>> {
        self.last_reply_at
    }
    pub fn last_auto_reply_at(&self) -> Option<DateTime<Utc>> {
        self.last_auto_reply_at
    }
    pub fn citizen_messages(&self) -> u32 {
        self.citizen_messages
    }
    pub fn replies(&self) -> u32 {
        self.replies
    }
    /// How many messages the conversation holds.
    pub fn entries(&self) -> u32 {
        self.entries
    }
    pub fn closed(&self) -> Option<&Closed> {
        self.closed.as_ref()
    }
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// Whether `staff` may see and handle this case.
    pub fn visible_to(&self, staff: &StaffAccount) -> bool {
        staff.may_in(Permission::Consultations, &self.department)
    }

    fn check_staff(&self, staff: &StaffAccount) -> Result<(), ConsultationError> {
        if !staff.may(Permission::Consultations) {
            return Err(ConsultationError::NoPermission);
        }
        if !self.visible_to(staff) {
            return Err(ConsultationError::OtherDepartment(self.department.clone()));
        }
        Ok(())
    }

    fn check_open(&self) -> Result<(), ConsultationError> {
        if self.closed.is_some() {
            return Err(ConsultationError::AlreadyClosed);
        }
        Ok(())
    }

    /// The citizen sent a text or an image into the case.
    pub fn citizen_wrote(
        &mut self,
        content: CitizenContent,
        now: DateTime<Utc>,
    ) -> Result<Message, ConsultationError> {
        self.check_open()?;
        let message = match content {
            CitizenContent::Text(raw) => Message::CitizenText {
                at: now,
                text: checked_text(&raw)?,
            },
            CitizenContent::Image(image) => Message::CitizenImage { at: now, image },
        };
        self.citizen_messages += 1;
        self.entries += 1;
        self.awaiting_since.get_or_insert(now);
        self.updated_at = now;
        Ok(message)
    }

    /// A staff reply: checked here, pushed by the desk, then appended.
    pub fn reply(
        &mut self,
        staff: &StaffAccount,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Message, ConsultationError> {
        self.check_staff(staff)?;
        self.check_open()?;
        let text = checked_text(text)?;
        self.replies += 1;
        self.entries += 1;
        self.awaiting_since = None;
        self.last_reply_at = Some(now);
        self.updated_at = now;
        Ok(Message::Reply {
            at: now,
            by: StaffName::of(staff),
            text,
        })
    }

    /// An internal note; allowed on a closed case too (a follow-up to record).
    pub fn note(
        &mut self,
        staff: &StaffAccount,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Message, ConsultationError> {
        self.check_staff(staff)?;
        let text = checked_text(text)?;
        self.entries += 1;
        self.updated_at = now;
        Ok(Message::Note {
            at: now,
            by: StaffName::of(staff),
            text,
        })
    }

    /// Assigns the case to `assignee` (who must be able to handle it), or clears it.
    pub fn assign(
        &mut self,
        staff: &StaffAccount,
        assignee: Option<&StaffAccount>,
        now: DateTime<Utc>,
    ) -> Result<(), ConsultationError> {
        self.check_staff(staff)?;
        self.check_open()?;
        if let Some(other) = assignee {
            if !self.visible_to(other) {
                return Err(ConsultationError::AssigneeOutside(
                    other.profile().display_name.clone(),
                    self.department.clone(),
                ));
            }
        }
        self.assignee = assignee.map(StaffName::of);
        self.updated_at = now;
        Ok(())
    }

    /// Staff close the case with a category.
    pub fn close(
        &mut self,
        staff: &StaffAccount,
        closing: Closing,
        now: DateTime<Utc>,
    ) -> Result<(), ConsultationError> {
        self.check_staff(staff)?;
        self.check_open()?;
        if closing == Closing::EndedByCitizen {
            return Err(ConsultationError::CitizensClosing);
        }
        self.finish(closing, Some(StaffName::of(staff)), now);
        Ok(())
    }

    /// The citizen's 「相談を終える」.
    pub fn end_by_citizen(&mut self, now: DateTime<Utc>) -> Result<(), ConsultationError> {
        self.check_open()?;
        self.finish(Closing::EndedByCitizen, None, now);
        Ok(())
    }

    fn finish(&mut self, closing: Closing, by: Option<StaffName>, now: DateTime<Utc>) {
        self.closed = Some(Closed {
            at: now,
            closing,
            by,
        });
        self.awaiting_since = None;
        self.updated_at = now;
    }

    /// Whether the 受付時間外 auto-reply should go out now (at most once per `every`), noting
    /// it as sent when so.
    pub fn take_auto_reply(&mut self, now: DateTime<Utc>, every: Duration) -> bool {
        if self.closed.is_some() {
            return false;
        }
        let due = self
            .last_auto_reply_at
            .is_none_or(|last| now - last >= every);
        if due {
            self.last_auto_reply_at = Some(now);
        }
        due
    }

    /// An open case whose citizen has waited `hours` or more for a person (highlighted in the
    /// inbox).
    pub fn waiting_too_long(&self, now: DateTime<Utc>, hours: u32) -> bool {
        self.is_open()
            && self
                .awaiting_since
                .is_some_and(|since| now - since >= Duration::hours(i64::from(hours)))
    }
}
