//! The CSV writer every export shares, and the reader every import shares ([`read`]).
//!
//! Staff open exports in Excel on Windows. Excel reads a UTF-8 file correctly only when it starts
//! with a BOM, and older setups expect CP932 (Shift_JIS), so both are offered. A cell that starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula by Excel (CSV
//! injection), so such cells are prefixed with `'`, which Excel shows as plain text.
//!
//! The writer turns one row at a time into bytes: an export pages through the table and streams
//! each page's bytes, so no export is ever built whole in memory.
//!
//! Files Tayori also reads back (the 5374 garbage data set) go through [`read_back`], the same
//! rule the other way round, so a neutralised cell imports as the value it was.

pub mod read;

use encoding_rs::{EncoderResult, SHIFT_JIS};

/// How the file is encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 with a byte order mark: every character survives, Excel opens it correctly.
    #[default]
    Utf8Bom,
    /// CP932 (Windows Shift_JIS). Characters it cannot hold (emoji, some rare kanji) become `〓`,
    /// the mark Japanese print and systems use for a character that cannot be shown.
    Cp932,
}

impl CsvEncoding {
    /// Reads the `encoding` query parameter of an export link: `sjis`/`cp932`/`shift_jis`, or UTF-8.
    pub fn from_param(value: Option<&str>) -> Self {
        match value.map(str::to_ascii_lowercase).as_deref() {
            Some("sjis" | "cp932" | "shift_jis" | "shift-jis") => Self::Cp932,
            _ => Self::Utf8Bom,
        }
    }

    /// The `Content-Type` header for a download in this encoding.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Utf8Bom => "text/csv; charset=utf-8",
            Self::Cp932 => "text/csv; charset=Shift_JIS",
        }
    }
}

/// Encodes rows of one CSV file. Call [`CsvWriter::start`] once for the file's first bytes, then
/// [`CsvWriter::row`] for each row.
#[derive(Clone, Copy, Debug, Default)]
pub struct CsvWriter {
    encoding: CsvEncoding,
}

impl CsvWriter {
    pub fn new(encoding: CsvEncoding) -> Self {
        Self { encoding }
    }

    pub fn encoding(&self) -> CsvEncoding {
        self.encoding
    }

    /// The bytes the file starts with: the BOM for UTF-8, nothing for CP932.
    pub fn start(&self) -> Vec<u8> {
        match self.encoding {
            CsvEncoding::Utf8Bom => "\u{feff}".as_bytes().to_vec(),
            CsvEncoding::Cp932 => Vec::new(),
        }
    }

    /// One row, with its CRLF line end (RFC 4180, and what Excel writes).
    pub fn row<S: AsRef<str>>(&self, cells: &[S]) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_row(cells, &mut String::new(), &mut out);
        out
    }

    /// Appends one row to `out`, building its text in `scratch` (kept by the caller so that a
    /// file of a million rows does not allocate a line each), and answers how many characters
    /// the encoding could not hold and wrote as `〓`: an export shows that count, so nothing is
    /// lost without staff being told.
    pub fn write_row<S: AsRef<str>>(
        &self,
        cells: &[S],
        scratch: &mut String,
        out: &mut Vec<u8>,
    ) -> u64 {
        scratch.clear();
        push_line(scratch, cells);
        match self.encoding {
            CsvEncoding::Utf8Bom => {
                out.extend_from_slice(scratch.as_bytes());
                0
            }
            CsvEncoding::Cp932 => encode_cp932(scratch, out),
        }
    }
}

/// `〓` in CP932.
const GETA_CP932: [u8; 2] = [0x81, 0xAC];

/// Appends `text` in CP932, each character it cannot hold as `〓`; answers how many there were.
fn encode_cp932(text: &str, out: &mut Vec<u8>) -> u64 {
    let mut encoder = SHIFT_JIS.new_encoder();
    let mut rest = text;
    let mut replaced = 0;
    loop {
        // CP932 takes at most two bytes per character, never more than UTF-8's three.
        out.reserve(rest.len() + 2);
        let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(rest, out, true);
        rest = &rest[read..];
        match result {
            EncoderResult::InputEmpty => return replaced,
            EncoderResult::OutputFull => {}
            EncoderResult::Unmappable(_) => {
                out.extend_from_slice(&GETA_CP932);
                replaced += 1;
            }
        }
    }
}

/// One row as text, before encoding, with its CRLF line end: for a file kept as text (the 5374
/// export, which is UTF-8 by its format's convention).
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = String::new();
    push_line(&mut line, cells);
    line
}

fn push_line<S: AsRef<str>>(line: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_cell(line, cell.as_ref());
    }
    line.push_str("\r\n");
}

