//! How fast the webhook answers LINE: the real router on embedded storage, with LINE-signed
//! bodies of 1, 10 and 100 events (text, follow, postback and location mixed, each event from
//! its own citizen), first deliveries and then the same events redelivered (already seen,
//! `deliveryContext.isRedelivery` true), and the bot's replies going to the fake LINE, which
//! checks each against LINE's spec. Prints requests/s and p50/p99 latency per case as a
//! markdown table for docs/benchmarks.md.
//!
//! ```text
//! webhook_bench                      # in process (tower oneshot) and over HTTP on 127.0.0.1
//! webhook_bench --serve PORT --line URL
//!                                    # only serve the router (LINE's API at URL) until killed
//! webhook_bench --target URL --fake-line-port PORT [--label NAME] [--no-header]
//!                                    # drive any webhook at URL over HTTP, the fake LINE
//!                                    # serving on PORT for its replies
//! ```
//!
//! `scripts/bench-webhook` builds it and uses the last two modes to compare the router with a
//! minimal webhook on LINE's official Node SDK, on the same bodies and the same cores.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bytes::Bytes;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tayori_adapters::embedded;
use tayori_fake_line::FakeLine;
use tayori_line::signature::sign;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;
use tayori_webhook::{router, WebhookState};
use tower::ServiceExt;

/// The channel secret bodies are signed with; the Node webhook is started with the same.
const SECRET: &str = "bench-channel-secret";
const CITY: &str = "小浜市";
/// Keep-alive connections a load run holds open, each sending its next body when answered.
const CONNECTIONS: usize = 4;
/// Events per body, and bodies sent per case.
const SIZES: [(usize, usize); 3] = [(1, 2_000), (10, 300), (100, 40)];
const WARM_UP_BODIES: usize = 50;

/// A body as LINE sends it, with its `x-line-signature`.
#[derive(Clone)]
struct Signed {
    body: Bytes,
    signature: String,
}

/// One event from a citizen of its own: the kind cycles through text (a question nothing
/// answers, then the day's garbage), follow, postback (the registration menu) and location.
fn event(run: &str, n: usize, redelivery: bool, now_ms: i64) -> Value {
    let id = format!("01{run}{n:0>width$}", width = 24 - run.len());
    let mut e = json!({
        "mode": "active",
        "timestamp": now_ms,
        "source": {"type": "user", "userId": user_id(run, n)},
        "webhookEventId": id,
        "deliveryContext": {"isRedelivery": redelivery},
        "replyToken": format!("reply-{id}"),
    });
    let (kind, extra) = match n % 5 {
        0 => (
            "message",
            json!({"message": {"type": "text", "id": id, "quoteToken": "q", "text": "ぱぴぷぺぽ"}}),
        ),
        1 => ("follow", json!({"follow": {"isUnblocked": false}})),
        2 => (
            "message",
            json!({"message": {"type": "text", "id": id, "quoteToken": "q", "text": "今日のごみ"}}),
        ),
        3 => ("postback", json!({"postback": {"data": "reg:show"}})),
        _ => (
            "message",
            json!({"message": {"type": "location", "id": id, "latitude": 35.4955, "longitude": 135.7466, "address": "福井県小浜市大手町6-3"}}),
        ),
    };
    e["type"] = json!(kind);
    for (k, v) in extra.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

/// A LINE user id (U and 32 hex digits) of its own for event `n` of `run`.
fn user_id(run: &str, n: usize) -> String {
    // FNV-1a of the run's tag in the high half, the event's number in the low.
    let tag = run.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("U{:016x}{:016x}", tag, n as u64)
}

/// `count` bodies of `size` events each, the events numbered from 0 under `run`.
fn bodies(run: &str, size: usize, count: usize, redelivery: bool) -> Vec<Signed> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    (0..count)
        .map(|b| {
            let events: Vec<Value> = (0..size)
                .map(|i| event(run, b * size + i, redelivery, now_ms))
                .collect();
            let body = serde_json::to_vec(&json!({
                "destination": "U00000000000000000000000000000000",
                "events": events,
            }))
            .unwrap();
            Signed {
                signature: sign(SECRET, &body),
                body: body.into(),
            }
        })
        .collect()
}

