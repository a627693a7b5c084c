//! The staff console through its real router, with embedded storage: sign-in, lockout, CSRF,
//! the IP allow-list, and every route checked against every permission.

use crate::support;

use axum::http::{header, Method, StatusCode};
use chrono::Utc;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_admin::auth::totp;
use tayori_admin::pages::{audit_log, deliveries, exports, usage};
use tayori_admin::{route_table, Access, AdminConfig};
use tayori_domain::staff::{LoginId, Permission, PermissionSet};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;
use tayori_records::{AuditEntry, Occasion, UsageEvents};

use support::{office_config, Console, OFFICE, PASSWORD};

/// The office's console, with the setup token set, talking to a fake LINE; nobody signed in.
const OBJECTS: &str = "http://127.0.0.1:9";

async fn console() -> (Console, FakeLine) {
    let dir = tempfile::tempdir().unwrap();
    // Signing on an origin, so that a CSV's download link can be handed out.
    let (platform, _bus, _objects) =
        embedded::platform_at(dir.path(), Arc::new(SystemClock), OBJECTS).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "token")));
    let config = AdminConfig {
        setup_token: Some("setup-token-for-tests".into()),
        ..office_config()
    };
    (Console::configured(platform, line, dir, config), fake)
}

/// The usage report of this month by `by`, asked by `login` with 「CSVを作成」 and made as the
/// export function makes it (UTF-8).
async fn usage_csv(b: &mut Console, login: &str, by: &str) -> String {
    b.get("/admin/usage").await;
    let asked = b
        .post(
            usage::EXPORT_PATH,
            &[("from", ""), ("to", ""), ("by", by), ("encoding", "utf8")],
        )
        .await;
    assert_eq!(asked.location.as_deref(), Some(exports::PATH));
    let (_, bytes) = b.made_export(login).await;
    String::from_utf8(bytes).unwrap()
}

/// `login` as staff of 環境衛生課 with `permissions` and the shared test password.
async fn add_staff(c: &Console, login: &str, permissions: PermissionSet) {
    c.add_staff(
        login,
        &format!("{login}さん"),
        "環境衛生課",
        permissions,
        Utc::now(),
    )
    .await;
}

