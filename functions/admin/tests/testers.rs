//! テスト配信の受信者 through the console's real router: a clerk issues a code (shown with its
//! JST expiry and the exact text to send from LINE), the code is redeemed as the webhook does,
//! the list names the LINE account and the staff member, and a receiver can be removed; every
//! change is audited. (Who may reach these routes is covered by the route × permission walk in
//! console.rs.)

use crate::support;

use axum::http::StatusCode;
use chrono::{Datelike, Duration, TimeZone, Utc};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::staff::Permission;
use tayori_domain::time::{format_jst, to_jst};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, ManualClock};
use tayori_records::{Redemption, Testers};

use support::Console;

const PHONE: &str = "U0123456789abcdef0123456789abcdef";

/// The console on a fixed clock and a fake LINE that knows the testers' display names, with
/// 田中 (who may draft deliveries) as staff, not yet signed in.
async fn console() -> (Console, Arc<ManualClock>, FakeLine) {
    let dir = tempfile::tempdir().unwrap();
    // 2026-04-01 09:00 JST: a fixed moment, so the expiry on the page can be asserted exactly.
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    ));
    let (platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "token")));
    let c = Console::over(platform, line, dir);
    c.add_staff(
        "tanaka",
        "田中 一郎",
        "企画部",
        [Permission::DeliveryDraft].into_iter().collect(),
        clock.now(),
    )
    .await;
    (c, clock, fake)
}

/// The text between `<strong id="{id}">` and the next tag.
fn element_text(body: &str, id: &str) -> String {
    let start = body
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no #{id} on the page"));
    let rest = &body[start..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    rest[..rest.find('<').unwrap()].to_string()
}

#[tokio::test]
async fn a_clerk_issues_a_code_that_links_their_line_and_then_removes_it() {
    let (mut c, clock, fake) = console().await;
    c.sign_in("tanaka").await;
    let page = c.get("/admin/deliveries/testers").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("受信者はまだ登録されていません"));

    let issued = c.post("/admin/deliveries/testers/code", &[]).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let code = element_text(&issued.body, "tester-code");
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|ch| ch.is_ascii_digit()), "{code}");
    assert_eq!(
        element_text(&issued.body, "tester-code-expires"),
        format_jst(clock.now() + Duration::minutes(10))
    );
    assert_eq!(
        element_text(&issued.body, "tester-code-text"),
        format!("テスター登録 {code}")
    );

    // What the webhook does when the clerk sends that text from their phone.
    fake.add_user(PHONE, "田中のスマホ");
    let Redemption::Registered(tester) = Testers::new(c.state.platform.table.clone())
        .redeem(&code, PHONE, clock.now())
        .await
        .unwrap()
    else {
        panic!("the code shown on the page is valid");
    };
    assert_eq!(tester.staff, "tanaka");

    let list = c.get("/admin/deliveries/testers").await;
    assert!(list.body.contains("田中のスマホ"), "{}", list.body);
    assert!(list.body.contains("田中 一郎（tanaka）"));
    assert!(list.body.contains(&format_jst(clock.now())));
    assert!(!list.body.contains("受信者はまだ登録されていません"));

    let removed = c
        .post("/admin/deliveries/testers/remove", &[("user_id", PHONE)])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        removed.location.as_deref(),
        Some("/admin/deliveries/testers")
    );
    assert!(Testers::new(c.state.platform.table.clone())
        .get()
        .await
        .unwrap()
        .is_empty());
    let after = c.get("/admin/deliveries/testers").await;
    assert!(after.body.contains("受信者の登録を解除しました"));
    assert!(after.body.contains("受信者はまだ登録されていません"));

    let actions = c.audit_actions_at(clock.now()).await;
    assert!(
        actions.contains(&"テスト配信の受信者の登録コードを発行".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"テスト配信の受信者を解除".to_string()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_audit_log_never_holds_the_code_itself() {
    let (mut c, clock, _fake) = console().await;
    c.sign_in("tanaka").await;
    c.get("/admin/deliveries/testers").await;
    let issued = c.post("/admin/deliveries/testers/code", &[]).await;
    let code = element_text(&issued.body, "tester-code");
    let now = to_jst(clock.now());
    let (entries, _) = c
        .state
        .audit
        .month(now.year(), now.month(), None, 100)
        .await
        .unwrap();
    let issued_entry = entries
        .iter()
        .find(|e| e.action == "テスト配信の受信者の登録コードを発行")
        .expect("issuing is audited");
    assert!(!issued_entry.summary.contains(&code));
    assert!(!issued_entry.target.contains(&code));
}

#[tokio::test]
async fn a_code_is_not_issued_for_a_post_without_the_pages_csrf_token() {
    let (mut c, _clock, _fake) = console().await;
    c.sign_in("tanaka").await;
    c.get("/admin/deliveries/testers").await;
    c.csrf = "forged".into();
    let refused = c.post("/admin/deliveries/testers/code", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("tester-code"));
}

#[tokio::test]
async fn removing_a_receiver_who_is_not_registered_says_so_and_changes_nothing() {
    let (mut c, clock, _fake) = console().await;
    c.sign_in("tanaka").await;
    c.get("/admin/deliveries/testers").await;
    let answer = c
        .post("/admin/deliveries/testers/remove", &[("user_id", PHONE)])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let page = c.get("/admin/deliveries/testers").await;
    assert!(page
        .body
        .contains("登録されていません（すでに解除されています）"));
    assert!(!c
        .audit_actions_at(clock.now())
        .await
        .contains(&"テスト配信の受信者を解除".to_string()));
}
