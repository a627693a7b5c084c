//! Lambda entry point: configuration and clients are built once per container (see
//! [`tayori_reports::settings`]). The function serves the report form and its API through API
//! Gateway, and the `report.photo-received` and `report.status-changed` events EventBridge
//! routes to it.

use std::sync::Arc;
use tayori_reports::settings::ReportsSettings;
use tayori_reports::{router, PhotoHandler, ReportsState, StatusNoticeHandler};
use tayori_reports::{REPORT_PHOTO_RECEIVED, REPORT_STATUS_CHANGED};
use tayori_runtime::config::process_env;
use tayori_runtime::{Boot, EventRoutes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = ReportsSettings::from_lookup(&process_env)?;
    let boot = Boot::start(&settings.boot).await?;
    let state = ReportsState::new(&boot.platform, boot.line.clone(), settings.reports);
    let photos = PhotoHandler::new(boot.platform.clone(), boot.line.clone());
    let notices = StatusNoticeHandler::new(boot.platform, boot.line, settings.public_base_url);
    let events = EventRoutes::default()
        .on(REPORT_PHOTO_RECEIVED, Arc::new(photos))
        .on(REPORT_STATUS_CHANGED, Arc::new(notices));
    tayori_web::LambdaApp::new(router(Arc::new(state)))
        .run_with_events(events)
        .await
}
