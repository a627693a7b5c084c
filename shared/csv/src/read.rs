//! The CSV reader every import shares (the 5374 garbage data, the holiday list, GSI's shelter
//! lists, staff's facility lists).
//!
//! Japanese municipal CSVs come as CP932 (Excel's default "CSV") or UTF-8, with or without a
//! BOM, with CRLF or LF line ends. Valid UTF-8 is taken as UTF-8 (a CP932 file of Japanese text
//! is almost never valid UTF-8); anything else is decoded as CP932.
//!
//! The reader is small and strict on purpose: it keeps the line number each record starts on
//! (for the importer's error report) and never guesses about broken quoting. Cells go through
//! [`crate::read_back`], so a cell the writer neutralised imports as the value it was.

/// What made a file unreadable as CSV; each importer words it for its own report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Neither UTF-8 nor CP932.
    Encoding,
    /// A `"` inside an unquoted cell (`line`, 1-based `column`).
    QuoteInCell { line: usize, column: usize },
    /// Text after a quoted cell's closing `"`.
    TextAfterQuote { line: usize, column: usize },
    /// A quoted cell still open at the end of the file, from `line`.
    Unclosed { line: usize },
}

impl ReadError {
    /// The line it was found on, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Encoding => None,
            Self::QuoteInCell { line, .. }
            | Self::TextAfterQuote { line, .. }
            | Self::Unclosed { line } => Some(*line),
        }
    }
}

/// Decodes an uploaded file as UTF-8 (BOM stripped) or else CP932.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ReadError::Encoding);
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
pub fn records(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut start_line) = (1, 1);
    let (mut in_quotes, mut quoted_field, mut row_has_content) = (false, false, false);
    let mut chars = text.chars().peekable();
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
                let column = fields.len() + 1;
                return Err(ReadError::QuoteInCell { line, column });
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
            _ if quoted_field => {
                let column = fields.len() + 1;
                return Err(ReadError::TextAfterQuote { line, column });
            }
            _ => {
                field.push(c);
                row_has_content = true;
            }
        }
    }
    if in_quotes {
        return Err(ReadError::Unclosed { line: start_line });
    }
    if row_has_content || !field.is_empty() {
        fields.push(field);
        records.push(Record {
            line: start_line,
            fields,
        });
    }
    for field in records.iter_mut().flat_map(|r| r.fields.iter_mut()) {
        let plain = crate::read_back(field);
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
        let text = "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",z\n'=1+1\n";
        let rows = records(text).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].fields, ["x,y", "say \"hi\""]);
        assert_eq!(rows[1].line, 2);
        assert_eq!(rows[2].line, 4);
        assert_eq!(rows[2].fields, ["two\nlines", "z"]);
        assert_eq!(rows[3].fields, ["=1+1"]);
    }

    #[test]
    fn broken_quoting_is_reported_with_its_line_and_column() {
        assert_eq!(
            records("a,b\nx,y\"z\n"),
            Err(ReadError::QuoteInCell { line: 2, column: 2 })
        );
        assert_eq!(
            records("a,b\n\"x\"y,z\n"),
            Err(ReadError::TextAfterQuote { line: 2, column: 1 })
        );
        assert_eq!(
            records("a,b\n\"open,z\n"),
            Err(ReadError::Unclosed { line: 2 })
        );
    }

    #[test]
    fn utf8_with_or_without_bom_and_cp932_decode_alike() {
        let text = "名称,住所\n公民館,小浜市\n";
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes(), &bom, &cp932] {
            assert_eq!(decode(bytes).unwrap(), text);
        }
        assert_eq!(decode(b"\x82\xa0\xff\xff"), Err(ReadError::Encoding));
    }
}
