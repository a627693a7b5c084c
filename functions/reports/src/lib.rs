//! The reports function: citizens' reports (通報) with photos and locations.
//!
//! From the bus (EventBridge rules in AWS, the in-process bus locally):
//!
//! - `report.photo-received` ([`PhotoHandler`], `photos.rs`): the webhook saw a photo during a
//!   report in the chat; it is downloaded from LINE, checked, re-encoded without Exif, stored and
//!   attached, and the citizen answered with the event's reply token;
//! - `report.status-changed` ([`StatusNoticeHandler`], `notices.rs`): staff changed a report's
//!   status; the citizen is pushed a notice (unless they blocked the account).

pub mod answer;
pub mod notices;
pub mod photos;
pub mod settings;

use axum::routing::get;
use axum::Router;

pub use notices::StatusNoticeHandler;
pub use photos::PhotoHandler;
pub use tayori_reporting::{REPORT_PHOTO_RECEIVED, REPORT_STATUS_CHANGED};

pub const HEALTH_PATH: &str = "/api/reports/healthz";

pub fn router() -> Router {
    let routes = Router::new().route(HEALTH_PATH, get(|| async { "ok" }));
    tayori_web::secure(routes, tayori_web::Surface::Api)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn the_health_route_answers_ok() {
        let response = router()
            .oneshot(Request::get(HEALTH_PATH).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
