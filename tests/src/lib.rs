//! Cross-function scenarios and the port conformance suite; the tests live in tests/tests/.
//! This library holds what they share: access to moto, the local AWS stand-in, and a Lambda
//! Runtime API emulator that runs the function binaries on it.

pub mod lambda_runtime;
pub mod stack;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use std::time::Duration;
use tayori_adapters::aws::{self, AwsConfig};

/// The SDK configuration for moto, or `None` when moto is not running and not required.
///
/// `scripts/test` starts moto and sets `TAYORI_TEST_AWS_ENDPOINT` and `TAYORI_REQUIRE_AWS=1`;
/// with the latter set, a missing or unreachable endpoint fails the test instead of skipping
/// it, so CI can never pass by quietly testing only the embedded adapters.
pub async fn moto() -> Option<SdkConfig> {
    let required = std::env::var("TAYORI_REQUIRE_AWS").is_ok_and(|v| v == "1");
    let endpoint = match std::env::var("TAYORI_TEST_AWS_ENDPOINT") {
        Ok(e) if !e.trim().is_empty() => e,
        _ if required => panic!(
            "TAYORI_REQUIRE_AWS=1 but TAYORI_TEST_AWS_ENDPOINT is not set: run scripts/test, which starts moto"
        ),
        _ => {
            eprintln!("skipped: no moto (set TAYORI_TEST_AWS_ENDPOINT)");
            return None;
        }
    };
    if let Err(e) = reachable(&endpoint).await {
        if required {
            panic!("moto at {endpoint} is not reachable: {e}");
        }
        eprintln!("skipped: no moto at {endpoint} ({e})");
        return None;
    }
    Some(
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&endpoint)
            .region(Region::new("ap-northeast-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .load()
            .await,
    )
}

async fn reachable(endpoint: &str) -> Result<(), String> {
    let authority = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    match tokio::time::timeout(
        Duration::from_secs(3),
        tokio::net::TcpStream::connect(authority),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("connection timed out".into()),
    }
}

/// A resource name no other test uses, so tests can share one moto server in parallel.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// A platform's resources of its own on moto, as the template makes them for a stage: a table
/// with its index, a KMS key and a bucket in ap-northeast-1. The bus is only named: moto
/// refuses events for a bus it has not made, so a test that publishes makes it (as
/// [`stack`] does). `what` names the key in moto's listing.
pub async fn moto_resources(sdk: &SdkConfig, what: &str) -> AwsConfig {
    let table = unique_name("tayori");
    aws::create_table(&aws_sdk_dynamodb::Client::new(sdk), &table)
        .await
        .expect("moto makes the table");
    let kms_key_id = aws_sdk_kms::Client::new(sdk)
        .create_key()
        .description(format!("tayori {what}"))
        .send()
        .await
        .expect("moto makes the key")
        .key_metadata
        .expect("a new key has metadata")
        .key_id;
    let bucket = unique_name("tayori");
    aws::s3_client(sdk)
        .create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::ApNortheast1)
                .build(),
        )
        .send()
        .await
        .expect("moto makes the bucket");
    AwsConfig {
        table_name: table,
        bucket_name: bucket,
        kms_key_id,
        event_bus_name: unique_name("tayori"),
        mail_from: None,
    }
}
