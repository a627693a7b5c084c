//! Deliveries (配信), their send plan and batches, and the index of what is due.
//!
//! | item | pk | sk | gsi1 |
//! |---|---|---|---|
//! | delivery | `DELIVERY#<id>` | `META` | `DELIVERIES` / `<created at>#<id>` |
//! | open entry (予約済み and due, or 配信中) | `DUE` | `<due at>#<id>` | – |
//! | send plan: how far planning has got ([`Plan`]) | `DELIVERY#<id>` | `PLAN` | – |
//! | batch of ≤ 500 recipients | `DELIVERY#<id>` | `BATCH#<n, 6 digits>` | – (expires [`RECIPIENTS_KEPT`] after it is sent) |
//! | sender's lease | `DELIVERY#<id>` | `LEASE` | – (expires) |
//! | stop flag: staff asked it to stop | `DELIVERY#<id>` | `STOP` | – |
//!
//! The plan grows a step at a time: each step writes the batches it cut and the plan that
//! accounts for them in one transaction, on the condition that the plan is still the version
//! the step started from (`plan.rs`). So the batches a stored plan counts all exist, and two
//! senders never both extend it.
//!
//! The stop flag is written by [`Deliveries::update`] in the same transaction as the stop
//! request itself, so no caller has to remember it and the sender, which checks before every
//! batch, reads one tiny item instead of the whole delivery.

mod plan;

pub use plan::{Batch, BatchState, OutOfStep, Plan, Recipient, SourcePage};

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::Arc;
use tayori_domain::delivery::Delivery;
use tayori_ports::table::MAX_TRANSACTION_WRITES;
use tayori_ports::{Condition, Cursor, Item, KeyRange, Query, StoreError, TableStore, Write};

fn pk(id: &str) -> String {
    format!("DELIVERY#{id}")
}
const META: &str = "META";

/// How long a sent batch keeps its recipients' LINE user ids. The sender needs them only until
/// the delivery is finished (minutes); the log keeps its totals on the delivery itself. A month
/// leaves time to look into a failure LINE reported, and no longer (6.1.1: minimal data).
pub const RECIPIENTS_KEPT: chrono::Duration = chrono::Duration::days(30);
const PLAN: &str = "PLAN";
const LEASE: &str = "LEASE";
const STOP: &str = "STOP";
const DUE: &str = "DUE";
const LIST: &str = "DELIVERIES";
/// Deliveries read from the store at a time for the log.
const LOG_PAGE: usize = 200;

fn batch_sk(n: u32) -> String {
    format!("BATCH#{n:06}")
}

fn time_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Clone)]
pub struct Deliveries {
    table: Arc<dyn TableStore>,
}

impl Deliveries {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn create(&self, delivery: &Delivery) -> Result<(), RecordError> {
        self.table
            .put(meta_item(delivery, 1), Condition::IfAbsent)
            .await?;
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<Option<Delivery>, RecordError> {
        match self.table.get(&pk(id), META).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Applies `change` with optimistic concurrency and keeps the due index in step with the
    /// status. `change` may refuse (its error is returned and nothing is written).
    pub async fn update<E: From<RecordError>>(
        &self,
        id: &str,
        change: impl Fn(&mut Delivery) -> Result<(), E>,
    ) -> Result<Delivery, E> {
        Ok(self.update_seen(id, change).await?.1)
    }

    /// As [`Deliveries::update`], answering the delivery as it was just before the change that
    /// was written and as it is after it (what the audit log says changed).
    pub async fn update_seen<E: From<RecordError>>(
        &self,
        id: &str,
        change: impl Fn(&mut Delivery) -> Result<(), E>,
    ) -> Result<(Delivery, Delivery), E> {
        let mut attempts = Attempts::new(&pk(id));
        loop {
            let item = self
                .table
                .get(&pk(id), META)
                .await
                .map_err(RecordError::from)?
                .ok_or_else(|| RecordError::Corrupt(pk(id), "no such delivery".into()))?;
            let before: Delivery = decode(&item)?;
            let mut after = before.clone();
            change(&mut after)?;
            let mut writes = vec![Write::Put {
                item: meta_item(&after, item.version + 1),
                condition: Condition::IfVersion(item.version),
            }];
            let (stopping, stops) = (
                before.stop_requested().is_some(),
                after.stop_requested().is_some(),
            );
            if stopping != stops {
                writes.push(if stops {
                    Write::Put {
                        item: Item::new(pk(id), STOP, serde_json::json!({})),
                        condition: Condition::Always,
                    }
                } else {
                    Write::Delete {
                        pk: pk(id),
                        sk: STOP.into(),
                        condition: Condition::Always,
                    }
                });
            }
            let (was, now) = (before.open_since(), after.open_since());
            if was != now {
                if let Some(at) = was {
                    writes.push(Write::Delete {
                        pk: DUE.into(),
                        sk: due_sk(at, id),
                        condition: Condition::Always,
                    });
                }
                if let Some(at) = now {
                    writes.push(Write::Put {
                        item: Item::new(DUE, due_sk(at, id), serde_json::json!({ "id": id })),
                        condition: Condition::Always,
                    });
                }
            }
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok((before, after));
            }
        }
    }

