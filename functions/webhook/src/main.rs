//! Lambda entry point: configuration and clients are built once per container. The function
//! serves LINE's webhook (and delivery images) through API Gateway, and the
//! `line.events-deferred` events it put on the bus itself when LINE's time ran short.

use std::sync::Arc;
use tayori_runtime::config::process_env;
use tayori_runtime::{Boot, EventRoutes};
use tayori_webhook::deferred::{DeferredEvents, DETAIL_TYPE};
use tayori_webhook::settings::WebhookSettings;
use tayori_webhook::{router, WebhookState};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = WebhookSettings::from_lookup(&process_env)?;
    let boot = Boot::start(&settings.boot).await?;
    let objects = boot.platform.objects.clone();
    let mut state = WebhookState::new(boot.platform, boot.line, boot.channel_secret, &boot.city)
        .with_sample_calendar(boot.sample_calendar);
    match settings.privacy_policy_url {
        Some(url) => state = state.with_privacy_policy_url(url),
        None => tracing::warn!(
            "neither PRIVACY_POLICY_URL nor PUBLIC_BASE_URL is set: the registration invitation links a relative path"
        ),
    }
    if let Some(base) = settings.public_base_url {
        state = state.with_media_base_url(base);
    }
    let state = Arc::new(state);
    let app = router(state.clone()).merge(tayori_webhook::media::router(objects));
    let events = EventRoutes::default().on(DETAIL_TYPE, Arc::new(DeferredEvents::new(state)));
    tayori_web::LambdaApp::new(app)
        .run_with_events(events)
        .await
}
