//! Citizen registration in the chat, end to end: signed webhooks into the real router, embedded
//! storage, replies through the LINE client to the fake LINE server (which checks every reply
//! against LINE's OpenAPI spec).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::usage::UsageKind;
use tayori_fake_line::FakeLine;
use tayori_line::signature::sign;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, Platform, SystemClock};
use tayori_records::{Friends, SegmentItemsRecord, UsageEvents};
use tayori_webhook::{router, WebhookState};
use tower::ServiceExt;

const SECRET: &str = "test-channel-secret";
const USER: &str = "U4af4980629d2a1b2c3d4e5f60718293a";
const POLICY: &str = "https://tayori.example.jp/liff/privacy";

struct Harness {
    app: axum::Router,
    platform: Platform,
    fake: FakeLine,
    seq: AtomicU64,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (platform, _bus) = embedded::platform(dir.path(), clock).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig {
        api_base: base.clone(),
        data_api_base: base,
        channel_access_token: "test-token".into(),
        ..LineConfig::default()
    }));
    let state = WebhookState::new(platform.clone(), line, SECRET.into(), "小浜市")
        .with_privacy_policy_url(POLICY);
    Harness {
        app: router(Arc::new(state)),
        platform,
        fake,
        seq: AtomicU64::new(0),
        _dir: dir,
    }
}

impl Harness {
    /// Sends one event as LINE would and answers the messages of the bot's reply to it.
    async fn send(&self, kind: &str, extra: Value) -> Vec<Value> {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let id = format!("01REG{n:06}");
        let mut e = json!({
            "type": kind,
            "mode": "active",
            "timestamp": Utc::now().timestamp_millis(),
            "source": {"type": "user", "userId": USER},
            "webhookEventId": id,
            "deliveryContext": {"isRedelivery": false},
            "replyToken": format!("token-{id}"),
        });
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        let raw = serde_json::to_vec(
            &json!({"destination": "U00000000000000000000000000000000", "events": [e]}),
        )
        .unwrap();
        let request = Request::post("/line/webhook")
            .header("content-type", "application/json")
            .header("x-line-signature", sign(SECRET, &raw))
            .body(Body::from(raw))
            .unwrap();
        let status = self.app.clone().oneshot(request).await.unwrap().status();
        assert_eq!(status, StatusCode::OK);
        let token = format!("token-{id}");
        let replies: Vec<_> = self
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.path == "/v2/bot/message/reply" && r.body["replyToken"] == token)
            .collect();
        assert_eq!(replies.len(), 1, "one reply to {kind} {extra}");
        assert_eq!(replies[0].status, 200, "{}", replies[0].body);
        assert!(
            replies[0].schema_errors.is_empty(),
            "{:?}",
            replies[0].schema_errors
        );
        replies[0].body["messages"].as_array().unwrap().clone()
    }

    async fn follow(&self) -> Vec<Value> {
        self.send("follow", json!({"follow": {"isUnblocked": false}}))
            .await
    }

    async fn postback(&self, data: &str) -> Vec<Value> {
        self.send("postback", json!({"postback": {"data": data}}))
            .await
    }

    async fn text(&self, text: &str) -> Vec<Value> {
        self.send(
            "message",
            json!({"message": {"type": "text", "id": "1", "quoteToken": "q", "text": text}}),
        )
        .await
    }

    async fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        Friends::new(self.platform.table.clone())
            .get(USER)
            .await
            .unwrap()
            .map(|f| f.attributes)
            .unwrap_or_default()
    }
}

