//! CSV exports (CSV出力): one file a staff member asked for, made by the export function, kept
//! for [`EXPORT_KEPT`] and then deleted. The console only asks and lists; the file is written
//! elsewhere, so an export is a small state machine: 作成中 → 完了 or 失敗, and every one of them
//! → 期限切れ once its time is up.
//!
//! Who may ask for which kind is the permission the console's CSV link needed
//! ([`ExportKind::permission`]). Who may download it is the requester, or a colleague who could
//! have asked for the same file: the same permission, and a department scope that covers the
//! requester's (the file holds the requester's departments' reports). A form's answers belong
//! to the form's 課: asking and downloading both need フォーム回答の出力 there
//! ([`Export::request_form_answers`]).

use crate::form::{Form, FormError};
use crate::staff::{DepartmentScope, Permission, StaffAccount};
use crate::time::to_jst;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a finished file is kept: long enough to download it the next working day, short
/// enough that lists of citizens' reports do not pile up in the bucket.
pub const EXPORT_KEPT: TimeDelta = TimeDelta::hours(24);

/// What is exported. Each kind says its permission, label and file name, so a new kind is one
/// arm in each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// 配信ログ.
    DeliveryLog,
    /// 利用状況レポート.
    Usage,
    /// 通報.
    Reports,
    /// 操作ログ.
    AuditLog,
    /// フォーム回答: one form's answers (the form's id is the conditions' `form`).
    FormAnswers,
    /// FAQ: every FAQ in the columns the FAQ import reads.
    Faqs,
}

impl ExportKind {
    pub const ALL: [ExportKind; 6] = [
        Self::DeliveryLog,
        Self::Usage,
        Self::Reports,
        Self::AuditLog,
        Self::FormAnswers,
        Self::Faqs,
    ];

    /// The stable code in links and records.
    pub fn code(self) -> &'static str {
        match self {
            Self::DeliveryLog => "deliveries",
            Self::Usage => "usage",
            Self::Reports => "reports",
            Self::AuditLog => "audit",
            Self::FormAnswers => "form_answers",
            Self::Faqs => "faqs",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// 種類 as the list of exports shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::DeliveryLog => "配信ログ",
            Self::Usage => "利用状況",
            Self::Reports => "通報",
            Self::AuditLog => "操作ログ",
            Self::FormAnswers => "フォーム回答",
            Self::Faqs => "FAQ",
        }
    }

    /// The permission the console's page (and its old CSV link) needs.
    pub fn permission(self) -> Permission {
        match self {
            Self::DeliveryLog => Permission::DeliveryDraft,
            Self::Usage => Permission::UsageReports,
            Self::Reports => Permission::ReportsHandle,
            Self::AuditLog => Permission::AuditLog,
            Self::FormAnswers => Permission::FormsExport,
            Self::Faqs => Permission::Faq,
        }
    }
}

/// The file's encoding: Excel on Windows reads UTF-8 only with a BOM, and older setups want
/// CP932 (Shift_JIS).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvEncoding {
    #[default]
    Utf8Bom,
    Cp932,
}

impl CsvEncoding {
    /// The console's `encoding` field: `sjis` (or `cp932`, `shift_jis`) or UTF-8.
    pub fn from_param(value: Option<&str>) -> Self {
        match value.map(str::to_ascii_lowercase).as_deref() {
            Some("sjis" | "cp932" | "shift_jis" | "shift-jis") => Self::Cp932,
            _ => Self::Utf8Bom,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Utf8Bom => "utf8",
            Self::Cp932 => "sjis",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Utf8Bom => "UTF-8",
            Self::Cp932 => "Shift_JIS",
        }
    }
}

/// The conditions of an export, as the console's filter sends them (`from`, `to`, `month`, `q`
/// …), and the sentence that describes them (条件). Each kind's row source reads the fields
/// with the same parser as its page, so the file holds what the page listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportConditions {
    fields: BTreeMap<String, String>,
    described: String,
}

impl ExportConditions {
    /// Fields are kept as sent, empty ones too: for some filters an empty field means "no
    /// bound", which is not the same as a field not sent (the page's default).
    pub fn new<K: Into<String>, V: Into<String>>(
        fields: impl IntoIterator<Item = (K, V)>,
        described: impl Into<String>,
    ) -> Self {
        Self {
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            described: described.into(),
        }
    }

    /// The same conditions with `name` set to `value` (a field the desk adds).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// The same conditions, described with `more` after the page's words.
    pub fn described_also(mut self, more: &str) -> Self {
        self.described = if self.described.is_empty() {
            more.to_owned()
        } else {
            format!("{}、{more}", self.described)
        };
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn described(&self) -> &str {
        &self.described
    }
}

/// Who asked: what a colleague's right to the file is measured against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    pub login: String,
    pub name: String,
    pub scope: DepartmentScope,
}

