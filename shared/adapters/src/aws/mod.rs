//! AWS adapters: DynamoDB, S3, EventBridge and KMS behind the ports, plus the LINE channel
//! secrets from Secrets Manager. Clients are built once per cold start from one `SdkConfig`,
//! which honours `AWS_ENDPOINT_URL` (moto in tests).

mod dynamo_table;
mod error;
mod eventbridge_bus;
mod kms_keys;
mod s3_objects;
pub mod secrets;
mod ses_mailer;

pub use dynamo_table::{create_table, DynamoTable};
pub use eventbridge_bus::{EventBridgeBus, MAX_EVENTS_PER_PUBLISH};
pub use kms_keys::KmsKeys;
pub use s3_objects::{s3_client, S3Objects};
pub use ses_mailer::{MailNotConfigured, SesMailer};

use aws_config::{BehaviorVersion, SdkConfig};
use std::sync::Arc;
use tayori_ports::{Clock, FieldCipher, MailAddress, MailAddressError, Mailer, Platform};

/// Names of the resources a function works on, from the environment the template sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsConfig {
    pub table_name: String,
    pub bucket_name: String,
    pub kms_key_id: String,
    pub event_bus_name: String,
    /// `MAIL_FROM`: the SES identity staff mail is sent from; unset, mail is off.
    pub mail_from: Option<MailAddress>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is not an e-mail address: {reason}")]
    NotMailAddress {
        name: &'static str,
        reason: MailAddressError,
    },
}

impl AwsConfig {
    /// Reads `TABLE_NAME`, `BUCKET_NAME`, `KMS_KEY_ID` and `EVENT_BUS_NAME` from a lookup (the
    /// process environment at start, through tayori-runtime's configuration); an empty value
    /// counts as missing. `MAIL_FROM` is optional, but when set it must be an address, so a
    /// typo stops the cold start instead of every mail.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &'static str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        Ok(Self {
            table_name: get("TABLE_NAME")?,
            bucket_name: get("BUCKET_NAME")?,
            kms_key_id: get("KMS_KEY_ID")?,
            event_bus_name: get("EVENT_BUS_NAME")?,
            mail_from: lookup("MAIL_FROM")
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    MailAddress::parse(&v).map_err(|reason| ConfigError::NotMailAddress {
                        name: "MAIL_FROM",
                        reason,
                    })
                })
                .transpose()?,
        })
    }
}

/// The SDK configuration from the Lambda environment (region, credentials, `AWS_ENDPOINT_URL`).
pub async fn sdk_config() -> SdkConfig {
    aws_config::load_defaults(BehaviorVersion::latest()).await
}

/// The deployed platform: DynamoDB table, S3 bucket with SSE-KMS, EventBridge bus and field
/// encryption with KMS data keys. It sends no mail ([`MailNotConfigured`]): the one function
/// that mails sets [`mailer`], so that SES is linked into that function alone.
pub fn platform(sdk: &SdkConfig, config: &AwsConfig, clock: Arc<dyn Clock>) -> Platform {
    let table = DynamoTable::new(
        aws_sdk_dynamodb::Client::new(sdk),
        config.table_name.clone(),
        clock.clone(),
    );
    let objects = S3Objects::new(
        s3_client(sdk),
        config.bucket_name.clone(),
        config.kms_key_id.clone(),
    );
    let bus = EventBridgeBus::new(
        aws_sdk_eventbridge::Client::new(sdk),
        config.event_bus_name.clone(),
    );
    let keys = KmsKeys::new(aws_sdk_kms::Client::new(sdk), config.kms_key_id.clone());
    Platform {
        table: Arc::new(table),
        objects: Arc::new(objects),
        bus: Arc::new(bus),
        cipher: Arc::new(FieldCipher::new(Arc::new(keys), clock.clone())),
        clock,
        mailer: Arc::new(MailNotConfigured),
    }
}

/// Staff mail through SES from `MAIL_FROM`, or [`MailNotConfigured`] when it is not set.
pub fn mailer(sdk: &SdkConfig, config: &AwsConfig) -> Arc<dyn Mailer> {
    match &config.mail_from {
        Some(from) => Arc::new(SesMailer::new(
            aws_sdk_sesv2::Client::new(sdk),
            from.clone(),
        )),
        None => Arc::new(MailNotConfigured),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_configuration_names_every_resource() {
        let all = [
            ("TABLE_NAME", "tayori-dev-table"),
            ("BUCKET_NAME", "tayori-dev-objects"),
            ("KMS_KEY_ID", "arn:aws:kms:ap-northeast-1:1:key/k"),
            ("EVENT_BUS_NAME", "tayori-dev-bus"),
        ];
        let config = AwsConfig::from_lookup(lookup(&all)).unwrap();
        // Each field from its own variable: distinct values catch two fields read from one.
        assert_eq!(config.table_name, "tayori-dev-table");
        assert_eq!(config.bucket_name, "tayori-dev-objects");
        assert_eq!(config.kms_key_id, "arn:aws:kms:ap-northeast-1:1:key/k");
        assert_eq!(config.event_bus_name, "tayori-dev-bus");
        assert_eq!(config.mail_from, None);
        // Each one is required: without it (or blank), the start names it.
        for (missing, _) in all {
            for blank in [None, Some("  ")] {
                let mut pairs: Vec<(&str, &str)> =
                    all.iter().copied().filter(|(k, _)| *k != missing).collect();
                if let Some(value) = blank {
                    pairs.push((missing, value));
                }
                let error = AwsConfig::from_lookup(lookup(&pairs)).unwrap_err();
                assert!(
                    matches!(error, ConfigError::Missing(name) if name == missing),
                    "{missing}: {error}"
                );
            }
        }
    }

    #[tokio::test]
    async fn without_a_sender_every_mail_answers_not_configured() {
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_config::Region::new("ap-northeast-1"))
            .build();
        let config = AwsConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", "k"),
            ("EVENT_BUS_NAME", "e"),
        ]))
        .unwrap();
        let to = vec![MailAddress::parse("kikaku@city.obama.lg.jp").unwrap()];
        let mail = tayori_ports::Mail::new(to, "件名", "本文").unwrap();
        let error = mailer(&sdk, &config).send(&mail).await.unwrap_err();
        assert!(
            matches!(error, tayori_ports::MailError::NotConfigured),
            "{error}"
        );
    }

    #[test]
    fn the_mail_sender_is_read_when_set_and_refused_when_not_an_address() {
        let with = |from: &str| {
            AwsConfig::from_lookup(lookup(&[
                ("TABLE_NAME", "t"),
                ("BUCKET_NAME", "b"),
                ("KMS_KEY_ID", "k"),
                ("EVENT_BUS_NAME", "e"),
                ("MAIL_FROM", from),
            ]))
        };
        assert_eq!(
            with("tayori@city.obama.lg.jp")
                .unwrap()
                .mail_from
                .unwrap()
                .as_str(),
            "tayori@city.obama.lg.jp"
        );
        assert_eq!(with(" ").unwrap().mail_from, None);
        let error = with("tayori@city.obama.lg.jp\r\nBcc: x@example.com").unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable MAIL_FROM is not an e-mail address: メールアドレスに改行は使えません。"
        );
    }

    #[test]
    fn a_missing_or_empty_variable_is_named_in_the_error() {
        let error = AwsConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("KMS_KEY_ID", " "),
        ]))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable KMS_KEY_ID is not set"
        );
    }
}
