//! セグメント設定 through the console's real router: staff add, rename, reorder and retire items
//! and choices; every change is audited; refusals are shown beside the form.
//! (Who may reach these routes is covered by the route × permission walk in console.rs.)

use crate::support;

use axum::http::StatusCode;
use tayori_domain::segment::Answer;
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_records::SegmentItemsRecord;

use support::Console;

async fn signed_in(permissions: PermissionSet) -> Console {
    Console::signed_in("kikaku", "企画さん", "企画課", permissions).await
}

async fn stored_items(c: &Console) -> tayori_domain::segment::SegmentItems {
    SegmentItemsRecord::new(c.state.platform.table.clone())
        .get()
        .await
        .unwrap()
}

fn segments_only() -> PermissionSet {
    [Permission::Segments].into_iter().collect()
}

#[tokio::test]
async fn the_list_shows_obamas_items_in_questionnaire_order_with_their_choices() {
    let mut c = signed_in(segments_only()).await;
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
    let mut c = signed_in(segments_only()).await;
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
    let items = stored_items(&c).await;
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
    let mut c = signed_in(segments_only()).await;
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
        stored_items(&c).await,
        tayori_domain::segment::SegmentItems::obama_defaults()
    );
    let unknown = c
        .post("/admin/segments/nothing/choices", &[("value", "x")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn items_are_reordered_with_up_and_down_and_retired_with_a_badge() {
    let mut c = signed_in(segments_only()).await;
    c.get("/admin/segments").await;
    c.post("/admin/segments/district/move", &[("direction", "up")])
        .await;
    c.post("/admin/segments/district/move", &[("direction", "up")])
        .await;
    c.post("/admin/segments/age_group/move", &[("direction", "down")])
        .await;
    let order: Vec<String> = stored_items(&c)
        .await
        .items
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(order, ["district", "gender", "age_group", "interests"]);

    c.post("/admin/segments/gender/retire", &[("retired", "1")])
        .await;
    c.post(
        "/admin/segments/district/choices/0/retire",
        &[("retired", "1")],
    )
    .await;
    let items = stored_items(&c).await;
    assert!(items.get("gender").unwrap().retired);
    assert!(items.get("district").unwrap().choices[0].retired);
    assert_eq!(items.open_items().count(), 3);
    let page = c.get("/admin/segments").await;
    assert_eq!(page.body.matches(">廃止</span>").count(), 2);
    assert!(page.body.contains("この項目の使用を再開"));

    c.post("/admin/segments/gender/retire", &[("retired", "0")])
        .await;
    assert!(!stored_items(&c).await.get("gender").unwrap().retired);
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
    let mut c = signed_in([Permission::UsageReports].into_iter().collect()).await;
    let home = c.get("/admin").await;
    assert!(!home.body.contains("セグメント設定"));
    assert_eq!(c.get("/admin/segments").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_page_shows_how_long_a_blocked_friends_data_is_kept_and_a_clerk_changes_it() {
    use tayori_records::retention::RetentionRecord;
    let mut c = signed_in(segments_only()).await;
    let page = c.get("/admin/segments").await;
    assert!(page.body.contains("ブロックした友だちのデータの保存期間"));
    assert!(page.body.contains("180"), "the default period is shown");

    // Refused with the typed value kept beside the field.
    let refused = c.post("/admin/retention", &[("days", "3")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("保存期間は7〜1095日の範囲で入力してください。"));
    assert!(refused.body.contains("value=\"3\""));
    let record = RetentionRecord::new(c.state.platform.table.clone());
    assert_eq!(record.get().await.unwrap().days(), 180);

    c.get("/admin/segments").await;
    let saved = c.post("/admin/retention", &[("days", "365")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location.as_deref(), Some("/admin/segments#retention"));
    assert_eq!(record.get().await.unwrap().days(), 365);
    let page = c.get("/admin/segments").await;
    assert!(page.body.contains("365"));
    assert!(c
        .audit_actions()
        .await
        .iter()
        .any(|a| a == "友だちデータの保存期間を変更"));
}
