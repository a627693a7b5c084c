//! AWS adapters: DynamoDB, S3, EventBridge and KMS behind the ports, plus the LINE channel
//! secrets from Secrets Manager. Clients are built once per cold start from one `SdkConfig`,
//! which honours `AWS_ENDPOINT_URL` (moto in tests).

mod dynamo_table;
mod error;
mod eventbridge_bus;
mod kms_keys;
mod s3_objects;
pub mod secrets;

pub use dynamo_table::{create_table, DynamoTable};
pub use eventbridge_bus::{EventBridgeBus, MAX_EVENTS_PER_PUBLISH};
pub use kms_keys::KmsKeys;
pub use s3_objects::{s3_client, S3Objects};

use aws_config::{BehaviorVersion, SdkConfig};
use std::sync::Arc;
use tayori_ports::{Clock, FieldCipher, Platform};

/// Names of the resources a function works on, from the environment the template sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsConfig {
    pub table_name: String,
    pub bucket_name: String,
    pub kms_key_id: String,
    pub event_bus_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
}

impl AwsConfig {
    /// Reads `TABLE_NAME`, `BUCKET_NAME`, `KMS_KEY_ID` and `EVENT_BUS_NAME` from a lookup (the
    /// process environment at start, through tayori-runtime's configuration); an empty value
    /// counts as missing.
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
        })
    }
}

/// The SDK configuration from the Lambda environment (region, credentials, `AWS_ENDPOINT_URL`).
pub async fn sdk_config() -> SdkConfig {
    aws_config::load_defaults(BehaviorVersion::latest()).await
}

/// The deployed platform: DynamoDB table, S3 bucket with SSE-KMS, EventBridge bus, and field
/// encryption with KMS data keys.
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
        let config = AwsConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "tayori-dev"),
            ("BUCKET_NAME", "tayori-dev-objects"),
            ("KMS_KEY_ID", "arn:aws:kms:ap-northeast-1:1:key/k"),
            ("EVENT_BUS_NAME", "tayori-dev"),
        ]))
        .unwrap();
        assert_eq!(config.table_name, "tayori-dev");
        assert_eq!(config.event_bus_name, "tayori-dev");
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
