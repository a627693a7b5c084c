//! `/_line/*`: JSON routes a test or the local run uses to inspect and steer the fake.

use crate::controls::Fault;
use crate::FakeLine;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub(crate) fn router(fake: FakeLine) -> Router {
    Router::new()
        .route("/_line/requests", get(requests).delete(clear))
        .route("/_line/faults", post(inject).delete(reset))
        .route("/_line/latency", post(latency))
        .route("/_line/rate-limit", post(rate_limit))
        .route("/_line/deliveries/tally", get(tally))
        .with_state(fake)
}

#[derive(Deserialize)]
struct PathFilter {
    path: Option<String>,
}

async fn requests(State(fake): State<FakeLine>, Query(filter): Query<PathFilter>) -> Response {
    let mut requests = fake.requests();
    if let Some(prefix) = filter.path {
        requests.retain(|r| r.path.starts_with(&prefix));
    }
    Json(requests).into_response()
}

async fn clear(State(fake): State<FakeLine>) -> Response {
    fake.clear();
    Json(json!({})).into_response()
}

async fn inject(State(fake): State<FakeLine>, Json(fault): Json<Fault>) -> Response {
    fake.inject_faults(fault);
    Json(json!({})).into_response()
}

async fn reset(State(fake): State<FakeLine>) -> Response {
    fake.reset_controls();
    Json(json!({})).into_response()
}

/// `{"ms": 300}` for a fixed delay; `{"ms": 50, "maxMs": 300}` for one drawn per request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Latency {
    ms: u64,
    max_ms: Option<u64>,
}

async fn latency(State(fake): State<FakeLine>, Json(latency): Json<Latency>) -> Response {
    fake.set_latency_between(
        Duration::from_millis(latency.ms),
        Duration::from_millis(latency.max_ms.unwrap_or(latency.ms)),
    );
    Json(json!({})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimit {
    path: String,
    per_second: u32,
}

async fn rate_limit(State(fake): State<FakeLine>, Json(limit): Json<RateLimit>) -> Response {
    fake.enforce_rate_limit(&limit.path, limit.per_second);
    Json(json!({})).into_response()
}

async fn tally(State(fake): State<FakeLine>) -> Response {
    Json(fake.delivery_tally()).into_response()
}
