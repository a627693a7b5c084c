//! The add-friend kit staff set up ([`Kit`]), and the reads of its places' QR codes: one item
//! per read in a daily partition (JST), holding the place's code and nothing about who read it,
//! so that a period's counts read one partition per day.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::time::to_jst;
use tayori_outreach::Kit;
use tayori_ports::{Condition, Item, Query, TableStore};

const PK: &str = "SETTINGS";
const KIT: &str = "FRIEND_KIT";
/// Read counts are statistics, kept as long as usage events.
const KEEP_FOR: Duration = Duration::days(3 * 366);

fn day_pk(day: NaiveDate) -> String {
    format!("QR_READS#{}", day.format("%Y-%m-%d"))
}

#[derive(Clone)]
pub struct FriendKit {
    table: Arc<dyn TableStore>,
}

impl FriendKit {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// The kit as saved; an empty one until staff set it up.
    pub async fn get(&self) -> Result<Kit, RecordError> {
        match self.table.get(PK, KIT).await? {
            Some(item) => decode(&item),
            None => Ok(Kit::default()),
        }
    }

    pub async fn save(&self, kit: &Kit) -> Result<(), RecordError> {
        self.table
            .put(Item::new(PK, KIT, encode(kit)), Condition::Always)
            .await?;
        Ok(())
    }

    /// One read of the QR of the place `code`, at `at`.
    pub async fn count_read(&self, code: &str, at: DateTime<Utc>) -> Result<(), RecordError> {
        let day = to_jst(at).date_naive();
        let sk = format!("{code}#{}", uuid::Uuid::new_v4().simple());
        let item = Item::new(day_pk(day), sk, serde_json::json!({}))
            .expiring_at((at + KEEP_FOR).timestamp());
        self.table.put(item, Condition::IfAbsent).await?;
        Ok(())
    }

    /// Reads per place code from `from` to `to` (JST dates, inclusive).
    pub async fn reads_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, u64>, RecordError> {
        let mut counts = BTreeMap::new();
        let mut day = from;
        while day <= to {
            let mut cursor = None;
            loop {
                let page = self
                    .table
                    .query(Query::partition(day_pk(day)).limit(1000).after(cursor))
                    .await?;
                for item in &page.items {
                    let code = item.sk.split('#').next().unwrap_or_default();
                    *counts.entry(code.to_owned()).or_default() += 1;
                }
                match page.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            day = day.succ_opt().expect("dates within range");
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_ports::SystemClock;

    #[tokio::test]
    async fn reads_are_counted_per_place_and_jst_day() {
        let dir = tempfile::tempdir().unwrap();
        let table: Arc<dyn TableStore> =
            Arc::new(SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap());
        let kit = FriendKit::new(table);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        kit.count_read("1", at("2026-12-01T00:10:00+09:00"))
            .await
            .unwrap();
        kit.count_read("1", at("2026-12-01T23:50:00+09:00"))
            .await
            .unwrap();
        kit.count_read("2", at("2026-12-02T09:00:00+09:00"))
            .await
            .unwrap();
        // 11/30 23:59 JST is outside a period starting 12/1.
        kit.count_read("2", at("2026-11-30T23:59:00+09:00"))
            .await
            .unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let counts = kit.reads_between(day(1), day(2)).await.unwrap();
        assert_eq!(counts, [("1".into(), 2), ("2".into(), 1)].into());
        assert_eq!(kit.reads_between(day(2), day(2)).await.unwrap()["2"], 1);
    }
}
