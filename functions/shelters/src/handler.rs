//! `location.received` from the bus: a citizen's position, answered with the nearest sites.
//!
//! The answer goes with the event's reply token (free: replies are not counted against the
//! monthly message quota). Only if LINE refuses the token (used, or older than LINE keeps it)
//! does the answer go as a push, under a retry key named by the LINE event, so that a retried
//! bus event never pushes twice. Other failures (storage, LINE unavailable) fail the handler,
//! and EventBridge retries it, then dead-letters it.

use crate::SheltersState;
use async_trait::async_trait;
use std::sync::Arc;
use tayori_domain::location::LocationReceived;
use tayori_line::{LineClient, LineError, RetryKeys};
use tayori_ports::{Event, EventHandler, HandlerError};

/// LINE's status for a reply token it does not accept (used, expired or unknown), with
/// 「Invalid reply token」: a 400 for anything else (a message LINE refuses) would be refused
/// as a push too.
const REFUSED_TOKEN: u16 = 400;

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
        match self
            .line
            .reply(&location.reply_token, messages.clone())
            .await
        {
            Ok(()) => {}
            Err(e) if refused_token(&e) => {
                tracing::warn!(error = %e, webhook_event_id = %location.webhook_event_id, "reply token refused; pushing the nearest sites instead");
                let keys = RetryKeys::new(
                    self.state.platform.table.clone(),
                    self.state.platform.clock.clone(),
                );
                let key = keys
                    .key_for(&format!("shelters/{}", location.webhook_event_id))
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                self.line
                    .push(&location.user_id, messages, key)
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
            }
            Err(e) => return Err(HandlerError::failed(&event, e)),
        }
        tracing::info!(webhook_event_id = %location.webhook_event_id, "nearest sites sent");
        Ok(())
    }
}

fn refused_token(error: &LineError) -> bool {
    matches!(error, LineError::Rejected { status, message, .. }
        if *status == REFUSED_TOKEN && message.to_ascii_lowercase().contains("reply token"))
}
