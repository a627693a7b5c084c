//! Lambda freezes the environment as soon as the handler answers, so the webhook must not leave
//! work running after its answer to LINE: events it has no time to start are handed to the
//! event bus before it answers, and handled from there exactly once.
//!
//! The table here is slow on purpose (every call waits), so that a batch of 20 events cannot be
//! handled within the time budget; the bus only records what was published, so the test decides
//! when the bus handler runs.

use crate::support;

use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tayori_adapters::embedded;
use tayori_fake_line::FakeLine;
use tayori_line::signature::sign;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{
    BusError, Condition, Event, EventBus, Item, ManualClock, Page, Platform, Query, StoreError,
    TableStore, Write,
};
use tayori_webhook::{router, WebhookState};

use support::{body, post, SECRET};

/// How long every table call of the slow table takes.
const LATENCY: Duration = Duration::from_millis(60);
/// LINE wants its answer within 2 s.
const LINES_LIMIT: Duration = Duration::from_secs(2);

/// A table that takes [`LATENCY`] for every call and counts them.
struct SlowTable {
    inner: Arc<dyn TableStore>,
    calls: AtomicUsize,
}

impl SlowTable {
    async fn wait(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(LATENCY).await;
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl TableStore for SlowTable {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.wait().await;
        self.inner.get(pk, sk).await
    }
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.wait().await;
        self.inner.put(item, condition).await
    }
    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        self.wait().await;
        self.inner.delete(pk, sk, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.wait().await;
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.wait().await;
        self.inner.transact(writes).await
    }
}

/// A bus that keeps what was published (or refuses everything, when told to).
#[derive(Default)]
struct RecordingBus {
    published: Mutex<Vec<Event>>,
    refuse: AtomicBool,
}

#[async_trait]
impl EventBus for RecordingBus {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        if self.refuse.load(Ordering::SeqCst) {
            return Err(BusError::Unavailable("the bus is down".into()));
        }
        for event in &events {
            tayori_ports::bus::validate_event(event)?;
        }
        self.published.lock().unwrap().extend(events);
        Ok(())
    }
}

struct Webhook {
    app: axum::Router,
    state: Arc<WebhookState>,
    table: Arc<SlowTable>,
    bus: Arc<RecordingBus>,
    fake: FakeLine,
    _dir: tempfile::TempDir,
}

async fn webhook() -> Webhook {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let (embedded, _in_process) = embedded::platform(dir.path(), clock.clone()).unwrap();
    let table = Arc::new(SlowTable {
        inner: embedded.table.clone(),
        calls: AtomicUsize::new(0),
    });
    let bus = Arc::new(RecordingBus::default());
    let platform = Platform {
        table: table.clone(),
        bus: bus.clone(),
        ..embedded
    };
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
    let state = Arc::new(WebhookState::new(platform, line, SECRET.into(), "小浜市"));
    Webhook {
        app: router(state.clone()),
        state,
        table,
        bus,
        fake,
        _dir: dir,
    }
}

/// 20 texts from 4 citizens, five each, as one batch.
fn twenty_texts() -> Vec<Value> {
    (0..20)
        .map(|n| {
            json!({
                "type": "message",
                "mode": "active",
                "timestamp": Utc::now().timestamp_millis(),
                "source": {"type": "user", "userId": format!("U{:032x}", n % 4)},
                "webhookEventId": format!("01BUDGET{n:018}"),
                "deliveryContext": {"isRedelivery": false},
                "replyToken": format!("token-{n}"),
                "message": {"type": "text", "id": format!("{n}"), "quoteToken": "q", "text": "こんにちは"},
            })
        })
        .collect()
}

impl Webhook {
    async fn deliver(&self, events: &[Value]) -> (StatusCode, Duration) {
        let raw = body(events.to_vec());
        let signature = sign(SECRET, &raw);
        let started = Instant::now();
        let status = post(&self.app, raw, Some(signature)).await;
        (status, started.elapsed())
    }

