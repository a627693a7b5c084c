//! Imports: GSI's two published lists of shelters, and a CSV of sites of a kind staff define.
//! Any error in any row means nothing is imported; the error report names every bad row
//! (file, line, column, what is wrong), in Japanese, for the clerk who must fix the file.

pub mod csv;
pub mod gsi;
pub mod kinds;

use std::fmt;
use tayori_domain::facility::{ExtrasError, PositionError, Refusal};

/// What is wrong with one cell or row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Encoding,
    Quoting,
    Empty,
    Header { expected: String },
    Columns { expected: usize, found: usize },
    Missing,
    NotANumber(String),
    Position(PositionError),
    Flag(String),
    GsiId(String),
    WrongList { list: &'static str },
    Duplicate { line: usize },
    UnknownKind(String),
    ShelterKind,
    Extras(ExtrasError),
    Site(Refusal),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Encoding => f.write_str(
                "文字コードを判別できません（UTF-8 か Shift_JIS（CP932）で保存してください）",
            ),
            Problem::Quoting => f.write_str("引用符（\"）の位置が正しくありません"),
            Problem::Empty => f.write_str("データの行がありません"),
            Problem::Header { expected } => {
                write!(
                    f,
                    "見出しの行が違います（「{expected}」の順に並べてください）"
                )
            }
            Problem::Columns { expected, found } => {
                write!(f, "列の数が{found}です（{expected}列にしてください）")
            }
            Problem::Missing => f.write_str("値がありません"),
            Problem::NotANumber(v) => write!(f, "「{v}」は数値ではありません"),
            Problem::Position(e) => write!(f, "{e}"),
            Problem::Flag(v) => write!(f, "「{v}」は使えません（「1」か空欄にしてください）"),
            Problem::GsiId(v) => write!(f, "「{v}」は共通IDの形ではありません（E と13桁の数字）"),
            Problem::WrongList { list } => write!(f, "この共通IDは{list}の番号ではありません"),
            Problem::Duplicate { line } => write!(f, "{line}行目と重複しています"),
            Problem::UnknownKind(v) => {
                write!(
                    f,
                    "種別「{v}」は登録されていません（先に種別を登録してください）"
                )
            }
            Problem::ShelterKind => f.write_str(
                "避難所は国土地理院の指定緊急避難場所・指定避難所データから取り込んでください",
            ),
            Problem::Extras(e) => write!(f, "{e}"),
            Problem::Site(e) => write!(f, "{e}"),
        }
    }
}

/// One bad row of an uploaded file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    pub file: String,
    /// 1-based, as a spreadsheet numbers it.
    pub line: usize,
    /// The column's heading, when one cell is at fault.
    pub column: Option<String>,
    pub problem: Problem,
}

impl LineError {
    pub fn new(file: &str, line: usize, column: Option<&str>, problem: Problem) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column: column.map(str::to_owned),
            problem,
        }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}行目", self.file, self.line)?;
        if let Some(column) = &self.column {
            write!(f, "「{column}」")?;
        }
        write!(f, "：{}", self.problem)
    }
}

/// Every bad row of an import, in file and line order. Nothing was imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("取り込めませんでした（{}件の誤り）。ファイルを直してから、もう一度取り込んでください。\n{}", .errors.len(), lines(.errors))]
pub struct ImportReport {
    pub errors: Vec<LineError>,
}

fn lines(errors: &[LineError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<LineError> for ImportReport {
    fn from(error: LineError) -> Self {
        Self {
            errors: vec![error],
        }
    }
}

/// The cells of a record by heading, for errors that name their column.
pub(crate) struct Row<'a> {
    pub file: &'a str,
    pub line: usize,
    pub headings: &'a [&'a str],
    pub fields: &'a [String],
}

impl Row<'_> {
    pub fn cell(&self, heading: &str) -> &str {
        let i = self
            .headings
            .iter()
            .position(|h| *h == heading)
            .expect("a known heading");
        self.fields[i].trim()
    }

    pub fn error(&self, heading: Option<&str>, problem: Problem) -> LineError {
        LineError::new(self.file, self.line, heading, problem)
    }

    /// A flag column: `1` or empty.
    pub fn flag(&self, heading: &str) -> Result<bool, LineError> {
        match self.cell(heading) {
            "" => Ok(false),
            "1" => Ok(true),
            other => Err(self.error(Some(heading), Problem::Flag(other.to_owned()))),
        }
    }

    /// A latitude and longitude pair, each checked.
    pub fn position(
        &self,
        lat_heading: &str,
        lng_heading: &str,
    ) -> Result<tayori_domain::facility::Position, Vec<LineError>> {
        let number = |heading: &str| -> Result<f64, LineError> {
            let cell = self.cell(heading);
            if cell.is_empty() {
                return Err(self.error(Some(heading), Problem::Missing));
            }
            cell.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| self.error(Some(heading), Problem::NotANumber(cell.to_owned())))
        };
        let (lat, lng) = (number(lat_heading), number(lng_heading));
        let (lat, lng) = match (lat, lng) {
            (Ok(lat), Ok(lng)) => (lat, lng),
            (lat, lng) => return Err(lat.err().into_iter().chain(lng.err()).collect()),
        };
        tayori_domain::facility::Position::new(lat, lng).map_err(|e| {
            let heading = match e {
                PositionError::Latitude => lat_heading,
                PositionError::Longitude => lng_heading,
            };
            vec![self.error(Some(heading), Problem::Position(e))]
        })
    }
}

/// Reads a file's records and checks its header and each row's width; answers the data rows.
pub(crate) fn table(
    file: &str,
    bytes: &[u8],
    headings: &[&str],
    errors: &mut Vec<LineError>,
) -> Vec<csv::Record> {
    let records = match csv::decode(file, bytes).and_then(|text| csv::records(file, &text)) {
        Ok(records) => records,
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        errors.push(LineError::new(file, 1, None, Problem::Empty));
        return Vec::new();
    };
    let found: Vec<&str> = header.fields.iter().map(|h| h.trim()).collect();
    if found != headings {
        errors.push(LineError::new(
            file,
            header.line,
            None,
            Problem::Header {
                expected: headings.join(","),
            },
        ));
        return Vec::new();
    }
    let mut rows = Vec::new();
    for record in records {
        if record.fields.len() != headings.len() {
            errors.push(LineError::new(
                file,
                record.line,
                None,
                Problem::Columns {
                    expected: headings.len(),
                    found: record.fields.len(),
                },
            ));
        } else {
            rows.push(record);
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(LineError::new(file, header.line + 1, None, Problem::Empty));
    }
    rows
}
