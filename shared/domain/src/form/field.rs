//! A form's fields (項目) as the builder defines them, and the checks a definition passes when
//! the form is saved: unique ids, choices offered and distinct, ranges the right way round,
//! conditions that refer to an earlier field the same people answer.

use super::FormError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fields per form: a long 申請 fits; more would be a paper form better split in two.
pub const MAX_FIELDS: usize = 100;
pub const MAX_LABEL_CHARS: usize = 200;
pub const MAX_HELP_CHARS: usize = 500;
/// The consent text and a description block (利用規約の抜粋, 注意事項).
pub const MAX_BLOCK_TEXT_CHARS: usize = 2000;
pub const MAX_CHOICES: usize = 50;
pub const MAX_CHOICE_CHARS: usize = 100;
/// The largest limit the builder may give a short text (氏名, 件名 …).
pub const MAX_SHORT_TEXT_CHARS: u32 = 200;
/// The largest limit the builder may give a long text (ご意見 …).
pub const MAX_LONG_TEXT_CHARS: u32 = 4000;
/// One uploaded photo or file: 10 MB, what LINE's in-app browser uploads reliably on a mobile
/// connection.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Files per file field.
pub const MAX_FILES: u32 = 5;
/// The condition value a consent checkbox has when checked (and [`CONSENT_NOT_GIVEN`] when not).
pub const CONSENT_GIVEN: &str = "yes";
pub const CONSENT_NOT_GIVEN: &str = "no";

/// A field's id: stable across the form's versions (answers and analysis refer to it), 1–32 of
/// `a-z 0-9 _ -`; the builder makes them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldId(String);

/// Checks a short slug id (fields, slots).
pub(crate) fn is_slug(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl FieldId {
    pub fn parse(raw: &str) -> Result<Self, FormError> {
        let id = raw.trim();
        if is_slug(id) {
            Ok(Self(id.to_string()))
        } else {
            Err(FormError::BadFieldId(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FieldId {
    type Error = FormError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FieldId> for String {
    fn from(id: FieldId) -> Self {
        id.0
    }
}

impl std::fmt::Display for FieldId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The file types a photo/file field may take: a fixed list, so that nothing the city cannot
/// open safely (Office macros, archives) is ever accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
}

impl FileType {
    pub const ALL: [FileType; 3] = [Self::Jpeg, Self::Png, Self::Pdf];

    pub fn label(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Pdf => "PDF",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        let mime = mime.trim().to_ascii_lowercase();
        match mime.as_str() {
            "image/jpg" => Some(Self::Jpeg),
            m => Self::ALL.into_iter().find(|t| t.mime() == m),
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png)
    }
}

/// What kind of answer a field takes, with its own limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// 1行テキスト: one line, newlines become spaces.
    ShortText { max_chars: u32 },
    /// 複数行テキスト.
    LongText { max_chars: u32 },
    /// 数値. Full-width digits and thousands commas are accepted.
    Number {
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
        integer: bool,
    },
    /// メールアドレス.
    Email,
    /// 電話番号.
    Phone,
    /// 郵便番号: 7 digits, hyphen optional.
    PostalCode,
    /// 住所: the LIFF page fills it from `postal_field` (a postal code field of the form) with
    /// the bundled table; the citizen adds the rest.
    Address {
        #[serde(default)]
        postal_field: Option<FieldId>,
    },
    /// 日付.
    Date {
        #[serde(default)]
        min: Option<NaiveDate>,
        #[serde(default)]
        max: Option<NaiveDate>,
    },
    /// 時刻 (HH:MM).
    Time,
    /// 単一選択 (radio buttons).
    SingleChoice { choices: Vec<String> },
    /// 複数選択 (checkboxes).
    MultipleChoice {
        choices: Vec<String>,
        #[serde(default)]
        min_picks: Option<u32>,
        #[serde(default)]
        max_picks: Option<u32>,
    },
    /// プルダウン: a single choice from a long list.
    Dropdown { choices: Vec<String> },
    /// 写真・ファイル.
    File {
        types: Vec<FileType>,
        max_bytes: u64,
        max_files: u32,
    },
    /// 同意チェック: the text agreed to; a required one must be checked.
    Consent { text: String },
    /// 見出し: the label is the heading; takes no answer.
    Heading,
    /// 説明文: a block of text between fields; takes no answer.
    Description { text: String },
}

impl FieldKind {
    /// What the builder's type menu says.
    pub fn label(&self) -> &'static str {
        match self {
            Self::ShortText { .. } => "1行テキスト",
            Self::LongText { .. } => "複数行テキスト",
            Self::Number { .. } => "数値",
            Self::Email => "メールアドレス",
            Self::Phone => "電話番号",
            Self::PostalCode => "郵便番号",
            Self::Address { .. } => "住所",
            Self::Date { .. } => "日付",
            Self::Time => "時刻",
            Self::SingleChoice { .. } => "単一選択",
            Self::MultipleChoice { .. } => "複数選択",
            Self::Dropdown { .. } => "プルダウン",
            Self::File { .. } => "写真・ファイル",
            Self::Consent { .. } => "同意チェック",
            Self::Heading => "見出し",
            Self::Description { .. } => "説明文",
        }
    }

    /// The stored `type` (serde's tag), for the builder's type menu.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ShortText { .. } => "short_text",
            Self::LongText { .. } => "long_text",
            Self::Number { .. } => "number",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::PostalCode => "postal_code",
            Self::Address { .. } => "address",
            Self::Date { .. } => "date",
            Self::Time => "time",
            Self::SingleChoice { .. } => "single_choice",
            Self::MultipleChoice { .. } => "multiple_choice",
            Self::Dropdown { .. } => "dropdown",
            Self::File { .. } => "file",
            Self::Consent { .. } => "consent",
            Self::Heading => "heading",
            Self::Description { .. } => "description",
        }
    }

    /// Whether the field takes an answer (headings and description blocks do not).
    pub fn takes_answer(&self) -> bool {
        !matches!(self, Self::Heading | Self::Description { .. })
    }

    /// The choices offered, for the kinds that offer some.
    pub fn choices(&self) -> Option<&[String]> {
        match self {
            Self::SingleChoice { choices }
            | Self::MultipleChoice { choices, .. }
            | Self::Dropdown { choices } => Some(choices),
            _ => None,
        }
    }

    /// The values a condition on this field may compare with: the choices, or yes/no for a
    /// consent; `None` for kinds a condition cannot use.
    pub fn condition_values(&self) -> Option<Vec<String>> {
        match self {
            Self::Consent { .. } => Some(vec![CONSENT_GIVEN.into(), CONSENT_NOT_GIVEN.into()]),
            k => k.choices().map(<[String]>::to_vec),
        }
    }
}

/// 表示条件: show the field only when an earlier field has a value (for a multiple choice:
/// when the value is among the picks; for a consent: [`CONSENT_GIVEN`] or
/// [`CONSENT_NOT_GIVEN`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub field: FieldId,
    pub equals: String,
}

/// One field of a form. The form checks the whole list when saved (see `Form::new`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub id: FieldId,
    pub label: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub required: bool,
    pub kind: FieldKind,
    #[serde(default)]
    pub show_when: Option<Condition>,
    /// 管理者用項目 (6.2.2.4): staff fill it in the console; never shown to or accepted from
    /// citizens.
    #[serde(default)]
    pub staff_only: bool,
    /// 個人情報: the repository seals the value; receipts show it only to the citizen who gave
    /// it, and analysis counts it without listing it.
    #[serde(default)]
    pub personal: bool,
}

