//! What a function invoked by EventBridge does with its payload: turn the envelope back into the
//! bus event the local run would have dispatched in-process, and hand it to the handler
//! subscribed to its detail type. Rules in template.yaml decide which detail types reach which
//! function; this table decides which handler inside it.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tayori_ports::bus::EVENT_SOURCE;
use tayori_ports::{Event, EventHandler, HandlerError};

/// Detail types handled by one function, each by its handler.
#[derive(Default)]
pub struct EventRoutes {
    handlers: HashMap<String, Arc<dyn EventHandler>>,
}

impl EventRoutes {
    pub fn on(mut self, detail_type: &str, handler: Arc<dyn EventHandler>) -> Self {
        self.handlers.insert(detail_type.to_owned(), handler);
        self
    }

    /// Handles one event; an event no handler is registered for is an error, so a rule that
    /// routes the wrong type here shows up in the logs and the dead-letter queue.
    pub async fn dispatch(&self, event: Event) -> Result<(), HandlerError> {
        match self.handlers.get(&event.detail_type) {
            Some(handler) => handler.handle(event).await,
            None => Err(HandlerError::Unrouted(event.detail_type)),
        }
    }
}

/// A Lambda payload that is not the event it should be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("not a Tayori event (source {0:?})")]
    Foreign(Option<String>),
    /// `sender` names who sent it (EventBridge, the scheduler), `field` what is missing.
    #[error("{sender} event without {field}")]
    Incomplete {
        sender: &'static str,
        field: &'static str,
    },
}

/// The bus event inside an EventBridge envelope published by Tayori (`source: tayori`).
pub fn from_event_bridge(payload: &Value) -> Result<Event, PayloadError> {
    let source = payload.get("source").and_then(Value::as_str);
    if source != Some(EVENT_SOURCE) {
        return Err(PayloadError::Foreign(source.map(str::to_owned)));
    }
    let missing = |field| PayloadError::Incomplete {
        sender: "EventBridge",
        field,
    };
    let detail_type = payload
        .get("detail-type")
        .and_then(Value::as_str)
        .ok_or(missing("detail-type"))?;
    let detail = payload.get("detail").cloned().ok_or(missing("detail"))?;
    Ok(Event::new(detail_type, detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use serde_json::json;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Seen(Mutex<Vec<Event>>);

    #[async_trait]
    impl EventHandler for Seen {
        async fn handle(&self, event: Event) -> Result<(), HandlerError> {
            self.0.lock().unwrap().push(event);
            Ok(())
        }
    }

    #[tokio::test]
    async fn an_event_bridge_envelope_reaches_the_handler_for_its_detail_type() {
        let seen = Arc::new(Seen::default());
        let routes = EventRoutes::default().on("menu.switch-requested", seen.clone());
        let envelope: Value = serde_json::from_str(include_str!(
            "../../../events/bus/menu-switch-requested.json"
        ))
        .unwrap();
        routes
            .dispatch(from_event_bridge(&envelope).unwrap())
            .await
            .unwrap();
        let seen = seen.0.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].detail_type, "menu.switch-requested");
        assert_eq!(seen[0].detail, envelope["detail"]);
    }

    #[tokio::test]
    async fn foreign_or_unrouted_events_are_refused() {
        let routes = EventRoutes::default();
        let other = json!({"source": "aws.s3", "detail-type": "x", "detail": {}});
        assert_eq!(
            from_event_bridge(&other).unwrap_err().to_string(),
            r#"not a Tayori event (source Some("aws.s3"))"#
        );
        let ours = json!({"source": "tayori", "detail-type": "delivery.requested", "detail": {}});
        let event = from_event_bridge(&ours).unwrap();
        assert_eq!(
            routes.dispatch(event).await.unwrap_err().to_string(),
            "delivery.requested: no handler here for this event; check the EventBridge rules"
        );
    }

    #[test]
    fn an_envelope_without_its_detail_names_what_is_missing() {
        let error = from_event_bridge(&json!({"source": "tayori", "detail-type": "x"}));
        assert_eq!(
            error.unwrap_err().to_string(),
            "EventBridge event without detail"
        );
    }
}
