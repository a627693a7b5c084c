//! Lambda entry point: configuration and clients are built once per container (see
//! [`tayori_admin::settings`]).

use std::sync::Arc;
use tayori_admin::settings::AdminSettings;
use tayori_admin::{router, AdminConfig, AdminState};
use tayori_runtime::config::process_env;
use tayori_runtime::Boot;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let settings = AdminSettings::from_lookup(&process_env)?;
    let boot = Boot::start(&settings.boot).await?;
    let setup_token = match &settings.setup_secret_id {
        Some(id) => Some(tayori_runtime::secret_string(id).await?),
        None => None,
    };
    let state = AdminState::new(
        boot.platform,
        boot.line,
        AdminConfig {
            city: boot.city,
            allow_list: settings.allow_list,
            secure_cookies: true,
            setup_token,
            session_policy: Default::default(),
            sample_calendar: boot.sample_calendar,
        },
    );
    // The source address the allow-list checks and the stage prefix come from API Gateway.
    tayori_web::LambdaApp::new(router(Arc::new(state)))
        .run()
        .await
}
