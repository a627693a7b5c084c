//! The add-friend kit staff set up ([`Kit`]), the reads of its places' QR codes (one item per
//! read in a daily partition (JST), holding the place's code and nothing about who read it, so
//! that a period's counts read one partition per day), and which place a follow came from.
//!
//! **A follow's place.** LINE tells the webhook nothing of where a follow came from. A citizen
//! who opens a place's page signed in with LINE (the LIFF app) is remembered with the place for
//! an hour ([`FriendKit::joined`]); their follow, before or after, is then counted once as
//! [`UsageKind::FriendFromPlace`] under the place's name. Which of the two comes second counts
//! it: LINE may show its add-friend prompt while the page signs in, so the follow can come
//! first. A claim item decides, so the count is made once even if both come at once. Both
//! items hold a user id and expire within a day: they exist only to join the two moments.

use crate::optimistic::Attempts;
use crate::{decode, encode, Occasion, RecordError, UsageEvents};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::friend::FriendStatus;
use tayori_domain::time::to_jst;
use tayori_domain::usage::{UsageEvent, UsageKind, PLACE_ITEM};
use tayori_domain::Friend;
use tayori_outreach::Kit;
use tayori_ports::{Condition, Item, Query, StoreError, TableStore, Write};

const PK: &str = "SETTINGS";
const KIT: &str = "FRIEND_KIT";
/// Read counts are statistics, kept as long as usage events.
const KEEP_FOR: Duration = Duration::days(3 * 366);
/// How long an opened place page and a follow are taken to belong together.
const JOINS_WITHIN: Duration = Duration::hours(1);
/// How long the items that join them are kept (then removed by the table's expiry).
const JOIN_KEPT: Duration = Duration::days(1);

/// A citizen opened a place's page signed in.
#[derive(Serialize, Deserialize)]
struct Joined {
    code: String,
    at: DateTime<Utc>,
}

fn joined_pk(user_id: &str) -> String {
    format!("JOINED#{user_id}")
}

fn day_pk(day: NaiveDate) -> String {
    format!("QR_READS#{}", day.format("%Y-%m-%d"))
}

#[derive(Clone)]
pub struct FriendKit {
    table: Arc<dyn TableStore>,
    usage: UsageEvents,
}

