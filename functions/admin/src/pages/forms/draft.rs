//! The builder's form as the clerk typed it. The whole definition travels in one posted form
//! (settings, every field's inputs `f<i>.<name>`, every slot's `s<i>.<name>`), so adding,
//! moving or removing a field or a slot is a post that draws the page again with the change
//! and nothing else: no script needed, nothing typed lost, nothing saved until 「保存する」.
//! Turning the draft into the domain's settings only reads what was typed (numbers, dates);
//! whether the definition holds is the domain's to say when the desk saves it.

use crate::ui::form_data::FormData;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use tayori_domain::form::{
    Condition, Field, FieldId, FieldKind, FileType, Form, FormKind, FormSettings, PerCitizen, Slot,
    SlotId, MAX_FIELDS, MAX_FILE_BYTES, MAX_SLOTS,
};
use tayori_domain::time::{jst, to_jst};

/// The kinds the builder's 「項目を追加」 menu offers, in the menu's order.
pub const KIND_CODES: [&str; 16] = [
    "short_text",
    "long_text",
    "number",
    "email",
    "phone",
    "postal_code",
    "address",
    "date",
    "time",
    "single_choice",
    "multiple_choice",
    "dropdown",
    "file",
    "consent",
    "heading",
    "description",
];

/// A new field's kind with the builder's starting limits.
pub fn starting_kind(code: &str) -> Option<FieldKind> {
    Some(match code {
        "short_text" => FieldKind::ShortText { max_chars: 100 },
        "long_text" => FieldKind::LongText { max_chars: 1000 },
        "number" => FieldKind::Number {
            min: None,
            max: None,
            integer: true,
        },
        "email" => FieldKind::Email,
        "phone" => FieldKind::Phone,
        "postal_code" => FieldKind::PostalCode,
        "address" => FieldKind::Address { postal_field: None },
        "date" => FieldKind::Date {
            min: None,
            max: None,
        },
        "time" => FieldKind::Time,
        "single_choice" => FieldKind::SingleChoice {
            choices: Vec::new(),
        },
        "multiple_choice" => FieldKind::MultipleChoice {
            choices: Vec::new(),
            min_picks: None,
            max_picks: None,
        },
        "dropdown" => FieldKind::Dropdown {
            choices: Vec::new(),
        },
        // A photo, as most applications ask for one; the clerk widens it.
        "file" => FieldKind::File {
            types: vec![FileType::Jpeg, FileType::Png],
            max_bytes: MAX_FILE_BYTES,
            max_files: 1,
        },
        "consent" => FieldKind::Consent {
            text: String::new(),
        },
        "heading" => FieldKind::Heading,
        "description" => FieldKind::Description {
            text: String::new(),
        },
        _ => return None,
    })
}

/// The menu's words for a kind code.
pub fn kind_label(code: &str) -> &'static str {
    starting_kind(code).map_or("", |k| k.label())
}

/// One field as typed: every input as text, so that a wrong number comes back as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DraftField {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub staff_only: bool,
    pub personal: bool,
    /// One choice a line.
    pub choices: String,
    pub max_chars: String,
    /// Number and date bounds, and a multiple choice's picks.
    pub min: String,
    pub max: String,
    pub integer: bool,
    /// A consent's or a description block's text.
    pub text: String,
    pub file_types: Vec<String>,
    /// 1ファイルの上限 in MB.
    pub max_mb: String,
    pub max_files: String,
    pub postal_field: String,
    pub cond_field: String,
    pub cond_value: String,
}

/// One reservation slot as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DraftSlot {
    pub id: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub capacity: String,
}

/// The builder's whole form as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub title: String,
    pub description: String,
    pub department: String,
    pub kind: String,
    pub per_citizen: String,
    /// `datetime-local` values, JST.
    pub opens_at: String,
    pub closes_at: String,
    pub capacity: String,
    pub receipt_message: String,
    /// 新しい回答の通知先メールアドレス; blank for none.
    pub notice_address: String,
    pub fields: Vec<DraftField>,
    pub slots: Vec<DraftSlot>,
}

/// A value typed into the builder that is not what its input asks for, with the input's id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Unreadable {
    /// The id of the input (`f-title`, `f-f3-min` …) the summary links to.
    pub input: String,
    pub message: String,
}

