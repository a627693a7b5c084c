//! The forms function: citizen-facing LIFF pages and their APIs.
//!
//! - `GET /liff/registration`: the segment registration form (the same questions as the chat
//!   questionnaire), and `GET|PUT|DELETE /api/registration`, its API;
//! - `GET /liff/privacy`: the privacy policy the registration invitation links to;
//! - `GET /liff/forms/static/*`: the pages' stylesheet and script;
//! - `GET /liff/forms` and `GET /liff/forms/{id}`: the forms staff built (申請・アンケート・
//!   予約), answered by citizens; `/api/forms/…` their API (`answering.rs`): the open forms,
//!   one form with whether it takes answers and its slots' places, the draft, a photo/file
//!   field's presigned upload (`POST /api/forms/{id}/uploads`), the answer,
//!   「これまでの回答」, cancelling a reservation and the postal-code lookup.
//!
//! Every API call carries `Authorization: Bearer <LINE ID token>`; the server asks LINE who
//! the token belongs to (LINE Login's verify endpoint) and never trusts a user id the browser
//! sends. The forms' use cases are the form desk's (`tayori_formdesk`).
//!
//! From the bus (`notices.rs`): `form.answered` pushes the receipt, and
//! `form.answer-status-changed` the changes the citizen must hear of.

pub mod answering;
mod auth;
mod error;
mod join;
pub mod notices;
mod pages;
mod registration;
pub mod sample;
pub mod settings;

use axum::routing::{get, post, put};
use axum::Router;
use std::sync::Arc;
use tayori_line::LineClient;
use tayori_ports::Platform;
use tayori_web::BucketOrigin;

pub use error::ApiError;
pub use notices::{ReceiptHandler, StatusNoticeHandler};
pub use tayori_formdesk::{
    FORM_ANSWERED, FORM_ANSWER_STATUS_CHANGED, FORM_FILE_PREFIX, FORM_UPLOAD_PREFIX,
};

pub const HEALTH_PATH: &str = "/liff/forms/healthz";
/// The pages' stylesheet and scripts (under `/liff/forms/`, which API Gateway routes here).
pub const STATIC_FILES: &str = "/liff/forms/static/{name}";
pub const REGISTRATION_PAGE: &str = "/liff/registration";
pub const PRIVACY_PAGE: &str = "/liff/privacy";
/// Where a place's add-friend QR opens ([`join`]): directly, and inside LINE through the
/// registration LIFF app, whose endpoint is [`REGISTRATION_PAGE`].
pub const JOIN_PAGE: &str = "/liff/join/{code}";
pub const JOIN_PAGE_IN_LIFF: &str = "/liff/registration/join/{code}";
pub const JOIN_API: &str = "/api/join/{code}";
pub const REGISTRATION_API: &str = "/api/registration";
/// The open forms and the citizen's answers; one form is `/liff/forms/<id>`.
pub const FORMS_PAGE: &str = "/liff/forms";
pub const FORM_PAGE: &str = "/liff/forms/{id}";
pub const FORMS_API: &str = "/api/forms";
pub const FORM_API: &str = "/api/forms/{id}";
pub const DRAFT_API: &str = "/api/forms/{id}/draft";
pub const ANSWERS_API: &str = "/api/forms/{id}/answers";
/// A presigned upload for one photo/file field's file.
pub const UPLOADS_API: &str = "/api/forms/{id}/uploads";
pub const MY_ANSWERS_API: &str = "/api/forms/answers";
pub const CANCEL_API: &str = "/api/forms/answers/{answer_id}/cancel";
pub const POSTAL_API: &str = "/api/forms/postal/{code}";

pub struct FormsState {
    pub platform: Platform,
    /// Verifies the LIFF pages' ID tokens (LINE Login); the bus handlers push with their own.
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
    /// The forms' own LIFF app id (`FORMS_LIFF_ID`): a LIFF app opens one endpoint URL, and
    /// the forms' is `/liff/forms` (`liff.line.me/<id>/<form id>` opens one form).
    pub forms_liff_id: Option<String>,
    /// The city's name on the pages.
    pub city: String,
    /// Where a photo/file field's presigned uploads go when it is not this origin
    /// (`UPLOAD_ORIGIN`: the bucket's https origin in AWS); the pages' Content-Security-Policy
    /// allows it and nothing else.
    pub upload_origin: Option<BucketOrigin>,
}

pub fn router(state: Arc<FormsState>) -> Router {
    let surface = tayori_web::Surface::LiffForms {
        upload_origin: state.config.upload_origin.clone(),
    };
    let routes = Router::new()
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(STATIC_FILES, get(pages::static_file))
        .route(REGISTRATION_PAGE, get(pages::registration))
        .route(PRIVACY_PAGE, get(pages::privacy))
        .route(JOIN_PAGE, get(join::open))
        .route(JOIN_PAGE_IN_LIFF, get(join::open))
        .route(JOIN_API, post(join::joined))
        .route(
            REGISTRATION_API,
            get(registration::show)
                .put(registration::save)
                .delete(registration::delete),
        )
        .route(FORMS_PAGE, get(pages::forms_list))
        .route(FORM_PAGE, get(pages::form))
        .route(FORMS_API, get(answering::open_forms))
        .route(FORM_API, get(answering::show))
        .route(DRAFT_API, put(answering::save_draft))
        .route(ANSWERS_API, post(answering::submit))
        .route(UPLOADS_API, post(answering::upload))
        .route(MY_ANSWERS_API, get(answering::my_answers))
        .route(CANCEL_API, post(answering::cancel))
        .route(POSTAL_API, get(answering::postal));
    tayori_web::secure(routes, surface).with_state(state)
}
