//! Answer values and the one server-side check of a submitted answer ([`Form::check_answer`]).
//! The LIFF page mirrors these rules so a citizen hears of a mistake before sending; this check
//! is the truth, and refuses what a forged request could carry (an unknown field, a staff-only
//! field, a hidden field left required, a value of the wrong type or out of range).

use super::field::{Field, FieldId, FieldKind, FileType, CONSENT_GIVEN, CONSENT_NOT_GIVEN};
use super::Form;
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// An address field, in characters: the longest 福井県 address with a building name fits.
pub const MAX_ADDRESS_CHARS: u32 = 200;

/// An uploaded photo or file as the server knows it after the upload: the object key and the
/// type and size the server itself read (never what the browser claimed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub key: String,
    /// The citizen's file name, shown to staff.
    pub name: String,
    pub content_type: String,
    pub bytes: u64,
}

/// One checked answer to one field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    /// Short text, long text and address.
    Text(String),
    Number(f64),
    Email(String),
    /// As typed, with ASCII digits and hyphens.
    Phone(String),
    /// Seven digits, no hyphen.
    PostalCode(String),
    Date(NaiveDate),
    Time(NaiveTime),
    /// Single choice and dropdown.
    Choice(String),
    /// Multiple choice, in the field's order.
    Choices(Vec<String>),
    Files(Vec<FileRef>),
    Consent(bool),
}

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// `2026年12月1日(火)`.
pub fn format_date(d: NaiveDate) -> String {
    format!(
        "{}年{}月{}日({})",
        d.year(),
        d.month(),
        d.day(),
        WEEKDAYS[d.weekday().num_days_from_monday() as usize]
    )
}

/// A number as staff and citizens read it: no trailing `.0` on whole numbers.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl AnswerValue {
    /// How the value reads in a receipt, the console and the CSV.
    pub fn display(&self) -> String {
        match self {
            Self::Text(s) | Self::Email(s) | Self::Phone(s) | Self::Choice(s) => s.clone(),
            Self::Number(n) => format_number(*n),
            Self::PostalCode(c) => format!("〒{}-{}", &c[..3], &c[3..]),
            Self::Date(d) => format_date(*d),
            Self::Time(t) => t.format("%H:%M").to_string(),
            Self::Choices(c) => c.join("、"),
            Self::Files(files) => {
                let photos = files
                    .iter()
                    .all(|f| FileType::from_mime(&f.content_type).is_some_and(FileType::is_image));
                let noun = if photos { "写真" } else { "ファイル" };
                format!("{noun} {}件", files.len())
            }
            Self::Consent(true) => "同意する".into(),
            Self::Consent(false) => "同意しない".into(),
        }
    }

    /// How the value goes into a CSV cell: like [`AnswerValue::display`] but with ISO dates
    /// and plain numbers that a spreadsheet sorts, and the file names rather than a count.
    pub fn csv_text(&self) -> String {
        match self {
            Self::Date(d) => d.format("%Y-%m-%d").to_string(),
            Self::PostalCode(c) => format!("{}-{}", &c[..3], &c[3..]),
            Self::Files(files) => files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            other => other.display(),
        }
    }

    /// Whether a condition comparing with `value` holds for this answer.
    pub fn satisfies(&self, value: &str) -> bool {
        match self {
            Self::Choice(c) => c == value,
            Self::Choices(c) => c.iter().any(|c| c == value),
            Self::Consent(given) => {
                (*given && value == CONSENT_GIVEN) || (!*given && value == CONSENT_NOT_GIVEN)
            }
            _ => false,
        }
    }
}

/// What a form post or the LIFF page's JSON carries: field id → the raw strings (one for most
/// kinds, one per pick for a multiple choice) and, for photo/file fields, the uploads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub files: BTreeMap<String, Vec<FileRef>>,
}

impl Submitted {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value (a builder for tests and handlers).
    pub fn with(mut self, field: &str, value: &str) -> Self {
        self.values
            .entry(field.to_string())
            .or_default()
            .push(value.to_string());
        self
    }

    pub fn with_file(mut self, field: &str, file: FileRef) -> Self {
        self.files.entry(field.to_string()).or_default().push(file);
        self
    }
}

