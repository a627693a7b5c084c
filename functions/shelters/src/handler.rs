//! `location.received` from the bus: a citizen's position, answered with the nearest sites.
//!
//! The answer goes with the event's reply token, or as a push if LINE refuses it
//! ([`LineClient::reply_or_push`]). Other failures (storage, LINE unavailable) fail the handler,
//! and EventBridge retries it, then dead-letters it.

use crate::SheltersState;
use async_trait::async_trait;
use std::sync::Arc;
use tayori_domain::location::LocationReceived;
use tayori_line::{LineClient, RetryKeys};
use tayori_ports::{Event, EventHandler, HandlerError};

pub struct LocationHandler {
    pub state: Arc<SheltersState>,
    pub line: Arc<LineClient>,
}

#[async_trait]
impl EventHandler for LocationHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let location: LocationReceived = serde_json::from_value(event.detail.clone())
            .map_err(|e| HandlerError::malformed(&event, e))?;
        if !location.is_coordinate() {
            return Err(HandlerError::malformed(&event, "not a coordinate"));
        }
        // Each lookup is counted where the citizen asked (the webhook), with their attributes.
        let messages = self
            .state
            .chat_answer(&location)
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        let keys = RetryKeys::new(
            self.state.platform.table.clone(),
            self.state.platform.clock.clone(),
        );
        self.line
            .reply_or_push(
                &keys,
                &format!("shelters/{}", location.webhook_event_id),
                &location.user_id,
                &location.reply_token,
                messages,
            )
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        tracing::info!(webhook_event_id = %location.webhook_event_id, "nearest sites sent");
        Ok(())
    }
}