fn unreadable(input: impl Into<String>, message: impl Into<String>) -> Unreadable {
    Unreadable {
        input: input.into(),
        message: message.into(),
    }
}

fn datetime_local(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| to_jst(t).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

fn number_text(n: Option<f64>) -> String {
    n.map(tayori_domain::form::value::format_number)
        .unwrap_or_default()
        .replace(',', "")
}

fn optional_text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl DraftField {
    /// A new field of `code` with an id no other field of the draft has.
    pub fn new(code: &str, taken: &[&str]) -> Option<Self> {
        let kind = starting_kind(code)?;
        let id = (1..)
            .map(|n| format!("q{n}"))
            .find(|id| !taken.contains(&id.as_str()))
            .expect("an unused id");
        let mut field = Self::from_field(&Field {
            id: FieldId::parse(&id).expect("q<n> is a field id"),
            label: String::new(),
            help: String::new(),
            required: false,
            kind,
            show_when: None,
            staff_only: false,
            personal: false,
        });
        field.label = String::new();
        Some(field)
    }

    pub fn from_field(f: &Field) -> Self {
        let mut d = DraftField {
            id: f.id.to_string(),
            kind: f.kind.code().to_string(),
            label: f.label.clone(),
            help: f.help.clone(),
            required: f.required,
            staff_only: f.staff_only,
            personal: f.personal,
            cond_field: f
                .show_when
                .as_ref()
                .map(|c| c.field.to_string())
                .unwrap_or_default(),
            cond_value: f
                .show_when
                .as_ref()
                .map(|c| c.equals.clone())
                .unwrap_or_default(),
            ..DraftField::default()
        };
        match &f.kind {
            FieldKind::ShortText { max_chars } | FieldKind::LongText { max_chars } => {
                d.max_chars = max_chars.to_string();
            }
            FieldKind::Number { min, max, integer } => {
                d.min = number_text(*min);
                d.max = number_text(*max);
                d.integer = *integer;
            }
            FieldKind::Date { min, max } => {
                d.min = optional_text(*min);
                d.max = optional_text(*max);
            }
            FieldKind::SingleChoice { choices } | FieldKind::Dropdown { choices } => {
                d.choices = choices.join("\n");
            }
            FieldKind::MultipleChoice {
                choices,
                min_picks,
                max_picks,
            } => {
                d.choices = choices.join("\n");
                d.min = optional_text(*min_picks);
                d.max = optional_text(*max_picks);
            }
            FieldKind::File {
                types,
                max_bytes,
                max_files,
            } => {
                d.file_types = types
                    .iter()
                    .map(|t| file_type_code(*t).to_string())
                    .collect();
                d.max_mb = number_text(Some(*max_bytes as f64 / (1024.0 * 1024.0)));
                d.max_files = max_files.to_string();
            }
            FieldKind::Consent { text } | FieldKind::Description { text } => {
                d.text = text.clone();
            }
            FieldKind::Address { postal_field } => {
                d.postal_field = optional_text(postal_field.as_ref());
            }
            FieldKind::Email
            | FieldKind::Phone
            | FieldKind::PostalCode
            | FieldKind::Time
            | FieldKind::Heading => {}
        }
        d
    }

    /// The field's inputs' id prefix (`f-f3`).
    pub fn input(index: usize, name: &str) -> String {
        format!("f-f{index}-{name}")
    }

    fn to_field(&self, i: usize) -> Result<Field, Unreadable> {
        let at = |name: &str| DraftField::input(i, name);
        let id = FieldId::parse(&self.id).map_err(|e| unreadable(at("label"), e.to_string()))?;
        let name = if self.label.trim().is_empty() {
            format!("{}番目の項目", i + 1)
        } else {
            format!("「{}」", self.label.trim())
        };
        let number = |text: &str, input: &str| -> Result<Option<f64>, Unreadable> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    unreadable(at(input), format!("{name}の値は数字で入力してください。"))
                })
        };
        let whole = |text: &str, input: &str| -> Result<Option<u32>, Unreadable> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<u32>().map(Some).map_err(|_| {
                unreadable(
                    at(input),
                    format!("{name}の値は0以上の整数で入力してください。"),
                )
            })
        };
        let date = |text: &str, input: &str| -> Result<Option<NaiveDate>, Unreadable> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    unreadable(
                        at(input),
                        format!("{name}の日付は「2026-12-01」の形で入力してください。"),
                    )
                })
        };
        let choices = || -> Vec<String> {
            self.choices
                .lines()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        };
        let kind = match self.kind.as_str() {
            "short_text" | "long_text" => {
                let max_chars = whole(&self.max_chars, "max_chars")?.unwrap_or(0);
                if self.kind == "short_text" {
                    FieldKind::ShortText { max_chars }
                } else {
                    FieldKind::LongText { max_chars }
                }
            }
            "number" => FieldKind::Number {
                min: number(&self.min, "min")?,
                max: number(&self.max, "max")?,
                integer: self.integer,
            },
            "date" => FieldKind::Date {
                min: date(&self.min, "min")?,
                max: date(&self.max, "max")?,
            },
            "single_choice" => FieldKind::SingleChoice { choices: choices() },
            "dropdown" => FieldKind::Dropdown { choices: choices() },
            "multiple_choice" => FieldKind::MultipleChoice {
                choices: choices(),
                min_picks: whole(&self.min, "min")?,
                max_picks: whole(&self.max, "max")?,
            },
            "file" => FieldKind::File {
                types: self
                    .file_types
                    .iter()
                    .map(|code| {
                        FileType::ALL
                            .into_iter()
                            .find(|t| file_type_code(*t) == code)
                            .ok_or_else(|| {
                                unreadable(
                                    at("file_types"),
                                    format!("{name}のファイルの種類が正しくありません。"),
                                )
                            })
                    })
                    .collect::<Result<_, _>>()?,
                max_bytes: megabytes(&self.max_mb).ok_or_else(|| {
                    unreadable(
                        at("max_mb"),
                        format!("{name}の1ファイルの上限は「5」「0.5」のようにMBの数字で入力してください。"),
                    )
                })?,
                max_files: whole(&self.max_files, "max_files")?.unwrap_or(0),
            },
            "consent" => FieldKind::Consent {
                text: self.text.clone(),
            },
            "description" => FieldKind::Description {
                text: self.text.clone(),
            },
            "address" => FieldKind::Address {
                postal_field: match self.postal_field.trim() {
                    "" => None,
                    p => Some(
                        FieldId::parse(p)
                            .map_err(|e| unreadable(at("postal_field"), e.to_string()))?,
                    ),
                },
            },
            code => starting_kind(code).ok_or_else(|| {
                unreadable(at("label"), format!("{name}の種類が正しくありません。"))
            })?,
        };
        let show_when = match self.cond_field.trim() {
            "" => None,
            on => Some(Condition {
                field: FieldId::parse(on)
                    .map_err(|e| unreadable(at("cond_field"), e.to_string()))?,
                equals: self.cond_value.trim().to_string(),
            }),
        };
        Ok(Field {
            id,
            label: self.label.clone(),
            help: self.help.clone(),
            required: self.required,
            kind,
            show_when,
            staff_only: self.staff_only,
            personal: self.personal,
        })
    }
}