/// What a case measured: each body's time from sent to answered, the run's wall time, and
/// the answers that were not 200.
struct Measured {
    latencies: Vec<Duration>,
    wall: Duration,
    failures: usize,
}

impl Measured {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let rank = ((sorted.len() as f64) * p).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
    }
}

/// The router on fresh embedded storage in `dir`, replying through LINE's API at `line_base`.
fn webhook(dir: &std::path::Path, line_base: &str) -> axum::Router {
    let (platform, bus) = embedded::platform(dir, Arc::new(SystemClock)).unwrap();
    let line = Arc::new(LineClient::new(LineConfig::at(line_base, "bench-token")));
    let state = Arc::new(WebhookState::new(platform, line, SECRET.into(), CITY));
    // As template.yaml routes them: the events the webhook had no time to start come back to it.
    bus.subscribe(
        tayori_webhook::deferred::DETAIL_TYPE,
        Arc::new(tayori_webhook::deferred::DeferredEvents::new(state.clone())),
    );
    router(state)
}

/// One body after another through the router's `oneshot`, no socket in between.
async fn in_process(app: &axum::Router, bodies: &[Signed]) -> Measured {
    let mut latencies = Vec::with_capacity(bodies.len());
    let mut failures = 0;
    let started = Instant::now();
    for signed in bodies {
        let request = Request::post("/line/webhook")
            .header("content-type", "application/json")
            .header("x-line-signature", &signed.signature)
            .body(Body::from(signed.body.clone()))
            .unwrap();
        let sent = Instant::now();
        let status = app.clone().oneshot(request).await.unwrap().status();
        latencies.push(sent.elapsed());
        failures += usize::from(status != StatusCode::OK);
    }
    Measured {
        latencies,
        wall: started.elapsed(),
        failures,
    }
}