impl FriendKit {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self {
            usage: UsageEvents::new(table.clone()),
            table,
        }
    }

    /// `friend` opened place `code`'s page signed in at `at`. If they followed within the hour
    /// before, that follow is counted for the place now.
    pub async fn joined(
        &self,
        friend: &Friend,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RecordError> {
        let joined = Joined {
            code: code.to_owned(),
            at,
        };
        let item = Item::new(joined_pk(&friend.user_id), "PLACE", encode(&joined))
            .expiring_at((at + JOIN_KEPT).timestamp());
        self.table.put(item, Condition::Always).await?;
        let followed_just_now = friend.status == FriendStatus::Following
            && friend
                .followed_at
                .is_some_and(|f| f <= at && at - f <= JOINS_WITHIN);
        if followed_just_now {
            self.count_follow(friend, code, at, &Occasion::each_time())
                .await?;
        }
        Ok(())
    }

    /// `friend` followed at `at` (the webhook's `occasion`): counted for the place whose page
    /// they opened within the hour before, if any.
    pub async fn followed(
        &self,
        friend: &Friend,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Result<(), RecordError> {
        let Some(item) = self.table.get(&joined_pk(&friend.user_id), "PLACE").await? else {
            return Ok(());
        };
        let joined: Joined = decode(&item)?;
        if joined.at <= at && at - joined.at <= JOINS_WITHIN {
            self.count_follow(friend, &joined.code, at, occasion)
                .await?;
        }
        Ok(())
    }

    /// Counts the follow for place `code` unless it was counted already.
    async fn count_follow(
        &self,
        friend: &Friend,
        code: &str,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Result<(), RecordError> {
        let Some(place) = self.get().await?.place(code).map(|p| p.name().to_owned()) else {
            return Ok(()); // staff removed the place meanwhile
        };
        let claim = Item::new(joined_pk(&friend.user_id), "COUNTED", serde_json::json!({}))
            .expiring_at((at + JOIN_KEPT).timestamp());
        match self.table.put(claim, Condition::IfAbsent).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let mut attributes = friend.attributes.clone();
        attributes.insert(PLACE_ITEM.to_owned(), vec![place]);
        let event = UsageEvent::one(UsageKind::FriendFromPlace, at).with_attributes(attributes);
        self.usage.record(occasion, &event).await
    }

    /// The kit as saved; an empty one until staff set it up.
    pub async fn get(&self) -> Result<Kit, RecordError> {
        match self.table.get(PK, KIT).await? {
            Some(item) => decode(&item),
            None => Ok(Kit::default()),
        }
    }

    /// Applies `change` to the kit under a version condition, tried again on the fresh one when
    /// another clerk saved first (two clerks adding a place each keep both); a refusal writes
    /// nothing. Answers what `change` answered.
    pub async fn update<T, E>(
        &self,
        change: impl Fn(&mut Kit) -> Result<T, E>,
    ) -> Result<Result<T, E>, RecordError> {
        let mut attempts = Attempts::new(PK);
        loop {
            let (mut kit, condition, version) = match self.table.get(PK, KIT).await? {
                Some(item) => (
                    decode::<Kit>(&item)?,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (Kit::default(), Condition::IfAbsent, 1),
            };
            let answer = match change(&mut kit) {
                Ok(answer) => answer,
                Err(refused) => return Ok(Err(refused)),
            };
            let item = Item::new(PK, KIT, encode(&kit)).with_version(version);
            let writes = vec![Write::Put { item, condition }];
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Ok(answer));
            }
        }
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

    async fn from_place(kit: &FriendKit, day: NaiveDate) -> Vec<Vec<String>> {
        let mut places = Vec::new();
        kit.usage
            .each_between(day, day, |e| {
                assert_eq!(e.kind, UsageKind::FriendFromPlace);
                places.push(e.attributes[PLACE_ITEM].clone());
            })
            .await
            .unwrap();
        places
    }

    #[tokio::test]
    async fn a_follow_is_counted_for_the_place_once_whichever_comes_first() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let dir = tempfile::tempdir().unwrap();
        // The items that join a page and a follow expire: the table's clock is the test's day.
        let clock = Arc::new(tayori_ports::ManualClock::new(at(
            "2026-12-01T12:00:00+09:00",
        )));
        let table: Arc<dyn TableStore> = Arc::new(SqliteTable::open(dir.path(), clock).unwrap());
        let kit = FriendKit::new(table);
        for place in ["広報誌", "窓口"] {
            kit.update(|k| k.add_place(place).map(|_| ()))
                .await
                .unwrap()
                .unwrap();
        }
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();

        // Opened 広報誌's page, then followed: counted at the follow, once however often.
        let mut a = Friend::first_seen("Ua", at("2026-12-01T10:00:00+09:00"));
        kit.joined(&a, "1", at("2026-12-01T10:00:00+09:00"))
            .await
            .unwrap();
        a.followed(at("2026-12-01T10:01:00+09:00"));
        let follow = Occasion::line_event("01FOLLOWA");
        for _ in 0..2 {
            kit.followed(&a, at("2026-12-01T10:01:00+09:00"), &follow)
                .await
                .unwrap();
        }
        // Followed (LINE's prompt while signing in), then the page reported 窓口: counted then.
        let mut b = Friend::first_seen("Ub", at("2026-12-01T11:00:00+09:00"));
        b.followed(at("2026-12-01T11:00:00+09:00"));
        kit.followed(
            &b,
            at("2026-12-01T11:00:00+09:00"),
            &Occasion::line_event("01FOLLOWB"),
        )
        .await
        .unwrap();
        for _ in 0..2 {
            kit.joined(&b, "2", at("2026-12-01T11:00:05+09:00"))
                .await
                .unwrap();
        }
        // A page opened two hours before a follow is not where it came from.
        let mut c = Friend::first_seen("Uc", at("2026-12-01T08:00:00+09:00"));
        kit.joined(&c, "1", at("2026-12-01T08:00:00+09:00"))
            .await
            .unwrap();
        c.followed(at("2026-12-01T10:00:00+09:00"));
        kit.followed(
            &c,
            at("2026-12-01T10:00:00+09:00"),
            &Occasion::line_event("01FOLLOWC"),
        )
        .await
        .unwrap();

        let mut places = from_place(&kit, day).await;
        places.sort();
        assert_eq!(
            places,
            [vec!["広報誌".to_string()], vec!["窓口".to_string()]]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_clerks_adding_a_place_at_once_keep_both() {
        let dir = tempfile::tempdir().unwrap();
        let table: Arc<dyn TableStore> =
            Arc::new(SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap());
        let kit = FriendKit::new(table);
        let adding = ["広報誌", "窓口", "公民館", "イベント"].map(|place| {
            let kit = kit.clone();
            tokio::spawn(async move { kit.update(|k| k.add_place(place).map(|_| ())).await })
        });
        for added in adding {
            added.await.unwrap().unwrap().unwrap();
        }
        let mut names: Vec<String> = kit
            .get()
            .await
            .unwrap()
            .places()
            .iter()
            .map(|p| p.name().to_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["イベント", "公民館", "広報誌", "窓口"]);
        let refused = kit
            .update(|k| k.add_place("窓口").map(|_| ()))
            .await
            .unwrap();
        assert!(refused.is_err(), "a refusal writes nothing");
        assert_eq!(kit.get().await.unwrap().places().len(), 4);
    }

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