/// `5` or `0.5` (MB) as bytes, nothing typed as none (the domain then asks for a limit);
/// whether it is within the limit is the domain's to say.
fn megabytes(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() {
        return Some(0);
    }
    let mb = t.parse::<f64>().ok()?;
    (mb.is_finite() && mb >= 0.0).then(|| (mb * 1024.0 * 1024.0).round() as u64)
}

pub fn file_type_code(t: FileType) -> &'static str {
    match t {
        FileType::Jpeg => "jpeg",
        FileType::Png => "png",
        FileType::Pdf => "pdf",
    }
}

impl DraftSlot {
    pub fn from_slot(s: &Slot) -> Self {
        Self {
            id: s.id.to_string(),
            date: s.date.to_string(),
            start: s.start.format("%H:%M").to_string(),
            end: s.end.format("%H:%M").to_string(),
            capacity: s.capacity.to_string(),
        }
    }

    pub fn input(index: usize, name: &str) -> String {
        format!("f-s{index}-{name}")
    }

    fn to_slot(&self, i: usize) -> Result<Slot, Unreadable> {
        let at = |name: &str| DraftSlot::input(i, name);
        let which = format!("{}番目の予約枠", i + 1);
        let time = |t: &str, input: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
                unreadable(
                    at(input),
                    format!("{which}の時刻は「10:00」の形で入力してください。"),
                )
            })
        };
        Ok(Slot {
            id: SlotId::parse(&self.id).map_err(|e| unreadable(at("date"), e.to_string()))?,
            date: NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").map_err(|_| {
                unreadable(
                    at("date"),
                    format!("{which}の日付は「2026-12-01」の形で入力してください。"),
                )
            })?,
            start: time(&self.start, "start")?,
            end: time(&self.end, "end")?,
            capacity: self.capacity.trim().parse().map_err(|_| {
                unreadable(
                    at("capacity"),
                    format!("{which}の定員は1以上の整数で入力してください。"),
                )
            })?,
        })
    }
}

