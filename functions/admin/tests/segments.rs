//! セグメント設定 through the console's real router: staff add, rename, reorder and retire items
//! and choices; every change is audited; refusals are shown beside the form.
//! (Who may reach these routes is covered by the route × permission walk in console.rs.)

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{Datelike, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_admin::auth::password;
use tayori_admin::{router, AdminConfig, AdminState, AllowList, SourceIp};
use tayori_domain::segment::Answer;
use tayori_domain::staff::{
    DepartmentScope, LoginId, Permission, PermissionSet, StaffAccount, StaffProfile,
};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;
use tayori_records::SegmentItemsRecord;
use tower::ServiceExt;

const OFFICE: &str = "203.0.113.10";
const PASSWORD: &str = "obama-kaigan-2026";

struct Console {
    app: axum::Router,
    state: Arc<AdminState>,
    cookies: HashMap<String, String>,
    csrf: String,
    _dir: tempfile::TempDir,
}

struct Answered {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Console {
    async fn signed_in(permissions: PermissionSet) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
        let line = Arc::new(LineClient::new(LineConfig::default()));
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
            LoginId::parse("kikaku").unwrap(),
            StaffProfile {
                display_name: "企画さん".into(),
                department: "企画課".into(),
                permissions,
                scope: DepartmentScope::All,
            },
            password::hash(PASSWORD),
            Utc::now(),
        );
        assert!(state.staff.create(&account).await.unwrap());
        let mut c = Console {
            app: router(state.clone()),
            state,
            cookies: HashMap::new(),
            csrf: String::new(),
            _dir: dir,
        };
        c.get("/admin/login").await;
        let signed = c
            .post(
                "/admin/login",
                &[
                    ("login_id", "kikaku"),
                    ("password", PASSWORD),
                    ("next", "/admin"),
                ],
            )
            .await;
        assert_eq!(signed.location.as_deref(), Some("/admin"));
        c
    }

    async fn send(&mut self, method: Method, path: &str, body: Option<String>) -> Answered {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie);
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
        Answered {
            status,
            location,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Answered {
        self.send(Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answered {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("_csrf", &self.csrf.clone());
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        self.send(Method::POST, path, Some(form.finish())).await
    }

    async fn items(&self) -> tayori_domain::segment::SegmentItems {
        SegmentItemsRecord::new(self.state.platform.table.clone())
            .get()
            .await
            .unwrap()
    }

    async fn audit_actions(&self) -> Vec<String> {
        let now = Utc::now() + chrono::Duration::hours(9);
        let (entries, _) = self
            .state
            .audit
            .month(now.year(), now.month(), None, 100)
            .await
            .unwrap();
        entries.into_iter().map(|e| e.action).collect()
    }
}

fn segments_only() -> PermissionSet {
    [Permission::Segments].into_iter().collect()
}

#[tokio::test]
async fn the_list_shows_obamas_items_in_questionnaire_order_with_their_choices() {
    let mut c = Console::signed_in(segments_only()).await;
    let page = c.get("/admin/segments").await;
    assert_eq!(page.status, StatusCode::OK);
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text} missing"))
    };
    assert!(at("1. 年代") < at("2. 性別"));
    assert!(at("2. 性別") < at("3. 居住地区"));
    assert!(at("3. 居住地区") < at("4. 関心"));
    for district in tayori_domain::segment::OBAMA_DISTRICTS {
        assert!(page.body.contains(district));
    }
    assert!(
        page.body.contains("href=\"/admin/segments\""),
        "left menu entry"
    );
}

#[tokio::test]
async fn a_clerk_adds_an_item_with_choices_and_renames_it_and_each_step_is_audited() {
    let mut c = Console::signed_in(segments_only()).await;
    c.get("/admin/segments").await;
    let added = c
        .post(
            "/admin/segments",
            &[
                ("label", "職業"),
                ("question", "ご職業を教えてください。"),
                ("answer", "one"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(
        added.location.as_deref(),
        Some("/admin/segments#item-item5")
    );
    c.get("/admin/segments").await;
    for value in ["会社員", "学生"] {
        let a = c
            .post("/admin/segments/item5/choices", &[("value", value)])
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
    }
    c.post(
        "/admin/segments/item5",
        &[
            ("label", "お仕事"),
            ("question", "お仕事を教えてください。"),
        ],
    )
    .await;
    let items = c.items().await;
    let job = items.get("item5").unwrap();
    assert_eq!(job.label, "お仕事");
    assert_eq!(job.question, "お仕事を教えてください。");
    assert_eq!(job.answer, Answer::One);
    assert_eq!(
        job.choices
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>(),
        ["会社員", "学生"]
    );
    let actions = c.audit_actions().await;
    for action in [
        "セグメント項目を追加",
        "選択肢を追加",
        "セグメント項目を変更",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} not audited: {actions:?}"
        );
    }
}

#[tokio::test]
async fn an_empty_label_and_a_duplicate_choice_are_refused_beside_their_forms() {
    let mut c = Console::signed_in(segments_only()).await;
    c.get("/admin/segments").await;
    let empty = c
        .post(
            "/admin/segments",
            &[
                ("label", " "),
                ("question", "質問です。"),
                ("answer", "many"),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("項目名を入力してください。"));
    assert!(
        empty.body.contains("value=\"質問です。\""),
        "what was typed is kept"
    );
    assert!(empty
        .body
        .contains("id=\"f-new-label\" name=\"label\" value=\"\" aria-invalid=\"true\""));
    let duplicate = c
        .post("/admin/segments/interests/choices", &[("value", "防災")])
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.body.contains("選択肢「防災」はすでにあります"));
    assert_eq!(
        c.items().await,
        tayori_domain::segment::SegmentItems::obama_defaults()
    );
    let unknown = c
        .post("/admin/segments/nothing/choices", &[("value", "x")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn items_are_reordered_with_up_and_down_and_retired_with_a_badge() {
    let mut c = Console::signed_in(segments_only()).await;
    c.get("/admin/segments").await;
    c.post("/admin/segments/district/move", &[("direction", "up")])
        .await;
    c.post("/admin/segments/district/move", &[("direction", "up")])
        .await;
    c.post("/admin/segments/age_group/move", &[("direction", "down")])
        .await;
    let order: Vec<String> = c.items().await.items.into_iter().map(|i| i.id).collect();
    assert_eq!(order, ["district", "gender", "age_group", "interests"]);

    c.post("/admin/segments/gender/retire", &[("retired", "1")])
        .await;
    c.post(
        "/admin/segments/district/choices/0/retire",
        &[("retired", "1")],
    )
    .await;
    let items = c.items().await;
    assert!(items.get("gender").unwrap().retired);
    assert!(items.get("district").unwrap().choices[0].retired);
    assert_eq!(items.open_items().count(), 3);
    let page = c.get("/admin/segments").await;
    assert_eq!(page.body.matches(">廃止</span>").count(), 2);
    assert!(page.body.contains("この項目の使用を再開"));

    c.post("/admin/segments/gender/retire", &[("retired", "0")])
        .await;
    assert!(!c.items().await.get("gender").unwrap().retired);
    let actions = c.audit_actions().await;
    for action in [
        "セグメント項目の順番を変更",
        "セグメント項目を廃止",
        "選択肢を廃止",
        "セグメント項目の使用を再開",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited");
    }
}

#[tokio::test]
async fn a_clerk_without_the_segments_permission_does_not_see_the_menu_entry() {
    let mut c = Console::signed_in([Permission::UsageReports].into_iter().collect()).await;
    let home = c.get("/admin").await;
    assert!(!home.body.contains("セグメント設定"));
    assert_eq!(c.get("/admin/segments").await.status, StatusCode::FORBIDDEN);
}
