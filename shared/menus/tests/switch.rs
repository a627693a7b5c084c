//! Publishing menus and switching to the emergency menu and back, against the fake LINE server
//! (which checks every request against LINE's OpenAPI spec and keeps menus, links and the default).

use chrono::Utc;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::richmenu::{AreaAction, MenuArea, MenuMode, RichMenuDraft};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_menus::{
    designate, publish, switch, unpublish, SwitchHandler, SwitchOutcome, SWITCH_REQUESTED,
};
use tayori_ports::{Event, EventHandler, ObjectKey, Platform, SystemClock};
use tayori_records::{MenuImage, RichMenus, StoredMenu};

const IMAGE: &[u8] = include_bytes!("../../fake-line/assets/richmenu-2500x1686.png");

struct World {
    platform: Platform,
    line: Arc<LineClient>,
    fake: FakeLine,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "token")));
    World {
        platform,
        line,
        fake,
        _dir: dir,
    }
}

async fn menu(w: &World, id: &str, name: &str) {
    let key = format!("richmenus/{id}.png");
    w.platform
        .objects
        .put(
            &ObjectKey::new(key.clone()).unwrap(),
            IMAGE.to_vec(),
            "image/png",
        )
        .await
        .unwrap();
    let area = |n: usize| MenuArea {
        action: AreaAction::Message {
            text: format!("{name}{n}"),
        },
        label: format!("項目{n}"),
    };
    let stored = StoredMenu {
        id: id.into(),
        draft: RichMenuDraft {
            name: name.into(),
            chat_bar_text: "メニュー".into(),
            layout: "full-6".into(),
            areas: (1..=6).map(area).collect(),
            open_by_default: true,
            alias_id: None,
        },
        image: Some(MenuImage {
            key,
            content_type: "image/png".into(),
            width: 2500,
            height: 1686,
        }),
        line_id: None,
        published_at: None,
        updated_at: Utc::now(),
        updated_by: "test".into(),
    };
    RichMenus::new(w.platform.table.clone())
        .save(&stored)
        .await
        .unwrap();
}

async fn line_id(w: &World, id: &str) -> String {
    RichMenus::new(w.platform.table.clone())
        .get(id)
        .await
        .unwrap()
        .unwrap()
        .line_id
        .unwrap()
}

fn assert_every_request_matched_lines_spec(w: &World) {
    for r in w.fake.requests() {
        assert!(
            r.schema_errors.is_empty(),
            "{} {}: {:?}",
            r.method,
            r.path,
            r.schema_errors
        );
    }
}

#[tokio::test]
async fn the_emergency_switch_puts_the_emergency_menu_in_front_of_everyone_and_back() {
    let w = world().await;
    menu(&w, "normal", "通常メニュー").await;
    menu(&w, "emergency", "緊急メニュー").await;
    publish(&w.platform, &w.line, "normal", "tanaka")
        .await
        .unwrap();
    publish(&w.platform, &w.line, "emergency", "tanaka")
        .await
        .unwrap();
    designate(&w.platform, &w.line, "normal", MenuMode::Normal)
        .await
        .unwrap();
    designate(&w.platform, &w.line, "emergency", MenuMode::Emergency)
        .await
        .unwrap();
    let (normal, emergency) = (line_id(&w, "normal").await, line_id(&w, "emergency").await);
    w.fake.add_user("Ucitizen1", "市民1");
    assert_eq!(w.fake.rich_menu_of("Ucitizen1"), Some(normal.clone()));

    // A citizen with a per-user menu would not see the emergency one without the batch unlink.
    w.line.link_rich_menu("Ucitizen1", &normal).await.unwrap();
    let outcome = switch(
        &w.platform,
        &w.line,
        MenuMode::Emergency,
        "bousai",
        "大雨警報",
    )
    .await
    .unwrap();
    assert!(
        matches!(outcome, SwitchOutcome::Switched(ref d) if d.mode() == MenuMode::Emergency && d.reason.as_deref() == Some("大雨警報"))
    );
    assert!(w
        .fake
        .requests()
        .iter()
        .any(|r| r.path == "/v2/bot/richmenu/batch"));
    assert_eq!(w.fake.rich_menu_of("Ucitizen1"), Some(emergency.clone()));
    assert_eq!(
        switch(&w.platform, &w.line, MenuMode::Emergency, "bousai", "again")
            .await
            .unwrap(),
        SwitchOutcome::AlreadyInMode
    );

    // The menu in force cannot be taken down by mistake.
    assert!(unpublish(&w.platform, &w.line, "emergency", "tanaka")
        .await
        .is_err());

    switch(&w.platform, &w.line, MenuMode::Normal, "bousai", "警報解除")
        .await
        .unwrap();
    assert_eq!(w.fake.rich_menu_of("Ucitizen1"), Some(normal));
    assert_every_request_matched_lines_spec(&w);
}

#[tokio::test]
async fn a_switch_requested_on_the_bus_switches_and_is_audited() {
    let w = world().await;
    menu(&w, "normal", "通常メニュー").await;
    menu(&w, "emergency", "緊急メニュー").await;
    for (id, mode) in [
        ("normal", MenuMode::Normal),
        ("emergency", MenuMode::Emergency),
    ] {
        publish(&w.platform, &w.line, id, "tanaka").await.unwrap();
        designate(&w.platform, &w.line, id, mode).await.unwrap();
    }
    let handler = SwitchHandler {
        platform: w.platform.clone(),
        line: w.line.clone(),
    };
    let event = Event::new(
        SWITCH_REQUESTED,
        serde_json::json!({"mode": "emergency", "reason": "土砂災害警戒情報", "requested_by": "jma-feed"}),
    );
    handler.handle(event).await.unwrap();
    w.fake.add_user("Ucitizen2", "市民2");
    assert_eq!(
        w.fake.rich_menu_of("Ucitizen2"),
        Some(line_id(&w, "emergency").await)
    );
    let now = chrono::Utc::now().with_timezone(&tayori_domain::time::jst());
    use chrono::Datelike;
    let (entries, _) = tayori_records::AuditLog::new(w.platform.table.clone())
        .month(now.year(), now.month(), None, 10)
        .await
        .unwrap();
    assert!(entries
        .iter()
        .any(|e| e.actor == "system:jma-feed" && e.summary == "土砂災害警戒情報"));
    assert!(handler
        .handle(Event::new(
            SWITCH_REQUESTED,
            serde_json::json!({"mode": "sideways"})
        ))
        .await
        .is_err());
}

#[tokio::test]
async fn switching_to_an_undesignated_or_unpublished_menu_explains_what_is_missing() {
    let w = world().await;
    let e = switch(&w.platform, &w.line, MenuMode::Emergency, "bousai", "訓練")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("指定されていません"), "{e}");
    menu(&w, "emergency", "緊急メニュー").await;
    designate(&w.platform, &w.line, "emergency", MenuMode::Emergency)
        .await
        .unwrap();
    let e = switch(&w.platform, &w.line, MenuMode::Emergency, "bousai", "訓練")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("公開されていません"), "{e}");
}
