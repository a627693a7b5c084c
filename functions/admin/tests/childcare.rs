//! 子育て情報 in the console as a clerk uses it: add a stage and see it in the schedule, edit it,
//! a refused stage keeps what was typed, the send time saved, delete after a confirmation, the
//! audit log, and who may do any of it (the permission, the CSRF token, escaped text).

use crate::support;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveTime, Utc};
use support::Console;
use tayori_domain::childcare::{Stage, StageTiming};
use tayori_domain::staff::Permission;
use tayori_domain::time::to_jst;

const LIST: &str = "/admin/childcare";
const STAGES: &str = "/admin/childcare/stages";
const VACCINE: &str = "/admin/childcare/stages/vaccine-2m";

/// A clerk of 子ども未来課 who may send deliveries.
async fn clerk() -> Console {
    Console::signed_in(
        "kosodate",
        "子育て 花子",
        "子ども未来課",
        [Permission::DeliverySend].into_iter().collect(),
    )
    .await
}

/// The form for 生後2か月 予防接種, with `link`.
fn vaccine_fields(link: &str) -> Vec<(&str, &str)> {
    vec![
        ("id", "vaccine-2m"),
        ("title", "生後2か月 予防接種"),
        ("kind", "age"),
        ("days", ""),
        ("weeks", ""),
        ("years", ""),
        ("months", "2"),
        (
            "text",
            "生後2か月になりました。予防接種（ヒブ・小児用肺炎球菌・B型肝炎・ロタウイルス）を始める時期です。\r\n予診票は母子健康手帳と一緒にお持ちください。",
        ),
        ("link", link),
    ]
}

async fn stages(c: &Console) -> Vec<Stage> {
    let settings = c.state.childcare.settings().await.unwrap();
    settings.schedule.stages().to_vec()
}

/// The audit log's entries of this JST month about the schedule (not the sign-ins), newest
/// first, as (action, summary).
async fn audited(c: &Console) -> Vec<(String, String)> {
    let now = to_jst(Utc::now());
    let (entries, _) = c
        .state
        .audit
        .month(now.year(), now.month(), None, 100)
        .await
        .unwrap();
    entries
        .into_iter()
        .filter(|e| e.target == "childcare:schedule")
        .map(|e| (e.action, e.summary))
        .collect()
}