fn jst_input(text: &str, input: &str, what: &str) -> Result<Option<DateTime<Utc>>, Unreadable> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|local| local.and_local_timezone(jst()).single())
        .map(|at| Some(at.with_timezone(&Utc)))
        .ok_or_else(|| {
            unreadable(
                input,
                format!("{what}は「2026-12-01T09:00」の形（日本時間）で入力してください。"),
            )
        })
}

impl Draft {
    /// A new form's starting point: an アンケート of the clerk's own 課, nothing asked yet.
    pub fn new_for(department: &str) -> Self {
        Self {
            department: department.to_string(),
            kind: FormKind::Questionnaire.code().into(),
            per_citizen: "once".into(),
            ..Self::default()
        }
    }

    pub fn from_form(form: &Form) -> Self {
        let s = form.settings();
        Self {
            title: s.title,
            description: s.description,
            department: s.department,
            kind: s.kind.code().into(),
            per_citizen: per_citizen_code(s.per_citizen).into(),
            opens_at: datetime_local(s.opens_at),
            closes_at: datetime_local(s.closes_at),
            capacity: optional_text(s.capacity),
            receipt_message: s.receipt_message,
            notice_address: s.notice_address.unwrap_or_default(),
            fields: s.fields.iter().map(DraftField::from_field).collect(),
            slots: s.slots.iter().map(DraftSlot::from_slot).collect(),
        }
    }

    /// The draft as posted. Fields and slots come back in the order posted.
    pub fn parse(form: &FormData) -> Self {
        let fields = (0..MAX_FIELDS + 1)
            .take_while(|i| form.has(&format!("f{i}.id")))
            .map(|i| {
                let get = |name: &str| form.get(&format!("f{i}.{name}"));
                let text = |name: &str| form.secret(&format!("f{i}.{name}"));
                DraftField {
                    id: get("id"),
                    kind: get("kind"),
                    label: get("label"),
                    help: get("help"),
                    required: form.has(&format!("f{i}.required")),
                    staff_only: form.has(&format!("f{i}.staff_only")),
                    personal: form.has(&format!("f{i}.personal")),
                    choices: text("choices"),
                    max_chars: get("max_chars"),
                    min: get("min"),
                    max: get("max"),
                    integer: form.has(&format!("f{i}.integer")),
                    text: text("text"),
                    file_types: form.all(&format!("f{i}.file_types")),
                    max_mb: get("max_mb"),
                    max_files: get("max_files"),
                    postal_field: get("postal_field"),
                    cond_field: get("cond_field"),
                    cond_value: get("cond_value"),
                }
            })
            .collect();
        let slots = (0..MAX_SLOTS + 1)
            .take_while(|i| form.has(&format!("s{i}.id")))
            .map(|i| {
                let get = |name: &str| form.get(&format!("s{i}.{name}"));
                DraftSlot {
                    id: get("id"),
                    date: get("date"),
                    start: get("start"),
                    end: get("end"),
                    capacity: get("capacity"),
                }
            })
            .collect();
        Self {
            title: form.get("title"),
            description: form.secret("description"),
            department: form.get("department"),
            kind: form.get("kind"),
            per_citizen: form.get("per_citizen"),
            opens_at: form.get("opens_at"),
            closes_at: form.get("closes_at"),
            capacity: form.get("capacity"),
            receipt_message: form.secret("receipt_message"),
            notice_address: form.get("notice_address"),
            fields,
            slots,
        }
    }

