//! The daily job (`scheduler.daily-housekeeping`) as the scheduler runs it: friends who blocked
//! the account longer ago than the retention period are removed with everything kept under
//! their user id; friends stored before field encryption are sealed; an index-key rotation
//! re-hashes everyone while deliveries keep finding them.

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_broadcast::{Scheduler, DAILY, ROTATE_INDEX_KEY};
use tayori_deliveries::sender::Sender;
use tayori_domain::segment::{Match, SegmentCondition, Target};
use tayori_domain::{Friend, Retention};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, Condition, Event, EventHandler, Item, ManualClock, Platform};
use tayori_records::index_keys::PREVIOUS_KEY_GRACE;
use tayori_records::retention::RetentionRecord;
use tayori_records::{AuditLog, Friends, RegistrationProgress, RegistrationProgresses, Testers};

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    scheduler: Scheduler,
    _dir: tempfile::TempDir,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T03:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

fn in_kumohama() -> Target {
    Target::Segment {
        conditions: vec![SegmentCondition {
            item: "district".into(),
            matching: Match::AnyOf,
            values: vec!["雲浜".into()],
        }],
    }
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let (platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
        let line = Arc::new(LineClient::new(LineConfig::default()));
        let sender = Sender::new(platform.clone(), line, "https://tayori.example.jp".into());
        Self {
            scheduler: Scheduler {
                sender: Arc::new(sender),
                sample_calendar: Default::default(),
            },
            platform,
            clock,
            _dir: dir,
        }
    }

    fn friends(&self) -> Friends {
        Friends::new(&self.platform)
    }

    /// A friend of 雲浜 who followed a year ago and, if `blocked_days_ago`, blocked since.
    async fn friend(&self, user_id: &str, blocked_days_ago: Option<i64>) {
        let now = self.clock.now();
        let followed = now - Duration::days(365);
        self.friends()
            .update(user_id, followed, |f| {
                f.followed(followed);
                f.attributes = BTreeMap::from([("district".into(), vec!["雲浜".into()])]);
                if let Some(days) = blocked_days_ago {
                    f.blocked(now - Duration::days(days));
                }
            })
            .await
            .unwrap();
    }

    async fn daily(&self) {
        let event = Event::new(DAILY, serde_json::json!({ "at": self.clock.now() }));
        self.scheduler.handle(event).await.unwrap();
    }

    async fn exists(&self, user_id: &str) -> bool {
        self.platform
            .table
            .get(&format!("FRIEND#{user_id}"), "PROFILE")
            .await
            .unwrap()
            .is_some()
    }
}

#[tokio::test]
async fn a_friend_blocked_181_days_ago_is_removed_by_the_daily_job_with_all_kept_under_their_id() {
    let w = World::new();
    w.friend("Ulong", Some(181)).await;
    w.friend("Urecent", Some(179)).await;
    w.friend("Ufollowing", None).await;
    // Blocked long ago, but followed again yesterday.
    w.friend("Uback", Some(300)).await;
    let yesterday = w.clock.now() - Duration::days(1);
    w.friends()
        .update("Uback", yesterday, |f| f.followed(yesterday))
        .await
        .unwrap();
    // What else is kept under the long-blocked friend's id: a questionnaire in progress and a
    // tester link a clerk made for their LINE account.
    RegistrationProgresses::new(&w.platform)
        .save("Ulong", &RegistrationProgress::default(), w.clock.now())
        .await
        .unwrap();
    let testers = Testers::new(w.platform.table.clone());
    let code = testers.issue_code("tanaka", w.clock.now()).await.unwrap();
    testers.redeem(&code, "Ulong", w.clock.now()).await.unwrap();

    w.daily().await;

    assert!(!w.exists("Ulong").await, "blocked 181 days ago: removed");
    assert!(w.exists("Urecent").await, "blocked 179 days ago: kept");
    assert!(w.exists("Ufollowing").await);
    assert!(w.exists("Uback").await, "followed again: kept");
    assert_eq!(
        w.friends().get("Uback").await.unwrap().unwrap().attributes["district"],
        ["雲浜"],
        "with their registration"
    );
    assert_eq!(
        RegistrationProgresses::new(&w.platform)
            .get("Ulong")
            .await
            .unwrap(),
        None
    );
    assert!(
        testers.get().await.unwrap().is_empty(),
        "tester link removed"
    );
    let (entries, _) = AuditLog::new(w.platform.table.clone())
        .month(2026, 12, None, 10)
        .await
        .unwrap();
    assert!(entries
        .iter()
        .any(|e| e.action == "保存期間を過ぎた友だちのデータを削除"
            && e.summary.starts_with("1人")
            && !e.summary.contains("Ulong")));
}

#[tokio::test]
async fn the_daily_job_follows_the_period_staff_set() {
    let w = World::new();
    RetentionRecord::new(w.platform.table.clone())
        .set(Retention::days_after_blocking(30).unwrap())
        .await
        .unwrap();
    w.friend("U31", Some(31)).await;
    w.friend("U29", Some(29)).await;
    w.daily().await;
    assert!(!w.exists("U31").await);
    assert!(w.exists("U29").await);
}

#[tokio::test]
async fn the_daily_job_seals_a_friend_stored_before_field_encryption() {
    let w = World::new();
    let at = w.clock.now() - Duration::days(10);
    let mut old = Friend::first_seen("Uold", at);
    old.followed(at);
    old.attributes = BTreeMap::from([("district".into(), vec!["雲浜".into()])]);
    // The layout before field encryption; shard 0 of the index is as good as any to list it.
    let legacy = Item::new(
        "FRIEND#Uold",
        "PROFILE",
        serde_json::to_value(&old).unwrap(),
    )
    .with_gsi1("FRIENDS#00", "Uold")
    .with_version(1);
    w.platform
        .table
        .put(legacy, Condition::IfAbsent)
        .await
        .unwrap();

    w.daily().await;

    let raw = w
        .platform
        .table
        .get("FRIEND#Uold", "PROFILE")
        .await
        .unwrap()
        .unwrap();
    assert!(!raw.body.to_string().contains("雲浜"), "{}", raw.body);
    assert_eq!(
        w.friends().recipients(&in_kumohama()).await.unwrap(),
        ["Uold"]
    );
}

/// The index key generation U1's segment keys were made with.
async fn generation(w: &World) -> serde_json::Value {
    w.platform
        .table
        .get("FRIEND#U1", "PROFILE")
        .await
        .unwrap()
        .unwrap()
        .body["index_generation"]
        .clone()
}

#[tokio::test]
async fn an_index_key_rotation_rehashes_everyone_and_deliveries_find_them_throughout() {
    let w = World::new();
    w.friend("U1", None).await;
    w.friend("U2", None).await;
    assert_eq!(generation(&w).await, 1);

    let rotate = Event::new(ROTATE_INDEX_KEY, serde_json::json!({ "at": w.clock.now() }));
    w.scheduler.handle(rotate).await.unwrap();
    assert_eq!(generation(&w).await, 2, "re-hashed at once");
    let mut found = w.friends().recipients(&in_kumohama()).await.unwrap();
    found.sort();
    assert_eq!(found, ["U1", "U2"]);
    assert!(w.friends().index_keys().await.unwrap().previous().is_some());

    // The first daily run after the grace period retires the previous key.
    w.clock.advance(PREVIOUS_KEY_GRACE);
    w.daily().await;
    assert!(w.friends().index_keys().await.unwrap().previous().is_none());
    let mut found = w.friends().recipients(&in_kumohama()).await.unwrap();
    found.sort();
    assert_eq!(found, ["U1", "U2"]);
}
