//! The garbage-day notices through the scheduler's tick, on the embedded store and the fake LINE
//! server, with the shipped SAMPLE calendar: in it, 雲浜 collects 燃やすごみ on Mondays and
//! Thursdays and びん・缶・ペットボトル on the second Tuesday; 宮川 collects nothing on Mondays.
//!
//! Most tests demonstrate the sample, as the local run does; a deployment withholds it until
//! the city's own calendar is imported.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_broadcast::garbage_notices::{notice_id, Slot, CREATED_BY};
use tayori_broadcast::{Scheduler, Tick};
use tayori_deliveries::sender::Sender;
use tayori_domain::delivery::DeliveryStatus;
use tayori_fake_line::FakeLine;
use tayori_garbage::{DateRange, Districts, KindNotice, SampleCalendar, Suspension, Timing};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, EventHandler, ManualClock, Platform};
use tayori_records::{Deliveries, Friends, GarbageRecords};

const AKARI: &str = "U0000000000000000000000000000000a"; // 雲浜, 当日朝
const BUNTA: &str = "U0000000000000000000000000000000b"; // 雲浜, no notices
const CHIE: &str = "U0000000000000000000000000000000c"; // 宮川, 当日朝
const DAIKI: &str = "U0000000000000000000000000000000d"; // 雲浜, 前日夜

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    fake: FakeLine,
    scheduler: Scheduler,
    _dir: tempfile::TempDir,
}

impl World {
    /// The sample demonstrated, as in the local run.
    async fn new(at: &str) -> Self {
        Self::with(at, SampleCalendar::Demonstrate).await
    }

    /// As every Lambda runs: the sample is withheld from citizens.
    async fn deployed(at: &str) -> Self {
        Self::with(at, SampleCalendar::Withheld).await
    }

