//! LINE Login's ID token verification (`POST /oauth2/v2.1/verify`), for LIFF pages' APIs, and
//! `POST /_line/id-tokens`, which issues a token as `liff.getIDToken()` would in LINE.
//!
//! Not behind the Messaging API gate: LINE Login takes a form body and no channel access
//! token. Verify requests are still recorded, with the token masked.

use crate::record::{self, RecordedRequest};
use crate::world::IssuedIdToken;
use crate::FakeLine;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

/// LINE's ID tokens live about an hour.
const LIFETIME_SECONDS: i64 = 3600;

pub(crate) fn router(fake: FakeLine) -> Router {
    Router::new()
        .route("/oauth2/v2.1/verify", post(verify))
        .route("/_line/id-tokens", post(issue))
        .with_state(fake)
}

impl FakeLine {
    /// An ID token for `user_id`, as the LIFF SDK in LINE would hand the page. `client_id`,
    /// when given, is the only channel it verifies for; otherwise any channel's id is taken as
    /// its audience.
    pub fn issue_id_token(&self, user_id: &str, client_id: Option<&str>) -> String {
        let token = format!("fake-idtoken.{}", uuid::Uuid::new_v4().simple());
        let issued_at = chrono::Utc::now().timestamp();
        self.world().id_tokens.insert(
            token.clone(),
            IssuedIdToken {
                user_id: user_id.to_string(),
                client_id: client_id.map(str::to_string),
                issued_at,
                expires_at: issued_at + LIFETIME_SECONDS,
            },
        );
        token
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    user_id: String,
    #[serde(default)]
    client_id: Option<String>,
}

async fn issue(State(fake): State<FakeLine>, Json(request): Json<Issue>) -> Response {
    if request.user_id.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "userId is required"})),
        )
            .into_response();
    }
    let token = fake.issue_id_token(&request.user_id, request.client_id.as_deref());
    Json(json!({"idToken": token})).into_response()
}

fn invalid(description: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({"error": "invalid_request", "error_description": description}),
    )
}

async fn verify(State(fake): State<FakeLine>, headers: HeaderMap, body: Bytes) -> Response {
    let fields: Vec<(String, String)> = form_fields(&body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (id_token, client_id) = (field("id_token"), field("client_id"));
    let form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let now = chrono::Utc::now().timestamp();
    let (status, answer) = if !form {
        invalid("Content-Type must be application/x-www-form-urlencoded")
    } else if id_token.is_empty() {
        invalid("id_token is required")
    } else if client_id.is_empty() {
        invalid("client_id is required")
    } else {
        let issued = fake.world().id_tokens.get(&id_token).cloned();
        match issued {
            None => invalid("Invalid IdToken."),
            Some(t) if t.expires_at <= now => invalid("IdToken expired."),
            Some(t) if t.client_id.as_deref().is_some_and(|c| c != client_id) => {
                invalid("Invalid IdToken Audience.")
            }
            Some(t) => (
                StatusCode::OK,
                json!({
                    "iss": "https://access.line.me",
                    "sub": t.user_id,
                    "aud": client_id,
                    "exp": t.expires_at,
                    "iat": t.issued_at,
                    "amr": ["linesso"],
                }),
            ),
        }
    };
    let masked: Value = json!({
        "id_token": if id_token.is_empty() { "" } else { "***" },
        "client_id": client_id,
    });
    fake.record(RecordedRequest {
        id: fake.next_request_id(),
        at: chrono::Utc::now(),
        method: "POST".into(),
        path: "/oauth2/v2.1/verify".into(),
        query: None,
        headers: record::headers(&headers),
        body: masked,
        status: status.as_u16(),
        schema_errors: Vec::new(),
    });
    (status, Json(answer)).into_response()
}

fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(decode("a+b%2Fc"), "a b/c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(
            form_fields(b"id_token=x.y&client_id=123"),
            vec![
                ("id_token".to_string(), "x.y".to_string()),
                ("client_id".to_string(), "123".to_string())
            ]
        );
    }
}
