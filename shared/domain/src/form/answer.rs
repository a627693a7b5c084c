//! A citizen's answer (回答) to a form, and how staff handle it. The statuses depend on the
//! form's kind:
//!
//! ```text
//! 予約:          受付 ─▶ 確定 ─▶ 来場済
//!                 └──────┴─▶ キャンセル (staff; or the citizen before the slot starts)
//! 申請・アンケート: 受付 ─▶ 対応中 ─▶ 完了 / 却下;  受付 ─▶ 完了 / 却下;  完了 / 却下 ─▶ 対応中
//! ```
//!
//! A cancellation is final: the place it held goes back to the slot, and a later booking may
//! have taken it.

use super::field::FieldId;
use super::value::{Audience, CheckedValues, FieldErrors, Submitted};
use super::{Form, FormId, FormKind, SlotId};
use crate::report::receipt::receipt_number;
use crate::report::StaffName;
use crate::staff::{Permission, StaffAccount};
use crate::time::format_jst;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 対応メモ, in characters.
pub const MAX_MEMO_CHARS: usize = 2000;
/// A LINE text message holds 5,000 characters; the receipt stays within it.
pub const MAX_RECEIPT_CHARS: usize = 5000;

/// `F2612-0001`: like a report's receipt number (the JST month and a sequence in it), with `F`
/// so that a clerk on the phone knows at once it is a form's answer.
pub fn answer_receipt(month: &str, sequence: u64) -> String {
    format!("F{}", receipt_number(month, sequence))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStatus {
    /// 受付.
    Received,
    /// 確定 (予約).
    Confirmed,
    /// 来場済 (予約).
    Visited,
    /// キャンセル (予約).
    Cancelled,
    /// 対応中 (申請・アンケート).
    InProgress,
    /// 完了 (申請・アンケート).
    Done,
    /// 却下 (申請・アンケート).
    Rejected,
}

impl AnswerStatus {
    pub const ALL: [AnswerStatus; 7] = [
        Self::Received,
        Self::Confirmed,
        Self::Visited,
        Self::Cancelled,
        Self::InProgress,
        Self::Done,
        Self::Rejected,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "受付",
            Self::Confirmed => "確定",
            Self::Visited => "来場済",
            Self::Cancelled => "キャンセル",
            Self::InProgress => "対応中",
            Self::Done => "完了",
            Self::Rejected => "却下",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Confirmed => "confirmed",
            Self::Visited => "visited",
            Self::Cancelled => "cancelled",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The statuses answers of `kind` can have, in the console's order.
    pub fn for_kind(kind: FormKind) -> &'static [AnswerStatus] {
        use AnswerStatus::*;
        match kind {
            FormKind::Reservation => &[Received, Confirmed, Visited, Cancelled],
            FormKind::Application | FormKind::Questionnaire => {
                &[Received, InProgress, Done, Rejected]
            }
        }
    }

    /// Where staff may move an answer of `kind` from this status.
    pub fn next(self, kind: FormKind) -> &'static [AnswerStatus] {
        use AnswerStatus::*;
        match (kind, self) {
            (FormKind::Reservation, Received) => &[Confirmed, Cancelled],
            (FormKind::Reservation, Confirmed) => &[Visited, Cancelled],
            (FormKind::Reservation, _) => &[],
            (_, Received) => &[InProgress, Done, Rejected],
            (_, InProgress) => &[Done, Rejected],
            (_, Done | Rejected) => &[InProgress],
            (_, _) => &[],
        }
    }

    /// Whether the citizen is told in LINE when an answer of `kind` moves here: a reservation
    /// confirmed or cancelled, an application finished or refused. A questionnaire's handling
    /// is the 課's own business, and 受付 / 対応中 / 来場済 are nothing the citizen waits for.
    pub fn tells_citizen(self, kind: FormKind) -> bool {
        use AnswerStatus::*;
        match kind {
            FormKind::Reservation => matches!(self, Confirmed | Cancelled),
            FormKind::Application => matches!(self, Done | Rejected),
            FormKind::Questionnaire => false,
        }
    }

    /// Whether the answer no longer holds a place (the repository gives it back to the counts).
    pub fn releases_place(self) -> bool {
        self == Self::Cancelled
    }
}

