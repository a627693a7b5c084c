//! What the LINE client writes to the log, and the errors it answers (which callers log), never
//! name a citizen: LINE user ids are in the paths of several endpoints, so the log names the
//! endpoint by its template (`/v2/bot/user/{userId}/richmenu/{richMenuId}`) instead of the URL.

use crate::common;

use common::{Line, USER};
use std::io::Write;
use std::sync::{Arc, Mutex};
use tayori_fake_line::Fault;
use tayori_line::message::Message;
use tayori_line::{LineClient, LineConfig, RetryKey};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Everything logged while it is the default subscriber (on this thread: the tests run on
/// tokio's current-thread runtime, the fake server included).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn start() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            // Everything this crate says, and what the libraries under it say at the
            // deployed default level.
            .with_env_filter(EnvFilter::new("info,tayori_line=trace"))
            .with_ansi(false)
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        (captured, guard)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn failing(path: &str) -> Fault {
    Fault {
        path: path.into(),
        status: 500,
        count: 10,
        body: None,
    }
}

#[tokio::test]
async fn linking_a_rich_menu_to_a_user_logs_the_endpoint_not_the_users_id() {
    let line = Line::start().await;
    line.fake.inject_faults(failing("/v2/bot/user/"));
    line.fake.inject_faults(failing("/v2/bot/profile/"));
    let (captured, _guard) = Captured::start();

    let client = line.client();
    let linked = client.link_rich_menu(USER, "richmenu-0001").await;
    let unlinked = client.unlink_rich_menu(USER).await;
    let profile = client.profile(USER).await;

    let log = captured.text();
    assert!(
        log.contains("/v2/bot/user/{userId}/richmenu/{richMenuId}"),
        "the retries are logged by endpoint: {log}"
    );
    assert!(log.contains("/v2/bot/profile/{userId}"), "{log}");
    assert!(!log.contains(USER), "a user id in the log:\n{log}");
    for error in [
        linked.unwrap_err().to_string(),
        unlinked.unwrap_err().to_string(),
        profile.unwrap_err().to_string(),
    ] {
        assert!(!error.contains(USER), "a user id in the error: {error}");
    }
}

#[tokio::test]
async fn a_line_that_cannot_be_reached_is_logged_without_the_users_id() {
    // A port nothing listens on: every attempt fails in transport, where the HTTP client's
    // own error names the URL.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = LineClient::new(LineConfig {
        base_backoff: std::time::Duration::from_millis(1),
        ..LineConfig::at(&base, "token")
    });
    let (captured, _guard) = Captured::start();

    let errors = [
        client.profile(USER).await.unwrap_err().to_string(),
        client
            .link_rich_menu(USER, "richmenu-0001")
            .await
            .unwrap_err()
            .to_string(),
        client
            .push(USER, vec![Message::text("お知らせ")], RetryKey::new())
            .await
            .unwrap_err()
            .to_string(),
    ];

    let log = captured.text();
    assert!(log.contains("failed in transport"), "{log}");
    assert!(!log.contains(USER), "a user id in the log:\n{log}");
    for error in errors {
        assert!(!error.contains(USER), "a user id in the error: {error}");
    }
}