    /// Ids of deliveries due at or before `now` or still being sent, oldest first.
    pub async fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, RecordError> {
        let mut ids = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(
                    Query::partition(DUE)
                        .range(KeyRange::Between("0".into(), format!("{}~", time_key(now))))
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                if let Some(id) = item.body.get("id").and_then(|v| v.as_str()) {
                    ids.push(id.to_owned());
                }
            }
            cursor = page.cursor;
            if cursor.is_none() {
                return Ok(ids);
            }
        }
    }

    /// Every delivery created in `[from, until)` (either end open when `None`), newest first,
    /// read a page of the store at a time and handed to `each`, so the log of a period is
    /// never held whole.
    pub async fn each_created_between(
        &self,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        mut each: impl FnMut(Delivery),
    ) -> Result<(), RecordError> {
        let mut cursor = None;
        loop {
            let (deliveries, next) = self.created_between(from, until, cursor).await?;
            deliveries.into_iter().for_each(&mut each);
            cursor = next;
            if cursor.is_none() {
                return Ok(());
            }
        }
    }

    /// One page of [`Deliveries::each_created_between`], for a reader that awaits between
    /// pages (an export writing each page before reading the next).
    pub async fn created_between(
        &self,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        after: Option<Cursor>,
    ) -> Result<(Vec<Delivery>, Option<Cursor>), RecordError> {
        // Keys are `<created>#<id>`: a bare time sorts just before every key made at it, so
        // the lower bound takes those made at `from` and the upper one leaves out those made
        // at `until`. "0" and "~" sort before and after every time.
        let range = KeyRange::Between(
            from.map(time_key).unwrap_or_else(|| "0".into()),
            until.map(time_key).unwrap_or_else(|| "~".into()),
        );
        let page = self
            .table
            .query(
                Query::gsi1(LIST)
                    .range(range)
                    .descending()
                    .limit(LOG_PAGE)
                    .after(after),
            )
            .await?;
        let deliveries = page.items.iter().map(decode).collect::<Result<_, _>>()?;
        Ok((deliveries, page.cursor))
    }

    /// A page of deliveries, newest first.
    pub async fn list(
        &self,
        limit: usize,
        after: Option<Cursor>,
    ) -> Result<(Vec<Delivery>, Option<Cursor>), RecordError> {
        let page = self
            .table
            .query(Query::gsi1(LIST).descending().limit(limit).after(after))
            .await?;
        let deliveries = page.items.iter().map(decode).collect::<Result<_, _>>()?;
        Ok((deliveries, page.cursor))
    }

    /// How far the delivery's planning has got, if it has started.
    pub async fn plan(&self, id: &str) -> Result<Option<Plan>, RecordError> {
        match self.table.get(&pk(id), PLAN).await? {
            Some(item) => {
                let mut plan: Plan = decode(&item)?;
                plan.version = item.version;
                Ok(Some(plan))
            }
            None => Ok(None),
        }
    }

