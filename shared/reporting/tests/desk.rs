//! The report desk over the embedded platform, with 小浜市's registered sites seeded (the
//! 市内 check) and a bus that records what was published.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::{Arc, Mutex};
use tayori_domain::facility::Position;
use tayori_domain::report::{
    CategoryId, Channel, DraftError, InputProblem, PhotoRef, ReportError, ReportForm, ReportStatus,
    Reporter, Step,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_domain::usage::UsageKind;
use tayori_facilities::FacilityDesk;
use tayori_images::{Encoded, Format};
use tayori_ports::{BusError, Event, EventBus, ManualClock, Platform};
use tayori_records::{Friends, UsageEvents};
use tayori_reporting::{
    store_encoded, DeskError, ReportDesk, ReportFilter, ReportStatusChanged, REPORT_STATUS_CHANGED,
};

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
    desk: ReportDesk,
    _dir: tempfile::TempDir,
}

/// 2026-12-01 10:00 JST.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

fn city_hall() -> Position {
    Position::new(35.4953, 135.7466).unwrap()
}

/// `north_m` metres north of the city hall.
fn north_of_city_hall(north_m: f64) -> Position {
    Position::new(35.4953 + north_m / 111_195.08, 135.7466).unwrap()
}

fn kyoto() -> Position {
    Position::new(35.0116, 135.7681).unwrap()
}

fn id(slug: &str) -> CategoryId {
    CategoryId::parse(slug).unwrap()
}

fn clerk(login: &str, departments: Option<&[&str]>) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: "土木課".into(),
            permissions: [Permission::ReportsHandle].into_iter().collect(),
            scope: match departments {
                Some(d) => DepartmentScope::Only(d.iter().map(|s| s.to_string()).collect()),
                None => DepartmentScope::All,
            },
        },
        "hash".into(),
        start(),
    )
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let (mut platform, _bus) =
        tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
    let published = Arc::new(Published::default());
    platform.bus = published.clone();
    assert!(FacilityDesk::new(&platform).seed_if_empty().await.unwrap());
    World {
        desk: ReportDesk::new(&platform),
        platform,
        clock,
        published,
        _dir: dir,
    }
}

impl World {
    async fn register(&self, user: &str, district: &str) {
        let at = self.clock_now();
        Friends::new(&self.platform)
            .update(user, at, |f| {
                f.followed(at);
                f.attributes = [("district".to_string(), vec![district.to_string()])]
                    .into_iter()
                    .collect();
            })
            .await
            .unwrap();
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use tayori_ports::Clock;
        self.clock.now()
    }

    async fn photo(&self) -> PhotoRef {
        let encoded = |bytes: &[u8]| Encoded {
            bytes: bytes.to_vec(),
            format: Format::Jpeg,
            width: 640,
            height: 480,
        };
        store_encoded(
            self.platform.objects.as_ref(),
            &encoded(b"photo"),
            &encoded(b"thumb"),
        )
        .await
        .unwrap()
    }

    /// A report of `category` filed through the chat at `position`, with one photo.
    async fn file_by_chat(
        &self,
        user: &str,
        category: &str,
        position: Position,
    ) -> tayori_domain::report::Report {
        let desk = &self.desk;
        desk.start(user, &id(category)).await.unwrap();
        desk.locate(user, position, Some("小浜市大手町".into()))
            .await
            .unwrap();
        let photo = self.photo().await;
        desk.attach_photo(user, photo).await.unwrap();
        desk.photos_done(user).await.unwrap();
        let draft = desk
            .text(user, "ガードレールが曲がっています")
            .await
            .unwrap();
        assert_eq!(draft.step(), Step::Confirm);
        desk.file(user).await.unwrap()
    }

    fn status_events(&self) -> Vec<ReportStatusChanged> {
        self.published
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.detail_type == REPORT_STATUS_CHANGED)
            .map(|e| serde_json::from_value(e.detail.clone()).unwrap())
            .collect()
    }
}

