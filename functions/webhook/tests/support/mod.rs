//! The webhook's real router as LINE drives it: embedded storage on a ManualClock, signed event
//! bodies posted to /line/webhook, and the bot's replies going through the LINE client to the
//! fake LINE server, which checks every request against LINE's OpenAPI spec. Shared by the
//! webhook test files.
#![allow(dead_code)] // each test binary uses its own part of this module

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_fake_line::{FakeLine, RecordedRequest};
use tayori_line::signature::sign;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Clock, ManualClock, Platform, TableStore};
use tayori_records::Friends;
use tayori_webhook::{router, WebhookState};
use tower::ServiceExt;

/// The channel secret the harness's router verifies signatures with.
pub const SECRET: &str = "test-channel-secret";
pub const CITY: &str = "小浜市";

pub struct Harness {
    pub app: axum::Router,
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
    pub fake: FakeLine,
    /// The bus, with the webhook's own handler of the events it had no time to start, as
    /// template.yaml routes them back to it.
    pub bus: Arc<embedded::InProcessBus>,
    /// Numbers the events `send` makes up, so each has its own id and reply token.
    seq: AtomicU64,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// The webhook on fresh storage, its clock standing at `start` until a test moves it.
    pub async fn at(start: DateTime<Utc>) -> Harness {
        Harness::configured(start, |state| state).await
    }

    /// As [`Harness::at`], with `configure` applied to the state before the router is built.
    pub async fn configured(
        start: DateTime<Utc>,
        configure: impl FnOnce(WebhookState) -> WebhookState,
    ) -> Harness {
        Harness::built(start, |table| table, configure).await
    }

    /// As [`Harness::at`], every table call going through `wrap`'s store (which watches the
    /// embedded one it is given, e.g. to count writes).
    pub async fn on_table(
        start: DateTime<Utc>,
        wrap: impl FnOnce(Arc<dyn TableStore>) -> Arc<dyn TableStore>,
    ) -> Harness {
        Harness::built(start, wrap, |state| state).await
    }

    /// [`Harness::on_table`] and [`Harness::configured`] together.
    pub async fn built(
        start: DateTime<Utc>,
        wrap: impl FnOnce(Arc<dyn TableStore>) -> Arc<dyn TableStore>,
        configure: impl FnOnce(WebhookState) -> WebhookState,
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let (mut platform, bus) = embedded::platform(dir.path(), clock.clone()).unwrap();
        platform.table = wrap(platform.table);
        let fake = FakeLine::new();
        let (base, _server) = fake.serve().await;
        let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
        let state = configure(WebhookState::new(
            platform.clone(),
            line,
            SECRET.into(),
            CITY,
        ));
        let state = Arc::new(state);
        bus.subscribe(
            tayori_webhook::deferred::DETAIL_TYPE,
            Arc::new(tayori_webhook::deferred::DeferredEvents::new(state.clone())),
        );
        Harness {
            app: router(state),
            platform,
            clock,
            fake,
            bus,
            seq: AtomicU64::new(0),
            _dir: dir,
        }
    }

    /// An active `kind` event from `user` as LINE sends it, stamped with the clock's time and
    /// replyable with `token-{id}`; `extra` adds the kind's own fields.
    pub fn event(&self, user: &str, kind: &str, id: &str, extra: Value) -> Value {
        let mut e = json!({
            "type": kind,
            "mode": "active",
            "timestamp": self.clock.now().timestamp_millis(),
            "source": {"type": "user", "userId": user},
            "webhookEventId": id,
            "deliveryContext": {"isRedelivery": false},
            "replyToken": format!("token-{id}"),
        });
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        e
    }

    /// Posts `events` in one body signed with the channel secret; answers the status.
    pub async fn deliver(&self, events: Vec<Value>) -> StatusCode {
        let raw = body(events);
        let signature = sign(SECRET, &raw);
        post(&self.app, raw, Some(signature)).await
    }