    /// Writes one planning step: the batches just cut from `plan` and `plan` itself, in one
    /// transaction, if the stored plan is still the one `plan` was read as (or there is none
    /// and `plan` is new). False when another sender moved the plan on first: its steps
    /// stand, and this one is dropped whole.
    pub async fn save_plan_step(
        &self,
        id: &str,
        plan: &mut Plan,
        batches: &[Batch],
    ) -> Result<bool, RecordError> {
        let condition = match plan.version {
            0 => Condition::IfAbsent,
            v => Condition::IfVersion(v),
        };
        let mut writes: Vec<Write> = batches
            .iter()
            .map(|b| Write::Put {
                item: Item::new(pk(id), batch_sk(b.number()), encode(b)),
                condition: Condition::Always,
            })
            .collect();
        writes.push(Write::Put {
            item: Item::new(pk(id), PLAN, encode(&*plan)).with_version(plan.version + 1),
            condition,
        });
        match self.table.transact(writes).await {
            Ok(()) => {
                plan.version += 1;
                Ok(true)
            }
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The plan's batches in order, a page at a time.
    pub async fn batches(
        &self,
        id: &str,
        plan: &Plan,
        after: Option<Cursor>,
    ) -> Result<(Vec<Batch>, Option<Cursor>), RecordError> {
        if plan.batches() == 0 {
            return Ok((Vec::new(), None));
        }
        let page = self
            .table
            .query(
                Query::partition(pk(id))
                    .range(KeyRange::Between(batch_sk(0), batch_sk(plan.batches() - 1)))
                    .limit(100)
                    .after(after),
            )
            .await?;
        let batches = page.items.iter().map(decode).collect::<Result<_, _>>()?;
        Ok((batches, page.cursor))
    }

    /// Records batches' outcomes, at most [`MAX_TRANSACTION_WRITES`] in one transaction; once
    /// a batch is no longer pending, its recipients are kept only [`RECIPIENTS_KEPT`] from
    /// the time it was recorded.
    pub async fn record_batches(&self, id: &str, batches: &[Batch]) -> Result<(), RecordError> {
        for chunk in batches.chunks(MAX_TRANSACTION_WRITES) {
            let writes = chunk
                .iter()
                .map(|batch| {
                    let item = Item::new(pk(id), batch_sk(batch.number()), encode(batch));
                    let item = match batch.at() {
                        Some(at) if *batch.state() != BatchState::Pending => {
                            item.expiring_at((at + RECIPIENTS_KEPT).timestamp())
                        }
                        _ => item,
                    };
                    Write::Put {
                        item,
                        condition: Condition::Always,
                    }
                })
                .collect();
            self.table.transact(writes).await?;
        }
        Ok(())
    }

    /// Whether staff asked the delivery to stop: one small item, read before every batch.
    pub async fn stop_requested(&self, id: &str) -> Result<bool, RecordError> {
        Ok(self.table.get(&pk(id), STOP).await?.is_some())
    }

    /// Takes the sender's lease until `until`, unless another sender holds a live one.
    pub async fn take_lease(
        &self,
        id: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, RecordError> {
        let lease = Item::new(pk(id), LEASE, serde_json::json!({ "holder": holder }))
            .expiring_at(until.timestamp());
        match self.table.get(&pk(id), LEASE).await? {
            Some(current) if current.body["holder"] == holder => {
                self.table
                    .put(lease, Condition::IfVersion(current.version))
                    .await?;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => match self.table.put(lease, Condition::IfAbsent).await {
                Ok(()) => Ok(true),
                Err(StoreError::ConditionFailed) => Ok(false),
                Err(e) => Err(e.into()),
            },
        }
    }

    pub async fn release_lease(&self, id: &str) -> Result<(), RecordError> {
        self.table.delete(&pk(id), LEASE, Condition::Always).await?;
        Ok(())
    }
}

fn due_sk(at: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", time_key(at))
}

fn meta_item(delivery: &Delivery, version: u64) -> Item {
    Item::new(pk(delivery.id()), META, encode(delivery))
        .with_gsi1(LIST, delivery.log_key())
        .with_version(version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_domain::delivery::{Bubble, Composition, DeliveryError};
    use tayori_ports::SystemClock;

    #[derive(Debug)]
    enum Failure {
        Rule(DeliveryError),
        Record(#[allow(dead_code)] RecordError),
    }
    impl From<RecordError> for Failure {
        fn from(e: RecordError) -> Self {
            Failure::Record(e)
        }
    }

    fn store() -> (Deliveries, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let table = Arc::new(SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap());
        (Deliveries::new(table), dir)
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A plan of one source holding `n` recipients, read in one page and cut.
    fn planned(n: u32) -> (Plan, Vec<Batch>) {
        let mut plan = Plan::new(1);
        plan.take(SourcePage {
            source: 0,
            from: None,
            recipients: (0..n)
                .map(|i| Recipient::new(format!("U{i:032x}"), Default::default()))
                .collect(),
            next: None,
        })
        .unwrap();
        let mut key = 0;
        let batches = plan.cut(|| {
            key += 1;
            format!("key-{key}")
        });
        (plan, batches)
    }

    #[tokio::test]
    async fn a_sent_batch_forgets_its_recipients_a_month_after_it_was_sent() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(tayori_ports::ManualClock::new(now()));
        let deliveries = Deliveries::new(Arc::new(
            SqliteTable::open(dir.path(), clock.clone()).unwrap(),
        ));
        let (mut plan, batches) = planned(600);
        assert!(deliveries
            .save_plan_step("D1", &mut plan, &batches)
            .await
            .unwrap());
        let sent = batches[0]
            .clone()
            .finished(BatchState::Sent { request_id: None }, now());
        deliveries.record_batches("D1", &[sent]).await.unwrap();

        clock.advance(RECIPIENTS_KEPT - Duration::minutes(1));
        let (kept, _) = deliveries.batches("D1", &plan, None).await.unwrap();
        assert_eq!(kept.len(), 2, "both batches within the month");
        clock.advance(Duration::minutes(1));
        let (kept, _) = deliveries.batches("D1", &plan, None).await.unwrap();
        assert_eq!(
            kept.iter().map(|b| b.number()).collect::<Vec<_>>(),
            [1],
            "the sent batch is gone; the one never sent stays for its sender"
        );
    }

    #[tokio::test]
    async fn a_planning_step_from_a_plan_another_sender_moved_on_writes_nothing() {
        let (deliveries, _dir) = store();
        let (mut plan, batches) = planned(600);
        let mut stale = plan.clone();
        assert!(deliveries
            .save_plan_step("D1", &mut plan, &batches[..1])
            .await
            .unwrap());
        assert!(!deliveries
            .save_plan_step("D1", &mut stale, &batches)
            .await
            .unwrap());
        let stored = deliveries.plan("D1").await.unwrap().unwrap();
        let (kept, _) = deliveries.batches("D1", &stored, None).await.unwrap();
        assert_eq!(kept.len(), 1, "the refused step's batch was not written");
        assert!(deliveries
            .save_plan_step("D1", &mut plan, &[])
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn asking_a_delivery_to_stop_raises_its_stop_flag_in_the_same_write() {
        let (deliveries, _dir) = store();
        deliveries.create(&draft("D1")).await.unwrap();
        deliveries
            .update("D1", |d| {
                d.submit("tanaka", true, "すべての友だち".into(), now())
                    .map_err(Failure::Rule)?;
                d.start_sending(now());
                Ok::<_, Failure>(())
            })
            .await
            .unwrap();
        assert!(!deliveries.stop_requested("D1").await.unwrap());
        deliveries
            .update("D1", |d| {
                d.request_stop("suzuki", now()).map_err(Failure::Rule)
            })
            .await
            .unwrap();
        assert!(deliveries.stop_requested("D1").await.unwrap());
        assert!(!deliveries.stop_requested("D2").await.unwrap());
    }

    fn draft(id: &str) -> Delivery {
        draft_at(id, now(), None)
    }

    fn draft_at(id: &str, at: DateTime<Utc>, send_at: Option<DateTime<Utc>>) -> Delivery {
        let mut d = Delivery::draft(id.into(), "tanaka", at);
        d.compose(titled("お知らせ", send_at), at).unwrap();
        d
    }

    fn titled(title: &str, send_at: Option<DateTime<Utc>>) -> Composition {
        Composition {
            title: title.into(),
            category: "一般".into(),
            bubbles: vec![Bubble::Text {
                text: "本文".into(),
            }],
            target: tayori_domain::segment::Target::All,
            send_at,
        }
    }

    #[tokio::test]
    async fn a_reservation_is_listed_as_due_from_its_minute_until_it_leaves_the_schedule() {
        let (deliveries, _dir) = store();
        let d = draft_at("D1", now(), Some(now() + Duration::hours(1)));
        deliveries.create(&d).await.unwrap();
        deliveries
            .update("D1", |d| {
                d.submit("tanaka", true, "すべての友だち".into(), now())
                    .map_err(Failure::Rule)
            })
            .await
            .unwrap();
        assert!(deliveries.due(now()).await.unwrap().is_empty());
        let at = now() + Duration::hours(1);
        assert_eq!(deliveries.due(at).await.unwrap(), ["D1"]);

        deliveries
            .update("D1", |d| d.cancel("tanaka", at).map_err(Failure::Rule))
            .await
            .unwrap();
        assert!(deliveries.due(at).await.unwrap().is_empty());
        let refused = deliveries
            .update("D1", |d| d.approve("suzuki", at).map_err(Failure::Rule))
            .await;
        assert!(matches!(
            refused,
            Err(Failure::Rule(DeliveryError::WrongStatus(_)))
        ));
    }

    #[tokio::test]
    async fn the_list_shows_the_newest_first() {
        let (deliveries, _dir) = store();
        for n in 0..3 {
            let d = draft_at(&format!("D{n}"), now() + Duration::minutes(n), None);
            deliveries.create(&d).await.unwrap();
        }
        let (list, cursor) = deliveries.list(2, None).await.unwrap();
        let ids: Vec<_> = list.iter().map(|d| d.id()).collect();
        assert_eq!(ids, ["D2", "D1"]);
        let (rest, _) = deliveries.list(2, cursor).await.unwrap();
        assert_eq!(rest[0].id(), "D0");
    }

    #[tokio::test]
    async fn a_period_is_read_newest_first_with_its_first_instant_and_without_its_end() {
        let (deliveries, _dir) = store();
        let start = now();
        let end = now() + Duration::days(1);
        for (id, at) in [
            ("before", start - Duration::milliseconds(1)),
            ("at-start", start),
            ("inside", start + Duration::hours(5)),
            ("at-end", end),
        ] {
            deliveries.create(&draft_at(id, at, None)).await.unwrap();
        }
        let mut seen = Vec::new();
        deliveries
            .each_created_between(Some(start), Some(end), |d| seen.push(d.id().to_string()))
            .await
            .unwrap();
        assert_eq!(seen, ["inside", "at-start"]);
        let mut all = Vec::new();
        deliveries
            .each_created_between(None, None, |d| all.push(d.id().to_string()))
            .await
            .unwrap();
        assert_eq!(all, ["at-end", "inside", "at-start", "before"]);
    }

    #[tokio::test]
    async fn an_update_answers_the_delivery_before_and_after_it() {
        let (deliveries, _dir) = store();
        deliveries.create(&draft("D1")).await.unwrap();
        let (before, after) = deliveries
            .update_seen("D1", |d| {
                d.compose(titled("変更後", None), now())
                    .map_err(Failure::Rule)
            })
            .await
            .unwrap();
        assert_eq!((before.title(), after.title()), ("お知らせ", "変更後"));
    }

    #[tokio::test]
    async fn a_lease_keeps_a_second_sender_out_until_it_expires() {
        let (deliveries, _dir) = store();
        let until = Utc::now() + Duration::minutes(5);
        assert!(deliveries.take_lease("D1", "a", until).await.unwrap());
        assert!(!deliveries.take_lease("D1", "b", until).await.unwrap());
        assert!(
            deliveries.take_lease("D1", "a", until).await.unwrap(),
            "renewal"
        );
        deliveries.release_lease("D1").await.unwrap();
        assert!(deliveries.take_lease("D1", "b", until).await.unwrap());
        let past = Utc::now() - Duration::seconds(1);
        deliveries.release_lease("D1").await.unwrap();
        assert!(deliveries.take_lease("D1", "c", past).await.unwrap());
        assert!(
            deliveries.take_lease("D1", "d", until).await.unwrap(),
            "an expired lease is free"
        );
    }
}
