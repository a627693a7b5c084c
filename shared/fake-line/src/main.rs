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

/// A repeatable option's value that does not have its shape; clap prints it after the option.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum ArgError {
    #[error("expected {shape}, got {got:?}")]
    Shape { shape: &'static str, got: String },
    #[error("{got:?} is not a rate per second: {reason}")]
    Rate {
        got: String,
        reason: std::num::ParseIntError,
    },
}

fn parse_rate_limit(s: &str) -> Result<(String, u32), ArgError> {
    let (path, rate) = s.rsplit_once('=').ok_or_else(|| ArgError::Shape {
        shape: "PATH=PER_SECOND",
        got: s.to_owned(),
    })?;
    let rate = rate.parse().map_err(|reason| ArgError::Rate {
        got: rate.to_owned(),
        reason,
    })?;
    Ok((path.to_string(), rate))
}

fn parse_user(s: &str) -> Result<(String, String), ArgError> {
    s.split_once('=')
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .ok_or_else(|| ArgError::Shape {
            shape: "USER_ID=DISPLAY_NAME",
            got: s.to_owned(),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_and_a_malformed_one_says_what_was_expected() {
        assert_eq!(
            parse_rate_limit("/v2/bot/message/multicast=200").unwrap(),
            ("/v2/bot/message/multicast".to_string(), 200)
        );
        assert_eq!(
            parse_rate_limit("/v2/bot").unwrap_err().to_string(),
            r#"expected PATH=PER_SECOND, got "/v2/bot""#
        );
        assert!(parse_rate_limit("/v2/bot=fast")
            .unwrap_err()
            .to_string()
            .starts_with(r#""fast" is not a rate per second: "#));
        assert_eq!(
            parse_user("U1=田中").unwrap(),
            ("U1".to_string(), "田中".to_string())
        );
        assert_eq!(
            parse_user("U1").unwrap_err().to_string(),
            r#"expected USER_ID=DISPLAY_NAME, got "U1""#
        );
    }
}
