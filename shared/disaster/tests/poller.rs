//! The poller on a local feed folder, against the embedded store: what JMA says for 小浜市
//! opens the emergency, asks for the emergency menu and sends the first message once; what it
//! cannot read, does not support, or only lifts, switches nothing.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tayori_adapters::embedded;
use tayori_disaster::{
    latest_cancellations, DisasterRecords, FolderFeedSource, PollReport, Poller, RuleDesk,
};
use tayori_domain::delivery::{DeliveryStatus, DELIVERY_REQUESTED};
use tayori_domain::emergency::Cause;
use tayori_domain::emergency_rule::FirstMessage;
use tayori_domain::hazard::Hazard;
use tayori_ports::{BusError, Event, EventBus, ManualClock, ObjectKey, Platform};
use tayori_records::{Deliveries, Emergencies};

#[derive(Default)]
struct Published(Mutex<Vec<Event>>);

#[async_trait]
impl EventBus for Published {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(events);
        Ok(())
    }
}

impl Published {
    fn of(&self, detail_type: &str) -> Vec<Event> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|e| e.detail_type == detail_type)
            .cloned()
            .collect()
    }
}

const TSUNAMI: &str = "default-tsunami-warning";

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    published: Arc<Published>,
    feed: tempfile::TempDir,
    _data: tempfile::TempDir,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../jma/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

impl World {
    async fn new() -> Self {
        let data = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let (mut platform, _bus) = embedded::platform(data.path(), clock.clone()).unwrap();
        let published = Arc::new(Published::default());
        platform.bus = published.clone();
        let world = Self {
            platform,
            clock,
            published,
            feed: tempfile::tempdir().unwrap(),
            _data: data,
        };
        world.rules().list().await.unwrap();
        world
    }

    fn rules(&self) -> RuleDesk {
        RuleDesk::new(self.platform.table.clone(), self.platform.clock.clone())
    }

    async fn enable(&self, id: &str) {
        self.rules().set_enabled(id, true, "tanaka").await.unwrap();
    }

    /// Puts `fixture` in the folder as JMA would name it, and returns (entry id, file name).
    fn drop_message(&self, fixture_name: &str, serial: u32) -> String {
        let file = format!("20261201{serial:06}_0_VTSE41_010000.xml");
        std::fs::write(self.feed.path().join(&file), fixture(fixture_name)).unwrap();
        file
    }

    /// Writes `eqvol.xml` listing `files` (newest first), each updated `minutes_ago`.
    fn write_feed(&self, files: &[(&str, i64)]) {
        write_feed(self.feed.path(), self.clock_now(), files);
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use tayori_ports::Clock;
        self.clock.now()
    }

    async fn poll(&self) -> PollReport {
        let source = Arc::new(FolderFeedSource::new(self.feed.path()));
        Poller::new(self.platform.clone(), source)
            .poll()
            .await
            .unwrap()
    }

    fn switches(&self) -> usize {
        self.published.of(tayori_menus::SWITCH_REQUESTED).len()
    }
}

fn write_feed(dir: &Path, now: DateTime<Utc>, files: &[(&str, i64)]) {
    let entries: String = files
        .iter()
        .map(|(file, minutes_ago)| {
            let link = format!("http://www.data.jma.go.jp/developer/xml/data/{file}");
            let updated = (now - Duration::minutes(*minutes_ago)).to_rfc3339();
            format!(
                "<entry><title>津波警報・注意報・予報a</title><id>{link}</id><updated>{updated}</updated>\
                 <author><name>気象庁</name></author><link type=\"application/xml\" href=\"{link}\"/>\
                 <content type=\"text\">t</content></entry>"
            )
        })
        .collect();
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" lang=\"ja\">\
         <title>高頻度（地震火山）</title><updated>{}</updated>{entries}</feed>",
        now.to_rfc3339()
    );
    std::fs::write(dir.join("eqvol.xml"), feed).unwrap();
}

