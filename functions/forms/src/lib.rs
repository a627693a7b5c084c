//! The forms function: citizen-facing LIFF pages and their APIs.
//!
//! - `GET /liff/registration`: the segment registration form (the same questions as the chat
//!   questionnaire), and `GET|PUT|DELETE /api/registration`, its API;
//! - `GET /liff/privacy`: the privacy policy the registration invitation links to;
//! - `GET /liff/forms/static/*`: the pages' stylesheet and script.
//!
//! Every API call carries `Authorization: Bearer <LINE ID token>`; the server asks LINE who
//! the token belongs to (LINE Login's verify endpoint) and never trusts a user id the browser
//! sends.

mod auth;
mod error;
mod pages;
mod registration;
pub mod settings;

use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tayori_line::LineClient;
use tayori_ports::Platform;

pub use error::ApiError;

pub const HEALTH_PATH: &str = "/liff/forms/healthz";
/// The pages' stylesheet and scripts (under `/liff/forms/`, which API Gateway routes here).
pub const STATIC_FILES: &str = "/liff/forms/static/{name}";
pub const REGISTRATION_PAGE: &str = "/liff/registration";
pub const PRIVACY_PAGE: &str = "/liff/privacy";
pub const REGISTRATION_API: &str = "/api/registration";

pub struct FormsState {
    pub platform: Platform,
    /// Used only for LINE Login's ID token verification; needs no channel access token.
    pub line: Arc<LineClient>,
    pub config: FormsConfig,
}

#[derive(Clone, Debug, Default)]
pub struct FormsConfig {
    /// The LIFF app's LINE Login channel id (`LINE_LOGIN_CHANNEL_ID`): the audience ID tokens
    /// must have been issued for.
    pub login_channel_id: String,
    /// The LIFF app id (`LIFF_ID`). When set, the page loads LINE's LIFF SDK and takes the ID
    /// token from it; when not (the local run), the token comes from `?id_token=`.
    pub liff_id: Option<String>,
    /// The city's name on the pages.
    pub city: String,
}

pub fn router(state: Arc<FormsState>) -> Router {
    let routes = Router::new()
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(STATIC_FILES, get(pages::static_file))
        .route(REGISTRATION_PAGE, get(pages::registration))
        .route(PRIVACY_PAGE, get(pages::privacy))
        .route(
            REGISTRATION_API,
            get(registration::show)
                .put(registration::save)
                .delete(registration::delete),
        );
    tayori_web::secure(routes, tayori_web::Surface::Liff).with_state(state)
}
