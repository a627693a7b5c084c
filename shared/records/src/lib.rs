//! Tayori's records in the single table, and the access patterns they serve.
//!
//! | record | pk | sk | gsi1 | ttl | serves |
//! |---|---|---|---|---|---|
//! | friend | `FRIEND#<userId>` | `PROFILE` | – | – | webhook: upsert on every event; delivery: status |
//! | greetings | `SETTINGS` | `GREETINGS` | – | – | webhook: welcome and default reply; console: edit |
//! | webhook event seen | `WEBHOOKEVENT#<webhookEventId>` | `SEEN` | – | 2 days | webhook: handle each event once |
//! | LINE retry key | `RETRYKEY#<operation>` | `KEY` | – | 24 h | LINE client: same key after a crash |
//!
//! Records are typed here so that no function writes raw keys of another's records.

pub mod friends;
pub mod settings;
pub mod webhook_events;

pub use friends::Friends;
pub use settings::Settings;
pub use webhook_events::WebhookEvents;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] tayori_ports::StoreError),
    #[error("stored record {0} is unreadable: {1}")]
    Corrupt(String, String),
    #[error("record {0} kept changing under concurrent writers")]
    Contended(String),
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    item: &tayori_ports::Item,
) -> Result<T, RecordError> {
    serde_json::from_value(item.body.clone())
        .map_err(|e| RecordError::Corrupt(format!("{}/{}", item.pk, item.sk), e.to_string()))
}

pub(crate) fn encode<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("records serialise to JSON")
}
