//! Lambda entry point: configuration and clients are built once per container (see
//! [`tayori_forms::settings`]). The function serves the LIFF pages and their API through API
//! Gateway, and the `form.answered` and `form.answer-status-changed` events EventBridge routes
//! to it (the receipt and status messages it pushes).

use std::sync::Arc;
use tayori_forms::settings::FormsSettings;
use tayori_forms::{router, FormsState, ReceiptHandler, StatusNoticeHandler};
use tayori_forms::{FORM_ANSWERED, FORM_ANSWER_STATUS_CHANGED};
use tayori_runtime::config::process_env;
use tayori_runtime::{Boot, EventRoutes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = FormsSettings::from_lookup(&process_env)?;
    let boot = Boot::start_mailing(&settings.boot).await?;
    let state = FormsState {
        platform: boot.platform.clone(),
        line: boot.line.clone(),
        config: settings.forms,
    };
    let receipts = ReceiptHandler::new(boot.platform.clone(), boot.line.clone())
        .with_console(settings.console_base_url);
    let notices = StatusNoticeHandler::new(boot.platform, boot.line);
    let events = EventRoutes::default()
        .on(FORM_ANSWERED, Arc::new(receipts))
        .on(FORM_ANSWER_STATUS_CHANGED, Arc::new(notices));
    tayori_web::LambdaApp::new(router(Arc::new(state)))
        .run_with_events(events)
        .await
}
