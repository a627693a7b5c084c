//! What the FAQ desk refuses, in words for the clerk.

use crate::csv::CsvError;
use tayori_domain::faq::FaqError;
use tayori_records::RecordError;

/// A CSV row that cannot be imported: its line and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}行目: {problem}")]
pub struct RowProblem {
    pub line: usize,
    pub problem: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FaqDeskError {
    #[error("FAQ管理の権限がありません。")]
    NotAllowed,
    #[error("FAQが見つかりません。削除された可能性があります。")]
    NotFound,
    #[error(transparent)]
    Invalid(#[from] FaqError),
    #[error("CSVを読み取れませんでした。{0}")]
    Unreadable(#[from] CsvError),
    #[error("CSVに問題がある行があるため、取り込みませんでした（{}件）。", .0.len())]
    Rows(Vec<RowProblem>),
    #[error(transparent)]
    Record(#[from] RecordError),
}
