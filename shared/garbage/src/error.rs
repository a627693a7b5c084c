//! The one error boundary of this crate: reading files staff upload (5374 CSVs, the Cabinet
//! Office holiday CSV). Every problem found is reported at once, with its file and line, so staff
//! can fix the whole file in one go; nothing is ever half-imported.

use std::fmt;

/// One problem in one uploaded file, worded for staff (Japanese).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The file the problem is in, e.g. `area_days.csv`.
    pub file: String,
    /// 1-based line number in the file (the header is line 1); `None` for whole-file problems.
    pub line: Option<usize>,
    /// 1-based column number, when the problem is in one cell.
    pub column: Option<usize>,
    pub message: String,
}

impl ImportError {
    pub fn new(
        file: &str,
        line: Option<usize>,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " {line}行目")?;
        }
        if let Some(column) = self.column {
            write!(f, " {column}列目")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in an upload. Returned instead of any partial result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.errors))]
pub struct ImportFailed {
    pub errors: Vec<ImportError>,
}

fn render(errors: &[ImportError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
