//! Lambda entry point: configuration and clients are built once per container.

use std::sync::Arc;
use tayori_adapters::aws;
use tayori_forms::{router, FormsConfig, FormsState};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let config = aws::AwsConfig::from_env()?;
    let sdk = aws::sdk_config().await;
    let platform = aws::platform(&sdk, &config, Arc::new(SystemClock));
    let login_channel_id = std::env::var("LINE_LOGIN_CHANNEL_ID")
        .map_err(|_| "LINE_LOGIN_CHANNEL_ID is not set: LIFF ID tokens cannot be verified")?;
    // ID token verification needs no channel access token, so no LINE secret is read here.
    let defaults = LineConfig::default();
    let line = LineClient::new(LineConfig {
        api_base: std::env::var("LINE_API_BASE").unwrap_or(defaults.api_base.clone()),
        ..defaults
    });
    let state = FormsState {
        platform,
        line: Arc::new(line),
        config: FormsConfig {
            login_channel_id,
            liff_id: std::env::var("LIFF_ID").ok().filter(|s| !s.is_empty()),
            city: std::env::var("CITY_NAME").unwrap_or_else(|_| "小浜市".into()),
        },
    };
    tayori_web::LambdaApp::new(router(Arc::new(state)))
        .run()
        .await
}