/// Who changed the status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ChangedBy {
    Staff(StaffName),
    /// The citizen cancelled their own reservation.
    Citizen,
}

impl ChangedBy {
    pub fn label(&self) -> String {
        match self {
            Self::Staff(name) => name.name.clone(),
            Self::Citizen => "ご本人".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerHistoryEntry {
    pub at: DateTime<Utc>,
    pub by: ChangedBy,
    pub from: AnswerStatus,
    pub to: AnswerStatus,
    /// The citizen hears of this change in LINE (see [`AnswerStatus::tells_citizen`]): the desk
    /// publishes an event and its handler pushes [`Answer::notice_text`].
    #[serde(default)]
    pub tell_citizen: bool,
    /// When the push went out (set by the handler, so a redelivered event is pushed once).
    #[serde(default)]
    pub told_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("フォーム回答の閲覧の権限がないため、この操作はできません。")]
    NoPermission,
    #[error("このフォームは{0}の担当です。担当課の範囲外のため、この操作はできません。")]
    OtherDepartment(String),
    #[error("この回答は別のフォームのものです。")]
    OtherForm,
    #[error("この回答はすでに「{0}」です。")]
    SameStatus(&'static str),
    #[error("「{0}」から「{1}」には変更できません。")]
    NotAllowed(&'static str, &'static str),
    #[error("メモは{MAX_MEMO_CHARS}文字以内にしてください。")]
    MemoTooLong,
    #[error("ご本人の回答ではないため、キャンセルできません。")]
    NotYours,
    #[error("予約ではないため、キャンセルできません。")]
    NotAReservation,
    #[error("この予約はすでに「{0}」のため、キャンセルできません。")]
    CannotCancel(&'static str),
    #[error("予約の時刻を過ぎたため、キャンセルできません。お手数ですが担当課へご連絡ください。")]
    SlotStarted,
    #[error("{0}")]
    Values(#[from] FieldErrors),
}

/// What the desk decides at submit: ids, the receipt number, who answered and the citizen's
/// registered attributes at that moment (segment item id → the choices' labels), kept so that
/// cross-tabulation reads what was true when they answered.
#[derive(Clone, PartialEq, Eq)]
pub struct AnswerFiling {
    pub id: String,
    pub receipt: String,
    pub user_id: String,
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl std::fmt::Debug for AnswerFiling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerFiling")
            .field("id", &self.id)
            .field("receipt", &self.receipt)
            .finish_non_exhaustive()
    }
}

/// Whose eyes a summary is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// The citizen who answered (their LINE receipt): personal values included.
    Owner,
    /// Anyone else (a department's mail notice): personal values left out.
    Other,
}

/// An answer. The serde layout is the stored layout; the repository seals `user_id` and the
/// values of personal fields.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    id: String,
    form_id: FormId,
    form_version: u32,
    receipt: String,
    user_id: String,
    submitted_at: DateTime<Utc>,
    values: CheckedValues,
    #[serde(default)]
    staff_values: CheckedValues,
    #[serde(default)]
    slot: Option<SlotId>,
    #[serde(default)]
    attributes: BTreeMap<String, Vec<String>>,
    status: AnswerStatus,
    #[serde(default)]
    memo: String,
    #[serde(default)]
    history: Vec<AnswerHistoryEntry>,
    updated_at: DateTime<Utc>,
    /// When the form's 課 was mailed of this new answer (6.2.2.3), so that a redelivered event
    /// mails nobody twice. Default so that answers stored before it still read.
    #[serde(default)]
    department_mailed_at: Option<DateTime<Utc>>,
}

/// Leaves out who answered and what (a log line must not carry personal data).
impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("id", &self.id)
            .field("form_id", &self.form_id)
            .field("form_version", &self.form_version)
            .field("receipt", &self.receipt)
            .field("status", &self.status)
            .field("values", &self.values)
            .finish_non_exhaustive()
    }
}

