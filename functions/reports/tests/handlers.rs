//! The reports function's bus handlers on embedded storage, answering through the fake LINE
//! server (which checks every request against LINE's OpenAPI spec): a photo attached once
//! however often the bus delivers it, a bad photo refused with the draft kept, a status notice
//! pushed once, and malformed events named as such.

use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::facility::Position;
use tayori_domain::report::{CategoryId, ReportStatus};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_facilities::FacilityDesk;
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Event, EventHandler, HandlerError, ManualClock, Platform};
use tayori_reporting::ReportDesk;
use tayori_reports::{
    PhotoHandler, StatusNoticeHandler, REPORT_PHOTO_RECEIVED, REPORT_STATUS_CHANGED,
};

const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";

struct World {
    platform: Platform,
    desk: ReportDesk,
    photos: PhotoHandler,
    notices: StatusNoticeHandler,
    fake: FakeLine,
    _dir: tempfile::TempDir,
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A citizen whose road report waits for photos.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(at("2026-12-02T10:15:00+09:00")));
    let (platform, _bus) = embedded::platform(dir.path(), clock).unwrap();
    assert!(FacilityDesk::new(&platform).seed_if_empty().await.unwrap());
    let fake = FakeLine::new();
    fake.add_user(CITIZEN, "小浜 太郎");
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
    let desk = ReportDesk::new(&platform);
    desk.start(CITIZEN, &CategoryId::parse("road").unwrap())
        .await
        .unwrap();
    desk.locate(CITIZEN, Position::new(35.4953, 135.7466).unwrap(), None)
        .await
        .unwrap();
    World {
        photos: PhotoHandler::new(platform.clone(), line.clone()),
        notices: StatusNoticeHandler::new(platform.clone(), line, "https://line.example.jp".into()),
        platform,
        desk,
        fake,
        _dir: dir,
    }
}

impl World {
    async fn photo(&self, message_id: &str, token: &str) -> Result<(), HandlerError> {
        self.photos
            .handle(Event::new(
                REPORT_PHOTO_RECEIVED,
                json!({"userId": CITIZEN, "messageId": message_id, "replyToken": token,
                       "webhookEventId": format!("01EV{message_id}")}),
            ))
            .await
    }

    fn replied(&self, token: &str) -> String {
        serde_json::to_string(&self.fake.replies_for(token)).unwrap()
    }

    async fn photo_count(&self) -> usize {
        self.desk
            .draft(CITIZEN)
            .await
            .unwrap()
            .unwrap()
            .photos()
            .len()
    }
}

#[tokio::test]
async fn a_redelivered_photo_is_attached_once() {
    let w = world().await;
    w.fake.put_content(
        "1001",
        tayori_images::fixtures::phone_photo(800, 600, 1),
        "image/jpeg",
    );
    w.photo("1001", "token-1").await.unwrap();
    w.photo("1001", "token-1").await.unwrap();
    assert_eq!(w.photo_count().await, 1);
    assert!(w
        .replied("token-1")
        .contains("写真を受け取りました（1/4枚）"));
    let downloads = w
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/bot/message/1001/content")
        .count();
    assert_eq!(downloads, 1, "the redelivery knows the photo is attached");
    let objects = w.platform.objects.list("reports/photos/").await.unwrap();
    assert_eq!(objects.len(), 1);
}

#[tokio::test]
async fn a_photo_that_is_not_jpeg_or_png_is_refused_and_the_draft_keeps_its_photos() {
    let w = world().await;
    w.fake.put_content(
        "1001",
        tayori_images::fixtures::phone_photo(800, 600, 1),
        "image/jpeg",
    );
    w.photo("1001", "token-1").await.unwrap();
    w.fake
        .put_content("1002", b"GIF89a not really a picture".to_vec(), "image/gif");
    w.photo("1002", "token-2").await.unwrap();
    let said = w.replied("token-2");
    assert!(said.contains("JPEGかPNGの画像を選んでください"), "{said}");
    assert!(said.contains("1枚のまま"), "{said}");
    assert_eq!(w.photo_count().await, 1);
}

#[tokio::test]
async fn content_gone_from_line_asks_for_the_photo_again() {
    let w = world().await;
    w.fake.fail_content("1003", 404, 1);
    w.photo("1003", "token-3").await.unwrap();
    assert!(w
        .replied("token-3")
        .contains("写真を受け取れませんでした。もう一度送ってください"));
    assert_eq!(w.photo_count().await, 0);
}

fn clerk() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("doboku").unwrap(),
        StaffProfile {
            display_name: "土木 一郎".into(),
            department: "土木課".into(),
            permissions: [Permission::ReportsHandle].into_iter().collect(),
            scope: DepartmentScope::Only(["土木課".to_string()].into_iter().collect()),
        },
        "hash".into(),
        at("2026-12-02T10:15:00+09:00"),
    )
}

#[tokio::test]
async fn a_status_notice_is_pushed_once_and_malformed_events_are_named() {
    let w = world().await;
    w.fake.put_content(
        "1001",
        tayori_images::fixtures::phone_photo(800, 600, 1),
        "image/jpeg",
    );
    w.photo("1001", "token-1").await.unwrap();
    w.desk.photos_done(CITIZEN).await.unwrap();
    w.desk.text(CITIZEN, "穴があいています").await.unwrap();
    let report = w.desk.file(CITIZEN).await.unwrap();
    let change = w
        .desk
        .change_status(
            report.id(),
            ReportStatus::InProgress,
            Some("業者に依頼しました"),
            &clerk(),
        )
        .await
        .unwrap();
    let index = change.after.history().len() - 1;
    let event = Event::new(
        REPORT_STATUS_CHANGED,
        json!({"reportId": report.id(), "changeIndex": index}),
    );
    w.notices.handle(event.clone()).await.unwrap();
    w.notices.handle(event).await.unwrap();
    let sent = w.fake.sent_messages_to(CITIZEN);
    assert_eq!(sent.len(), 1, "pushed once");
    let notice = sent[0].to_string();
    assert!(notice.contains("対応中") && notice.contains("業者に依頼しました"));
    assert!(notice.contains("https://line.example.jp/media/reports/"));
    let pushes: Vec<_> = w
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/bot/message/push")
        .collect();
    assert!(
        pushes[0].schema_errors.is_empty(),
        "{:?}",
        pushes[0].schema_errors
    );
    assert!(w.desk.get(report.id()).await.unwrap().history()[index]
        .told_at
        .is_some());

    for detail in [
        json!({"reportId": report.id()}),
        json!({"reportId": "nosuchreport", "changeIndex": 0}),
        json!({"reportId": report.id(), "changeIndex": 7}),
    ] {
        let result = w
            .notices
            .handle(Event::new(REPORT_STATUS_CHANGED, detail.clone()))
            .await;
        assert!(
            matches!(result, Err(HandlerError::Malformed { .. })),
            "{detail}: {result:?}"
        );
    }
}
