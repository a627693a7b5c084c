//! Who is calling a LIFF API: the LINE user LINE vouches for, from the bearer ID token.

use crate::{ApiError, FormsState};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use std::sync::Arc;
use tayori_line::LineError;

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
            Err(e) => Err(e.into()),
        }
    }
}