/// The characters that make Excel run a cell as a formula when they come first.
fn is_risky_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell as it was before the writer neutralised it: `'=1+1` reads back as `=1+1`. Any other
/// cell, including one that starts with `'` followed by something harmless, is left as it is.
/// A value that itself began with `'=` would lose its `'`: no calendar or dictionary text does.
pub fn read_back(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.chars().next().is_some_and(is_risky_start) => rest,
        _ => cell,
    }
}

/// Appends one cell, neutralised and quoted when needed.
fn push_cell(line: &mut String, value: &str) {
    let risky = value.chars().next().is_some_and(is_risky_start);
    let needs_quotes = risky
        || value.contains([',', '"', '\n', '\r'])
        || value.starts_with(' ')
        || value.ends_with(' ');
    if !needs_quotes {
        line.push_str(value);
        return;
    }
    line.push('"');
    if risky {
        line.push('\'');
    }
    for (i, part) in value.split('"').enumerate() {
        if i > 0 {
            line.push_str("\"\"");
        }
        line.push_str(part);
    }
    line.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf8(cells: &[&str]) -> String {
        String::from_utf8(CsvWriter::new(CsvEncoding::Utf8Bom).row(cells)).unwrap()
    }

    #[test]
    fn a_utf8_file_starts_with_a_bom_and_a_cp932_file_does_not() {
        assert_eq!(
            CsvWriter::new(CsvEncoding::Utf8Bom).start(),
            vec![0xEF, 0xBB, 0xBF]
        );
        assert!(CsvWriter::new(CsvEncoding::Cp932).start().is_empty());
    }

    #[test]
    fn plain_cells_are_written_as_they_are_with_crlf() {
        assert_eq!(utf8(&["配信日", "件数", "12"]), "配信日,件数,12\r\n");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(
            utf8(&["a,b", "say \"hi\"", "1行目\n2行目"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"1行目\n2行目\"\r\n"
        );
    }

    #[test]
    fn cells_that_excel_would_run_as_formulas_are_neutralised() {
        for risky in [
            "=1+1",
            "+81",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            let line = utf8(&[risky]);
            assert!(line.starts_with("\"'"), "{risky:?} became {line:?}");
        }
        assert_eq!(utf8(&["=1+1"]), "\"'=1+1\"\r\n");
        // A sign inside a cell is harmless.
        assert_eq!(utf8(&["1-2"]), "1-2\r\n");
    }

    #[test]
    fn a_neutralised_cell_reads_back_as_the_value_it_was() {
        for value in [
            "=1+1", "-", "+81", "@x", "\tx", "'quoted", "plain", "1-2", "",
        ] {
            let line = utf8(&[value]);
            let cell = line.trim_end_matches("\r\n");
            let unquoted = cell
                .strip_prefix('"')
                .and_then(|c| c.strip_suffix('"'))
                .map(|c| c.replace("\"\"", "\""))
                .unwrap_or_else(|| cell.to_string());
            assert_eq!(read_back(&unquoted), value, "{line:?}");
        }
    }

    #[test]
    fn cp932_encodes_japanese_and_marks_what_it_cannot_hold() {
        let w = CsvWriter::new(CsvEncoding::Cp932);
        let bytes = w.row(&["小浜市", "🗑️ごみ"]);
        let (text, _, had_errors) = SHIFT_JIS.decode(&bytes);
        assert!(!had_errors);
        assert_eq!(text, "小浜市,〓〓ごみ\r\n");
        // 小 in Shift_JIS is 0x8FAC.
        assert_eq!(&bytes[..2], &[0x8F, 0xAC]);
    }

    #[test]
    fn every_character_cp932_cannot_hold_is_counted() {
        let w = CsvWriter::new(CsvEncoding::Cp932);
        let mut out = Vec::new();
        let mut scratch = String::new();
        let replaced = w.write_row(&["𠮷野家", "🍣", "髙橋", "①"], &mut scratch, &mut out);
        // 𠮷 (outside the BMP) and the emoji are not in CP932; 髙 and ① are (NEC/IBM extensions).
        assert_eq!(replaced, 2);
        let (text, _, _) = SHIFT_JIS.decode(&out);
        assert_eq!(text, "〓野家,〓,髙橋,①\r\n");
        assert_eq!(
            CsvWriter::new(CsvEncoding::Utf8Bom).write_row(&["🍣"], &mut scratch, &mut out),
            0,
            "UTF-8 holds everything"
        );
    }

    #[test]
    fn the_encoding_parameter_selects_cp932_or_defaults_to_utf8() {
        assert_eq!(CsvEncoding::from_param(Some("sjis")), CsvEncoding::Cp932);
        assert_eq!(CsvEncoding::from_param(Some("CP932")), CsvEncoding::Cp932);
        assert_eq!(CsvEncoding::from_param(None), CsvEncoding::Utf8Bom);
        assert_eq!(CsvEncoding::from_param(Some("utf8")), CsvEncoding::Utf8Bom);
    }
}