/// Who is answering: citizens answer the citizen fields, staff fill the staff-only ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Citizen,
    Staff,
}

/// The values of an answer that passed [`Form::check_answer`]: only fields of the form, each
/// of the right type, hidden fields dropped.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckedValues(BTreeMap<FieldId, AnswerValue>);

/// Only the field ids: values may be personal and must not reach a log.
impl std::fmt::Debug for CheckedValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl CheckedValues {
    pub fn get(&self, field: &FieldId) -> Option<&AnswerValue> {
        self.0.get(field)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&FieldId, &AnswerValue)> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why one field's value is refused; renders as what to do instead.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AnswerProblem {
    #[error("入力してください。")]
    Required,
    #[error("この項目はこのフォームにありません。")]
    UnknownField,
    #[error("この項目は職員が入力する項目のため、回答できません。")]
    StaffOnly,
    #[error("この項目は回答者が入力する項目のため、職員は変更できません。")]
    CitizenOnly,
    #[error("この項目には入力できません。")]
    TakesNoAnswer,
    #[error("値は1つだけ入力してください。")]
    OneValueOnly,
    #[error("{max}文字以内で入力してください（いま{length}文字です）。")]
    TooLong { max: u32, length: usize },
    #[error("数値を入力してください。")]
    NotANumber,
    #[error("整数を入力してください。")]
    NotAnInteger,
    #[error("{0}以上の数値を入力してください。")]
    BelowMin(String),
    #[error("{0}以下の数値を入力してください。")]
    AboveMax(String),
    #[error("メールアドレスの形式が正しくありません（例：taro@example.jp）。")]
    BadEmail,
    #[error("電話番号は数字とハイフンで入力してください（例：0770-53-1111）。")]
    BadPhone,
    #[error("郵便番号は7桁の数字で入力してください（例：917-0078）。")]
    BadPostalCode,
    #[error("日付を正しく入力してください（例：2026-12-01）。")]
    BadDate,
    #[error("{0}以降の日付を入力してください。")]
    DateBefore(String),
    #[error("{0}以前の日付を入力してください。")]
    DateAfter(String),
    #[error("時刻を正しく入力してください（例：09:30）。")]
    BadTime,
    #[error("「{0}」は選択肢にありません。")]
    NotOffered(String),
    #[error("{0}つ以上選んでください。")]
    TooFewPicks(u32),
    #[error("{0}つまで選べます。")]
    TooManyPicks(u32),
    #[error("同意していただく必要があります。")]
    MustConsent,
    #[error("{0}のファイルを選んでください。")]
    FileType(String),
    #[error("ファイルは1つ{0}までです。")]
    FileTooBig(String),
    #[error("ファイルは{0}つまでです。")]
    TooManyFiles(u32),
    /// An upload key this citizen was not given, or one never uploaded to (or expired: uploads
    /// are kept a day).
    #[error("ファイルを受け取れていません。もう一度選んでください。")]
    FileNotReceived,
    /// The content is not what it claims (a GIF named `.jpg`), or cannot be read.
    #[error("ファイルを読み取れませんでした。{0}")]
    FileUnreadable(String),
    #[error("同じファイルが2回指定されています。")]
    FileRepeated,
}

/// One refused field: the id as submitted (so the page puts the message under its field), its
/// label when the form has it, and the problem.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub label: Option<String>,
    pub problem: AnswerProblem,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.label {
            Some(label) => write!(f, "{label}：{}", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

/// Every refused field of one answer, in the form's order (unknown ids last).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("入力内容に誤りがあります（{}件）。各項目のメッセージを確認してください。", .0.len())]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// The problem with `field`, for the page to show under it.
    pub fn for_field(&self, field: &str) -> Option<&AnswerProblem> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.problem)
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// Field id → message, for the LIFF page's JSON (one message per field).
    pub fn messages(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for e in &self.0 {
            out.entry(e.field.clone())
                .or_insert_with(|| e.problem.to_string());
        }
        out
    }
}

/// Full-width ASCII (what a Japanese keyboard gives for ０-９, ＠, ．) to half-width, and the
/// look-alike dashes to `-`.
pub fn to_ascii_width(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            'ー' | '‐' | '−' | '–' | '—' | '―' => '-',
            c => c,
        })
        .collect()
}

