//! Test helpers: a fake LINE server and a client pointed at it.
#![allow(dead_code)] // each test binary uses its own subset

use std::time::Duration;
use tayori_fake_line::{FakeLine, RecordedRequest};
use tayori_line::{LineClient, LineConfig};

pub const USER: &str = "U0123456789abcdef0123456789abcdef";

pub struct Line {
    pub fake: FakeLine,
    pub base: String,
    _server: tokio::task::JoinHandle<()>,
}

impl Line {
    pub async fn start() -> Line {
        let fake = FakeLine::new();
        let (base, server) = fake.serve().await;
        Line {
            fake,
            base,
            _server: server,
        }
    }

    /// A client with short backoffs, so retry tests stay fast.
    pub fn config(&self) -> LineConfig {
        LineConfig {
            api_base: self.base.clone(),
            data_api_base: self.base.clone(),
            channel_access_token: "test-token".into(),
            max_attempts: 4,
            base_backoff: Duration::from_millis(5),
            timeout: Duration::from_secs(5),
            ..LineConfig::default()
        }
    }

    pub fn client(&self) -> LineClient {
        LineClient::new(self.config())
    }

    /// Requests to `path` exactly, oldest first.
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Every request this client sent matched LINE's spec.
    pub fn assert_no_schema_errors(&self) {
        let requests = self.fake.requests();
        assert!(!requests.is_empty(), "the fake saw no request at all");
        for r in requests {
            assert!(
                r.schema_errors.is_empty(),
                "{} {} broke LINE's spec: {:?}\nbody: {}",
                r.method,
                r.path,
                r.schema_errors,
                r.body
            );
        }
    }
}

pub fn retry_key_of(request: &RecordedRequest) -> Option<&str> {
    request.headers.get("x-line-retry-key").map(String::as_str)
}
