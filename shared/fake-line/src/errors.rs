//! LINE-style answers: `{"message": ..., "details": [{"message", "property"}]}`.

use crate::schema::SchemaError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};

pub(crate) const RATE_LIMITED: &str = "The API rate limit has been exceeded. Try again later.";
pub(crate) const RETRY_KEY_ACCEPTED: &str = "The retry key is already accepted";
pub(crate) const NO_IMAGE: &str = "must upload richmenu image before applying it to user";

/// Errors the handler found beyond the spec (a rich menu's aspect ratio, say), handed to the
/// recorder through the response's extensions so they show up in `schemaErrors`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refusals(pub Vec<String>);

pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message}))).into_response()
}

pub(crate) fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, message)
}

pub(crate) fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

/// A 400 listing each problem, as LINE does for invalid request bodies; the problems are also
/// recorded with the request.
pub(crate) fn invalid_body(errors: &[SchemaError]) -> Response {
    let details: Vec<Value> = errors
        .iter()
        .map(|e| json!({"message": e.message, "property": e.line_property()}))
        .collect();
    let mut response = (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "message": format!("The request body has {} error(s)", errors.len()),
            "details": details,
        })),
    )
        .into_response();
    response
        .extensions_mut()
        .insert(Refusals(errors.iter().map(ToString::to_string).collect()));
    response
}

/// The body an injected fault answers with when the test gave none.
pub(crate) fn default_body(status: StatusCode) -> Value {
    let message = match status.as_u16() {
        400 => "The request body has 1 error(s)",
        401 => "Authentication failed. Confirm that the access token in the authorization header is valid.",
        403 => "Access to this API is not available for your account",
        404 => "Not found",
        409 => RETRY_KEY_ACCEPTED,
        429 => RATE_LIMITED,
        500 => "Internal server error",
        503 => "Service unavailable",
        _ => status.canonical_reason().unwrap_or("Error"),
    };
    json!({"message": message})
}
