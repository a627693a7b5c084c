//! The reports function: citizens' reports (通報) with photos and locations.
//!
//! - `GET /liff/reports`: the report form (a LIFF page), and `GET /liff/reports/static/*`, its
//!   script, stylesheet and the vendored Leaflet;
//! - `GET /api/reports/categories`: the categories citizens may choose, with their questions;
//! - `POST /api/reports/uploads`: a presigned PUT for one photo (JPEG or PNG, at most 10 MB);
//! - `POST /api/reports`: files the report with the uploaded photos, answering its receipt
//!   number; `GET /api/reports/mine`: the citizen's latest reports.
//!
//! Every API call carries `Authorization: Bearer <LINE ID token>`, verified with LINE
//! (`tayori_web::liff`); the use cases are the report desk's (`tayori_reporting`).
//!
//! From the bus (EventBridge rules in AWS, the in-process bus locally):
//!
//! - `report.photo-received` ([`PhotoHandler`], `photos.rs`): the webhook saw a photo during a
//!   report in the chat; it is downloaded from LINE, checked, re-encoded without Exif, stored and
//!   attached, and the citizen answered with the event's reply token;
//! - `report.status-changed` ([`StatusNoticeHandler`], `notices.rs`): staff changed a report's
//!   status; the citizen is pushed a notice (unless they blocked the account).

mod api;
mod error;
pub mod notices;
mod pages;
pub mod photos;
pub mod settings;

use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tayori_line::LineClient;
use tayori_ports::Platform;
use tayori_reporting::ReportDesk;
use tayori_web::{BucketOrigin, LiffLogin};

pub use api::{CategoryView, FiledView, MyReport};
pub use error::{ApiError, FormField};
pub use notices::StatusNoticeHandler;
pub use photos::PhotoHandler;
pub use tayori_reporting::{REPORT_PHOTO_RECEIVED, REPORT_STATUS_CHANGED};

pub const HEALTH_PATH: &str = "/api/reports/healthz";
pub const REPORT_PAGE: &str = "/liff/reports";
/// The page's stylesheet, script and Leaflet (under `/liff/reports/`, routed here).
pub const STATIC_FILES: &str = "/liff/reports/static/{*path}";
pub const CATEGORIES_API: &str = "/api/reports/categories";
pub const UPLOADS_API: &str = "/api/reports/uploads";
pub const REPORTS_API: &str = "/api/reports";
pub const MINE_API: &str = "/api/reports/mine";

pub struct ReportsState {
    pub desk: ReportDesk,
    /// Verifies the LIFF page's ID tokens (LINE Login).
    pub line: Arc<LineClient>,
    pub config: ReportsConfig,
}

impl ReportsState {
    pub fn new(platform: &Platform, line: Arc<LineClient>, config: ReportsConfig) -> Self {
        Self {
            desk: ReportDesk::new(platform),
            line,
            config,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ReportsConfig {
    /// The LIFF app's LINE Login channel id (`LINE_LOGIN_CHANNEL_ID`).
    pub login_channel_id: String,
    /// The LIFF app id (`LIFF_ID`): when set the page takes the ID token from LINE's LIFF SDK;
    /// when not (the local run), from `?id_token=`.
    pub liff_id: Option<String>,
    /// The city's name on the page.
    pub city: String,
    /// Where presigned uploads go when it is not this origin (`UPLOAD_ORIGIN`: the bucket's
    /// https origin in AWS); the page's Content-Security-Policy allows it and nothing else.
    pub upload_origin: Option<BucketOrigin>,
}

impl LiffLogin for ReportsState {
    type Rejection = ApiError;

    fn line(&self) -> &LineClient {
        &self.line
    }

    fn login_channel_id(&self) -> &str {
        &self.config.login_channel_id
    }
}

pub fn router(state: Arc<ReportsState>) -> Router {
    let surface = tayori_web::Surface::LiffReport {
        upload_origin: state.config.upload_origin.clone(),
    };
    let routes = Router::new()
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(STATIC_FILES, get(pages::static_file))
        .route(REPORT_PAGE, get(pages::report_form))
        .route(CATEGORIES_API, get(api::categories))
        .route(UPLOADS_API, post(api::upload))
        .route(REPORTS_API, post(api::file))
        .route(MINE_API, get(api::mine));
    tayori_web::secure(routes, surface).with_state(state)
}
