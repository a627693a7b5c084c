//! Lambda entry point: configuration and clients are built once per container. EventBridge
//! routes `export.requested` here, the hourly schedule sends `export.sweep`, and API Gateway
//! the health route.

use std::sync::Arc;
use tayori_adapters::aws;
use tayori_export::settings::ExportSettings;
use tayori_export::{router, ExportHandler, EXPORT_SWEEP};
use tayori_exports::sources::CitySources;
use tayori_exports::{ExportDesk, EXPORT_REQUESTED};
use tayori_ports::SystemClock;
use tayori_runtime::config::process_env;
use tayori_runtime::EventRoutes;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = ExportSettings::from_lookup(&process_env)?;
    let sdk = aws::sdk_config().await;
    let platform = aws::platform(&sdk, &settings.common.aws, Arc::new(SystemClock));
    let desk = ExportDesk::new(&platform, Arc::new(CitySources::new(&platform)));
    let handler = Arc::new(ExportHandler { desk });
    let events = EventRoutes::default()
        .on(EXPORT_REQUESTED, handler.clone())
        .on(EXPORT_SWEEP, handler);
    tayori_web::LambdaApp::new(router())
        .run_with_events(events)
        .await
}
