//! フォーム in the console: a form is built without a script (every field kind, a condition, a
//! slot), the domain's refusal is shown with what was typed kept, a form with answers is saved
//! as a new version and its old answers read against theirs, publishing and closing are
//! confirmed first, answers are listed, filtered, moved in bulk and handled one by one, personal
//! values are shown only on request and every view is audited, the analysis draws its charts as
//! SVG and cross-tabulates by a registered attribute, and nothing works outside the 課.

use crate::support;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use std::collections::BTreeMap;
use support::{Console, PASSWORD};
use tayori_admin::auth::password;
use tayori_domain::form::{AnswerStatus, FormId, FormStatus, Submitted};
use tayori_domain::staff::{
    DepartmentScope, LoginId, Permission, PermissionSet, StaffAccount, StaffProfile,
};

const KENKOU: &str = "健康課";

fn holding(permissions: &[Permission]) -> PermissionSet {
    permissions.iter().copied().collect()
}

/// A clerk of `department` whose scope is that department only.
async fn add_clerk(c: &Console, login: &str, department: &str, permissions: &[Permission]) {
    let account = StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: department.into(),
            permissions: holding(permissions),
            scope: DepartmentScope::Only([department.to_string()].into_iter().collect()),
        },
        password::hash(PASSWORD),
        Utc::now(),
    );
    assert!(c.state.staff.create(&account).await.unwrap());
}

const ALL_FORMS: [Permission; 3] = [
    Permission::FormsEdit,
    Permission::FormsViewAnswers,
    Permission::FormsExport,
];

/// A console with `login` of 健康課 signed in holding `permissions`.
async fn console_of(login: &str, permissions: &[Permission]) -> Console {
    let mut c = Console::signed_in("setup", "準備 係", "総務課", PermissionSet::default()).await;
    add_clerk(&c, login, KENKOU, permissions).await;
    c.cookies.clear();
    c.sign_in(login).await;
    c
}

/// The id in `/admin/forms/<id>`.
fn id_in(location: &str) -> String {
    location.trim_start_matches("/admin/forms/").to_string()
}

/// The settings fields of a questionnaire titled `title`, as the builder posts them.
fn settings<'a>(title: &'a str, kind: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "ご協力をお願いします。"),
        ("kind", kind),
        ("department", KENKOU),
        ("per_citizen", "many"),
        ("opens_at", ""),
        ("closes_at", ""),
        ("capacity", ""),
        ("receipt_message", "回答ありがとうございました。"),
    ]
}