    /// Sends one `kind` event from `user` and answers the messages of the bot's one reply to it.
    pub async fn send(&self, user: &str, kind: &str, extra: Value) -> Vec<Value> {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let event = self.event(user, kind, &format!("01SEND{n:06}"), extra);
        assert_eq!(self.deliver(vec![event.clone()]).await, StatusCode::OK);
        self.reply_to(&event).body["messages"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// `user` sends `text` in the chat; answers the messages of the bot's reply.
    pub async fn text(&self, user: &str, text: &str) -> Vec<Value> {
        self.send(
            user,
            "message",
            json!({"message": {"type": "text", "id": "1", "quoteToken": "q", "text": text}}),
        )
        .await
    }

    /// `user` taps a button carrying `data`; answers the messages of the bot's reply.
    pub async fn postback(&self, user: &str, data: &str) -> Vec<Value> {
        self.send(user, "postback", json!({"postback": {"data": data}}))
            .await
    }

    /// Every reply request the fake LINE has received, in order.
    pub fn replies(&self) -> Vec<RecordedRequest> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.path == "/v2/bot/message/reply")
            .collect()
    }

    /// The one reply to `event` (matched by its reply token), which LINE accepted (200) and the
    /// fake found nothing in against LINE's spec.
    pub fn reply_to(&self, event: &Value) -> RecordedRequest {
        let token = &event["replyToken"];
        let mut replies: Vec<_> = self
            .replies()
            .into_iter()
            .filter(|r| &r.body["replyToken"] == token)
            .collect();
        assert_eq!(replies.len(), 1, "one reply to {event}");
        let reply = replies.remove(0);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert!(reply.schema_errors.is_empty(), "{:?}", reply.schema_errors);
        reply
    }

    /// The attributes registered for `user`; none for someone not (or no longer) registered.
    pub async fn attributes(&self, user: &str) -> BTreeMap<String, Vec<String>> {
        Friends::new(&self.platform)
            .get(user)
            .await
            .unwrap()
            .map(|f| f.attributes)
            .unwrap_or_default()
    }
}

/// A webhook body carrying `events`, as LINE sends it.
pub fn envelope(events: Vec<Value>) -> Value {
    json!({"destination": "U00000000000000000000000000000000", "events": events})
}

/// The bytes of [`envelope`], compact.
pub fn body(events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&envelope(events)).unwrap()
}

/// Posts `raw` to `app`'s webhook with `signature` (none: no header); answers the status.
pub async fn post(app: &axum::Router, raw: Vec<u8>, signature: Option<String>) -> StatusCode {
    let mut req = Request::post("/line/webhook").header("content-type", "application/json");
    if let Some(s) = signature {
        req = req.header("x-line-signature", s);
    }
    app.clone()
        .oneshot(req.body(Body::from(raw)).unwrap())
        .await
        .unwrap()
        .status()
}

/// A reply as the citizen reads it: the last message's text and its buttons.
pub type Answer = (String, Vec<(String, String)>);

/// The text of the last message of a reply and its buttons.
pub fn answer(messages: &[Value]) -> Answer {
    let text = messages.last().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    (text, buttons(messages))
}

/// The labels of `buttons`, in order.
pub fn labels(buttons: &[(String, String)]) -> Vec<&str> {
    buttons.iter().map(|(l, _)| l.as_str()).collect()
}

impl Harness {
    /// `user` sends `text`: the reply's text and buttons.
    pub async fn ask(&self, user: &str, text: &str) -> Answer {
        answer(&self.text(user, text).await)
    }

    /// `user` taps a button carrying `data`: the reply's text and buttons.
    pub async fn tap(&self, user: &str, data: &str) -> Answer {
        answer(&self.postback(user, data).await)
    }
}

/// The quick reply buttons of the last message: (label, postback data).
pub fn buttons(messages: &[Value]) -> Vec<(String, String)> {
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

/// The postback data of the button labelled `label`.
pub fn data_of<'a>(buttons: &'a [(String, String)], label: &str) -> &'a str {
    &buttons
        .iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no button {label} in {buttons:?}"))
        .1
}
