//! The sender against the embedded store and the fake LINE server: who gets a delivery, when,
//! and that every recipient gets exactly one copy whatever happens on the way.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tayori_adapters::embedded;
use tayori_deliveries::sender::{Outcome, Sender};
use tayori_domain::delivery::{Bubble, Composition, Delivery, DeliveryStatus, StoredImage};
use tayori_domain::segment::{Match, SegmentCondition, Target};
use tayori_fake_line::{FakeLine, Fault};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{
    Clock, Condition, Index, Item, ManualClock, Page, Platform, Query, StoreError, TableStore,
    Write,
};
use tayori_records::{Deliveries, Friends, RecordError, Testers};
use tokio::sync::Semaphore;

const MEDIA: &str = "https://tayori.example.jp";

/// The embedded store with a hand on it: every page of friends the index lists waits for a
/// permit the test hands out, and may be cut short (as DynamoDB cuts pages at 1 MB); every get
/// is noted by its sort key.
struct Watched {
    inner: Arc<dyn TableStore>,
    friend_pages: Semaphore,
    friends_per_page: usize,
    gets: Mutex<Vec<String>>,
}

#[async_trait]
impl TableStore for Watched {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.gets.lock().unwrap().push(sk.to_string());
        self.inner.get(pk, sk).await
    }
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.inner.put(item, condition).await
    }
    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        self.inner.delete(pk, sk, condition).await
    }
    async fn query(&self, mut query: Query) -> Result<Page, StoreError> {
        if query.index == Index::Gsi1 && query.pk.starts_with("FRIENDS#") {
            query.limit = query.limit.min(self.friends_per_page);
            self.friend_pages
                .acquire()
                .await
                .expect("the gate stays open")
                .forget();
        }
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.inner.transact(writes).await
    }
}

struct World {
    platform: Platform,
    store: Arc<Watched>,
    clock: Arc<ManualClock>,
    fake: FakeLine,
    line: Arc<LineClient>,
    _dir: tempfile::TempDir,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

impl World {
    async fn new() -> Self {
        Self::gated(Semaphore::MAX_PERMITS, 1000).await
    }

    /// A world whose store lists at most `friend_pages` pages of friends, of at most
    /// `friends_per_page`, until the test lets more through ([`World::let_pages_through`]).
    async fn gated(friend_pages: usize, friends_per_page: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let (mut platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
        let store = Arc::new(Watched {
            inner: platform.table.clone(),
            friend_pages: Semaphore::new(friend_pages),
            friends_per_page,
            gets: Mutex::new(Vec::new()),
        });
        platform.table = store.clone();
        let fake = FakeLine::new();
        let (base, _server) = fake.serve().await;
        let line = Arc::new(LineClient::new(LineConfig {
            max_attempts: 3,
            base_backoff: std::time::Duration::from_millis(5),
            ..LineConfig::at(&base, "test-token")
        }));
        Self {
            platform,
            store,
            clock,
            fake,
            line,
            _dir: dir,
        }
    }

    fn let_pages_through(&self) {
        self.store
            .friend_pages
            .add_permits(Semaphore::MAX_PERMITS / 2);
    }

    /// The sort keys of the items the store was asked for since the last call.
    fn gets(&self) -> Vec<String> {
        std::mem::take(&mut *self.store.gets.lock().unwrap())
    }

    async fn plan(&self, id: &str) -> Option<tayori_records::Plan> {
        Deliveries::new(self.platform.table.clone())
            .plan(id)
            .await
            .unwrap()
    }

    /// Waits (without a deadline: the test runner's is enough) until `done` holds.
    async fn until(&self, mut done: impl FnMut(&Self) -> bool) {
        while !done(self) {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }

    fn sender(&self) -> Sender {
        Sender::new(self.platform.clone(), self.line.clone(), MEDIA.into())
    }

    /// `n` following friends; friend i is 30代 when i % 3 == 0 and lives in 雲浜 when i % 2 == 0.
    async fn friends(&self, n: usize) -> Vec<String> {
        let friends = Friends::new(&self.platform);
        let at = self.clock.now();
        let mut ids = Vec::new();
        for i in 0..n {
            let id = format!("U{i:032x}");
            let mut attributes = BTreeMap::new();
            let age = if i % 3 == 0 { "30代" } else { "40代" };
            let district = if i % 2 == 0 { "雲浜" } else { "西津" };
            attributes.insert("age_group".to_string(), vec![age.to_string()]);
            attributes.insert("district".to_string(), vec![district.to_string()]);
            friends
                .update(&id, at, |f| {
                    f.followed(at);
                    f.attributes = attributes.clone();
                })
                .await
                .unwrap();
            ids.push(id);
        }
        ids
    }

    /// A delivery composed and released by a clerk who may send.
    async fn released(&self, id: &str, target: Target, send_at: Option<DateTime<Utc>>) {
        let now = self.clock.now();
        let mut d = Delivery::draft(id.into(), "tanaka", now);
        let composition = Composition {
            title: "年末年始のごみ収集".into(),
            category: "ごみ".into(),
            bubbles: vec![
                Bubble::Text {
                    text: "12月31日から1月3日まで収集はお休みです。🗑️".into(),
                },
                Bubble::Image {
                    image: StoredImage {
                        original: "media/deliveries/a.jpg".into(),
                        preview: "media/deliveries/a-preview.jpg".into(),
                    },
                },
            ],
            target,
            send_at,
        };
        d.compose(composition, now).unwrap();
        let deliveries = Deliveries::new(self.platform.table.clone());
        deliveries.create(&d).await.unwrap();
        deliveries
            .update(id, |d| {
                d.submit("tanaka", true, "対象".into(), now)
                    .map_err(|e| RecordError::Corrupt(id.into(), e.to_string()))
            })
            .await
            .unwrap();
    }

    async fn delivery(&self, id: &str) -> Delivery {
        Deliveries::new(self.platform.table.clone())
            .get(id)
            .await
            .unwrap()
            .unwrap()
    }

    fn copies(&self, user: &str) -> usize {
        // Two messages (text + image) per copy.
        self.fake.sent_messages_to(user).len() / 2
    }

    fn multicasts_accepted(&self) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| r.path == "/v2/bot/message/multicast" && r.status == 200)
            .count()
    }

