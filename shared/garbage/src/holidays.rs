//! Japanese national holidays (国民の祝日・休日), as the Cabinet Office publishes them.
//!
//! The Cabinet Office adds next year's holidays each February. Staff refresh them by uploading
//! `syukujitsu.csv` exactly as downloaded (CP932) or re-saved as UTF-8; the bundled copy is the
//! fallback until they do.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{ImportError, ImportFailed};
use crate::text;

const FILE: &str = "syukujitsu.csv";
const HEADER: [&str; 2] = ["国民の祝日・休日月日", "国民の祝日・休日名称"];
static BUNDLED: &[u8] = include_bytes!("../../../data/garbage/holidays/syukujitsu.csv");

/// The set of national holidays with their names (振替休日 are named `休日`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holidays {
    days: BTreeMap<NaiveDate, String>,
}

impl Holidays {
    /// Holidays from a list, for tests and for calendars a city keeps by hand.
    pub fn from_days(days: impl IntoIterator<Item = (NaiveDate, String)>) -> Self {
        Self {
            days: days.into_iter().collect(),
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
            Ok(Self { days })
        } else {
            Err(ImportFailed { errors })
        }
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.days.contains_key(&date)
    }

    pub fn name(&self, date: NaiveDate) -> Option<&str> {
        self.days.get(&date).map(String::as_str)
    }

    /// The last date listed: after it the set says nothing, which the console warns about.
    pub fn last_date(&self) -> Option<NaiveDate> {
        self.days.keys().next_back().copied()
    }

    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.days.iter().map(|(d, n)| (*d, n.as_str()))
    }
}
