//! The console offers only what exists: a permission checkbox or role preset only for a page
//! that is built, a usage row only for what something records.

use crate::support;

use axum::http::StatusCode;
use support::Console;
use tayori_domain::staff::{Permission, PermissionSet};

async fn administrator() -> Console {
    Console::signed_in("admin", "管理 太郎", "総務課", PermissionSet::all()).await
}

#[tokio::test]
async fn the_staff_and_role_forms_offer_no_permission_for_a_page_that_does_not_exist() {
    let mut c = administrator().await;
    for path in [
        "/admin/staff/new",
        "/admin/roles",
        "/admin/roles/new",
        "/admin/roles/0",
        "/admin/roles/2",
        "/admin/roles/3",
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let offered = |p: Permission| page.body.contains(&format!("value=\"{}\"", p.code()));
        for permission in Permission::ALL.into_iter().filter(|p| !p.is_live()) {
            assert!(!offered(permission), "{path}: {permission:?}");
        }
        if path.ends_with("/new") {
            for permission in Permission::offered() {
                assert!(offered(permission), "{path}: {permission:?}");
            }
        }
    }
    let new_staff = c.get("/admin/staff/new?preset=3").await.body;
    assert!(new_staff.contains("value=\"delivery.draft\""));
    assert!(new_staff.contains("value=\"reports.handle\""));
    assert!(
        new_staff.contains("value=\"forms.export\""),
        "the answers' CSV is built, so its permission is offered"
    );
    assert!(
        new_staff.contains("担当課（フォーム・通報の範囲）"),
        "reports are scoped by department, so the scope is asked"
    );
    assert!(c
        .get("/admin/staff/new")
        .await
        .body
        .contains("value=\"greetings\""));
}

#[tokio::test]
async fn the_usage_report_lists_only_what_is_recorded() {
    let mut c = Console::signed_in(
        "kouhou",
        "広報 次郎",
        "広報課",
        [Permission::UsageReports].into_iter().collect(),
    )
    .await;
    let page = c.get("/admin/usage").await.body;
    c.post(
        tayori_admin::pages::usage::EXPORT_PATH,
        &[("from", ""), ("to", ""), ("by", ""), ("encoding", "utf8")],
    )
    .await;
    let csv = String::from_utf8(c.made_export("kouhou").await.1).unwrap();
    for shown in [&page, &csv] {
        for recorded in [
            "配信（回）",
            "友だち追加",
            "ブロック",
            "属性登録",
            "メニュー操作",
            "避難所検索",
            "通報",
            "フォーム回答",
            "FAQ応答",
            "FAQ該当なし",
            "相談",
            "子育て情報（通）",
        ] {
            assert!(shown.contains(recorded), "{recorded}");
        }
    }
}
