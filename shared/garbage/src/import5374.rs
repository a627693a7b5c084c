//! Reading a 5374 (ごみなし) data set: `area_days.csv` (districts and their cells), `center.csv`
//! (centre pauses), `description.csv` (kinds: label, sublabel, description, styles, colour) and
//! `target.csv` (the sorting dictionary). Each file may be CP932 or UTF-8.
//!
//! Every problem in every file is collected; the import either returns the whole calendar and
//! dictionary or every error, never a part.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::cell;
use crate::dictionary::{Dictionary, Entry};
use crate::error::{ImportError, ImportFailed};
use crate::rules::{Calendar, CentrePause, DateRange, District, HolidayPolicy, Kind, Rule};
use crate::text::{self, Record};

pub const AREA_DAYS: &str = "area_days.csv";
pub const CENTER: &str = "center.csv";
pub const DESCRIPTION: &str = "description.csv";
pub const TARGET: &str = "target.csv";

/// The uploaded files; only `area_days.csv` is required.
#[derive(Clone, Copy, Debug, Default)]
pub struct Files5374<'a> {
    pub area_days: &'a [u8],
    pub center: Option<&'a [u8]>,
    pub description: Option<&'a [u8]>,
    pub target: Option<&'a [u8]>,
}

/// What a 5374 data set holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub calendar: Calendar,
    pub dictionary: Dictionary,
}

/// Reads a whole 5374 data set, or reports every problem in it.
pub fn import5374(files: Files5374<'_>) -> Result<Imported, ImportFailed> {
    let mut errors = Vec::new();
    let mut read = |name: &str, bytes: Option<&[u8]>| -> Vec<Record> {
        let Some(bytes) = bytes else {
            return Vec::new();
        };
        match text::decode(name, bytes).and_then(|t| text::parse_csv(name, &t)) {
            Ok(records) => records,
            Err(e) => {
                errors.push(e);
                Vec::new()
            }
        }
    };
    let area_days = read(AREA_DAYS, Some(files.area_days));
    let center = read(CENTER, files.center);
    let description = read(DESCRIPTION, files.description);
    let target = read(TARGET, files.target);

    let described = read_description(&description, &mut errors);
    let (districts, header_kinds, rules) = read_area_days(&area_days, &mut errors);
    let centre_pauses = read_center(&center, &mut errors);
    let dictionary = read_target(&target, &mut errors);

    let mut kinds: Vec<Kind> = described;
    for kind in &mut kinds {
        kind.scheduled = header_kinds.contains(&kind.id);
    }
    for label in &header_kinds {
        if !kinds.iter().any(|k| &k.id == label) {
            kinds.push(kind_named(label));
        }
    }
    // Staff read the list top to bottom with the files open: order it as the files are.
    let file_order = [AREA_DAYS, CENTER, DESCRIPTION, TARGET];
    errors.sort_by_key(|e| {
        (
            file_order.iter().position(|f| *f == e.file),
            e.line,
            e.column,
        )
    });
    if errors.is_empty() {
        let calendar = Calendar {
            districts,
            kinds,
            rules,
            year_end: None,
            centre_pauses,
            suspensions: Vec::new(),
        };
        Ok(Imported {
            calendar,
            dictionary,
        })
    } else {
        Err(ImportFailed { errors })
    }
}

fn kind_named(label: &str) -> Kind {
    Kind {
        id: label.to_owned(),
        name: label.to_owned(),
        colour: String::new(),
        sublabel: String::new(),
        description: String::new(),
        styles: String::new(),
        scheduled: true,
    }
}

fn err(file: &str, line: usize, column: Option<usize>, message: impl Into<String>) -> ImportError {
    ImportError::new(file, Some(line), column, message)
}

/// Checks the column count of every row after the header against the header's.
fn rows<'r>(file: &str, records: &'r [Record], errors: &mut Vec<ImportError>) -> Vec<&'r Record> {
    let Some(header) = records.first() else {
        return Vec::new();
    };
    let width = header.fields.len();
    records[1..]
        .iter()
        .filter(|r| {
            let ok = r.fields.len() == width;
            if !ok {
                errors.push(err(
                    file,
                    r.line,
                    None,
                    format!("列の数が{}です（見出し行は{width}列）", r.fields.len()),
                ));
            }
            ok
        })
        .collect()
}

