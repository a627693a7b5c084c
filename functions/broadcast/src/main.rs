//! Lambda entry point: EventBridge Scheduler's runs (see events/scheduler/) and the bus events
//! routed here by template.yaml (see events/bus/) go to the same handlers the local run
//! subscribes on its in-process bus.

use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use serde_json::Value;
use std::sync::Arc;
use tayori_broadcast::jma_poll::{JmaPoll, JMA_POLL};
use tayori_broadcast::settings::BroadcastSettings;
use tayori_broadcast::{
    from_lambda_payload, Scheduler, DAILY, DELIVERY_REQUESTED, ROTATE_INDEX_KEY, TICK,
};
use tayori_deliveries::sender::Sender;
use tayori_runtime::config::process_env;
use tayori_runtime::{Boot, EventRoutes};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tayori_runtime::init_tracing();
    let settings = BroadcastSettings::from_lookup(&process_env)?;
    let boot = Boot::start(&settings.boot).await?;
    let sender = Sender::new(
        boot.platform.clone(),
        boot.line.clone(),
        settings.media_base_url,
    );
    let scheduler = Arc::new(Scheduler {
        sender: Arc::new(sender),
        sample_calendar: boot.sample_calendar,
    });
    let jma = Arc::new(JmaPoll::new(
        boot.platform.clone(),
        Arc::new(tayori_disaster::HttpFeedSource::new(settings.jma_feeds)),
    ));
    let routes = EventRoutes::default()
        .on(TICK, scheduler.clone())
        .on(DAILY, scheduler.clone())
        .on(ROTATE_INDEX_KEY, scheduler.clone())
        .on(DELIVERY_REQUESTED, scheduler)
        .on(JMA_POLL, jma)
        .on(
            tayori_menus::SWITCH_REQUESTED,
            Arc::new(tayori_menus::SwitchHandler {
                platform: boot.platform,
                line: boot.line,
            }),
        );
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let routes = &routes;
        async move {
            let event = from_lambda_payload(&event.payload).map_err(lambda_runtime::Error::from)?;
            routes
                .dispatch(event)
                .await
                .map_err(lambda_runtime::Error::from)
        }
    }))
    .await
}