    /// How many replies each reply token got.
    fn replies_per_token(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for r in self.fake.requests() {
            if r.path == "/v2/bot/message/reply" {
                let token = r.body["replyToken"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                *counts.entry(token).or_insert(0) += 1;
            }
        }
        counts
    }

    fn published(&self) -> Vec<Event> {
        self.bus.published.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn a_slow_batch_is_answered_in_time_with_the_rest_on_the_bus_and_nothing_runs_after_the_answer(
) {
    let webhook = webhook().await;
    let (status, took) = webhook.deliver(&twenty_texts()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < LINES_LIMIT, "answered after {took:?}");

    // After the answer nothing of the webhook's is still at work: the table and LINE stay
    // untouched until the bus handler runs.
    let calls_at_answer = webhook.table.calls();
    let line_requests_at_answer = webhook.fake.requests().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        webhook.table.calls(),
        calls_at_answer,
        "table used after the answer"
    );
    assert_eq!(webhook.fake.requests().len(), line_requests_at_answer);

    // What was not started went on the bus, as the events' own JSON.
    let published = webhook.published();
    assert!(!published.is_empty(), "nothing was handed to the bus");
    assert!(published
        .iter()
        .all(|e| e.detail_type == tayori_webhook::deferred::DETAIL_TYPE));
    let deferred: Vec<Value> = published
        .iter()
        .flat_map(|e| e.detail["events"].as_array().unwrap().clone())
        .collect();
    let handled_now = webhook.replies_per_token().len();
    assert!(
        handled_now > 0,
        "some events were handled before the answer"
    );
    assert_eq!(handled_now + deferred.len(), 20);

    // The bus handler handles the rest; every event is then answered exactly once.
    let handler = tayori_webhook::deferred::DeferredEvents::new(webhook.state.clone());
    for event in published {
        tayori_ports::EventHandler::handle(&handler, event)
            .await
            .unwrap();
    }
    let replies = webhook.replies_per_token();
    assert_eq!(replies.len(), 20, "{replies:?}");
    assert!(replies.values().all(|&n| n == 1), "{replies:?}");
}

#[tokio::test]
async fn each_citizens_events_are_handled_in_the_order_sent_even_across_the_bus() {
    let webhook = webhook().await;
    let events: Vec<Value> = twenty_texts()
        .into_iter()
        .enumerate()
        .map(|(n, mut e)| {
            e["source"]["userId"] = json!("U0000000000000000000000000000000a");
            e["message"]["text"] = json!(format!("{n}"));
            e
        })
        .collect();
    webhook.deliver(&events).await;
    let deferred: Vec<String> = webhook
        .published()
        .iter()
        .flat_map(|e| e.detail["events"].as_array().unwrap().clone())
        .map(|e| e["webhookEventId"].as_str().unwrap().to_string())
        .collect();
    assert!(!deferred.is_empty());
    // The events left for the bus are the last ones of the batch, in order.
    let ids: Vec<String> = events
        .iter()
        .map(|e| e["webhookEventId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(deferred, ids[ids.len() - deferred.len()..]);
}

#[tokio::test]
async fn when_the_bus_refuses_line_gets_500_and_its_redelivery_handles_each_event_once() {
    let webhook = webhook().await;
    webhook.bus.refuse.store(true, Ordering::SeqCst);
    let events = twenty_texts();
    let (status, _) = webhook.deliver(&events).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let handled_first = webhook.replies_per_token().len();
    assert!(handled_first < 20);

    // LINE redelivers the batch; this time the bus takes what is left over.
    webhook.bus.refuse.store(false, Ordering::SeqCst);
    let mut again = events.clone();
    for e in &mut again {
        e["deliveryContext"]["isRedelivery"] = json!(true);
    }
    let (status, _) = webhook.deliver(&again).await;
    assert_eq!(status, StatusCode::OK);
    let handler = tayori_webhook::deferred::DeferredEvents::new(webhook.state.clone());
    for event in webhook.published() {
        tayori_ports::EventHandler::handle(&handler, event)
            .await
            .unwrap();
    }
    let replies = webhook.replies_per_token();
    assert_eq!(replies.len(), 20, "{replies:?}");
    assert!(replies.values().all(|&n| n == 1), "{replies:?}");
}

#[tokio::test]
async fn a_deferred_event_from_eventbridge_is_answered_once_however_often_it_arrives() {
    let webhook = webhook().await;
    let routes = tayori_runtime::EventRoutes::default().on(
        tayori_webhook::deferred::DETAIL_TYPE,
        Arc::new(tayori_webhook::deferred::DeferredEvents::new(
            webhook.state.clone(),
        )),
    );
    let envelope: Value = serde_json::from_str(include_str!(
        "../../../events/bus/line-events-deferred.json"
    ))
    .unwrap();
    for _ in 0..2 {
        let event = tayori_runtime::from_event_bridge(&envelope).unwrap();
        routes.dispatch(event).await.unwrap();
    }
    let replies = webhook.replies_per_token();
    assert_eq!(
        replies.get("sample-reply-token-message-0009"),
        Some(&1),
        "{replies:?}"
    );
}