    async fn with(at: &str, sample_calendar: SampleCalendar) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(jst(at)));
        let (platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
        let fake = FakeLine::new();
        let (base, _server) = fake.serve().await;
        let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
        let sender = Sender::new(platform.clone(), line, "https://tayori.example.jp".into());
        let world = Self {
            platform,
            clock,
            fake,
            scheduler: Scheduler {
                sender: Arc::new(sender),
                sample_calendar,
            },
            _dir: dir,
        };
        world.citizen(AKARI, "雲浜", Some("当日朝")).await;
        world.citizen(BUNTA, "雲浜", None).await;
        world.citizen(CHIE, "宮川", Some("当日朝")).await;
        world.citizen(DAIKI, "雲浜", Some("前日夜")).await;
        world
    }

    async fn citizen(&self, id: &str, district: &str, timing: Option<&str>) {
        let mut attributes = BTreeMap::new();
        attributes.insert("district".to_string(), vec![district.to_string()]);
        if let Some(t) = timing {
            attributes.insert("garbage_notice".to_string(), vec![t.to_string()]);
        }
        let at = self.clock.now();
        Friends::new(&self.platform)
            .update(id, at, |f| {
                f.followed(at);
                f.attributes = attributes.clone();
            })
            .await
            .unwrap();
    }

    /// Sets the clock to `at` and lets the scheduler handle that minute's tick.
    async fn tick(&self, at: &str) {
        self.clock.set(jst(at));
        self.scheduler
            .handle(Tick::event(self.clock.now()))
            .await
            .unwrap();
    }

    fn texts_to(&self, user: &str) -> Vec<String> {
        self.fake
            .sent_messages_to(user)
            .iter()
            .map(|m| m["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn garbage(&self) -> GarbageRecords {
        GarbageRecords::new(self.platform.table.clone())
    }

    fn deliveries(&self) -> Deliveries {
        Deliveries::new(self.platform.table.clone())
    }
}

fn morning(y: i32, m: u32, d: u32) -> Slot {
    Slot {
        timing: Timing::Morning,
        collection_day: chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap(),
    }
}

#[tokio::test]
async fn on_a_collection_morning_only_opted_in_citizens_of_collected_districts_get_one_notice() {
    let w = World::new("2026-12-07T06:29:00+09:00").await;
    w.tick("2026-12-07T06:29:00+09:00").await;
    assert!(w.texts_to(AKARI).is_empty(), "not before 06:30");

    w.tick("2026-12-07T06:30:00+09:00").await;
    w.tick("2026-12-07T06:31:00+09:00").await;
    let akari = w.texts_to(AKARI);
    assert_eq!(akari.len(), 1, "exactly one notice: {akari:?}");
    assert!(
        akari[0].contains("今日 12月7日（月）　雲浜地区"),
        "{}",
        akari[0]
    );
    assert!(akari[0].contains("・燃やすごみの日です。"), "{}", akari[0]);
    assert!(
        akari[0].contains("サンプル"),
        "the sample is marked: {}",
        akari[0]
    );
    assert!(w.texts_to(BUNTA).is_empty(), "did not opt in");
    assert!(w.texts_to(DAIKI).is_empty(), "chose the evening before");
    assert!(
        w.texts_to(CHIE).is_empty(),
        "宮川 has no collection on Mondays"
    );

    let logged = w
        .deliveries()
        .get(&notice_id(morning(2026, 12, 7), "雲浜"))
        .await
        .unwrap()
        .expect("the notice is in the delivery log");
    assert_eq!(logged.status(), DeliveryStatus::Sent);
    assert_eq!(logged.category(), "ごみ");
    assert_eq!(logged.created().by, CREATED_BY);
    assert_eq!(logged.title(), "ごみ収集のお知らせ 12/7 雲浜");
    assert_eq!(
        (logged.totals().recipients, logged.totals().succeeded),
        (1, 1)
    );
    assert!(logged.target_description().contains("雲浜"));
    assert!(
        w.deliveries()
            .get(&notice_id(morning(2026, 12, 7), "宮川"))
            .await
            .unwrap()
            .is_none(),
        "a district without collection gets no delivery at all"
    );
}

#[tokio::test]
async fn a_collected_district_where_nobody_asked_gets_no_empty_delivery_in_the_log() {
    // 西津 collects 燃やすごみ on Mondays too, but none of its citizens chose a notice.
    let w = World::new("2026-12-07T06:29:00+09:00").await;
    w.citizen("U0000000000000000000000000000000e", "西津", None)
        .await;
    w.tick("2026-12-07T06:30:00+09:00").await;
    assert!(w
        .deliveries()
        .get(&notice_id(morning(2026, 12, 7), "西津"))
        .await
        .unwrap()
        .is_none());
    assert_eq!(w.texts_to(AKARI).len(), 1, "雲浜 still gets its notice");

    // Someone opting in after the slot was prepared waits for the next one: the rest of the
    // window does not rescan.
    w.citizen("U0000000000000000000000000000000e", "西津", Some("当日朝"))
        .await;
    w.tick("2026-12-07T06:45:00+09:00").await;
    assert!(w
        .deliveries()
        .get(&notice_id(morning(2026, 12, 7), "西津"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn evening_citizens_hear_of_tomorrows_collection_at_seven_the_evening_before() {
    let w = World::new("2026-12-06T18:59:00+09:00").await;
    w.tick("2026-12-06T18:59:00+09:00").await;
    assert!(w.texts_to(DAIKI).is_empty());
    w.tick("2026-12-06T19:00:00+09:00").await;
    w.tick("2026-12-06T19:01:00+09:00").await;
    let daiki = w.texts_to(DAIKI);
    assert_eq!(daiki.len(), 1, "{daiki:?}");
    assert!(daiki[0].contains("明日 12月7日（月）"), "{}", daiki[0]);
    assert!(w.texts_to(AKARI).is_empty(), "the morning citizen waits");
}

#[tokio::test]
async fn a_late_restart_does_not_send_a_stale_morning_notice() {
    let w = World::new("2026-12-07T10:00:00+09:00").await;
    w.tick("2026-12-07T10:00:00+09:00").await;
    assert!(w.texts_to(AKARI).is_empty());
}

#[tokio::test]
async fn a_suspension_replaces_the_notice_with_the_suspension_message() {
    let w = World::new("2026-12-07T06:00:00+09:00").await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    w.garbage()
        .update_calendar("clerk", w.clock.now(), "収集中止を設定", |c| {
            c.suspensions.push(Suspension {
                districts: Districts::Only(vec!["雲浜".into()]),
                kinds: None,
                range: DateRange { from: day, to: day },
                reason: "大雪".into(),
                substitute: Some(day + chrono::Duration::days(1)),
                message: "大雪のため本日の収集は中止します。".into(),
            });
            Ok::<_, ()>(())
        })
        .await
        .unwrap()
        .unwrap();
    w.tick("2026-12-07T06:30:00+09:00").await;
    let akari = w.texts_to(AKARI);
    assert_eq!(akari.len(), 1, "{akari:?}");
    assert!(
        akari[0].contains(
            "燃やすごみ：大雪のため本日の収集は中止します。（振替収集日：12月8日（火））"
        ),
        "{}",
        akari[0]
    );
    assert!(!akari[0].contains("燃やすごみの日です"), "{}", akari[0]);
}

#[tokio::test]
async fn notices_switched_off_send_nothing() {
    let w = World::new("2026-12-07T06:00:00+09:00").await;
    let mut settings = w.garbage().notices().await.unwrap();
    settings.enabled = false;
    w.garbage().save_notices(&settings).await.unwrap();
    w.tick("2026-12-07T06:30:00+09:00").await;
    assert!(w.texts_to(AKARI).is_empty());
    assert!(w
        .deliveries()
        .get(&notice_id(morning(2026, 12, 7), "雲浜"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_kind_switched_off_is_not_listed() {
    // Tuesday 8 December, the second Tuesday: びん, 缶 and ペットボトル in 雲浜.
    let w = World::new("2026-12-08T06:00:00+09:00").await;
    let calendar = w.garbage().calendar().await.unwrap().calendar;
    let can = calendar.kinds.iter().find(|k| k.name == "缶").unwrap();
    let mut settings = w.garbage().notices().await.unwrap();
    settings.kinds.insert(
        can.id.clone(),
        KindNotice {
            on: false,
            wording: "缶の日です。".into(),
        },
    );
    w.garbage().save_notices(&settings).await.unwrap();
    w.tick("2026-12-08T06:30:00+09:00").await;
    let akari = w.texts_to(AKARI);
    assert_eq!(akari.len(), 1, "{akari:?}");
    assert!(akari[0].contains("びんの日です。"), "{}", akari[0]);
    assert!(akari[0].contains("ペットボトルの日です。"), "{}", akari[0]);
    assert!(!akari[0].contains("缶の日"), "{}", akari[0]);
}

#[tokio::test]
async fn ticks_handled_at_the_same_time_in_one_process_still_send_one_notice() {
    let w = World::new("2026-12-07T06:30:00+09:00").await;
    // The local run's bus hands ticks to one scheduler concurrently; so may a slow Lambda.
    let ticks = (0..5).map(|_| w.scheduler.handle(Tick::event(w.clock.now())));
    for result in futures::future::join_all(ticks).await {
        result.unwrap();
    }
    assert_eq!(w.texts_to(AKARI).len(), 1, "{:?}", w.texts_to(AKARI));
}

#[tokio::test]
async fn in_a_deployment_the_sample_calendar_sends_no_notice() {
    let w = World::deployed("2026-12-07T06:29:00+09:00").await;
    w.tick("2026-12-07T06:30:00+09:00").await;
    w.tick("2026-12-07T06:31:00+09:00").await;
    assert!(w.texts_to(AKARI).is_empty(), "{:?}", w.texts_to(AKARI));
    assert!(w
        .deliveries()
        .get(&notice_id(morning(2026, 12, 7), "雲浜"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn in_a_deployment_the_city_s_imported_calendar_is_notified_unmarked() {
    let w = World::deployed("2026-12-07T06:00:00+09:00").await;
    // The city's calendar, here with the sample's days, saved as an import saves it.
    let city = tayori_garbage::obama_sample();
    let change = tayori_records::Change {
        by: "clerk".into(),
        at: w.clock.now(),
        what: "5374取込".into(),
    };
    w.garbage()
        .replace(city.calendar, &city.dictionary, change)
        .await
        .unwrap();
    w.tick("2026-12-07T06:30:00+09:00").await;
    let akari = w.texts_to(AKARI);
    assert_eq!(akari.len(), 1, "{akari:?}");
    assert!(akari[0].contains("・燃やすごみの日です。"), "{}", akari[0]);
    assert!(!akari[0].contains("サンプル"), "{}", akari[0]);
}