impl Answer {
    /// A new answer of `form` (the version it was given with), 受付. The values come from
    /// [`Form::check_answer`] and the slot from [`Form::check_open`].
    pub fn new(
        form: &Form,
        filing: AnswerFiling,
        values: CheckedValues,
        slot: Option<SlotId>,
        now: DateTime<Utc>,
    ) -> Answer {
        Answer {
            id: filing.id,
            form_id: form.id().clone(),
            form_version: form.version(),
            receipt: filing.receipt,
            user_id: filing.user_id,
            submitted_at: now,
            values,
            staff_values: CheckedValues::default(),
            slot,
            attributes: filing.attributes,
            status: AnswerStatus::Received,
            memo: String::new(),
            history: Vec::new(),
            updated_at: now,
            department_mailed_at: None,
        }
    }

    /// Whether `by` may see and handle answers of `form`: フォーム回答の閲覧 in its department.
    pub fn check_handler(form: &Form, by: &StaffAccount) -> Result<(), AnswerError> {
        if !by.may(Permission::FormsViewAnswers) {
            return Err(AnswerError::NoPermission);
        }
        if !by.may_in(Permission::FormsViewAnswers, form.department()) {
            return Err(AnswerError::OtherDepartment(form.department().to_string()));
        }
        Ok(())
    }

    fn check_staff(&self, form: &Form, by: &StaffAccount) -> Result<(), AnswerError> {
        if form.id() != &self.form_id {
            return Err(AnswerError::OtherForm);
        }
        Self::check_handler(form, by)
    }

