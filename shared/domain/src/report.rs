//! A citizen's report (通報): a place, photos and a few words about something broken or
//! dangerous, filed from LINE, handled by the category's 課, and told back to the citizen at each
//! public status change. Fields are private: every change is one of [`Report`]'s methods, which
//! check who may make it (通報対応 in the category's department) and where the status may move
//! (see [`status`]).

pub mod area;
pub mod category;
pub mod draft;
pub mod input;
pub mod receipt;
pub mod status;
pub mod template;

use crate::facility::Position;
use crate::staff::{LoginId, Permission, StaffAccount};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use area::{in_service_area, SERVICE_RADIUS_KM};
pub use category::{
    Category, CategoryError, CategoryId, CategorySettings, CategorySnapshot, Question,
};
pub use draft::{Confirmed, DraftError, ReportDraft, Step, DRAFT_IDLE_MINUTES};
pub use input::{Contact, Field, InputProblem, PhotoRef, MAX_DETAILS_CHARS, MAX_PHOTOS};
pub use receipt::{receipt_month, receipt_number};
pub use status::ReportStatus;
pub use template::{ResponseTemplate, TemplateError};

/// A public comment (told to the citizen) or an internal note, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// Reports of the same category this close are offered as possible duplicates.
pub const DUPLICATE_RADIUS_M: f64 = 50.0;
/// … when filed within this many days of each other.
pub const DUPLICATE_WINDOW_DAYS: i64 = 7;

/// How the report came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// チャット: step by step in the LINE chat.
    Chat,
    /// LIFF: the form opened from the menu.
    Liff,
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Chat => "チャット",
            Channel::Liff => "LIFF",
        }
    }
}

/// Who filed it. The records seal both fields; the domain holds them in the clear.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub user_id: String,
    #[serde(default)]
    pub contact: Option<Contact>,
}

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reporter(…)")
    }
}

/// A staff member as the report names them: login id and 氏名 at the time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffName {
    pub login_id: LoginId,
    pub name: String,
}

impl StaffName {
    pub fn of(account: &StaffAccount) -> Self {
        Self {
            login_id: account.login_id.clone(),
            name: account.profile().display_name.clone(),
        }
    }
}

/// One status change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub by: StaffName,
    pub from: ReportStatus,
    pub to: ReportStatus,
    #[serde(default)]
    pub public_comment: Option<String>,
    /// The citizen must hear of this change: the desk publishes an event and its handler
    /// pushes.
    pub tell_citizen: bool,
    /// When the push went out (set by the handler, so a redelivered event is pushed once).
    #[serde(default)]
    pub told_at: Option<DateTime<Utc>>,
    /// When the push was not sent because the citizen had blocked the account (LINE would
    /// refuse it, and a blocked citizen asked not to hear from the city).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_sent_at: Option<DateTime<Utc>>,
}

/// An internal note (内部メモ): staff only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub at: DateTime<Utc>,
    pub by: StaffName,
    pub text: String,
}

/// An answer to a category's extra question, with the question as it was asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: String,
    pub text: String,
}

/// What a citizen files, from the chat (a confirmed [`ReportDraft`]) or the LIFF form;
/// [`Report::file`] checks it against the category.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportForm {
    pub position: Position,
    pub place_note: Option<String>,
    pub photos: Vec<PhotoRef>,
    pub details: String,
    /// In the category's question order; an empty text for an optional question skipped.
    pub answers: Vec<String>,
    pub reporter: Reporter,
    pub channel: Channel,
}

