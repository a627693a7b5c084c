//! テスト配信の受信者 through the console's real router: a clerk issues a code (shown with its
//! JST expiry and the exact text to send from LINE), the code is redeemed as the webhook does,
//! the list names the LINE account and the staff member, and a receiver can be removed; every
//! change is audited. (Who may reach these routes is covered by the route × permission walk in
//! console.rs.)

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{Datelike, Duration, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_admin::auth::password;
use tayori_admin::{router, AdminConfig, AdminState, AllowList, SourceIp};
use tayori_domain::staff::{
    DepartmentScope, LoginId, Permission, PermissionSet, StaffAccount, StaffProfile,
};
use tayori_domain::time::{format_jst, to_jst};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, ManualClock};
use tayori_records::Testers;
use tower::ServiceExt;

const OFFICE: &str = "203.0.113.10";
const PASSWORD: &str = "obama-kaigan-2026";
const PHONE: &str = "U0123456789abcdef0123456789abcdef";

struct Console {
    app: axum::Router,
    state: Arc<AdminState>,
    clock: Arc<ManualClock>,
    fake: FakeLine,
    cookies: HashMap<String, String>,
    csrf: String,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

async fn console() -> Console {
    let dir = tempfile::tempdir().unwrap();
    // 2026-04-01 09:00 JST: a fixed moment, so the expiry on the page can be asserted exactly.
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    ));
    let (platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig {
        api_base: base.clone(),
        data_api_base: base,
        channel_access_token: "token".into(),
        ..LineConfig::default()
    }));
    let state = Arc::new(AdminState::new(
        platform,
        line,
        AdminConfig {
            city: "小浜市".into(),
            allow_list: AllowList::parse("203.0.113.0/24").unwrap(),
            secure_cookies: true,
            setup_token: None,
            session_policy: Default::default(),
        },
    ));
    let account = StaffAccount::new(
        LoginId::parse("tanaka").unwrap(),
        StaffProfile {
            display_name: "田中 一郎".into(),
            department: "企画部".into(),
            permissions: [Permission::DeliveryDraft]
                .into_iter()
                .collect::<PermissionSet>(),
            scope: DepartmentScope::All,
        },
        password::hash(PASSWORD),
        clock.now(),
    );
    assert!(state.staff.create(&account).await.unwrap());
    Console {
        app: router(state.clone()),
        state,
        clock,
        fake,
        cookies: HashMap::new(),
        csrf: String::new(),
        _dir: dir,
    }
}

impl Console {
    async fn send(&mut self, method: Method, path: &str, body: Option<String>) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header(header::COOKIE, cookie);
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let mut req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        req.extensions_mut()
            .insert(SourceIp(OFFICE.parse().unwrap()));
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let (pair, _) = value.to_str().unwrap().split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = to_bytes(response.into_body(), 10 << 20).await.unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(i) = body.find("name=\"_csrf\" value=\"") {
            let rest = &body[i + 20..];
            self.csrf = rest[..rest.find('"').unwrap()].to_string();
        }
        Answer {
            status,
            location,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("_csrf", &self.csrf.clone());
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        self.send(Method::POST, path, Some(s.finish())).await
    }

    async fn sign_in(&mut self) {
        self.get("/admin/login").await;
        let a = self
            .post(
                "/admin/login",
                &[
                    ("login_id", "tanaka"),
                    ("password", PASSWORD),
                    ("next", "/admin"),
                ],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
    }

    async fn audited_actions(&self) -> Vec<String> {
        let now = to_jst(self.clock.now());
        let (entries, _) = self
            .state
            .audit
            .month(now.year(), now.month(), None, 100)
            .await
            .unwrap();
        entries.into_iter().map(|e| e.action).collect()
    }
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
    let mut c = console().await;
    c.sign_in().await;
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
        format_jst(c.clock.now() + Duration::minutes(10))
    );
    assert_eq!(
        element_text(&issued.body, "tester-code-text"),
        format!("テスター登録 {code}")
    );

    // What the webhook does when the clerk sends that text from their phone.
    c.fake.add_user(PHONE, "田中のスマホ");
    let tester = Testers::new(c.state.platform.table.clone())
        .redeem(&code, PHONE, c.clock.now())
        .await
        .unwrap()
        .expect("the code shown on the page is valid");
    assert_eq!(tester.staff, "tanaka");

    let list = c.get("/admin/deliveries/testers").await;
    assert!(list.body.contains("田中のスマホ"), "{}", list.body);
    assert!(list.body.contains("田中 一郎（tanaka）"));
    assert!(list.body.contains(&format_jst(c.clock.now())));
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

    let actions = c.audited_actions().await;
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
    let mut c = console().await;
    c.sign_in().await;
    c.get("/admin/deliveries/testers").await;
    let issued = c.post("/admin/deliveries/testers/code", &[]).await;
    let code = element_text(&issued.body, "tester-code");
    let now = to_jst(c.clock.now());
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
    let mut c = console().await;
    c.sign_in().await;
    c.get("/admin/deliveries/testers").await;
    c.csrf = "forged".into();
    let refused = c.post("/admin/deliveries/testers/code", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("tester-code"));
}

#[tokio::test]
async fn removing_a_receiver_who_is_not_registered_says_so_and_changes_nothing() {
    let mut c = console().await;
    c.sign_in().await;
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
        .audited_actions()
        .await
        .contains(&"テスト配信の受信者を解除".to_string()));
}
