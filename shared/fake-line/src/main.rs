//! `cargo run -p tayori-fake-line -- --port 4000`: the fake LINE server on its own, for trying
//! a client by hand. Point the client's api and api-data base URLs at the printed address.

use clap::Parser;
use tayori_fake_line::FakeLine;

#[derive(Parser)]
#[command(about = "A fake LINE Messaging API server that checks requests against LINE's spec")]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// Friends the profile API knows, as USER_ID=DISPLAY_NAME (repeatable).
    #[arg(long = "user", value_parser = parse_user)]
    users: Vec<(String, String)>,
    /// Answer 429 beyond this many requests per second to a path prefix, as PATH=PER_SECOND,
    /// e.g. /v2/bot/message/multicast=200 (repeatable).
    #[arg(long = "rate-limit", value_parser = parse_rate_limit)]
    rate_limits: Vec<(String, u32)>,
    /// Count sends per user instead of keeping every message and request body (for runs of
    /// a million recipients; `GET /_line/deliveries/tally` answers the counts).
    #[arg(long)]
    tally_only: bool,
}

fn parse_rate_limit(s: &str) -> Result<(String, u32), String> {
    let (path, rate) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("expected PATH=PER_SECOND, got {s:?}"))?;
    let rate = rate
        .parse()
        .map_err(|e| format!("{rate:?} is not a rate per second: {e}"))?;
    Ok((path.to_string(), rate))
}

fn parse_user(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .ok_or_else(|| format!("expected USER_ID=DISPLAY_NAME, got {s:?}"))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let fake = if args.tally_only {
        FakeLine::tally_only()
    } else {
        FakeLine::new()
    };
    for (id, name) in &args.users {
        fake.add_user(id, name);
    }
    for (path, per_second) in &args.rate_limits {
        fake.enforce_rate_limit(path, *per_second);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    println!("fake LINE server on http://{}", listener.local_addr()?);
    println!("recorded requests: GET /_line/requests");
    axum::serve(listener, fake.router()).await
}
