//! The event bus: how a function hands slower work (a location to look up, a photo to fetch, a
//! delivery to fan out) to another one. EventBridge in AWS; in-process dispatch to the same
//! handlers in the local run.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Source name on every Tayori event (EventBridge `Source`).
pub const EVENT_SOURCE: &str = "tayori";
/// EventBridge's limit on one event's size (256 KB).
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// EventBridge `DetailType`, e.g. `line.location-received`, `scheduler.tick`.
    pub detail_type: String,
    pub detail: serde_json::Value,
}

impl Event {
    pub fn new(detail_type: impl Into<String>, detail: serde_json::Value) -> Self {
        Self {
            detail_type: detail_type.into(),
            detail,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("invalid event: {0}")]
    Invalid(String),
    #[error("{failed} of {total} events were not accepted: {reason}")]
    Rejected {
        failed: usize,
        total: usize,
        reason: String,
    },
    #[error("event bus unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes every event or reports how many were not accepted.
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError>;
}

/// Something that reacts to events: a function's event handler. The same value serves the
/// Lambda entry point and the local run's in-process bus.
#[async_trait]
pub trait EventHandler: Send + Sync {
    async fn handle(&self, event: Event) -> Result<(), HandlerError>;
}

/// Why an event was not handled, naming the event. Either way the invocation fails, so
/// EventBridge retries and then dead-letters it (the local bus does the same).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The detail is not what its detail type promises.
    #[error("{detail_type}: malformed event: {reason}")]
    Malformed { detail_type: String, reason: String },
    /// No handler here takes this detail type: a rule routes it to the wrong function.
    #[error("{0}: no handler here for this event; check the EventBridge rules")]
    Unrouted(String),
    /// The work itself failed (storage, LINE, …).
    #[error("{detail_type}: {source}")]
    Failed {
        detail_type: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl HandlerError {
    pub fn malformed(event: &Event, reason: impl std::fmt::Display) -> Self {
        HandlerError::Malformed {
            detail_type: event.detail_type.clone(),
            reason: reason.to_string(),
        }
    }

    pub fn failed(
        event: &Event,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        HandlerError::Failed {
            detail_type: event.detail_type.clone(),
            source: source.into(),
        }
    }
}

pub fn validate_event(event: &Event) -> Result<(), BusError> {
    if event.detail_type.is_empty() || event.detail_type.len() > 128 {
        return Err(BusError::Invalid(
            "detail type must be 1..=128 bytes".into(),
        ));
    }
    if !event.detail.is_object() {
        return Err(BusError::Invalid("detail must be a JSON object".into()));
    }
    let size = event.detail_type.len() + event.detail.to_string().len() + EVENT_SOURCE.len();
    if size > MAX_EVENT_BYTES {
        return Err(BusError::Invalid(format!("event is {size} bytes")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handler_error_names_the_event_and_why() {
        let event = Event::new("delivery.requested", serde_json::json!({}));
        assert_eq!(
            HandlerError::malformed(&event, "no id").to_string(),
            "delivery.requested: malformed event: no id"
        );
        assert_eq!(
            HandlerError::Unrouted("x.y".into()).to_string(),
            "x.y: no handler here for this event; check the EventBridge rules"
        );
        let failed = HandlerError::failed(&event, "table unavailable");
        assert_eq!(failed.to_string(), "delivery.requested: table unavailable");
        assert!(std::error::Error::source(&failed).is_some());
    }
}