fn number(
    raw: &str,
    min: Option<f64>,
    max: Option<f64>,
    integer: bool,
) -> Result<f64, AnswerProblem> {
    let t: String = to_ascii_width(raw)
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    let valid_chars = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
    let n: f64 = match t.parse() {
        Ok(n) if valid_chars => n,
        _ => return Err(AnswerProblem::NotANumber),
    };
    if !n.is_finite() {
        return Err(AnswerProblem::NotANumber);
    }
    if integer && n.fract() != 0.0 {
        return Err(AnswerProblem::NotAnInteger);
    }
    if let Some(lo) = min.filter(|lo| n < *lo) {
        return Err(AnswerProblem::BelowMin(format_number(lo)));
    }
    if let Some(hi) = max.filter(|hi| n > *hi) {
        return Err(AnswerProblem::AboveMax(format_number(hi)));
    }
    Ok(n)
}

/// A deliberately plain check (one `@`, a dotted domain, no spaces): anything stricter refuses
/// real addresses, and the address is only proven by mail reaching it.
fn email(raw: &str) -> Result<String, AnswerProblem> {
    let t = to_ascii_width(raw).trim().to_string();
    let ok = t.chars().count() <= MAX_EMAIL_CHARS
        && t.is_ascii()
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        && match t.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if ok {
        Ok(t)
    } else {
        Err(AnswerProblem::BadEmail)
    }
}

/// Seven digits from what a citizen types: `917-0078`, `９１７－００７８`, `〒9170078`.
pub fn postal_code(raw: &str) -> Option<String> {
    let t = to_ascii_width(raw);
    let t = t.trim().trim_start_matches('〒').trim();
    let digits: String = t.chars().filter(|c| *c != '-').collect();
    let hyphen_ok = match t.find('-') {
        None => true,
        Some(at) => at == 3 && t.matches('-').count() == 1,
    };
    (hyphen_ok && digits.len() == 7 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

fn date(
    raw: &str,
    min: Option<NaiveDate>,
    max: Option<NaiveDate>,
) -> Result<NaiveDate, AnswerProblem> {
    let t = to_ascii_width(raw).trim().replace('/', "-");
    let d = NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| AnswerProblem::BadDate)?;
    if let Some(lo) = min.filter(|lo| d < *lo) {
        return Err(AnswerProblem::DateBefore(format_date(lo)));
    }
    if let Some(hi) = max.filter(|hi| d > *hi) {
        return Err(AnswerProblem::DateAfter(format_date(hi)));
    }
    Ok(d)
}

fn time(raw: &str) -> Result<NaiveTime, AnswerProblem> {
    // A time input with seconds (`step` set) sends HH:MM:SS.
    let t = to_ascii_width(raw).trim().to_string();
    NaiveTime::parse_from_str(&t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&t, "%H:%M:%S"))
        .map_err(|_| AnswerProblem::BadTime)
}

fn text(raw: &str, max: u32, one_line: bool) -> Result<Option<String>, AnswerProblem> {
    let normalised = raw.replace("\r\n", "\n").replace('\r', "\n");
    let t = if one_line {
        normalised.replace('\n', " ")
    } else {
        normalised
    };
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let length = t.chars().count();
    if length > max as usize {
        return Err(AnswerProblem::TooLong { max, length });
    }
    Ok(Some(t.to_string()))
}

/// `10MB`, `500KB`: a size limit as the citizen reads it (rounded down, so a file of the size
/// shown always fits).
pub fn format_bytes(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = bytes * 10 / MB;
        match tenths % 10 {
            0 => format!("{}MB", tenths / 10),
            tenth => format!("{}.{tenth}MB", tenths / 10),
        }
    } else if bytes >= KB {
        format!("{}KB", bytes / KB)
    } else {
        format!("{bytes}バイト")
    }
}

fn files(
    given: &[FileRef],
    types: &[FileType],
    max_bytes: u64,
    max_files: u32,
) -> Result<Vec<FileRef>, AnswerProblem> {
    if given.len() > max_files as usize {
        return Err(AnswerProblem::TooManyFiles(max_files));
    }
    for f in given {
        let allowed = FileType::from_mime(&f.content_type).is_some_and(|t| types.contains(&t));
        if !allowed {
            let names: Vec<_> = types.iter().map(|t| t.label()).collect();
            return Err(AnswerProblem::FileType(names.join("・")));
        }
        if f.bytes > max_bytes {
            return Err(AnswerProblem::FileTooBig(format_bytes(max_bytes)));
        }
    }
    Ok(given.to_vec())
}

