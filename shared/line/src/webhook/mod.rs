//! Webhook bodies: what LINE posts to the webhook URL. Parsing is tolerant by design: LINE adds
//! event types, message types and fields without notice, and one event this code cannot read
//! must not cost the city the other events of the batch.

mod incoming;
mod kind;

pub use incoming::{ContentProvider, IncomingEmoji, IncomingMessage};
pub use kind::{EventKind, PostbackParams};

use serde::Deserialize;
use serde_json::Value;

/// The body of one webhook request.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookBody {
    /// The bot's user id.
    pub destination: String,
    /// May be empty: LINE sends an empty batch to check the URL.
    pub events: Vec<Event>,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a LINE webhook body: {0}")]
    NotAWebhook(#[from] serde_json::Error),
}

/// One webhook event: the fields every event has, and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// ULID; the same event can arrive more than once, so handlers de-duplicate on it.
    pub webhook_event_id: String,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    pub mode: Mode,
    /// `deliveryContext.isRedelivery`: LINE is sending the event again after a failed delivery.
    pub is_redelivery: bool,
    pub source: Source,
    /// Single-use, valid for about a minute.
    pub reply_token: Option<String>,
    pub kind: EventKind,
}

/// Whether the channel is in charge of the chat (`active`) or only watching (`standby`, when a
/// module channel holds the chat).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    #[default]
    Active,
    Standby,
    #[serde(other)]
    Unknown,
}

/// Where the event happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    User {
        user_id: String,
    },
    Group {
        group_id: String,
        user_id: Option<String>,
    },
    Room {
        room_id: String,
        user_id: Option<String>,
    },
    /// No source, or a source type this crate does not know.
    Unknown,
}

impl Source {
    /// The user behind the event, when LINE tells.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Source::User { user_id } => Some(user_id.as_str()).filter(|id| !id.is_empty()),
            Source::Group { user_id, .. } | Source::Room { user_id, .. } => user_id.as_deref(),
            Source::Unknown => None,
        }
    }
}

/// Parses a webhook body. Fails only when the body is not a webhook at all (not JSON, or no
/// `destination` and `events`); an event that cannot be read is kept as
/// `EventKind::Unknown`, or skipped with a warning when even its common fields are unreadable.
pub fn parse(body: &[u8]) -> Result<WebhookBody, ParseError> {
    #[derive(Deserialize)]
    struct Raw {
        destination: String,
        events: Vec<Value>,
    }
    let raw: Raw = serde_json::from_slice(body)?;
    let events = raw
        .events
        .into_iter()
        .enumerate()
        .filter_map(|(index, value)| match Event::from_value(value) {
            Ok(event) => Some(event),
            Err(e) => {
                tracing::warn!(index, error = %e, "unreadable webhook event skipped");
                None
            }
        })
        .collect();
    Ok(WebhookBody {
        destination: raw.destination,
        events,
    })
}

impl Event {
    /// Reads one event object. Errs only when the fields every event shares are unreadable;
    /// the event-specific part falls back to `EventKind::Unknown`.
    pub fn from_value(value: Value) -> Result<Event, serde_json::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Common {
            #[serde(rename = "type")]
            event_type: String,
            #[serde(default)]
            webhook_event_id: String,
            timestamp: i64,
            #[serde(default)]
            mode: Mode,
            #[serde(default)]
            delivery_context: DeliveryContext,
            #[serde(default)]
            source: Option<Value>,
            #[serde(default)]
            reply_token: Option<String>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct DeliveryContext {
            #[serde(default)]
            is_redelivery: bool,
        }

        let common = Common::deserialize(&value)?;
        let kind = kind::read(&common.event_type, &value).unwrap_or_else(|e| {
            tracing::warn!(event_type = %common.event_type, error = %e, "unreadable event kept as unknown");
            EventKind::Unknown {
                event_type: common.event_type.clone(),
            }
        });
        Ok(Event {
            webhook_event_id: common.webhook_event_id,
            timestamp: common.timestamp,
            mode: common.mode,
            is_redelivery: common.delivery_context.is_redelivery,
            source: common
                .source
                .as_ref()
                .map(read_source)
                .unwrap_or(Source::Unknown),
            reply_token: common.reply_token,
            kind,
        })
    }
}

fn read_source(value: &Value) -> Source {
    let text = |name: &str| value[name].as_str().map(str::to_string);
    match value["type"].as_str() {
        Some("user") => Source::User {
            user_id: text("userId").unwrap_or_default(),
        },
        Some("group") => Source::Group {
            group_id: text("groupId").unwrap_or_default(),
            user_id: text("userId"),
        },
        Some("room") => Source::Room {
            room_id: text("roomId").unwrap_or_default(),
            user_id: text("userId"),
        },
        _ => Source::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_source_gives_its_user_when_line_tells() {
        let source =
            read_source(&serde_json::json!({"type": "group", "groupId": "C1", "userId": "U1"}));
        assert_eq!(source.user_id(), Some("U1"));
        let source = read_source(&serde_json::json!({"type": "room", "roomId": "R1"}));
        assert_eq!(source.user_id(), None);
        assert_eq!(
            read_source(&serde_json::json!({"type": "planet"})),
            Source::Unknown
        );
    }
}
