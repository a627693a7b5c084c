//! The default menus on a fresh install, against the fake LINE server: created, designated and
//! published once; never again once staff changed or deleted them; finished after a failure.

use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::richmenu::MenuMode;
use tayori_fake_line::{FakeLine, Fault};
use tayori_line::{LineClient, LineConfig};
use tayori_menus::{delete, designate, install_defaults, DefaultsOutcome, DEFAULT_MENUS};
use tayori_ports::{Platform, SystemClock};
use tayori_records::RichMenus;

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

/// (method, path) of every request LINE accepted, in order.
fn accepted(fake: &FakeLine) -> Vec<(String, String)> {
    fake.requests()
        .into_iter()
        .inspect(|r| {
            assert!(
                r.schema_errors.is_empty(),
                "{} {:?}",
                r.path,
                r.schema_errors
            )
        })
        .filter(|r| (200..300).contains(&r.status))
        .map(|r| (r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_fresh_channel_gets_both_menus_and_citizens_see_the_normal_one() {
    let w = world().await;
    assert_eq!(
        install_defaults(&w.platform, &w.line).await.unwrap(),
        DefaultsOutcome::Installed
    );
    let menus = RichMenus::new(w.platform.table.clone());
    let designation = menus.designation().await.unwrap();
    assert_eq!(designation.normal.as_deref(), Some("default-normal"));
    assert_eq!(designation.emergency.as_deref(), Some("default-emergency"));
    let normal = menus.get("default-normal").await.unwrap().unwrap();
    let emergency = menus.get("default-emergency").await.unwrap().unwrap();
    let normal_id = normal.line_id.clone().expect("published");
    let emergency_id = emergency.line_id.clone().expect("published");

    let calls = accepted(&w.fake);
    let expected: Vec<(String, String)> = [
        ("POST", "/v2/bot/richmenu".to_string()),
        ("POST", format!("/v2/bot/richmenu/{normal_id}/content")),
        ("POST", format!("/v2/bot/user/all/richmenu/{normal_id}")),
        ("POST", "/v2/bot/richmenu".to_string()),
        ("POST", format!("/v2/bot/richmenu/{emergency_id}/content")),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_string(), p))
    .collect();
    assert_eq!(calls, expected);
    assert_eq!(
        w.fake.rich_menu_of("Uanyone").as_deref(),
        Some(normal_id.as_str())
    );

    // What LINE shows is what the chat answers: every area a postback the webhook knows.
    let shown = w.fake.rich_menu(&normal_id).unwrap();
    let labels: Vec<&str> = shown["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"]["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"登録内容の確認・変更"), "{labels:?}");
    assert!(labels.contains(&"通報する"), "{labels:?}");
    assert!(labels.contains(&"通報履歴"), "{labels:?}");
    for area in shown["areas"].as_array().unwrap() {
        assert_eq!(area["action"]["type"], "postback");
        let data = area["action"]["data"].as_str().unwrap();
        assert!(
            data.starts_with("garbage:")
                || data.starts_with("reg:")
                || data == "reports:start"
                || data == "reports:history",
            "{data}"
        );
    }
    let (content_type, image) = w.fake.rich_menu_image(&normal_id).unwrap();
    assert_eq!(content_type, "image/png");
    assert!(image.len() > 10_000, "a drawn image, not a blank one");

    // Run again (the next tick, the next start): nothing more is sent.
    w.fake.clear();
    assert_eq!(
        install_defaults(&w.platform, &w.line).await.unwrap(),
        DefaultsOutcome::AlreadyDone
    );
    assert!(w.fake.requests().is_empty());
}

#[tokio::test]
async fn defaults_staff_deleted_are_never_created_again() {
    let w = world().await;
    install_defaults(&w.platform, &w.line).await.unwrap();
    let menus = RichMenus::new(w.platform.table.clone());
    // Staff free both designations (as the console makes them do before deleting) and delete.
    menus
        .update_designation(|d| {
            d.normal = None;
            d.emergency = None;
        })
        .await
        .unwrap();
    for default in &DEFAULT_MENUS {
        delete(&w.platform, &w.line, default.id, "admin")
            .await
            .unwrap();
    }
    w.fake.clear();
    assert_eq!(
        install_defaults(&w.platform, &w.line).await.unwrap(),
        DefaultsOutcome::AlreadyDone
    );
    assert!(menus.all().await.unwrap().is_empty());
    assert!(w.fake.requests().is_empty());
}

#[tokio::test]
async fn a_channel_where_staff_made_a_menu_gets_no_defaults() {
    let w = world().await;
    install_defaults(&w.platform, &w.line).await.unwrap();
    // Another channel's data folder, as an existing deployment has it: a menu staff made.
    let other = world().await;
    let menus = RichMenus::new(other.platform.table.clone());
    let mut staff_menu = RichMenus::new(w.platform.table.clone())
        .get("default-normal")
        .await
        .unwrap()
        .unwrap();
    staff_menu.id = "made-by-staff".into();
    staff_menu.line_id = None;
    menus.save(&staff_menu).await.unwrap();
    designate(
        &other.platform,
        &other.line,
        "made-by-staff",
        MenuMode::Normal,
    )
    .await
    .unwrap();
    assert_eq!(
        install_defaults(&other.platform, &other.line)
            .await
            .unwrap(),
        DefaultsOutcome::StaffMenusExist
    );
    assert_eq!(menus.all().await.unwrap().len(), 1);
    assert!(accepted(&other.fake).is_empty());
}

#[tokio::test]
async fn an_install_line_interrupted_is_finished_by_the_next_run() {
    let w = world().await;
    w.fake.inject_faults(Fault {
        path: "/v2/bot/user/all/richmenu".into(),
        status: 400,
        count: 1,
        body: None,
    });
    assert!(install_defaults(&w.platform, &w.line).await.is_err());
    w.fake.reset_controls();
    assert_eq!(
        install_defaults(&w.platform, &w.line).await.unwrap(),
        DefaultsOutcome::Installed
    );
    let menus = RichMenus::new(w.platform.table.clone());
    let normal = menus.get("default-normal").await.unwrap().unwrap();
    assert_eq!(w.fake.rich_menu_of("Uanyone"), normal.line_id);
    let creates = accepted(&w.fake)
        .iter()
        .filter(|(m, p)| m == "POST" && p == "/v2/bot/richmenu")
        .count();
    assert_eq!(creates, 2, "each menu created on LINE once");
}
