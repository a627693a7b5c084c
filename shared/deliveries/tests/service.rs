//! The delivery desk against the embedded store: each use case writes what it says, once, and
//! the rules refuse what they refuse whoever calls.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};
use tayori_adapters::embedded;
use tayori_deliveries::{DeliveryDesk, DeskError, Sender, Then};
use tayori_domain::delivery::{
    Bubble, Composition, Delivery, DeliveryError, DeliveryStatus, DELIVERY_REQUESTED,
    GARBAGE_NOTICE_AUTHOR, TESTERS,
};
use tayori_domain::segment::Target;
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{BusError, Clock, Event, EventBus, ManualClock, Platform};
use tayori_records::{Deliveries, Friends, Testers};

/// The bus as the desk sees it: what was published, in order.
#[derive(Default)]
struct Published(Mutex<Vec<Event>>);

#[async_trait]
impl EventBus for Published {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(events);
        Ok(())
    }
}

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    published: Arc<Published>,
    _dir: tempfile::TempDir,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

fn composition(title: &str) -> Composition {
    Composition {
        title: title.into(),
        category: "ごみ".into(),
        bubbles: vec![Bubble::Text {
            text: "12月31日から1月3日まで収集はお休みです。".into(),
        }],
        target: Target::All,
        send_at: None,
    }
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let (mut platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
        let published = Arc::new(Published::default());
        platform.bus = published.clone();
        Self {
            platform,
            clock,
            published,
            _dir: dir,
        }
    }

    fn desk(&self) -> DeliveryDesk {
        DeliveryDesk::new(&self.platform)
    }

    async fn delivery(&self, id: &str) -> Delivery {
        Deliveries::new(self.platform.table.clone())
            .get(id)
            .await
            .unwrap()
            .unwrap()
    }

    /// How many times the delivery's record was written: its version.
    async fn writes(&self, id: &str) -> u64 {
        let pk = format!("DELIVERY#{id}");
        let item = self.platform.table.get(&pk, "META").await.unwrap();
        item.unwrap().version
    }

    /// The ids the desk asked the broadcast function to send now.
    fn requested(&self) -> Vec<String> {
        let events = self.published.0.lock().unwrap();
        events
            .iter()
            .filter(|e| e.detail_type == DELIVERY_REQUESTED)
            .map(|e| e.detail["id"].as_str().unwrap().to_string())
            .collect()
    }

    /// A draft by `tanaka`, stored.
    async fn draft(&self, id: &str, composition: Composition) {
        let saved = self
            .desk()
            .create_draft(id.into(), "tanaka", composition, Then::Keep)
            .await
            .unwrap();
        assert!(saved.created);
    }

    /// `n` following friends, `U…0` to `U…n-1`.
    async fn friends(&self, n: usize) -> Vec<String> {
        let friends = Friends::new(&self.platform);
        let at = self.clock.now();
        let mut ids = Vec::new();
        for i in 0..n {
            let id = format!("U{i:032x}");
            friends.update(&id, at, |f| f.followed(at)).await.unwrap();
            ids.push(id);
        }
        ids
    }
}

#[tokio::test]
async fn saving_and_submitting_is_one_write_and_keeps_what_was_composed() {
    let w = World::new();
    w.draft("D1", composition("下書き")).await;
    assert_eq!(w.writes("D1").await, 1);

    let saved = w
        .desk()
        .save_draft(
            "D1",
            "tanaka",
            composition("年末年始のごみ収集"),
            Then::Submit { may_send: false },
        )
        .await
        .unwrap();
    assert_eq!(
        w.writes("D1").await,
        2,
        "one write for the save and the submit"
    );
    assert_eq!(saved.not_submitted, None);
    assert_eq!(saved.change.before.title(), "下書き");
    let d = w.delivery("D1").await;
    assert_eq!(
        (d.status(), d.title(), d.target_description()),
        (
            DeliveryStatus::AwaitingApproval,
            "年末年始のごみ収集",
            "すべての友だち"
        )
    );
    assert!(w.requested().is_empty(), "waiting for approval, not sent");
}

