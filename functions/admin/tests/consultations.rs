//! 相談 in the console: each clerk sees only their departments' consultations, long waits are
//! marked, reading a conversation is audited and refused outside the department, a reply goes
//! to the citizen through LINE with the month's quota beside the box, a template fills the box
//! without a script, posts need the CSRF token, the citizen's words are escaped, and the
//! settings keep what was typed when refused.

use crate::support;

use axum::http::StatusCode;
use chrono::Utc;
use std::sync::Arc;
use support::{office_config, Console, PASSWORD};
use tayori_adapters::embedded;
use tayori_admin::auth::password;
use tayori_consultations::Started;
use tayori_domain::consultation::{CitizenContent, Topic};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;

const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";

/// A clerk of `department` handling its consultations only.
async fn add_clerk(c: &Console, login: &str, name: &str, department: &str) {
    let account = StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: name.into(),
            department: department.into(),
            permissions: [Permission::Consultations].into_iter().collect(),
            scope: DepartmentScope::Only([department.to_string()].into_iter().collect()),
        },
        password::hash(PASSWORD),
        Utc::now(),
    );
    assert!(c.state.staff.create(&account).await.unwrap());
}

/// The console talking to a fake LINE, with clerks of 子ども未来課 and 環境衛生課; nobody signed
/// in.
async fn console() -> (Console, FakeLine) {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus, _objects) =
        embedded::platform_at(dir.path(), Arc::new(SystemClock), "http://127.0.0.1:9").unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "token")));
    let c = Console::configured(platform, line, dir, office_config());
    add_clerk(&c, "kosodate", "子育て 花子", "子ども未来課").await;
    add_clerk(&c, "kankyo", "環境 太郎", "環境衛生課").await;
    (c, fake)
}

/// A childcare case the citizen opened, with their first words.
async fn childcare_case(c: &Console, words: &str) -> String {
    let desk = &c.state.consultations;
    let Started::Opened(case) = desk
        .start(CITIZEN, Topic::Childcare, Default::default())
        .await
        .unwrap()
    else {
        panic!("a new case");
    };
    desk.take_message(CITIZEN, CitizenContent::Text(words.into()))
        .await
        .unwrap()
        .unwrap();
    case.id().to_string()
}

