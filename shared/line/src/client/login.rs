//! LINE Login: verifying the ID token a LIFF app obtained (`liff.getIDToken()`), so that a LIFF
//! page's API knows which LINE user is calling without trusting anything the browser says.

use super::LineClient;
use crate::error::LineError;
use serde::{Deserialize, Serialize};

/// What LINE vouches for about the token's user (`POST /oauth2/v2.1/verify`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    #[serde(default)]
    pub iss: String,
    /// The LINE user id: the same `U…` id the Messaging API's webhooks carry for this provider.
    pub sub: String,
    /// The LINE Login channel id the token was issued for.
    pub aud: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    #[serde(default)]
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
}

/// LINE Login's error body (`{"error": ..., "error_description": ...}`), unlike the Messaging
/// API's `{"message": ...}`.
#[derive(Deserialize)]
struct LoginError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

impl LineClient {
    /// Asks LINE whether `id_token` is genuine, unexpired and issued for `client_id` (the LIFF
    /// app's LINE Login channel id). LINE answers 400 for a forged, expired or foreign token,
    /// which comes back as [`LineError::Rejected`]. No channel access token is involved.
    pub async fn verify_id_token(
        &self,
        id_token: &str,
        client_id: &str,
    ) -> Result<IdTokenClaims, LineError> {
        if id_token.is_empty() || client_id.is_empty() {
            return Err(LineError::Rejected {
                status: 400,
                message: "an ID token and a client id are required".into(),
                details: Vec::new(),
            });
        }
        let response = self
            .http
            .post(self.api("/oauth2/v2.1/verify"))
            .form(&[("id_token", id_token), ("client_id", client_id)])
            .send()
            .await
            .map_err(|e| LineError::GaveUp {
                attempts: 1,
                status: None,
                last: e.to_string(),
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| {
            LineError::Unexpected(format!("the answer's body could not be read: {e}"))
        })?;
        if status.is_success() {
            let claims: IdTokenClaims =
                serde_json::from_slice(&body).map_err(|e| LineError::Unexpected(e.to_string()))?;
            // LINE checks the audience already; checking again costs nothing and keeps a token
            // of another channel out even if a proxy answered in LINE's place.
            if claims.aud != client_id {
                return Err(LineError::Rejected {
                    status: 400,
                    message: "the ID token was issued for another channel".into(),
                    details: Vec::new(),
                });
            }
            return Ok(claims);
        }
        let error: LoginError = serde_json::from_slice(&body).unwrap_or(LoginError {
            error: String::new(),
            error_description: String::from_utf8_lossy(&body).chars().take(200).collect(),
        });
        let message = format!("{} {}", error.error, error.error_description)
            .trim()
            .to_string();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(LineError::GaveUp {
                attempts: 1,
                status: Some(status.as_u16()),
                last: message,
            });
        }
        Err(LineError::Rejected {
            status: status.as_u16(),
            message,
            details: Vec::new(),
        })
    }
}