#[tokio::test]
async fn a_citizen_files_a_report_in_the_chat_and_gets_a_receipt_number() {
    let w = world().await;
    w.register("U1", "雲浜").await;
    let report = w.file_by_chat("U1", "road", city_hall()).await;
    assert_eq!(report.receipt(), "2612-0001");
    assert_eq!(report.district(), Some("雲浜"));
    assert_eq!(report.channel(), Channel::Chat);
    assert_eq!(report.place_note(), Some("小浜市大手町"));
    assert_eq!(report.photos().len(), 1);
    assert_eq!(report.status(), ReportStatus::Received);
    assert!(
        w.desk.draft("U1").await.unwrap().is_none(),
        "the draft is consumed"
    );
    assert!(
        matches!(w.desk.file("U1").await, Err(DeskError::NoDraft)),
        "a second tap files nothing"
    );
    assert_eq!(w.desk.get(report.id()).await.unwrap(), report);

    let mut counted = Vec::new();
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    UsageEvents::new(w.platform.table.clone())
        .each_between(day, day, |e| counted.push(e))
        .await
        .unwrap();
    let reports: Vec<_> = counted
        .iter()
        .filter(|e| e.kind == UsageKind::Report)
        .collect();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].attributes["district"], ["雲浜"]);
}

#[tokio::test]
async fn receipt_numbers_count_per_japanese_month() {
    let w = world().await;
    w.clock.set(
        DateTime::parse_from_rfc3339("2026-11-30T14:59:00Z")
            .unwrap()
            .with_timezone(&Utc),
    );
    assert_eq!(
        w.file_by_chat("U1", "road", city_hall()).await.receipt(),
        "2611-0001"
    );
    // 2026-12-01 00:00 JST: a new month in Obama while it is still November in UTC.
    w.clock.set(
        DateTime::parse_from_rfc3339("2026-11-30T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    );
    assert_eq!(
        w.file_by_chat("U1", "road", city_hall()).await.receipt(),
        "2612-0001"
    );
    assert_eq!(
        w.file_by_chat("U2", "park", city_hall()).await.receipt(),
        "2612-0002"
    );
}

#[tokio::test]
async fn a_place_outside_the_city_is_refused_and_the_draft_keeps_its_step() {
    let w = world().await;
    w.desk.start("U1", &id("road")).await.unwrap();
    let refused = w.desk.locate("U1", kyoto(), None).await.unwrap_err();
    assert!(matches!(
        refused,
        DeskError::Draft(DraftError::Input(InputProblem::OutsideCity))
    ));
    assert!(refused.is_refusal());
    assert!(refused.to_string().contains("市内の"), "{refused}");
    assert_eq!(
        w.desk.draft("U1").await.unwrap().unwrap().step(),
        Step::Location
    );
    assert!(w.desk.in_city(north_of_city_hall(3000.0)).await.unwrap());
}

#[tokio::test]
async fn an_expired_draft_says_so_once_and_is_then_gone() {
    let w = world().await;
    w.desk.start("U1", &id("road")).await.unwrap();
    w.clock.advance(Duration::minutes(61));
    let e = w.desk.locate("U1", city_hall(), None).await.unwrap_err();
    assert!(matches!(e, DeskError::Draft(DraftError::Expired)), "{e:?}");
    assert!(matches!(
        w.desk.text("U1", "穴").await,
        Err(DeskError::NoDraft)
    ));
}

#[tokio::test]
async fn a_retired_category_is_not_offered_and_cannot_be_started() {
    let w = world().await;
    let all = w.desk.categories().await.unwrap();
    assert_eq!(all.len(), 7);
    let change = w.desk.retire_category(&id("snow")).await.unwrap();
    assert!(!change.before.unwrap().is_retired() && change.after.is_retired());
    assert_eq!(w.desk.offered_categories().await.unwrap().len(), 6);
    assert!(matches!(
        w.desk.start("U1", &id("snow")).await,
        Err(DeskError::Draft(DraftError::Input(
            InputProblem::CategoryRetired
        )))
    ));
    let mut settings = all[6].settings();
    settings.name = "除雪".into();
    let edited = w.desk.save_category(id("snow"), settings).await.unwrap();
    assert_eq!(edited.after.name(), "除雪");
    assert!(edited.after.is_retired(), "an edit keeps it retired");
    let mut new = all[0].settings();
    new.name = "カーブミラー".into();
    assert!(w
        .desk
        .save_category(id("mirror"), new)
        .await
        .unwrap()
        .before
        .is_none());
    assert_eq!(w.desk.categories().await.unwrap().len(), 8);
    assert!(matches!(
        w.desk.retire_category(&id("nothing")).await,
        Err(DeskError::CategoryNotFound)
    ));
}

#[tokio::test]
async fn staff_see_their_departments_reports_with_urgent_open_ones_first() {
    let w = world().await;
    w.register("U1", "雲浜").await;
    let road = w.file_by_chat("U1", "road", city_hall()).await;
    w.clock.advance(Duration::minutes(1));
    let bear = {
        w.desk.start("U2", &id("wildlife")).await.unwrap();
        w.desk.locate("U2", city_hall(), None).await.unwrap();
        w.desk.photos_done("U2").await.unwrap();
        w.desk.text("U2", "クマが1頭いました").await.unwrap();
        w.desk.file("U2").await.unwrap()
    };
    w.clock.advance(Duration::minutes(1));
    let park = w.file_by_chat("U1", "park", city_hall()).await;

    let ids = |reports: Vec<tayori_domain::report::Report>| -> Vec<String> {
        reports.iter().map(|r| r.id().to_string()).collect()
    };
    let everyone = clerk("kanri", None);
    let all = w
        .desk
        .list(&ReportFilter::default(), &everyone)
        .await
        .unwrap();
    assert_eq!(ids(all), [bear.id(), park.id(), road.id()]);

    let doboku = clerk("doboku", Some(&["土木課"]));
    let theirs = w
        .desk
        .list(&ReportFilter::default(), &doboku)
        .await
        .unwrap();
    assert_eq!(ids(theirs), [road.id()]);
    assert!(matches!(
        w.desk.get_for(bear.id(), &doboku).await,
        Err(DeskError::Rule(ReportError::OtherDepartment(_)))
    ));

    let filters = [
        (
            ReportFilter {
                category: Some(id("park")),
                ..Default::default()
            },
            vec![park.id()],
        ),
        (
            ReportFilter {
                district: Some("雲浜".into()),
                ..Default::default()
            },
            vec![park.id(), road.id()],
        ),
        (
            ReportFilter {
                department: Some("農林水産課".into()),
                ..Default::default()
            },
            vec![bear.id()],
        ),
        (
            ReportFilter {
                status: Some(ReportStatus::Done),
                ..Default::default()
            },
            vec![],
        ),
        (
            ReportFilter {
                from: NaiveDate::from_ymd_opt(2026, 12, 2),
                ..Default::default()
            },
            vec![],
        ),
        (
            ReportFilter {
                to: NaiveDate::from_ymd_opt(2026, 12, 1),
                ..Default::default()
            },
            vec![bear.id(), park.id(), road.id()],
        ),
        (
            ReportFilter {
                to: NaiveDate::from_ymd_opt(2026, 11, 30),
                ..Default::default()
            },
            vec![],
        ),
    ];
    for (filter, expected) in filters {
        assert_eq!(
            ids(w.desk.list(&filter, &everyone).await.unwrap()),
            expected,
            "{filter:?}"
        );
    }

    // Closed, the sighting takes its place among the others.
    w.desk
        .change_status(
            bear.id(),
            ReportStatus::Done,
            Some("追い払いました"),
            &clerk("ringyo", Some(&["農林水産課"])),
        )
        .await
        .unwrap();
    let all = w
        .desk
        .list(&ReportFilter::default(), &everyone)
        .await
        .unwrap();
    assert_eq!(ids(all), [park.id(), bear.id(), road.id()]);

    let nobody = StaffAccount::new(
        LoginId::parse("kouhou").unwrap(),
        StaffProfile {
            display_name: "広報".into(),
            department: "広報課".into(),
            permissions: [Permission::DeliveryDraft].into_iter().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        start(),
    );
    assert!(matches!(
        w.desk.list(&ReportFilter::default(), &nobody).await,
        Err(DeskError::Rule(ReportError::NoPermission))
    ));
}

#[tokio::test]
async fn possible_duplicates_are_nearby_reports_of_the_same_category_within_a_week() {
    let w = world().await;
    let first = w.file_by_chat("U1", "road", city_hall()).await;
    w.clock.advance(Duration::days(2));
    let near = w.file_by_chat("U2", "road", north_of_city_hall(20.0)).await;
    let _far = w.file_by_chat("U3", "road", north_of_city_hall(80.0)).await;
    let _other_kind = w.file_by_chat("U4", "park", north_of_city_hall(5.0)).await;
    w.clock.advance(Duration::days(8));
    let _later = w.file_by_chat("U5", "road", north_of_city_hall(10.0)).await;
    let found = w.desk.possible_duplicates(&first).await.unwrap();
    let ids: Vec<_> = found.iter().map(|r| r.id()).collect();
    assert_eq!(ids, [near.id()]);

    let doboku = clerk("doboku", Some(&["土木課"]));
    let change = w
        .desk
        .mark_duplicate(near.id(), first.id(), Some("先の通報で対応します"), &doboku)
        .await
        .unwrap();
    assert_eq!(change.after.duplicate_of(), Some(first.id()));
    assert!(matches!(
        w.desk
            .mark_duplicate(first.id(), "nothing", Some("x"), &doboku)
            .await,
        Err(DeskError::OriginalNotFound)
    ));
}

#[tokio::test]
async fn a_status_change_is_published_only_when_the_citizen_must_hear_of_it() {
    let w = world().await;
    let report = w.file_by_chat("U1", "road", city_hall()).await;
    let doboku = clerk("doboku", Some(&["土木課"]));
    let first = w
        .desk
        .change_status(report.id(), ReportStatus::Checking, None, &doboku)
        .await
        .unwrap();
    assert_eq!(
        (first.before.status(), first.after.status()),
        (ReportStatus::Received, ReportStatus::Checking)
    );
    assert!(
        w.status_events().is_empty(),
        "the first look is the clerk's own"
    );
    w.desk
        .add_note(report.id(), "明日現地確認", &doboku)
        .await
        .unwrap();
    w.desk
        .assign(report.id(), Some(&doboku), &doboku)
        .await
        .unwrap();
    w.desk
        .set_district(report.id(), Some("西津".into()), &doboku)
        .await
        .unwrap();
    assert!(w.status_events().is_empty());
    w.desk
        .change_status(
            report.id(),
            ReportStatus::InProgress,
            Some("業者に依頼しました"),
            &doboku,
        )
        .await
        .unwrap();
    assert_eq!(
        w.status_events(),
        [ReportStatusChanged {
            report_id: report.id().into(),
            change_index: 1
        }]
    );
    let refused = w
        .desk
        .change_status(report.id(), ReportStatus::Received, None, &doboku)
        .await
        .unwrap_err();
    assert!(refused.is_refusal());
    assert_eq!(w.status_events().len(), 1);

    assert!(w.desk.record_told(report.id(), 1).await.unwrap());
    assert!(
        !w.desk.record_told(report.id(), 1).await.unwrap(),
        "a redelivered event is told once"
    );
    assert!(matches!(
        w.desk.record_told(report.id(), 0).await,
        Err(DeskError::Rule(ReportError::NotToTell(0)))
    ));
    assert!(matches!(
        w.desk
            .change_status("nothing", ReportStatus::Done, None, &doboku)
            .await,
        Err(DeskError::NotFound)
    ));
}

#[tokio::test]
async fn a_citizens_history_is_their_latest_ten_newest_first() {
    let w = world().await;
    let mut filed = Vec::new();
    for _ in 0..11 {
        filed.push(
            w.file_by_chat("U1", "road", city_hall())
                .await
                .id()
                .to_string(),
        );
        w.clock.advance(Duration::minutes(1));
    }
    w.file_by_chat("U2", "road", city_hall()).await;
    let history = w.desk.history("U1").await.unwrap();
    let ids: Vec<_> = history.iter().map(|r| r.id().to_string()).collect();
    filed.reverse();
    assert_eq!(ids, filed[..10]);
}

#[tokio::test]
async fn the_liff_form_files_with_the_same_checks() {
    let w = world().await;
    let form = |position: Position, photos: Vec<PhotoRef>| ReportForm {
        position,
        place_note: None,
        photos,
        details: "遊具が壊れています".into(),
        answers: vec![],
        reporter: Reporter {
            user_id: "U9".into(),
            contact: None,
        },
        channel: Channel::Liff,
    };
    let photo = w.photo().await;
    let report = w
        .desk
        .file_direct(&id("park"), form(city_hall(), vec![photo.clone()]))
        .await
        .unwrap();
    assert_eq!(report.receipt(), "2612-0001");
    assert_eq!(report.channel(), Channel::Liff);

    let not_stored = PhotoRef {
        key: "reports/photos/x.jpg".into(),
        thumbnail_key: "media/reports/x.jpg".into(),
        ..photo.clone()
    };
    let elsewhere = PhotoRef {
        thumbnail_key: "media/richmenus/a.jpg".into(),
        ..photo.clone()
    };
    type Expected = fn(&DeskError) -> bool;
    let cases: Vec<(ReportForm, Expected)> = vec![
        (form(kyoto(), vec![photo.clone()]), |e| {
            matches!(
                e,
                DeskError::Rule(ReportError::Input(InputProblem::OutsideCity))
            )
        }),
        (form(city_hall(), vec![]), |e| {
            matches!(
                e,
                DeskError::Rule(ReportError::Input(InputProblem::PhotoRequired))
            )
        }),
        (form(city_hall(), vec![not_stored]), |e| {
            matches!(e, DeskError::PhotoNotStored)
        }),
        (form(city_hall(), vec![elsewhere]), |e| {
            matches!(e, DeskError::PhotoNotStored)
        }),
        (
            ReportForm {
                details: "あ".repeat(501),
                ..form(city_hall(), vec![photo.clone()])
            },
            |e| {
                matches!(
                    e,
                    DeskError::Rule(ReportError::Input(InputProblem::TooLong { .. }))
                )
            },
        ),
    ];
    for (f, expected) in cases {
        let e = w
            .desk
            .file_direct(&id("park"), f.clone())
            .await
            .unwrap_err();
        assert!(expected(&e), "{f:?}: {e:?}");
        assert!(e.is_refusal());
    }
    // Refused forms used no receipt number.
    let next = w
        .desk
        .file_direct(&id("park"), form(city_hall(), vec![photo]))
        .await
        .unwrap();
    assert_eq!(next.receipt(), "2612-0002");
}

#[tokio::test]
async fn response_templates_are_saved_edited_and_deleted() {
    let w = world().await;
    let t = w
        .desk
        .save_template(None, "現地確認", "現地を確認しました。")
        .await
        .unwrap();
    let edited = w
        .desk
        .save_template(
            Some(t.id()),
            "現地確認",
            "現地を確認し、対応を検討しています。",
        )
        .await
        .unwrap();
    assert_eq!(
        w.desk.templates().await.unwrap(),
        std::slice::from_ref(&edited)
    );
    assert!(matches!(
        w.desk.save_template(Some("nothing"), "a", "b").await,
        Err(DeskError::TemplateNotFound)
    ));
    assert!(matches!(
        w.desk.save_template(None, "", "b").await,
        Err(DeskError::Template(_))
    ));
    assert_eq!(w.desk.delete_template(t.id()).await.unwrap(), edited);
    assert!(w.desk.templates().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_photo_from_the_chat_is_attached_once_per_line_message() {
    let w = world().await;
    let desk = &w.desk;
    desk.start("U1", &id("road")).await.unwrap();
    desk.locate("U1", city_hall(), None).await.unwrap();
    let first = w.photo().await;
    let (draft, added) = desk
        .attach_line_photo("U1", "m1", first.clone())
        .await
        .unwrap();
    assert!(added);
    assert_eq!(draft.photos(), std::slice::from_ref(&first));
    let again = w.photo().await;
    let (draft, added) = desk.attach_line_photo("U1", "m1", again).await.unwrap();
    assert!(!added, "a redelivered photo changes nothing");
    assert_eq!(draft.photos(), [first]);
    assert!(matches!(
        desk.attach_line_photo("U2", "m9", w.photo().await).await,
        Err(DeskError::NoDraft)
    ));
}

#[tokio::test]
async fn a_notice_not_sent_to_a_blocked_citizen_is_recorded_once() {
    let w = world().await;
    let doboku = clerk("doboku", Some(&["土木課"]));
    let report = w.file_by_chat("U1", "road", city_hall()).await;
    w.desk
        .change_status(
            report.id(),
            ReportStatus::InProgress,
            Some("業者に依頼しました"),
            &doboku,
        )
        .await
        .unwrap();
    assert!(w.desk.record_not_sent(report.id(), 0).await.unwrap());
    assert!(!w.desk.record_not_sent(report.id(), 0).await.unwrap());
    let stored = w.desk.get(report.id()).await.unwrap();
    assert!(stored.history()[0].not_sent_at.is_some());
    assert_eq!(stored.history()[0].told_at, None);
}
