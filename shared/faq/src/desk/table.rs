//! Staff's FAQ file: one FAQ a row, Japanese column names, Excel-ready both ways (the export
//! function writes it with a BOM or in CP932; the import reads either).

use super::error::{FaqDeskError, RowProblem};
use crate::csv::{CsvError, Table};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use tayori_domain::faq::{Faq, FaqDraft, FaqId};

/// The columns, in the file's order. 言い換え are separated by 「|」; 公開 is 公開 or 非公開.
pub const COLUMNS: [&str; 9] = [
    "ID",
    "分類",
    "担当課",
    "質問",
    "言い換え",
    "回答",
    "リンクの文字",
    "リンクURL",
    "公開",
];
/// More rows than a city's FAQ would ever hold is a wrong file.
const MAX_ROWS: usize = 5_000;

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub created: usize,
    pub updated: usize,
}

/// The FAQs `bytes` hold, every row checked; the problems of every refused row otherwise.
pub(super) fn parse(bytes: &[u8], by: &str, at: DateTime<Utc>) -> Result<Vec<Faq>, FaqDeskError> {
    let text = tayori_csv::read::decode(bytes).map_err(CsvError::from)?;
    let table = Table::parse(&text)?;
    let at_column = |name: &str| table.column(name);
    let columns: Vec<usize> = COLUMNS
        .iter()
        .map(|c| at_column(c))
        .collect::<Result<_, _>>()?;
    let mut faqs = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (line, row) in table.lines() {
        if faqs.len() + problems.len() >= MAX_ROWS {
            problems.push(RowProblem {
                line,
                problem: format!("一度に取り込めるのは{MAX_ROWS}行までです。"),
            });
            break;
        }
        let cell = |n: usize| row[columns[n]];
        let refuse = |problem: String| RowProblem { line, problem };
        let id = match cell(0) {
            "" => FaqId::parse(&format!(
                "faq-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..10]
            )),
            id => FaqId::parse(id),
        };
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                problems.push(refuse(e.to_string()));
                continue;
            }
        };
        if !seen.insert(id.clone()) {
            problems.push(refuse(format!("ID「{id}」が重複しています。")));
            continue;
        }
        let published = match cell(8) {
            "公開" | "" => true,
            "非公開" => false,
            other => {
                problems.push(refuse(format!(
                    "公開の欄は「公開」か「非公開」にしてください（「{other}」）。"
                )));
                continue;
            }
        };
        let draft = FaqDraft {
            category: cell(1).into(),
            department: cell(2).into(),
            question: cell(3).into(),
            phrasings: cell(4).into(),
            answer: cell(5).into(),
            link_label: cell(6).into(),
            link_url: cell(7).into(),
            published,
        };
        match Faq::new(id, &draft, by, at) {
            Ok(faq) => faqs.push(faq),
            Err(e) => problems.push(refuse(e.to_string())),
        }
    }
    if !problems.is_empty() {
        return Err(FaqDeskError::Rows(problems));
    }
    Ok(faqs)
}

/// The rows of `faqs` in [`COLUMNS`]' order, which [`parse`] reads back to the same FAQs.
pub fn export_rows(faqs: &[Faq]) -> Vec<Vec<String>> {
    faqs.iter()
        .map(|faq| {
            let draft = faq.draft();
            vec![
                faq.id().to_string(),
                draft.category,
                draft.department,
                draft.question,
                draft.phrasings.replace('\n', "|"),
                draft.answer,
                draft.link_label,
                draft.link_url,
                if draft.published {
                    "公開"
                } else {
                    "非公開"
                }
                .to_owned(),
            ]
        })
        .collect()
}
