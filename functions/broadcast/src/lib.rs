//! The broadcast function. EventBridge Scheduler invokes it every minute (Asia/Tokyo); the local
//! run publishes the same `scheduler.tick` event on its in-process bus. Each tick sends the
//! deliveries that are due and resumes any a dead sender left half-sent (see `tayori_deliveries::sender`),
//! after releasing the garbage notices and the day's child-rearing messages (`tayori_childcare`);
//! `delivery.requested` starts one at once.

pub mod friend_data;
pub mod garbage_notices;
pub mod jma_poll;
pub mod settings;

use async_trait::async_trait;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_deliveries::Sender;
use tayori_ports::{Event, EventHandler, HandlerError};
use tayori_runtime::PayloadError;

pub const HEALTH_PATH: &str = "/broadcast/healthz";
/// Detail type of the every-minute scheduler event.
pub const TICK: &str = "scheduler.tick";
/// Detail type of the 03:00 JST daily schedule.
pub const DAILY: &str = "scheduler.daily-housekeeping";
/// Detail type of an operator's request to rotate the index key (infra/key-rotation.md).
pub const ROTATE_INDEX_KEY: &str = "scheduler.rotate-index-key";

/// The tick's detail: the minute it stands for (the scheduler's time, not the arrival time, so
/// a late invocation still does that minute's work).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tick {
    pub at: DateTime<Utc>,
}

impl Tick {
    pub fn event(at: DateTime<Utc>) -> Event {
        Event::new(TICK, serde_json::json!({ "at": at }))
    }

    /// The minute a scheduler event (tick, daily run, rotation request) stands for.
    fn of(event: &Event) -> Result<Self, HandlerError> {
        serde_json::from_value(event.detail.clone()).map_err(|e| HandlerError::malformed(event, e))
    }
}

/// The daily run's event, as the 03:00 JST schedule (template.yaml `DailySchedule`) sends it.
pub fn daily_event(at: DateTime<Utc>) -> Event {
    Event::new(DAILY, serde_json::json!({ "at": at }))
}

/// Whether `at` falls in the daily schedule's minute, 03:00 JST: the local run's ticker sends
/// the daily run then.
pub fn is_daily_minute(at: DateTime<Utc>) -> bool {
    use chrono::Timelike;
    let jst = tayori_domain::time::to_jst(at);
    (jst.hour(), jst.minute()) == (3, 0)
}

