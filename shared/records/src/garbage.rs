//! The garbage calendar (ごみ収集カレンダー) staff keep in the console, its sorting dictionary,
//! the national holidays it follows and the notice settings.
//!
//! Each is one record under `GARBAGE`. Until staff import the city's own calendar, the shipped
//! 小浜市 SAMPLE is served and marked as such; until they upload a holiday CSV, the bundled one.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_garbage::{obama_sample, Calendar, Dictionary, Holidays, NoticeSettings};
use tayori_ports::{Condition, Item, TableStore, Write};

const PK: &str = "GARBAGE";
const CALENDAR: &str = "CALENDAR";
const DICTIONARY: &str = "DICTIONARY";
const HOLIDAYS: &str = "HOLIDAYS";
const NOTICES: &str = "NOTICES";
/// A notice slot (a day's 当日朝 or 前日夜 notices) kept for two days once prepared.
const SLOT_DAYS: i64 = 2;

fn slot_sk(slot: &str) -> String {
    format!("SLOT#{slot}")
}

/// The calendar in force and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredCalendar {
    pub calendar: Calendar,
    /// True for the shipped sample: the console and citizens are told it is not the real one.
    pub sample: bool,
    /// Who last changed it and when; `None` for the untouched sample.
    pub updated: Option<Change>,
}

/// Who changed a record, when, and how (「5374取込」, 「収集中止を設定」 …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub by: String,
    pub at: DateTime<Utc>,
    pub what: String,
}

/// Holidays staff uploaded, with who uploaded them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredHolidays {
    pub holidays: Holidays,
    /// `None` for the bundled copy.
    pub updated: Option<Change>,
}

#[derive(Clone)]
pub struct GarbageRecords {
    table: Arc<dyn TableStore>,
}

impl GarbageRecords {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// The calendar in force (the sample until the city saves its own).
    pub async fn calendar(&self) -> Result<StoredCalendar, RecordError> {
        Ok(self.calendar_with_version().await?.0)
    }

    async fn calendar_with_version(&self) -> Result<(StoredCalendar, Option<u64>), RecordError> {
        match self.table.get(PK, CALENDAR).await? {
            Some(item) => Ok((decode(&item)?, Some(item.version))),
            None => Ok((
                StoredCalendar {
                    calendar: obama_sample().calendar,
                    sample: true,
                    updated: None,
                },
                None,
            )),
        }
    }

