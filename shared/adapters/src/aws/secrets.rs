//! The LINE channel's secrets, read once at cold start from Secrets Manager (never from template
//! parameters or plain environment variables). Values are never logged: errors name the field,
//! not its content, and `Debug` redacts.

use super::error::describe;
use aws_config::SdkConfig;

/// The secret string is JSON: `{"channelSecret": "...", "channelAccessToken": "..."}`.
#[derive(Clone, PartialEq, Eq)]
pub struct LineSecrets {
    pub channel_secret: String,
    pub channel_access_token: String,
}

impl std::fmt::Debug for LineSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineSecrets")
            .field("channel_secret", &"<redacted>")
            .field("channel_access_token", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("Secrets Manager unavailable: {0}")]
    Unavailable(String),
    #[error("the secret has no string value")]
    NotAString,
    #[error("the secret is not a JSON object with a non-empty string {0}")]
    Malformed(&'static str),
}

pub async fn load_line_secrets(
    sdk: &SdkConfig,
    secret_id: &str,
) -> Result<LineSecrets, SecretsError> {
    let output = aws_sdk_secretsmanager::Client::new(sdk)
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|e| SecretsError::Unavailable(describe(&e)))?;
    parse(output.secret_string().ok_or(SecretsError::NotAString)?)
}

/// Parsed by hand rather than with a derived deserialiser, whose error messages may quote the
/// value they failed on.
fn parse(secret: &str) -> Result<LineSecrets, SecretsError> {
    let json: serde_json::Value =
        serde_json::from_str(secret).map_err(|_| SecretsError::Malformed("channelSecret"))?;
    let field = |name: &'static str| {
        json.get(name)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(SecretsError::Malformed(name))
    };
    Ok(LineSecrets {
        channel_secret: field("channelSecret")?,
        channel_access_token: field("channelAccessToken")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_secrets_are_read_from_the_json_secret_string() {
        let secrets =
            parse(r#"{"channelSecret": "s3cr3t", "channelAccessToken": "t0k3n"}"#).unwrap();
        assert_eq!(secrets.channel_secret, "s3cr3t");
        assert_eq!(secrets.channel_access_token, "t0k3n");
    }

    #[test]
    fn debug_output_never_shows_the_secrets() {
        let secrets =
            parse(r#"{"channelSecret": "s3cr3t", "channelAccessToken": "t0k3n"}"#).unwrap();
        let shown = format!("{secrets:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("t0k3n"),
            "{shown}"
        );
    }

    #[test]
    fn a_missing_field_is_named_without_quoting_the_secret() {
        let error = parse(r#"{"channelSecret": "s3cr3t", "channelAccessToken": 5}"#).unwrap_err();
        let shown = error.to_string();
        assert!(shown.contains("channelAccessToken"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
