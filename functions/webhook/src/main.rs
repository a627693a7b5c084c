//! Lambda entry point: configuration and clients are built once per container. The function
//! serves LINE's webhook (and delivery images) through API Gateway, and the
//! `line.events-deferred` events it put on the bus itself when LINE's time ran short.

use std::sync::Arc;
use tayori_runtime::EventRoutes;
use tayori_webhook::deferred::{DeferredEvents, DETAIL_TYPE};
use tayori_webhook::{router, WebhookState};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let boot = tayori_runtime::Boot::from_env().await?;
    let objects = boot.platform.objects.clone();
    let mut state = WebhookState::new(boot.platform, boot.line, boot.channel_secret, &boot.city)
        .with_sample_calendar(boot.sample_calendar);
    // PRIVACY_POLICY_URL, or the page the forms function serves on the public API.
    match std::env::var("PRIVACY_POLICY_URL").or_else(|_| {
        std::env::var("PUBLIC_BASE_URL")
            .ok()
            .filter(|base| !base.is_empty())
            .map(|base| {
                format!(
                    "{}{}",
                    base.trim_end_matches('/'),
                    tayori_webhook::registration::DEFAULT_PRIVACY_POLICY_PATH
                )
            })
            .ok_or(std::env::VarError::NotPresent)
    }) {
        Ok(url) => state = state.with_privacy_policy_url(url),
        Err(_) => tracing::warn!(
            "neither PRIVACY_POLICY_URL nor PUBLIC_BASE_URL is set: the registration invitation links a relative path"
        ),
    }
    let state = Arc::new(state);
    let app = router(state.clone()).merge(tayori_webhook::media::router(objects));
    let events = EventRoutes::default().on(DETAIL_TYPE, Arc::new(DeferredEvents::new(state)));
    tayori_web::LambdaApp::new(app)
        .run_with_events(events)
        .await
}
