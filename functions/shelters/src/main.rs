//! Lambda entry point: configuration, clients and the facility index are built once per
//! container. The function serves the map page and its API through API Gateway, and the
//! `location.received` events the webhook publishes.

use std::sync::Arc;
use tayori_runtime::config::process_env;
use tayori_runtime::{Boot, EventRoutes};
use tayori_shelters::settings::SheltersSettings;
use tayori_shelters::{router, LocationHandler, SheltersState, LOCATION_RECEIVED};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = SheltersSettings::from_lookup(&process_env)?;
    let map_page_url = settings.map_page_url();
    let boot = Boot::start(&settings.boot).await?;
    let state = Arc::new(SheltersState::new(boot.platform, map_page_url));
    let handler = LocationHandler {
        state: state.clone(),
        line: boot.line,
    };
    let events = EventRoutes::default().on(LOCATION_RECEIVED, Arc::new(handler));
    tayori_web::LambdaApp::new(router(state))
        .run_with_events(events)
        .await
}
