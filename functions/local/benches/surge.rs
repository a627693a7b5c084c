//! Disaster-day surge (issue 17, part 7): citizens ask for shelters all at once, through the
//! whole path the local run wires as AWS does — the webhook (signature, claim, friend record)
//! answers 「避難所」 itself and hands a location to the bus, the shelters function looks up the
//! nearest of 小浜市's GSI sites and replies (or pushes) — with LINE answering each API call in
//! 50–300 ms.
//!
//! `cargo bench --workspace --bench surge [-- <citizens> <seconds> [--latency 50-300]
//!   [--redelivered 0.10] [--seed 17]]`
//!
//! Each citizen sends one event (half a location near 小浜市役所, half the text 「避難所」) in
//! bodies of 1–10 events, as LINE batches them, sent open-loop at an even pace over the window;
//! about a tenth of the bodies are delivered again (same `webhookEventId`s, `isRedelivery`
//! true) 0–5 s after the first delivery, so some overlap it. The run fails unless every citizen
//! got exactly one answer LINE accepted (a reply or a push), every webhook request was answered
//! 200 and nothing was dead-lettered. It prints the figures as a Markdown table row.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tayori_local::{start, LocalConfig};
use tayori_ports::SystemClock;

const SECRET: &str = "surge-bench-secret";
const CITY_HALL: (f64, f64) = (35.4953, 135.7466);
/// Where the citizens are: within about ±2.2 km north–south and ±2.7 km east–west of the hall.
const SPREAD: (f64, f64) = (0.02, 0.03);
/// LINE puts up to this many events in one body when they come fast.
const MOST_EVENTS_PER_BODY: usize = 10;
/// How long after the window the run waits for answers still on their way.
const GRACE: Duration = Duration::from_secs(60);

type Failure = Box<dyn std::error::Error>;

struct Args {
    citizens: usize,
    seconds: f64,
    latency_ms: (u64, u64),
    redelivered: f64,
    seed: u64,
}

fn args() -> Result<Args, Failure> {
    let mut args = Args {
        citizens: 10_000,
        seconds: 60.0,
        latency_ms: (50, 300),
        redelivered: 0.10,
        seed: 17,
    };
    let mut positional = 0;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            "--latency" => {
                let v = it.next().ok_or("--latency needs LEAST-MOST in ms")?;
                let (a, b) = v.split_once('-').ok_or("--latency LEAST-MOST")?;
                args.latency_ms = (a.parse()?, b.parse()?);
            }
            "--redelivered" => args.redelivered = it.next().ok_or("--redelivered F")?.parse()?,
            "--seed" => args.seed = it.next().ok_or("--seed N")?.parse()?,
            _ if positional == 0 => {
                args.citizens = arg.parse()?;
                positional += 1;
            }
            _ if positional == 1 => {
                args.seconds = arg.parse()?;
                positional += 1;
            }
            other => return Err(format!("unexpected argument {other}").into()),
        }
    }
    Ok(args)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Asks {
    Location,
    Text,
}

struct Citizen {
    user_id: String,
    reply_token: String,
    asks: Asks,
    event: Value,
}

/// One webhook body as LINE would post it: which citizens it carries, and when it goes.
struct Body {
    citizens: Vec<usize>,
    at: Duration,
    redelivery: bool,
}

fn citizens(count: usize, rng: &mut StdRng) -> Vec<Citizen> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..count)
        .map(|i| {
            // The index in the id keeps every citizen distinct whatever the random part.
            let user_id = format!("U{:08x}{:024x}", i, rng.gen::<u128>() >> 32);
            let reply_token = format!("{:08x}{:024x}", i, rng.gen::<u128>() >> 32);
            let webhook_event_id: String = (0..26)
                .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
                .collect();
            let asks = if i % 2 == 0 {
                Asks::Location
            } else {
                Asks::Text
            };
            let message_id = format!("{}", 570_000_000_000_000_000u64 + i as u64);
            let message = match asks {
                Asks::Location => json!({
                    "type": "location", "id": message_id,
                    "latitude": CITY_HALL.0 + rng.gen_range(-SPREAD.0..SPREAD.0),
                    "longitude": CITY_HALL.1 + rng.gen_range(-SPREAD.1..SPREAD.1),
                }),
                Asks::Text => json!({
                    "type": "text", "id": message_id, "text": "避難所",
                    "quoteToken": format!("q{i}"),
                }),
            };
            let event = json!({
                "type": "message",
                "mode": "active",
                "timestamp": 0,
                "source": {"type": "user", "userId": user_id},
                "webhookEventId": webhook_event_id,
                "deliveryContext": {"isRedelivery": false},
                "replyToken": reply_token,
                "message": message,
            });
            Citizen {
                user_id,
                reply_token,
                asks,
                event,
            }
        })
        .collect()
}