/// Turns what EventBridge Scheduler sends (see `events/scheduler/`) into the bus event it
/// stands for: `detail.job` names the job, `time` the scheduled minute.
pub fn from_scheduler(payload: &serde_json::Value) -> Result<Event, PayloadError> {
    let missing = |field| PayloadError::Incomplete {
        sender: "scheduler",
        field,
    };
    let at = payload
        .get("time")
        .and_then(serde_json::Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or(missing("a valid time"))?;
    match payload
        .pointer("/detail/job")
        .and_then(serde_json::Value::as_str)
    {
        Some("tick") => Ok(Tick::event(at)),
        Some(job) => Ok(Event::new(
            format!("scheduler.{job}"),
            serde_json::json!({ "at": at }),
        )),
        None => Err(missing("detail.job")),
    }
}

/// The bus event a Lambda invocation of this function stands for: a schedule's run or an event
/// from Tayori's EventBridge bus (e.g. `menu.switch-requested`).
pub fn from_lambda_payload(payload: &serde_json::Value) -> Result<Event, PayloadError> {
    match payload.get("source").and_then(serde_json::Value::as_str) {
        Some("aws.scheduler") => from_scheduler(payload),
        _ => tayori_runtime::from_event_bridge(payload),
    }
}

pub fn router() -> Router {
    Router::new().route(HEALTH_PATH, get(|| async { "ok" }))
}

pub use tayori_domain::delivery::DELIVERY_REQUESTED;

/// Handles scheduler ticks and delivery requests: both end in the sender.
pub struct Scheduler {
    pub sender: Arc<Sender>,
    /// Whether the garbage notices may come from the shipped sample calendar.
    pub sample_calendar: tayori_garbage::SampleCalendar,
}

#[async_trait]
impl EventHandler for Scheduler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        match event.detail_type.as_str() {
            DAILY => {
                // Beside this, DynamoDB TTL and S3 lifecycle rules do the clean-up.
                let tick = Tick::of(&event)?;
                let upkept = friend_data::FriendDataUpkeep::new(self.sender.platform.clone())
                    .run(tick.at)
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                tracing::info!(?upkept, "daily housekeeping: friends' data");
                Ok(())
            }
            ROTATE_INDEX_KEY => {
                let tick = Tick::of(&event)?;
                let rotation = friend_data::FriendDataUpkeep::new(self.sender.platform.clone())
                    .rotate_index_key(tick.at)
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                tracing::info!(?rotation, "index key rotation requested");
                Ok(())
            }
            TICK => {
                let tick = Tick::of(&event)?;
                // Garbage notices are released first so this tick's sender sends them; their
                // failure must not hold back staff deliveries.
                let notices = garbage_notices::GarbageNotices::new(
                    self.sender.platform.clone(),
                    self.sample_calendar,
                )
                .prepare(tick.at)
                .await;
                // So are the day's child-rearing messages (none until staff build a schedule).
                let stage_messages =
                    tayori_childcare::StageMessages::new(self.sender.platform.clone())
                        .prepare(tick.at)
                        .await;
                let outcomes = self
                    .sender
                    .send_due()
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                tracing::info!(at = %tick.at, deliveries = outcomes.len(), "scheduler tick");
                // The first tick after a deployment publishes the default rich menus; every
                // later one reads the record that says it was done. A failure is tried again at
                // the next tick and must not hold back deliveries.
                match tayori_menus::install_defaults(&self.sender.platform, &self.sender.line).await
                {
                    Ok(tayori_menus::DefaultsOutcome::AlreadyDone) => {}
                    Ok(outcome) => tracing::info!(?outcome, "default rich menus"),
                    Err(e) => tracing::error!(error = %e, "default rich menus not installed"),
                }
                if let Err(e) = &stage_messages {
                    // Its words are for people; the cause is in the chain.
                    tracing::error!(error = ?e, "child-rearing messages not released; the next tick tries again");
                }
                notices
                    .map(|_| ())
                    .map_err(|e| HandlerError::failed(&event, e))?;
                stage_messages
                    .map(|_| ())
                    .map_err(|e| HandlerError::failed(&event, e))
            }
            DELIVERY_REQUESTED => {
                let id = event.detail["id"]
                    .as_str()
                    .ok_or_else(|| HandlerError::malformed(&event, "no id"))?;
                let outcome = self
                    .sender
                    .send(id)
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                tracing::info!(id, ?outcome, "delivery requested");
                Ok(())
            }
            other => Err(HandlerError::Unrouted(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_scheduler_events_become_a_tick_and_the_daily_job() {
        let tick: serde_json::Value =
            serde_json::from_str(include_str!("../../../events/scheduler/tick.json")).unwrap();
        let event = from_scheduler(&tick).unwrap();
        assert_eq!(event.detail_type, TICK);
        assert_eq!(event.detail["at"], "2025-12-31T22:30:00Z");
        let daily: serde_json::Value =
            serde_json::from_str(include_str!("../../../events/scheduler/daily.json")).unwrap();
        assert_eq!(from_scheduler(&daily).unwrap().detail_type, DAILY);
        let rotate: serde_json::Value = serde_json::from_str(include_str!(
            "../../../events/scheduler/rotate-index-key.json"
        ))
        .unwrap();
        assert_eq!(
            from_lambda_payload(&rotate).unwrap().detail_type,
            ROTATE_INDEX_KEY
        );
        let jma: serde_json::Value =
            serde_json::from_str(include_str!("../../../events/scheduler/jma-poll.json")).unwrap();
        assert_eq!(
            from_lambda_payload(&jma).unwrap().detail_type,
            jma_poll::JMA_POLL
        );
        assert!(from_scheduler(&serde_json::json!({"detail": {"job": "tick"}})).is_err());
    }

    #[test]
    fn the_daily_run_is_at_three_in_the_morning_japan_time() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(is_daily_minute(at("2026-12-01T03:00:59+09:00")));
        assert!(!is_daily_minute(at("2026-12-01T03:01:00+09:00")));
        assert!(
            !is_daily_minute(at("2026-12-01T03:00:00Z")),
            "03:00 UTC is noon in Japan"
        );
        assert_eq!(
            daily_event(at("2026-12-01T03:00:00+09:00")).detail_type,
            DAILY
        );
    }

    #[test]
    fn a_lambda_payload_is_read_as_a_schedule_run_or_a_bus_event() {
        let tick: serde_json::Value =
            serde_json::from_str(include_str!("../../../events/scheduler/tick.json")).unwrap();
        assert_eq!(from_lambda_payload(&tick).unwrap().detail_type, TICK);
        let switch: serde_json::Value = serde_json::from_str(include_str!(
            "../../../events/bus/menu-switch-requested.json"
        ))
        .unwrap();
        let event = from_lambda_payload(&switch).unwrap();
        assert_eq!(event.detail_type, "menu.switch-requested");
        assert_eq!(event.detail["mode"], "emergency");
        assert!(from_lambda_payload(&serde_json::json!({"source": "aws.s3"})).is_err());
    }
}