#[tokio::test]
async fn a_clerk_sees_and_reads_only_their_departments_consultations_and_each_read_is_audited() {
    let (mut c, _fake) = console().await;
    let id = childcare_case(&c, "保育園の<b>入園</b>について").await;
    c.sign_in("kosodate").await;
    let list = c.get("/admin/consultations").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("/admin/consultations/{id}")));
    assert!(list.body.contains("子ども未来課"));

    let page = c.get(&format!("/admin/consultations/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("保育園の&lt;b&gt;入園&lt;/b&gt;について"),
        "escaped"
    );
    assert!(c
        .audit_actions()
        .await
        .contains(&"相談の会話を閲覧".to_string()));

    let mut other = c.another_browser();
    other.sign_in("kankyo").await;
    let list = other.get("/admin/consultations").await;
    assert!(
        !list.body.contains(&id),
        "another department's case is not listed"
    );
    let refused = other.get(&format!("/admin/consultations/{id}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("保育園"));
    let reads = c
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a == "相談の会話を閲覧")
        .count();
    assert_eq!(reads, 1, "a refused read is not a read");
}

#[tokio::test]
async fn a_reply_goes_to_the_citizen_through_line_with_the_quota_beside_the_box() {
    let (mut c, fake) = console().await;
    fake.set_message_quota(Some(200));
    let id = childcare_case(&c, "児童手当について").await;
    c.sign_in("kosodate").await;
    let page = c.get(&format!("/admin/consultations/{id}")).await;
    assert!(page.body.contains("上限 200通"), "{}", page.body);

    let path = format!("/admin/consultations/{id}/reply");
    let forged = c
        .post_exactly(&path, &[("action", "send"), ("reply", "偽の返信")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(fake.sent_messages_to(CITIZEN).is_empty());

    let sent = c
        .post(
            &path,
            &[("action", "send"), ("reply", "担当の子育てです。")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let pushed = fake.sent_messages_to(CITIZEN);
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0]["text"], "担当の子育てです。");
    let page = c.get(&format!("/admin/consultations/{id}")).await;
    assert!(page.body.contains("返信を送りました。"));
    assert!(page.body.contains("担当の子育てです。"));
    assert!(page.body.contains("今月の送信数: 1通"), "{}", page.body);

    // An empty reply keeps the page with the problem beside the box; nothing is sent.
    let empty = c.post(&path, &[("action", "send"), ("reply", "  ")]).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("本文を入力してください。"));
    assert_eq!(fake.sent_messages_to(CITIZEN).len(), 1);
}

#[tokio::test]
async fn a_template_fills_the_reply_box_without_a_script() {
    let (mut c, fake) = console().await;
    let id = childcare_case(&c, "相談です").await;
    c.sign_in("kosodate").await;
    c.get("/admin/consultations/settings").await;
    let added = c
        .post(
            "/admin/consultations/templates",
            &[("name", "受付"), ("text", "ご相談を承りました。")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let page = c.get(&format!("/admin/consultations/{id}")).await;
    let template_id = page
        .body
        .split("<option value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let filled = c
        .post(
            &format!("/admin/consultations/{id}/reply"),
            &[
                ("action", "fill"),
                ("template", &template_id),
                ("reply", ""),
            ],
        )
        .await;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(filled.body.contains(">ご相談を承りました。</textarea>"));
    assert!(
        fake.sent_messages_to(CITIZEN).is_empty(),
        "filling sends nothing"
    );
}

#[tokio::test]
async fn notes_assignment_and_closing_free_the_citizen_and_are_audited() {
    let (mut c, _fake) = console().await;
    let id = childcare_case(&c, "相談です").await;
    c.sign_in("kosodate").await;
    c.get(&format!("/admin/consultations/{id}")).await;
    let base = format!("/admin/consultations/{id}");
    c.post(&format!("{base}/note"), &[("note", "折り返し電話予定")])
        .await;
    c.post(&format!("{base}/assign"), &[("assignee", "kosodate")])
        .await;
    let closed = c
        .post(&format!("{base}/close"), &[("closing", "resolved")])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = c.get(&base).await;
    assert!(page.body.contains("終了（解決）"));
    assert!(page.body.contains("折り返し電話予定"));
    assert!(page.body.contains("子育て 花子"));
    assert!(
        !page.body.contains("reply-form"),
        "no reply box once closed"
    );
    assert_eq!(
        c.state.consultations.open_case_of(CITIZEN).await.unwrap(),
        None
    );
    let actions = c.audit_actions().await;
    for action in ["相談に内部メモを追加", "相談の担当者を変更", "相談を終了"]
    {
        assert!(
            actions.contains(&action.to_string()),
            "{action}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn office_hours_are_saved_and_a_wrong_time_is_said_beside_what_was_typed() {
    let (mut c, _fake) = console().await;
    c.sign_in("kosodate").await;
    c.get("/admin/consultations/settings").await;
    let mut fields: Vec<(String, String)> = (0..7)
        .map(|i| (format!("opens{i}"), String::new()))
        .chain((0..7).map(|i| (format!("closes{i}"), String::new())))
        .collect();
    fields[0].1 = "9:00".into(); // Monday
    fields[7].1 = "12:00".into();
    fields.push(("closed_dates".into(), "2026-12-29\n2026-12-30".into()));
    fields.push(("reply_wait_hours".into(), "4".into()));
    fields.push(("auto_reply_minutes".into(), "30".into()));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = c.post("/admin/consultations/settings", &refs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let settings = c.state.consultations.settings().await.unwrap();
    assert_eq!(settings.reply_wait_hours(), 4);
    assert_eq!(settings.office_hours().closed_dates().len(), 2);
    assert!(
        settings.office_hours().week()[1].is_none(),
        "Tuesday closed"
    );

    let mut wrong = fields.clone();
    wrong[1].1 = "九時".into(); // Tuesday opens
    wrong[8].1 = "17:00".into();
    let refs: Vec<(&str, &str)> = wrong
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = c.post("/admin/consultations/settings", &refs).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused
        .body
        .contains("火曜日の時刻「九時」は 8:30 のように入力してください。"));
    assert!(refused.body.contains("value=\"九時\""), "kept as typed");
    assert_eq!(c.state.consultations.settings().await.unwrap(), settings);
}