#[tokio::test]
async fn a_tsunami_warning_for_fukui_acts_once() {
    let world = World::new().await;
    world.enable(TSUNAMI).await;
    let file = world.drop_message("test-made/VTSE41_fukui_warning_normal.xml", 1);
    world.write_feed(&[(&file, 1)]);

    let report = world.poll().await;
    assert_eq!(report.actions.len(), 1, "{report:?}");
    assert_eq!(report.failed, 0);

    let emergency = Emergencies::new(world.platform.table.clone())
        .current()
        .await
        .unwrap()
        .expect("an emergency is open");
    assert_eq!(emergency.hazards(), &[Hazard::Tsunami]);
    assert_eq!(emergency.title(), "津波警報・大津波警報（福井県）");
    assert!(matches!(emergency.cause(), Cause::Jma { rule, .. } if rule == TSUNAMI));

    let switches = world.published.of(tayori_menus::SWITCH_REQUESTED);
    assert_eq!(switches.len(), 1);
    assert_eq!(switches[0].detail["mode"], "emergency");
    assert_eq!(switches[0].detail["requested_by"], "jma-feed");

    let requested = world.published.of(DELIVERY_REQUESTED);
    assert_eq!(requested.len(), 1);
    let id = requested[0].detail["id"].as_str().unwrap().to_owned();
    let delivery = Deliveries::new(world.platform.table.clone())
        .get(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivery.status(), DeliveryStatus::Scheduled);
    assert_eq!(delivery.category(), "防災");

    // The action is recorded with the XML that caused it.
    let records = DisasterRecords::new(world.platform.table.clone());
    let actions = records.recent_actions(10).await.unwrap();
    assert_eq!(actions.len(), 1);
    let action = &actions[0];
    assert!(action.done);
    assert_eq!(action.rule_id, TSUNAMI);
    assert_eq!(action.matched.area_code, "370");
    assert_eq!(action.steps.len(), 3, "{:?}", action.steps);
    let stored = world
        .platform
        .objects
        .get(&ObjectKey::new(action.xml_key.clone()).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.bytes,
        fixture("test-made/VTSE41_fukui_warning_normal.xml")
    );

    // The same feed again: unchanged, nothing more.
    world.clock.advance(Duration::minutes(1));
    let again = world.poll().await;
    assert_eq!(again, PollReport::default());
    // The feed rewritten, and the same XML under a second entry id: still nothing more.
    let copy = world.drop_message("test-made/VTSE41_fukui_warning_normal.xml", 2);
    world.write_feed(&[(&copy, 0), (&file, 2)]);
    let third = world.poll().await;
    assert_eq!(third.actions, Vec::<String>::new(), "{third:?}");
    assert_eq!(third.skipped, 1);
    assert_eq!(world.switches(), 1);
    assert_eq!(world.published.of(DELIVERY_REQUESTED).len(), 1);
}

#[tokio::test]
async fn malformed_unsupported_and_drill_messages_switch_nothing_and_do_not_stop_the_poll() {
    let world = World::new().await;
    world.enable(TSUNAMI).await;
    let broken = world.drop_message("test-made/VTSE41_truncated.xml", 1);
    let drill = world.drop_message("32-39_12_02_250206_VTSE41.xml", 2);
    let retraction = world.drop_message("38-39_03_01_210805_VTSE41.xml", 3);
    // A 府県気象解説情報 under a name that does not say its type: fetched, found unsupported.
    let unsupported = "fukui-commentary.xml";
    std::fs::write(
        world.feed.path().join(unsupported),
        fixture("85-82_02_07_250630_VPFJ51.xml"),
    )
    .unwrap();
    let missing = "20261201000009_0_VTSE41_010000.xml";
    world.write_feed(&[
        (&broken, 1),
        (&drill, 2),
        (&retraction, 3),
        (unsupported, 4),
        (missing, 5),
    ]);
    let report = world.poll().await;
    assert_eq!(report.actions, Vec::<String>::new());
    assert_eq!(report.skipped, 2, "{report:?}"); // broken, unsupported
    assert_eq!(report.entries_handled, 2); // the drill and the retraction: read, nothing to do
    assert_eq!(report.failed, 1); // the file that is not there: tried again next time
    assert_eq!(world.switches(), 0);
    assert!(world.published.of(DELIVERY_REQUESTED).is_empty());
    assert_eq!(
        Emergencies::new(world.platform.table.clone())
            .current()
            .await
            .unwrap(),
        None
    );

    // The missing message arrives: only it is read, and it acts.
    std::fs::write(
        world.feed.path().join(missing),
        fixture("test-made/VTSE41_fukui_warning_normal.xml"),
    )
    .unwrap();
    let next = world.poll().await;
    assert_eq!(next.actions.len(), 1, "{next:?}");
    assert_eq!(next.skipped + next.failed, 0);
    assert_eq!(world.switches(), 1);
}

