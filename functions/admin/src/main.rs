//! Lambda entry point: configuration and clients are built once per container.
//!
//! `ADMIN_ALLOWED_CIDRS` is the same list as the WAF IP set (the template passes both from
//! `AdminAllowedCidrs`); `ADMIN_SETUP_SECRET_ID` names the one-time setup token's secret.

use std::sync::Arc;
use tayori_admin::{router, AdminConfig, AdminState, AllowList};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    let boot = tayori_runtime::Boot::from_env().await?;
    let cidrs =
        std::env::var("ADMIN_ALLOWED_CIDRS").map_err(|_| "ADMIN_ALLOWED_CIDRS is not set")?;
    let allow_list = AllowList::parse(&cidrs)?;
    let setup_token = match std::env::var("ADMIN_SETUP_SECRET_ID") {
        Ok(id) => Some(tayori_runtime::secret_string(&id).await?),
        Err(_) => None,
    };
    let state = AdminState::new(
        boot.platform,
        boot.line,
        AdminConfig {
            city: boot.city,
            allow_list,
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
