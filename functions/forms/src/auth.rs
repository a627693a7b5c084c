//! Who is calling a LIFF API: the LINE user LINE vouches for, from the bearer ID token.

use crate::FormsState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;
use tayori_line::LineError;

/// What a LIFF API call can end in other than success; answered as `{"error": "<Japanese>"}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。")]
    NoToken,
    #[error("LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。")]
    InvalidToken,
    #[error("{0}")]
    BadRequest(String),
    #[error("ただいま処理できません。時間をおいて、もう一度お試しください。")]
    Unavailable(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::NoToken | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unavailable(cause) => {
                tracing::error!(cause = %cause, "LIFF API request failed");
                StatusCode::SERVICE_UNAVAILABLE
            }
        };
        (status, Json(json!({"error": self.to_string()}))).into_response()
    }
}

impl From<tayori_records::RecordError> for ApiError {
    fn from(e: tayori_records::RecordError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

/// The verified LINE user id of the caller.
pub struct Citizen(pub String);

impl FromRequestParts<Arc<FormsState>> for Citizen {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<FormsState>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::NoToken)?;
        match state
            .line
            .verify_id_token(token, &state.config.login_channel_id)
            .await
        {
            Ok(claims) => Ok(Citizen(claims.sub)),
            // LINE answers 400 for a forged, expired or foreign token.
            Err(LineError::Rejected {
                status, message, ..
            }) if status < 500 => {
                tracing::warn!(status, message = %message, "LIFF ID token refused");
                Err(ApiError::InvalidToken)
            }
            Err(e) => Err(ApiError::Unavailable(format!("ID token verification: {e}"))),
        }
    }
}
