//! Child-rearing messages through the scheduler's tick, on the embedded store and the fake LINE
//! server: a child born in 2026-01 reaches 生後2か月 on 2026-03-01, and the schedule sends at
//! 10:00 JST.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_broadcast::{Scheduler, Tick};
use tayori_childcare::{delivery_id, ChildcareDesk, CREATED_BY};
use tayori_deliveries::sender::Sender;
use tayori_domain::childcare::{Birth, Stage, StageSchedule, StageTiming, YearMonth};
use tayori_domain::delivery::Delivery;
use tayori_fake_line::FakeLine;
use tayori_garbage::SampleCalendar;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, EventHandler, ManualClock, Platform};
use tayori_records::children::ChildcareSettings;
use tayori_records::{ChildcareRecords, Deliveries, Friends};

const HANAKO: &str = "U0000000000000000000000000000000a"; // a child born in 2026-01
const ICHIRO: &str = "U0000000000000000000000000000000b"; // a friend without children

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    fake: FakeLine,
    scheduler: Scheduler,
    child: String,
    _dir: tempfile::TempDir,
}

impl World {
    /// HANAKO registered her child on 2026-02-10; the schedule has 生後2か月.
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(jst("2026-02-10T12:00:00+09:00")));
        let (platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
        let fake = FakeLine::new();
        let (base, _server) = fake.serve().await;
        let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
        let sender = Sender::new(platform.clone(), line, "https://tayori.example.jp".into());
        for user in [HANAKO, ICHIRO] {
            let at = clock.now();
            Friends::new(&platform)
                .update(user, at, |f| f.followed(at))
                .await
                .unwrap();
        }
        let child = ChildcareDesk::new(&platform)
            .register_child(
                HANAKO,
                Birth::Born {
                    month: YearMonth::new(2026, 1).unwrap(),
                },
                None,
            )
            .await
            .unwrap()
            .id()
            .to_string();
        let stage = Stage::new(
            "vaccine-2m",
            "予防接種",
            StageTiming::Age {
                years: 0,
                months: 2,
            },
            "生後2か月から予防接種が始まります。",
            Some("https://www1.city.obama.fukui.jp/"),
        )
        .unwrap();
        ChildcareRecords::new(&platform)
            .save_settings(&ChildcareSettings {
                schedule: StageSchedule::new(vec![stage]).unwrap(),
                ..ChildcareSettings::default()
            })
            .await
            .unwrap();
        Self {
            platform,
            clock,
            fake,
            scheduler: Scheduler {
                sender: Arc::new(sender),
                sample_calendar: SampleCalendar::Withheld,
            },
            child,
            _dir: dir,
        }
    }

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

    async fn child_messages(&self) -> Vec<Delivery> {
        let mut found = Vec::new();
        Deliveries::new(self.platform.table.clone())
            .each_created_between(None, None, |d| {
                if d.created().by == CREATED_BY {
                    found.push(d)
                }
            })
            .await
            .unwrap();
        found
    }
}

#[tokio::test]
async fn at_the_send_time_the_tick_sends_the_stage_to_that_parent_alone_and_once() {
    let w = World::new().await;
    w.tick("2026-03-01T09:59:00+09:00").await;
    assert!(w.child_messages().await.is_empty(), "not before 10:00");

    w.tick("2026-03-01T10:00:00+09:00").await;
    let made = w.child_messages().await;
    assert_eq!(made.len(), 1);
    assert_eq!(
        made[0].id(),
        delivery_id(
            chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            "vaccine-2m"
        )
    );
    let hanako = w.texts_to(HANAKO);
    assert_eq!(
        hanako,
        ["生後2か月から予防接種が始まります。\nhttps://www1.city.obama.fukui.jp/"]
    );
    assert!(w.texts_to(ICHIRO).is_empty(), "only the parent named");
    let sent = Deliveries::new(w.platform.table.clone())
        .get(made[0].id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.totals().recipients, 1);

    w.tick("2026-03-01T10:01:00+09:00").await;
    w.tick("2026-03-02T10:00:00+09:00").await;
    assert_eq!(
        w.child_messages().await.len(),
        1,
        "a second tick creates none"
    );
    assert_eq!(w.texts_to(HANAKO).len(), 1);
}

#[tokio::test]
async fn an_opted_out_parent_gets_nothing() {
    let w = World::new().await;
    ChildcareDesk::new(&w.platform)
        .opt_out(HANAKO)
        .await
        .unwrap();
    w.tick("2026-03-01T10:00:00+09:00").await;
    assert!(w.child_messages().await.is_empty());
    assert!(w.texts_to(HANAKO).is_empty());
}

#[tokio::test]
async fn a_removed_child_brings_nothing() {
    let w = World::new().await;
    ChildcareDesk::new(&w.platform)
        .remove_child(HANAKO, &w.child)
        .await
        .unwrap();
    w.tick("2026-03-01T10:00:00+09:00").await;
    assert!(w.child_messages().await.is_empty());
    assert!(w.texts_to(HANAKO).is_empty());
}

#[tokio::test]
async fn a_parent_who_blocked_the_account_is_left_out_of_the_send() {
    let w = World::new().await;
    let at = w.clock.now();
    Friends::new(&w.platform)
        .update(HANAKO, at, |f| f.blocked(at))
        .await
        .unwrap();
    w.tick("2026-03-01T10:00:00+09:00").await;
    let made = w.child_messages().await;
    assert_eq!(made.len(), 1, "created: the parent is named");
    assert!(w.texts_to(HANAKO).is_empty());
    let sent = Deliveries::new(w.platform.table.clone())
        .get(made[0].id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.totals().recipients, 0);
}