    fn assert_every_request_passed_the_schema_check(&self) {
        for r in self.fake.requests() {
            assert!(
                r.schema_errors.is_empty(),
                "{} {:?}",
                r.path,
                r.schema_errors
            );
        }
    }
}

fn segment(age: &str, district: &str) -> Target {
    let condition = |item: &str, value: &str| SegmentCondition {
        item: item.into(),
        matching: Match::AnyOf,
        values: vec![value.into()],
    };
    Target::Segment {
        conditions: vec![condition("age_group", age), condition("district", district)],
    }
}

#[tokio::test]
async fn a_segment_delivery_reaches_exactly_the_citizens_in_the_segment() {
    let world = World::new().await;
    let ids = world.friends(3100).await;
    // Two of the segment blocked the account since they registered.
    let friends = Friends::new(&world.platform);
    let at = world.clock.now();
    for blocked in [&ids[0], &ids[6]] {
        friends
            .update(blocked, at, |f| f.blocked(at))
            .await
            .unwrap();
    }
    world.released("D1", segment("30代", "雲浜"), None).await;

    let outcome = world.sender().send("D1").await.unwrap();

    let in_segment: Vec<&String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 6 == 0 && *i != 0 && *i != 6)
        .map(|(_, id)| id)
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let expected = usize::from(in_segment.contains(&id));
        assert_eq!(world.copies(id), expected, "friend {i}");
    }
    let Outcome::Finished(totals) = outcome else {
        panic!("not sent: {outcome:?}")
    };
    assert_eq!(totals.recipients, in_segment.len() as u64);
    assert_eq!(totals.succeeded, totals.recipients);
    assert_eq!(totals.failed, 0);
    let d = world.delivery("D1").await;
    assert_eq!(d.status(), DeliveryStatus::Sent);
    assert_eq!(d.totals(), totals);
    assert_eq!(world.multicasts_accepted(), in_segment.len().div_ceil(500));
    let first = &world.fake.sent_messages_to(in_segment[0])[1];
    assert_eq!(
        first["originalContentUrl"],
        "https://tayori.example.jp/media/deliveries/a.jpg"
    );
    world.assert_every_request_passed_the_schema_check();
}