#[tokio::test]
async fn a_clerk_adds_the_two_month_vaccination_sees_it_listed_and_edits_it() {
    let mut c = clerk().await;
    let home = c.get("/admin").await;
    assert!(home.body.contains("子育て情報"), "the menu has the page");
    let empty = c.get(LIST).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("段階はまだありません"));
    assert!(
        empty.body.contains("7日後まで遅れて送ります"),
        "{}",
        empty.body
    );
    assert!(empty.body.contains("分類「子育て」"));

    c.get("/admin/childcare/stages/new").await;
    let added = c
        .post(
            STAGES,
            &vaccine_fields("https://www1.city.obama.fukui.jp/kosodate/"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(added.location.as_deref(), Some(LIST));
    let list = c.get(LIST).await;
    assert!(list.body.contains("「生後2か月 予防接種」を追加しました。"));
    let table = &list.body[list.body.find("childcare-stages").unwrap()..];
    for shown in [
        "vaccine-2m",
        "生後2か月",
        "生後2か月 予防接種",
        "生後2か月になりました。予防接種（ヒブ・小児用肺炎球菌・B型肝炎・ロタウイルス）…",
        "https://www1.city.obama.fukui.jp/kosodate/",
    ] {
        assert!(table.contains(shown), "{shown}: {table}");
    }
    let saved = stages(&c).await;
    assert_eq!(saved.len(), 1);
    assert_eq!(
        saved[0].timing(),
        StageTiming::Age {
            years: 0,
            months: 2
        }
    );
    assert!(saved[0].text().ends_with("一緒にお持ちください。"));
    assert!(saved[0].text().contains("です。\n予診票"), "one line break");

    // A 1歳6か月 stage goes after it, whatever order they were added in.
    let mut checkup = vaccine_fields("");
    checkup.retain(|(name, _)| !["id", "title", "years", "months"].contains(name));
    checkup.extend([
        ("id", "checkup-18m"),
        ("title", "1歳6か月児健診"),
        ("years", "１"),
        ("months", "6"),
    ]);
    c.get("/admin/childcare/stages/new").await;
    assert_eq!(c.post(STAGES, &checkup).await.status, StatusCode::SEE_OTHER);

    // Editing keeps the number and moves the stage to its new time.
    let edit = c.get(VACCINE).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("value=\"2\""), "{}", edit.body);
    let mut later = vaccine_fields("");
    later.retain(|(name, _)| !["id", "years", "months"].contains(name));
    later.extend([("id", "renamed"), ("years", "2"), ("months", "0")]);
    assert_eq!(c.post(VACCINE, &later).await.status, StatusCode::SEE_OTHER);
    let order: Vec<(String, String)> = stages(&c)
        .await
        .iter()
        .map(|s| (s.id().to_string(), s.timing().label()))
        .collect();
    assert_eq!(
        order,
        [
            ("checkup-18m".to_string(), "1歳6か月".to_string()),
            ("vaccine-2m".to_string(), "2歳".to_string())
        ]
    );
    assert_eq!(stages(&c).await[1].link(), None, "the link was emptied");
    assert_eq!(
        c.get("/admin/childcare/stages/nothing").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_link_that_is_not_https_is_refused_with_the_reason_and_what_was_typed_kept() {
    let mut c = clerk().await;
    c.get("/admin/childcare/stages/new").await;
    let refused = c
        .post(STAGES, &vaccine_fields("http://example.jp/kosodate"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    assert!(body.contains("リンクは https:// で始まるURLにしてください。"));
    assert!(
        body.contains("href=\"#f-link\""),
        "the summary points at the field"
    );
    assert!(body.contains("value=\"http://example.jp/kosodate\""));
    assert!(body.contains("value=\"生後2か月 予防接種\""));
    assert!(body.contains("value=\"vaccine-2m\""));
    assert!(body.contains("予診票は母子健康手帳と一緒にお持ちください。"));
    assert!(body.contains("value=\"age\" checked"), "{body}");
    assert!(stages(&c).await.is_empty(), "nothing saved");

    // An age of 0 months is refused beside the age, and a number used twice beside the number.
    let mut no_age = vaccine_fields("");
    no_age.retain(|(name, _)| *name != "months");
    no_age.push(("months", ""));
    let refused = c.post(STAGES, &no_age).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("月齢・年齢は生後1か月から18歳まで"));
    c.post(STAGES, &vaccine_fields("")).await;
    let twice = c.post(STAGES, &vaccine_fields("")).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice
        .body
        .contains("段階の番号「vaccine-2m」が重複しています。"));
    assert_eq!(stages(&c).await.len(), 1);
}

#[tokio::test]
async fn the_send_time_is_saved_and_a_time_that_is_not_one_is_refused() {
    let mut c = clerk().await;
    let list = c.get(LIST).await;
    assert!(list.body.contains("value=\"10:00\""), "the default");
    let saved = c
        .post("/admin/childcare/send-time", &[("send_at", "09:30")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let list = c.get(LIST).await;
    assert!(list.body.contains("配信時刻を09:30にしました。"));
    assert!(list.body.contains("value=\"09:30\""));
    let nine_thirty = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
    assert_eq!(
        c.state.childcare.settings().await.unwrap().send_at,
        nine_thirty
    );

    let refused = c
        .post("/admin/childcare/send-time", &[("send_at", "25:00")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("配信時刻は「10:00」のように"));
    assert!(refused.body.contains("value=\"25:00\""), "what was typed");
    assert_eq!(
        c.state.childcare.settings().await.unwrap().send_at,
        nine_thirty
    );
    let audit = audited(&c).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].1, "段階 0件 → 0件、配信時刻 10:00 → 09:30");
}

#[tokio::test]
async fn a_stage_is_deleted_only_after_the_confirmation_and_every_change_is_audited() {
    let mut c = clerk().await;
    c.get("/admin/childcare/stages/new").await;
    c.post(STAGES, &vaccine_fields("")).await;
    let delete = format!("{VACCINE}/delete");
    let asked = c.post(&delete, &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("まだ実行していません"));
    assert!(asked.body.contains("生後2か月 予防接種"));
    assert_eq!(stages(&c).await.len(), 1, "asking deletes nothing");
    let deleted = c.post(&delete, &[("confirmed", "yes")]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(stages(&c).await.is_empty());
    assert!(c.get(LIST).await.body.contains("段階はまだありません"));
    assert_eq!(c.get(VACCINE).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.post(&delete, &[("confirmed", "yes")]).await.status,
        StatusCode::NOT_FOUND
    );

    let audit = audited(&c).await;
    let summaries: Vec<&str> = audit.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "削除「vaccine-2m」生後2か月 予防接種。段階 1件 → 0件、配信時刻 10:00 → 10:00",
            "追加「vaccine-2m」生後2か月 予防接種。段階 0件 → 1件、配信時刻 10:00 → 10:00",
        ]
    );
    assert!(audit
        .iter()
        .all(|(action, _)| action == "子育て情報の配信スケジュールを保存"));
}

#[tokio::test]
async fn staff_who_may_not_send_see_neither_the_menu_nor_the_pages_and_change_nothing() {
    let mut c = clerk().await;
    c.get("/admin/childcare/stages/new").await;
    c.post(STAGES, &vaccine_fields("")).await;
    c.add_staff(
        "shitagaki",
        "下書き 次郎",
        "広報課",
        [Permission::DeliveryDraft].into_iter().collect(),
        Utc::now(),
    )
    .await;
    let mut drafter = c.another_browser();
    drafter.sign_in("shitagaki").await;
    assert!(!drafter.get("/admin").await.body.contains("子育て情報"));
    for path in [LIST, "/admin/childcare/stages/new", VACCINE] {
        let refused = drafter.get(path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            refused.body.contains("配信の送信"),
            "{path} names whom to ask for"
        );
    }
    let mut other = vaccine_fields("");
    other.retain(|(name, _)| *name != "id");
    other.push(("id", "other"));
    for (path, fields) in [
        (STAGES.to_string(), other),
        (format!("{VACCINE}/delete"), vec![("confirmed", "yes")]),
        (VACCINE.to_string(), vaccine_fields("")),
        (
            "/admin/childcare/send-time".to_string(),
            vec![("send_at", "06:00")],
        ),
    ] {
        let refused = drafter.post(&path, &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let settings = c.state.childcare.settings().await.unwrap();
    assert_eq!(settings.schedule.stages().len(), 1);
    assert_eq!(settings.schedule.stages()[0].id(), "vaccine-2m");
    assert_eq!(settings.send_at.format("%H:%M").to_string(), "10:00");
    assert_eq!(audited(&c).await.len(), 1, "only the clerk's own addition");
}

#[tokio::test]
async fn a_forged_post_without_the_csrf_token_changes_nothing() {
    let mut c = clerk().await;
    c.get(LIST).await;
    let forged = c.post_exactly(STAGES, &vaccine_fields("")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let forged_time = c
        .post_exactly("/admin/childcare/send-time", &[("send_at", "06:00")])
        .await;
    assert_eq!(forged_time.status, StatusCode::FORBIDDEN);
    let settings = c.state.childcare.settings().await.unwrap();
    assert!(settings.schedule.is_empty());
    assert_eq!(settings.send_at.format("%H:%M").to_string(), "10:00");
    // The same form with the page's token goes through.
    assert_eq!(
        c.post(STAGES, &vaccine_fields("")).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_script_in_a_title_or_text_is_shown_as_text() {
    let mut c = clerk().await;
    c.get("/admin/childcare/stages/new").await;
    let mut fields = vaccine_fields("");
    fields.retain(|(name, _)| !["title", "text"].contains(name));
    fields.extend([
        ("title", "<script>alert(1)</script>"),
        ("text", "<img src=x onerror=alert(2)>"),
    ]);
    assert_eq!(c.post(STAGES, &fields).await.status, StatusCode::SEE_OTHER);
    for page in [c.get(LIST).await, c.get(VACCINE).await] {
        assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
        assert!(!page.body.contains("<img src=x"));
        assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    let asked = c.post(&format!("{VACCINE}/delete"), &[]).await;
    assert!(!asked.body.contains("<script>alert(1)"));
}
