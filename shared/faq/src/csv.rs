//! The FAQ files as tables: the rows come from the repository's CSV reader, looked up here by
//! column name, with errors worded for the staff member who made the file.

use tayori_csv::read::{self, ReadError};

/// A CSV text that cannot be read: where, and why.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CsvError {
    #[error("CSV の {line} 行目: 引用符 \" が閉じられていません")]
    UnclosedQuote { line: usize },
    #[error("CSV の {line} 行目: 引用符で囲んだ項目の後に文字があります")]
    TextAfterQuote { line: usize },
    #[error("CSV の {line} 行目: 引用符で囲まない項目の中に引用符 \" があります")]
    QuoteInCell { line: usize },
    #[error("CSV の文字コードが UTF-8 でも Shift_JIS でもありません")]
    Encoding,
    #[error("CSV の見出し行に「{column}」の列がありません")]
    MissingColumn { column: String },
    #[error("CSV の {line} 行目: 項目が {found} 個です（見出しは {expected} 個）")]
    WrongFieldCount {
        line: usize,
        found: usize,
        expected: usize,
    },
}

/// The rows of `text`, each a list of fields with the line it starts on (from 1), for error
/// messages; blank lines skipped, a BOM in front ignored. The repository's one CSV reader
/// (`tayori_csv::read`) splits them, as for every other import staff make.
pub fn rows(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = read::records(text).map_err(CsvError::from)?;
    Ok(records.into_iter().map(|r| (r.line, r.fields)).collect())
}

impl From<ReadError> for CsvError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Encoding => Self::Encoding,
            ReadError::QuoteInCell { line, .. } => Self::QuoteInCell { line },
            ReadError::TextAfterQuote { line, .. } => Self::TextAfterQuote { line },
            ReadError::Unclosed { line } => Self::UnclosedQuote { line },
        }
    }
}

/// Rows of a CSV with a header line, read as records whose fields are looked up by column name.
pub struct Table {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Reads `text`; every row must have as many fields as the header.
    pub fn parse(text: &str) -> Result<Self, CsvError> {
        let mut all = rows(text)?.into_iter();
        let header = all.next().map(|(_, h)| h).unwrap_or_default();
        let rows: Vec<_> = all.collect();
        for (line, fields) in &rows {
            if fields.len() != header.len() {
                return Err(CsvError::WrongFieldCount {
                    line: *line,
                    found: fields.len(),
                    expected: header.len(),
                });
            }
        }
        Ok(Self { header, rows })
    }

    /// The position of `column`, or an error naming it.
    pub fn column(&self, column: &str) -> Result<usize, CsvError> {
        self.header
            .iter()
            .position(|h| h.trim() == column)
            .ok_or_else(|| CsvError::MissingColumn {
                column: column.to_owned(),
            })
    }

    /// The data rows (without the header), fields trimmed of surrounding spaces.
    pub fn records(&self) -> impl Iterator<Item = Vec<&str>> {
        self.lines().map(|(_, fields)| fields)
    }

    /// The data rows with the line each starts on, for a report of what is wrong where.
    pub fn lines(&self) -> impl Iterator<Item = (usize, Vec<&str>)> {
        self.rows
            .iter()
            .map(|(line, fields)| (*line, fields.iter().map(|f| f.trim()).collect()))
    }
}