/// Checks the raw values of one shown field. `Ok(None)`: nothing given.
fn check_value(
    field: &Field,
    raw: &[String],
    uploads: &[FileRef],
) -> Result<Option<AnswerValue>, AnswerProblem> {
    let given: Vec<&str> = raw
        .iter()
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .collect();
    match &field.kind {
        FieldKind::File {
            types,
            max_bytes,
            max_files,
        } => {
            if !given.is_empty() {
                // A file field takes uploads the server saw, never a key typed into the post.
                return Err(AnswerProblem::FileType(
                    types
                        .iter()
                        .map(|t| t.label())
                        .collect::<Vec<_>>()
                        .join("・"),
                ));
            }
            if uploads.is_empty() {
                return Ok(None);
            }
            files(uploads, types, *max_bytes, *max_files).map(|f| Some(AnswerValue::Files(f)))
        }
        FieldKind::MultipleChoice {
            choices,
            min_picks,
            max_picks,
        } => {
            if !uploads.is_empty() {
                return Err(AnswerProblem::TakesNoAnswer);
            }
            multiple(choices, *min_picks, *max_picks, &given)
        }
        kind => {
            if !uploads.is_empty() {
                return Err(AnswerProblem::TakesNoAnswer);
            }
            match given.as_slice() {
                [] => Ok(None),
                [one] => single(kind, one),
                _ => Err(AnswerProblem::OneValueOnly),
            }
        }
    }
}

fn multiple(
    choices: &[String],
    min_picks: Option<u32>,
    max_picks: Option<u32>,
    given: &[&str],
) -> Result<Option<AnswerValue>, AnswerProblem> {
    if given.is_empty() {
        return Ok(None);
    }
    for v in given {
        if !choices.iter().any(|c| c == v.trim()) {
            return Err(AnswerProblem::NotOffered(v.trim().to_string()));
        }
    }
    // In the field's order, each once, whatever order the browser sent them in.
    let picks: Vec<String> = choices
        .iter()
        .filter(|c| given.iter().any(|v| v.trim() == c.as_str()))
        .cloned()
        .collect();
    let n = picks.len() as u32;
    if let Some(lo) = min_picks.filter(|lo| n < *lo) {
        return Err(AnswerProblem::TooFewPicks(lo));
    }
    if let Some(hi) = max_picks.filter(|hi| n > *hi) {
        return Err(AnswerProblem::TooManyPicks(hi));
    }
    Ok(Some(AnswerValue::Choices(picks)))
}

/// One value of a kind that takes one string.
fn single(kind: &FieldKind, raw: &str) -> Result<Option<AnswerValue>, AnswerProblem> {
    let value = match kind {
        FieldKind::ShortText { max_chars } => text(raw, *max_chars, true)?.map(AnswerValue::Text),
        FieldKind::LongText { max_chars } => text(raw, *max_chars, false)?.map(AnswerValue::Text),
        FieldKind::Address { .. } => text(raw, MAX_ADDRESS_CHARS, true)?.map(AnswerValue::Text),
        FieldKind::Number { min, max, integer } => {
            Some(AnswerValue::Number(number(raw, *min, *max, *integer)?))
        }
        FieldKind::Email => Some(AnswerValue::Email(email(raw)?)),
        FieldKind::Phone => Some(AnswerValue::Phone(
            crate::report::input::phone(raw).map_err(|_| AnswerProblem::BadPhone)?,
        )),
        FieldKind::PostalCode => Some(AnswerValue::PostalCode(
            postal_code(raw).ok_or(AnswerProblem::BadPostalCode)?,
        )),
        FieldKind::Date { min, max } => Some(AnswerValue::Date(date(raw, *min, *max)?)),
        FieldKind::Time => Some(AnswerValue::Time(time(raw)?)),
        FieldKind::SingleChoice { choices } | FieldKind::Dropdown { choices } => {
            let v = raw.trim();
            if !choices.iter().any(|c| c == v) {
                return Err(AnswerProblem::NotOffered(v.to_string()));
            }
            Some(AnswerValue::Choice(v.to_string()))
        }
        FieldKind::Consent { .. } => {
            let v = to_ascii_width(raw).trim().to_ascii_lowercase();
            match v.as_str() {
                "yes" | "on" | "true" | "1" => Some(AnswerValue::Consent(true)),
                "no" | "off" | "false" | "0" => Some(AnswerValue::Consent(false)),
                _ => return Err(AnswerProblem::MustConsent),
            }
        }
        FieldKind::Heading
        | FieldKind::Description { .. }
        | FieldKind::File { .. }
        | FieldKind::MultipleChoice { .. } => return Err(AnswerProblem::TakesNoAnswer),
    };
    Ok(value)
}

