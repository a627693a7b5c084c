//! Lambda entry point: EventBridge Scheduler sends `{"time": ..., ...}` (see events/); it becomes
//! a `scheduler.tick` for the handler.

use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use serde_json::Value;
use tayori_broadcast::{Scheduler, Tick};
use tayori_ports::EventHandler;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tayori_runtime::init_tracing();
    let scheduler = Scheduler;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let scheduler = &scheduler;
        async move {
            // EventBridge events carry `time` (RFC 3339); fall back to now for a direct invoke.
            let at = event
                .payload
                .get("time")
                .and_then(Value::as_str)
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_else(chrono::Utc::now);
            scheduler.handle(Tick::event(at)).await.map_err(lambda_runtime::Error::from)
        }
    }))
    .await
}
