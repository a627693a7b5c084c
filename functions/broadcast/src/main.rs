//! Lambda entry point: EventBridge Scheduler's events (see events/scheduler/) become bus
//! events for the same handler the local run uses.

use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use serde_json::Value;
use tayori_broadcast::{from_scheduler, Scheduler};
use tayori_ports::EventHandler;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tayori_runtime::init_tracing();
    let scheduler = Scheduler;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let scheduler = &scheduler;
        async move {
            let event = from_scheduler(&event.payload).map_err(lambda_runtime::Error::from)?;
            scheduler
                .handle(event)
                .await
                .map_err(lambda_runtime::Error::from)
        }
    }))
    .await
}
