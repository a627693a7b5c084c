//! Analysis (集計) and the CSV rows: both read every answer of a form a store page at a time,
//! so a form with many thousand answers is never held whole.

use super::{AnswerFilter, Clerk, FormDesk, FormDeskError};
use std::collections::BTreeMap;
use tayori_domain::form::{Answer, CrossTab, Field, FieldId, Form, FormAnalysis, FormId, Tally};
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

    /// The CSV's header and a pager over the rows of the answers `filter` admits (as the
    /// answers page's filter does), newest first: 受付番号, 回答日時 (JST), 状態, 予約枠 (when
    /// any version has slots), each question in the form's order (citizen fields, then
    /// staff-only ones), メモ. The form as it is now names the columns; a question an older
    /// version had and the present one dropped follows them, marked with its version, so each
    /// answer is read against the questions it was given with. Personal values are
    /// [`PERSONAL_LEFT_OUT`] unless `personal` includes them. Cells are text; quoting, the BOM
    /// or CP932 and formula neutralising are the export's.
    pub async fn answer_rows(
        &self,
        id: &FormId,
        filter: AnswerFilter,
        personal: PersonalValues,
    ) -> Result<AnswerRows, FormDeskError> {
        let now = self.form(id).await?;
        let mut versions = BTreeMap::new();
        for version in 1..now.version() {
            if let Some(form) = self.forms.version(id, version).await? {
                versions.insert(version, form);
            }
        }
        versions.insert(now.version(), now);
        Ok(AnswerRows::new(
            versions,
            filter,
            personal,
            self.forms.each_answer(id),
        ))
    }
}

/// Whether a file of answers holds their personal values (「個人情報を含める」).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PersonalValues {
    /// The default: a file travels further than a page.
    #[default]
    LeftOut,
    Included,
}

/// A personal value's cell when the file leaves them out. The column stays, so a file with
/// and one without personal values have the same columns (a spreadsheet built on one reads
/// the other), and staff see the question was answered.
pub const PERSONAL_LEFT_OUT: &str = "（個人情報・出力対象外）";

/// One question's column.
struct Column {
    id: FieldId,
    /// Personal in any version: a value given when it was personal stays sealed in the file.
    personal: bool,
}

/// A form's answers as CSV cells, a store page at a time (see [`FormDesk::answer_rows`]).
pub struct AnswerRows {
    header: Vec<String>,
    columns: Vec<Column>,
    with_slot: bool,
    /// Every version the answers may have been given with; the last is the form as it is now.
    versions: BTreeMap<u32, Form>,
    filter: AnswerFilter,
    personal: PersonalValues,
    pages: AnswerPager,
}

impl AnswerRows {
    fn new(
        versions: BTreeMap<u32, Form>,
        filter: AnswerFilter,
        personal: PersonalValues,
        pages: AnswerPager,
    ) -> Self {
        let asked = |form: &Form| -> Vec<Field> {
            form.citizen_fields()
                .chain(form.staff_fields())
                .filter(|f| f.takes_answer())
                .cloned()
                .collect()
        };
        let mut header: Vec<String> = vec!["受付番号".into(), "回答日時".into(), "状態".into()];
        let with_slot = versions.values().any(|f| !f.slots().is_empty());
        if with_slot {
            header.push("予約枠".into());
        }
        let mut columns: Vec<Column> = Vec::new();
        let newest = versions.keys().next_back().copied();
        for (version, form) in versions.iter().rev() {
            for field in asked(form) {
                if columns.iter().any(|c| c.id == field.id) {
                    continue;
                }
                header.push(if Some(*version) == newest {
                    field.label.clone()
                } else {
                    format!("{}（第{version}版）", field.label)
                });
                let personal = versions
                    .values()
                    .any(|f| f.field(&field.id).is_some_and(|f| f.personal));
                columns.push(Column {
                    id: field.id,
                    personal,
                });
            }
        }
        header.push("メモ".into());
        Self {
            header,
            columns,
            with_slot,
            versions,
            filter,
            personal,
            pages,
        }
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next page's rows (never empty), or `None` after the last.
    pub async fn next_rows(&mut self) -> Result<Option<Vec<Vec<String>>>, FormDeskError> {
        loop {
            let Some(page) = self.pages.next_page().await? else {
                return Ok(None);
            };
            let rows: Vec<Vec<String>> = page
                .iter()
                .filter_map(|answer| {
                    let form = self.form_of(answer);
                    self.filter
                        .admits(answer, form)
                        .then(|| self.row(answer, form))
                })
                .collect();
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
    }

    /// The version the answer was given with (the form as it is now if that one is gone).
    fn form_of(&self, answer: &Answer) -> &Form {
        self.versions
            .get(&answer.form_version())
            .or_else(|| self.versions.values().next_back())
            .expect("the form as it is now is always among the versions")
    }

    fn row(&self, answer: &Answer, form: &Form) -> Vec<String> {
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
                    .and_then(|id| form.slot(id))
                    .map(|slot| slot.label())
                    .unwrap_or_default(),
            );
        }
        for column in &self.columns {
            row.push(match answer.value(&column.id) {
                None => String::new(),
                Some(_) if column.personal && self.personal == PersonalValues::LeftOut => {
                    PERSONAL_LEFT_OUT.to_string()
                }
                Some(value) => value.csv_text(),
            });
        }
        row.push(answer.memo().to_string());
        row
    }
}
