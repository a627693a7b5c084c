//! 「テスター登録 <code>」 from LINE, end to end: a code issued as the console does, a signed
//! webhook into the real router, embedded storage, and the reply as the fake LINE received it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_fake_line::FakeLine;
use tayori_line::signature::sign;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, ManualClock, Platform};
use tayori_records::testers::{CODE_MINUTES, MAX_WRONG_CODES};
use tayori_records::Testers;
use tayori_webhook::testers::{
    ALREADY_REGISTERED, HOW_TO, REGISTERED, TOO_MANY_WRONG_CODES, WRONG_OR_EXPIRED,
};
use tayori_webhook::{router, WebhookState};
use tower::ServiceExt;

const SECRET: &str = "test-channel-secret";
const CLERK: &str = "U0123456789abcdef0123456789abcdef";
const COLLEAGUE: &str = "Ufedcba9876543210fedcba9876543210";

struct Harness {
    app: axum::Router,
    platform: Platform,
    clock: Arc<ManualClock>,
    fake: FakeLine,
    seq: AtomicU64,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let (platform, _bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig {
        api_base: base.clone(),
        data_api_base: base,
        channel_access_token: "test-token".into(),
        ..LineConfig::default()
    }));
    let state = WebhookState::new(platform.clone(), line, SECRET.into(), "小浜市");
    Harness {
        app: router(Arc::new(state)),
        platform,
        clock,
        fake,
        seq: AtomicU64::new(0),
        _dir: dir,
    }
}

impl Harness {
    fn testers(&self) -> Testers {
        Testers::new(self.platform.table.clone())
    }

    /// The code the console would show `staff`.
    async fn issue(&self, staff: &str) -> String {
        self.testers()
            .issue_code(staff, self.clock.now())
            .await
            .unwrap()
    }

    /// `user` sends `text`; answers the text of the bot's one reply.
    async fn says(&self, user: &str, text: &str) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let id = format!("01TESTER{n:06}");
        let token = format!("token-{id}");
        let event = json!({
            "type": "message",
            "mode": "active",
            "timestamp": self.clock.now().timestamp_millis(),
            "source": {"type": "user", "userId": user},
            "webhookEventId": id,
            "deliveryContext": {"isRedelivery": false},
            "replyToken": token,
            "message": {"type": "text", "id": "1", "quoteToken": "q", "text": text},
        });
        let raw = serde_json::to_vec(
            &json!({"destination": "U00000000000000000000000000000000", "events": [event]}),
        )
        .unwrap();
        let request = Request::post("/line/webhook")
            .header("content-type", "application/json")
            .header("x-line-signature", sign(SECRET, &raw))
            .body(Body::from(raw))
            .unwrap();
        let status = self.app.clone().oneshot(request).await.unwrap().status();
        assert_eq!(status, StatusCode::OK);
        let replies: Vec<_> = self
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.path == "/v2/bot/message/reply" && r.body["replyToken"] == token)
            .collect();
        assert_eq!(replies.len(), 1, "one reply to {text}");
        assert!(
            replies[0].schema_errors.is_empty(),
            "{:?}",
            replies[0].schema_errors
        );
        let messages: &Vec<Value> = replies[0].body["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 1);
        messages[0]["text"].as_str().unwrap().to_string()
    }
}

/// The code as a phone's Japanese keyboard may type it: full-width digits after a full-width space.
fn full_width(code: &str) -> String {
    let digits: String = code
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect();
    format!("テスター登録　{digits}")
}

#[tokio::test]
async fn a_clerk_sends_the_code_in_full_width_and_their_line_becomes_a_tester_of_theirs() {
    let h = harness().await;
    let code = h.issue("tanaka").await;
    assert_eq!(h.says(CLERK, &full_width(&code)).await, REGISTERED);
    let testers = h.testers().get().await.unwrap();
    assert_eq!(testers.len(), 1);
    assert_eq!(testers[0].user_id, CLERK);
    assert_eq!(testers[0].staff, "tanaka");
    assert_eq!(testers[0].added_at, h.clock.now());
}

#[tokio::test]
async fn a_used_a_wrong_or_an_expired_code_registers_nobody() {
    let h = harness().await;
    let code = h.issue("tanaka").await;
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {code}")).await,
        REGISTERED
    );
    // A code works once.
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {code}")).await,
        WRONG_OR_EXPIRED
    );
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {wrong}")).await,
        WRONG_OR_EXPIRED
    );
    let late = h.issue("suzuki").await;
    h.clock.advance(Duration::minutes(CODE_MINUTES));
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {late}")).await,
        WRONG_OR_EXPIRED
    );
    let testers = h.testers().get().await.unwrap();
    assert_eq!(testers.len(), 1, "{testers:?}");
    assert_eq!(testers[0].user_id, CLERK);
}

#[tokio::test]
async fn someone_guessing_codes_is_stopped_and_told_to_wait_while_the_clerk_still_registers() {
    let h = harness().await;
    let code = h.issue("tanaka").await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..MAX_WRONG_CODES {
        assert_eq!(
            h.says(COLLEAGUE, &format!("テスター登録 {wrong}")).await,
            WRONG_OR_EXPIRED
        );
    }
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {code}")).await,
        TOO_MANY_WRONG_CODES
    );
    assert!(h.testers().get().await.unwrap().is_empty());
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {code}")).await,
        REGISTERED
    );
}

#[tokio::test]
async fn an_account_already_registered_is_told_so_and_leaves_the_code_for_a_colleague() {
    let h = harness().await;
    let first = h.issue("tanaka").await;
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {first}")).await,
        REGISTERED
    );
    let second = h.issue("tanaka").await;
    assert_eq!(
        h.says(CLERK, &format!("テスター登録 {second}")).await,
        ALREADY_REGISTERED
    );
    assert_eq!(
        h.says(COLLEAGUE, &format!("テスター登録 {second}")).await,
        REGISTERED
    );
    assert_eq!(h.testers().get().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_keyword_alone_explains_what_to_send_and_registers_nobody() {
    let h = harness().await;
    assert_eq!(h.says(CLERK, "テスター登録").await, HOW_TO);
    assert!(h.testers().get().await.unwrap().is_empty());
}
