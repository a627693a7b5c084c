//! Turning an uploaded file into CSV records that remember their line, for the error report.
//!
//! GSI publishes UTF-8; staff who open a file in Excel and save it send CP932, sometimes UTF-8
//! with a BOM. Valid UTF-8 is taken as UTF-8 (CP932 Japanese is almost never valid UTF-8);
//! anything else is decoded as CP932. The reader keeps the same strict RFC 4180 rules as the
//! garbage calendar's importer (`tayori_garbage::text`): broken quoting is reported, never
//! guessed at.

use super::{LineError, Problem};

/// Decodes an uploaded file as UTF-8 (BOM stripped) or else CP932.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, LineError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(LineError::new(file, 1, None, Problem::Encoding));
    }
    Ok(text.into_owned())
}

/// One CSV record and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Splits CSV text into records. Blank lines are skipped.
pub fn records(file: &str, text: &str) -> Result<Vec<Record>, LineError> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut start_line) = (1, 1);
    let (mut in_quotes, mut quoted_field, mut row_has_content) = (false, false, false);
    let mut chars = text.chars().peekable();
    let broken = |line| LineError::new(file, line, None, Problem::Quoting);
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
            '"' => return Err(broken(line)),
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
            _ if quoted_field => return Err(broken(line)),
            _ => {
                field.push(c);
                row_has_content = true;
            }
        }
    }
    if in_quotes {
        return Err(broken(start_line));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_keep_commas_and_lines_count_from_one() {
        let text = "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",z\n";
        let rows = records("f.csv", text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].fields, ["x,y", "say \"hi\""]);
        assert_eq!(rows[1].line, 2);
        assert_eq!(rows[2].line, 4);
        assert_eq!(rows[2].fields, ["two\nlines", "z"]);
    }

    #[test]
    fn broken_quoting_is_reported_with_its_line() {
        let err = records("f.csv", "a,b\nx\"y,z\n").unwrap_err();
        assert_eq!((err.line, err.problem.clone()), (2, Problem::Quoting));
        let err = records("f.csv", "a,b\n\"open,z\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn utf8_with_or_without_bom_and_cp932_decode_alike() {
        let text = "名称,住所\n公民館,小浜市\n";
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes(), &bom, &cp932] {
            assert_eq!(decode("f.csv", bytes).unwrap(), text);
        }
        let err = decode("f.csv", b"\x82\xa0\xff\xff").unwrap_err();
        assert_eq!(err.problem, Problem::Encoding);
    }
}
