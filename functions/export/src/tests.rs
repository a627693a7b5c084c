use super::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::TimeZone;
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind, EXPORT_KEPT};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_exports::sources::CitySources;
use tayori_exports::Clerk;
use tayori_ports::{EventBus, ManualClock, ObjectKey};
use tower::ServiceExt;

#[tokio::test]
async fn the_health_route_answers_ok() {
    let response = router()
        .oneshot(Request::get(HEALTH_PATH).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

fn auditor() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("somu").unwrap(),
        StaffProfile {
            display_name: "総務 太郎".into(),
            department: "総務課".into(),
            permissions: [Permission::AuditLog].into_iter().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requested_export_is_made_on_the_bus_and_swept_after_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let asked_at = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(asked_at));
    let (platform, bus) = tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
    let desk = ExportDesk::new(&platform, Arc::new(CitySources::new(&platform)));
    let handler = Arc::new(ExportHandler { desk: desk.clone() });
    bus.subscribe(EXPORT_REQUESTED, handler.clone());
    bus.subscribe(EXPORT_SWEEP, handler);

    let account = auditor();
    let clerk = Clerk {
        account: &account,
        ip: None,
    };
    let export = desk
        .request(
            &clerk,
            ExportKind::AuditLog,
            ExportConditions::new([("month", "2026-12"), ("q", "")], "2026年12月"),
            CsvEncoding::Cp932,
        )
        .await
        .unwrap();
    bus.settle().await;
    assert!(bus.dead_letters().is_empty(), "{:?}", bus.dead_letters());

    let made = desk.mine(&account).await.unwrap().remove(0);
    assert_eq!(made.id(), export.id());
    assert_eq!(made.status().label(), "完了");
    let key = ObjectKey::new(made.object_key()).unwrap();
    let file = platform.objects.get(&key).await.unwrap().unwrap();
    assert_eq!(file.content_type, "text/csv; charset=Shift_JIS");
    // The request itself is the month's first audit entry: the file lists it, in CP932.
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&file.bytes);
    assert!(!errors);
    assert!(
        text.starts_with("日時,職員,IPアドレス,操作,対象,内容\r\n"),
        "{text}"
    );
    assert!(text.contains("CSVの作成を依頼"), "{text}");

    clock.set(asked_at + EXPORT_KEPT);
    bus.publish(vec![sweep_event(asked_at + EXPORT_KEPT)])
        .await
        .unwrap();
    bus.settle().await;
    assert!(
        platform.objects.get(&key).await.unwrap().is_none(),
        "the file is deleted"
    );
    assert_eq!(
        desk.mine(&account).await.unwrap()[0].status().label(),
        "期限切れ"
    );
}

#[tokio::test]
async fn an_event_this_function_does_not_take_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let (platform, _bus) = tayori_adapters::embedded::platform(dir.path(), clock).unwrap();
    let handler = ExportHandler {
        desk: ExportDesk::new(&platform, Arc::new(CitySources::new(&platform))),
    };
    let refused = handler
        .handle(Event::new(
            "delivery.requested",
            serde_json::json!({"id": "x"}),
        ))
        .await;
    assert!(matches!(refused, Err(HandlerError::Unrouted(t)) if t == "delivery.requested"));
    let malformed = handler
        .handle(Event::new(
            EXPORT_REQUESTED,
            serde_json::json!({"no": "id"}),
        ))
        .await;
    assert!(matches!(malformed, Err(HandlerError::Malformed { .. })));
}

#[test]
fn the_sample_event_is_what_the_handler_takes() {
    let envelope: serde_json::Value =
        serde_json::from_str(include_str!("../../../events/bus/export-requested.json")).unwrap();
    let event = tayori_runtime::from_event_bridge(&envelope).unwrap();
    assert_eq!(event.detail_type, EXPORT_REQUESTED);
    let requested: Requested = serde_json::from_value(event.detail).unwrap();
    assert_eq!(requested.id, "6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f");
}