/// What the desk decides at filing: the id, the receipt number and the district from the
/// citizen's registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub id: String,
    pub receipt: String,
    pub district: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Input(#[from] InputProblem),
    #[error("通報対応の権限がないため、この操作はできません。")]
    NoPermission,
    #[error("この通報は{0}の担当です。担当課の範囲外のため、この操作はできません。")]
    OtherDepartment(String),
    #[error("{0}さんは{1}の通報を担当できないため、担当者にできません。")]
    AssigneeOutside(String, String),
    #[error("この通報はすでに「{0}」です。")]
    SameStatus(&'static str),
    #[error("「{0}」から「{1}」には変更できません。")]
    NotAllowed(&'static str, &'static str),
    #[error("「{0}」にするときは、市民に伝える理由をコメントに書いてください。")]
    CommentRequired(&'static str),
    #[error("終了した通報を対応中に戻すときは、理由をコメントに書いてください。")]
    ReopenNeedsComment,
    #[error("重複にするときは、元の通報を選んでください。")]
    DuplicateNeedsOriginal,
    #[error("通報をそれ自身の重複にはできません。")]
    DuplicateOfItself,
    #[error("コメントは{MAX_COMMENT_CHARS}文字以内にしてください。")]
    CommentTooLong,
    #[error("メモを入力してください。")]
    EmptyNote,
    #[error("緊急の種類の通報だけが、地区への配信につなげられます。")]
    NotUrgent,
    #[error("この通報はすでに配信につなげられています。")]
    AlreadyLinked,
    #[error("{0}番目の変更は市民に知らせる変更ではありません。")]
    NotToTell(usize),
}

/// A report. The serde layout is the stored layout (the records seal `reporter`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    id: String,
    receipt: String,
    category: CategorySnapshot,
    position: Position,
    #[serde(default)]
    place_note: Option<String>,
    /// 居住地区 (a choice key of the district segment item): the reporter's registration at
    /// filing; staff may correct it.
    #[serde(default)]
    district: Option<String>,
    #[serde(default)]
    photos: Vec<PhotoRef>,
    details: String,
    #[serde(default)]
    answers: Vec<Answer>,
    reporter: Reporter,
    channel: Channel,
    status: ReportStatus,
    #[serde(default)]
    assignee: Option<StaffName>,
    #[serde(default)]
    duplicate_of: Option<String>,
    #[serde(default)]
    history: Vec<HistoryEntry>,
    #[serde(default)]
    notes: Vec<Note>,
    /// The delivery draft made from a verified sighting (bear alert).
    #[serde(default)]
    alert_delivery_id: Option<String>,
    filed_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn comment(raw: Option<&str>) -> Result<Option<String>, ReportError> {
    let Some(t) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > MAX_COMMENT_CHARS {
        return Err(ReportError::CommentTooLong);
    }
    Ok(Some(t.to_string()))
}

impl Report {
    /// Files `form` under `category`, checking it as the chat's steps do: photos (1–4, or up to
    /// 4 when the category's photo is optional), texts within their limits, the required
    /// answers, and the contact when the category does not take anonymous reports. Whether the
    /// place is in the city is the desk's to check (it needs the facilities).
    pub fn file(
        category: &Category,
        form: ReportForm,
        filing: Filing,
        now: DateTime<Utc>,
    ) -> Result<Report, ReportError> {
        if category.is_retired() {
            return Err(InputProblem::CategoryRetired.into());
        }
        if form.photos.len() > MAX_PHOTOS {
            return Err(InputProblem::TooManyPhotos.into());
        }
        if form.photos.is_empty() && category.photo_required() {
            return Err(InputProblem::PhotoRequired.into());
        }
        let details = input::text(Field::Details, &form.details)?;
        let place_note = match &form.place_note {
            Some(note) => input::optional_text(Field::PlaceNote, note)?,
            None => None,
        };
        let mut answers = Vec::new();
        for (i, question) in category.questions().iter().enumerate() {
            let given = form.answers.get(i).map(String::as_str).unwrap_or("");
            match input::optional_text(Field::Answer, given)? {
                Some(text) => answers.push(Answer {
                    question: question.label.clone(),
                    text,
                }),
                None if question.required => {
                    return Err(InputProblem::AnswerRequired(question.label.clone()).into())
                }
                None => {}
            }
        }
        let contact = match form.reporter.contact {
            Some(c) => Some(Contact::new(&c.name, &c.phone)?),
            None if !category.anonymous_allowed() => {
                return Err(InputProblem::ContactRequired.into())
            }
            None => None,
        };
        Ok(Report {
            id: filing.id,
            receipt: filing.receipt,
            category: category.snapshot(),
            position: form.position,
            place_note,
            district: filing.district,
            photos: form.photos,
            details,
            answers,
            reporter: Reporter {
                user_id: form.reporter.user_id,
                contact,
            },
            channel: form.channel,
            status: ReportStatus::Received,
            assignee: None,
            duplicate_of: None,
            history: Vec::new(),
            notes: Vec::new(),
            alert_delivery_id: None,
            filed_at: now,
            updated_at: now,
        })
    }

    /// Whether `by` may act on this report: 通報対応 and the category's department in scope.
    pub fn check_handler(&self, by: &StaffAccount) -> Result<(), ReportError> {
        if !by.may(Permission::ReportsHandle) {
            return Err(ReportError::NoPermission);
        }
        if !by.may_in(Permission::ReportsHandle, &self.category.department) {
            return Err(ReportError::OtherDepartment(
                self.category.department.clone(),
            ));
        }
        Ok(())
    }

    /// Moves the report to `to` (not 重複: that is [`Report::mark_duplicate`], which needs the
    /// original). Returns the history entry's index.
    pub fn change_status(
        &mut self,
        to: ReportStatus,
        public_comment: Option<&str>,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<usize, ReportError> {
        self.check_handler(by)?;
        if to == ReportStatus::Duplicate && self.status != ReportStatus::Duplicate {
            return Err(ReportError::DuplicateNeedsOriginal);
        }
        let comment = comment(public_comment)?;
        self.move_to(to, comment, by, now)
    }

    /// Marks the report as a duplicate of `original` (another report's id) and tells the
    /// citizen why.
    pub fn mark_duplicate(
        &mut self,
        original: &str,
        public_comment: Option<&str>,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<usize, ReportError> {
        self.check_handler(by)?;
        if original.trim().is_empty() {
            return Err(ReportError::DuplicateNeedsOriginal);
        }
        if original == self.id {
            return Err(ReportError::DuplicateOfItself);
        }
        let comment = comment(public_comment)?;
        let index = self.move_to(ReportStatus::Duplicate, comment, by, now)?;
        self.duplicate_of = Some(original.to_string());
        Ok(index)
    }

    fn move_to(
        &mut self,
        to: ReportStatus,
        comment: Option<String>,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<usize, ReportError> {
        use status::MoveRefusal;
        let from = self.status;
        from.check_move(to, comment.is_some())
            .map_err(|r| match r {
                MoveRefusal::Same => ReportError::SameStatus(from.label()),
                MoveRefusal::NotAllowed => ReportError::NotAllowed(from.label(), to.label()),
                MoveRefusal::CommentRequired if from.is_closed() => ReportError::ReopenNeedsComment,
                MoveRefusal::CommentRequired => ReportError::CommentRequired(to.label()),
            })?;
        if from == ReportStatus::Duplicate {
            self.duplicate_of = None;
        }
        self.history.push(HistoryEntry {
            at: now,
            by: StaffName::of(by),
            from,
            to,
            tell_citizen: ReportStatus::tells_citizen(from, to, comment.is_some()),
            public_comment: comment,
            told_at: None,
            not_sent_at: None,
        });
        self.status = to;
        self.updated_at = now;
        Ok(self.history.len() - 1)
    }

    /// Gives the report to `to` (who must be able to handle it), or takes it back (`None`).
    pub fn assign(
        &mut self,
        to: Option<&StaffAccount>,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<(), ReportError> {
        self.check_handler(by)?;
        if let Some(assignee) = to {
            if !assignee.may_in(Permission::ReportsHandle, &self.category.department) {
                return Err(ReportError::AssigneeOutside(
                    assignee.profile().display_name.clone(),
                    self.category.department.clone(),
                ));
            }
        }
        self.assignee = to.map(StaffName::of);
        self.updated_at = now;
        Ok(())
    }

    pub fn add_note(
        &mut self,
        text: &str,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<(), ReportError> {
        self.check_handler(by)?;
        let text = comment(Some(text))?.ok_or(ReportError::EmptyNote)?;
        self.notes.push(Note {
            at: now,
            by: StaffName::of(by),
            text,
        });
        self.updated_at = now;
        Ok(())
    }

    /// Corrects the 居住地区 (a choice key, or `None` when unknown).
    pub fn set_district(
        &mut self,
        district: Option<String>,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<(), ReportError> {
        self.check_handler(by)?;
        self.district = district.filter(|d| !d.trim().is_empty());
        self.updated_at = now;
        Ok(())
    }

    /// Records the delivery draft made from this sighting; only urgent categories, once.
    pub fn link_alert(
        &mut self,
        delivery_id: &str,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<(), ReportError> {
        self.check_handler(by)?;
        if !self.category.urgent {
            return Err(ReportError::NotUrgent);
        }
        if self.alert_delivery_id.is_some() {
            return Err(ReportError::AlreadyLinked);
        }
        self.alert_delivery_id = Some(delivery_id.to_string());
        self.updated_at = now;
        Ok(())
    }

    /// The push for history entry `index` went out. `Ok(false)` when it already had (a
    /// redelivered event), so the handler pushes once.
    pub fn record_told(&mut self, index: usize, now: DateTime<Utc>) -> Result<bool, ReportError> {
        let entry = self
            .history
            .get_mut(index)
            .filter(|e| e.tell_citizen)
            .ok_or(ReportError::NotToTell(index))?;
        if entry.told_at.is_some() {
            return Ok(false);
        }
        entry.told_at = Some(now);
        Ok(true)
    }

    /// The push for history entry `index` was not sent: the citizen had blocked the account.
    /// `Ok(false)` when the entry was already settled (told or recorded as not sent).
    pub fn record_not_sent(
        &mut self,
        index: usize,
        now: DateTime<Utc>,
    ) -> Result<bool, ReportError> {
        let entry = self
            .history
            .get_mut(index)
            .filter(|e| e.tell_citizen)
            .ok_or(ReportError::NotToTell(index))?;
        if entry.told_at.is_some() || entry.not_sent_at.is_some() {
            return Ok(false);
        }
        entry.not_sent_at = Some(now);
        Ok(true)
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    /// 受付番号 (`2612-0007`).
    pub fn receipt(&self) -> &str {
        &self.receipt
    }
    pub fn category(&self) -> &CategorySnapshot {
        &self.category
    }
    pub fn position(&self) -> Position {
        self.position
    }
    pub fn place_note(&self) -> Option<&str> {
        self.place_note.as_deref()
    }
    pub fn district(&self) -> Option<&str> {
        self.district.as_deref()
    }
    pub fn photos(&self) -> &[PhotoRef] {
        &self.photos
    }
    pub fn details(&self) -> &str {
        &self.details
    }
    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }
    pub fn reporter(&self) -> &Reporter {
        &self.reporter
    }
    pub fn channel(&self) -> Channel {
        self.channel
    }
    pub fn status(&self) -> ReportStatus {
        self.status
    }
    pub fn assignee(&self) -> Option<&StaffName> {
        self.assignee.as_ref()
    }
    pub fn duplicate_of(&self) -> Option<&str> {
        self.duplicate_of.as_deref()
    }
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }
    pub fn alert_delivery_id(&self) -> Option<&str> {
        self.alert_delivery_id.as_deref()
    }
    pub fn filed_at(&self) -> DateTime<Utc> {
        self.filed_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// Urgent and still open: heads the staff list.
    pub fn is_urgent_and_open(&self) -> bool {
        self.category.urgent && !self.status.is_closed()
    }

    pub fn summary(&self) -> ReportSummary {
        ReportSummary {
            id: self.id.clone(),
            category: self.category.id.clone(),
            position: self.position,
            filed_at: self.filed_at,
        }
    }
}

/// What the duplicate check compares.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportSummary {
    pub id: String,
    pub category: CategoryId,
    pub position: Position,
    pub filed_at: DateTime<Utc>,
}

/// Reports among `others` that may be the same as `of`: same category, within
/// [`DUPLICATE_RADIUS_M`], filed within [`DUPLICATE_WINDOW_DAYS`] of it (before or after),
/// nearest first. `of` itself is left out.
pub fn possible_duplicates<'a>(
    of: &ReportSummary,
    others: impl IntoIterator<Item = &'a ReportSummary>,
) -> Vec<&'a ReportSummary> {
    let window = Duration::days(DUPLICATE_WINDOW_DAYS);
    let mut found: Vec<(f64, &ReportSummary)> = others
        .into_iter()
        .filter(|o| o.id != of.id && o.category == of.category)
        .filter(|o| (o.filed_at - of.filed_at).abs() <= window)
        .map(|o| (of.position.distance_m(o.position), o))
        .filter(|(d, _)| *d <= DUPLICATE_RADIUS_M)
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.into_iter().map(|(_, o)| o).collect()
}

#[cfg(test)]
mod tests;