    /// Moves the answer to `to`; `form` is the form as it is now (its department and kind).
    /// Returns the history entry's index.
    pub fn change_status(
        &mut self,
        form: &Form,
        to: AnswerStatus,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<usize, AnswerError> {
        self.check_staff(form, by)?;
        let from = self.status;
        if from == to {
            return Err(AnswerError::SameStatus(from.label()));
        }
        if !from.next(form.kind()).contains(&to) {
            return Err(AnswerError::NotAllowed(from.label(), to.label()));
        }
        Ok(self.move_to(form.kind(), to, ChangedBy::Staff(StaffName::of(by)), now))
    }

    /// The citizen cancels their own reservation: only theirs, only while 受付 or 確定, and only
    /// before the slot starts (after that the 課 has prepared for them; they call instead).
    pub fn cancel_by_citizen(
        &mut self,
        form: &Form,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, AnswerError> {
        if form.id() != &self.form_id {
            return Err(AnswerError::OtherForm);
        }
        if user_id != self.user_id {
            return Err(AnswerError::NotYours);
        }
        if form.kind() != FormKind::Reservation {
            return Err(AnswerError::NotAReservation);
        }
        if !matches!(
            self.status,
            AnswerStatus::Received | AnswerStatus::Confirmed
        ) {
            return Err(AnswerError::CannotCancel(self.status.label()));
        }
        let started = self
            .slot
            .as_ref()
            .and_then(|id| form.slot(id))
            .is_some_and(|slot| slot.starts_at() <= now);
        if started {
            return Err(AnswerError::SlotStarted);
        }
        Ok(self.move_to(
            form.kind(),
            AnswerStatus::Cancelled,
            ChangedBy::Citizen,
            now,
        ))
    }

    fn move_to(
        &mut self,
        kind: FormKind,
        to: AnswerStatus,
        by: ChangedBy,
        now: DateTime<Utc>,
    ) -> usize {
        self.history.push(AnswerHistoryEntry {
            at: now,
            by,
            from: self.status,
            to,
            tell_citizen: to.tells_citizen(kind),
            told_at: None,
        });
        self.status = to;
        self.updated_at = now;
        self.history.len() - 1
    }

    /// What the citizen is pushed for the history entry at `index`, when it is one to tell.
    pub fn notice_text(&self, form: &Form, index: usize) -> Option<String> {
        let entry = self.history.get(index).filter(|e| e.tell_citizen)?;
        let body = match (entry.to, &entry.by) {
            (AnswerStatus::Confirmed, _) => "ご予約が確定しました。".to_string(),
            (AnswerStatus::Cancelled, ChangedBy::Citizen) => "ご予約をキャンセルしました。".into(),
            (AnswerStatus::Cancelled, ChangedBy::Staff(_)) => format!(
                "ご予約は担当課によりキャンセルされました。ご不明な点は{}へお問い合わせください。",
                form.department()
            ),
            (AnswerStatus::Done, _) => "お申し込みの手続きが完了しました。".into(),
            (AnswerStatus::Rejected, _) => format!(
                "お申し込みをお受けできませんでした。詳しくは{}へお問い合わせください。",
                form.department()
            ),
            (other, _) => format!("状態が「{}」になりました。", other.label()),
        };
        let mut lines = vec![
            format!("【{}】", form.title()),
            format!("受付番号: {}", self.receipt),
            body,
        ];
        if let Some(slot) = self.slot.as_ref().and_then(|id| form.slot(id)) {
            lines.push(format!("予約枠: {}", slot.label()));
        }
        Some(lines.join("\n"))
    }

    /// Records that the push for the entry at `index` went out; `false` when it had already
    /// (a redelivered event) or the entry is not one to tell.
    pub fn mark_told(&mut self, index: usize, now: DateTime<Utc>) -> bool {
        match self.history.get_mut(index) {
            Some(entry) if entry.tell_citizen && entry.told_at.is_none() => {
                entry.told_at = Some(now);
                self.updated_at = now;
                true
            }
            _ => false,
        }
    }

    /// 対応メモ: replaces the memo (empty clears it).
    pub fn set_memo(
        &mut self,
        form: &Form,
        memo: &str,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<(), AnswerError> {
        self.check_staff(form, by)?;
        let memo = memo.trim();
        if memo.chars().count() > MAX_MEMO_CHARS {
            return Err(AnswerError::MemoTooLong);
        }
        self.memo = memo.to_string();
        self.updated_at = now;
        Ok(())
    }

    /// 管理者用項目: checks `submitted` against the staff-only fields of `form` (the current
    /// version: staff fields are the 課's own bookkeeping) and replaces the staff values.
    pub fn set_staff_values(
        &mut self,
        form: &Form,
        submitted: &Submitted,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<(), AnswerError> {
        self.check_staff(form, by)?;
        self.staff_values = form.check_answer(submitted, Audience::Staff)?;
        self.updated_at = now;
        Ok(())
    }

    /// The receipt's lines 「項目: 値」 in the form's order, for `form` at this answer's version.
    /// Staff-only fields never appear; personal values only for the [`Viewer::Owner`].
    pub fn summary_lines(&self, form: &Form, viewer: Viewer) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(slot) = self.slot.as_ref().and_then(|id| form.slot(id)) {
            lines.push(format!("予約枠: {}", slot.label()));
        }
        for field in form.citizen_fields() {
            let Some(value) = self.values.get(&field.id) else {
                continue;
            };
            let shown = if field.personal && viewer == Viewer::Other {
                "（個人情報のため省略）".to_string()
            } else {
                value.display()
            };
            lines.push(format!("{}: {}", field.label, shown));
        }
        lines
    }

    /// Whether the console's text search finds this answer: the receipt number, the memo, or
    /// a value of a field that is not personal (personal values are sealed and never searched).
    pub fn matches_text(&self, form: &Form, query: &str) -> bool {
        let q = query.trim();
        if q.is_empty() {
            return true;
        }
        if self.receipt.contains(q) || self.memo.contains(q) {
            return true;
        }
        self.values
            .iter()
            .chain(self.staff_values.iter())
            .filter(|(id, _)| form.field(id).is_some_and(|f| !f.personal))
            .any(|(_, v)| v.display().contains(q))
    }

    /// The receipt pushed to the citizen in LINE: the form's receipt message, the title, the
    /// receipt number and the answer's summary (with their personal values: it goes to them
    /// alone). Cut at [`MAX_RECEIPT_CHARS`] with a note, never mid-line.
    pub fn receipt_text(&self, form: &Form) -> String {
        let mut head = Vec::new();
        if !form.receipt_message().is_empty() {
            head.push(form.receipt_message().to_string());
            head.push(String::new());
        }
        head.push(format!("【{}】", form.title()));
        head.push(format!("受付番号: {}", self.receipt));
        let mut text = head.join("\n");
        const CUT: &str = "\n（以下省略）";
        for line in self.summary_lines(form, Viewer::Owner) {
            let room = MAX_RECEIPT_CHARS - CUT.chars().count();
            if text.chars().count() + 1 + line.chars().count() > room {
                text.push_str(CUT);
                break;
            }
            text.push('\n');
            text.push_str(&line);
        }
        text
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn form_id(&self) -> &FormId {
        &self.form_id
    }
    pub fn form_version(&self) -> u32 {
        self.form_version
    }
    pub fn receipt(&self) -> &str {
        &self.receipt
    }
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn submitted_at(&self) -> DateTime<Utc> {
        self.submitted_at
    }
    pub fn values(&self) -> &CheckedValues {
        &self.values
    }
    pub fn staff_values(&self) -> &CheckedValues {
        &self.staff_values
    }
    /// A citizen or staff value of `field`.
    pub fn value(&self, field: &FieldId) -> Option<&super::AnswerValue> {
        self.values
            .get(field)
            .or_else(|| self.staff_values.get(field))
    }
    pub fn slot(&self) -> Option<&SlotId> {
        self.slot.as_ref()
    }
    pub fn attributes(&self) -> &BTreeMap<String, Vec<String>> {
        &self.attributes
    }
    pub fn status(&self) -> AnswerStatus {
        self.status
    }
    pub fn memo(&self) -> &str {
        &self.memo
    }
    pub fn history(&self) -> &[AnswerHistoryEntry] {
        &self.history
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn department_mailed_at(&self) -> Option<DateTime<Utc>> {
        self.department_mailed_at
    }

    /// Records that the form's 課 is being mailed of this answer; `false` when it was already
    /// (a redelivered event). Not a change staff made, so `updated_at` stays.
    pub fn mark_department_mailed(&mut self, now: DateTime<Utc>) -> bool {
        if self.department_mailed_at.is_some() {
            return false;
        }
        self.department_mailed_at = Some(now);
        true
    }

    /// The mail to the form's 課 of this new answer (6.2.2.3): the form's title, the 受付番号,
    /// when it came (JST) and where to read it (`answer_page`: the console's URL, or its path
    /// when the address is not known). Never a value the citizen typed nor who they are: mail
    /// leaves the city's systems, the answer stays in the console.
    pub fn department_notice(&self, form: &Form, answer_page: &str) -> DepartmentNotice {
        DepartmentNotice {
            subject: format!("【Tayori】新しい回答: {}（{}）", form.title(), self.receipt),
            body: [
                format!("フォーム「{}」に新しい回答がありました。", form.title()),
                String::new(),
                format!("フォーム: {}", form.title()),
                format!("受付番号: {}", self.receipt),
                format!("回答日時: {}", format_jst(self.submitted_at)),
                String::new(),
                "回答の内容は管理画面で確認してください（このメールには載せていません）。".into(),
                answer_page.to_string(),
                String::new(),
                "このメールはTayoriから自動で送信しています。".into(),
            ]
            .join("\n"),
        }
    }
}

/// The subject and plain-text body of a new answer's mail to the form's 課.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentNotice {
    pub subject: String,
    pub body: String,
}
