//! Turning uploaded bytes into text and CSV records.
//!
//! Japanese municipal CSVs come as CP932 (Excel's default "CSV") or UTF-8, with or without a BOM,
//! with CRLF or LF line ends. Valid UTF-8 is taken as UTF-8 (a CP932 file of Japanese text is
//! almost never valid UTF-8); anything else is decoded as CP932.
//!
//! The CSV reader is small and strict on purpose: it keeps the line number each record starts on
//! (for error messages) and never guesses about broken quoting.
//!
//! Writing and reading share the export writer's formula rule (`tayori_csv`): a cell Excel would
//! run as a formula is written with a leading `'`, and read back without it, so data from a third
//! party cannot turn an exported file into an attack on whoever opens it, and an export imports
//! back as the same calendar.

use crate::error::ImportError;

/// Decodes an uploaded file as UTF-8 (BOM stripped) or else CP932.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ImportError::new(
            file,
            None,
            None,
            "文字コードを判別できません（UTF-8 か Shift_JIS（CP932）で保存してください）",
        ));
    }
    Ok(text.into_owned())
}

/// One CSV record and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Splits CSV text into records (RFC 4180 quoting). Blank lines are skipped.
pub fn parse_csv(file: &str, text: &str) -> Result<Vec<Record>, ImportError> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start_line = 1;
    let mut in_quotes = false;
    let mut quoted_field = false;
    let mut chars = text.chars().peekable();
    let mut row_has_content = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted_field => {
                in_quotes = true;
                quoted_field = true;
                row_has_content = true;
            }
            '"' => {
                return Err(ImportError::new(
                    file,
                    Some(line),
                    Some(fields.len() + 1),
                    "引用符（\"）の位置が正しくありません",
                ))
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted_field = false;
                row_has_content = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                if row_has_content || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    records.push(Record {
                        line: start_line,
                        fields: std::mem::take(&mut fields),
                    });
                }
                quoted_field = false;
                row_has_content = false;
                line += 1;
                start_line = line;
            }
            _ => {
                if quoted_field {
                    return Err(ImportError::new(
                        file,
                        Some(line),
                        Some(fields.len() + 1),
                        "引用符（\"）の後に余分な文字があります",
                    ));
                }
                field.push(c);
                row_has_content = true;
            }
        }
    }
    if in_quotes {
        return Err(ImportError::new(
            file,
            Some(start_line),
            None,
            "引用符（\"）が閉じられていません",
        ));
    }
    if row_has_content || !field.is_empty() {
        fields.push(field);
        records.push(Record {
            line: start_line,
            fields,
        });
    }
    for field in records.iter_mut().flat_map(|r| r.fields.iter_mut()) {
        let plain = tayori_csv::read_back(field);
        if plain.len() != field.len() {
            *field = plain.to_owned();
        }
    }
    Ok(records)
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
