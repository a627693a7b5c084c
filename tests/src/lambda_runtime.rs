//! A Lambda Runtime API on 127.0.0.1, and a function binary run against it as Lambda runs it.
//!
//! The functions' `main.rs` (settings from the process environment, `Boot::start`, Secrets
//! Manager, the AWS clients, `lambda_runtime`'s polling loop) is the one part no router test
//! reaches. Here a real binary is started with the environment the template gives it, is handed
//! one event through the same HTTP interface AWS offers
//! (<https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>), and its answer is recorded.
//!
//! The process is run with `std::process` rather than tokio's: the workspace's tokio is built
//! without its `process` feature, and turning it on would rebuild every crate above tokio.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use std::io::Read;
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

/// The largest synchronous response Lambda accepts.
const MAX_RESPONSE: usize = 6 * 1024 * 1024;

/// How long a function has for one event before the emulator gives up on it.
pub const INVOCATION_TIMEOUT: Duration = Duration::from_secs(30);

/// The account and function named in the invoked ARN (made-up, as in events/).
const FUNCTION_ARN_PREFIX: &str = "arn:aws:lambda:ap-northeast-1:123456789012:function:";

/// What the function sent back for one invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `POST /2018-06-01/runtime/invocation/{id}/response`: the handler's JSON.
    Response(Value),
    /// `POST /2018-06-01/runtime/invocation/{id}/error`: the handler failed.
    Error { error_type: String, body: String },
}

/// What the runtime reported, in the order it arrived.
#[derive(Debug)]
enum Report {
    /// `invocation/next` was asked for: the function's init is over.
    Polled {
        at: Instant,
    },
    Answered {
        id: String,
        answer: Answer,
        at: Instant,
    },
    InitFailed {
        body: String,
    },
}

struct Shared {
    function_name: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Value)>>,
    reports: mpsc::UnboundedSender<Report>,
}

/// The emulated Runtime API: events queued here are served by `invocation/next`.
pub struct RuntimeApi {
    address: SocketAddr,
    queue: mpsc::UnboundedSender<(String, Value)>,
    reports: mpsc::UnboundedReceiver<Report>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    #[error("the function exited ({status}) before answering; its output:\n{output}")]
    Exited { status: ExitStatus, output: String },
    #[error("the function reported an init error: {body}; its output:\n{output}")]
    InitFailed { body: String, output: String },
    #[error("no answer within {0:?}; the function's output:\n{1}")]
    TimedOut(Duration, String),
    #[error("the function could not be started: {0}")]
    NotStarted(#[from] std::io::Error),
}

impl RuntimeApi {
    /// Listens on a free loopback port; `function_name` goes into the invoked function's ARN.
    pub async fn start(function_name: &str) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (queue, queued) = mpsc::unbounded_channel();
        let (reported, reports) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            function_name: function_name.to_string(),
            queue: tokio::sync::Mutex::new(queued),
            reports: reported,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .layer(DefaultBodyLimit::max(MAX_RESPONSE))
            .with_state(shared);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            address,
            queue,
            reports,
            server,
        })
    }

    /// `host:port`, as Lambda sets `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// Queues an event; returns the request id it will be served under.
    pub fn queue(&self, event: Value) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.queue
            .send((id.clone(), event))
            .expect("the emulator's server holds the queue while it runs");
        id
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Long-polls as AWS does: the runtime's request is held until an event is queued.
async fn next(State(shared): State<Arc<Shared>>) -> Response {
    let _ = shared.reports.send(Report::Polled { at: Instant::now() });
    let Some((id, event)) = shared.queue.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let deadline = SystemTime::now() + INVOCATION_TIMEOUT;
    let deadline_ms = deadline
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(
            name,
            HeaderValue::from_str(&value).expect("ids and numbers are header-safe"),
        );
    };
    set("lambda-runtime-aws-request-id", id.clone());
    set("lambda-runtime-deadline-ms", deadline_ms.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        format!("{FUNCTION_ARN_PREFIX}{}", shared.function_name),
    );
    set(
        "lambda-runtime-trace-id",
        format!(
            "Root=1-{:08x}-{};Parent={};Sampled=0",
            deadline_ms / 1000,
            &uuid::Uuid::new_v4().simple().to_string()[..24],
            &uuid::Uuid::new_v4().simple().to_string()[..16]
        ),
    );
    set("content-type", "application/json".into());
    (headers, event.to_string()).into_response()
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let at = Instant::now();
    let answer = match serde_json::from_slice(&body) {
        Ok(json) => Answer::Response(json),
        Err(e) => Answer::Error {
            error_type: "Emulator.ResponseNotJson".into(),
            body: format!("{e}: {}", String::from_utf8_lossy(&body)),
        },
    };
    let _ = shared.reports.send(Report::Answered { id, answer, at });
    StatusCode::ACCEPTED
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let at = Instant::now();
    let error_type = headers
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = String::from_utf8_lossy(&body).into_owned();
    let _ = shared.reports.send(Report::Answered {
        id,
        answer: Answer::Error { error_type, body },
        at,
    });
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    let body = String::from_utf8_lossy(&body).into_owned();
    let _ = shared.reports.send(Report::InitFailed { body });
    StatusCode::ACCEPTED
}