#[tokio::test]
async fn an_unfinished_draft_is_saved_but_not_submitted_and_says_why() {
    let w = World::new();
    w.draft("D1", composition("下書き")).await;
    let unfinished = Composition {
        bubbles: Vec::new(),
        ..composition("吹き出しはまだ")
    };
    let saved = w
        .desk()
        .save_draft("D1", "tanaka", unfinished, Then::Submit { may_send: true })
        .await
        .unwrap();
    assert_eq!(saved.not_submitted, Some(DeliveryError::NoBubbles));
    let d = w.delivery("D1").await;
    assert_eq!(
        (d.status(), d.title()),
        (DeliveryStatus::Draft, "吹き出しはまだ")
    );
}

#[tokio::test]
async fn a_new_draft_released_on_its_first_save_is_due_and_requested() {
    let w = World::new();
    let saved = w
        .desk()
        .create_draft(
            "D1".into(),
            "tanaka",
            composition("すぐに配信"),
            Then::Submit { may_send: true },
        )
        .await
        .unwrap();
    assert_eq!(saved.change.after.status(), DeliveryStatus::Scheduled);
    let due = Deliveries::new(w.platform.table.clone())
        .due(w.clock.now())
        .await
        .unwrap();
    assert_eq!(due, ["D1"], "the tick finds it should the request be lost");
    assert_eq!(w.requested(), ["D1"]);
}

#[tokio::test]
async fn approval_is_someone_elses_and_releases_now_or_at_the_reserved_minute() {
    let w = World::new();
    let desk = w.desk();
    let later = w.clock.now() + Duration::hours(2);
    w.draft("now", composition("すぐ")).await;
    let reserved = Composition {
        send_at: Some(later),
        ..composition("予約")
    };
    w.draft("reserved", reserved).await;
    for id in ["now", "reserved"] {
        desk.submit(id, "tanaka", false).await.unwrap();
        let own = desk.approve(id, "tanaka").await;
        assert!(matches!(
            own,
            Err(DeskError::Rule(DeliveryError::SelfApproval))
        ));
        let change = desk.approve(id, "suzuki").await.unwrap();
        assert_eq!(change.before.status(), DeliveryStatus::AwaitingApproval);
        assert_eq!(change.after.approved().unwrap().by, "suzuki");
    }
    assert_eq!(w.requested(), ["now"], "a reservation waits for its minute");
    let due_now = Deliveries::new(w.platform.table.clone())
        .due(w.clock.now())
        .await
        .unwrap();
    assert_eq!(due_now, ["now"]);
}

#[tokio::test]
async fn a_stop_is_refused_unless_the_delivery_is_being_sent() {
    let w = World::new();
    let desk = w.desk();
    w.draft("D1", composition("停止")).await;
    desk.submit("D1", "tanaka", true).await.unwrap();
    let early = desk.stop("D1", "suzuki").await;
    assert!(
        matches!(
            &early,
            Err(DeskError::Rule(DeliveryError::WrongStatus("予約済み")))
        ),
        "{early:?}"
    );
    assert!(early.unwrap_err().is_refusal());
    // Started as the sender starts it.
    let now = w.clock.now();
    Deliveries::new(w.platform.table.clone())
        .update("D1", |d| {
            assert!(d.start_sending(now));
            Ok::<_, DeskError>(())
        })
        .await
        .unwrap();
    assert!(matches!(
        desk.cancel("D1", "suzuki").await,
        Err(DeskError::Rule(DeliveryError::WrongStatus("配信中")))
    ));
    let change = desk.stop("D1", "suzuki").await.unwrap();
    assert_eq!(change.after.stop_requested().unwrap().by, "suzuki");
}

