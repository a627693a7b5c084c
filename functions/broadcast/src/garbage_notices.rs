//! The garbage-day notices (ごみ収集日のお知らせ): on the first scheduler tick at or after the
//! configured JST time, one delivery per district with something to say and someone who asked,
//! to the citizens of that district who chose that timing (当日朝 for today's collections, 前日夜 for tomorrow's).
//!
//! Nothing is sent from the shipped sample calendar unless the run demonstrates it
//! ([`SampleCalendar`]): a deployment waits for the city's own calendar.
//!
//! Each notice is an ordinary delivery with a deterministic id, which the
//! [`DeliveryDesk`](tayori_deliveries::DeliveryDesk) creates only if absent and releases like a
//! staff delivery; the [`Sender`](tayori_deliveries::Sender) sends it, with its batches, retry
//! keys and log.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use std::collections::HashSet;
use tayori_deliveries::{DeliveryDesk, DeskError};
use tayori_domain::delivery::Delivery;
use tayori_domain::segment::{Match, SegmentCondition, Target, DISTRICT_ITEM};
use tayori_domain::time::to_jst;
use tayori_garbage::notice_text::{notice_text, SAMPLE_NOTE};
use tayori_garbage::{SampleCalendar, Timing, GARBAGE_NOTICE_ATTRIBUTE};
use tayori_ports::{Platform, StoreError};
use tayori_records::{Friends, GarbageRecords, RecordError};

/// Who the log says created the notices; the log's "kind" filter knows them by it.
pub const CREATED_BY: &str = tayori_domain::delivery::GARBAGE_NOTICE_AUTHOR;
pub const CATEGORY: &str = "ごみ";
/// How long after the configured time a tick still sends: a missed tick or a short outage
/// still delivers the morning notice, a restart in the afternoon does not send a stale one.
pub const CATCH_UP: Duration = Duration::hours(3);

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("garbage notice {0} not released: {1}")]
    NotReleased(String, DeskError),
}

impl From<StoreError> for NoticeError {
    fn from(e: StoreError) -> Self {
        NoticeError::Record(e.into())
    }
}

pub struct GarbageNotices {
    platform: Platform,
    sample_calendar: SampleCalendar,
}

/// The notices a tick is responsible for: a timing and the collection day it speaks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub timing: Timing,
    pub collection_day: NaiveDate,
}

/// The slots whose JST time has come at `at` and is at most [`CATCH_UP`] ago.
pub fn slots_at(
    at: DateTime<Utc>,
    morning_at: chrono::NaiveTime,
    evening_at: chrono::NaiveTime,
) -> Vec<Slot> {
    let now: NaiveDateTime = to_jst(at).naive_local();
    let today = now.date();
    let mut slots = Vec::new();
    for timing in Timing::ALL {
        let time = match timing {
            Timing::Morning => morning_at,
            Timing::Evening => evening_at,
        };
        // Yesterday's slot too: a late evening time's window may run past midnight.
        for day in [today, today - Duration::days(1)] {
            let start = day.and_time(time);
            if start <= now && now < start + CATCH_UP {
                let collection_day = match timing {
                    Timing::Morning => day,
                    Timing::Evening => day + Duration::days(1),
                };
                slots.push(Slot {
                    timing,
                    collection_day,
                });
            }
        }
    }
    slots
}

fn timing_key(timing: Timing) -> &'static str {
    match timing {
        Timing::Morning => "morning",
        Timing::Evening => "evening",
    }
}

/// `20261201#morning`: the key of a slot's prepared marker.
fn slot_key(slot: Slot) -> String {
    format!(
        "{}#{}",
        slot.collection_day.format("%Y%m%d"),
        timing_key(slot.timing)
    )
}

/// `garbage-20261201-morning-<district as hex>`: stable for the day, slot and district, and
/// safe in keys and URLs whatever script the district is written in.
pub fn notice_id(slot: Slot, district: &str) -> String {
    let timing = timing_key(slot.timing);
    let hex: String = district.bytes().map(|b| format!("{b:02x}")).collect();
    format!(
        "garbage-{}-{timing}-{hex}",
        slot.collection_day.format("%Y%m%d")
    )
}

impl GarbageNotices {
    pub fn new(platform: Platform, sample_calendar: SampleCalendar) -> Self {
        Self {
            platform,
            sample_calendar,
        }
    }