/// A function binary running against a [`RuntimeApi`]; killed when dropped.
pub struct LambdaProcess {
    child: Child,
    api: RuntimeApi,
    output: Arc<Mutex<String>>,
    started: Instant,
}

/// One answer and when it came, counted from the process's start.
#[derive(Debug)]
pub struct Answered {
    pub answer: Answer,
    pub after: Duration,
    /// When the function first asked for an event: its init (settings, secrets, clients) took
    /// this long; the rest of `after` is the event's own work.
    pub init: Option<Duration>,
}

impl LambdaProcess {
    /// Starts `binary` with only `env` and the Lambda variables (no inherited environment, as in
    /// Lambda, so a variable the template does not set cannot leak in from the test's shell).
    pub fn spawn(
        binary: &str,
        env: &[(String, String)],
        api: RuntimeApi,
    ) -> Result<Self, InvokeError> {
        let name = std::path::Path::new(binary)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("function")
            .to_string();
        let started = Instant::now();
        let mut child = Command::new(binary)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("AWS_LAMBDA_RUNTIME_API", api.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", &name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let output = Arc::new(Mutex::new(String::new()));
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            collect(pipe, output.clone());
        }
        Ok(Self {
            child,
            api,
            output,
            started,
        })
    }

    /// Serves `event` and waits for the function's answer to it.
    pub async fn invoke(&mut self, event: Value) -> Result<Answer, InvokeError> {
        let id = self.api.queue(event);
        Ok(self.answer_to(&id).await?.answer)
    }

    /// Waits for the answer to the event queued as `id` (queue before spawning to time a cold
    /// start from exec to the first answer).
    pub async fn answer_to(&mut self, id: &str) -> Result<Answered, InvokeError> {
        let deadline = tokio::time::Instant::now() + INVOCATION_TIMEOUT;
        let mut init = None;
        loop {
            // The exit check runs between waits: a function that dies at init answers nothing.
            let report =
                tokio::time::timeout(Duration::from_millis(20), self.api.reports.recv()).await;
            match report {
                Ok(Some(Report::Answered {
                    id: answered,
                    answer,
                    at,
                })) if answered == id => {
                    return Ok(Answered {
                        answer,
                        after: at.duration_since(self.started),
                        init,
                    })
                }
                Ok(Some(Report::Polled { at })) => {
                    init = init.or(Some(at.duration_since(self.started)));
                }
                Ok(Some(Report::Answered { .. })) => {}
                Ok(Some(Report::InitFailed { body })) => {
                    return Err(InvokeError::InitFailed {
                        body,
                        output: self.output(),
                    })
                }
                Ok(None) | Err(_) => {
                    if let Some(status) = self.child.try_wait()? {
                        // Let the pipes drain so the output says why.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        return Err(InvokeError::Exited {
                            status,
                            output: self.output(),
                        });
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Err(InvokeError::TimedOut(INVOCATION_TIMEOUT, self.output()));
                    }
                }
            }
        }
    }

    /// The peak resident set so far (`VmHWM`, KiB), as Lambda's "Max Memory Used" counts it.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// What the function logged (stdout and stderr, interleaved as read).
    pub fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

impl Drop for LambdaProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a pipe to its end on a thread of its own, so a chatty function never blocks on it.
fn collect(mut pipe: Box<dyn Read + Send>, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            if let Ok(mut text) = into.lock() {
                text.push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        }
    });
}

/// An API Gateway answer read back: the status and the body as text.
pub fn http_answer(answer: &Answer) -> (u16, String) {
    let Answer::Response(json) = answer else {
        panic!("the function failed instead of answering: {answer:?}");
    };
    let status = json["statusCode"].as_u64().unwrap_or_default() as u16;
    let body = json["body"].as_str().unwrap_or_default().to_string();
    (status, body)
}
