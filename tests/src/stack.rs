//! A stage's resources on moto as `template.yaml` makes them, and the environment its Globals
//! give every function, for starting a function binary (see [`crate::lambda_runtime`]).

use crate::{moto, moto_resources, unique_name};
use aws_config::SdkConfig;
use std::sync::Arc;
use tayori_adapters::aws::{self, AwsConfig};
use tayori_ports::{Platform, SystemClock};

/// The development channel secret the samples in events/line/ are signed with.
pub const DEV_CHANNEL_SECRET: &str = "tayori-local-dev-secret";

/// The channel access token put in the stack's LINE secret.
pub const CHANNEL_ACCESS_TOKEN: &str = "lambda-emulator-token";

/// A stage on moto: table, key, bucket, a bus name and the LINE channel's secret.
pub struct MotoStack {
    pub sdk: SdkConfig,
    pub aws: AwsConfig,
    pub endpoint: String,
    pub line_secret_id: String,
}

impl MotoStack {
    /// `None` when moto is not running and not required (see [`crate::moto`]).
    pub async fn start(what: &str) -> Option<Self> {
        let sdk = moto().await?;
        let endpoint = std::env::var("TAYORI_TEST_AWS_ENDPOINT").ok()?;
        let aws = moto_resources(&sdk, what).await;
        // Publishing to a bus moto has not made is refused, as it is in AWS.
        aws_sdk_eventbridge::Client::new(&sdk)
            .create_event_bus()
            .name(&aws.event_bus_name)
            .send()
            .await
            .expect("moto makes the bus");
        let line_secret_id = unique_name("tayori/line-channel");
        aws_sdk_secretsmanager::Client::new(&sdk)
            .create_secret()
            .name(&line_secret_id)
            .secret_string(
                serde_json::json!({
                    "channelSecret": DEV_CHANNEL_SECRET,
                    "channelAccessToken": CHANNEL_ACCESS_TOKEN,
                })
                .to_string(),
            )
            .send()
            .await
            .expect("moto keeps the LINE secret");
        Some(Self {
            sdk,
            aws,
            endpoint,
            line_secret_id,
        })
    }

    /// A secret of its own holding `value` (e.g. the console's setup token); returns its name.
    pub async fn put_secret(&self, value: &str) -> String {
        let name = unique_name("tayori/secret");
        aws_sdk_secretsmanager::Client::new(&self.sdk)
            .create_secret()
            .name(&name)
            .secret_string(value)
            .send()
            .await
            .expect("moto keeps the secret");
        name
    }

    /// The same resources through the AWS adapters, to arrange records and check effects.
    pub fn platform(&self) -> Platform {
        aws::platform(&self.sdk, &self.aws, Arc::new(SystemClock))
    }

    /// What the template's Globals set for every function, with LINE at `line_api_base` and AWS
    /// at moto, plus the credentials and region Lambda's execution role would give.
    pub fn function_env(&self, line_api_base: &str) -> Vec<(String, String)> {
        [
            ("TABLE_NAME", self.aws.table_name.as_str()),
            ("BUCKET_NAME", &self.aws.bucket_name),
            ("KMS_KEY_ID", &self.aws.kms_key_id),
            ("EVENT_BUS_NAME", &self.aws.event_bus_name),
            ("LINE_SECRET_ID", &self.line_secret_id),
            ("LINE_API_BASE", line_api_base),
            ("LINE_DATA_API_BASE", line_api_base),
            ("RUST_LOG", "info"),
            ("STAGE", "dev"),
            ("CITY_NAME", "小浜市"),
            ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
            ("AWS_REGION", "ap-northeast-1"),
            ("AWS_DEFAULT_REGION", "ap-northeast-1"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_ENDPOINT_URL", &self.endpoint),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

/// A sample event from events/, read from the repository.
pub fn sample_event(path: &str) -> serde_json::Value {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../events/").to_string() + path;
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// A call from a LIFF page through API Gateway, shaped as events/api/registration-api.json:
/// `method` on `path` with the citizen's ID token and a JSON body.
pub fn liff_call(
    method: &str,
    path: &str,
    id_token: &str,
    body: Option<&serde_json::Value>,
) -> serde_json::Value {
    let mut event = sample_event("api/registration-api.json");
    event["httpMethod"] = method.into();
    event["path"] = path.into();
    event["resource"] = path.into();
    event["requestContext"]["httpMethod"] = method.into();
    event["requestContext"]["resourcePath"] = path.into();
    event["requestContext"]["path"] = format!("/prod{path}").into();
    let bearer = format!("Bearer {id_token}");
    event["headers"]["authorization"] = bearer.clone().into();
    event["multiValueHeaders"]["authorization"] = serde_json::json!([bearer]);
    if let Some(body) = body {
        event["headers"]["content-type"] = "application/json".into();
        event["multiValueHeaders"]["content-type"] = serde_json::json!(["application/json"]);
        event["body"] = body.to_string().into();
    }
    event
}