/// Builds and saves, through the pages, a form of a choice question (会場), a personal name, a
/// number shown when 会場 = 本庁, a free text and a staff-only 確認欄; returns its id.
async fn built(c: &mut Console, title: &str) -> String {
    c.get("/admin/forms/new").await;
    let mut fields = settings(title, "questionnaire");
    fields.extend([
        ("f0.id", "q1"),
        ("f0.kind", "single_choice"),
        ("f0.label", "会場"),
        ("f0.choices", "本庁\n分室"),
        ("f0.required", "on"),
        ("f1.id", "q2"),
        ("f1.kind", "short_text"),
        ("f1.label", "氏名"),
        ("f1.max_chars", "50"),
        ("f1.personal", "on"),
        ("f2.id", "q3"),
        ("f2.kind", "number"),
        ("f2.label", "人数"),
        ("f2.min", "1"),
        ("f2.max", "5"),
        ("f2.integer", "on"),
        ("f2.cond_field", "q1"),
        ("f2.cond_value", "本庁"),
        ("f3.id", "q4"),
        ("f3.kind", "long_text"),
        ("f3.label", "ご意見"),
        ("f3.max_chars", "1000"),
        ("f4.id", "q5"),
        ("f4.kind", "short_text"),
        ("f4.label", "確認欄"),
        ("f4.max_chars", "100"),
        ("f4.staff_only", "on"),
        ("action", "save"),
    ]);
    let saved = c.post("/admin/forms/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    id_in(saved.location.as_deref().unwrap())
}

async fn publish(c: &mut Console, id: &str) {
    c.get(&format!("/admin/forms/{id}")).await;
    let done = c
        .post(
            &format!("/admin/forms/{id}/publish"),
            &[("confirmed", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

/// A citizen's answer through the desk, as the LIFF page sends it.
async fn answer(
    c: &Console,
    id: &str,
    user: &str,
    place: &str,
    name: &str,
    text: &str,
    age: &str,
) -> String {
    let form = FormId::parse(id).unwrap();
    let mut submitted = Submitted::new()
        .with("q1", place)
        .with("q2", name)
        .with("q4", text);
    if place == "本庁" {
        submitted = submitted.with("q3", "2");
    }
    let attributes: BTreeMap<String, Vec<String>> =
        [("age_group".to_string(), vec![age.to_string()])]
            .into_iter()
            .collect();
    c.state
        .forms
        .submit(&form, user, &submitted, None, attributes, Utc::now())
        .await
        .unwrap()
        .answer_id
}

#[tokio::test]
async fn the_list_and_the_builder_need_the_forms_permissions() {
    let mut none = console_of("haisin", &[Permission::DeliveryDraft]).await;
    assert_eq!(none.get("/admin/forms").await.status, StatusCode::FORBIDDEN);
    assert!(!none
        .get("/admin")
        .await
        .body
        .contains("href=\"/admin/forms\""));

    let mut reader = console_of("etsuran", &[Permission::FormsViewAnswers]).await;
    let list = reader.get("/admin/forms").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.body.contains("新しいフォーム"),
        "no builder without フォームの作成・編集"
    );
    assert_eq!(
        reader.get("/admin/forms/new").await.status,
        StatusCode::FORBIDDEN
    );
    let home = reader.get("/admin").await.body;
    assert!(
        home.contains("href=\"/admin/forms\""),
        "the menu entry: {home}"
    );
    assert!(home.contains("forms-tile"));
}

#[tokio::test]
async fn another_departments_form_is_refused_and_not_listed() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    let answer_id = answer(&c, &id, "U1", "分室", "小浜 太郎", "よかった", "30代").await;
    add_clerk(&c, "doboku", "土木課", &ALL_FORMS).await;
    let mut other = c.another_browser();
    other.sign_in("doboku").await;
    assert!(!other
        .get("/admin/forms")
        .await
        .body
        .contains("健診アンケート"));
    for path in [
        format!("/admin/forms/{id}"),
        format!("/admin/forms/{id}/preview"),
        format!("/admin/forms/{id}/answers"),
        format!("/admin/forms/{id}/answers/{answer_id}"),
        format!("/admin/forms/{id}/analysis"),
    ] {
        let page = other.get(&path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!page.body.contains("小浜 太郎"), "{path}");
    }
    other.get("/admin/forms").await;
    let forged = other
        .post(
            &format!("/admin/forms/{id}/answers/{answer_id}/status"),
            &[("status", "done")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let refused = other
        .post(&format!("/admin/forms/{id}/close"), &[("confirmed", "yes")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let form = c
        .state
        .forms
        .form(&FormId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(form.status(), FormStatus::Open);
}

#[tokio::test]
async fn a_post_without_the_csrf_token_changes_nothing() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    let forged = c
        .post_exactly(
            &format!("/admin/forms/{id}/publish"),
            &[("confirmed", "yes")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let form = c
        .state
        .forms
        .form(&FormId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(form.status(), FormStatus::Draft);
}

#[tokio::test]
async fn every_kind_is_added_without_a_script_and_a_refusal_keeps_what_was_typed() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    c.get("/admin/forms/new").await;
    let kinds = [
        "short_text",
        "long_text",
        "number",
        "email",
        "phone",
        "postal_code",
        "address",
        "date",
        "time",
        "single_choice",
        "multiple_choice",
        "dropdown",
        "file",
        "consent",
        "heading",
        "description",
    ];
    // Each 「追加」 draws the builder again with one more field, nothing saved.
    let mut posted: Vec<(String, String)> = settings("全部の項目", "application")
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (i, kind) in kinds.iter().enumerate() {
        let mut fields: Vec<(&str, &str)> = posted
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        fields.extend([("action", "add-field"), ("new_kind", kind)]);
        let page = c.post("/admin/forms/new", &fields).await;
        assert_eq!(page.status, StatusCode::OK);
        let id = format!("q{}", i + 1);
        assert!(
            page.body
                .contains(&format!("name=\"f{i}.kind\" value=\"{kind}\"")),
            "{kind}: {}",
            page.body
        );
        assert!(
            page.body.contains("value=\"全部の項目\""),
            "the title is kept"
        );
        posted.push((format!("f{i}.id"), id));
        posted.push((format!("f{i}.kind"), kind.to_string()));
    }
    assert!(
        c.state
            .forms
            .list(tayori_formdesk::Clerk {
                account: &c
                    .state
                    .staff
                    .get(&LoginId::parse("kenkou").unwrap())
                    .await
                    .unwrap()
                    .unwrap(),
                ip: "-",
            })
            .await
            .unwrap()
            .is_empty(),
        "nothing saved by adding"
    );

    // A text field without its limit: the domain's words, above what was typed.
    let mut fields: Vec<(String, String)> = posted.clone();
    for (i, kind) in kinds.iter().enumerate() {
        fields.push((format!("f{i}.label"), format!("{kind}の項目")));
    }
    let typed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("action", "save")])
        .collect();
    let refused = c.post("/admin/forms/new", &typed).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused
            .body
            .contains("「short_textの項目」の最大文字数は1〜200にしてください。"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"long_textの項目\""),
        "typed values kept"
    );

    // Filled in, it saves, and every kind comes back in the builder.
    for (i, kind) in kinds.iter().enumerate() {
        match *kind {
            "single_choice" | "multiple_choice" | "dropdown" => {
                fields.push((format!("f{i}.choices"), "はい\nいいえ".into()))
            }
            "consent" | "description" => fields.push((format!("f{i}.text"), "注意事項".into())),
            "short_text" | "long_text" => fields.push((format!("f{i}.max_chars"), "100".into())),
            "file" => fields.extend([
                (format!("f{i}.file_types"), "jpeg".into()),
                (format!("f{i}.file_types"), "pdf".into()),
                (format!("f{i}.max_mb"), "5".into()),
                (format!("f{i}.max_files"), "2".into()),
            ]),
            _ => {}
        }
    }
    // A notice address that is not one: refused, and what was typed is kept.
    let typed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("notice_address", "kenkou@city"), ("action", "save")])
        .collect();
    let refused = c.post("/admin/forms/new", &typed).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused
            .body
            .contains("通知先メールアドレスの形式が正しくありません"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"kenkou@city\""),
        "the typed address is kept"
    );
    let typed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([
            ("notice_address", "kenkou@city.example.lg.jp"),
            ("action", "save"),
        ])
        .collect();
    let saved = c.post("/admin/forms/new", &typed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = id_in(saved.location.as_deref().unwrap());
    let page = c.get(&format!("/admin/forms/{id}")).await.body;
    for kind in kinds {
        assert!(page.contains(&format!("value=\"{kind}の項目\"")), "{kind}");
    }
    // The file field's types and limits come back as saved.
    let file = kinds.iter().position(|k| *k == "file").unwrap();
    for (code, checked) in [("jpeg", true), ("png", false), ("pdf", true)] {
        let input = page
            .split(&format!("id=\"f-f{file}-file_types-{code}\""))
            .nth(1)
            .unwrap()
            .split('>')
            .next()
            .unwrap();
        assert_eq!(input.contains("checked"), checked, "{code}: {input}");
    }
    assert!(
        page.contains(&format!("name=\"f{file}.max_mb\" value=\"5\"")),
        "{page}"
    );
    assert!(page.contains(&format!("name=\"f{file}.max_files\" value=\"2\"")));
    assert!(
        page.contains("value=\"kenkou@city.example.lg.jp\""),
        "the notice address is saved"
    );
    assert!(c
        .audit_actions()
        .await
        .contains(&"フォームを作成".to_string()));
}

#[tokio::test]
async fn fields_move_and_go_and_a_reservation_gets_its_slots() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    c.get("/admin/forms/new").await;
    let mut fields = settings("健診予約", "reservation");
    fields.extend([
        ("f0.id", "q1"),
        ("f0.kind", "short_text"),
        ("f0.label", "一番目"),
        ("f0.max_chars", "20"),
        ("f1.id", "q2"),
        ("f1.kind", "email"),
        ("f1.label", "二番目"),
        ("action", "up:1"),
    ]);
    let moved = c.post("/admin/forms/new", &fields).await.body;
    let first = moved.find("value=\"二番目\"").unwrap();
    let second = moved.find("value=\"一番目\"").unwrap();
    assert!(first < second, "moved up");

    let mut with_slot = settings("健診予約", "reservation");
    with_slot.extend([
        ("f0.id", "q1"),
        ("f0.kind", "short_text"),
        ("f0.label", "氏名"),
        ("f0.max_chars", "20"),
        ("new_slot.date", "2099-12-10"),
        ("new_slot.start", "10:00"),
        ("new_slot.end", "10:30"),
        ("new_slot.capacity", "5"),
        ("action", "add-slot"),
    ]);
    let page = c.post("/admin/forms/new", &with_slot).await.body;
    assert!(page.contains("name=\"s0.id\" value=\"s1\""), "{page}");
    assert!(page.contains("value=\"2099-12-10\""));

    let mut save = settings("健診予約", "reservation");
    save.extend([
        ("f0.id", "q1"),
        ("f0.kind", "short_text"),
        ("f0.label", "氏名"),
        ("f0.max_chars", "20"),
        ("s0.id", "s1"),
        ("s0.date", "2099-12-10"),
        ("s0.start", "10:00"),
        ("s0.end", "10:30"),
        ("s0.capacity", "5"),
        ("action", "save"),
    ]);
    let saved = c.post("/admin/forms/new", &save).await;
    let id = id_in(saved.location.as_deref().unwrap());
    let form = c
        .state
        .forms
        .form(&FormId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(form.slots().len(), 1);
    assert_eq!(form.slots()[0].capacity, 5);
    // The remove button takes the field out of the draft.
    let mut removing = save.clone();
    removing.retain(|(k, _)| *k != "action");
    removing.push(("action", "remove:0"));
    let page = c.post(&format!("/admin/forms/{id}"), &removing).await.body;
    assert!(!page.contains("value=\"氏名\""));
}

#[tokio::test]
async fn publishing_and_closing_are_confirmed_first_and_the_preview_is_a_phone() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    let preview = c.get(&format!("/admin/forms/{id}/preview")).await.body;
    assert!(preview.contains("phone-frame"));
    assert!(preview.contains("会場"));
    assert!(preview.contains("「会場」が「本庁」のときに表示"));
    assert!(
        !preview.contains("確認欄"),
        "staff-only fields are not on the citizen's page"
    );

    c.get(&format!("/admin/forms/{id}")).await;
    let asked = c.post(&format!("/admin/forms/{id}/publish"), &[]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("まだ実行していません"));
    let form_id = FormId::parse(&id).unwrap();
    assert_eq!(
        c.state.forms.form(&form_id).await.unwrap().status(),
        FormStatus::Draft
    );
    publish(&mut c, &id).await;
    assert_eq!(
        c.state.forms.form(&form_id).await.unwrap().status(),
        FormStatus::Open
    );
    let page = c.get(&format!("/admin/forms/{id}")).await.body;
    assert!(
        page.contains(&format!("/liff/forms/{id}")),
        "the citizens' link"
    );
    let closed = c
        .post(&format!("/admin/forms/{id}/close"), &[("confirmed", "yes")])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c.state.forms.form(&form_id).await.unwrap().status(),
        FormStatus::Closed
    );
    let actions = c.audit_actions().await;
    assert!(actions.contains(&"フォームを公開".to_string()));
    assert!(actions.contains(&"フォームの受付を終了".to_string()));
}

#[tokio::test]
async fn editing_a_form_with_answers_makes_a_new_version_and_old_answers_keep_theirs() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    let answer_id = answer(&c, &id, "U1", "本庁", "小浜 太郎", "よかった", "30代").await;
    let page = c.get(&format!("/admin/forms/{id}")).await.body;
    assert!(page.contains("保存すると第2版になり"), "{page}");
    let form = c
        .state
        .forms
        .form(&FormId::parse(&id).unwrap())
        .await
        .unwrap();
    let mut fields = settings("健診アンケート（改）", "questionnaire");
    let draft = [
        ("f0.id", "q1"),
        ("f0.kind", "single_choice"),
        ("f0.label", "会場"),
        ("f0.choices", "本庁\n分室"),
        ("f1.id", "q4"),
        ("f1.kind", "long_text"),
        ("f1.label", "ご感想"),
        ("f1.max_chars", "1000"),
        ("action", "save"),
    ];
    fields.extend(draft);
    let saved = c.post(&format!("/admin/forms/{id}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = c.get(&format!("/admin/forms/{id}")).await.body;
    assert!(
        after.contains("第1版を残して第2版として保存しました"),
        "{after}"
    );
    assert_eq!(form.version(), 1);
    let old = c
        .get(&format!("/admin/forms/{id}/answers/{answer_id}"))
        .await
        .body;
    assert!(old.contains("現在は第2版"), "{old}");
    assert!(old.contains("ご意見"), "the question as it was asked");
}

#[tokio::test]
async fn the_answers_list_that_clears_the_badge_no_longer_shows_it() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    answer(&c, &id, "U1", "本庁", "小浜 太郎", "駐車場が狭い", "30代").await;
    assert!(
        c.get("/admin").await.body.contains("forms-new-badge"),
        "the menu's badge before the list is opened"
    );
    // The page that marks the answers seen is the first the clerk looks at the menu on: a
    // badge read before the list cleared it would still say 新着1 there.
    let list = c.get(&format!("/admin/forms/{id}/answers")).await.body;
    assert!(
        !list.contains("forms-new-badge"),
        "the list's own menu has no badge: {list}"
    );
}

#[tokio::test]
async fn answers_are_listed_filtered_moved_in_bulk_and_handled() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    let a1 = answer(&c, &id, "U1", "本庁", "小浜 太郎", "駐車場が狭い", "30代").await;
    let a2 = answer(&c, &id, "U2", "分室", "小浜 花子", "よかった", "40代").await;
    let a3 = answer(&c, &id, "U3", "分室", "小浜 次郎", "また参加したい", "30代").await;

    let home = c.get("/admin").await.body;
    assert!(home.contains("新着3"), "the menu's badge: {home}");
    let list = c.get(&format!("/admin/forms/{id}/answers")).await.body;
    for a in [&a1, &a2, &a3] {
        assert!(list.contains(a.as_str()), "{a}");
    }
    assert!(
        !c.get("/admin").await.body.contains("新着3"),
        "seen: the badge is cleared"
    );

    let found = c
        .get(&format!("/admin/forms/{id}/answers?q=%E9%A7%90%E8%BB%8A"))
        .await
        .body;
    assert!(found.contains(a1.as_str()));
    assert!(!found.contains(a2.as_str()));
    let by_name = c
        .get(&format!("/admin/forms/{id}/answers?q=%E8%8A%B1%E5%AD%90"))
        .await
        .body;
    assert!(
        !by_name.contains(a2.as_str()),
        "personal values are not searched"
    );

    let moved = c
        .post(
            &format!("/admin/forms/{id}/answers/bulk"),
            &[("answer", &a1), ("answer", &a2), ("status", "in_progress")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let in_progress = c
        .get(&format!("/admin/forms/{id}/answers?status=in_progress"))
        .await
        .body;
    assert!(in_progress.contains("2件の状態を「対応中」にしました。"));
    assert!(in_progress.contains(a1.as_str()) && in_progress.contains(a2.as_str()));
    assert!(!in_progress.contains(a3.as_str()));

    let path = format!("/admin/forms/{id}/answers/{a3}");
    c.get(&path).await;
    let done = c
        .post(&format!("{path}/status"), &[("status", "done")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    c.post(&format!("{path}/memo"), &[("memo", "電話で確認済み")])
        .await;
    c.post(&format!("{path}/staff"), &[("v.q5", "確認しました")])
        .await;
    let page = c.get(&path).await.body;
    assert!(page.contains("電話で確認済み"));
    assert!(page.contains("value=\"確認しました\""));
    assert!(page.contains("受付 → 完了"), "{page}");
    let stored = c
        .state
        .forms
        .answer(
            tayori_formdesk::Clerk {
                account: &c
                    .state
                    .staff
                    .get(&LoginId::parse("kenkou").unwrap())
                    .await
                    .unwrap()
                    .unwrap(),
                ip: "-",
            },
            &a3,
        )
        .await
        .unwrap();
    assert_eq!(stored.answer.status(), AnswerStatus::Done);
    let actions = c.audit_actions().await;
    for action in [
        "フォーム回答の状態を変更",
        "フォーム回答のメモを変更",
        "フォーム回答の管理者用項目を変更",
    ] {
        assert!(actions.contains(&action.to_string()), "{action}");
    }
}

#[tokio::test]
async fn personal_values_are_shown_only_on_request_and_audited() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    let a = answer(&c, &id, "U1", "本庁", "小浜 太郎", "よかった", "30代").await;
    let path = format!("/admin/forms/{id}/answers/{a}");
    let hidden = c.get(&path).await.body;
    assert!(!hidden.contains("小浜 太郎"));
    assert!(hidden.contains("（非表示）"));
    assert!(hidden.contains("よかった"), "what is not personal is shown");
    let before = c.audit_actions().await;
    assert!(before.contains(&"フォーム回答の個人情報を閲覧".to_string()));
    assert!(!before.contains(&"フォーム回答の個人情報を表示".to_string()));
    let shown = c.post(&format!("{path}/reveal"), &[]).await.body;
    assert!(shown.contains("小浜 太郎"));
    assert!(c
        .audit_actions()
        .await
        .contains(&"フォーム回答の個人情報を表示".to_string()));
}

#[tokio::test]
async fn a_script_in_a_label_or_an_answer_is_shown_as_text() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "<script>alert(1)</script>").await;
    publish(&mut c, &id).await;
    let a = answer(
        &c,
        &id,
        "U1",
        "本庁",
        "x",
        "<script>alert(2)</script>",
        "30代",
    )
    .await;
    for path in [
        "/admin/forms".to_string(),
        format!("/admin/forms/{id}"),
        format!("/admin/forms/{id}/preview"),
        format!("/admin/forms/{id}/answers/{a}"),
        format!("/admin/forms/{id}/analysis"),
    ] {
        let page = c.get(&path).await.body;
        assert!(!page.contains("<script>alert"), "{path}");
        assert!(page.contains("&lt;script&gt;alert"), "{path}");
    }
}

#[tokio::test]
async fn the_analysis_counts_draws_svg_and_cross_tabulates_by_age() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    answer(&c, &id, "U1", "本庁", "a", "駐車場が狭い", "30代").await;
    answer(&c, &id, "U2", "分室", "b", "よかった", "30代").await;
    answer(&c, &id, "U3", "分室", "c", "また参加したい", "40代").await;
    let page = c.get(&format!("/admin/forms/{id}/analysis")).await.body;
    assert!(page.contains("集計した回答 3 件"), "{page}");
    assert!(page.contains("<svg"));
    assert!(page.contains("（棒グラフ）") && page.contains("（円グラフ）"));
    assert!(
        page.contains("<td class=\"num\">2</td><td class=\"num\">66.7%</td>"),
        "{page}"
    );
    assert!(page.contains("駐車場が狭い"), "free texts listed");
    assert!(!page.contains(">a<"), "personal texts are not listed");
    let cross = c
        .get(&format!(
            "/admin/forms/{id}/analysis?question=q1&by=age_group"
        ))
        .await
        .body;
    assert!(cross.contains("「会場」× 年代"), "{cross}");
    let row = cross.split("<th scope=\"row\">30代</th>").nth(1).unwrap();
    assert!(
        row.starts_with("<td class=\"num\">1</td><td class=\"num\">1</td>"),
        "{row}"
    );
}

#[tokio::test]
async fn a_reservation_is_cancelled_after_a_confirmation() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    c.get("/admin/forms/new").await;
    let mut save = settings("健診予約", "reservation");
    save.extend([
        ("f0.id", "q1"),
        ("f0.kind", "short_text"),
        ("f0.label", "氏名"),
        ("f0.max_chars", "20"),
        ("s0.id", "s1"),
        ("s0.date", "2099-12-10"),
        ("s0.start", "10:00"),
        ("s0.end", "10:30"),
        ("s0.capacity", "5"),
        ("action", "save"),
    ]);
    let saved = c.post("/admin/forms/new", &save).await;
    let id = id_in(saved.location.as_deref().unwrap());
    publish(&mut c, &id).await;
    let form_id = FormId::parse(&id).unwrap();
    let receipt = c
        .state
        .forms
        .submit(
            &form_id,
            "U1",
            &Submitted::new().with("q1", "小浜 太郎"),
            Some("s1"),
            BTreeMap::new(),
            Utc::now() - Duration::seconds(1),
        )
        .await
        .unwrap();
    let path = format!("/admin/forms/{id}/answers/{}", receipt.answer_id);
    c.get(&path).await;
    let asked = c
        .post(&format!("{path}/status"), &[("status", "cancelled")])
        .await;
    assert!(
        asked.body.contains("予約をキャンセルする"),
        "{}",
        asked.body
    );
    let done = c
        .post(
            &format!("{path}/status"),
            &[("status", "cancelled"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = c.get(&path).await.body;
    assert!(page.contains("キャンセル"), "{page}");
    let listing = c
        .get(&format!("/admin/forms/{id}/answers?status=cancelled"))
        .await
        .body;
    assert!(listing.contains(&receipt.number));
}

#[tokio::test]
async fn the_answers_csv_is_offered_only_to_the_forms_exporters() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    let answers = format!("/admin/forms/{id}/answers");
    let page = c.get(&answers).await.body;
    assert!(page.contains("id=\"answers-csv\""), "{page}");
    assert!(page.contains("個人情報を含める"));
    assert!(page.contains("name=\"encoding\""));

    add_clerk(
        &c,
        "etsuran",
        KENKOU,
        &[Permission::FormsViewAnswers, Permission::FormsEdit],
    )
    .await;
    let mut viewer = c.another_browser();
    viewer.sign_in("etsuran").await;
    let page = viewer.get(&answers).await.body;
    assert!(!page.contains("answers-csv"), "{page}");
    let refused = viewer
        .post(&format!("{answers}/export"), &[("encoding", "utf8")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_answers_csv_is_made_by_the_export_function_with_the_lists_filters() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    answer(&c, &id, "U1", "本庁", "小浜 太郎", "よかった", "30代").await;
    answer(&c, &id, "U2", "分室", "若狭 花子", "=1+1", "40代").await;
    let answers = format!("/admin/forms/{id}/answers");
    c.get(&answers).await;
    let asked = c
        .post(
            &format!("{answers}/export"),
            &[("q", ""), ("status", "received"), ("encoding", "utf8")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert_eq!(asked.location.as_deref(), Some("/admin/exports"));
    let (made, bytes) = c.made_export("kenkou").await;
    assert_eq!(made.kind(), tayori_domain::export::ExportKind::FormAnswers);
    assert!(made.conditions().described().contains("「健診アンケート」"));
    assert_eq!(&bytes[..3], [0xEF, 0xBB, 0xBF]);
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("受付番号,回答日時,状態,会場,氏名,人数,ご意見,確認欄,メモ\r\n"),
        "{text}"
    );
    assert!(
        text.contains(",分室,（個人情報・出力対象外）,,\"'=1+1\","),
        "{text}"
    );
    assert!(!text.contains("小浜 太郎"));
    let viewed = |actions: Vec<String>| {
        actions
            .iter()
            .filter(|a| *a == "フォーム回答の個人情報を閲覧")
            .count()
    };
    let before = viewed(c.audit_actions().await);

    c.get(&answers).await;
    c.post(
        &format!("{answers}/export"),
        &[("personal", "yes"), ("encoding", "sjis")],
    )
    .await;
    let (made, bytes) = c.made_export("kenkou").await;
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!errors);
    assert!(text.contains(",本庁,小浜 太郎,2,よかった,"), "{text}");
    assert!(made.conditions().described().contains("個人情報を含む"));
    assert_eq!(
        viewed(c.audit_actions().await),
        before + 1,
        "a file with personal values is a view of them"
    );
    let listed = c.get("/admin/exports").await.body;
    assert!(listed.contains("フォーム回答（Shift_JIS）"), "{listed}");
}

#[tokio::test]
async fn the_answers_csv_is_refused_outside_the_department_and_without_the_csrf_token() {
    let mut c = console_of("kenkou", &ALL_FORMS).await;
    let id = built(&mut c, "健診アンケート").await;
    publish(&mut c, &id).await;
    answer(&c, &id, "U1", "本庁", "小浜 太郎", "よかった", "30代").await;
    let export = format!("/admin/forms/{id}/answers/export");
    let forged = c
        .post_exactly(&export, &[("personal", "yes"), ("encoding", "utf8")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    add_clerk(&c, "doboku", "土木課", &ALL_FORMS).await;
    let mut other = c.another_browser();
    other.sign_in("doboku").await;
    other.get("/admin/forms").await;
    let refused = other
        .post(&export, &[("personal", "yes"), ("encoding", "utf8")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for login in ["kenkou", "doboku"] {
        let account = c
            .state
            .staff
            .get(&LoginId::parse(login).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!(
            c.state.exports.mine(&account).await.unwrap().is_empty(),
            "{login}"
        );
    }
}

/// A form with a photo field (生垣の写真), built and published through the pages; a limit
/// the domain refuses is said first, with what was typed kept.
async fn built_with_photo(c: &mut Console) -> String {
    c.get("/admin/forms/new").await;
    let mut fields = settings("生垣設置補助金", "application");
    fields.extend([
        ("f0.id", "q1"),
        ("f0.kind", "short_text"),
        ("f0.label", "お名前"),
        ("f0.max_chars", "50"),
        ("f1.id", "q2"),
        ("f1.kind", "file"),
        ("f1.label", "生垣の写真"),
        ("f1.required", "on"),
        ("f1.file_types", "jpeg"),
        ("f1.file_types", "png"),
        ("f1.max_files", "1"),
        ("action", "save"),
    ]);
    for (max_mb, said) in [
        (
            "20",
            "「生垣の写真」のファイルの大きさの上限は10MBまでにしてください。",
        ),
        (
            "たくさん",
            "「生垣の写真」の1ファイルの上限は「5」「0.5」のようにMBの数字で入力してください。",
        ),
    ] {
        let mut typed = fields.clone();
        typed.push(("f1.max_mb", max_mb));
        let refused = c.post("/admin/forms/new", &typed).await;
        assert_eq!(refused.status, StatusCode::OK);
        assert!(refused.body.contains(said), "{max_mb}: {}", refused.body);
        assert!(
            refused.body.contains(&format!("value=\"{max_mb}\"")),
            "kept"
        );
    }
    let mut without_types: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .filter(|(k, _)| *k != "f1.file_types")
        .collect();
    without_types.push(("f1.max_mb", "2"));
    let refused = c.post("/admin/forms/new", &without_types).await;
    assert!(
        refused
            .body
            .contains("「生垣の写真」で受け付けるファイルの種類を1つ以上選んでください。"),
        "{}",
        refused.body
    );
    fields.push(("f1.max_mb", "2"));
    let saved = c.post("/admin/forms/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = id_in(saved.location.as_deref().unwrap());
    let preview = c.get(&format!("/admin/forms/{id}/preview")).await.body;
    assert!(preview.contains("type=\"file\""), "{preview}");
    assert!(
        preview.contains("JPEG・PNG、1ファイル2MBまで、1ファイルまで"),
        "{preview}"
    );
    publish(c, &id).await;
    id
}

/// [`console_of`] on an embedded store that serves presigned links (as the local run's does):
/// the answer's page links its files.
async fn console_serving_files(login: &str) -> Console {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus, _objects) = tayori_adapters::embedded::platform_at(
        dir.path(),
        std::sync::Arc::new(tayori_ports::SystemClock),
        "http://127.0.0.1:9",
    )
    .unwrap();
    let line = std::sync::Arc::new(tayori_line::LineClient::new(
        tayori_line::LineConfig::default(),
    ));
    let mut c = Console::over(platform, line, dir);
    add_clerk(&c, login, KENKOU, &ALL_FORMS).await;
    c.sign_in(login).await;
    c
}

#[tokio::test]
async fn a_citizens_photo_is_shown_through_a_short_link_its_view_audited_and_counted() {
    let mut c = console_serving_files("kenkou").await;
    let id = built_with_photo(&mut c).await;
    let form = FormId::parse(&id).unwrap();
    // The citizen uploads as the LIFF page does, then sends the answer.
    let photo = tayori_images::fixtures::photo_with_gps(120, 80, 1);
    let upload = c
        .state
        .forms
        .presign_file(&form, "q2", "U1", "image/jpeg", photo.len() as u64)
        .await
        .unwrap();
    c.state
        .platform
        .objects
        .put(
            &tayori_ports::ObjectKey::new(upload.key.clone()).unwrap(),
            photo,
            "image/jpeg",
        )
        .await
        .unwrap();
    let uploads: BTreeMap<String, Vec<tayori_formdesk::UploadedFile>> = [(
        "q2".to_string(),
        vec![tayori_formdesk::UploadedFile {
            key: upload.key,
            name: "生垣.jpg".into(),
        }],
    )]
    .into_iter()
    .collect();
    let a = c
        .state
        .forms
        .submit_uploaded(
            &form,
            "U1",
            &Submitted::new().with("q1", "小浜 太郎"),
            &uploads,
            None,
            BTreeMap::new(),
            Utc::now(),
        )
        .await
        .unwrap()
        .answer_id;

    let before = c.audit_actions().await;
    assert!(!before.contains(&"フォーム回答の添付ファイルを閲覧".to_string()));
    let page = c.get(&format!("/admin/forms/{id}/answers/{a}")).await.body;
    let thumbnail = page
        .split("<img class=\"thumbnail\" src=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no thumbnail: {page}"));
    let link = &thumbnail[..thumbnail.find('"').unwrap()];
    assert!(link.contains(&format!("forms/{id}/{a}/")), "{link}");
    assert!(page.contains("alt=\"添付写真：生垣.jpg\""), "{page}");
    assert!(
        page.contains(">生垣.jpg</a>"),
        "the name links the file too"
    );
    assert!(c
        .audit_actions()
        .await
        .contains(&"フォーム回答の添付ファイルを閲覧".to_string()));

    let analysis = c.get(&format!("/admin/forms/{id}/analysis")).await.body;
    assert!(analysis.contains("添付あり 1件"), "{analysis}");
}
