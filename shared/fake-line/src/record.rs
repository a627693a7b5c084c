//! What the fake saw: one entry per request, refused ones included.

use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lower-case names. The bearer token is masked: records end up in test output and logs.
    pub headers: BTreeMap<String, String>,
    /// JSON bodies parsed; binary bodies as `{"contentType": ..., "bytes": n}`; no body as null.
    pub body: Value,
    /// The status the fake answered.
    pub status: u16,
    pub schema_errors: Vec<String>,
}

pub(crate) fn headers(map: &HeaderMap) -> BTreeMap<String, String> {
    map.iter()
        .map(|(name, value)| {
            let name = name.as_str().to_ascii_lowercase();
            let value = if name == "authorization" {
                mask(value.to_str().unwrap_or_default())
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name, value)
        })
        .collect()
}

fn mask(authorization: &str) -> String {
    match authorization.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} ***"),
        None => "***".to_string(),
    }
}

/// The body as recorded: parsed when it is JSON, summarised when it is not.
pub(crate) fn body(content_type: Option<&str>, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        if content_type.is_none_or(|c| c.contains("json")) {
            return value;
        }
    }
    json!({"contentType": content_type, "bytes": bytes.len()})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_token_never_reaches_the_record() {
        let mut map = HeaderMap::new();
        map.insert("Authorization", "Bearer secret-token".parse().unwrap());
        map.insert("X-Line-Retry-Key", "k".parse().unwrap());
        let recorded = headers(&map);
        assert_eq!(recorded["authorization"], "Bearer ***");
        assert_eq!(recorded["x-line-retry-key"], "k");
    }

    #[test]
    fn binary_bodies_are_summarised() {
        assert_eq!(
            body(Some("image/png"), &[1, 2, 3]),
            json!({"contentType": "image/png", "bytes": 3})
        );
        assert_eq!(
            body(Some("application/json"), b"{\"a\":1}"),
            json!({"a": 1})
        );
        assert_eq!(body(None, b""), Value::Null);
    }
}