#[tokio::test]
async fn a_confirmation_tries_the_step_without_writing_it() {
    let w = World::new();
    let desk = w.desk();
    w.draft("D1", composition("確認")).await;
    desk.submit("D1", "tanaka", false).await.unwrap();
    let step = tayori_deliveries::Step::Approve;
    assert!(matches!(
        desk.check("D1", step, "tanaka").await,
        Err(DeskError::Rule(DeliveryError::SelfApproval))
    ));
    let d = desk.check("D1", step, "suzuki").await.unwrap();
    assert_eq!(d.status(), DeliveryStatus::AwaitingApproval);
    assert_eq!(
        w.writes("D1").await,
        2,
        "created and submitted, nothing more"
    );
    assert!(matches!(
        desk.check("missing", step, "suzuki").await,
        Err(DeskError::NotFound)
    ));
}

#[tokio::test]
async fn a_test_send_goes_to_the_testers_only_and_leaves_the_draft_as_it_was() {
    let w = World::new();
    let desk = w.desk();
    let friends = w.friends(5).await;
    w.draft("D1", composition("テストする配信")).await;
    assert!(matches!(
        desk.test_send("D1", "tanaka").await,
        Err(DeskError::NoTesters)
    ));
    let testers = Testers::new(w.platform.table.clone());
    let code = testers.issue_code("tanaka", w.clock.now()).await.unwrap();
    testers
        .redeem(&code, &friends[3], w.clock.now())
        .await
        .unwrap();

    let sent = desk.test_send("D1", "tanaka").await.unwrap();
    assert_eq!(sent.testers, 1);
    let test = w.delivery(sent.test.id()).await;
    assert!(test.is_test());
    assert_eq!(
        (
            test.title(),
            test.target_description(),
            test.duplicated_from()
        ),
        ("【テスト】テストする配信", TESTERS, Some("D1"))
    );
    assert_eq!(w.requested(), [test.id()]);
    assert_eq!(w.delivery("D1").await.status(), DeliveryStatus::Draft);

    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
    Sender::new(w.platform.clone(), line, "https://tayori.example.jp".into())
        .send(test.id())
        .await
        .unwrap();
    for (i, friend) in friends.iter().enumerate() {
        let expected = usize::from(i == 3);
        assert_eq!(fake.sent_messages_to(friend).len(), expected, "friend {i}");
    }
}

#[tokio::test]
async fn a_duplicate_is_a_new_draft_and_a_missing_delivery_is_not_found() {
    let w = World::new();
    w.draft("D1", composition("元の配信")).await;
    let duplicate = w.desk().duplicate("D1", "suzuki").await.unwrap();
    let copy = w.delivery(duplicate.copy.id()).await;
    assert_eq!(
        (copy.status(), copy.title(), copy.created().by.as_str()),
        (DeliveryStatus::Draft, "元の配信（コピー）", "suzuki")
    );
    assert!(matches!(
        w.desk().duplicate("missing", "suzuki").await,
        Err(DeskError::NotFound)
    ));
}

#[tokio::test]
async fn an_automatic_delivery_is_created_and_released_once_however_often_it_is_asked() {
    let w = World::new();
    let notice = || {
        Delivery::automatic(
            "garbage-1".into(),
            GARBAGE_NOTICE_AUTHOR,
            "ごみ",
            "ごみ収集のお知らせ".into(),
            "明日は燃やすごみの日です。".into(),
            Target::All,
            start(),
        )
    };
    let desk = w.desk();
    desk.release_automatic(notice(), "雲浜の方".into())
        .await
        .unwrap();
    desk.release_automatic(notice(), "雲浜の方".into())
        .await
        .unwrap();
    assert_eq!(w.writes("garbage-1").await, 2, "created and released, once");
    let d = w.delivery("garbage-1").await;
    assert_eq!(
        (
            d.status(),
            d.target_description(),
            d.submitted().unwrap().by.as_str()
        ),
        (DeliveryStatus::Scheduled, "雲浜の方", GARBAGE_NOTICE_AUTHOR)
    );
    assert!(d.is_due(w.clock.now()));
    assert!(
        w.requested().is_empty(),
        "the tick that released it sends it"
    );
}