/// The bodies, first deliveries at an even pace over the window, redeliveries after them.
fn bodies(citizens: usize, args: &Args, rng: &mut StdRng) -> Vec<Body> {
    let mut firsts = Vec::new();
    let mut next = 0;
    while next < citizens {
        let n = rng.gen_range(1..=MOST_EVENTS_PER_BODY).min(citizens - next);
        firsts.push((next..next + n).collect::<Vec<_>>());
        next += n;
    }
    let window = Duration::from_secs_f64(args.seconds);
    let pace = window / firsts.len().max(1) as u32;
    let mut bodies = Vec::new();
    for (i, carried) in firsts.into_iter().enumerate() {
        let at = pace * i as u32;
        if rng.gen_bool(args.redelivered) {
            bodies.push(Body {
                citizens: carried.clone(),
                at: at + Duration::from_millis(rng.gen_range(0..5_000)),
                redelivery: true,
            });
        }
        bodies.push(Body {
            citizens: carried,
            at,
            redelivery: false,
        });
    }
    bodies.sort_by_key(|b| b.at);
    bodies
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn main() -> Result<(), Failure> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = args()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

/// What the load generator saw of one webhook request.
struct Posted {
    body: usize,
    sent_at: chrono::DateTime<chrono::Utc>,
    status: u16,
    took: Duration,
}

async fn run(args: Args) -> Result<(), Failure> {
    let dir = tempfile::tempdir()?;
    let running = start(LocalConfig {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        city: "小浜市".into(),
        channel_secret: SECRET.into(),
        tick_every: Duration::from_secs(60),
        clock: Arc::new(SystemClock),
    })
    .await?;
    let sites = tayori_facilities::FacilityDesk::new(&running.platform)
        .list(&tayori_domain::facility::KindId::shelter())
        .await?
        .len();
    if sites == 0 {
        return Err("the local run loaded no shelters".into());
    }
    let fake = running.fake_line.clone();
    fake.clear();
    fake.set_latency_between(
        Duration::from_millis(args.latency_ms.0),
        Duration::from_millis(args.latency_ms.1),
    );

    let mut rng = StdRng::seed_from_u64(args.seed);
    let citizens = Arc::new(citizens(args.citizens, &mut rng));
    let bodies = bodies(citizens.len(), &args, &mut rng);
    let redeliveries = bodies.iter().filter(|b| b.redelivery).count();
    let redelivered_events: usize = bodies
        .iter()
        .filter(|b| b.redelivery)
        .map(|b| b.citizens.len())
        .sum();
    eprintln!(
        "{} citizens in {} bodies ({} redelivered, {} events again) over {} s; {} shelter sites",
        citizens.len(),
        bodies.len(),
        redeliveries,
        redelivered_events,
        args.seconds,
        sites
    );

    let url = format!("{}/line/webhook", running.base_url);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let began = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(bodies.len());
    let mut late = Duration::ZERO;
    for (index, body) in bodies.iter().enumerate() {
        tokio::time::sleep_until(began + body.at).await;
        late = late.max(began.elapsed().saturating_sub(body.at));
        let now = chrono::Utc::now();
        let events: Vec<Value> = body
            .citizens
            .iter()
            .map(|&c| {
                let mut event = citizens[c].event.clone();
                event["timestamp"] = json!(now.timestamp_millis());
                event["deliveryContext"]["isRedelivery"] = json!(body.redelivery);
                event
            })
            .collect();
        let bytes = serde_json::to_vec(&json!({
            "destination": "Ubench0000000000000000000000000000",
            "events": events,
        }))?;
        let signature = tayori_line::signature::sign(SECRET, &bytes);
        let request = http
            .post(&url)
            .header("content-type", "application/json")
            .header("x-line-signature", signature)
            .body(bytes);
        tasks.push(tokio::spawn(async move {
            let sent_at = chrono::Utc::now();
            let started = Instant::now();
            let status = match request.send().await {
                Ok(response) => response.status().as_u16(),
                Err(_) => 0,
            };
            Posted {
                body: index,
                sent_at,
                status,
                took: started.elapsed(),
            }
        }));
    }
    let sending = began.elapsed();
    let mut posted = Vec::with_capacity(tasks.len());
    for task in tasks {
        posted.push(task.await?);
    }
    // Answers handed to the bus may still be on their way.
    let all_answered = {
        let fake = fake.clone();
        let citizens = citizens.clone();
        move || {
            let answered: std::collections::HashSet<String> = fake
                .requests()
                .into_iter()
                .filter(|r| r.status == 200)
                .filter_map(|r| match r.path.as_str() {
                    "/v2/bot/message/reply" => r.body["replyToken"].as_str().map(str::to_owned),
                    "/v2/bot/message/push" => r.body["to"].as_str().map(str::to_owned),
                    _ => None,
                })
                .collect();
            citizens
                .iter()
                .all(|c| answered.contains(&c.reply_token) || answered.contains(&c.user_id))
        }
    };
    let waited = Instant::now();
    while !all_answered() && waited.elapsed() < GRACE {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    running.bus.settle().await;
    let finished = began.elapsed();

    // Who was answered, how often, and when LINE received it.
    let by_token: HashMap<&str, usize> = citizens
        .iter()
        .enumerate()
        .map(|(i, c)| (c.reply_token.as_str(), i))
        .collect();
    let by_user: HashMap<&str, usize> = citizens
        .iter()
        .enumerate()
        .map(|(i, c)| (c.user_id.as_str(), i))
        .collect();
    let mut answers = vec![0u32; citizens.len()];
    let mut answered_at: Vec<Option<chrono::DateTime<chrono::Utc>>> = vec![None; citizens.len()];
    let (mut replies, mut pushes, mut refused) = (0usize, 0usize, 0usize);
    let mut other_requests = 0usize;
    for request in fake.requests() {
        let who = match request.path.as_str() {
            "/v2/bot/message/reply" => request.body["replyToken"]
                .as_str()
                .and_then(|t| by_token.get(t)),
            "/v2/bot/message/push" => request.body["to"].as_str().and_then(|u| by_user.get(u)),
            _ => {
                other_requests += 1;
                continue;
            }
        };
        let Some(&who) = who else {
            other_requests += 1;
            continue;
        };
        if request.status != 200 {
            refused += 1;
            continue;
        }
        if request.path.ends_with("reply") {
            replies += 1;
        } else {
            pushes += 1;
        }
        answers[who] += 1;
        let first = answered_at[who].get_or_insert(request.at);
        *first = (*first).min(request.at);
    }

    // From the first delivery of a citizen's body to LINE receiving their answer.
    let mut sent_at: Vec<Option<chrono::DateTime<chrono::Utc>>> = vec![None; citizens.len()];
    for p in &posted {
        if bodies[p.body].redelivery {
            continue;
        }
        for &c in &bodies[p.body].citizens {
            sent_at[c] = Some(p.sent_at);
        }
    }
    let mut location_ms = Vec::new();
    let mut text_ms = Vec::new();
    for (i, citizen) in citizens.iter().enumerate() {
        if let (Some(sent), Some(answered)) = (sent_at[i], answered_at[i]) {
            let ms = (answered - sent).num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0;
            match citizen.asks {
                Asks::Location => location_ms.push(ms),
                Asks::Text => text_ms.push(ms),
            }
        }
    }
    let all_ms = sorted(location_ms.iter().chain(&text_ms).copied().collect());
    let location_ms = sorted(location_ms);
    let text_ms = sorted(text_ms);
    let webhook_ms = sorted(
        posted
            .iter()
            .map(|p| p.took.as_secs_f64() * 1000.0)
            .collect(),
    );
    let not_ok = posted.iter().filter(|p| p.status != 200).count();
    let mut statuses: std::collections::BTreeMap<u16, usize> = Default::default();
    for p in &posted {
        *statuses.entry(p.status).or_default() += 1;
    }
    let lost = answers.iter().filter(|&&n| n == 0).count();
    let doubled = answers.iter().filter(|&&n| n > 1).count();
    let dead = running.bus.dead_letters().len();
    let answered_within = |limit: f64| all_ms.iter().filter(|&&ms| ms <= limit).count();

    eprintln!(
        "sent in {:.1} s (the generator was at most {} ms late); all settled after {:.1} s",
        sending.as_secs_f64(),
        late.as_millis(),
        finished.as_secs_f64()
    );
    eprintln!(
        "LINE: {replies} replies and {pushes} pushes accepted, {refused} refused, {other_requests} other requests; \
         webhook: {not_ok} of {} requests not 200; dead letters: {dead}",
        posted.len()
    );
    eprintln!("webhook answers by status (0: no answer within 30 s): {statuses:?}");
    eprintln!(
        "answered within 2 s: {} of {}",
        answered_within(2000.0),
        citizens.len()
    );
    println!(
        "| citizens | bodies | redelivered bodies | window s | LINE latency ms | lost | doubled | pushes | \
         answer p50 ms | answer p99 ms | answer max ms | location p50/p99 ms | 「避難所」 p50/p99 ms | \
         webhook p50/p99 ms | webhook non-200 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} | {}–{} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} / {:.0} | {:.0} / {:.0} | {:.0} / {:.0} | {} |",
        citizens.len(),
        bodies.len(),
        redeliveries,
        args.seconds,
        args.latency_ms.0,
        args.latency_ms.1,
        lost,
        doubled,
        pushes,
        percentile(&all_ms, 50.0),
        percentile(&all_ms, 99.0),
        all_ms.last().copied().unwrap_or(f64::NAN),
        percentile(&location_ms, 50.0),
        percentile(&location_ms, 99.0),
        percentile(&text_ms, 50.0),
        percentile(&text_ms, 99.0),
        percentile(&webhook_ms, 50.0),
        percentile(&webhook_ms, 99.0),
        not_ok,
    );
    running.stop().await;

    let mut failures = Vec::new();
    if lost > 0 {
        failures.push(format!("{lost} citizens were never answered"));
    }
    if doubled > 0 {
        failures.push(format!("{doubled} citizens were answered more than once"));
    }
    if not_ok > 0 {
        failures.push(format!("{not_ok} webhook requests were not answered 200"));
    }
    if dead > 0 {
        failures.push(format!("{dead} bus events were dead-lettered"));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; ").into())
    }
}
