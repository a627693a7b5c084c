//! The deployed reports function as Lambda runs it: the binary started against a Runtime API
//! emulator, its settings from the template's environment, the LINE channel's secrets from
//! Secrets Manager and its data on the AWS adapters (moto), handed a citizen's report of a
//! street light that is out, filed from the LIFF form, the ID token verified by LINE Login (the
//! fake LINE server).

use serde_json::json;
use tayori_facilities::FacilityDesk;
use tayori_fake_line::FakeLine;
use tayori_reporting::ReportDesk;
use tayori_tests::lambda_runtime::{http_answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{liff_call, MotoStack};

const CITIZEN: &str = "U0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const LOGIN_CHANNEL: &str = "1657000000";

#[tokio::test]
async fn the_reports_function_starts_on_aws_and_files_a_citizens_report() {
    let Some(stack) = MotoStack::start("reports function").await else {
        return;
    };
    // The 市内 check reads 小浜市's sites, which the console's first container seeds.
    assert!(FacilityDesk::new(&stack.platform())
        .seed_if_empty()
        .await
        .unwrap());
    let fake = FakeLine::new();
    let (line, _server) = fake.serve().await;
    let mut env = stack.function_env(&line);
    let upload_origin = format!(
        "https://s3.ap-northeast-1.amazonaws.com/{}/",
        stack.aws.bucket_name
    );
    env.extend(
        [
            ("PUBLIC_BASE_URL", "https://tayori.example.jp"),
            ("LINE_LOGIN_CHANNEL_ID", LOGIN_CHANNEL),
            ("LIFF_ID", "1657000000-RePoRtAb"),
            ("UPLOAD_ORIGIN", upload_origin.as_str()),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let api = RuntimeApi::start("tayori-reports").await.unwrap();
    let mut function =
        LambdaProcess::spawn(env!("CARGO_BIN_EXE_tayori-reports"), &env, api).unwrap();

    let token = fake.issue_id_token(CITIZEN, Some(LOGIN_CHANNEL));
    let report = json!({
        "category": "streetlight",
        "latitude": 35.4953,
        "longitude": 135.7466,
        "photos": [],
        "details": "市役所前の街路灯が夜じゅう消えています。",
        "answers": [],
    });
    let answer = function
        .invoke(liff_call("POST", "/api/reports", &token, Some(&report)))
        .await
        .unwrap();
    let (status, body) = http_answer(&answer);
    assert!(
        (200..300).contains(&status),
        "{status} {body}\n{}",
        function.output()
    );

    let filed = ReportDesk::new(&stack.platform())
        .history(CITIZEN)
        .await
        .unwrap();
    assert_eq!(filed.len(), 1, "the report is in DynamoDB");
    assert_eq!(filed[0].category().name, "街路灯");
}
