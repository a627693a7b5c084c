//! Turning an uploaded file into CSV records that remember their line, for the error report.
//!
//! GSI publishes UTF-8; staff who open a file in Excel and save it send CP932, sometimes UTF-8
//! with a BOM: the shared reader (`tayori_csv::read`) takes all three, and reports broken
//! quoting rather than guessing; its refusals are worded here for the per-line report.

use super::{LineError, Problem};
use tayori_csv::read::ReadError;
pub use tayori_csv::read::Record;

/// Decodes an uploaded file as UTF-8 (BOM stripped) or else CP932.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, LineError> {
    tayori_csv::read::decode(bytes).map_err(|e| line_error(file, e))
}

/// Splits CSV text into records. Blank lines are skipped.
pub fn records(file: &str, text: &str) -> Result<Vec<Record>, LineError> {
    tayori_csv::read::records(text).map_err(|e| line_error(file, e))
}

fn line_error(file: &str, error: ReadError) -> LineError {
    match error {
        ReadError::Encoding => LineError::new(file, 1, None, Problem::Encoding),
        broken => LineError::new(file, broken.line().unwrap_or(1), None, Problem::Quoting),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_refusals_become_lines_of_the_report() {
        let err = records("f.csv", "a,b\nx\"y,z\n").unwrap_err();
        assert_eq!((err.line, err.problem.clone()), (2, Problem::Quoting));
        let err = records("f.csv", "a,b\n\"open,z\n").unwrap_err();
        assert_eq!((err.line, err.problem.clone()), (2, Problem::Quoting));
        let err = decode("f.csv", b"\x82\xa0\xff\xff").unwrap_err();
        assert_eq!((err.line, err.problem), (1, Problem::Encoding));
    }
}