#[tokio::test]
async fn a_scheduled_delivery_goes_out_at_its_minute_and_not_twice() {
    let world = World::new().await;
    let ids = world.friends(40).await;
    let at = world.clock.now() + Duration::minutes(90);
    world.released("D1", Target::All, Some(at)).await;
    let sender = world.sender();

    world.clock.advance(Duration::minutes(89));
    assert!(sender.send_due().await.unwrap().is_empty());
    assert_eq!(world.copies(&ids[0]), 0);

    world.clock.advance(Duration::minutes(1));
    let sent = sender.send_due().await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(matches!(sent[0].1, Outcome::Finished(_)));

    world.clock.advance(Duration::minutes(1));
    assert!(sender.send_due().await.unwrap().is_empty());
    assert_eq!(sender.send("D1").await.unwrap(), Outcome::Skipped);
    for id in &ids {
        assert_eq!(world.copies(id), 1);
    }
    assert_eq!(world.delivery("D1").await.totals().succeeded, 40);
}

#[tokio::test]
async fn a_sender_that_dies_after_k_batches_is_resumed_and_nobody_gets_two_copies() {
    for k in [0, 1, 3, 5] {
        let world = World::new().await;
        let ids = world.friends(2600).await; // 6 batches
        world.released("D1", Target::All, None).await;
        world.fake.set_latency(std::time::Duration::from_millis(30));

        let mut first = world.sender();
        first.in_flight = 1;
        let running = tokio::spawn(async move { first.send("D1").await });
        // k = 0: dies right after planning, before any batch went out.
        let deliveries = Deliveries::new(world.platform.table.clone());
        while world.multicasts_accepted() < k || deliveries.plan("D1").await.unwrap().is_none() {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        running.abort();
        let _ = running.await;
        world.fake.set_latency(std::time::Duration::ZERO);

        // The lease of the dead sender keeps a second one out until it expires.
        let second = world.sender();
        assert_eq!(second.send("D1").await.unwrap(), Outcome::Skipped, "k={k}");
        world.clock.advance(Duration::minutes(6));
        let resumed = second.send_due().await.unwrap();
        assert_eq!(resumed.len(), 1, "k={k}");

        for id in &ids {
            assert_eq!(world.copies(id), 1, "k={k}: {id}");
        }
        let d = world.delivery("D1").await;
        assert_eq!(d.status(), DeliveryStatus::Sent, "k={k}");
        assert_eq!(
            (
                d.totals().recipients,
                d.totals().succeeded,
                d.totals().failed
            ),
            (2600, 2600, 0),
            "k={k}"
        );
        world.assert_every_request_passed_the_schema_check();
    }
}

#[tokio::test]
async fn a_storm_of_429_and_5xx_ends_with_every_message_sent_or_counted_as_failed() {
    let world = World::new().await;
    let ids = world.friends(5000).await; // 10 batches
    world.released("D1", Target::All, None).await;
    for status in [429, 500, 503, 429, 502] {
        world.fake.inject_faults(Fault {
            path: "/v2/bot/message/multicast".into(),
            status,
            count: 3,
            body: None,
        });
    }
    let mut sender = world.sender();
    sender.in_flight = 1;
    let Outcome::Finished(totals) = sender.send("D1").await.unwrap() else {
        panic!("not finished")
    };
    assert_eq!(totals.recipients, 5000);
    assert_eq!(totals.succeeded + totals.failed, 5000);
    assert!(
        totals.failed > 0,
        "15 faults against 3 tries must fail a batch"
    );
    let delivered: usize = ids.iter().map(|id| world.copies(id)).sum();
    assert_eq!(delivered as u64, totals.succeeded);
    assert!(ids.iter().all(|id| world.copies(id) <= 1));
    let d = world.delivery("D1").await;
    assert!(
        d.errors().iter().any(|e| e.starts_with("LINE ")),
        "{:?}",
        d.errors()
    );
}

#[tokio::test]
async fn stopping_a_delivery_leaves_the_rest_unsent_and_counted() {
    let world = World::new().await;
    world.friends(3000).await;
    world.released("D1", Target::All, None).await;
    world.fake.set_latency(std::time::Duration::from_millis(40));
    let mut sender = world.sender();
    sender.in_flight = 1;
    let running = tokio::spawn(async move { sender.send("D1").await });
    while world.multicasts_accepted() < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let now = world.clock.now();
    Deliveries::new(world.platform.table.clone())
        .update("D1", |d| {
            d.request_stop("suzuki", now)
                .map_err(|e| RecordError::Corrupt("D1".into(), e.to_string()))
        })
        .await
        .unwrap();
    let Outcome::Finished(totals) = running.await.unwrap().unwrap() else {
        panic!("not finished")
    };
    let d = world.delivery("D1").await;
    assert_eq!(d.status(), DeliveryStatus::Stopped);
    assert!(totals.not_sent >= 500, "{totals:?}");
    assert_eq!(totals.succeeded + totals.not_sent, 3000);
    assert_eq!(totals.succeeded as usize, world.multicasts_accepted() * 500);
}

#[tokio::test]
async fn a_test_delivery_goes_only_to_the_testers() {
    let world = World::new().await;
    let ids = world.friends(30).await;
    let testers = Testers::new(world.platform.table.clone());
    let code = testers
        .issue_code("tanaka", world.clock.now())
        .await
        .unwrap();
    assert!(matches!(
        testers
            .redeem(&code, &ids[7], world.clock.now())
            .await
            .unwrap(),
        tayori_records::Redemption::Registered(_)
    ));
    let now = world.clock.now();
    let mut draft = Delivery::draft("D1".into(), "tanaka", now);
    let composition = Composition {
        title: "テスト".into(),
        category: "一般".into(),
        bubbles: vec![Bubble::Text {
            text: "テスト配信です".into(),
        }],
        target: Target::All,
        send_at: None,
    };
    draft.compose(composition, now).unwrap();
    let test = draft.test_copy("T1".into(), "tanaka", now).unwrap();
    let deliveries = Deliveries::new(world.platform.table.clone());
    deliveries.create(&test).await.unwrap();
    deliveries
        .update("T1", |d| {
            d.submit("tanaka", true, "テスター".into(), now)
                .map_err(|e| RecordError::Corrupt("T1".into(), e.to_string()))
        })
        .await
        .unwrap();
    world.sender().send("T1").await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let expected = usize::from(i == 7);
        assert_eq!(
            world.fake.sent_messages_to(id).len(),
            expected,
            "friend {i}"
        );
    }
}

