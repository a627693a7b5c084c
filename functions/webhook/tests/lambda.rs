//! The deployed webhook as Lambda runs it: the binary started against a Runtime API emulator,
//! its settings from the template's environment, the channel's secrets from Secrets Manager and
//! its data on the AWS adapters (moto), handed the follow LINE sends when a citizen adds the
//! account (events/line/follow.json, signed with the dev secret).

use tayori_domain::FriendStatus;
use tayori_fake_line::FakeLine;
use tayori_records::Friends;
use tayori_tests::lambda_runtime::{http_answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{sample_event, MotoStack};

const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn the_webhook_starts_on_aws_and_a_follow_is_welcomed_and_recorded() {
    let Some(stack) = MotoStack::start("webhook function").await else {
        return;
    };
    let fake = FakeLine::new();
    let (line, _server) = fake.serve().await;
    let api = RuntimeApi::start("tayori-webhook").await.unwrap();
    let mut env = stack.function_env(&line);
    env.push((
        "PUBLIC_BASE_URL".to_string(),
        "https://tayori.example.jp".to_string(),
    ));
    let mut function =
        LambdaProcess::spawn(env!("CARGO_BIN_EXE_tayori-webhook"), &env, api).unwrap();

    let answer = function
        .invoke(sample_event("line/follow.json"))
        .await
        .unwrap();
    let (status, body) = http_answer(&answer);
    assert_eq!(status, 200, "{body}\n{}", function.output());

    let friend = Friends::new(&stack.platform())
        .get(CITIZEN)
        .await
        .unwrap()
        .expect("the follow is recorded in DynamoDB");
    assert_eq!(friend.status, FriendStatus::Following);
    // The welcome went to LINE as the reply to the follow's token.
    let reply = serde_json::Value::from(fake.replies_for("sample-reply-token-follow-0001"));
    assert!(
        reply[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("小浜市"),
        "{reply}\n{}",
        function.output()
    );
}