/// The quick reply buttons of the last message: (label, postback data).
fn buttons(messages: &[Value]) -> Vec<(String, String)> {
    messages.last().unwrap()["quickReply"]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["action"]["label"].as_str().unwrap().to_string(),
                        i["action"]["data"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The postback data of the button labelled `label` under the last message.
fn tap(messages: &[Value], label: &str) -> String {
    buttons(messages)
        .into_iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no button {label} in {:?}", buttons(messages)))
        .1
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
    let messages = h.follow().await;
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
    let later = h.postback("reg:later").await;
    assert!(text_of(&later).contains("いつでも"));
    assert!(h.attributes().await.is_empty());
}

#[tokio::test]
async fn answering_every_question_by_button_registers_exactly_those_answers() {
    let h = harness().await;
    let invitation = h.follow().await;
    let first = h.postback(&tap(&invitation, "登録する")).await;
    assert!(text_of(&first).contains("（1/4）年代を教えてください。"));
    // 7 ages + スキップ.
    assert_eq!(buttons(&first).len(), 8);
    let gender = h.postback(&tap(&first, "30代")).await;
    assert!(text_of(&gender).contains("（2/4）性別"));
    let district = h.postback(&tap(&gender, "女性")).await;
    // 12 地区 + スキップ: LINE's 13 buttons exactly.
    assert_eq!(buttons(&district).len(), 13);
    assert!(buttons(&district).iter().all(|(_, data)| data.len() <= 300));
    let interests = h.postback(&tap(&district, "雲浜")).await;
    assert!(text_of(&interests).contains("複数選べます"));
    assert!(
        h.attributes().await.is_empty(),
        "nothing is kept before the end"
    );
    let after_one = h.postback(&tap(&interests, "防災")).await;
    let after_two = h.postback(&tap(&after_one, "子育て")).await;
    assert!(text_of(&after_two).contains("選択中：子育て・防災"));
    assert!(buttons(&after_two).iter().any(|(l, _)| l == "✓防災"));
    let done = h.postback(&tap(&after_two, "決定")).await;
    let summary = text_of(&done);
    assert!(summary.contains("登録しました"), "{summary}");
    assert!(summary.contains("居住地区：雲浜"), "{summary}");
    assert!(summary.contains("登録変更"), "{summary}");
    assert_eq!(
        h.attributes().await,
        values(&[
            ("age_group", &["30代"]),
            ("gender", &["女性"]),
            ("district", &["雲浜"]),
            ("interests", &["子育て", "防災"]),
        ])
    );
    let mut usage = Vec::new();
    let today = Utc::now().date_naive();
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
    let first = h.text("登録").await;
    let gender = h.postback(&tap(&first, "スキップ")).await;
    let district = h.postback(&tap(&gender, "スキップ")).await;
    let interests = h.postback(&tap(&district, "西津")).await;
    let on = h.postback(&tap(&interests, "観光")).await;
    let off = h.postback(&tap(&on, "✓観光")).await;
    assert!(!text_of(&off).contains("選択中"));
    let again = h.postback(&tap(&off, "健康")).await;
    let done = h.postback(&tap(&again, "決定")).await;
    assert!(text_of(&done).contains("年代：未回答"));
    assert_eq!(
        h.attributes().await,
        values(&[("district", &["西津"]), ("interests", &["健康"])])
    );
}

#[tokio::test]
async fn a_button_from_an_earlier_question_asks_the_current_one_again() {
    let h = harness().await;
    let first = h.text("登録").await;
    let stale = tap(&first, "20代");
    h.postback(&stale).await;
    let again = h.postback(&stale).await;
    assert!(
        text_of(&again).contains("（2/4）性別"),
        "{}",
        text_of(&again)
    );
    assert!(h.attributes().await.is_empty());
}

#[tokio::test]
async fn citizens_see_and_delete_their_registration_and_deletion_clears_it() {
    let h = harness().await;
    let none = h.text("登録内容").await;
    assert!(text_of(&none).contains("まだ登録されていません"));
    let mut step = h.postback("reg:start").await;
    for label in ["40代", "男性", "加斗", "決定"] {
        step = h.postback(&tap(&step, label)).await;
    }
    let shown = h.postback("reg:show").await;
    assert!(text_of(&shown).contains("居住地区：加斗"));
    assert!(text_of(&shown).contains("関心：未回答"));
    let confirm = h.text("登録削除").await;
    assert_eq!(
        buttons(&confirm),
        vec![
            ("削除する".to_string(), "reg:delete:yes".to_string()),
            ("やめる".to_string(), "reg:delete:no".to_string())
        ]
    );
    let kept = h.postback("reg:delete:no").await;
    assert!(text_of(&kept).contains("そのまま"));
    assert_eq!(h.attributes().await.len(), 3);
    let deleted = h.postback(&tap(&confirm, "削除する")).await;
    assert!(text_of(&deleted).contains("削除しました"));
    assert!(h.attributes().await.is_empty());
}

#[tokio::test]
async fn a_retired_item_is_not_asked_and_friends_keep_their_earlier_answer() {
    let h = harness().await;
    let mut step = h.text("登録").await;
    for label in ["20代", "回答しない", "小浜", "決定"] {
        step = h.postback(&tap(&step, label)).await;
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
    let first = h.text("登録変更").await;
    assert!(text_of(&first).contains("（1/3）年代"));
    let district = h.postback(&tap(&first, "60代")).await;
    assert!(text_of(&district).contains("（2/3）お住まいの地区"));
    assert!(!buttons(&district).iter().any(|(l, _)| l == "小浜"));
    assert_eq!(buttons(&district).len(), 12);
    let interests = h.postback(&tap(&district, "遠敷")).await;
    h.postback(&tap(&interests, "スキップ")).await;
    assert_eq!(
        h.attributes().await,
        values(&[
            ("age_group", &["60代"]),
            ("gender", &["回答しない"]),
            ("district", &["遠敷"]),
        ])
    );
}
