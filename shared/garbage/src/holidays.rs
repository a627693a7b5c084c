//! Japanese national holidays (国民の祝日・休日): as the Cabinet Office publishes them, and
//! computed from the law for the years it has not published yet.
//!
//! The Cabinet Office adds next year's holidays each February. Staff refresh them by uploading
//! `syukujitsu.csv` exactly as downloaded (CP932) or re-saved as UTF-8; the bundled copy is the
//! fallback until they do. For a year the published days cover, they are the holidays (they
//! carry the one-off days no rule knows); for any other year, [`holiday_law`] computes them,
//! with the equinoxes marked provisional (見込み) until the CSV that lists them is uploaded.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{ImportError, ImportFailed};
use crate::holiday_law;
use crate::text;

const FILE: &str = "syukujitsu.csv";
const HEADER: [&str; 2] = ["国民の祝日・休日月日", "国民の祝日・休日名称"];
static BUNDLED: &[u8] = include_bytes!("../../../data/garbage/holidays/syukujitsu.csv");

/// The national holidays with their names (振替休日 are named `休日`): the published days, and
/// the law's rules for the years they do not cover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holidays {
    /// The published days (the Cabinet Office CSV or a list staff keep), by date.
    days: BTreeMap<NaiveDate, String>,
    /// Whether the years the published days do not cover follow the law's rules. Records saved
    /// before the rules existed read as `true`; only [`Holidays::none`] turns it off.
    #[serde(default = "computed_by_default")]
    computed: bool,
}

fn computed_by_default() -> bool {
    true
}

/// One holiday: its name, and whether the date is still an estimate (見込み).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    /// Computed from the equinox formula, not yet published by the Cabinet Office.
    pub provisional: bool,
}

impl Holidays {
    /// Holidays from a list (the years it covers are as listed; other years follow the law),
    /// for tests and for calendars a city keeps by hand.
    pub fn from_days(days: impl IntoIterator<Item = (NaiveDate, String)>) -> Self {
        Self {
            days: days.into_iter().collect(),
            computed: true,
        }
    }

    /// No holiday at all, in any year: for checking collection rules apart from holidays.
    pub fn none() -> Self {
        Self {
            days: BTreeMap::new(),
            computed: false,
        }
    }

    /// The copy shipped in `data/garbage/holidays/syukujitsu.csv` (1955 to the end of the year
    /// after its download).
    pub fn bundled() -> Self {
        Self::parse_cabinet_office_csv(BUNDLED).expect("the bundled syukujitsu.csv is valid")
    }

    /// Reads the Cabinet Office CSV (`YYYY/M/D,名称` under its two-column header), in CP932 or
    /// UTF-8. Every bad row is reported with its line number.
    pub fn parse_cabinet_office_csv(bytes: &[u8]) -> Result<Self, ImportFailed> {
        let one = |e: ImportError| ImportFailed { errors: vec![e] };
        let decoded = text::decode(FILE, bytes).map_err(one)?;
        let records = text::parse_csv(FILE, &decoded).map_err(one)?;
        let mut errors = Vec::new();
        let mut records = records.into_iter();
        match records.next() {
            Some(header) if header.fields.iter().map(|f| f.trim()).eq(HEADER) => {}
            Some(header) => errors.push(ImportError::new(
                FILE,
                Some(header.line),
                None,
                format!("見出し行は「{}」である必要があります", HEADER.join(",")),
            )),
            None => errors.push(ImportError::new(FILE, None, None, "ファイルが空です")),
        }
        let mut days = BTreeMap::new();
        for record in records {
            let [date, name] = record.fields.as_slice() else {
                errors.push(ImportError::new(
                    FILE,
                    Some(record.line),
                    None,
                    format!(
                        "列の数が{}です（日付と名称の2列が必要です）",
                        record.fields.len()
                    ),
                ));
                continue;
            };
            let name = name.trim();
            match NaiveDate::parse_from_str(date.trim(), "%Y/%m/%d") {
                Ok(_) if name.is_empty() => errors.push(ImportError::new(
                    FILE,
                    Some(record.line),
                    Some(2),
                    "祝日の名称が空です",
                )),
                Ok(day) => {
                    days.insert(day, name.to_owned());
                }
                Err(_) => errors.push(ImportError::new(
                    FILE,
                    Some(record.line),
                    Some(1),
                    format!("「{date}」は日付（例: 2027/1/1）として読めません"),
                )),
            }
        }
        if days.is_empty() && errors.is_empty() {
            errors.push(ImportError::new(FILE, None, None, "祝日が1件もありません"));
        }
        if errors.is_empty() {
            Ok(Self::from_days(days))
        } else {
            Err(ImportFailed { errors })
        }
    }

    /// The holiday on `date`: the published one for a year the published days cover, else the
    /// law's.
    pub fn holiday(&self, date: NaiveDate) -> Option<Holiday> {
        if self.covers(date.year()) {
            return self.days.get(&date).map(|name| Holiday {
                name: name.clone(),
                provisional: false,
            });
        }
        if !self.computed {
            return None;
        }
        holiday_law::holidays_in(date.year())
            .into_iter()
            .find(|h| h.date == date)
            .map(|h| Holiday {
                name: h.name.to_owned(),
                provisional: h.provisional,
            })
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holiday(date).is_some()
    }

    pub fn name(&self, date: NaiveDate) -> Option<String> {
        self.holiday(date).map(|h| h.name)
    }

    /// Whether the published days list `year`; its holidays are then exactly those listed.
    pub fn covers(&self, year: i32) -> bool {
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return false;
        };
        self.days.range(first..=last).next().is_some()
    }

    /// The last published date: after it the holidays are computed, which the console says.
    pub fn last_date(&self) -> Option<NaiveDate> {
        self.days.keys().next_back().copied()
    }

    /// How many days are published.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The published days.
    pub fn iter(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.days.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// Every holiday from `from` to `to`, published or computed, for the console's list.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, Holiday)> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter_map(|d| self.holiday(d).map(|h| (d, h)))
            .collect()
    }
}
