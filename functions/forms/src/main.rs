//! Lambda entry point: configuration and clients are built once per container (see
//! [`tayori_forms::settings`]).

use std::sync::Arc;
use tayori_adapters::aws;
use tayori_forms::settings::FormsSettings;
use tayori_forms::{router, FormsState};
use tayori_line::LineClient;
use tayori_ports::SystemClock;
use tayori_runtime::config::process_env;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = FormsSettings::from_lookup(&process_env)?;
    let sdk = aws::sdk_config().await;
    let platform = aws::platform(&sdk, &settings.common.aws, Arc::new(SystemClock));
    // ID token verification needs no channel access token, so no LINE secret is read here.
    let line = LineClient::new(settings.common.line_api.client_config(String::new()));
    let state = FormsState {
        platform,
        line: Arc::new(line),
        config: settings.forms,
    };
    tayori_web::LambdaApp::new(router(Arc::new(state)))
        .run()
        .await
}