fn read_area_days(
    records: &[Record],
    errors: &mut Vec<ImportError>,
) -> (Vec<District>, Vec<String>, Vec<Rule>) {
    let Some(header) = records.first() else {
        errors.push(ImportError::new(AREA_DAYS, None, None, "ファイルが空です"));
        return Default::default();
    };
    let h = &header.fields;
    if h.len() < 3 || h[0].trim() != "地区" || h[1].trim() != "センター" {
        errors.push(err(
            AREA_DAYS,
            header.line,
            None,
            "見出し行は「地区,センター,ごみの種類…」である必要があります",
        ));
        return Default::default();
    }
    let kinds: Vec<String> = h[2..].iter().map(|k| k.trim().to_owned()).collect();
    let mut seen = BTreeSet::new();
    for (i, kind) in kinds.iter().enumerate() {
        if kind.is_empty() || !seen.insert(kind.clone()) {
            errors.push(err(
                AREA_DAYS,
                header.line,
                Some(i + 3),
                format!("ごみの種類「{kind}」が空か重複しています"),
            ));
        }
    }
    let mut districts: Vec<District> = Vec::new();
    let mut rules = Vec::new();
    for record in rows(AREA_DAYS, records, errors) {
        let name = record.fields[0].trim();
        if name.is_empty() {
            errors.push(err(AREA_DAYS, record.line, Some(1), "地区名が空です"));
            continue;
        }
        if districts.iter().any(|d| d.name == name) {
            errors.push(err(
                AREA_DAYS,
                record.line,
                Some(1),
                format!("地区「{name}」が2回あります"),
            ));
            continue;
        }
        let centre = Some(record.fields[1].trim())
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        districts.push(District {
            name: name.to_owned(),
            centre,
        });
        for (i, (raw, kind)) in record.fields[2..].iter().zip(&kinds).enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            match cell::parse(raw.trim()) {
                Ok(parsed) => rules.push(Rule {
                    district: name.to_owned(),
                    kind: kind.clone(),
                    schedules: parsed.schedules,
                    months: parsed.months,
                    extra_dates: parsed.dates,
                    cancelled_dates: BTreeSet::new(),
                    on_holiday: HolidayPolicy::default(),
                    notes: parsed.notes,
                }),
                Err(e) => errors.push(err(AREA_DAYS, record.line, Some(i + 3), e.to_string())),
            }
        }
    }
    (districts, kinds, rules)
}

fn read_description(records: &[Record], errors: &mut Vec<ImportError>) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = Vec::new();
    if let Some(header) = records.first() {
        let names: Vec<String> = header
            .fields
            .iter()
            .map(|f| f.trim().to_ascii_lowercase())
            .collect();
        if names != ["label", "sublabel", "description", "styles", "bgcolor"] {
            errors.push(err(
                DESCRIPTION,
                header.line,
                None,
                "見出し行は「label,sublabel,description,styles,Bgcolor」である必要があります",
            ));
            return kinds;
        }
    }
    for record in rows(DESCRIPTION, records, errors) {
        let f = &record.fields;
        let label = f[0].trim();
        if label.is_empty() || kinds.iter().any(|k| k.id == label) {
            errors.push(err(
                DESCRIPTION,
                record.line,
                Some(1),
                format!("label「{label}」が空か重複しています"),
            ));
            continue;
        }
        let colour = f[4].trim();
        if !colour.is_empty() && !is_hex_colour(colour) {
            errors.push(err(
                DESCRIPTION,
                record.line,
                Some(5),
                format!("「{colour}」は色（例: #ea3b13）として読めません"),
            ));
            continue;
        }
        kinds.push(Kind {
            id: label.to_owned(),
            name: label.to_owned(),
            colour: colour.to_owned(),
            sublabel: f[1].clone(),
            description: f[2].clone(),
            styles: f[3].clone(),
            scheduled: false,
        });
    }
    kinds
}

fn is_hex_colour(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|h| (h.len() == 6 || h.len() == 3) && h.chars().all(|c| c.is_ascii_hexdigit()))
}

fn read_center(records: &[Record], errors: &mut Vec<ImportError>) -> Vec<CentrePause> {
    if let Some(header) = records.first() {
        if header.fields.len() != 3 {
            errors.push(err(
                CENTER,
                header.line,
                None,
                "見出し行は「名称,休止開始日,休止終了日」の3列である必要があります",
            ));
            return Vec::new();
        }
    }
    let mut pauses = Vec::new();
    for record in rows(CENTER, records, errors) {
        let f = &record.fields;
        let centre = f[0].trim();
        let date = |column: usize| {
            let raw = f[column].trim();
            NaiveDate::parse_from_str(raw, "%Y/%m/%d").map_err(|_| {
                err(
                    CENTER,
                    record.line,
                    Some(column + 1),
                    format!("「{raw}」は日付（例: 2026/12/29）として読めません"),
                )
            })
        };
        match (centre.is_empty(), date(1), date(2)) {
            (true, _, _) => {
                errors.push(err(CENTER, record.line, Some(1), "センターの名称が空です"))
            }
            (false, Ok(from), Ok(to)) if to >= from => pauses.push(CentrePause {
                centre: centre.to_owned(),
                range: DateRange { from, to },
            }),
            (false, Ok(_), Ok(_)) => errors.push(err(
                CENTER,
                record.line,
                Some(3),
                "休止終了日が休止開始日より前です",
            )),
            (false, a, b) => errors.extend(a.err().into_iter().chain(b.err())),
        }
    }
    pauses
}

fn read_target(records: &[Record], errors: &mut Vec<ImportError>) -> Dictionary {
    if let Some(header) = records.first() {
        let names: Vec<String> = header
            .fields
            .iter()
            .map(|f| f.trim().to_ascii_lowercase())
            .collect();
        if names != ["type", "name", "notice", "furigana"] {
            errors.push(err(
                TARGET,
                header.line,
                None,
                "見出し行は「type,name,notice,furigana」である必要があります",
            ));
            return Dictionary::default();
        }
    }
    let mut entries = Vec::new();
    for record in rows(TARGET, records, errors) {
        let f = &record.fields;
        if f[0].trim().is_empty() || f[1].trim().is_empty() {
            errors.push(err(
                TARGET,
                record.line,
                None,
                "type と name は空にできません",
            ));
            continue;
        }
        entries.push(Entry {
            kind: f[0].trim().to_owned(),
            name: f[1].trim().to_owned(),
            notice: f[2].clone(),
            furigana: f[3].trim().to_owned(),
        });
    }
    Dictionary { entries }
}
