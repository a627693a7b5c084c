//! The admin function: the staff console at `/admin`.
//!
//! Every request passes, in order: the IP allow-list (9.1.1), the session and CSRF check, then
//! the route's own access check (`routes::Access`). Pages are rendered on the server in
//! Japanese; they work without JavaScript, which suits slow LGWAN VDI desktops.

pub mod audit;
pub mod auth;
pub mod error;
pub mod pages;
pub mod routes;
pub mod session;
pub mod settings;
pub mod setup;
pub mod source_ip;
pub mod ui;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tayori_domain::staff::SessionPolicy;
use tayori_line::LineClient;
use tayori_ports::Platform;
use tayori_records::{AuditLog, Sessions, StaffAccounts};

pub use error::{ConsoleError, PageResult};
pub use routes::{Access, RouteInfo};
pub use source_ip::{AllowList, SourceIp};

pub const HEALTH_PATH: &str = "/admin/healthz";

#[derive(Clone, Debug)]
pub struct AdminConfig {
    pub city: String,
    pub allow_list: AllowList,
    /// Off only in the local run, which is plain HTTP on loopback.
    pub secure_cookies: bool,
    /// The one-time setup token that lets the first administrator be created in the browser;
    /// refused once any account exists.
    pub setup_token: Option<String>,
    pub session_policy: SessionPolicy,
    /// Whether citizens are served from the shipped sample calendar; the garbage pages say
    /// which, and what to do.
    pub sample_calendar: tayori_garbage::SampleCalendar,
    /// Where report photos' presigned URLs point when it is not the console's own origin (the
    /// bucket on AWS): the one image source the console's policy adds.
    pub photo_source: Option<tayori_web::BucketOrigin>,
    /// Where citizens open a form, shown in the builder.
    pub forms_link: pages::forms::FormsLink,
}

pub struct AdminState {
    pub platform: Platform,
    pub line: Arc<LineClient>,
    pub config: AdminConfig,
    pub staff: StaffAccounts,
    pub sessions: Sessions,
    pub audit: AuditLog,
    /// Built once per container: it keeps the registry's index between requests.
    pub facilities: tayori_facilities::FacilityDesk,
    /// Citizens' reports (通報): the one owner of their use cases.
    pub reports: tayori_reporting::ReportDesk,
    /// Forms (申請・アンケート・予約): the one owner of their use cases.
    pub forms: tayori_formdesk::FormDesk,
    /// CSV exports (出力ファイル): the console asks and lists; the export function writes.
    pub exports: tayori_exports::ExportDesk,
    /// The FAQ (FAQ管理): the one owner of its use cases; keeps the chat's index for 「応答を試す」.
    pub faq: tayori_faq::desk::FaqDesk,
    /// Consultations (相談): the one owner of their use cases.
    pub consultations: tayori_consultations::ConsultationDesk,
    /// Child-rearing messages (子育て情報): the one owner of their use cases; the console keeps
    /// the schedule and send time.
    pub childcare: tayori_childcare::ChildcareDesk,
}

impl AdminState {
    pub fn new(platform: Platform, line: Arc<LineClient>, config: AdminConfig) -> Self {
        Self {
            staff: StaffAccounts::new(platform.table.clone(), platform.cipher.clone()),
            sessions: Sessions::new(platform.table.clone(), config.session_policy),
            audit: AuditLog::new(platform.table.clone()),
            facilities: tayori_facilities::FacilityDesk::new(&platform),
            reports: tayori_reporting::ReportDesk::new(&platform),
            forms: tayori_formdesk::FormDesk::new(&platform),
            faq: tayori_faq::desk::FaqDesk::new(&platform),
            consultations: tayori_consultations::ConsultationDesk::new(&platform, line.clone()),
            childcare: tayori_childcare::ChildcareDesk::new(&platform),
            exports: tayori_exports::ExportDesk::new(
                &platform,
                Arc::new(tayori_exports::sources::CitySources::new(&platform)),
            ),
            platform,
            line,
            config,
        }
    }
}

/// The console's routes and the access each needs.
pub fn route_table() -> Vec<RouteInfo> {
    pages::routes().into_parts().1
}

pub fn router(state: Arc<AdminState>) -> Router {
    let (console, _) = pages::routes().into_parts();
    let state_photo_source = state.config.photo_source.clone();
    let allow_list = Arc::new(state.config.allow_list.clone());
    let console = console
        .route("/admin/{*rest}", get(|| async { ui::not_found() }))
        // `session::load` reads every body up to MAX_FORM_BYTES (and answers a clear page
        // beyond it); axum's own 2 MB default would refuse a phone photo after that check.
        .layer(DefaultBodyLimit::max(session::MAX_FORM_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), session::load))
        .layer(middleware::from_fn_with_state(
            allow_list,
            source_ip::enforce,
        ))
        .with_state(state);
    // Health stays outside the allow-list so that monitoring can reach it.
    let app = Router::new()
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .merge(console);
    tayori_web::secure_with_images(
        app,
        tayori_web::Surface::Console,
        state_photo_source.as_ref(),
    )
}
