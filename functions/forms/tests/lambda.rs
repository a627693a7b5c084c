//! The deployed forms function as Lambda runs it: the binary started against a Runtime API
//! emulator, its settings from the template's environment, the LINE channel's secrets from
//! Secrets Manager and its data on the AWS adapters (moto), handed a citizen's registration
//! saved from the LIFF form (the shape of events/api/registration-api.json), the ID token
//! verified by LINE Login (the fake LINE server).

use serde_json::json;
use std::collections::BTreeMap;
use tayori_fake_line::FakeLine;
use tayori_records::Friends;
use tayori_tests::lambda_runtime::{http_answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{liff_call, MotoStack};

const CITIZEN: &str = "U11112222333344445555666677778888";
const LOGIN_CHANNEL: &str = "1657000000";

#[tokio::test]
async fn the_forms_function_starts_on_aws_and_saves_a_registration_from_the_liff_form() {
    let Some(stack) = MotoStack::start("forms function").await else {
        return;
    };
    let fake = FakeLine::new();
    let (line, _server) = fake.serve().await;
    let mut env = stack.function_env(&line);
    let upload_origin = format!(
        "https://s3.ap-northeast-1.amazonaws.com/{}/",
        stack.aws.bucket_name
    );
    env.extend(
        [
            ("LINE_LOGIN_CHANNEL_ID", LOGIN_CHANNEL),
            ("LIFF_ID", "1657000000-AbCdEfGh"),
            ("FORMS_LIFF_ID", "1657000000-FoRmSxYz"),
            ("UPLOAD_ORIGIN", upload_origin.as_str()),
            ("CONSOLE_BASE_URL", "https://tayori.example.jp"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let api = RuntimeApi::start("tayori-forms").await.unwrap();
    let mut function = LambdaProcess::spawn(env!("CARGO_BIN_EXE_tayori-forms"), &env, api).unwrap();

    let token = fake.issue_id_token(CITIZEN, Some(LOGIN_CHANNEL));
    let registration = json!({"values": {"district": ["雲浜"], "interests": ["防災"]}});
    let answer = function
        .invoke(liff_call(
            "PUT",
            "/api/registration",
            &token,
            Some(&registration),
        ))
        .await
        .unwrap();
    let (status, body) = http_answer(&answer);
    assert_eq!(status, 200, "{body}\n{}", function.output());
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(saved["values"]["district"], json!(["雲浜"]), "{saved}");

    let friend = Friends::new(&stack.platform())
        .get(CITIZEN)
        .await
        .unwrap()
        .expect("the registration is in DynamoDB");
    let expected: BTreeMap<String, Vec<String>> = [
        ("district".to_string(), vec!["雲浜".to_string()]),
        ("interests".to_string(), vec!["防災".to_string()]),
    ]
    .into();
    assert_eq!(friend.attributes, expected);
}