#[tokio::test]
async fn a_district_delivery_is_counted_under_that_district_in_the_usage_report() {
    use tayori_domain::time::to_jst;
    use tayori_domain::usage::{UsageKind, UsageReport, UNREGISTERED};
    use tayori_records::UsageEvents;

    let world = World::new().await;
    world.friends(4).await;
    let kumohama = Target::Segment {
        conditions: vec![SegmentCondition {
            item: "district".into(),
            matching: Match::AnyOf,
            values: vec!["雲浜".into()],
        }],
    };
    world.released("D1", kumohama, None).await;
    world.sender().send("D1").await.unwrap();

    let day = to_jst(world.clock.now()).date_naive();
    let mut events = Vec::new();
    UsageEvents::new(world.platform.table.clone())
        .each_between(day, day, |e| events.push(e))
        .await
        .unwrap();
    let report = UsageReport::build(&events, Some("district"));
    assert_eq!(report.count(UsageKind::Delivery, "雲浜"), 1);
    assert_eq!(report.count(UsageKind::DeliverySuccess, "雲浜"), 2);
    assert_eq!(report.count(UsageKind::Delivery, UNREGISTERED), 0);
    assert_eq!(report.columns, ["雲浜"]);
    // Friends 0 and 2 live in 雲浜; friend 0 is 30代, friend 2 40代.
    let by_age = UsageReport::build(&events, Some("age_group"));
    assert_eq!(by_age.cell(UsageKind::DeliverySuccess, "30代"), Some(1));
    assert_eq!(by_age.cell(UsageKind::DeliverySuccess, "40代"), Some(1));
    assert_eq!(by_age.count(UsageKind::Delivery, "30代"), 1);
    assert_eq!(by_age.count(UsageKind::Delivery, "40代"), 1);
    assert_eq!(by_age.total(UsageKind::Delivery), 1);
}

