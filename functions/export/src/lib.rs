//! The export function: streamed CSV exports to S3 with presigned links.
//!
//! Only the health route exists so far; the capability arrives with its issue.

use axum::routing::get;
use axum::Router;

pub const HEALTH_PATH: &str = "/admin/api/exports/healthz";

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
