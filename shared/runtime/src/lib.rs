//! Start-up shared by every Lambda `main.rs`: read configuration once (see [`config`]), build
//! clients once.
//! A function's first TLS handshake can cost more than its init, so clients are made here, at
//! cold start, and reused by every invocation.

pub mod config;
mod events;

pub use config::{BootConfig, CommonConfig, ConfigError, LineApi, Vars};
pub use events::{from_event_bridge, EventRoutes, PayloadError};

use aws_config::SdkConfig;
use std::sync::Arc;
use tayori_adapters::aws::{self, AwsConfig, MailNotConfigured};
use tayori_garbage::SampleCalendar;
use tayori_line::LineClient;
use tayori_ports::{Mailer, Platform, SystemClock};

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

/// What a function that talks to LINE needs, built from its configuration.
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
    #[error("LINE channel secrets could not be read: {0}")]
    Secrets(String),
}

impl Boot {
    /// A function that sends no staff mail: SES is not linked into it.
    pub async fn start(config: &BootConfig) -> Result<Self, BootError> {
        Self::start_with(config, |_, _| Arc::new(MailNotConfigured)).await
    }

    /// A function that mails staff through SES from `MAIL_FROM` (the forms function).
    pub async fn start_mailing(config: &BootConfig) -> Result<Self, BootError> {
        Self::start_with(config, aws::mailer).await
    }

    async fn start_with(
        config: &BootConfig,
        mailer: impl FnOnce(&SdkConfig, &AwsConfig) -> Arc<dyn Mailer>,
    ) -> Result<Self, BootError> {
        let sdk = aws::sdk_config().await;
        let common = &config.common;
        let mut platform = aws::platform(&sdk, &common.aws, Arc::new(SystemClock));
        platform.mailer = mailer(&sdk, &common.aws);
        let secrets = aws::secrets::load_line_secrets(&sdk, &config.line_secret_id)
            .await
            .map_err(|e| BootError::Secrets(e.to_string()))?;
        let line = LineClient::new(
            common
                .line_api
                .client_config(secrets.channel_access_token.clone()),
        );
        Ok(Self {
            platform,
            line: Arc::new(line),
            channel_secret: secrets.channel_secret.clone(),
            city: common.city.clone(),
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
