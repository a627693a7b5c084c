//! Lambda entry point: configuration and clients are built once per container, then every
//! request goes to the router.

use std::sync::Arc;
use tayori_webhook::{router, WebhookState};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let boot = tayori_runtime::Boot::from_env().await?;
    let state = WebhookState::new(boot.platform, boot.line, boot.channel_secret, &boot.city);
    lambda_http::run(router(Arc::new(state))).await
}
