//! Cold starts of every function, measured from outside: each binary is started `--runs` times
//! (default 20) against the Lambda Runtime API emulator with one realistic event already queued,
//! AWS answered by moto and LINE by the fake LINE server. Prints, per function, exec → first
//! response (median, p90) and the peak resident set (`VmHWM`) read just before the process is
//! killed. Run by `scripts/lambda-size-and-start`, which starts moto and builds the binaries:
//!
//!   cargo run --example lambda_cold_start -- --bin-dir target/release [--runs 20]

use serde_json::{json, Value};
use std::time::Duration;
use tayori_fake_line::FakeLine;
use tayori_tests::lambda_runtime::{Answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{liff_call, sample_event, MotoStack};

const LOGIN_CHANNEL: &str = "1657000000";
const CITIZEN: &str = "U11112222333344445555666677778888";

/// The first request each function gets: the same as its test in tests/lambda.rs.
fn first_event(function: &str, fake: &FakeLine, run: usize) -> Value {
    match function {
        "tayori-webhook" => sample_event("line/follow.json"),
        "tayori-admin" => sample_event("api/console-login.json"),
        "tayori-broadcast" => sample_event("scheduler/tick.json"),
        "tayori-shelters" => sample_event("bus/location-received.json"),
        // An export request for an id not saved: the function starts, looks it up in DynamoDB
        // and reports it unknown (the cold path is the same up to the lookup).
        "tayori-export" => {
            let mut event = sample_event("bus/export-requested.json");
            event["detail"]["id"] = format!("coldstart{run}").into();
            event
        }
        "tayori-forms" => liff_call(
            "PUT",
            "/api/registration",
            &fake.issue_id_token(CITIZEN, Some(LOGIN_CHANNEL)),
            Some(&json!({"values": {"district": ["雲浜"]}})),
        ),
        "tayori-reports" => liff_call(
            "POST",
            "/api/reports",
            &fake.issue_id_token(CITIZEN, Some(LOGIN_CHANNEL)),
            Some(&json!({"category": "streetlight", "latitude": 35.4953,
                "longitude": 135.7466, "photos": [], "details": "街路灯が消えています。",
                "answers": []})),
        ),
        other => panic!("no first event for {other}"),
    }
}

/// What the template sets for `function` beyond its Globals.
fn function_env(
    function: &str,
    stack: &MotoStack,
    setup_secret: &str,
) -> Vec<(&'static str, String)> {
    let base = ("PUBLIC_BASE_URL", "https://tayori.example.jp".to_string());
    let upload = (
        "UPLOAD_ORIGIN",
        format!(
            "https://s3.ap-northeast-1.amazonaws.com/{}/",
            stack.aws.bucket_name
        ),
    );
    let login = ("LINE_LOGIN_CHANNEL_ID", LOGIN_CHANNEL.to_string());
    match function {
        "tayori-admin" => vec![
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24".into()),
            ("ADMIN_SETUP_SECRET_ID", setup_secret.into()),
            base,
        ],
        "tayori-forms" => vec![login, upload],
        "tayori-reports" => vec![base, login, upload],
        "tayori-webhook" | "tayori-broadcast" | "tayori-shelters" => vec![base],
        _ => vec![],
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let bin_dir = value_of("--bin-dir").expect("--bin-dir DIR (where the function binaries are)");
    let runs: usize = value_of("--runs").map_or(20, |r| r.parse().expect("--runs N"));
    let only = value_of("--only");
    let stack = MotoStack::start("cold starts")
        .await
        .expect("moto: set TAYORI_TEST_AWS_ENDPOINT");
    let setup_secret = stack.put_secret("one-time-setup-token").await;
    let fake = FakeLine::new();
    let (line, _server) = fake.serve().await;
    // The shelters function reads the registry the console seeds.
    tayori_facilities::FacilityDesk::new(&stack.platform())
        .seed_if_empty()
        .await
        .expect("moto takes the shipped shelters");

    println!("| function | runs | exec → first response median (ms) | p90 (ms) | init (exec → first poll) median (ms) | p90 (ms) | peak RSS median (MiB) | max (MiB) |");
    println!("|---|---|---|---|---|---|---|---|");
    for function in [
        "tayori-webhook",
        "tayori-admin",
        "tayori-broadcast",
        "tayori-export",
        "tayori-forms",
        "tayori-reports",
        "tayori-shelters",
    ] {
        if only.as_deref().is_some_and(|o| o != function) {
            continue;
        }
        let binary = format!("{bin_dir}/{function}");
        let mut env = stack.function_env(&line);
        env.extend(
            function_env(function, &stack, &setup_secret)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        let mut times = Vec::new();
        let mut inits = Vec::new();
        let mut peaks = Vec::new();
        for run in 0..runs {
            let api = RuntimeApi::start(function).await.expect("a loopback port");
            let id = api.queue(first_event(function, &fake, run));
            let mut process = LambdaProcess::spawn(&binary, &env, api).expect("the binary starts");
            let answered = process
                .answer_to(&id)
                .await
                .unwrap_or_else(|e| panic!("{function}: {e}"));
            if let Answer::Error { body, .. } = &answered.answer {
                if function != "tayori-export" {
                    panic!("{function} failed: {body}\n{}", process.output());
                }
            }
            peaks.push(process.peak_rss_kib().unwrap_or_default());
            times.push(answered.after);
            inits.push(answered.init.unwrap_or(answered.after));
        }
        times.sort();
        inits.sort();
        peaks.sort();
        let mib = |kib: u64| format!("{:.1}", kib as f64 / 1024.0);
        println!(
            "| {function} | {runs} | {} | {} | {} | {} | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.9)),
            ms(percentile(&inits, 0.5)),
            ms(percentile(&inits, 0.9)),
            mib(peaks[peaks.len() / 2]),
            mib(*peaks.last().unwrap()),
        );
    }
}
