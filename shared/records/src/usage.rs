//! The usage-event writer every function shares, and the reader the usage report uses.
//! Events are kept in daily partitions (JST), so a period's report reads one partition per day.
//!
//! **Are usage events personal data?** An event holds no user id and no free text, only a kind,
//! a count and the citizen's registered values (地区, 年代 …). Stored as the domain hands it over,
//! though, it would also hold the exact instant, and the friend record keeps the same instant
//! as `last_active`: anyone with a copy of the table could join the two and read a friend's
//! sealed registration off the event. So an event is stored with only what the report uses,
//! the JST day (the report's finest grain) and the report's dimensions
//! ([`tayori_domain::usage::DIMENSIONS`]); an item staff added later, or the garbage-notice
//! timing, is dropped. What is left says "someone in 雲浜 in their 30s used the menu on
//! 12/1": statistics, not a person, which is why these events are not sealed (sealing them
//! would cost the report one key-service call per data key over up to a year of events).

use crate::{decode, encode, RecordError};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use std::sync::Arc;
use tayori_domain::time::{jst, to_jst};
use tayori_domain::usage::{UsageEvent, UsageKind, DIMENSIONS};
use tayori_ports::table::MAX_TRANSACTION_WRITES;
use tayori_ports::{Condition, Item, Query, StoreError, TableStore, Write};

/// Usage events are statistics: three years covers 前年度比 comparisons with room to spare.
const KEEP_FOR: Duration = Duration::days(3 * 366);

fn day_pk(day: NaiveDate) -> String {
    format!("USAGE#{}", day.format("%Y-%m-%d"))
}

/// The event as stored: at the start of its JST day, with the report's dimensions only.
fn as_stored(event: &UsageEvent) -> UsageEvent {
    let day = to_jst(event.at).date_naive();
    let mut stored = event.clone();
    stored.at = day
        .and_time(NaiveTime::MIN)
        .and_local_timezone(jst())
        .single()
        .expect("a fixed offset has one local time")
        .with_timezone(&Utc);
    stored
        .attributes
        .retain(|item, _| DIMENSIONS.iter().any(|(id, _)| id == item));
    stored
}

/// What a usage event is counted once for: the LINE event a citizen's action came in as (LINE
/// delivers an event again when it is unsure it arrived, and a failed handling is retried), or
/// the record the action created. Its key is the event's sort key, so counting the same
/// occasion again stores nothing. It names no citizen: a usage event must not lead back to one
/// (see the module's note), and a webhook event id or a report's id does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occasion(String);

impl Occasion {
    /// A citizen's action that came in as the LINE webhook event `webhook_event_id`. An event
    /// without an id (LINE has always sent one; old fixtures do not) counts each time.
    pub fn line_event(webhook_event_id: &str) -> Self {
        if webhook_event_id.is_empty() {
            return Self::each_time();
        }
        Self(format!("line:{webhook_event_id}"))
    }

    /// An action that created the record `id` of `what` (`report`, `consultation` …).
    pub fn record(what: &str, id: &str) -> Self {
        Self(format!("{what}:{id}"))
    }

    /// An action that is its own occasion each time (a LIFF page's submission: the citizen
    /// submitting again is using it again).
    pub fn each_time() -> Self {
        Self(format!("once:{}", uuid::Uuid::new_v4().simple()))
    }

    fn key(&self, kind: UsageKind) -> String {
        // One occasion can count as several kinds (a menu tap that an FAQ answers).
        format!("{}#{}", self.0, kind.code())
    }
}

fn item_keyed(event: &UsageEvent, sk: String) -> Item {
    let day = to_jst(event.at).date_naive();
    let stored = as_stored(event);
    Item::new(day_pk(day), sk, encode(&stored)).expiring_at((stored.at + KEEP_FOR).timestamp())
}

#[derive(Clone)]
pub struct UsageEvents {
    table: Arc<dyn TableStore>,
}

