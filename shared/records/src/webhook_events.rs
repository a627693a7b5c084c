//! Webhook events already handled, so that a redelivered or repeated event is handled once.

use crate::RecordError;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tayori_ports::{Condition, Item, StoreError, TableStore};

/// LINE redelivers for a limited time; two days covers it with room to spare.
pub const REMEMBER_FOR: Duration = Duration::days(2);

/// The event's record: one per webhookEventId.
fn key(webhook_event_id: &str) -> (String, &'static str) {
    (format!("WEBHOOKEVENT#{webhook_event_id}"), "SEEN")
}

#[derive(Clone)]
pub struct WebhookEvents {
    table: Arc<dyn TableStore>,
}

impl WebhookEvents {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// Whether a delivery of the event was taken already: a read, for redeliveries, which were
    /// usually handled the first time (LINE only missed the answer). Claiming straight away would
    /// also refuse them, but a refused conditional put is still a write DynamoDB bills.
    pub async fn taken(&self, webhook_event_id: &str) -> Result<bool, RecordError> {
        let (pk, sk) = key(webhook_event_id);
        Ok(self.table.get(&pk, sk).await?.is_some())
    }

    /// Records the event as taken; `false` when another delivery of it was taken already.
    pub async fn claim(
        &self,
        webhook_event_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, RecordError> {
        let (pk, sk) = key(webhook_event_id);
        let item = Item::new(pk, sk, serde_json::json!({ "at": now }))
            .expiring_at((now + REMEMBER_FOR).timestamp());
        match self.table.put(item, Condition::IfAbsent).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Forgets a claim whose handling failed, so that LINE's redelivery is handled.
    pub async fn release(&self, webhook_event_id: &str) -> Result<(), RecordError> {
        let (pk, sk) = key(webhook_event_id);
        self.table.delete(&pk, sk, Condition::Always).await?;
        Ok(())
    }
}
