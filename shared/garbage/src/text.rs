//! Turning uploaded bytes into text and CSV records.
//!
//! Japanese municipal CSVs come as CP932 (Excel's default "CSV") or UTF-8, with or without a BOM,
//! with CRLF or LF line ends. Valid UTF-8 is taken as UTF-8 (a CP932 file of Japanese text is
//! almost never valid UTF-8); anything else is decoded as CP932.
//!
//! The CSV reader is the one every import shares (`tayori_csv::read`): strict on purpose, it
//! keeps the line number each record starts on (for error messages) and never guesses about
//! broken quoting. Its refusals are worded here for the calendar's import report.
//!
//! Writing and reading share the export writer's formula rule (`tayori_csv`): a cell Excel would
//! run as a formula is written with a leading `'`, and read back without it, so data from a third
//! party cannot turn an exported file into an attack on whoever opens it, and an export imports
//! back as the same calendar.

use crate::error::ImportError;

use tayori_csv::read::ReadError;
pub use tayori_csv::read::Record;

/// Decodes an uploaded file as UTF-8 (BOM stripped) or else CP932.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, ImportError> {
    tayori_csv::read::decode(bytes).map_err(|e| import_error(file, e))
}

/// Splits CSV text into records (RFC 4180 quoting). Blank lines are skipped.
pub fn parse_csv(file: &str, text: &str) -> Result<Vec<Record>, ImportError> {
    tayori_csv::read::records(text).map_err(|e| import_error(file, e))
}

/// The reader's refusal, worded for the calendar's import report.
fn import_error(file: &str, error: ReadError) -> ImportError {
    match error {
        ReadError::Encoding => ImportError::new(
            file,
            None,
            None,
            "文字コードを判別できません（UTF-8 か Shift_JIS（CP932）で保存してください）",
        ),
        ReadError::QuoteInCell { line, column } => ImportError::new(
            file,
            Some(line),
            Some(column),
            "引用符（\"）の位置が正しくありません",
        ),
        ReadError::TextAfterQuote { line, column } => ImportError::new(
            file,
            Some(line),
            Some(column),
            "引用符（\"）の後に余分な文字があります",
        ),
        ReadError::Unclosed { line } => {
            ImportError::new(file, Some(line), None, "引用符（\"）が閉じられていません")
        }
    }
}

/// Writes records as UTF-8 CSV with CRLF line ends (what 5374 publishers and Excel expect),
/// quoting only the cells that need it and neutralising formulas, by the shared writer's rule.
pub fn write_csv(rows: &[Vec<String>]) -> String {
    rows.iter().map(|row| tayori_csv::line(row)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_with_commas_quotes_and_newlines_round_trip() {
        let rows = vec![
            vec![
                "a,b".to_owned(),
                "say \"hi\"".to_owned(),
                "two\nlines".to_owned(),
            ],
            vec![String::new(), "x".to_owned(), String::new()],
        ];
        let text = write_csv(&rows);
        let parsed = parse_csv("t.csv", &text).unwrap();
        assert_eq!(
            parsed.iter().map(|r| r.fields.clone()).collect::<Vec<_>>(),
            rows
        );
        assert_eq!(
            parsed[1].line, 3,
            "the second record starts after the two-line cell"
        );
    }

    #[test]
    fn an_unclosed_quote_names_the_line_it_opened_on() {
        let err = parse_csv("t.csv", "a,b\n\"open,c\nd\n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn cp932_bytes_are_decoded_and_a_utf8_bom_is_dropped() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("燃やすごみ");
        assert_eq!(decode("t", &sjis).unwrap(), "燃やすごみ");
        assert_eq!(decode("t", "\u{feff}月 木".as_bytes()).unwrap(), "月 木");
    }
}
