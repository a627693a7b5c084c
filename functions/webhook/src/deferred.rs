//! Events the webhook had no time to start before answering LINE, handed to the event bus
//! (`line.events-deferred`) and handled from there by the same function.
//!
//! Lambda freezes the environment as soon as the answer is sent, so nothing may keep running
//! after it. Deferred events were never claimed (an event is claimed when it starts), so the
//! handler here claims them as the webhook would have: a copy LINE delivers again meanwhile is
//! handled by whichever comes first, and only once. A reply token lives about a minute, which
//! the bus's sub-second delivery leaves plenty of.

use crate::batch::Received;
use crate::WebhookState;
use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::Arc;
use tayori_ports::{BusError, Event, EventBus, EventHandler, HandlerError};

/// The bus event's detail type; template.yaml routes it to the webhook function.
pub const DETAIL_TYPE: &str = "line.events-deferred";

/// Room left under EventBridge's 256 KB per event (and per publish) for the envelope.
const MAX_DETAIL_BYTES: usize = 200 * 1024;

/// The bus events carrying `events`, in order: as few as fit under EventBridge's size limit.
pub fn bus_events(destination: &str, events: &[Received]) -> Vec<Event> {
    let mut out = Vec::new();
    let mut chunk: Vec<Value> = Vec::new();
    let mut size = 0;
    for received in events {
        let bytes = received.raw.to_string().len() + 1;
        if !chunk.is_empty() && size + bytes > MAX_DETAIL_BYTES {
            out.push(event(destination, std::mem::take(&mut chunk)));
            size = 0;
        }
        size += bytes;
        chunk.push(received.raw.clone());
    }
    if !chunk.is_empty() {
        out.push(event(destination, chunk));
    }
    out
}

fn event(destination: &str, events: Vec<Value>) -> Event {
    Event::new(
        DETAIL_TYPE,
        json!({"destination": destination, "events": events}),
    )
}

/// Publishes `events` one bus event at a time (EventBridge limits a whole publish to 256 KB).
pub async fn hand_over(
    bus: &dyn EventBus,
    destination: &str,
    events: &[Received],
) -> Result<(), BusError> {
    for event in bus_events(destination, events) {
        bus.publish(vec![event]).await?;
    }
    Ok(())
}

/// Handles `line.events-deferred` from the bus, with no time budget: nobody is waiting.
pub struct DeferredEvents {
    state: Arc<WebhookState>,
}

impl DeferredEvents {
    pub fn new(state: Arc<WebhookState>) -> Self {
        Self { state }
    }
}

#[async_trait]
impl EventHandler for DeferredEvents {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let events: Vec<Received> = event
            .detail
            .get("events")
            .and_then(Value::as_array)
            .ok_or_else(|| HandlerError::malformed(&event, "no events"))?
            .iter()
            .cloned()
            .filter_map(Received::read)
            .collect();
        let count = events.len();
        let handled = self.state.conversation.handle_batch(events, None).await;
        // A failure is returned so that the bus retries; events already handled are claimed
        // and skipped then.
        handled
            .result
            .map_err(|e| HandlerError::failed(&event, e))?;
        tracing::info!(events = count, "deferred webhook events handled");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize, chars: usize) -> Received {
        Received::read(json!({
            "type": "message", "mode": "active", "timestamp": 1,
            "source": {"type": "user", "userId": "U0123456789abcdef0123456789abcdef"},
            "webhookEventId": format!("E{n}"), "replyToken": format!("t{n}"),
            "message": {"type": "text", "id": "1", "quoteToken": "q", "text": "あ".repeat(chars)},
        }))
        .unwrap()
    }

    #[test]
    fn deferred_events_travel_unchanged_and_in_order_within_the_bus_size_limit() {
        let events: Vec<Received> = (0..60).map(|n| text(n, 5000)).collect();
        let bus = bus_events("Ubot", &events);
        assert!(bus.len() > 1, "60 long texts do not fit one bus event");
        let mut carried = Vec::new();
        for e in &bus {
            tayori_ports::bus::validate_event(e).unwrap();
            assert_eq!(e.detail_type, DETAIL_TYPE);
            assert_eq!(e.detail["destination"], "Ubot");
            carried.extend(e.detail["events"].as_array().unwrap().clone());
        }
        let sent: Vec<Value> = events.iter().map(|r| r.raw.clone()).collect();
        assert_eq!(carried, sent);
        assert!(bus_events("Ubot", &[]).is_empty());
    }
}
