//! Who is calling a LIFF API: the LINE user LINE vouches for, from the bearer ID token the page
//! took from the LIFF SDK (`liff.getIDToken()`; locally `?id_token=`). The server asks LINE
//! (LINE Login's verify endpoint) and never trusts a user id the browser sends. Every function
//! with LIFF pages (forms, reports) extracts its caller with [`LiffCitizen`].

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_line::{LineClient, LineError};
use tayori_ports::PresignedUpload;

/// The verified LINE user id of the caller.
pub struct LiffCitizen(pub String);

/// Why a caller is not known. Each function's API error takes it in (`From`) and answers it in
/// its own JSON shape.
#[derive(Debug, thiserror::Error)]
pub enum LoginRefused {
    #[error("no bearer ID token")]
    NoToken,
    /// LINE refused the token: forged, expired or issued for another channel.
    #[error("ID token refused by LINE")]
    InvalidToken,
    /// LINE could not be asked.
    #[error("LINE Login unavailable: {0}")]
    Unavailable(#[source] LineError),
}

/// A function state that can verify LIFF ID tokens.
pub trait LiffLogin: Send + Sync + 'static {
    /// The function's API error, which renders a refused login.
    type Rejection: From<LoginRefused> + IntoResponse;
    /// Used only for ID token verification (no channel access token needed).
    fn line(&self) -> &LineClient;
    /// The LIFF app's LINE Login channel id: the audience the token must have been issued for.
    fn login_channel_id(&self) -> &str;
}

impl<S: LiffLogin> FromRequestParts<Arc<S>> for LiffCitizen {
    type Rejection = S::Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<S>,
    ) -> Result<Self, Self::Rejection> {
        Ok(LiffCitizen(citizen(parts, state.as_ref()).await?))
    }
}

async fn citizen<S: LiffLogin>(parts: &Parts, state: &S) -> Result<String, LoginRefused> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(LoginRefused::NoToken)?;
    match state
        .line()
        .verify_id_token(token, state.login_channel_id())
        .await
    {
        Ok(claims) => Ok(claims.sub),
        // LINE answers 400 for a forged, expired or foreign token.
        Err(LineError::Rejected {
            status, message, ..
        }) if status < 500 => {
            tracing::warn!(status, message = %message, "LIFF ID token refused");
            Err(LoginRefused::InvalidToken)
        }
        Err(e) => Err(LoginRefused::Unavailable(e)),
    }
}

/// Where a LIFF page PUTs one photo or file, and the key it names the upload by when it sends
/// the form (the reports' and the forms' upload APIs answer the same shape to their pages).
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct UploadView {
    pub key: String,
    pub url: String,
    pub method: String,
    /// To be sent exactly as given (they are signed).
    pub headers: BTreeMap<String, String>,
}

impl UploadView {
    pub fn new(key: String, upload: PresignedUpload) -> Self {
        Self {
            key,
            url: upload.url,
            method: upload.method.to_string(),
            headers: upload.headers.into_iter().collect(),
        }
    }
}