    fn field_ids(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.id.as_str()).collect()
    }

    /// Adds a field of `code` at the end; false for a kind the menu does not offer.
    pub fn add_field(&mut self, code: &str) -> bool {
        match DraftField::new(code, &self.field_ids()) {
            Some(field) => {
                self.fields.push(field);
                true
            }
            None => false,
        }
    }

    /// Moves field `i` one place up (`up`) or down; nothing at either end.
    pub fn move_field(&mut self, i: usize, up: bool) {
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        if let Some(j) = j.filter(|j| *j < self.fields.len() && i < self.fields.len()) {
            self.fields.swap(i, j);
        }
    }

    pub fn remove_field(&mut self, i: usize) {
        if i < self.fields.len() {
            self.fields.remove(i);
        }
    }

    /// Adds the slot typed in the new-slot row with an id no other slot has.
    pub fn add_slot(&mut self, mut slot: DraftSlot) {
        let taken: Vec<&str> = self.slots.iter().map(|s| s.id.as_str()).collect();
        slot.id = (1..)
            .map(|n| format!("s{n}"))
            .find(|id| !taken.contains(&id.as_str()))
            .expect("an unused id");
        self.slots.push(slot);
    }

    pub fn remove_slot(&mut self, i: usize) {
        if i < self.slots.len() {
            self.slots.remove(i);
        }
    }

    /// The domain's settings, once every value reads as what its input asks for.
    pub fn settings(&self) -> Result<FormSettings, Unreadable> {
        let kind = FormKind::from_code(&self.kind)
            .ok_or_else(|| unreadable("f-kind", "種類を選んでください。"))?;
        let per_citizen = match self.per_citizen.as_str() {
            "many" => PerCitizen::Many,
            _ => PerCitizen::Once,
        };
        let capacity = match self.capacity.trim() {
            "" => None,
            t => Some(t.parse::<u32>().map_err(|_| {
                unreadable(
                    "f-capacity",
                    "定員は整数で入力してください（定員なしの場合は空欄）。",
                )
            })?),
        };
        let fields = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| f.to_field(i))
            .collect::<Result<Vec<_>, _>>()?;
        let slots = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| s.to_slot(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FormSettings {
            title: self.title.clone(),
            description: self.description.clone(),
            department: self.department.clone(),
            kind,
            per_citizen,
            opens_at: jst_input(&self.opens_at, "f-opens_at", "受付開始日時")?,
            closes_at: jst_input(&self.closes_at, "f-closes_at", "受付終了日時")?,
            capacity,
            slots,
            receipt_message: self.receipt_message.clone(),
            fields,
            // Blank is none; the domain checks the form of the rest.
            notice_address: Some(self.notice_address.clone()),
        })
    }
}

