//! `GET /media/<key>`: delivery images for LINE, which fetches a message's images itself from
//! an https URL. Only keys under `media/` are served; everything else in the bucket stays
//! private.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tayori_ports::{ObjectKey, ObjectStore};

pub fn router(objects: Arc<dyn ObjectStore>) -> Router {
    let routes = Router::new().route("/media/{*key}", get(serve));
    tayori_web::secure(routes, tayori_web::Surface::Api).with_state(objects)
}

async fn serve(State(objects): State<Arc<dyn ObjectStore>>, Path(key): Path<String>) -> Response {
    let Ok(key) = ObjectKey::new(format!("media/{key}")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match objects.get(&key).await {
        Ok(Some(object)) => (
            [
                (header::CONTENT_TYPE, object.content_type),
                // Delivery images never change under the same key.
                (
                    header::CACHE_CONTROL,
                    "public, max-age=31536000, immutable".into(),
                ),
            ],
            object.bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "media unavailable");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn only_delivery_media_is_served() {
        let dir = tempfile::tempdir().unwrap();
        let objects: Arc<dyn ObjectStore> = Arc::new(
            tayori_adapters::embedded::FolderObjects::open(dir.path().to_path_buf()).unwrap(),
        );
        let photo = ObjectKey::new("media/deliveries/D1/a.png").unwrap();
        objects
            .put(&photo, b"png".to_vec(), "image/png")
            .await
            .unwrap();
        let secret = ObjectKey::new("reports/R1/photo.jpg").unwrap();
        objects
            .put(&secret, b"jpg".to_vec(), "image/jpeg")
            .await
            .unwrap();
        let app = router(objects);
        let get = |uri: &str| {
            app.clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        };
        let ok = get("/media/deliveries/D1/a.png").await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()[header::CONTENT_TYPE], "image/png");
        for refused in [
            "/media/../reports/R1/photo.jpg",
            "/media/deliveries/D1/none.png",
        ] {
            assert_eq!(
                get(refused).await.unwrap().status(),
                StatusCode::NOT_FOUND,
                "{refused}"
            );
        }
    }
}
