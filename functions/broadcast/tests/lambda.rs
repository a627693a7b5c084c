//! The deployed broadcast function as Lambda runs it: the binary started against a Runtime API
//! emulator, its settings from the template's environment, the LINE channel's secrets from
//! Secrets Manager and its data on the AWS adapters (moto), handed the every-minute scheduler
//! tick (events/scheduler/tick.json).

use tayori_fake_line::FakeLine;
use tayori_menus::DEFAULT_MENUS;
use tayori_records::RichMenus;
use tayori_tests::lambda_runtime::{Answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{sample_event, MotoStack};

#[tokio::test]
async fn the_broadcast_function_starts_on_aws_and_its_first_tick_installs_the_rich_menus() {
    let Some(stack) = MotoStack::start("broadcast function").await else {
        return;
    };
    let fake = FakeLine::new();
    let (line, _server) = fake.serve().await;
    let mut env = stack.function_env(&line);
    env.push((
        "PUBLIC_BASE_URL".to_string(),
        "https://tayori.example.jp".to_string(),
    ));
    let api = RuntimeApi::start("tayori-broadcast").await.unwrap();
    let mut function =
        LambdaProcess::spawn(env!("CARGO_BIN_EXE_tayori-broadcast"), &env, api).unwrap();

    let answer = function
        .invoke(sample_event("scheduler/tick.json"))
        .await
        .unwrap();
    assert_eq!(
        answer,
        Answer::Response(serde_json::Value::Null),
        "{}",
        function.output()
    );

    // The first tick after a deployment published the default menus and made one LINE's default.
    let menus = RichMenus::new(stack.platform().table.clone());
    for default in &DEFAULT_MENUS {
        let stored = menus.get(default.id).await.unwrap().expect("stored");
        let on_line = stored.line_id.expect("published to LINE");
        assert!(fake.rich_menu(&on_line).is_some(), "{on_line}");
    }
    let designation = menus.designation().await.unwrap();
    assert!(designation.normal.is_some(), "{}", function.output());
}
