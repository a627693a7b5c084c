//! A redelivered event costs no write: LINE redelivers events whose answer it did not hear,
//! most of which were handled the first time, and on DynamoDB even a refused conditional put
//! is a billed write. The store is watched through a wrapper that counts every write it is
//! asked for (puts, deletes and transactions, whether or not their condition holds).

use crate::support::Harness;

use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tayori_ports::{Condition, Item, Page, Query, StoreError, TableStore, Write};

/// The embedded table, counting the writes asked of it.
struct CountingWrites {
    inner: Arc<dyn TableStore>,
    writes: Arc<AtomicUsize>,
}

#[async_trait]
impl TableStore for CountingWrites {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.inner.get(pk, sk).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.put(item, condition).await
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(pk, sk, condition).await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.transact(writes).await
    }
}

async fn counting_harness() -> (Harness, Arc<AtomicUsize>) {
    let writes = Arc::new(AtomicUsize::new(0));
    let counter = writes.clone();
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-03T12:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc);
    let h = Harness::on_table(start, move |inner| {
        Arc::new(CountingWrites {
            inner,
            writes: counter,
        })
    })
    .await;
    (h, writes)
}

/// A citizen who follows, writes, taps the menu and sends a location, and a second one who
/// writes: every kind of event that updates a friend, counts usage or is answered. All but the
/// location are answered here; the location goes to the shelters function on the bus.
fn mixed_events(h: &Harness) -> Vec<Value> {
    let a = "U0000000000000000000000000000000a";
    let b = "U0000000000000000000000000000000b";
    vec![
        h.event(a, "follow", "01REDELIVERY0", json!({"follow": {"isUnblocked": false}})),
        h.event(
            a,
            "message",
            "01REDELIVERY1",
            json!({"message": {"type": "text", "id": "m1", "quoteToken": "q", "text": "ぱぴぷぺぽ"}}),
        ),
        h.event(a, "postback", "01REDELIVERY2", json!({"postback": {"data": "reg:show"}})),
        h.event(
            a,
            "message",
            "01REDELIVERY3",
            json!({"message": {"type": "location", "id": "m3", "latitude": 35.4955, "longitude": 135.7466, "address": "福井県小浜市大手町"}}),
        ),
        h.event(
            b,
            "message",
            "01REDELIVERY4",
            json!({"message": {"type": "text", "id": "m4", "quoteToken": "q", "text": "今日のごみ"}}),
        ),
    ]
}

/// The events the webhook answers itself (all but the location).
fn answered(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["message"]["type"] != "location")
        .collect()
}

fn redelivered(events: &[Value]) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let mut again = e.clone();
            again["deliveryContext"]["isRedelivery"] = json!(true);
            again
        })
        .collect()
}

#[tokio::test]
async fn a_redelivered_batch_already_handled_makes_no_write_and_no_second_reply() {
    let (h, writes) = counting_harness().await;
    let events = mixed_events(&h);

    assert_eq!(h.deliver(events.clone()).await, StatusCode::OK);
    h.bus.settle().await;
    let first = writes.swap(0, Ordering::SeqCst);
    assert!(first >= events.len(), "the first delivery writes: {first}");
    assert_eq!(h.replies().len(), answered(&events).len());

    assert_eq!(h.deliver(redelivered(&events)).await, StatusCode::OK);
    h.bus.settle().await;
    assert_eq!(
        writes.load(Ordering::SeqCst),
        0,
        "writes for the redelivery"
    );
    assert_eq!(
        h.replies().len(),
        answered(&events).len(),
        "no event answered twice"
    );
}

#[tokio::test]
async fn a_redelivered_event_never_handled_is_handled_once() {
    // LINE redelivers when it heard no answer, which includes a first delivery that never
    // arrived: the look-up must not mistake it for one already handled.
    let (h, writes) = counting_harness().await;
    let events = redelivered(&mixed_events(&h));

    assert_eq!(h.deliver(events.clone()).await, StatusCode::OK);
    h.bus.settle().await;
    assert!(writes.load(Ordering::SeqCst) >= events.len());
    for event in answered(&events) {
        h.reply_to(event);
    }

    assert_eq!(h.deliver(events.clone()).await, StatusCode::OK);
    for event in answered(&events) {
        h.reply_to(event);
    }
}
