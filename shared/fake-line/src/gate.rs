//! Every LINE request passes here first: it is recorded, slowed, authenticated, possibly
//! failed on purpose or rate limited, and its body checked against the spec before a handler
//! sees it.

use crate::controls::MishapKind;
use crate::errors::{self, Refusals};
use crate::record::{self, RecordedRequest};
use crate::schema::SchemaError;
use crate::spec::{RequestBody, Spec};
use crate::FakeLine;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde_json::Value;
use std::time::Instant;

/// LINE refuses request bodies over 2 MB with 413.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// What the gate hands to handlers: the request id LINE will answer with and the parsed body.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub request_id: String,
    pub json: Value,
}

pub(crate) async fn gate(State(fake): State<FakeLine>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut recorded = RecordedRequest {
        id: fake.next_request_id(),
        at: chrono::Utc::now(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: record::headers(&parts.headers),
        body: Value::Null,
        status: 0,
        schema_errors: Vec::new(),
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut lose_answer = false;

    let latency = fake.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let mut response = match to_bytes(body, MAX_BODY).await {
        Err(_) => errors::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body exceeds 2 MB",
        ),
        Ok(bytes) => {
            recorded.body = if fake.is_tally_only() {
                serde_json::json!({ "bytes": bytes.len() })
            } else {
                record::body(content_type.as_deref(), &bytes)
            };
            match screen(&fake, &parts, content_type.as_deref(), &bytes) {
                Err(response) => *response,
                Ok(Screened { json, answer_lost }) => {
                    lose_answer = answer_lost;
                    let mut request = Request::from_parts(parts, Body::from(bytes));
                    request.extensions_mut().insert(Accepted {
                        request_id: request_id.clone(),
                        json,
                    });
                    next.run(request).await
                }
            }
        }
    };

    if let Some(Refusals(found)) = response.extensions_mut().remove::<Refusals>() {
        recorded.schema_errors = found;
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-line-request-id", value);
    }
    recorded.status = response.status().as_u16();
    fake.record(recorded);
    if lose_answer {
        drop_connection();
    }
    response
}

/// Closes the connection without an answer, the request already carried out. A handler cannot
/// close its connection in hyper, but hyper polls it inside the connection's task: unwinding
/// ends that task, and with it the connection, before a byte of the answer is written. It is
/// `resume_unwind`, not `panic!`, so the panic hook stays quiet (this is no error).
fn drop_connection() -> ! {
    std::panic::resume_unwind(Box::new("the fake LINE lost this answer on purpose"))
}

/// What passed the gate's checks: the parsed JSON body (null when the operation takes none),
/// and whether the answer is to be lost once the request is carried out.
struct Screened {
    json: Value,
    answer_lost: bool,
}

/// The checks LINE makes before doing anything, and the mishaps and faults a test asked for.
fn screen(
    fake: &FakeLine,
    parts: &Parts,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<Screened, Box<Response>> {
    if !has_bearer_token(parts) {
        return Err(Box::new(errors::error(
            StatusCode::UNAUTHORIZED,
            "Authentication failed due to the following reason: no token or an empty token. Confirm that the access token in the authorization header is valid.",
        )));
    }
    let path = parts.uri.path();
    let answer_lost = match fake.take_mishap(path) {
        Some(MishapKind::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Err(Box::new(
                (status, Json(errors::default_body(status))).into_response(),
            ));
        }
        Some(MishapKind::AnswerLost) => true,
        None => false,
    };
    let json = checked_body(fake, parts, path, content_type, bytes)?;
    Ok(Screened { json, answer_lost })
}

/// The checks after the mishaps: injected faults, rate limits, and the body against the spec.
/// `Ok` carries the parsed JSON body (null when the operation takes none).
fn checked_body(
    fake: &FakeLine,
    parts: &Parts,
    path: &str,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<Value, Box<Response>> {
    if let Some(fault) = fake.take_fault(path) {
        let status =
            StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = fault.body.unwrap_or_else(|| errors::default_body(status));
        return Err(Box::new((status, Json(body)).into_response()));
    }
    if fake.over_rate_limit(path, Instant::now()) {
        return Err(Box::new(errors::error(
            StatusCode::TOO_MANY_REQUESTS,
            errors::RATE_LIMITED,
        )));
    }
    let spec = Spec::messaging();
    let Some(operation) = spec.operation(parts.method.as_str(), path) else {
        return Ok(Value::Null);
    };
    match operation.body {
        RequestBody::None => Ok(Value::Null),
        RequestBody::Binary => {
            let media = content_type.map(media_type);
            if matches!(media.as_deref(), Some("image/jpeg" | "image/png")) {
                Ok(Value::Null)
            } else {
                let mut response = errors::error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "A content type not supported by the API is requested.",
                );
                response.extensions_mut().insert(Refusals(vec![format!(
                    "/: content type {} is not image/jpeg or image/png",
                    content_type.unwrap_or("(none)")
                )]));
                Err(Box::new(response))
            }
        }
        RequestBody::Json(_) => {
            if content_type.map(media_type).as_deref() != Some("application/json") {
                return Err(Box::new(errors::error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "A content type not supported by the API is requested.",
                )));
            }
            let json: Value = serde_json::from_slice(bytes).map_err(|e| {
                Box::new(errors::bad_request(&format!(
                    "The request body could not be parsed as JSON (line: {}, column: {})",
                    e.line(),
                    e.column()
                )))
            })?;
            let problems: Vec<SchemaError> = spec.check_body(operation, &json);
            if problems.is_empty() {
                Ok(json)
            } else {
                Err(Box::new(errors::invalid_body(&problems)))
            }
        }
    }
}

fn has_bearer_token(parts: &Parts) -> bool {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| !token.trim().is_empty())
}

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}
