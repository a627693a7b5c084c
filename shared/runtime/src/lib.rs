//! Start-up shared by every Lambda `main.rs`: read configuration once, build clients once.
//! A function's first TLS handshake can cost more than its init, so clients are made here, at
//! cold start, and reused by every invocation.

mod events;

pub use events::{from_event_bridge, EventRoutes};

use std::sync::Arc;
use tayori_adapters::aws;
use tayori_garbage::SampleCalendar;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Platform, SystemClock};

/// JSON logs for CloudWatch; the level comes from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time() // CloudWatch stamps every line
        .init();
}

/// What a function that talks to LINE needs, built from the environment.
pub struct Boot {
    pub platform: Platform,
    pub line: Arc<LineClient>,
    pub channel_secret: String,
    /// The city's name in default messages (`CITY_NAME`, default 小浜市).
    pub city: String,
    /// Always [`SampleCalendar::Withheld`]: a Lambda serves real citizens, who must never be
    /// told the shipped sample's invented collection days. Only the local run demonstrates it.
    pub sample_calendar: SampleCalendar,
}

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("LINE channel secrets could not be read: {0}")]
    Secrets(String),
}

impl Boot {
    pub async fn from_env() -> Result<Self, BootError> {
        let config = aws::AwsConfig::from_env().map_err(|e| BootError::Config(e.to_string()))?;
        let sdk = aws::sdk_config().await;
        let platform = aws::platform(&sdk, &config, Arc::new(SystemClock));
        let secret_id = std::env::var("LINE_SECRET_ID")
            .map_err(|_| BootError::Config("LINE_SECRET_ID is not set".into()))?;
        let secrets = aws::secrets::load_line_secrets(&sdk, &secret_id)
            .await
            .map_err(|e| BootError::Secrets(e.to_string()))?;
        let defaults = LineConfig::default();
        let line = LineClient::new(LineConfig {
            api_base: std::env::var("LINE_API_BASE").unwrap_or(defaults.api_base.clone()),
            data_api_base: std::env::var("LINE_DATA_API_BASE")
                .unwrap_or(defaults.data_api_base.clone()),
            channel_access_token: secrets.channel_access_token.clone(),
            ..defaults
        });
        Ok(Self {
            platform,
            line: Arc::new(line),
            channel_secret: secrets.channel_secret.clone(),
            city: std::env::var("CITY_NAME").unwrap_or_else(|_| "小浜市".into()),
            sample_calendar: SampleCalendar::Withheld,
        })
    }
}

/// A plain secret string from Secrets Manager (e.g. the console's one-time setup token).
pub async fn secret_string(secret_id: &str) -> Result<String, BootError> {
    let sdk = aws::sdk_config().await;
    aws_sdk_secretsmanager::Client::new(&sdk)
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|e| {
            BootError::Secrets(format!(
                "{secret_id}: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
            ))
        })?
        .secret_string()
        .map(str::to_owned)
        .ok_or_else(|| BootError::Secrets(format!("{secret_id} has no string value")))
}
