//! The HTTP feed source against a local server standing in for JMA: the validators of the last
//! answer are sent back, a 304 is "unchanged", and messages come only from the feed's host.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::{Arc, Mutex};
use tayori_disaster::{FeedFetch, FeedSource, HttpFeedSource, SourceError, Validators};

#[derive(Default)]
struct Seen(Mutex<Vec<(Option<String>, Option<String>)>>);

async fn feed(State(seen): State<Arc<Seen>>, headers: HeaderMap) -> impl IntoResponse {
    let header = |n: &str| headers.get(n).map(|v| v.to_str().unwrap().to_owned());
    let etag = header("if-none-match");
    seen.0
        .lock()
        .unwrap()
        .push((etag.clone(), header("if-modified-since")));
    if etag.as_deref() == Some("\"v1\"") {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            ("etag", "\"v1\""),
            ("last-modified", "Tue, 01 Dec 2026 00:00:00 GMT"),
        ],
        "<feed/>",
    )
        .into_response()
}

#[tokio::test]
async fn validators_go_back_and_unchanged_feeds_are_not_read_again() {
    let seen = Arc::new(Seen::default());
    let app = Router::new()
        .route("/developer/xml/feed/eqvol.xml", get(feed))
        .route(
            "/developer/xml/data/a_VXSE53_1.xml",
            get(|| async { "<Report/>" }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = format!("http://{addr}/developer/xml/feed/eqvol.xml");
    let source = HttpFeedSource::new(vec![url.clone()]);
    let first = source.feed(&url, &Validators::default()).await.unwrap();
    let FeedFetch::Changed { body, validators } = first else {
        panic!("{first:?}")
    };
    assert_eq!(body, b"<feed/>");
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    let second = source.feed(&url, &validators).await.unwrap();
    assert_eq!(second, FeedFetch::Unchanged);
    assert_eq!(
        seen.0.lock().unwrap().clone(),
        [
            (None, None),
            (
                Some("\"v1\"".into()),
                Some("Tue, 01 Dec 2026 00:00:00 GMT".into())
            )
        ]
    );

    let message = source
        .message(&format!("http://{addr}/developer/xml/data/a_VXSE53_1.xml"))
        .await
        .unwrap();
    assert_eq!(message, b"<Report/>");
    assert!(matches!(
        source.message("http://127.0.0.2:1/x.xml").await,
        Err(SourceError::ForeignLink(_))
    ));
}
