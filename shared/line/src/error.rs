//! What a call to LINE can end in, other than success.

use crate::validate::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum LineError {
    /// Refused before sending: LINE would have refused it too.
    #[error("not sent: {0}")]
    Invalid(#[from] ValidationError),
    /// LINE answered 4xx (other than 429, and 409 to a retry key): retrying cannot help.
    #[error("LINE refused the request with {status}: {message}{}", details_suffix(.details))]
    Rejected {
        status: u16,
        message: String,
        details: Vec<ErrorDetail>,
    },
    /// 429, 5xx or no answer, on every one of `attempts` tries.
    #[error("LINE did not accept the request after {attempts} attempts: {last}")]
    GaveUp {
        attempts: u32,
        /// The status of the last answer, if there was one.
        status: Option<u16>,
        last: String,
    },
    /// LINE answered with success but a body this client cannot read.
    #[error("unexpected answer from LINE: {0}")]
    Unexpected(String),
}

impl LineError {
    /// The HTTP status LINE last answered with, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            LineError::Rejected { status, .. } => Some(*status),
            LineError::GaveUp { status, .. } => *status,
            LineError::Invalid(_) | LineError::Unexpected(_) => None,
        }
    }
}

/// One entry of LINE's error `details`: which property was wrong and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub property: Option<String>,
}

/// LINE's error body: `{"message": ..., "details": [...]}`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
}

fn details_suffix(details: &[ErrorDetail]) -> String {
    let parts: Vec<String> = details
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d.property.as_deref().unwrap_or("?"),
                d.message.as_deref().unwrap_or("?")
            )
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_names_the_properties_line_complained_about() {
        let error = LineError::Rejected {
            status: 400,
            message: "The request body has 1 error(s)".into(),
            details: vec![ErrorDetail {
                message: Some("Length must be between 0 and 5000".into()),
                property: Some("messages[0].text".into()),
            }],
        };
        let shown = error.to_string();
        assert!(shown.contains("400"), "{shown}");
        assert!(
            shown.contains("messages[0].text: Length must be between 0 and 5000"),
            "{shown}"
        );
        assert_eq!(error.status(), Some(400));
    }
}
