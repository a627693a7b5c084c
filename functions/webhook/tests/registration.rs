//! Citizen registration in the chat, end to end: signed webhooks into the real router, embedded
//! storage, replies through the LINE client to the fake LINE server (which checks every reply
//! against LINE's OpenAPI spec).

use crate::support;

use chrono::Utc;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tayori_domain::usage::UsageKind;
use tayori_ports::Clock;
use tayori_records::{SegmentItemsRecord, UsageEvents};

use support::{buttons, data_of, Harness};

const USER: &str = "U4af4980629d2a1b2c3d4e5f60718293a";
const POLICY: &str = "https://tayori.example.jp/liff/privacy";

async fn harness() -> Harness {
    Harness::configured(Utc::now(), |state| state.with_privacy_policy_url(POLICY)).await
}

async fn follow(h: &Harness) -> Vec<Value> {
    h.send(USER, "follow", json!({"follow": {"isUnblocked": false}}))
        .await
}

/// The postback data of the button labelled `label` under the last message.
fn tap(messages: &[Value], label: &str) -> String {
    data_of(&buttons(messages), label).to_string()
}

fn text_of(messages: &[Value]) -> String {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn values(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect()
}

#[tokio::test]
async fn after_follow_the_welcome_is_followed_by_an_invitation_with_the_privacy_note() {
    let h = harness().await;
    let messages = follow(&h).await;
    assert_eq!(messages.len(), 2);
    let invitation = messages[1]["text"].as_str().unwrap();
    for needed in [
        "選んだ回答だけ",
        "関係のあるお知らせ",
        "いつでも確認・変更・削除",
        POLICY,
    ] {
        assert!(
            invitation.contains(needed),
            "{needed} missing: {invitation}"
        );
    }
    assert_eq!(
        buttons(&messages),
        vec![
            ("登録する".to_string(), "reg:start".to_string()),
            ("あとで".to_string(), "reg:later".to_string())
        ]
    );
    let later = h.postback(USER, "reg:later").await;
    assert!(text_of(&later).contains("いつでも"));
    assert!(h.attributes(USER).await.is_empty());
}

#[tokio::test]
async fn answering_every_question_by_button_registers_exactly_those_answers() {
    let h = harness().await;
    let invitation = follow(&h).await;
    let first = h.postback(USER, &tap(&invitation, "登録する")).await;
    assert!(text_of(&first).contains("（1/4）年代を教えてください。"));
    // 7 ages + スキップ.
    assert_eq!(buttons(&first).len(), 8);
    let gender = h.postback(USER, &tap(&first, "30代")).await;
    assert!(text_of(&gender).contains("（2/4）性別"));
    let district = h.postback(USER, &tap(&gender, "女性")).await;
    // 12 地区 + スキップ: LINE's 13 buttons exactly.
    assert_eq!(buttons(&district).len(), 13);
    assert!(buttons(&district).iter().all(|(_, data)| data.len() <= 300));
    let interests = h.postback(USER, &tap(&district, "雲浜")).await;
    assert!(text_of(&interests).contains("複数選べます"));
    assert!(
        h.attributes(USER).await.is_empty(),
        "nothing is kept before the end"
    );
    let after_one = h.postback(USER, &tap(&interests, "防災")).await;
    let after_two = h.postback(USER, &tap(&after_one, "子育て")).await;
    assert!(text_of(&after_two).contains("選択中：子育て・防災"));
    assert!(buttons(&after_two).iter().any(|(l, _)| l == "✓防災"));
    let done = h.postback(USER, &tap(&after_two, "決定")).await;
    let summary = text_of(&done);
    assert!(summary.contains("登録しました"), "{summary}");
    assert!(summary.contains("居住地区：雲浜"), "{summary}");
    assert!(summary.contains("登録変更"), "{summary}");
    assert_eq!(
        h.attributes(USER).await,
        values(&[
            ("age_group", &["30代"]),
            ("gender", &["女性"]),
            ("district", &["雲浜"]),
            ("interests", &["子育て", "防災"]),
        ])
    );
    let mut usage = Vec::new();
    let today = h.clock.now().date_naive();
    UsageEvents::new(h.platform.table.clone())
        .each_between(today.pred_opt().unwrap(), today.succ_opt().unwrap(), |e| {
            usage.push(e)
        })
        .await
        .unwrap();
    assert!(usage
        .iter()
        .any(|e| e.kind == UsageKind::SegmentRegistration
            && e.attributes.get("district") == Some(&vec!["雲浜".to_string()])));
}

#[tokio::test]
async fn skipped_questions_are_not_registered_and_toggling_twice_unselects() {
    let h = harness().await;
    let first = h.text(USER, "登録").await;
    let gender = h.postback(USER, &tap(&first, "スキップ")).await;
    let district = h.postback(USER, &tap(&gender, "スキップ")).await;
    let interests = h.postback(USER, &tap(&district, "西津")).await;
    let on = h.postback(USER, &tap(&interests, "観光")).await;
    let off = h.postback(USER, &tap(&on, "✓観光")).await;
    assert!(!text_of(&off).contains("選択中"));
    let again = h.postback(USER, &tap(&off, "健康")).await;
    let done = h.postback(USER, &tap(&again, "決定")).await;
    assert!(text_of(&done).contains("年代：未回答"));
    assert_eq!(
        h.attributes(USER).await,
        values(&[("district", &["西津"]), ("interests", &["健康"])])
    );
}

#[tokio::test]
async fn a_button_from_an_earlier_question_asks_the_current_one_again() {
    let h = harness().await;
    let first = h.text(USER, "登録").await;
    let stale = tap(&first, "20代");
    h.postback(USER, &stale).await;
    let again = h.postback(USER, &stale).await;
    assert!(
        text_of(&again).contains("（2/4）性別"),
        "{}",
        text_of(&again)
    );
    assert!(h.attributes(USER).await.is_empty());
}

#[tokio::test]
async fn citizens_see_and_delete_their_registration_and_deletion_clears_it() {
    let h = harness().await;
    let none = h.text(USER, "登録内容").await;
    assert!(text_of(&none).contains("まだ登録されていません"));
    let mut step = h.postback(USER, "reg:start").await;
    for label in ["40代", "男性", "加斗", "決定"] {
        step = h.postback(USER, &tap(&step, label)).await;
    }
    let shown = h.postback(USER, "reg:show").await;
    assert!(text_of(&shown).contains("居住地区：加斗"));
    assert!(text_of(&shown).contains("関心：未回答"));
    let confirm = h.text(USER, "登録削除").await;
    assert_eq!(
        buttons(&confirm),
        vec![
            ("削除する".to_string(), "reg:delete:yes".to_string()),
            ("やめる".to_string(), "reg:delete:no".to_string())
        ]
    );
    let kept = h.postback(USER, "reg:delete:no").await;
    assert!(text_of(&kept).contains("そのまま"));
    assert_eq!(h.attributes(USER).await.len(), 3);
    let deleted = h.postback(USER, &tap(&confirm, "削除する")).await;
    assert!(text_of(&deleted).contains("削除しました"));
    assert!(h.attributes(USER).await.is_empty());
}

#[tokio::test]
async fn a_retired_item_is_not_asked_and_friends_keep_their_earlier_answer() {
    let h = harness().await;
    let mut step = h.text(USER, "登録").await;
    for label in ["20代", "回答しない", "小浜", "決定"] {
        step = h.postback(USER, &tap(&step, label)).await;
    }
    let record = SegmentItemsRecord::new(h.platform.table.clone());
    record
        .update(|items| items.set_item_retired("gender", true))
        .await
        .unwrap()
        .unwrap();
    record
        .update(|items| items.set_choice_retired("district", 0, true))
        .await
        .unwrap()
        .unwrap();
    let first = h.text(USER, "登録変更").await;
    assert!(text_of(&first).contains("（1/3）年代"));
    let district = h.postback(USER, &tap(&first, "60代")).await;
    assert!(text_of(&district).contains("（2/3）お住まいの地区"));
    assert!(!buttons(&district).iter().any(|(l, _)| l == "小浜"));
    assert_eq!(buttons(&district).len(), 12);
    let interests = h.postback(USER, &tap(&district, "遠敷")).await;
    h.postback(USER, &tap(&interests, "スキップ")).await;
    assert_eq!(
        h.attributes(USER).await,
        values(&[
            ("age_group", &["60代"]),
            ("gender", &["回答しない"]),
            ("district", &["遠敷"]),
        ])
    );
}

/// The raw stored items of `user`: their friend record and a questionnaire in progress.
async fn stored_text(h: &Harness, user: &str) -> String {
    let mut text = String::new();
    for (pk, sk) in [
        (format!("FRIEND#{user}"), "PROFILE"),
        (format!("REGISTRATION#{user}"), "PROGRESS"),
    ] {
        if let Some(item) = h.platform.table.get(&pk, sk).await.unwrap() {
            text.push_str(&item.body.to_string());
        }
    }
    text
}

#[tokio::test]
async fn answers_given_in_the_chat_are_stored_sealed_while_asked_and_once_registered() {
    let h = harness().await;
    let invitation = follow(&h).await;
    let first = h.postback(USER, &tap(&invitation, "登録する")).await;
    let gender = h.postback(USER, &tap(&first, "30代")).await;
    let mid = stored_text(&h, USER).await;
    assert!(mid.contains("sealed"), "the questionnaire is kept: {mid}");
    assert!(!mid.contains("30代"), "in progress: {mid}");
    let district = h.postback(USER, &tap(&gender, "女性")).await;
    let interests = h.postback(USER, &tap(&district, "雲浜")).await;
    let chosen = h.postback(USER, &tap(&interests, "防災")).await;
    h.postback(USER, &tap(&chosen, "決定")).await;
    assert_eq!(h.attributes(USER).await["district"], ["雲浜"]);
    let done = stored_text(&h, USER).await;
    for plain in ["30代", "女性", "雲浜", "防災"] {
        assert!(!done.contains(plain), "{plain} in {done}");
    }
}