#[tokio::test]
async fn a_lifting_tells_staff_and_switches_nothing() {
    let world = World::new().await;
    world.enable(TSUNAMI).await;
    let lifted = world.drop_message("test-made/VTSE41_fukui_warning_lifted.xml", 1);
    world.write_feed(&[(&lifted, 1)]);
    let report = world.poll().await;
    assert_eq!(report.notices, 1, "{report:?}");
    assert!(report.actions.is_empty());
    assert_eq!(world.switches(), 0);
    assert!(world.published.of(DELIVERY_REQUESTED).is_empty());
    let notices = latest_cancellations(&world.platform, 5).await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].rule_id, TSUNAMI);
    assert_eq!(notices[0].matched.what, "警報解除（解除）");
}

#[tokio::test]
async fn disabled_rules_and_old_entries_do_nothing() {
    let world = World::new().await;
    let file = world.drop_message("test-made/VTSE41_fukui_warning_normal.xml", 1);
    world.write_feed(&[(&file, 1)]);
    let report = world.poll().await;
    assert!(report.actions.is_empty());
    assert_eq!(world.switches(), 0);

    // Turned on later, the same entry is not acted on again: it was read while the rule was off.
    world.enable(TSUNAMI).await;
    let old = world.drop_message("test-made/VTSE41_fukui_warning_normal.xml", 2);
    world.write_feed(&[(&old, 61), (&file, 62)]);
    let report = world.poll().await;
    assert!(report.actions.is_empty(), "{report:?}");
    assert_eq!(report.skipped, 1);
    assert_eq!(world.switches(), 0);
}

#[tokio::test]
async fn a_draft_rule_leaves_the_first_message_waiting_for_approval_once_per_emergency() {
    let world = World::new().await;
    let desk = world.rules();
    let mut settings = desk.get(TSUNAMI).await.unwrap().settings();
    settings.first_message = FirstMessage::Draft {
        text: "津波警報です。高台へ避難してください。".into(),
    };
    desk.revise(TSUNAMI, settings, "tanaka").await.unwrap();
    world.enable(TSUNAMI).await;

    let first = world.drop_message("test-made/VTSE41_fukui_warning_normal.xml", 1);
    world.write_feed(&[(&first, 1)]);
    let report = world.poll().await;
    assert_eq!(report.actions.len(), 1);
    assert!(world.published.of(DELIVERY_REQUESTED).is_empty());
    let id = format!("jma-{}", report.actions[0]);
    let draft = Deliveries::new(world.platform.table.clone())
        .get(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(draft.status(), DeliveryStatus::AwaitingApproval);

    // A 大津波警報 for 福井県 in the same emergency (different XML): recorded, widened, but the
    // rule's switch and first message are not repeated.
    let upgraded = String::from_utf8(fixture("test-made/VTSE41_fukui_warning_normal.xml"))
        .unwrap()
        .replace(
            "<Area><Name>福井県</Name><Code>370</Code></Area>\n\t\t\t<Category>\n\t\t\t\t<Kind><Name>津波警報</Name><Code>51</Code>",
            "<Area><Name>福井県</Name><Code>370</Code></Area>\n\t\t\t<Category>\n\t\t\t\t<Kind><Name>大津波警報</Name><Code>52</Code>",
        );
    assert!(upgraded.contains("<Name>大津波警報</Name><Code>52</Code>"));
    let second = "20261201000002_0_VTSE41_010000.xml";
    std::fs::write(world.feed.path().join(second), upgraded).unwrap();
    world.clock.advance(Duration::minutes(5));
    world.write_feed(&[(second, 0), (&first, 6)]);
    let report = world.poll().await;
    assert_eq!(report.actions.len(), 1, "{report:?}");
    let records = DisasterRecords::new(world.platform.table.clone());
    let latest = records.action(&report.actions[0]).await.unwrap().unwrap();
    assert!(
        latest.steps.iter().any(|s| s.contains("実行済み")),
        "{:?}",
        latest.steps
    );
    assert_eq!(world.switches(), 1);
    let drafts = Deliveries::new(world.platform.table.clone())
        .get(&format!("jma-{}", report.actions[0]))
        .await
        .unwrap();
    assert!(drafts.is_none());
}
