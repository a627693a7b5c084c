//! Analysis (集計) and the CSV rows: both read every answer of a form a store page at a time,
//! so a form with many thousand answers is never held whole.

use super::{Clerk, FormDesk, FormDeskError};
use tayori_domain::form::{Answer, CrossTab, Field, FieldId, Form, FormAnalysis, FormId, Tally};
use tayori_domain::staff::Permission;
use tayori_domain::time::to_jst;
use tayori_records::forms::AnswerPager;

impl FormDesk {
    /// Per-question counts over every answer (cancelled ones left out), against the questions
    /// of `version`.
    pub async fn analysis(
        &self,
        clerk: Clerk<'_>,
        id: &FormId,
        version: u32,
    ) -> Result<FormAnalysis, FormDeskError> {
        self.handled_form(clerk, id).await?;
        let form = self.form_version(id, version).await?;
        let mut tally = Tally::new(&form);
        let mut pages = self.forms.each_answer(id);
        while let Some(page) = pages.next_page().await? {
            page.iter().for_each(|answer| tally.add(answer));
        }
        Ok(tally.finish())
    }

    /// クロス集計: the choice question `question` of the form as it is now, by the citizens'
    /// registered `attribute` (a segment item id, e.g. 年代) as it was when they answered.
    pub async fn cross_tab(
        &self,
        clerk: Clerk<'_>,
        id: &FormId,
        question: &FieldId,
        attribute: &str,
    ) -> Result<CrossTab, FormDeskError> {
        let form = self.handled_form(clerk, id).await?;
        let items = self.segments.get().await?;
        let item = items
            .get(attribute)
            .ok_or_else(|| FormDeskError::UnknownAttribute(attribute.to_string()))?;
        let rows: Vec<String> = item.choices.iter().map(|c| c.value.clone()).collect();
        let mut table = CrossTab::new(&form, question, attribute, &rows)?;
        let mut pages = self.forms.each_answer(id);
        while let Some(page) = pages.next_page().await? {
            page.iter().for_each(|answer| table.add(answer));
        }
        Ok(table)
    }

    /// Whether `clerk` may export the form's answers (フォーム回答の出力 in its 課): the console
    /// asks before requesting an export, which then reads [`FormDesk::answer_rows`].
    pub async fn check_export(&self, clerk: Clerk<'_>, id: &FormId) -> Result<(), FormDeskError> {
        let form = self.form(id).await?;
        if !clerk.account.may(Permission::FormsExport) {
            return Err(tayori_domain::form::AnswerError::NoPermission.into());
        }
        if !clerk
            .account
            .may_in(Permission::FormsExport, form.department())
        {
            return Err(tayori_domain::form::FormError::OtherDepartment(
                form.department().to_string(),
            )
            .into());
        }
        Ok(())
    }

    /// The CSV's header and a pager over its rows, newest answer first, with the questions of
    /// `version`: 受付番号, 回答日時 (JST), 状態, 予約枠 (reservations), each citizen field, each
    /// staff-only field, メモ. Values are the cells as text; quoting, the BOM or CP932 and
    /// formula neutralising are the export's.
    pub async fn answer_rows(
        &self,
        id: &FormId,
        version: u32,
    ) -> Result<AnswerRows, FormDeskError> {
        let form = self.form_version(id, version).await?;
        Ok(AnswerRows::new(form, self.forms.each_answer(id)))
    }
}

/// A form's answers as CSV cells, a store page at a time (see [`FormDesk::answer_rows`]).
pub struct AnswerRows {
    header: Vec<String>,
    columns: Vec<Field>,
    with_slot: bool,
    form: Form,
    pages: AnswerPager,
}

impl AnswerRows {
    fn new(form: Form, pages: AnswerPager) -> Self {
        let columns: Vec<Field> = form
            .citizen_fields()
            .chain(form.staff_fields())
            .filter(|f| f.takes_answer())
            .cloned()
            .collect();
        let with_slot = !form.slots().is_empty();
        let mut header: Vec<String> = vec!["受付番号".into(), "回答日時".into(), "状態".into()];
        if with_slot {
            header.push("予約枠".into());
        }
        header.extend(columns.iter().map(|f| f.label.clone()));
        header.push("メモ".into());
        Self {
            header,
            columns,
            with_slot,
            form,
            pages,
        }
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next page's rows (never empty), or `None` after the last.
    pub async fn next_rows(&mut self) -> Result<Option<Vec<Vec<String>>>, FormDeskError> {
        let Some(page) = self.pages.next_page().await? else {
            return Ok(None);
        };
        Ok(Some(page.iter().map(|a| self.row(a)).collect()))
    }

    fn row(&self, answer: &Answer) -> Vec<String> {
        let mut row = Vec::with_capacity(self.header.len());
        row.push(answer.receipt().to_string());
        row.push(
            to_jst(answer.submitted_at())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        );
        row.push(answer.status().label().to_string());
        if self.with_slot {
            row.push(
                answer
                    .slot()
                    .and_then(|id| self.form.slot(id))
                    .map(|slot| slot.label())
                    .unwrap_or_default(),
            );
        }
        for field in &self.columns {
            row.push(
                answer
                    .value(&field.id)
                    .map(|v| v.csv_text())
                    .unwrap_or_default(),
            );
        }
        row.push(answer.memo().to_string());
        row
    }
}