#[tokio::test]
async fn a_delivery_to_everyone_is_counted_under_each_recipients_district_and_age_group() {
    use tayori_domain::time::to_jst;
    use tayori_domain::usage::{UsageKind, UsageReport, UNREGISTERED};
    use tayori_records::UsageEvents;

    let world = World::new().await;
    let ids = world.friends(12).await;
    // One friend registered nothing.
    let at = world.clock.now();
    Friends::new(&world.platform)
        .update(&ids[11], at, |f| f.attributes.clear())
        .await
        .unwrap();
    world.released("D1", Target::All, None).await;
    world.sender().send("D1").await.unwrap();

    let day = to_jst(world.clock.now()).date_naive();
    let mut events = Vec::new();
    UsageEvents::new(world.platform.table.clone())
        .each_between(day, day, |e| events.push(e))
        .await
        .unwrap();
    let by_district = UsageReport::build(&events, Some("district"));
    // 0, 2, … 10 in 雲浜; 1, 3, … 9 in 西津; 11 nowhere.
    assert_eq!(
        by_district.cell(UsageKind::DeliverySuccess, "雲浜"),
        Some(6)
    );
    assert_eq!(
        by_district.cell(UsageKind::DeliverySuccess, "西津"),
        Some(5)
    );
    assert_eq!(
        by_district.cell(UsageKind::DeliverySuccess, UNREGISTERED),
        Some(1)
    );
    assert_eq!(by_district.total(UsageKind::DeliverySuccess), 12);
    let by_age = UsageReport::build(&events, Some("age_group"));
    // 0, 3, 6, 9 are 30代; the rest but 11 40代.
    assert_eq!(by_age.cell(UsageKind::DeliverySuccess, "30代"), Some(4));
    assert_eq!(by_age.cell(UsageKind::DeliverySuccess, "40代"), Some(7));
    let by_gender = UsageReport::build(&events, Some("gender"));
    assert_eq!(
        by_gender.cell(UsageKind::DeliverySuccess, UNREGISTERED),
        None
    );
}

#[tokio::test]
async fn the_first_batch_goes_out_while_the_rest_of_the_plan_is_still_being_read() {
    // 1500 friends, ~94 in each of the 16 index shards, listed 60 to a page: 11 pages read
    // hold at least 660 friends, enough for one batch, and no more are listed until the test
    // says so.
    let world = World::gated(11, 60).await;
    let ids = world.friends(1500).await;
    world.released("D1", Target::All, None).await;
    let sender = world.sender();
    let running = tokio::spawn(async move { sender.send("D1").await });

    world.until(|w| w.multicasts_accepted() == 1).await;
    let plan = world.plan("D1").await.unwrap();
    assert!(
        !plan.is_complete(),
        "LINE got a batch before the plan was whole"
    );
    assert_eq!(plan.batches(), 1);
    world.let_pages_through();

    let Outcome::Finished(totals) = running.await.unwrap().unwrap() else {
        panic!("not finished")
    };
    assert_eq!((totals.recipients, totals.succeeded), (1500, 1500));
    for id in &ids {
        assert_eq!(world.copies(id), 1, "{id}");
    }
    assert_eq!(world.multicasts_accepted(), 3);
    assert!(world.plan("D1").await.unwrap().is_complete());
}

#[tokio::test]
async fn a_sender_that_dies_in_the_middle_of_planning_is_resumed_and_everyone_gets_one_copy() {
    // As above: the first step takes 9 pages (540 friends), cuts a batch and carries 40.
    let world = World::gated(11, 60).await;
    let ids = world.friends(1500).await;
    world.released("D1", Target::All, None).await;
    let sender = world.sender();
    let running = tokio::spawn(async move { sender.send("D1").await });
    world.until(|w| w.multicasts_accepted() == 1).await;
    running.abort();
    let _ = running.await;
    // It died with shards half read and read friends not yet in a batch.
    let plan = world.plan("D1").await.unwrap();
    assert!(!plan.is_complete());
    assert!(plan.carried() > 0, "{plan:?}");

    world.let_pages_through();
    world.clock.advance(Duration::minutes(6));
    let resumed = world.sender().send_due().await.unwrap();
    assert_eq!(resumed.len(), 1);
    for id in &ids {
        assert_eq!(world.copies(id), 1, "{id}");
    }
    let d = world.delivery("D1").await;
    assert_eq!(d.status(), DeliveryStatus::Sent);
    assert_eq!(
        (
            d.totals().recipients,
            d.totals().succeeded,
            d.totals().failed
        ),
        (1500, 1500, 0)
    );
    assert_eq!(world.multicasts_accepted(), 3);
}

#[tokio::test]
async fn the_sender_checks_the_stop_flag_before_each_batch_and_reads_the_delivery_only_to_start_and_close(
) {
    let world = World::new().await;
    world.friends(2600).await; // 6 batches
    world.released("D1", Target::All, None).await;
    world.gets();
    world.sender().send("D1").await.unwrap();
    // Sort keys of the records layout: the delivery is `META`, its stop flag `STOP`.
    let gets = world.gets();
    let count = |sk: &str| gets.iter().filter(|s| *s == sk).count();
    assert_eq!(count("STOP"), 6, "{gets:?}");
    assert_eq!(count("META"), 3, "read, started, closed: {gets:?}");
}