impl Form {
    /// The server's check of an answer. A citizen may answer only the citizen fields and staff
    /// only the staff-only ones; a field whose condition does not hold is not shown, so its
    /// value is dropped and it is not required. Every problem is reported, each tied to its
    /// field.
    pub fn check_answer(
        &self,
        submitted: &Submitted,
        who: Audience,
    ) -> Result<CheckedValues, FieldErrors> {
        let mut errors = Vec::new();
        let mut values: BTreeMap<FieldId, AnswerValue> = BTreeMap::new();
        let no_values: Vec<String> = Vec::new();
        let no_files: Vec<FileRef> = Vec::new();
        for field in &self.fields {
            let raw = submitted
                .values
                .get(field.id.as_str())
                .unwrap_or(&no_values);
            let uploads = submitted.files.get(field.id.as_str()).unwrap_or(&no_files);
            let sent = raw.iter().any(|v| !v.trim().is_empty()) || !uploads.is_empty();
            let answered_by = if field.staff_only {
                Audience::Staff
            } else {
                Audience::Citizen
            };
            if answered_by != who {
                if sent {
                    let problem = match who {
                        Audience::Citizen => AnswerProblem::StaffOnly,
                        Audience::Staff => AnswerProblem::CitizenOnly,
                    };
                    errors.push(FieldError {
                        field: field.id.to_string(),
                        label: Some(field.label.clone()),
                        problem,
                    });
                }
                continue;
            }
            let shown = match &field.show_when {
                None => true,
                Some(cond) => values
                    .get(&cond.field)
                    .is_some_and(|v| v.satisfies(&cond.equals)),
            };
            if !shown {
                continue;
            }
            if !field.takes_answer() {
                if sent {
                    errors.push(FieldError {
                        field: field.id.to_string(),
                        label: Some(field.label.clone()),
                        problem: AnswerProblem::TakesNoAnswer,
                    });
                }
                continue;
            }
            match check_value(field, raw, uploads) {
                Ok(Some(AnswerValue::Consent(false))) if field.required => {
                    errors.push(FieldError {
                        field: field.id.to_string(),
                        label: Some(field.label.clone()),
                        problem: AnswerProblem::MustConsent,
                    });
                }
                Ok(Some(value)) => {
                    values.insert(field.id.clone(), value);
                }
                Ok(None) if field.required => {
                    let problem = if matches!(field.kind, FieldKind::Consent { .. }) {
                        AnswerProblem::MustConsent
                    } else {
                        AnswerProblem::Required
                    };
                    errors.push(FieldError {
                        field: field.id.to_string(),
                        label: Some(field.label.clone()),
                        problem,
                    });
                }
                Ok(None) => {}
                Err(problem) => errors.push(FieldError {
                    field: field.id.to_string(),
                    label: Some(field.label.clone()),
                    problem,
                }),
            }
        }
        let known = |id: &str| self.fields.iter().any(|f| f.id.as_str() == id);
        let unknown = submitted
            .values
            .keys()
            .chain(submitted.files.keys())
            .filter(|id| !known(id));
        for id in unknown {
            if !errors.iter().any(|e| &e.field == id) {
                errors.push(FieldError {
                    field: id.clone(),
                    label: None,
                    problem: AnswerProblem::UnknownField,
                });
            }
        }
        if errors.is_empty() {
            Ok(CheckedValues(values))
        } else {
            Err(FieldErrors(errors))
        }
    }
}
