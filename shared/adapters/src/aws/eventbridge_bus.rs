//! `EventBus` on EventBridge: PutEvents with `Source = tayori`, the detail type, and the detail
//! as JSON. Rules in template.yaml route each detail type to its function.

use super::error::describe;
use async_trait::async_trait;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_eventbridge::Client;
use tayori_ports::bus::{validate_event, EVENT_SOURCE};
use tayori_ports::{BusError, Event, EventBus};

/// PutEvents' limit on entries per call. Both buses refuse more in one publish, so that the
/// embedded bus does not accept what this one would split into non-atomic calls.
pub const MAX_EVENTS_PER_PUBLISH: usize = 10;

pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        if events.len() > MAX_EVENTS_PER_PUBLISH {
            return Err(BusError::Invalid(format!(
                "{} events in one publish; the limit is {MAX_EVENTS_PER_PUBLISH}",
                events.len()
            )));
        }
        for event in &events {
            validate_event(event)?;
        }
        let entries = events
            .iter()
            .map(|event| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(&self.bus_name)
                    .source(EVENT_SOURCE)
                    .detail_type(&event.detail_type)
                    .detail(event.detail.to_string())
                    .build()
            })
            .collect();
        let output = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| BusError::Unavailable(describe(&e)))?;
        let failed = usize::try_from(output.failed_entry_count).unwrap_or(0);
        if failed > 0 {
            let reason = output
                .entries()
                .iter()
                .find_map(|entry| {
                    entry.error_code().map(|code| {
                        format!("{code}: {}", entry.error_message().unwrap_or_default())
                    })
                })
                .unwrap_or_else(|| "no reason given".into());
            return Err(BusError::Rejected {
                failed,
                total: events.len(),
                reason,
            });
        }
        Ok(())
    }
}
