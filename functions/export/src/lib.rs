//! The export function: makes the CSV files staff ask for in the console. EventBridge routes
//! `export.requested` here (one file each, [`ExportDesk::run`]); an hourly schedule sends
//! `export.sweep`, which deletes the files whose time is up ([`ExportDesk::sweep`]). Both come
//! as Tayori bus events, so the local run subscribes the same handler on its in-process bus.
//! The health route stays for the console's API.

pub mod settings;

use async_trait::async_trait;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tayori_exports::{ExportDesk, EXPORT_REQUESTED};
use tayori_ports::{Event, EventHandler, HandlerError};

pub const HEALTH_PATH: &str = "/admin/api/exports/healthz";
/// Detail type of the hourly sweep (template.yaml `ExportSweepSchedule`).
pub const EXPORT_SWEEP: &str = "export.sweep";

pub fn router() -> Router {
    let routes = Router::new().route(HEALTH_PATH, get(|| async { "ok" }));
    tayori_web::secure(routes, tayori_web::Surface::Api)
}

/// Whether `at` is the minute the hourly sweep runs (the top of the hour), for the local run's
/// ticks.
pub fn is_sweep_minute(at: DateTime<Utc>) -> bool {
    use chrono::Timelike;
    at.minute() == 0
}

/// The sweep's event for the hour `at`.
pub fn sweep_event(at: DateTime<Utc>) -> Event {
    Event::new(EXPORT_SWEEP, serde_json::json!({ "at": at }))
}

#[derive(Deserialize)]
struct Requested {
    id: String,
}

#[derive(Deserialize)]
struct Sweep {
    at: DateTime<Utc>,
}

/// Runs requested exports and the sweep.
pub struct ExportHandler {
    pub desk: ExportDesk,
}

#[async_trait]
impl EventHandler for ExportHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        match event.detail_type.as_str() {
            EXPORT_REQUESTED => {
                let Requested { id } = serde_json::from_value(event.detail.clone())
                    .map_err(|e| HandlerError::malformed(&event, e))?;
                // A file that could not be made is 失敗 on the export, for staff to see; only
                // a failure to record that is the invocation's (retried, then dead-lettered).
                let export = self
                    .desk
                    .run(&id)
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                tracing::info!(id, status = export.status().label(), "export run");
                Ok(())
            }
            EXPORT_SWEEP => {
                let Sweep { at } = serde_json::from_value(event.detail.clone())
                    .map_err(|e| HandlerError::malformed(&event, e))?;
                let swept = self
                    .desk
                    .sweep(at)
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                tracing::info!(expired = swept.expired, "exports swept");
                Ok(())
            }
            other => Err(HandlerError::Unrouted(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests;
