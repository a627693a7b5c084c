//! Lambda entry point: configuration and clients are built once per container (see
//! [`tayori_reports::settings`]).

use std::sync::Arc;
use tayori_adapters::aws;
use tayori_line::LineClient;
use tayori_ports::SystemClock;
use tayori_reports::settings::ReportsSettings;
use tayori_reports::{router, ReportsState};
use tayori_runtime::config::process_env;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = ReportsSettings::from_lookup(&process_env)?;
    let sdk = aws::sdk_config().await;
    let platform = aws::platform(&sdk, &settings.common.aws, Arc::new(SystemClock));
    // ID token verification needs no channel access token, so no LINE secret is read here.
    let line = LineClient::new(settings.common.line_api.client_config(String::new()));
    let state = ReportsState::new(&platform, Arc::new(line), settings.reports);
    tayori_web::LambdaApp::new(router(Arc::new(state)))
        .run()
        .await
}