pub fn per_citizen_code(p: PerCitizen) -> &'static str {
    match p {
        PerCitizen::Once => "once",
        PerCitizen::Many => "many",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> FormData {
        FormData::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn every_kind_the_menu_offers_round_trips_through_the_posted_form() {
        let mut draft = Draft::new_for("総務課");
        draft.title = "調査".into();
        for code in KIND_CODES {
            assert!(draft.add_field(code), "{code}");
        }
        let ids: Vec<&str> = draft.fields.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids.len(), KIND_CODES.len());
        assert_eq!(ids[0], "q1");
        assert_eq!(ids[15], "q16");
        let settings = draft.settings().unwrap();
        let codes: Vec<&str> = settings.fields.iter().map(|f| f.kind.code()).collect();
        assert_eq!(codes, KIND_CODES);
        assert!(!draft.add_field("spreadsheet"));
    }

    #[test]
    fn a_posted_form_reads_back_with_its_fields_and_slots_in_order() {
        let form = posted(&[
            ("title", "健診予約"),
            ("kind", "reservation"),
            ("department", "健康課"),
            ("per_citizen", "many"),
            ("opens_at", "2026-12-01T09:00"),
            ("capacity", ""),
            ("f0.id", "q1"),
            ("f0.kind", "single_choice"),
            ("f0.label", "会場"),
            ("f0.choices", "本庁\r\n\r\n 分室 "),
            ("f0.required", "on"),
            ("f1.id", "q2"),
            ("f1.kind", "number"),
            ("f1.label", "人数"),
            ("f1.min", "1"),
            ("f1.max", "4"),
            ("f1.integer", "on"),
            ("f1.cond_field", "q1"),
            ("f1.cond_value", "本庁"),
            ("s0.id", "s1"),
            ("s0.date", "2026-12-10"),
            ("s0.start", "10:00"),
            ("s0.end", "10:30"),
            ("s0.capacity", "5"),
        ]);
        let draft = Draft::parse(&form);
        let s = draft.settings().unwrap();
        assert_eq!(s.kind, FormKind::Reservation);
        assert_eq!(s.per_citizen, PerCitizen::Many);
        // 09:00 JST is 00:00 UTC.
        assert_eq!(
            s.opens_at.unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(
            s.fields[0].kind,
            FieldKind::SingleChoice {
                choices: vec!["本庁".into(), "分室".into()]
            }
        );
        assert!(s.fields[0].required);
        assert_eq!(s.fields[1].show_when.as_ref().unwrap().equals, "本庁");
        assert_eq!(s.slots[0].capacity, 5);
        assert_eq!(draft.slots[0].start, "10:00");
    }

    #[test]
    fn fields_move_and_go_and_slots_get_fresh_ids() {
        let mut d = Draft::new_for("総務課");
        d.add_field("short_text");
        d.add_field("email");
        d.add_field("phone");
        d.move_field(2, true);
        d.move_field(0, true);
        d.move_field(2, false);
        let kinds: Vec<&str> = d.fields.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["short_text", "phone", "email"]);
        d.remove_field(0);
        d.add_field("date");
        assert_eq!(d.fields[2].id, "q1", "the freed id is used again");
        d.add_slot(DraftSlot::default());
        d.add_slot(DraftSlot::default());
        d.remove_slot(0);
        d.add_slot(DraftSlot::default());
        let ids: Vec<&str> = d.slots.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s2", "s1"]);
    }

    #[test]
    fn a_value_that_does_not_read_names_its_input() {
        let mut d = Draft::new_for("総務課");
        d.add_field("number");
        d.fields[0].label = "人数".into();
        d.fields[0].min = "たくさん".into();
        let e = d.settings().unwrap_err();
        assert_eq!(e.input, "f-f0-min");
        assert!(e.message.contains("「人数」"), "{e}");
        let mut d = Draft::new_for("総務課");
        d.closes_at = "12/1".into();
        assert_eq!(d.settings().unwrap_err().input, "f-closes_at");
    }

    #[test]
    fn a_file_field_reads_its_types_and_size_limit_and_names_what_does_not_read() {
        let mut d = Draft::new_for("総務課");
        d.title = "補助金の申請".into();
        d.add_field("file");
        d.fields[0].label = "領収書".into();
        d.fields[0].file_types = vec!["jpeg".into(), "pdf".into()];
        d.fields[0].max_mb = "2.5".into();
        d.fields[0].max_files = "3".into();
        let settings = d.settings().unwrap();
        assert_eq!(
            settings.fields[0].kind,
            FieldKind::File {
                types: vec![FileType::Jpeg, FileType::Pdf],
                max_bytes: 2_621_440,
                max_files: 3,
            }
        );
        for (input, typed) in [
            ("max_mb", "たくさん"),
            ("max_mb", "-1"),
            ("file_types", "docx"),
        ] {
            let mut bad = d.clone();
            match input {
                "max_mb" => bad.fields[0].max_mb = typed.into(),
                _ => bad.fields[0].file_types = vec![typed.into()],
            }
            let e = bad.settings().unwrap_err();
            assert_eq!(e.input, format!("f-f0-{input}"), "{typed}");
            assert!(e.message.contains("「領収書」"), "{e}");
        }
    }

    #[test]
    fn a_saved_form_comes_back_as_it_was_typed() {
        let mut d = Draft::new_for("総務課");
        d.title = "申請".into();
        for code in KIND_CODES {
            d.add_field(code);
        }
        for f in &mut d.fields {
            f.label = format!("{}の項目", f.kind);
            f.choices = "はい\nいいえ".into();
            f.text = "同意します".into();
        }
        d.fields[0].max_chars = "50".into();
        let s = d.settings().unwrap();
        let again: Vec<DraftField> = s.fields.iter().map(DraftField::from_field).collect();
        let settings_again = Draft {
            fields: again,
            ..d.clone()
        }
        .settings()
        .unwrap();
        assert_eq!(settings_again, s);
    }
}
