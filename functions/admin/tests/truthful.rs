//! The console offers only what exists: no permission checkbox or role preset for a page that
//! is not built, no usage row that nothing records. Accounts that already hold a permission not
//! yet live keep it.

mod support;

use axum::http::StatusCode;
use support::Console;
use tayori_domain::staff::{Permission, PermissionSet};

/// The codes and labels of permissions whose pages do not exist yet.
const NOT_BUILT: [(&str, &str); 2] = [("forms.export", "フォーム回答の出力"), ("faq", "FAQ")];

async fn administrator() -> Console {
    Console::signed_in("admin", "管理 太郎", "総務課", PermissionSet::all()).await
}

fn assert_offers_none_of_the_unbuilt(page: &str, what: &str) {
    for (code, label) in NOT_BUILT {
        assert!(
            !page.contains(&format!("value=\"{code}\"")),
            "{what}: {code}"
        );
        assert!(!page.contains(label), "{what}: {label}");
    }
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
        assert_offers_none_of_the_unbuilt(&page.body, path);
    }
    let new_staff = c.get("/admin/staff/new?preset=3").await.body;
    assert!(new_staff.contains("value=\"delivery.draft\""));
    assert!(new_staff.contains("value=\"reports.handle\""));
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
async fn an_account_holding_a_permission_not_yet_live_keeps_it_when_edited() {
    let mut c = administrator().await;
    let held: PermissionSet = [Permission::DeliveryDraft, Permission::Faq]
        .into_iter()
        .collect();
    c.add_staff("kakari", "係 花子", "環境衛生課", held, chrono::Utc::now())
        .await;
    let page = c.get("/admin/staff/kakari").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<input type=\"hidden\" name=\"perm\" value=\"faq\">"),
        "kept for when the FAQ lands: {}",
        page.body
    );
    assert!(!page.body.contains("FAQ（自動応答）"), "but not offered");
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
        ] {
            assert!(shown.contains(recorded), "{recorded}");
        }
        for never in ["フォーム回答", "FAQ応答"] {
            assert!(!shown.contains(never), "{never}");
        }
    }
}
