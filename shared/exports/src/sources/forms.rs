//! フォーム回答: one form's answers that the answers page's filters admit, newest first, each
//! question in the form's order (`FormDesk::answer_rows`, a store page at a time). The
//! requester's フォーム回答の出力 in the form's 課 is checked again when the file is made, as
//! their permissions are then. Personal values only when the request ticked 「個人情報を含める」
//! (`personal` = `yes`); the request was audited as a view of them.

use crate::csv::{RowSource, SourceError};
use async_trait::async_trait;
use chrono::NaiveDate;
use tayori_domain::export::{Export, ExportConditions};
use tayori_domain::form::{AnswerStatus, FormId};
use tayori_domain::staff::LoginId;
use tayori_formdesk::{AnswerFilter, AnswerRows, FormDesk, FormDeskError, PersonalValues};
use tayori_ports::Platform;
use tayori_records::StaffAccounts;

/// The conditions' field that says the file holds personal values.
pub const PERSONAL: &str = "personal";

pub struct FormAnswerRows {
    rows: AnswerRows,
}

impl From<FormDeskError> for SourceError {
    fn from(e: FormDeskError) -> Self {
        match e {
            FormDeskError::NotFound => SourceError::Conditions(e.to_string()),
            e => SourceError::Read(e.to_string()),
        }
    }
}

/// Whether the conditions ask for personal values.
pub fn personal_values(conditions: &ExportConditions) -> PersonalValues {
    match conditions.get(PERSONAL) {
        Some("yes") => PersonalValues::Included,
        _ => PersonalValues::LeftOut,
    }
}

/// The answers page's filter from the fields its form sends: `q`, `status`, `from`, `to`
/// (JST dates); an empty one is no filter, a status the form does not know is none either.
pub fn answer_filter(conditions: &ExportConditions) -> Result<AnswerFilter, SourceError> {
    let text = |name: &str| {
        conditions
            .get(name)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let date = |name: &str| match text(name) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                SourceError::Conditions("日付は「2026-12-01」の形で入力してください。".into())
            }),
    };
    Ok(AnswerFilter {
        status: text("status").and_then(|s| AnswerStatus::from_code(&s)),
        text: text("q"),
        from: date("from")?,
        to: date("to")?,
    })
}

impl FormAnswerRows {
    pub async fn read(platform: &Platform, export: &Export) -> Result<Self, SourceError> {
        let c = export.conditions();
        let id = c
            .get("form")
            .and_then(|id| FormId::parse(id).ok())
            .ok_or_else(|| SourceError::Conditions("フォームが見つかりません。".into()))?;
        let filter = answer_filter(c)?;
        let login = LoginId::parse(&export.requested_by().login)
            .map_err(|_| SourceError::Conditions("依頼した職員が見つかりません。".into()))?;
        let by = StaffAccounts::new(platform.table.clone(), platform.cipher.clone())
            .get(&login)
            .await?
            .ok_or_else(|| SourceError::Conditions("依頼した職員が見つかりません。".into()))?;
        let desk = FormDesk::new(platform);
        let form = desk.form(&id).await?;
        form.check_exporter(&by)
            .map_err(|e| SourceError::Conditions(e.to_string()))?;
        let rows = desk.answer_rows(&id, filter, personal_values(c)).await?;
        Ok(Self { rows })
    }
}

#[async_trait]
impl RowSource for FormAnswerRows {
    fn header(&self) -> Vec<String> {
        self.rows.header().to_vec()
    }

    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        Ok(self.rows.next_rows().await?)
    }
}
