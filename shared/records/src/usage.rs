//! The usage-event writer every function shares, and the reader the usage report uses.
//! Events are kept in daily partitions (JST), so a period's report reads one partition per day.

use crate::{decode, encode, RecordError};
use chrono::{Duration, NaiveDate};
use std::sync::Arc;
use tayori_domain::time::to_jst;
use tayori_domain::usage::UsageEvent;
use tayori_ports::{Condition, Item, Query, TableStore};

/// Usage events are statistics: three years covers 前年度比 comparisons with room to spare.
const KEEP_FOR: Duration = Duration::days(3 * 366);

fn day_pk(day: NaiveDate) -> String {
    format!("USAGE#{}", day.format("%Y-%m-%d"))
}

#[derive(Clone)]
pub struct UsageEvents {
    table: Arc<dyn TableStore>,
}

impl UsageEvents {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn record(&self, event: &UsageEvent) -> Result<(), RecordError> {
        let day = to_jst(event.at).date_naive();
        let sk = format!(
            "{}#{}",
            event.at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
            uuid::Uuid::new_v4()
        );
        let item = Item::new(day_pk(day), sk, encode(event))
            .expiring_at((event.at + KEEP_FOR).timestamp());
        self.table.put(item, Condition::IfAbsent).await?;
        Ok(())
    }

    /// Records and logs a failure instead of failing the caller: a lost count must never
    /// cost a citizen their answer.
    pub async fn record_quietly(&self, event: &UsageEvent) {
        if let Err(e) = self.record(event).await {
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
