//! The deployed console as Lambda runs it: the binary started against a Runtime API emulator,
//! its settings from the template's environment (the office allow-list, the setup token's
//! secret), the LINE channel's and the setup secrets from Secrets Manager and its data on the
//! AWS adapters (moto), asked for the sign-in page from an office address
//! (events/api/console-login.json).

use tayori_facilities::FacilityDesk;
use tayori_fake_line::FakeLine;
use tayori_tests::lambda_runtime::{http_answer, LambdaProcess, RuntimeApi};
use tayori_tests::stack::{sample_event, MotoStack};

#[tokio::test]
async fn the_console_starts_on_aws_shows_its_sign_in_page_and_seeds_the_shelters() {
    let Some(stack) = MotoStack::start("admin function").await else {
        return;
    };
    let fake = FakeLine::new();
    let (line, _server) = fake.serve().await;
    let setup_secret = stack.put_secret("one-time-setup-token").await;
    let mut env = stack.function_env(&line);
    env.extend(
        [
            ("ADMIN_ALLOWED_CIDRS", "203.0.113.0/24,198.51.100.0/24"),
            ("ADMIN_SETUP_SECRET_ID", setup_secret.as_str()),
            ("BROADCAST_FUNCTION_NAME", "tayori-dev-broadcast"),
            ("PUBLIC_BASE_URL", "https://tayori.example.jp"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let api = RuntimeApi::start("tayori-admin").await.unwrap();
    let mut function = LambdaProcess::spawn(env!("CARGO_BIN_EXE_tayori-admin"), &env, api).unwrap();

    let answer = function
        .invoke(sample_event("api/console-login.json"))
        .await
        .unwrap();
    let (status, body) = http_answer(&answer);
    assert_eq!(status, 200, "{body}\n{}", function.output());
    assert!(body.contains("ログイン"), "{body}");
    // The stage is put back in front of the console's own links.
    assert!(body.contains("action=\"/prod/admin/login\""), "{body}");

    // The first console container gave the fresh deployment 小浜市's shelters.
    let shelters = FacilityDesk::new(&stack.platform())
        .list(&tayori_domain::facility::KindId::shelter())
        .await
        .unwrap();
    assert!(
        shelters.iter().any(|s| s.name() == "小浜市文化会館"),
        "{} shelters\n{}",
        shelters.len(),
        function.output()
    );
}
