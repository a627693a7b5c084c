//! The broadcast function. EventBridge Scheduler invokes it every minute (Asia/Tokyo); the local
//! run publishes the same `scheduler.tick` event on its in-process bus. Scheduled deliveries and
//! the morning garbage notices hang off this tick when their issues land; today a tick only
//! records that it ran.

use async_trait::async_trait;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tayori_ports::{Event, EventHandler};

pub const HEALTH_PATH: &str = "/broadcast/healthz";
/// Detail type of the every-minute scheduler event.
pub const TICK: &str = "scheduler.tick";
/// Detail type of the 03:00 JST daily schedule.
pub const DAILY: &str = "scheduler.daily-housekeeping";

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
}

/// Turns what EventBridge Scheduler sends (see `events/scheduler/`) into the bus event it
/// stands for: `detail.job` names the job, `time` the scheduled minute.
pub fn from_scheduler(payload: &serde_json::Value) -> Result<Event, String> {
    let at = payload
        .get("time")
        .and_then(serde_json::Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or("scheduler event without a valid time")?;
    match payload
        .pointer("/detail/job")
        .and_then(serde_json::Value::as_str)
    {
        Some("tick") => Ok(Tick::event(at)),
        Some(job) => Ok(Event::new(
            format!("scheduler.{job}"),
            serde_json::json!({ "at": at }),
        )),
        None => Err("scheduler event without detail.job".into()),
    }
}

/// The bus event a Lambda invocation of this function stands for: a schedule's run or an event
/// from Tayori's EventBridge bus (e.g. `menu.switch-requested`).
pub fn from_lambda_payload(payload: &serde_json::Value) -> Result<Event, String> {
    match payload.get("source").and_then(serde_json::Value::as_str) {
        Some("aws.scheduler") => from_scheduler(payload),
        _ => tayori_runtime::from_event_bridge(payload),
    }
}

pub fn router() -> Router {
    Router::new().route(HEALTH_PATH, get(|| async { "ok" }))
}

/// Handles scheduler ticks.
#[derive(Default)]
pub struct Scheduler;

#[async_trait]
impl EventHandler for Scheduler {
    async fn handle(&self, event: Event) -> Result<(), String> {
        if event.detail_type == DAILY {
            // DynamoDB TTL and S3 lifecycle rules do today's clean-up; usage roll-ups join here.
            tracing::info!("daily housekeeping: nothing else to do");
            return Ok(());
        }
        if event.detail_type != TICK {
            return Err(format!("unexpected event {}", event.detail_type));
        }
        let tick: Tick =
            serde_json::from_value(event.detail).map_err(|e| format!("malformed tick: {e}"))?;
        tracing::info!(at = %tick.at, "scheduler tick: no deliveries are scheduled yet");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tick_is_accepted_and_other_events_are_refused() {
        let now = Utc::now();
        assert!(Scheduler.handle(Tick::event(now)).await.is_ok());
        let wrong = Event::new("line.location-received", serde_json::json!({}));
        assert!(Scheduler.handle(wrong).await.is_err());
        let malformed = Event::new(TICK, serde_json::json!({"at": "yesterday"}));
        assert!(Scheduler.handle(malformed).await.is_err());
    }

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
        assert!(from_scheduler(&serde_json::json!({"detail": {"job": "tick"}})).is_err());
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
