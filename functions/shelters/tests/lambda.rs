//! The deployed shelters function as Lambda runs it: the binary started against a Runtime API
//! emulator, its settings from the template's environment, the LINE channel's secrets from
//! Secrets Manager and the registry on the AWS adapters (moto), handed the `location.received`
//! event the webhook publishes when a citizen sends a location near 小浜市役所
//! (events/bus/location-received.json).

use tayori_facilities::FacilityDesk;
use tayori_fake_line::FakeLine;
use tayori_tests::lambda_runtime::{Answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{sample_event, MotoStack};

#[tokio::test]
async fn the_shelters_function_starts_on_aws_and_answers_a_location_with_the_nearest_shelter() {
    let Some(stack) = MotoStack::start("shelters function").await else {
        return;
    };
    // The console's first container seeds the registry; this function only reads it.
    assert!(FacilityDesk::new(&stack.platform())
        .seed_if_empty()
        .await
        .unwrap());
    let fake = FakeLine::new();
    let (line, _server) = fake.serve().await;
    let mut env = stack.function_env(&line);
    env.push((
        "PUBLIC_BASE_URL".to_string(),
        "https://tayori.example.jp".to_string(),
    ));
    let api = RuntimeApi::start("tayori-shelters").await.unwrap();
    let mut function =
        LambdaProcess::spawn(env!("CARGO_BIN_EXE_tayori-shelters"), &env, api).unwrap();

    let event = sample_event("bus/location-received.json");
    let token = event["detail"]["replyToken"].as_str().unwrap().to_string();
    let answer = function.invoke(event).await.unwrap();
    assert_eq!(
        answer,
        Answer::Response(serde_json::Value::Null),
        "{}",
        function.output()
    );

    // The reply to the location's token names the nearest shelter and links the map page.
    let reply = serde_json::Value::from(fake.replies_for(&token)).to_string();
    assert!(
        reply.contains("小浜市文化会館"),
        "{reply}\n{}",
        function.output()
    );
    assert!(reply.contains("https://tayori.example.jp/"), "{reply}");
}
