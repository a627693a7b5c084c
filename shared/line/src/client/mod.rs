//! The LINE Messaging API client: one reqwest client (rustls) per process, a bearer token,
//! bounded retries with backoff, retry keys on the sends that take them, and multicast pacing.

mod answer;
mod insight;
mod login;
mod messaging;
mod pacer;
mod richmenu;
mod transport;

pub use answer::{AnswerError, Answered};
pub use insight::Followers;
pub use login::IdTokenClaims;
pub use messaging::{Content, MessageQuota, NarrowcastProgress, NarrowcastRequest};

use pacer::Pacer;
use std::time::Duration;

/// Where LINE is and how patiently to talk to it.
#[derive(Clone, Debug)]
pub struct LineConfig {
    /// `https://api.line.me`, or the fake's URL in tests.
    pub api_base: String,
    /// `https://api-data.line.me`: message content and rich menu images.
    pub data_api_base: String,
    pub channel_access_token: String,
    /// Tries per request, the first included (at least 1).
    pub max_attempts: u32,
    /// The backoff before retry n is drawn from 0..=base·2^(n-1) ("full jitter").
    pub base_backoff: Duration,
    /// Per attempt, connection included.
    pub timeout: Duration,
    /// Multicast requests started per second by this client; 0 turns pacing off.
    /// LINE allows 200 per second per channel.
    pub multicast_per_second: u32,
}

impl Default for LineConfig {
    fn default() -> Self {
        LineConfig {
            api_base: "https://api.line.me".into(),
            data_api_base: "https://api-data.line.me".into(),
            channel_access_token: String::new(),
            max_attempts: 4,
            base_backoff: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
            multicast_per_second: 200,
        }
    }
}

impl LineConfig {
    /// Both LINE hosts at one address, as the fake LINE server answers in tests and in the
    /// local run, with production's retries, timeout and pace.
    pub fn at(base: &str, channel_access_token: &str) -> LineConfig {
        LineConfig {
            api_base: base.into(),
            data_api_base: base.into(),
            channel_access_token: channel_access_token.into(),
            ..LineConfig::default()
        }
    }
}

/// How LINE took a send that carries a retry key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted now; `request_id` is LINE's `x-line-request-id`.
    Accepted { request_id: Option<String> },
    /// The retry key had already been accepted (409): the messages went out the first time;
    /// `accepted_request_id` is that first request's id.
    AlreadyAccepted { accepted_request_id: Option<String> },
}

impl SendOutcome {
    /// The id of the request that delivered the messages, whichever attempt it was.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SendOutcome::Accepted { request_id } => request_id.as_deref(),
            SendOutcome::AlreadyAccepted {
                accepted_request_id,
            } => accepted_request_id.as_deref(),
        }
    }
}

/// Cheap to share behind an `Arc`; build it once at start-up (the first TLS handshake is
/// the expensive part of a cold start).
pub struct LineClient {
    http: reqwest::Client,
    config: LineConfig,
    multicast_pacer: Pacer,
}

impl std::fmt::Debug for LineClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of logs.
        f.debug_struct("LineClient")
            .field("api_base", &self.config.api_base)
            .field("data_api_base", &self.config.data_api_base)
            .finish_non_exhaustive()
    }
}

impl LineClient {
    pub fn new(config: LineConfig) -> LineClient {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("tayori-line/", env!("CARGO_PKG_VERSION")))
            .build()
            // Only a broken TLS backend fails here: nothing to run without it.
            .expect("the HTTP client (rustls) could not be built");
        let multicast_pacer = Pacer::per_second(config.multicast_per_second);
        LineClient {
            http,
            config,
            multicast_pacer,
        }
    }

    pub fn config(&self) -> &LineConfig {
        &self.config
    }

    fn api(&self, path: &str) -> String {
        format!("{}{path}", self.config.api_base.trim_end_matches('/'))
    }

    fn data_api(&self, path: &str) -> String {
        format!("{}{path}", self.config.data_api_base.trim_end_matches('/'))
    }
}

/// Percent-encodes one path segment or query value (ids come from LINE and staff input).
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(segment("richmenu-abc_1"), "richmenu-abc_1");
        assert_eq!(segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(segment("小"), "%E5%B0%8F");
    }

    #[test]
    fn the_default_config_points_at_line_with_its_documented_pace() {
        let config = LineConfig::default();
        assert_eq!(config.api_base, "https://api.line.me");
        assert_eq!(config.data_api_base, "https://api-data.line.me");
        assert_eq!(config.max_attempts, 4);
        assert_eq!(config.base_backoff, Duration::from_millis(200));
        assert_eq!(config.timeout, Duration::from_secs(10));
        assert_eq!(config.multicast_per_second, 200);
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let client = LineClient::new(LineConfig {
            channel_access_token: "very-secret".into(),
            ..LineConfig::default()
        });
        assert!(!format!("{client:?}").contains("very-secret"));
    }
}