/// The bodies over [`CONNECTIONS`] keep-alive connections to `url`, each connection sending
/// its next body when the last is answered.
async fn over_http(client: &reqwest::Client, url: &str, bodies: &[Signed]) -> Measured {
    let bodies = Arc::new(bodies.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let connections: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, url, bodies, next) = (
                client.clone(),
                url.to_string(),
                bodies.clone(),
                next.clone(),
            );
            tokio::spawn(async move {
                let (mut latencies, mut failures) = (Vec::new(), 0);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(signed) = bodies.get(i) else { break };
                    let sent = Instant::now();
                    let answer = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-line-signature", &signed.signature)
                        .body(signed.body.clone())
                        .send()
                        .await;
                    let ok = match answer {
                        Ok(response) => {
                            let ok = response.status() == StatusCode::OK;
                            let _ = response.bytes().await;
                            ok
                        }
                        Err(_) => false,
                    };
                    latencies.push(sent.elapsed());
                    failures += usize::from(!ok);
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut measured = Measured {
        latencies: Vec::new(),
        wall: Duration::ZERO,
        failures: 0,
    };
    for connection in connections {
        let (latencies, failures) = connection.await.unwrap();
        measured.latencies.extend(latencies);
        measured.failures += failures;
    }
    measured.wall = started.elapsed();
    measured
}

fn header() {
    println!("| webhook | transport | events/body | delivery | bodies | requests/s | events/s | p50 ms | p99 ms | not 200 |");
    println!("|---|---|--:|---|--:|--:|--:|--:|--:|--:|");
}

fn row(label: &str, transport: &str, size: usize, delivery: &str, m: &Measured) {
    let per_second = m.latencies.len() as f64 / m.wall.as_secs_f64();
    println!(
        "| {label} | {transport} | {size} | {delivery} | {} | {per_second:.0} | {:.0} | {:.2} | {:.2} | {} |",
        m.latencies.len(),
        per_second * size as f64,
        m.percentile(0.50),
        m.percentile(0.99),
        m.failures,
    );
}

/// Each size first delivered, then redelivered, through `send`; `run` keeps each transport's
/// events apart from the others' (a fresh reply token and id for every first delivery).
async fn cases<F, Fut>(label: &str, transport: &str, run: &str, send: F)
where
    F: Fn(Vec<Signed>) -> Fut,
    Fut: std::future::Future<Output = Measured>,
{
    send(bodies(&format!("{run}W"), 1, WARM_UP_BODIES, false)).await;
    for (size, count) in SIZES {
        let tag = format!("{run}{size}");
        let first = send(bodies(&tag, size, count, false)).await;
        row(label, transport, size, "first", &first);
        let again = send(bodies(&tag, size, count, true)).await;
        row(label, transport, size, "redelivery", &again);
    }
}

struct Args {
    serve: Option<u16>,
    line: Option<String>,
    target: Option<String>,
    fake_line_port: Option<u16>,
    label: String,
    header: bool,
}

fn args() -> Args {
    let mut args = Args {
        serve: None,
        line: None,
        target: None,
        fake_line_port: None,
        label: "tayori".into(),
        header: true,
    };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        let mut value = || {
            given
                .next()
                .unwrap_or_else(|| panic!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--serve" => args.serve = Some(value().parse().expect("--serve PORT")),
            "--line" => args.line = Some(value()),
            "--target" => args.target = Some(value()),
            "--fake-line-port" => {
                args.fake_line_port = Some(value().parse().expect("--fake-line-port PORT"))
            }
            "--label" => args.label = value(),
            "--no-header" => args.header = false,
            // `cargo bench` passes --bench to every bench binary.
            "--bench" => {}
            other => panic!("unknown argument {other}; see the top of webhook_bench.rs"),
        }
    }
    args
}

async fn serve_fake_line(port: u16) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("bind 127.0.0.1:{port} for the fake LINE: {e}"));
    let address = listener.local_addr().unwrap();
    let fake = FakeLine::new().router();
    tokio::spawn(async move { axum::serve(listener, fake).await.unwrap() });
    format!("http://{address}")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::main]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().unwrap();

    if let Some(port) = args.serve {
        let line = args.line.expect("--serve needs --line URL (LINE's API)");
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("bind 127.0.0.1:{port}: {e}"));
        eprintln!("webhook on http://127.0.0.1:{port}/line/webhook, LINE at {line}");
        axum::serve(listener, webhook(dir.path(), &line))
            .await
            .unwrap();
        return;
    }

    if args.header {
        header();
    }
    if let Some(target) = args.target {
        let port = args
            .fake_line_port
            .expect("--target needs --fake-line-port");
        serve_fake_line(port).await;
        // Runs are told apart by time, so that a webhook that outlives one run (and remembers
        // its event ids) sees fresh events in the next.
        let run = format!("H{}", chrono::Utc::now().timestamp() % 100_000);
        let client = client();
        cases(&args.label, "HTTP", &run, |b| {
            let (client, target) = (client.clone(), target.clone());
            async move { over_http(&client, &target, &b).await }
        })
        .await;
        return;
    }

    let line = serve_fake_line(0).await;
    let app = webhook(dir.path(), &line);
    cases(&args.label, "in process", "P", |b| {
        let app = app.clone();
        async move { in_process(&app, &b).await }
    })
    .await;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}/line/webhook", listener.local_addr().unwrap());
    let served = app.clone();
    tokio::spawn(async move { axum::serve(listener, served).await.unwrap() });
    let client = client();
    cases(&args.label, "HTTP, same process", "S", |b| {
        let (client, url) = (client.clone(), url.clone());
        async move { over_http(&client, &url, &b).await }
    })
    .await;
}