#[tokio::test]
async fn a_clerk_signs_in_and_sees_only_the_functions_granted() {
    let (c, _fake) = console().await;
    add_staff(
        &c,
        "kouhou",
        [Permission::UsageReports].into_iter().collect(),
    )
    .await;
    let mut b = c.another_browser();
    let signed = b.sign_in_with("kouhou", PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(signed.location.as_deref(), Some("/admin"));
    let cookie = signed
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("tayori_admin="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(
            cookie.contains(attribute),
            "session cookie lacks {attribute}: {cookie}"
        );
    }
    let home = b.get("/admin").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("利用状況レポート"));
    assert!(
        !home.body.contains("href=\"/admin/staff\""),
        "staff management shown to a clerk without it"
    );
    assert_eq!(b.get("/admin/staff").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let (c, _fake) = console().await;
    add_staff(
        &c,
        "tanaka",
        [Permission::UsageReports].into_iter().collect(),
    )
    .await;
    let mut b = c.another_browser();
    for _ in 0..5 {
        let a = b.sign_in_with("tanaka", "wrong-password-1").await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.location.is_none());
    }
    let a = b.sign_in_with("tanaka", PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "signed in while locked");
    assert!(a.body.contains("ロックされています"));
    let account = c
        .state
        .staff
        .get(&LoginId::parse("tanaka").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(account.is_locked(Utc::now()));
    // An administrator unlocks it and the right password works again.
    add_staff(&c, "admin", PermissionSet::all()).await;
    let mut admin = c.another_browser();
    admin.sign_in("admin").await;
    admin.get("/admin/staff/tanaka").await;
    assert_eq!(
        admin.post("/admin/staff/tanaka/unlock", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.sign_in_with("tanaka", PASSWORD).await.location.as_deref(),
        Some("/admin")
    );
}

#[tokio::test]
async fn a_forged_form_post_without_the_sessions_csrf_token_changes_nothing() {
    let (c, _fake) = console().await;
    add_staff(&c, "admin", PermissionSet::all()).await;
    let mut b = c.another_browser();
    b.sign_in("admin").await;
    b.get("/admin/staff/new").await;
    let fields = [
        ("login_id", "forged"),
        ("display_name", "偽"),
        ("department", "総務課"),
        ("password", "sakura-2026-minato"),
        ("perm", "staff"),
    ];
    // Another site's form: the session cookie rides along, the token does not.
    let forged = b.post_exactly("/admin/staff", &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = b
        .post_exactly(
            "/admin/staff",
            &[&[("_csrf", "guessed")], &fields[..]].concat(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(c
        .state
        .staff
        .get(&LoginId::parse("forged").unwrap())
        .await
        .unwrap()
        .is_none());
    // The same form with the page's token goes through.
    assert_eq!(
        b.post("/admin/staff", &fields).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(c
        .state
        .staff
        .get(&LoginId::parse("forged").unwrap())
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn a_request_from_outside_the_allow_list_gets_a_plain_403() {
    let (c, _fake) = console().await;
    let mut b = c.another_browser();
    b.ip = Some("198.51.100.1".parse().unwrap());
    let a = b.get("/admin/login").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("許可されたネットワーク"));
    b.ip = None;
    assert_eq!(b.get("/admin/login").await.status, StatusCode::FORBIDDEN);
    b.ip = Some(OFFICE.parse().unwrap());
    assert_eq!(b.get("/admin/login").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_first_administrator_is_created_once_with_the_setup_token() {
    let (c, _fake) = console().await;
    let mut b = c.another_browser();
    assert_eq!(b.get("/admin/setup").await.status, StatusCode::OK);
    let fields = |token: &'static str| {
        [
            ("setup_token", token),
            ("login_id", "admin"),
            ("display_name", "情報 太郎"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ]
    };
    let wrong = b.post("/admin/setup", &fields("not-the-token")).await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("トークンが違います"));
    assert_eq!(
        b.post("/admin/setup", &fields("setup-token-for-tests"))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.sign_in_with("admin", PASSWORD).await.location.as_deref(),
        Some("/admin")
    );
    // Closed for good once an account exists.
    let mut other = c.another_browser();
    assert_eq!(
        other.get("/admin/setup").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_second_factor_is_required_when_set_and_a_code_works_once() {
    let (c, _fake) = console().await;
    add_staff(&c, "bousai", PermissionSet::all()).await;
    let secret = totp::new_secret();
    c.state
        .staff
        .update(&LoginId::parse("bousai").unwrap(), |a| {
            let earlier_step = (Utc::now().timestamp() / 30 - 2) as u64;
            a.turn_on_second_factor(secret.clone(), earlier_step)
        })
        .await
        .unwrap();
    let mut b = c.another_browser();
    let a = b.sign_in_with("bousai", PASSWORD).await;
    assert!(a
        .location
        .as_deref()
        .unwrap()
        .starts_with("/admin/login/totp"));
    // Not signed in yet: the console sends the clerk back to sign in.
    assert!(b
        .get("/admin")
        .await
        .location
        .as_deref()
        .unwrap()
        .starts_with("/admin/login"));
    b.get("/admin/login/totp").await;
    let wrong = b
        .post(
            "/admin/login/totp",
            &[("code", "000000"), ("next", "/admin")],
        )
        .await;
    assert!(
        wrong.body.contains("確認コードが違います")
            || totp::code_at(&secret, (Utc::now().timestamp() / 30) as u64).as_deref()
                == Some("000000")
    );
    let code = totp::code_at(&secret, (Utc::now().timestamp() / 30) as u64).unwrap();
    let ok = b
        .post("/admin/login/totp", &[("code", &code), ("next", "/admin")])
        .await;
    assert_eq!(ok.location.as_deref(), Some("/admin"));
    assert_eq!(b.get("/admin").await.status, StatusCode::OK);
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "target")
        .replace("{index}", "0")
        .replace("{name}", "README")
}

#[tokio::test]
async fn every_route_refuses_staff_without_its_permission_and_serves_staff_with_it() {
    let (c, _fake) = console().await;
    add_staff(
        &c,
        "target",
        [Permission::UsageReports].into_iter().collect(),
    )
    .await;
    let routes = route_table();
    assert!(
        routes.len() >= 30,
        "route table looks incomplete: {}",
        routes.len()
    );
    // Each AnyOf set has its own clerk lacking all of it.
    for route in &routes {
        let path = concrete(route.path);
        match route.access {
            Access::Public => {}
            Access::SignedIn => {
                let mut anonymous = c.another_browser();
                anonymous.get("/admin/login").await;
                let a = if route.method == Method::GET {
                    anonymous.get(&path).await
                } else {
                    anonymous.post(&path, &[]).await
                };
                assert_eq!(
                    a.status,
                    StatusCode::SEE_OTHER,
                    "{} {path} served without sign-in",
                    route.method
                );
                assert!(a.location.unwrap().starts_with("/admin/login"));
            }
            Access::AnyOf(any) => {
                // One account per set of permissions: it lacks exactly that set.
                let lacking = format!(
                    "lacks-{}",
                    any.iter().map(|p| p.code()).collect::<Vec<_>>().join("_")
                );
                let lacking: String = lacking.chars().take(32).collect();
                let without: PermissionSet = Permission::ALL
                    .into_iter()
                    .filter(|p| !any.contains(p))
                    .collect();
                if c.state
                    .staff
                    .get(&LoginId::parse(&lacking).unwrap())
                    .await
                    .unwrap()
                    .is_none()
                {
                    add_staff(&c, &lacking, without).await;
                }
                let mut refused = c.another_browser();
                refused.sign_in(&lacking).await;
                refused.get("/admin").await;
                let a = refused.get(&path).await;
                assert_eq!(
                    a.status,
                    StatusCode::FORBIDDEN,
                    "{path} served without any of {any:?}"
                );
                for needed in any {
                    assert!(
                        a.body.contains(needed.label()),
                        "{path}: {}",
                        needed.label()
                    );
                    let holding = format!("only-{}", needed.code().replace('.', "-"));
                    if c.state
                        .staff
                        .get(&LoginId::parse(&holding).unwrap())
                        .await
                        .unwrap()
                        .is_none()
                    {
                        add_staff(&c, &holding, [*needed].into_iter().collect()).await;
                    }
                    let mut allowed = c.another_browser();
                    allowed.sign_in(&holding).await;
                    allowed.get("/admin").await;
                    assert_ne!(
                        allowed.get(&path).await.status,
                        StatusCode::FORBIDDEN,
                        "{path} refused with {}",
                        needed.code()
                    );
                }
            }
            Access::Permission(needed) => {
                let without: PermissionSet = Permission::ALL
                    .into_iter()
                    .filter(|p| *p != needed)
                    .collect();
                let lacking = format!("lacks-{}", needed.code().replace('.', "-"));
                let holding = format!("has-{}", needed.code().replace('.', "-"));
                if c.state
                    .staff
                    .get(&LoginId::parse(&lacking).unwrap())
                    .await
                    .unwrap()
                    .is_none()
                {
                    add_staff(&c, &lacking, without).await;
                    add_staff(&c, &holding, [needed].into_iter().collect()).await;
                }
                let mut refused = c.another_browser();
                refused.sign_in(&lacking).await;
                refused.get("/admin").await;
                let a = if route.method == Method::GET {
                    refused.get(&path).await
                } else {
                    refused.post(&path, &[]).await
                };
                assert_eq!(
                    a.status,
                    StatusCode::FORBIDDEN,
                    "{} {path} served without {}",
                    route.method,
                    needed.code()
                );
                assert!(
                    a.body.contains(needed.label()),
                    "{} {path}: the refusal does not name the permission",
                    route.method
                );

                let mut allowed = c.another_browser();
                allowed.sign_in(&holding).await;
                allowed.get("/admin").await;
                let a = if route.method == Method::GET {
                    allowed.get(&path).await
                } else {
                    allowed.post(&path, &[]).await
                };
                assert_ne!(
                    a.status,
                    StatusCode::FORBIDDEN,
                    "{} {path} refused with {}: {}",
                    route.method,
                    needed.code(),
                    a.body
                );
                assert!(
                    !a.location
                        .as_deref()
                        .unwrap_or("")
                        .starts_with("/admin/login"),
                    "{} {path} sent a signed-in clerk to sign in",
                    route.method
                );
            }
        }
    }
}

#[tokio::test]
async fn staff_actions_are_in_the_audit_log_and_its_csv_is_excel_safe() {
    let (c, _fake) = console().await;
    add_staff(&c, "admin", PermissionSet::all()).await;
    let mut b = c.another_browser();
    b.sign_in("admin").await;
    b.get("/admin/staff/new").await;
    let created = b
        .post(
            "/admin/staff",
            &[
                ("login_id", "suzuki"),
                ("display_name", "=HYPERLINK(\"x\")"),
                ("department", "土木課"),
                ("password", "dobokuka-2026-x"),
                ("perm", "reports.handle"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let log = b.get("/admin/audit").await;
    assert!(log.body.contains("職員アカウントを作成"));
    assert!(log.body.contains("staff:suzuki"));
    assert!(log.body.contains(OFFICE));
    // A summary a clerk typed that Excel would run as a formula.
    b.state
        .audit
        .append(&AuditEntry {
            at: Utc::now(),
            actor: "admin".into(),
            ip: OFFICE.into(),
            action: "メモ".into(),
            target: "note:1".into(),
            summary: "=1+1".into(),
        })
        .await
        .unwrap();
    let asked = b
        .post(
            audit_log::EXPORT_PATH,
            &[("month", ""), ("q", ""), ("encoding", "utf8")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(asked.location.as_deref(), Some(exports::PATH));
    assert!(b.get(exports::PATH).await.body.contains("作成中"));
    let (made, bytes) = b.made_export("admin").await;
    assert_eq!(made.status().label(), "完了");
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("職員アカウントを作成"));
    assert!(csv.contains("ログイン"));
    assert!(csv.contains(",note:1,\"'=1+1\""), "{csv}");
    let listed = b.get(exports::PATH).await;
    assert!(listed.body.contains("完了"));
    assert!(listed
        .body
        .contains(&format!("/admin/exports/{}/download", made.id())));
    let link = b
        .get(&format!("/admin/exports/{}/download", made.id()))
        .await;
    assert_eq!(link.status, StatusCode::SEE_OTHER);
    assert!(link.location.unwrap().starts_with(OBJECTS));
    assert!(b
        .audit_actions()
        .await
        .contains(&"CSVをダウンロード".to_string()));

    b.post(
        audit_log::EXPORT_PATH,
        &[("month", ""), ("q", "職員アカウント"), ("encoding", "sjis")],
    )
    .await;
    let (made, bytes) = b.made_export("admin").await;
    assert_eq!(made.encoding().code(), "sjis");
    let (text, _, malformed) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!malformed);
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(text.contains("職員アカウントを作成"));
    assert!(!text.contains(",ログイン,"));
}

#[tokio::test]
async fn the_usage_report_counts_by_district_and_exports_csv() {
    let (c, fake) = console().await;
    fake.set_message_quota(Some(200));
    add_staff(
        &c,
        "kikaku",
        [Permission::UsageReports].into_iter().collect(),
    )
    .await;
    let usage = UsageEvents::new(c.state.platform.table.clone());
    let mut in_kumohama = std::collections::BTreeMap::new();
    in_kumohama.insert("district".to_string(), vec!["雲浜".to_string()]);
    for _ in 0..3 {
        usage
            .record(
                &Occasion::each_time(),
                &UsageEvent::one(UsageKind::FriendAdded, Utc::now())
                    .with_attributes(in_kumohama.clone()),
            )
            .await
            .unwrap();
    }
    usage
        .record(
            &Occasion::each_time(),
            &UsageEvent::one(UsageKind::FriendAdded, Utc::now()),
        )
        .await
        .unwrap();
    usage
        .record(
            &Occasion::each_time(),
            &UsageEvent::one(UsageKind::FormAnswer, Utc::now()).with_attributes(in_kumohama),
        )
        .await
        .unwrap();
    let mut b = c.another_browser();
    b.sign_in("kikaku").await;
    let page = b.get("/admin/usage?by=district").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"));
    assert!(page.body.contains("、友だち追加 4件、"));
    assert!(page.body.contains("、フォーム回答 1件、"), "{}", page.body);
    assert!(page.body.contains("雲浜"));
    assert!(
        page.body.contains(
            "今月のメッセージ送信数（LINEの集計）: 0通 / プランの上限 200通（残り 200通）"
        ),
        "the month's quota beside the report"
    );
    let csv = usage_csv(&mut b, "kikaku", "district").await;
    let row = |service: &str| {
        csv.lines()
            .find(|l| l.starts_with(service))
            .unwrap()
            .to_string()
    };
    assert_eq!(row("友だち追加"), "友だち追加,3,1,4");
    assert_eq!(row("フォーム回答"), "フォーム回答,1,0,1");
}

#[tokio::test]
async fn staff_group_services_into_programmes_and_the_report_and_csv_count_each_programme() {
    let (c, _fake) = console().await;
    add_staff(
        &c,
        "kikaku",
        [Permission::UsageReports].into_iter().collect(),
    )
    .await;
    let usage = UsageEvents::new(c.state.platform.table.clone());
    let in_kumohama: std::collections::BTreeMap<String, Vec<String>> =
        [("district".to_string(), vec!["雲浜".to_string()])].into();
    for (kind, n) in [
        (UsageKind::ShelterLookup, 3),
        (UsageKind::Report, 2),
        (UsageKind::FaqAnswer, 5),
    ] {
        for _ in 0..n {
            usage
                .record(
                    &Occasion::each_time(),
                    &UsageEvent::one(kind, Utc::now()).with_attributes(in_kumohama.clone()),
                )
                .await
                .unwrap();
        }
    }
    let mut b = c.another_browser();
    b.sign_in("kikaku").await;
    let before = b.get("/admin/usage").await.body;
    assert!(before.contains("事業の設定"), "{before}");

    b.get("/admin/usage/programmes").await;
    let refused = b
        .post("/admin/usage/programmes", &[("name", "防災事業")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("サービスを1つ以上選んでください"));
    assert!(
        refused.body.contains("value=\"防災事業\""),
        "what was typed is kept"
    );
    let added = b
        .post(
            "/admin/usage/programmes",
            &[
                ("name", "防災事業"),
                ("service", "shelter_lookup"),
                ("service", "report"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);

    let page = b.get("/admin/usage?by=district").await.body;
    let row = page
        .split("<th>防災事業</th>")
        .nth(1)
        .expect("the programme's row")
        .split("</tr>")
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        row, "<td class=\"num\">5</td><td class=\"num\">5</td>",
        "3 shelter lookups and 2 reports in 雲浜, and in all"
    );
    let csv = usage_csv(&mut b, "kikaku", "district").await;
    assert!(csv.lines().any(|l| l == "事業: 防災事業,5,5"), "{csv}");
    assert!(b.audit_actions().await.contains(&"事業を追加".to_string()));
}

#[tokio::test]
async fn the_usage_report_counts_a_deliverys_sends_by_age_group_and_district_but_not_by_gender() {
    use tayori_domain::usage::{DeliveryUsage, Profile, RecipientTally};
    let (c, _fake) = console().await;
    add_staff(
        &c,
        "kikaku",
        [Permission::UsageReports].into_iter().collect(),
    )
    .await;
    // What the sender records when it closes a delivery of 500.
    let mut sent = RecipientTally::default();
    sent.add(&Profile::new(Some("30代".into()), Some("雲浜".into())), 300);
    sent.add(&Profile::new(Some("40代".into()), Some("西津".into())), 150);
    sent.add(&Profile::new(None, None), 50);
    let mut delivery = DeliveryUsage::default();
    delivery.succeeded(&sent);
    let usage = UsageEvents::new(c.state.platform.table.clone());
    usage
        .record_once("delivery:D1", &delivery.events(Utc::now()))
        .await
        .unwrap();
    let mut woman = std::collections::BTreeMap::new();
    woman.insert("gender".to_string(), vec!["女性".to_string()]);
    usage
        .record(
            &Occasion::each_time(),
            &UsageEvent::one(UsageKind::FriendAdded, Utc::now()).with_attributes(woman),
        )
        .await
        .unwrap();
    let mut b = c.another_browser();
    b.sign_in("kikaku").await;

    let row = |csv: &str, kind: &str| {
        csv.lines()
            .find(|l| l.starts_with(kind))
            .unwrap()
            .to_string()
    };
    let by_district = usage_csv(&mut b, "kikaku", "district").await;
    assert!(
        by_district.contains("サービス,西津,雲浜,未登録,合計"),
        "{by_district}"
    );
    assert_eq!(
        row(&by_district, "配信成功"),
        "配信成功（通）,150,300,50,500"
    );
    assert_eq!(row(&by_district, "配信（回）"), "配信（回）,1,1,1,1");
    let by_age = usage_csv(&mut b, "kikaku", "age_group").await;
    assert_eq!(row(&by_age, "配信成功"), "配信成功（通）,300,150,50,500");
    let by_gender = usage_csv(&mut b, "kikaku", "gender").await;
    assert_eq!(row(&by_gender, "配信成功"), "配信成功（通）,,500");
    let page = b.get("/admin/usage?by=gender").await;
    assert!(
        page.body.contains("<td class=\"num\">–</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("地区・年代の別にのみ数える"));
}

const MENU_IMAGE: &[u8] = include_bytes!("../../../shared/fake-line/assets/richmenu-2500x1686.png");
const SQUARE_IMAGE: &[u8] = include_bytes!("../../../shared/fake-line/assets/richmenu-800x800.png");

async fn new_menu(b: &mut Console, name: &str) -> String {
    b.get("/admin/richmenus/new").await;
    let created = b
        .post(
            "/admin/richmenus",
            &[
                ("name", name),
                ("chat_bar_text", "メニュー"),
                ("layout", "compact-2"),
            ],
        )
        .await;
    let location = created.location.expect("created menus open in the editor");
    let id = location.rsplit('/').next().unwrap().to_string();
    b.get(&location).await;
    let bad = b
        .upload(
            &format!("/admin/richmenus/{id}/image"),
            &[("image", "menu.png", SQUARE_IMAGE)],
        )
        .await;
    assert!(
        bad.body.contains("縦長すぎます") || bad.body.contains("縦横比"),
        "a square image was accepted"
    );
    let wrong_type = b
        .upload(
            &format!("/admin/richmenus/{id}/image"),
            &[("image", "menu.gif", &b"GIF89a...."[..])],
        )
        .await;
    assert!(wrong_type.body.contains("JPEGまたはPNG"));
    // The compact layout needs a compact image: the full-size one is refused with the reason.
    let mismatch = b
        .upload(
            &format!("/admin/richmenus/{id}/image"),
            &[("image", "menu.png", MENU_IMAGE)],
        )
        .await;
    assert!(
        mismatch.body.contains("縦横比が合いません"),
        "{}",
        mismatch.body
    );
    id
}

#[tokio::test]
async fn a_clerk_makes_publishes_and_switches_rich_menus_from_the_console() {
    let (c, fake) = console().await;
    add_staff(
        &c,
        "bousai",
        [Permission::RichMenus, Permission::EmergencySwitch]
            .into_iter()
            .collect(),
    )
    .await;
    let mut b = c.another_browser();
    b.sign_in("bousai").await;
    let normal = new_menu(&mut b, "通常メニュー").await;

    // A full-size menu for the emergency one: its image fits.
    b.get("/admin/richmenus/new").await;
    let created = b
        .post(
            "/admin/richmenus",
            &[
                ("name", "緊急メニュー"),
                ("chat_bar_text", "災害情報"),
                ("layout", "full-6"),
            ],
        )
        .await;
    let emergency = created
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    b.get(&format!("/admin/richmenus/{emergency}")).await;
    let uploaded = b
        .upload(
            &format!("/admin/richmenus/{emergency}/image"),
            &[("image", "menu.png", MENU_IMAGE)],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), "緊急メニュー".into()),
        ("chat_bar_text".into(), "災害情報".into()),
    ];
    for n in 1..=6 {
        fields.push((format!("kind-{n}"), "message".into()));
        fields.push((format!("value-{n}"), format!("避難所{n}")));
        fields.push((format!("label-{n}"), format!("避難所{n}")));
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.get(&format!("/admin/richmenus/{emergency}")).await;
    assert_eq!(
        b.post(&format!("/admin/richmenus/{emergency}"), &borrowed)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    b.get(&format!("/admin/richmenus/{emergency}")).await;
    let published = b
        .post(&format!("/admin/richmenus/{emergency}/publish"), &[])
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let editor = b.get(&format!("/admin/richmenus/{emergency}")).await;
    assert!(
        editor.body.contains("LINEに公開しました"),
        "{}",
        editor.body
    );
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.path == "/v2/bot/richmenu" && r.method == "POST"));
    assert!(fake.requests().iter().all(|r| r.schema_errors.is_empty()));
    b.post(
        &format!("/admin/richmenus/{emergency}/designate"),
        &[("mode", "emergency")],
    )
    .await;

    // Switching needs a published normal menu: the clerk is told what is missing.
    b.get(&format!("/admin/richmenus/{normal}")).await;
    b.post(
        &format!("/admin/richmenus/{normal}/designate"),
        &[("mode", "normal")],
    )
    .await;
    b.get("/admin/emergency").await;
    assert_eq!(
        b.post("/admin/emergency", &[("mode", "emergency"), ("reason", "")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(b
        .get("/admin/emergency")
        .await
        .body
        .contains("理由を入力してください"));
    b.post(
        "/admin/emergency",
        &[
            ("mode", "emergency"),
            ("reason", "大雨警報"),
            ("confirmed", "yes"),
        ],
    )
    .await;
    let page = b.get("/admin/emergency").await;
    assert!(
        page.body.contains("緊急（災害時）メニューを表示しています"),
        "{}",
        page.body
    );
    fake.add_user("Ucitizen", "市民");
    let shown = fake.rich_menu_of("Ucitizen").unwrap();
    let stored = tayori_records::RichMenus::new(c.state.platform.table.clone())
        .get(&emergency)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(shown), stored.line_id);
    // Back to normal is refused while the normal menu is only a draft, and says why.
    b.post(
        "/admin/emergency",
        &[
            ("mode", "normal"),
            ("reason", "警報解除"),
            ("confirmed", "yes"),
        ],
    )
    .await;
    assert!(b
        .get("/admin/emergency")
        .await
        .body
        .contains("公開されていません"));
    let log = b.get("/admin/audit").await;
    assert_eq!(
        log.status,
        StatusCode::FORBIDDEN,
        "audit needs its own permission"
    );
}

#[tokio::test]
async fn a_drafter_asks_for_approval_and_another_clerk_approves_the_segment_delivery() {
    use tayori_domain::delivery::DeliveryStatus;
    use tayori_domain::segment::Target;
    let (c, _fake) = console().await;
    add_staff(
        &c,
        "drafter",
        [Permission::DeliveryDraft].into_iter().collect(),
    )
    .await;
    add_staff(
        &c,
        "approver",
        [
            Permission::DeliveryDraft,
            Permission::DeliveryApprove,
            Permission::DeliverySend,
        ]
        .into_iter()
        .collect(),
    )
    .await;
    let fields = [
        ("title", "子育て支援センターのお知らせ"),
        ("category", "子育て"),
        ("kind0", "text"),
        ("text0", "12月の親子ひろばは毎週水曜です。👶"),
        ("target", "segment"),
        ("seg.age_group", "30代"),
        ("seg.district", "雲浜"),
        ("send_at", ""),
    ];

    let mut drafter = c.another_browser();
    drafter.sign_in("drafter").await;
    let page = drafter.get("/admin/deliveries/new").await;
    assert!(
        page.body.contains("承認を依頼する"),
        "no send permission: asks for approval"
    );
    // A problem is shown on the form and nothing is sent.
    let empty = drafter
        .multipart(
            "/admin/deliveries",
            &[
                ("title", ""),
                ("category", "一般"),
                ("target", "all"),
                ("action", "submit"),
            ],
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.body.contains("タイトルを入力してください。"),
        "{}",
        empty.body
    );

    let saved = drafter
        .multipart(
            "/admin/deliveries",
            &[&fields[..], &[("action", "submit")]].concat(),
            &[],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let path = saved.location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_string();
    let deliveries = tayori_records::Deliveries::new(c.state.platform.table.clone());
    let d = deliveries.get(&id).await.unwrap().unwrap();
    assert_eq!(d.status(), DeliveryStatus::AwaitingApproval);
    assert_eq!(d.target_description(), "年代: 30代 かつ 居住地区: 雲浜");
    assert!(matches!(d.target(), Target::Segment { .. }));
    // The drafter cannot approve (no permission: the server refuses, not just the page).
    drafter.get(&path).await;
    let refused = drafter.post(&format!("{path}/approve"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut approver = c.another_browser();
    approver.sign_in("approver").await;
    let shown = approver.get(&path).await;
    assert!(shown.body.contains("承認して配信する"));
    approver
        .post(&format!("{path}/approve"), &[("confirmed", "yes")])
        .await;
    let d = deliveries.get(&id).await.unwrap().unwrap();
    assert_eq!(d.status(), DeliveryStatus::Scheduled);
    assert_eq!(d.approved().unwrap().by, "approver");
    assert!(d.is_due(c.state.platform.clock.now()));

    // The log lists it and its CSV carries who created and approved it.
    let list = approver.get("/admin/deliveries?q=親子").await;
    assert!(list.body.contains("子育て支援センターのお知らせ"));
    approver
        .post(
            deliveries::EXPORT_PATH,
            &[("from", ""), ("to", ""), ("encoding", "utf8")],
        )
        .await;
    let csv = String::from_utf8(approver.made_export("approver").await.1).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("drafter") && csv.contains("approver"));

    // Duplicate makes a fresh draft with the same content.
    approver.get(&path).await;
    let copy = approver.post(&format!("{path}/duplicate"), &[]).await;
    let copy_id = copy
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let copy = deliveries.get(&copy_id).await.unwrap().unwrap();
    assert_eq!(copy.status(), DeliveryStatus::Draft);
    assert_eq!(copy.bubbles(), d.bubbles());
    assert_eq!(copy.duplicated_from(), Some(id.as_str()));
}