impl Field {
    pub fn takes_answer(&self) -> bool {
        self.kind.takes_answer()
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn check_choices(label: &str, choices: &mut [String]) -> Result<(), FormError> {
    for c in choices.iter_mut() {
        *c = c.trim().to_string();
    }
    if choices.is_empty() {
        return Err(FormError::NoChoices(label.into()));
    }
    if choices.len() > MAX_CHOICES {
        return Err(FormError::TooManyChoices(label.into()));
    }
    for (i, c) in choices.iter().enumerate() {
        if c.is_empty() {
            return Err(FormError::EmptyChoice(label.into()));
        }
        if chars(c) > MAX_CHOICE_CHARS {
            return Err(FormError::ChoiceTooLong(label.into()));
        }
        if choices[..i].contains(c) {
            return Err(FormError::DuplicateChoice(label.into(), c.clone()));
        }
    }
    Ok(())
}

/// Checks one field's own definition (not its relations to the others) and trims its texts.
fn check_one(mut field: Field) -> Result<Field, FormError> {
    field.label = field.label.trim().to_string();
    field.help = field.help.trim().to_string();
    let label = field.label.clone();
    if label.is_empty() {
        return Err(FormError::NoLabel(field.id.to_string()));
    }
    if chars(&label) > MAX_LABEL_CHARS {
        return Err(FormError::LabelTooLong(label));
    }
    if chars(&field.help) > MAX_HELP_CHARS {
        return Err(FormError::HelpTooLong(label));
    }
    match &mut field.kind {
        FieldKind::ShortText { max_chars } => {
            if !(1..=MAX_SHORT_TEXT_CHARS).contains(max_chars) {
                return Err(FormError::BadMaxChars(label, MAX_SHORT_TEXT_CHARS));
            }
        }
        FieldKind::LongText { max_chars } => {
            if !(1..=MAX_LONG_TEXT_CHARS).contains(max_chars) {
                return Err(FormError::BadMaxChars(label, MAX_LONG_TEXT_CHARS));
            }
        }
        FieldKind::Number { min, max, integer } => {
            if min.is_some_and(|v| !v.is_finite()) || max.is_some_and(|v| !v.is_finite()) {
                return Err(FormError::MinAboveMax(label));
            }
            if let (Some(lo), Some(hi)) = (*min, *max) {
                if lo > hi {
                    return Err(FormError::MinAboveMax(label));
                }
            }
            if *integer
                && (min.is_some_and(|v| v.fract() != 0.0) || max.is_some_and(|v| v.fract() != 0.0))
            {
                return Err(FormError::FractionalBound(label));
            }
        }
        FieldKind::Date { min, max } => {
            if let (Some(lo), Some(hi)) = (*min, *max) {
                if lo > hi {
                    return Err(FormError::MinAboveMax(label));
                }
            }
        }
        FieldKind::SingleChoice { choices } | FieldKind::Dropdown { choices } => {
            check_choices(&label, choices)?;
        }
        FieldKind::MultipleChoice {
            choices,
            min_picks,
            max_picks,
        } => {
            check_choices(&label, choices)?;
            let offered = choices.len() as u32;
            if min_picks.is_some_and(|n| n > offered) || max_picks.is_some_and(|n| n == 0) {
                return Err(FormError::BadPicks(label));
            }
            if let (Some(lo), Some(hi)) = (*min_picks, *max_picks) {
                if lo > hi {
                    return Err(FormError::MinAboveMax(label));
                }
            }
        }
        FieldKind::File {
            types,
            max_bytes,
            max_files,
        } => {
            types.sort();
            types.dedup();
            if types.is_empty() {
                return Err(FormError::NoFileTypes(label));
            }
            if *max_bytes == 0 || *max_bytes > MAX_FILE_BYTES {
                return Err(FormError::FileLimit(label));
            }
            if !(1..=MAX_FILES).contains(max_files) {
                return Err(FormError::FileCount(label));
            }
        }
        FieldKind::Consent { text } | FieldKind::Description { text } => {
            *text = text.trim().to_string();
            if text.is_empty() {
                return Err(FormError::NoBlockText(label));
            }
            if chars(text) > MAX_BLOCK_TEXT_CHARS {
                return Err(FormError::BlockTextTooLong(label));
            }
        }
        FieldKind::Email
        | FieldKind::Phone
        | FieldKind::PostalCode
        | FieldKind::Address { .. }
        | FieldKind::Time
        | FieldKind::Heading => {}
    }
    if !field.takes_answer() {
        // A heading is neither required nor conditional on its own answer; it may still be
        // shown under a condition (a section that appears with its questions).
        field.required = false;
        field.personal = false;
    }
    Ok(field)
}

/// Checks the whole list: each field, unique ids, at most [`MAX_FIELDS`], conditions and
/// address links that point to an earlier field of the right kind answered by the same people.
pub(crate) fn check_fields(fields: Vec<Field>) -> Result<Vec<Field>, FormError> {
    if fields.len() > MAX_FIELDS {
        return Err(FormError::TooManyFields);
    }
    let mut checked: Vec<Field> = Vec::with_capacity(fields.len());
    let mut seen: BTreeMap<FieldId, usize> = BTreeMap::new();
    for field in fields {
        let field = check_one(field)?;
        if seen.contains_key(&field.id) {
            return Err(FormError::DuplicateFieldId(field.id.to_string()));
        }
        if let Some(cond) = &field.show_when {
            let Some(&at) = seen.get(&cond.field) else {
                return Err(FormError::ConditionNotEarlier(field.label.clone()));
            };
            let on = &checked[at];
            let Some(values) = on.kind.condition_values() else {
                return Err(FormError::ConditionKind(field.label.clone()));
            };
            if !values.contains(&cond.equals) {
                return Err(FormError::ConditionValue(
                    field.label.clone(),
                    cond.equals.clone(),
                ));
            }
            // Citizens never see staff fields' values, and a staff field deciding what a
            // citizen is asked would leak them; staff fields are filled after the answer.
            if on.staff_only != field.staff_only {
                return Err(FormError::ConditionAudience(field.label.clone()));
            }
        }
        if let FieldKind::Address {
            postal_field: Some(postal),
        } = &field.kind
        {
            let ok = seen
                .get(postal)
                .is_some_and(|&at| checked[at].kind == FieldKind::PostalCode);
            if !ok {
                return Err(FormError::AddressPostalField(field.label.clone()));
            }
        }
        seen.insert(field.id.clone(), checked.len());
        checked.push(field);
    }
    Ok(checked)
}
