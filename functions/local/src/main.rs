//! `cargo run -p local` — the whole system on this machine, one port.

use chrono::{DateTime, Utc};
use clap::Parser;
use std::sync::Arc;
use tayori_local::settings::{LocalSettings, CLOCK_VAR};
use tayori_local::{start, LocalConfig};
use tayori_ports::{Clock, SystemClock};
use tayori_runtime::config::process_env;

#[derive(Parser)]
#[command(
    about = "Tayori のローカル実行: 全機能・LINEシミュレーター・疑似LINEサーバーを1つのポートで起動します"
)]
struct Args {
    /// Port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Folder for the embedded table, objects and the local key file.
    #[arg(long, default_value = "local-data")]
    data_dir: std::path::PathBuf,
    /// City name used in default messages.
    #[arg(long, default_value = "小浜市")]
    city: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Creates the first administrator of the console in the data folder (the password is read
    /// from TAYORI_ADMIN_PASSWORD, or asked for on the terminal).
    CreateAdmin {
        #[arg(long)]
        login_id: String,
        #[arg(long)]
        name: String,
    },
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tayori=debug".into()),
        )
        .init();
    let args = Args::parse();
    let settings = LocalSettings::from_lookup(&process_env)?;
    if let Some(Command::CreateAdmin { login_id, name }) = &args.command {
        let password = match settings.admin_password {
            Some(p) => p,
            None => {
                eprint!("パスワード（12文字以上）: ");
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_string()
            }
        };
        let account =
            tayori_local::create_admin(&args.data_dir, &args.city, login_id, name, &password)
                .await?;
        println!(
            "管理者「{}」（{}）を作成しました。",
            account.profile().display_name,
            account.login_id
        );
        return Ok(());
    }
    let (channel_secret, from_env) = match settings.channel_secret {
        Some(s) => (s, true),
        None => (tayori_local::DEV_CHANNEL_SECRET.to_string(), false),
    };
    let config = LocalConfig {
        port: args.port,
        data_dir: args.data_dir,
        city: args.city,
        channel_secret,
        tick_every: std::time::Duration::from_secs(60),
        clock: clock(settings.clock_start),
    };
    let running = start(config).await?;
    println!("Tayori local run");
    println!("  LINE simulator:   {}/simulator", running.base_url);
    println!("  staff console:    {}/admin", running.base_url);
    println!("  webhook:          {}/line/webhook", running.base_url);
    println!("  fake LINE log:    {}/_line/requests", running.base_url);
    println!("  health:           {}/healthz", running.base_url);
    println!("  data folder:      {}", running.data_dir.display());
    if settings.clock_start.is_some() {
        println!(
            "  clock:            from {CLOCK_VAR}, now {}",
            running.platform.clock.now()
        );
    }
    if let Some(token) = &running.setup_token {
        println!(
            "  first sign-in:    {}/admin/setup  (setup token: {token})",
            running.base_url
        );
        println!("                    or: cargo run -p local -- create-admin --login-id admin --name 管理者");
    }
    if from_env {
        println!("  channel secret:   from LINE_CHANNEL_SECRET");
    } else {
        println!(
            "  channel secret:   {} (dev default; set LINE_CHANNEL_SECRET to change)",
            tayori_local::DEV_CHANNEL_SECRET
        );
    }
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    running.stop().await;
    Ok(())
}

/// The system clock, or one that starts at `start` and advances in real time.
fn clock(start: Option<DateTime<Utc>>) -> Arc<dyn Clock> {
    match start {
        Some(start) => Arc::new(ShiftedClock {
            offset: start - Utc::now(),
        }),
        None => Arc::new(SystemClock),
    }
}

/// Wall-clock time moved by a fixed offset.
struct ShiftedClock {
    offset: chrono::Duration,
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}
