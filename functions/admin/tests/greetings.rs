//! あいさつ・自動応答: staff edit the welcome and the default reply; what they save is what the
//! webhook reads on the next follow, the change is audited with before and after, a bad text is
//! refused in Japanese with what was typed kept, and only staff with the permission get in.

use crate::support;

use axum::http::StatusCode;
use chrono::Datelike;
use support::Console;
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_domain::time::to_jst;
use tayori_domain::Greetings;
use tayori_records::Settings;

async fn signed_in(permissions: &[Permission]) -> Console {
    let permissions: PermissionSet = permissions.iter().copied().collect();
    Console::signed_in("kouhou", "広報 次郎", "広報課", permissions).await
}

fn settings(c: &Console) -> Settings {
    Settings::new(c.state.platform.table.clone(), "小浜市")
}

#[tokio::test]
async fn a_saved_welcome_is_what_the_next_follower_is_sent_and_the_change_is_audited() {
    let mut c = signed_in(&[Permission::Greetings]).await;
    let home = c.get("/admin").await.body;
    assert!(home.contains("href=\"/admin/greetings\""), "in the menu");
    let page = c.get("/admin/greetings").await;
    assert_eq!(page.status, StatusCode::OK);
    let defaults = Greetings::defaults_for("小浜市");
    assert!(page
        .body
        .contains("友だち追加ありがとうございます。小浜市のLINE公式アカウントです。"));

    let welcome = "ようこそ！小浜市の公式アカウントです。";
    let answer = c
        .post(
            "/admin/greetings",
            &[
                ("welcome", welcome),
                ("default_reply", &defaults.default_reply),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    // The webhook answers a follow with `Settings::greetings().welcome`.
    let saved = settings(&c).greetings().await.unwrap();
    assert_eq!(saved.welcome, welcome);
    assert_eq!(saved.default_reply, defaults.default_reply);
    assert!(c
        .get("/admin/greetings")
        .await
        .body
        .contains("保存しました"));

    let now = to_jst(c.state.platform.clock.now());
    let (entries, _) = c
        .state
        .audit
        .month(now.year(), now.month(), None, 100)
        .await
        .unwrap();
    let entry = entries
        .iter()
        .find(|e| e.action == "あいさつ・自動応答を変更")
        .expect("audited");
    assert!(
        entry.summary.contains("友だち追加ありがとうございます。"),
        "before: {}",
        entry.summary
    );
    assert!(entry.summary.contains(welcome), "after: {}", entry.summary);
    assert!(
        !entry.summary.contains("自動応答：「"),
        "an unchanged text is not repeated: {}",
        entry.summary
    );
}

#[tokio::test]
async fn an_empty_or_overlong_text_is_refused_in_japanese_with_what_was_typed_kept() {
    let mut c = signed_in(&[Permission::Greetings]).await;
    c.get("/admin/greetings").await;
    let long = format!("長い自動応答{}", "あ".repeat(1000));
    let answer = c
        .post(
            "/admin/greetings",
            &[("welcome", "  "), ("default_reply", &long)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer
        .body
        .contains("「友だち追加時のあいさつ」を入力してください。"));
    assert!(answer
        .body
        .contains("「メッセージへの自動応答」は1000文字以内で入力してください（現在1006文字）。"));
    assert!(answer.body.contains(&long), "the typed text is kept");
    assert_eq!(
        settings(&c).greetings().await.unwrap(),
        Greetings::defaults_for("小浜市"),
        "nothing saved"
    );
}

#[tokio::test]
async fn staff_without_the_greetings_permission_are_refused() {
    let mut c = signed_in(&[Permission::DeliveryDraft, Permission::RichMenus]).await;
    let home = c.get("/admin").await.body;
    assert!(!home.contains("href=\"/admin/greetings\""));
    assert_eq!(
        c.get("/admin/greetings").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = c
        .post(
            "/admin/greetings",
            &[("welcome", "x"), ("default_reply", "y")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        settings(&c).greetings().await.unwrap(),
        Greetings::defaults_for("小浜市")
    );
}