    /// Applies `change` to the calendar in force and saves it, retrying on the fresh calendar
    /// when another clerk saved first. A refusal (`Err(E)`) saves nothing. An edited sample
    /// stays marked as a sample: only an import replaces it.
    pub async fn update_calendar<E>(
        &self,
        by: &str,
        at: DateTime<Utc>,
        what: &str,
        change: impl Fn(&mut Calendar) -> Result<(), E>,
    ) -> Result<Result<StoredCalendar, E>, RecordError> {
        let mut attempts = Attempts::new(&format!("{PK}/{CALENDAR}"));
        loop {
            let (mut stored, version) = self.calendar_with_version().await?;
            if let Err(refused) = change(&mut stored.calendar) {
                return Ok(Err(refused));
            }
            stored.updated = Some(Change {
                by: by.into(),
                at,
                what: what.into(),
            });
            let (condition, next) = match version {
                Some(v) => (Condition::IfVersion(v), v + 1),
                None => (Condition::IfAbsent, 1),
            };
            let item = Item::new(PK, CALENDAR, encode(&stored)).with_version(next);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(Ok(stored));
            }
        }
    }

    /// Replaces calendar and dictionary together (a 5374 import): both or neither are saved.
    pub async fn replace(
        &self,
        calendar: Calendar,
        dictionary: &Dictionary,
        change: Change,
    ) -> Result<StoredCalendar, RecordError> {
        let version = self.table.get(PK, CALENDAR).await?.map_or(0, |i| i.version);
        let stored = StoredCalendar {
            calendar,
            sample: false,
            updated: Some(change),
        };
        let writes = vec![
            Write::Put {
                item: Item::new(PK, CALENDAR, encode(&stored)).with_version(version + 1),
                condition: Condition::Always,
            },
            Write::Put {
                item: Item::new(PK, DICTIONARY, encode(dictionary)),
                condition: Condition::Always,
            },
        ];
        self.table.transact(writes).await?;
        Ok(stored)
    }

    /// The sorting dictionary (the sample's until a 5374 import brings the city's).
    pub async fn dictionary(&self) -> Result<Dictionary, RecordError> {
        match self.table.get(PK, DICTIONARY).await? {
            Some(item) => decode(&item),
            None => Ok(obama_sample().dictionary),
        }
    }

    /// The holidays in force: the last uploaded Cabinet Office CSV, or the bundled copy.
    pub async fn holidays(&self) -> Result<StoredHolidays, RecordError> {
        match self.table.get(PK, HOLIDAYS).await? {
            Some(item) => decode(&item),
            None => Ok(StoredHolidays {
                holidays: Holidays::bundled(),
                updated: None,
            }),
        }
    }

    pub async fn save_holidays(
        &self,
        holidays: Holidays,
        change: Change,
    ) -> Result<StoredHolidays, RecordError> {
        let stored = StoredHolidays {
            holidays,
            updated: Some(change),
        };
        let item = Item::new(PK, HOLIDAYS, encode(&stored));
        self.table.put(item, Condition::Always).await?;
        Ok(stored)
    }

    /// The notice settings (6:30 JST, every kind on, until staff change them).
    pub async fn notices(&self) -> Result<NoticeSettings, RecordError> {
        match self.table.get(PK, NOTICES).await? {
            Some(item) => decode(&item),
            None => Ok(NoticeSettings::default()),
        }
    }

    pub async fn save_notices(&self, settings: &NoticeSettings) -> Result<(), RecordError> {
        let item = Item::new(PK, NOTICES, encode(settings));
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    /// Whether the notices of `slot` (e.g. `20261201#morning`) were all prepared: later ticks of
    /// its catch-up window then do nothing.
    pub async fn slot_prepared(&self, slot: &str) -> Result<bool, RecordError> {
        Ok(self.table.get(PK, &slot_sk(slot)).await?.is_some())
    }

    /// Marks `slot` prepared at `at` (kept two days, then gone by TTL).
    pub async fn mark_slot_prepared(
        &self,
        slot: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RecordError> {
        let expires = at.timestamp() + SLOT_DAYS * 86_400;
        let item =
            Item::new(PK, slot_sk(slot), serde_json::json!({ "at": at })).expiring_at(expires);
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_garbage::{DateRange, Districts, Suspension};
    use tayori_ports::SystemClock;

    fn records() -> (GarbageRecords, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
        (GarbageRecords::new(Arc::new(table)), dir)
    }

    fn change(what: &str) -> Change {
        Change {
            by: "clerk".into(),
            at: Utc::now(),
            what: what.into(),
        }
    }

    fn snow(day: u32) -> Suspension {
        let date = NaiveDate::from_ymd_opt(2027, 1, day).unwrap();
        Suspension {
            districts: Districts::Only(vec!["雲浜".into()]),
            kinds: None,
            range: DateRange {
                from: date,
                to: date,
            },
            reason: "大雪".into(),
            substitute: None,
            message: "大雪のため収集を中止します。".into(),
        }
    }

    #[tokio::test]
    async fn the_sample_is_served_and_marked_until_the_city_imports_its_own() {
        let (r, _dir) = records();
        let served = r.calendar().await.unwrap();
        assert!(served.sample);
        assert_eq!(served.calendar.districts.len(), 12);

        let mut own = served.calendar.clone();
        own.districts.truncate(1);
        let dictionary = Dictionary::default();
        r.replace(own, &dictionary, change("5374取込"))
            .await
            .unwrap();
        let served = r.calendar().await.unwrap();
        assert!(!served.sample);
        assert_eq!(served.calendar.districts.len(), 1);
        assert!(r.dictionary().await.unwrap().entries.is_empty());
    }

    #[tokio::test]
    async fn two_clerks_adding_suspensions_at_once_both_keep_theirs() {
        let (r, _dir) = records();
        let (a, b) = tokio::join!(
            r.update_calendar("a", Utc::now(), "収集中止", |c| {
                c.suspensions.push(snow(11));
                Ok::<_, ()>(())
            }),
            r.update_calendar("b", Utc::now(), "収集中止", |c| {
                c.suspensions.push(snow(12));
                Ok::<_, ()>(())
            }),
        );
        a.unwrap().unwrap();
        b.unwrap().unwrap();
        let stored = r.calendar().await.unwrap();
        assert_eq!(stored.calendar.suspensions.len(), 2);
        assert!(
            stored.sample,
            "editing the sample does not make it the city's calendar"
        );
    }

    #[tokio::test]
    async fn a_refused_change_saves_nothing() {
        let (r, _dir) = records();
        let refused = r
            .update_calendar("a", Utc::now(), "x", |c| {
                c.suspensions.push(snow(11));
                Err("no")
            })
            .await
            .unwrap();
        assert_eq!(refused, Err("no"));
        assert!(r.calendar().await.unwrap().calendar.suspensions.is_empty());
    }

    #[tokio::test]
    async fn uploaded_holidays_and_notice_settings_replace_the_defaults() {
        let (r, _dir) = records();
        assert!(r.holidays().await.unwrap().updated.is_none());
        let day = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        r.save_holidays(
            Holidays::from_days([(day, "憲法記念日".into())]),
            change("祝日CSV"),
        )
        .await
        .unwrap();
        assert_eq!(r.holidays().await.unwrap().holidays.len(), 1);

        let mut settings = r.notices().await.unwrap();
        settings.enabled = false;
        r.save_notices(&settings).await.unwrap();
        assert!(!r.notices().await.unwrap().enabled);
    }
}
