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
    let seed = boot.city == tayori_facilities::data::SHIPPED_FOR;
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
            photo_source: Some(settings.photo_source),
            forms_link: settings.forms_link,
        },
    );
    // The shelters function only reads; a fresh deployment for 小浜市 gets the shipped GSI rows
    // from the first console container (one read on later starts), before anyone imports.
    if seed {
        match state.facilities.seed_if_empty().await {
            Ok(seeded) => tracing::info!(seeded, "shelter registry"),
            Err(e) => tracing::error!(error = %e, "shelter registry not seeded"),
        }
    }
    // The source address the allow-list checks and the stage prefix come from API Gateway.
    tayori_web::LambdaApp::new(router(Arc::new(state)))
        .run()
        .await
}