    /// Creates and releases the notices due at `at`; answers the ids of the notices released.
    ///
    /// A slot is prepared once: its districts get a notice only if something is collected (or
    /// suspended) and someone there chose that timing, so the log has no empty deliveries;
    /// then the slot is marked and the rest of its catch-up window costs one read a tick.
    pub async fn prepare(&self, at: DateTime<Utc>) -> Result<Vec<String>, NoticeError> {
        let garbage = GarbageRecords::new(self.platform.table.clone());
        let settings = garbage.notices().await?;
        if !settings.enabled {
            return Ok(Vec::new());
        }
        let mut slots = Vec::new();
        for slot in slots_at(at, settings.morning_at, settings.evening_at) {
            if !garbage.slot_prepared(&slot_key(slot)).await? {
                slots.push(slot);
            }
        }
        if slots.is_empty() {
            return Ok(Vec::new());
        }
        let stored = garbage.calendar().await?;
        if !self.sample_calendar.serves(stored.sample) {
            // Slots stay unprepared: a calendar imported within the catch-up window still
            // sends that slot's notices.
            return Ok(Vec::new());
        }
        let holidays = garbage.holidays().await?.holidays;
        let names: Vec<String> = stored
            .calendar
            .districts
            .iter()
            .map(|d| d.name.clone())
            .collect();
        let audience = self.audience(&names).await?;
        let desk = DeliveryDesk::new(&self.platform);
        let mut ids = Vec::new();
        for slot in slots {
            for district in &stored.calendar.districts {
                if !audience.contains(&(district.name.clone(), slot.timing)) {
                    continue;
                }
                let Some(mut text) = notice_text(
                    &stored.calendar,
                    &holidays,
                    &settings,
                    &district.name,
                    slot.collection_day,
                    slot.timing,
                ) else {
                    continue;
                };
                if stored.sample {
                    text.push_str("\n\n");
                    text.push_str(SAMPLE_NOTE);
                }
                let id = notice_id(slot, &district.name);
                let now = self.platform.clock.now();
                let date = slot.collection_day.format("%-m/%-d");
                let notice = Delivery::automatic(
                    id.clone(),
                    CREATED_BY,
                    CATEGORY,
                    format!("ごみ収集のお知らせ {date} {}", district.name),
                    text,
                    target(&district.name, slot.timing),
                    now,
                );
                let description = format!(
                    "居住地区「{}」でごみ収集のお知らせ「{}」を選んだ方",
                    district.name,
                    slot.timing.label()
                );
                desk.release_automatic(notice, description)
                    .await
                    .map_err(|e| NoticeError::NotReleased(id.clone(), e))?;
                ids.push(id);
            }
            garbage
                .mark_slot_prepared(&slot_key(slot), self.platform.clock.now())
                .await?;
        }
        Ok(ids)
    }

    /// The (district, timing) pairs, of `districts`, at least one following citizen chose.
    async fn audience(
        &self,
        districts: &[String],
    ) -> Result<HashSet<(String, Timing)>, RecordError> {
        let pairs: Vec<(String, Timing)> = districts
            .iter()
            .flat_map(|d| Timing::ALL.into_iter().map(move |t| (d.clone(), t)))
            .collect();
        let targets: Vec<Target> = pairs.iter().map(|(d, t)| target(d, *t)).collect();
        let reached = Friends::new(&self.platform).reached(&targets).await?;
        Ok(pairs
            .into_iter()
            .zip(reached)
            .filter_map(|(pair, reached)| reached.then_some(pair))
            .collect())
    }
}

/// The citizens of `district` who chose `timing`.
pub fn target(district: &str, timing: Timing) -> Target {
    Target::Segment {
        conditions: vec![
            SegmentCondition {
                item: DISTRICT_ITEM.into(),
                matching: Match::AnyOf,
                values: vec![district.into()],
            },
            SegmentCondition {
                item: GARBAGE_NOTICE_ATTRIBUTE.into(),
                matching: Match::AnyOf,
                values: vec![timing.label().into()],
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;
    use std::collections::BTreeMap;

    fn jst(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_morning_slot_opens_at_its_minute_and_closes_after_the_catch_up_window() {
        let slots = |s| slots_at(jst(s), t(6, 30), t(19, 0));
        assert!(slots("2026-12-01T06:29:00+09:00").is_empty());
        let morning = vec![Slot {
            timing: Timing::Morning,
            collection_day: d(12, 1),
        }];
        assert_eq!(slots("2026-12-01T06:30:00+09:00"), morning);
        assert_eq!(slots("2026-12-01T09:29:00+09:00"), morning);
        assert!(slots("2026-12-01T09:30:00+09:00").is_empty());
    }

    #[test]
    fn the_evening_slot_speaks_of_the_next_day_even_past_midnight() {
        let evening = slots_at(jst("2026-11-30T19:00:00+09:00"), t(6, 30), t(19, 0));
        assert_eq!(
            evening,
            [Slot {
                timing: Timing::Evening,
                collection_day: d(12, 1)
            }]
        );
        let late = slots_at(jst("2026-12-01T00:30:00+09:00"), t(6, 30), t(23, 0));
        assert_eq!(
            late,
            [Slot {
                timing: Timing::Evening,
                collection_day: d(12, 1)
            }]
        );
    }

    #[test]
    fn notice_ids_are_stable_and_ascii() {
        let slot = Slot {
            timing: Timing::Morning,
            collection_day: d(12, 1),
        };
        let id = notice_id(slot, "雲浜");
        assert_eq!(id, "garbage-20261201-morning-e99bb2e6b59c");
        assert_eq!(id, notice_id(slot, "雲浜"));
        assert_ne!(id, notice_id(slot, "西津"));
    }

    #[test]
    fn the_target_matches_only_the_district_and_timing_chosen() {
        let target = target("雲浜", Timing::Morning);
        let citizen = |district: &str, timing: Option<&str>| {
            let mut a = BTreeMap::new();
            a.insert(DISTRICT_ITEM.to_string(), vec![district.to_string()]);
            if let Some(t) = timing {
                a.insert(GARBAGE_NOTICE_ATTRIBUTE.to_string(), vec![t.to_string()]);
            }
            a
        };
        assert!(target.matches(&citizen("雲浜", Some("当日朝"))));
        assert!(!target.matches(&citizen("雲浜", Some("前日夜"))));
        assert!(!target.matches(&citizen("雲浜", None)));
        assert!(!target.matches(&citizen("西津", Some("当日朝"))));
    }
}
