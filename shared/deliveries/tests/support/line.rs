//! The fake LINE a point sends through: fresh for each point, so its inboxes hold that point's
//! delivery only, and a fresh LINE client for each process that talks to it.

use std::sync::Arc;
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};

pub const MULTICAST: &str = "/v2/bot/message/multicast";

pub struct Line {
    pub fake: FakeLine,
    base: String,
    server: tokio::task::JoinHandle<()>,
}

impl Line {
    pub async fn start() -> Line {
        let fake = FakeLine::new();
        let (base, server) = fake.serve().await;
        Line { fake, base, server }
    }

    /// The client a process builds: three tries per request, so one lost answer or one 500 is
    /// retried (under the same retry key) rather than counted as a failure.
    pub fn client(&self) -> Arc<LineClient> {
        Arc::new(LineClient::new(LineConfig {
            max_attempts: 3,
            base_backoff: std::time::Duration::from_millis(5),
            ..LineConfig::at(&self.base, "test-token")
        }))
    }

    /// Multicasts LINE received, accepted or not.
    pub fn multicasts(&self) -> usize {
        self.answered(None)
    }

    /// Multicasts LINE answered with `status` (any: `None`).
    pub fn answered(&self, status: Option<u16>) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| r.path == MULTICAST && status.is_none_or(|s| r.status == s))
            .count()
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        self.server.abort();
    }
}
