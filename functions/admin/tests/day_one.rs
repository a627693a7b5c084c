//! What a clerk meets first (issue 11): the home page's cards, the approver's way to the
//! deliveries waiting for them, the staff form's warnings, the error summary at the top of a
//! refused form, and the rich menu editor keeping what was typed when the image is uploaded.

use crate::support;

use axum::http::StatusCode;
use chrono::Utc;
use tayori_admin::ui::MENU;
use tayori_deliveries::{DeliveryDesk, Then};
use tayori_domain::delivery::{Bubble, Composition, DeliveryStatus};
use tayori_domain::segment::Target;
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_records::Deliveries;

use support::Console;

const MENU_IMAGE: &[u8] = include_bytes!("../../../shared/fake-line/assets/richmenu-2500x1686.png");

fn holding(permissions: &[Permission]) -> PermissionSet {
    permissions.iter().copied().collect()
}

/// The hrefs of the home page's cards, in order.
fn cards(body: &str) -> Vec<String> {
    let cards = body
        .split("<ul class=\"cards\">")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap_or_default();
    cards
        .split("<a href=\"")
        .skip(1)
        .map(|a| a.split('"').next().unwrap().to_string())
        .collect()
}

/// The hrefs of the left menu, in order.
fn menu_links(body: &str) -> Vec<String> {
    let menu = body
        .split("aria-label=\"機能メニュー\"")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .unwrap_or_default();
    menu.split("<a href=\"")
        .skip(1)
        .map(|a| a.split('"').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_home_page_has_a_card_for_every_function_in_the_menu_and_no_other() {
    for permissions in [
        holding(&[Permission::UsageReports]),
        holding(&[
            Permission::DeliveryDraft,
            Permission::Segments,
            Permission::GarbageCalendars,
        ]),
        holding(&[Permission::DeliveryApprove]),
        PermissionSet::all(),
    ] {
        let mut c =
            Console::signed_in("tanaka", "田中 花子", "環境衛生課", permissions.clone()).await;
        let home = c.get("/admin").await;
        assert_eq!(home.status, StatusCode::OK);
        let menu: Vec<String> = menu_links(&home.body)
            .into_iter()
            .filter(|href| href != "/admin")
            .collect();
        assert_eq!(cards(&home.body), menu, "{permissions:?}");
        assert!(home.body.contains("使える機能は次のとおりです。"));
        for item in MENU.iter().filter(|i| menu.iter().any(|h| h == i.href)) {
            assert!(
                home.body.contains(item.purpose),
                "{} has no purpose shown",
                item.label
            );
            // Every card opens for the clerk who sees it.
            assert_eq!(
                c.get(item.href).await.status,
                StatusCode::OK,
                "{}",
                item.href
            );
        }
    }
}

#[tokio::test]
async fn every_menu_entry_is_a_page_whose_route_needs_exactly_the_entrys_permission() {
    let routes = tayori_admin::route_table();
    for item in MENU {
        let route = routes
            .iter()
            .find(|r| r.method == axum::http::Method::GET && r.path == item.href)
            .unwrap_or_else(|| panic!("{} has no page", item.href));
        match (item.permission, item.or_permission, route.access) {
            (Some(p), None, access) => {
                assert_eq!(access, tayori_admin::Access::Permission(p), "{}", item.href)
            }
            (None, None, access) => {
                assert_eq!(access, tayori_admin::Access::SignedIn, "{}", item.href)
            }
            // An entry two permissions open: its route takes either, and nothing else.
            (Some(p), Some(or), tayori_admin::Access::AnyOf(any)) => {
                assert_eq!(any, &[p, or][..], "{}", item.href)
            }
            (_, _, access) => panic!("{}: {access:?}", item.href),
        }
    }
}

#[tokio::test]
async fn a_clerk_without_any_permission_is_told_whom_to_ask_by_name() {
    let mut c = Console::signed_in(
        "shinjin",
        "新人 一郎",
        "環境衛生課",
        PermissionSet::default(),
    )
    .await;
    c.add_staff(
        "kanri",
        "管理 次郎",
        "情報政策課",
        holding(&[Permission::StaffManagement]),
        Utc::now(),
    )
    .await;
    let home = c.get("/admin").await;
    assert!(!home.body.contains("使える機能は次のとおりです。"));
    assert!(home
        .body
        .contains("まだ使える機能（権限）が設定されていません"));
    assert!(
        home.body.contains("管理 次郎（情報政策課）"),
        "{}",
        home.body
    );
    assert_eq!(cards(&home.body), ["/admin/account"]);
}

/// A delivery that `tanaka`, who may not send, asked to be approved.
async fn awaiting_approval(c: &Console, id: &str, title: &str) {
    let composition = Composition {
        title: title.into(),
        category: "ごみ".into(),
        bubbles: vec![Bubble::Text {
            text: "12月31日から1月3日まで収集はお休みです。".into(),
        }],
        target: Target::All,
        send_at: None,
    };
    let saved = DeliveryDesk::new(&c.state.platform)
        .create_draft(
            id.into(),
            "tanaka",
            composition,
            Then::Submit { may_send: false },
        )
        .await
        .unwrap();
    assert_eq!(saved.not_submitted, None);
}

#[tokio::test]
async fn an_approver_who_cannot_write_deliveries_finds_the_queue_and_approves_from_it() {
    let mut c = Console::signed_in(
        "kacho",
        "課長 三郎",
        "環境衛生課",
        holding(&[Permission::DeliveryApprove]),
    )
    .await;
    c.add_staff(
        "tanaka",
        "田中 花子",
        "環境衛生課",
        holding(&[Permission::DeliveryDraft]),
        Utc::now(),
    )
    .await;
    awaiting_approval(&c, "d1", "年末年始のごみ収集").await;

    let home = c.get("/admin").await;
    assert!(cards(&home.body).contains(&"/admin/approvals".to_string()));
    let queue = c.get("/admin/approvals").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("href=\"/admin/deliveries/d1\""));
    assert!(queue.body.contains("年末年始のごみ収集"));
    assert!(queue.body.contains("田中 花子"), "the requester by name");

    let detail = c.get("/admin/deliveries/d1").await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert!(detail.body.contains("承認して配信する"));
    assert!(detail.body.contains("差し戻す"));
    assert!(
        detail.body.contains("href=\"/admin/approvals\""),
        "the way back to the queue"
    );
    // Approving sends: the approver confirms first, as everyone does.
    let asked = c.post("/admin/deliveries/d1/approve", &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("承認して配信する"), "{}", asked.body);
    let approved = c
        .post("/admin/deliveries/d1/approve", &[("confirmed", "yes")])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let d = Deliveries::new(c.state.platform.table.clone())
        .get("d1")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(d.status(), DeliveryStatus::AwaitingApproval);
    assert!(c
        .get("/admin/approvals")
        .await
        .body
        .contains("承認を待っている配信はありません。"));
    // Writing deliveries stays closed.
    assert_eq!(
        c.get("/admin/deliveries/new").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_staff_form_warns_about_combinations_that_leave_a_clerk_stuck_but_saves_them() {
    let mut c = Console::signed_in(
        "admin",
        "管理者",
        "情報政策課",
        holding(&[Permission::StaffManagement]),
    )
    .await;
    c.get("/admin/staff/new").await;
    let created = c
        .post(
            "/admin/staff",
            &[
                ("login_id", "sasaki"),
                ("display_name", "佐々木 四郎"),
                ("department", "環境衛生課"),
                ("password", "kankyo-eisei-2026"),
                ("perm", "delivery.draft"),
            ],
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::SEE_OTHER,
        "a warning never refuses"
    );
    let page = c.get("/admin/staff/sasaki").await;
    assert!(page.body.contains("権限の組み合わせを確認してください"));
    assert!(page
        .body
        .contains("「配信の承認」を持つ有効なアカウントが他にない"));

    // Once somebody may approve, the drafter is fine; a sender who cannot draft is not.
    c.add_staff(
        "kacho",
        "課長",
        "環境衛生課",
        holding(&[Permission::DeliveryApprove]),
        Utc::now(),
    )
    .await;
    assert!(!c
        .get("/admin/staff/sasaki")
        .await
        .body
        .contains("権限の組み合わせを確認してください"));
    let sent = c
        .post(
            "/admin/staff/sasaki",
            &[
                ("display_name", "佐々木 四郎"),
                ("department", "環境衛生課"),
                ("perm", "delivery.send"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert!(c
        .get("/admin/staff/sasaki")
        .await
        .body
        .contains("「配信の作成（下書き）」がないと配信を作れず"));
}

#[tokio::test]
async fn a_refused_thirteenth_district_is_summarised_first_on_the_page_with_a_link_to_its_field() {
    let mut c = Console::signed_in(
        "kankyo",
        "環境 五郎",
        "環境衛生課",
        holding(&[Permission::Segments]),
    )
    .await;
    let page = c.get("/admin/segments").await;
    let district = page
        .body
        .split("id=\"item-")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .find(|id| id.contains("district"))
        .expect("the sample items have a district item");
    let mut refused = None;
    for n in 0..20 {
        c.get("/admin/segments").await;
        let a = c
            .post(
                &format!("/admin/segments/{district}/choices"),
                &[("value", &format!("新地区{n}"))],
            )
            .await;
        if a.status == StatusCode::UNPROCESSABLE_ENTITY {
            refused = Some(a);
            break;
        }
    }
    let refused = refused.expect("a district beyond the limit is refused");
    let main = refused.body.split("<main").nth(1).unwrap();
    let after_title = main.split("</h1>").nth(1).unwrap();
    let first_tag = after_title.trim_start().split('>').next().unwrap();
    assert!(
        first_tag.starts_with("<div") && first_tag.contains("id=\"error-summary\""),
        "the summary is not first under the title: {first_tag}"
    );
    let field = format!("f-{district}-value");
    assert!(after_title.contains(&format!("href=\"#{field}\"")));
    assert!(
        refused.body.contains(&format!("id=\"{field}\"")),
        "the link leads nowhere"
    );
    assert_eq!(refused.body.matches("id=\"error-summary\"").count(), 1);
    assert!(refused.body.contains("src=\"/admin/static/console.js\""));
    assert!(
        refused.body.contains("value=\"新地区"),
        "what was typed is kept"
    );
}

#[tokio::test]
async fn uploading_the_menu_image_keeps_the_area_settings_typed_before() {
    let mut c = Console::signed_in(
        "kouhou",
        "広報 六子",
        "広報課",
        holding(&[Permission::RichMenus]),
    )
    .await;
    c.get("/admin/richmenus/new").await;
    let created = c
        .post(
            "/admin/richmenus",
            &[
                ("name", "通常メニュー"),
                ("chat_bar_text", "メニュー"),
                ("layout", "full-2"),
            ],
        )
        .await;
    let editor = created.location.unwrap();
    let page = c.get(&editor).await;
    // The editor has one form for the image and the settings: what the browser sends when the
    // clerk, having typed the areas, chooses the image and presses 画像をアップロード.
    let form = page
        .body
        .split("enctype=\"multipart/form-data\"")
        .nth(1)
        .unwrap();
    assert!(form.contains("name=\"image\"") && form.contains("name=\"value-1\""));
    let action = page
        .body
        .split("<form method=\"post\" action=\"")
        .map(|f| f.split('"').next().unwrap())
        .find(|a| a.ends_with("/image"))
        .unwrap()
        .to_string();
    let uploaded = c
        .multipart(
            &action,
            &[
                ("action", "image"),
                ("name", "通常メニュー"),
                ("chat_bar_text", "メニュー"),
                ("kind-1", "uri"),
                ("value-1", "https://www.city.obama.fukui.jp/"),
                ("label-1", "市のホームページ"),
                ("kind-2", "message"),
                ("value-2", "ごみの日"),
                ("label-2", "ごみの日"),
            ],
            &[("image", "menu.png", MENU_IMAGE)],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let after = c.get(&editor).await;
    assert!(after.body.contains("画像をアップロードしました。"));
    assert!(
        after
            .body
            .contains("value=\"https://www.city.obama.fukui.jp/\""),
        "area 1 lost"
    );
    assert!(after.body.contains("value=\"市のホームページ\""));
    assert!(after.body.contains("value=\"ごみの日\""), "area 2 lost");
    assert!(
        after.body.contains("width=\"2500\""),
        "the image was not stored"
    );

    // A refused image keeps the settings too, beside the reason.
    let refused = c
        .multipart(
            &action,
            &[
                ("action", "image"),
                ("name", "通常メニュー"),
                ("chat_bar_text", "メニュー"),
                ("value-1", "https://example.jp/kept"),
            ],
            &[("image", "menu.gif", &b"GIF89a...."[..])],
        )
        .await;
    assert!(refused.body.contains("JPEGまたはPNG"));
    assert!(refused.body.contains("href=\"#f-image\""));
    assert!(c
        .get(&editor)
        .await
        .body
        .contains("value=\"https://example.jp/kept\""));
}