impl UsageEvents {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// Records `event` for `occasion`, once however often it is asked.
    pub async fn record(&self, occasion: &Occasion, event: &UsageEvent) -> Result<(), RecordError> {
        let item = item_keyed(event, occasion.key(event.kind));
        match self.table.put(item, Condition::IfAbsent).await {
            Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Records the events of one `source` (e.g. `delivery:<id>`) exactly once, however often
    /// it is asked: a sender resumed after a crash asks again. Each event's key is fixed by the
    /// source and its place in `events`, which must come in the same order each time; a
    /// transaction's events are stored together or not at all, so a transaction refused because
    /// its events exist was stored by an earlier ask. A transaction at a time, because one
    /// write per event would cost the sender an fsync or a round trip each.
    pub async fn record_once(
        &self,
        source: &str,
        events: &[UsageEvent],
    ) -> Result<(), RecordError> {
        for (c, chunk) in events.chunks(MAX_TRANSACTION_WRITES).enumerate() {
            let writes = chunk
                .iter()
                .enumerate()
                .map(|(i, event)| Write::Put {
                    item: item_keyed(
                        event,
                        format!("{source}#{:06}", c * MAX_TRANSACTION_WRITES + i),
                    ),
                    condition: Condition::IfAbsent,
                })
                .collect();
            match self.table.transact(writes).await {
                Ok(()) | Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Records and logs a failure instead of failing the caller: a lost count must never
    /// cost a citizen their answer.
    pub async fn record_quietly(&self, occasion: &Occasion, event: &UsageEvent) {
        if let Err(e) = self.record(occasion, event).await {
            tracing::warn!(error = %e, kind = ?event.kind, "usage event not recorded");
        }
    }

    /// Every event from `from` to `to` (JST dates, inclusive), passed to `each` page by page so
    /// that a long period is never held whole.
    pub async fn each_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut each: impl FnMut(UsageEvent),
    ) -> Result<(), RecordError> {
        let mut day = from;
        while day <= to {
            let mut cursor = None;
            loop {
                let page = self
                    .table
                    .query(Query::partition(day_pk(day)).limit(1000).after(cursor))
                    .await?;
                for item in &page.items {
                    each(decode(item)?);
                }
                match page.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            day = day.succ_opt().expect("dates within range");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use std::collections::BTreeMap;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_ports::SystemClock;

    #[tokio::test]
    async fn events_recorded_once_are_counted_once_however_often_they_are_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let table: Arc<dyn TableStore> =
            Arc::new(SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap());
        let usage = UsageEvents::new(table.clone());
        let at: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc);
        // More than one transaction's worth, so a resumed ask meets stored and new chunks.
        let events: Vec<UsageEvent> = (1..=MAX_TRANSACTION_WRITES as u64 + 20)
            .map(|n| UsageEvent {
                count: n,
                ..UsageEvent::one(UsageKind::DeliverySuccess, at)
            })
            .collect();
        usage
            .record_once("delivery:D1", &events[..MAX_TRANSACTION_WRITES])
            .await
            .unwrap();
        usage.record_once("delivery:D1", &events).await.unwrap();
        usage.record_once("delivery:D1", &events).await.unwrap();
        usage
            .record_once("delivery:D2", &events[..1])
            .await
            .unwrap();

        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut total = 0;
        usage
            .each_between(day, day, |e| total += e.count)
            .await
            .unwrap();
        let expected: u64 = events.iter().map(|e| e.count).sum::<u64>() + 1;
        assert_eq!(total, expected);
    }

    #[tokio::test]
    async fn a_usage_event_keeps_only_its_jst_day_and_the_reports_dimensions() {
        let dir = tempfile::tempdir().unwrap();
        let table: Arc<dyn TableStore> =
            Arc::new(SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap());
        let usage = UsageEvents::new(table.clone());
        let at: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T23:45:12.345+09:00")
            .unwrap()
            .with_timezone(&Utc);
        let attributes: BTreeMap<String, Vec<String>> = [
            ("district", "雲浜"),
            ("age_group", "30代"),
            ("garbage_notice", "当日朝"),
            ("item5", "会社員"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
        .collect();
        usage
            .record(
                &Occasion::each_time(),
                &UsageEvent::one(UsageKind::MenuTap, at).with_attributes(attributes),
            )
            .await
            .unwrap();

        let page = table
            .query(Query::partition("USAGE#2026-12-01"))
            .await
            .unwrap();
        let raw = page.items[0].body.to_string() + &page.items[0].sk;
        assert!(!raw.contains("23:45") && !raw.contains("14:45"), "{raw}");
        assert!(!raw.contains("当日朝") && !raw.contains("会社員"), "{raw}");

        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut read = Vec::new();
        usage
            .each_between(day, day, |e| read.push(e))
            .await
            .unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].attributes["district"], ["雲浜"]);
        assert_eq!(read[0].attributes["age_group"], ["30代"]);
        assert_eq!(read[0].attributes.len(), 2);
        assert_eq!(to_jst(read[0].at).date_naive(), day);
    }
}