/// 状態.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ExportStatus {
    /// 作成中.
    Running,
    /// 完了: the file is there.
    Ready {
        rows: u64,
        bytes: u64,
        /// Characters CP932 could not hold, written as 〓 (never dropped silently).
        replaced: u64,
    },
    /// 失敗.
    Failed { reason: String },
    /// 期限切れ: the file is deleted.
    Expired,
}

impl ExportStatus {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Running => "作成中",
            Self::Ready { .. } => "完了",
            Self::Failed { .. } => "失敗",
            Self::Expired => "期限切れ",
        }
    }
}

/// What a finished file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub rows: u64,
    pub bytes: u64,
    pub replaced: u64,
}

/// A refused request or change; renders as the sentence the console shows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("「{0}」の権限がないため、{1}のCSVは作成できません。")]
    NotPermitted(&'static str, &'static str),
    #[error("このCSVファイルをダウンロードする権限がありません。")]
    NotYours,
    #[error("このCSVファイルは「{0}」のため、この操作はできません。")]
    Status(&'static str),
    #[error("このCSVファイルは期限が切れたため削除しました。もう一度作成してください。")]
    Gone,
    /// A kind that is about one form asked for without it.
    #[error("{0}のCSVは、フォームの回答の画面から作成してください。")]
    NoForm(&'static str),
    /// The form's own rule (フォーム回答の出力 in its 課).
    #[error(transparent)]
    Form(#[from] FormError),
}

/// The form a [`ExportKind::FormAnswers`] file is about: its 課 decides who may download it,
/// its title names the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedForm {
    pub title: String,
    pub department: String,
}

/// One export and every change to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    id: String,
    kind: ExportKind,
    conditions: ExportConditions,
    encoding: CsvEncoding,
    requested_by: Requester,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    form: Option<ExportedForm>,
    #[serde(flatten)]
    status: ExportStatus,
    requested_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl Export {
    /// A new export, 作成中, if `by` holds the kind's permission.
    pub fn request(
        id: impl Into<String>,
        kind: ExportKind,
        conditions: ExportConditions,
        encoding: CsvEncoding,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<Self, ExportError> {
        if kind == ExportKind::FormAnswers {
            return Err(ExportError::NoForm(kind.label()));
        }
        let permission = kind.permission();
        if !by.may(permission) {
            return Err(ExportError::NotPermitted(permission.label(), kind.label()));
        }
        Ok(Self::running(id, kind, conditions, encoding, by, None, now))
    }

    /// A new export of `form`'s answers, 作成中, if `by` may export them
    /// ([`Form::check_exporter`]). The form's id is added to the conditions as `form`.
    pub fn request_form_answers(
        id: impl Into<String>,
        form: &Form,
        conditions: ExportConditions,
        encoding: CsvEncoding,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<Self, ExportError> {
        form.check_exporter(by)?;
        let conditions = conditions.with("form", form.id().as_str());
        let about = ExportedForm {
            title: form.title().to_owned(),
            department: form.department().to_owned(),
        };
        let kind = ExportKind::FormAnswers;
        Ok(Self::running(
            id,
            kind,
            conditions,
            encoding,
            by,
            Some(about),
            now,
        ))
    }

    fn running(
        id: impl Into<String>,
        kind: ExportKind,
        conditions: ExportConditions,
        encoding: CsvEncoding,
        by: &StaffAccount,
        form: Option<ExportedForm>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: id.into(),
            kind,
            conditions,
            encoding,
            requested_by: Requester {
                login: by.login_id.as_str().to_owned(),
                name: by.profile().display_name.clone(),
                scope: by.profile().scope.clone(),
            },
            form,
            status: ExportStatus::Running,
            requested_at: now,
            finished_at: None,
        }
    }

    /// 作成中 → 完了.
    pub fn complete(&mut self, written: Written, now: DateTime<Utc>) -> Result<(), ExportError> {
        self.check_running()?;
        self.status = ExportStatus::Ready {
            rows: written.rows,
            bytes: written.bytes,
            replaced: written.replaced,
        };
        self.finished_at = Some(now);
        Ok(())
    }

    /// 作成中 → 失敗, with the reason staff read.
    pub fn fail(
        &mut self,
        reason: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Result<(), ExportError> {
        self.check_running()?;
        self.status = ExportStatus::Failed {
            reason: reason.into(),
        };
        self.finished_at = Some(now);
        Ok(())
    }

    /// → 期限切れ once [`Export::expires_at`] has passed; answers whether it changed. An export
    /// still 作成中 by then has been abandoned (its function died): it expires too, and its file,
    /// if any part of it was written, is deleted with the others.
    pub fn expire(&mut self, now: DateTime<Utc>) -> bool {
        if self.status == ExportStatus::Expired || now < self.expires_at() {
            return false;
        }
        self.status = ExportStatus::Expired;
        self.finished_at.get_or_insert(now);
        true
    }

    /// Whether `who` may download the file: the requester, or a colleague holding the kind's
    /// permission over at least the requester's departments. A form's answers: whoever holds
    /// the permission in the form's 課 now, the requester too (a file of citizens' answers
    /// goes only to who may export them today).
    pub fn check_reader(&self, who: &StaffAccount, now: DateTime<Utc>) -> Result<(), ExportError> {
        let permission = self.kind.permission();
        let allowed = match &self.form {
            Some(form) => who.may_in(permission, &form.department),
            None => {
                let own = who.login_id.as_str() == self.requested_by.login;
                let colleague = who.may(permission)
                    && (!permission.is_department_scoped()
                        || covers(&who.profile().scope, &self.requested_by.scope));
                own || colleague
            }
        };
        if !allowed {
            return Err(ExportError::NotYours);
        }
        match self.status {
            ExportStatus::Ready { .. } if now < self.expires_at() => Ok(()),
            ExportStatus::Ready { .. } | ExportStatus::Expired => Err(ExportError::Gone),
            _ => Err(ExportError::Status(self.status.label())),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn kind(&self) -> ExportKind {
        self.kind
    }
    pub fn conditions(&self) -> &ExportConditions {
        &self.conditions
    }
    pub fn encoding(&self) -> CsvEncoding {
        self.encoding
    }
    pub fn requested_by(&self) -> &Requester {
        &self.requested_by
    }
    /// The form a file of answers is about.
    pub fn form(&self) -> Option<&ExportedForm> {
        self.form.as_ref()
    }
    pub fn status(&self) -> &ExportStatus {
        &self.status
    }
    pub fn requested_at(&self) -> DateTime<Utc> {
        self.requested_at
    }
    pub fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.finished_at
    }
    /// 期限: the file is deleted after this.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.requested_at + EXPORT_KEPT
    }
    pub fn is_ready(&self) -> bool {
        matches!(self.status, ExportStatus::Ready { .. })
    }
    /// Whether the sweep still has something to do (a file to delete, a state to end).
    pub fn is_live(&self) -> bool {
        self.status != ExportStatus::Expired
    }

    /// Where the file is stored: generated, never from user input.
    pub fn object_key(&self) -> String {
        format!("exports/{}/{}.csv", self.id, self.kind.code())
    }

    /// The name the browser saves the file as: 「配信ログ_20261202-0930.csv」 (JST); a form's
    /// answers carry its title: 「フォーム回答_健康診断の予約_20261202-0930.csv」.
    pub fn filename(&self) -> String {
        let when = to_jst(self.requested_at).format("%Y%m%d-%H%M");
        match &self.form {
            Some(form) => format!(
                "{}_{}_{when}.csv",
                self.kind.label(),
                file_safe(&form.title)
            ),
            None => format!("{}_{when}.csv", self.kind.label()),
        }
    }

    fn check_running(&self) -> Result<(), ExportError> {
        match self.status {
            ExportStatus::Running => Ok(()),
            _ => Err(ExportError::Status(self.status.label())),
        }
    }
}

/// Longest title part of a file name: Windows' paths stay short, the date stays visible.
const FILE_TITLE_CHARS: usize = 40;

/// A title as a file name part: characters Windows or a shell refuse (`\ / : * ? " < > |`),
/// control characters and spaces become `_`, and it is cut at [`FILE_TITLE_CHARS`].
fn file_safe(title: &str) -> String {
    let safe: String = title
        .trim()
        .chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() || c.is_whitespace() => '_',
            c => c,
        })
        .take(FILE_TITLE_CHARS)
        .collect();
    let safe = safe.trim_matches(|c| c == '.' || c == '_');
    if safe.is_empty() {
        "フォーム".to_owned()
    } else {
        safe.to_owned()
    }
}

/// Whether `holder` reaches every department `requester` does.
fn covers(holder: &DepartmentScope, requester: &DepartmentScope) -> bool {
    match (holder, requester) {
        (DepartmentScope::All, _) => true,
        (DepartmentScope::Only(_), DepartmentScope::All) => false,
        (DepartmentScope::Only(mine), DepartmentScope::Only(theirs)) => theirs.is_subset(mine),
    }
}

#[cfg(test)]
mod tests;
