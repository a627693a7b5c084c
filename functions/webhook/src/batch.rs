//! A webhook body read event by event, each event kept both as LINE sent it and as read: the
//! conversation works on the second, and an event handed to the bus travels as the first, so
//! that nothing LINE sent (fields this code does not know included) is lost on the way.

use serde::Deserialize;
use serde_json::Value;
use tayori_line::webhook::{Event, ParseError};

/// One event of a batch.
#[derive(Clone, Debug)]
pub struct Received {
    pub raw: Value,
    pub event: Event,
}

impl Received {
    /// The event `raw`, unless even the fields every event has are unreadable (LINE's parser
    /// logs and skips those).
    pub fn read(raw: Value) -> Option<Self> {
        match Event::from_value(raw.clone()) {
            Ok(event) => Some(Self { raw, event }),
            Err(e) => {
                tracing::warn!(error = %e, "unreadable webhook event skipped");
                None
            }
        }
    }
}

/// A webhook body.
pub struct Batch {
    /// The bot's user id.
    pub destination: String,
    pub events: Vec<Received>,
}

impl Batch {
    /// Fails only when the body is not a webhook body at all.
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        #[derive(Deserialize)]
        struct Raw {
            destination: String,
            events: Vec<Value>,
        }
        let raw: Raw = serde_json::from_slice(body)?;
        Ok(Self {
            destination: raw.destination,
            events: raw.events.into_iter().filter_map(Received::read).collect(),
        })
    }
}
