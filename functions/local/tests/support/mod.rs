//! What every local-run test needs: start the run in a temporary folder, wait for something.
#![allow(dead_code)] // each test binary uses its own part of this module

pub mod clerk;

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tayori_local::{start, LocalConfig, Running};
use tayori_ports::{Clock, SystemClock};

pub const SECRET: &str = "local-test-secret";

/// The local run on a free port, on the system clock.
pub async fn run(dir: &std::path::Path, tick_every: Duration) -> Running {
    run_at(dir, tick_every, Arc::new(SystemClock)).await
}

/// The local run on `clock` (a `ManualClock` set to the moment under test).
pub async fn run_at(dir: &std::path::Path, tick_every: Duration, clock: Arc<dyn Clock>) -> Running {
    start(LocalConfig {
        port: 0,
        data_dir: dir.to_path_buf(),
        city: "小浜市".into(),
        channel_secret: SECRET.into(),
        tick_every,
        clock,
    })
    .await
    .expect("local run starts")
}

/// Polls `ok` every 50 ms for up to 5 s.
pub async fn wait_for<F: Fn() -> bool>(what: &str, ok: F) {
    for _ in 0..100 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A new simulator citizen, not yet a friend; their user id.
pub async fn citizen(base: &str, name: &str) -> String {
    let citizen: Value = reqwest::Client::new()
        .post(format!("{base}/simulator/api/citizens"))
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    citizen["userId"].as_str().unwrap().to_string()
}

/// `user_id` follows the account through the simulator.
pub async fn follow(base: &str, user_id: &str) {
    let sent: Value = reqwest::Client::new()
        .post(format!("{base}/simulator/api/events"))
        .json(&json!({ "kind": "follow", "userId": user_id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["webhookStatus"], 200, "{sent}");
}

/// The ID token the simulator's LIFF gives `user_id` (as it opens the registration page).
pub async fn id_token(base: &str, user_id: &str) -> String {
    let opened = clerk::http()
        .get(format!(
            "{base}/simulator/liff/registration?userId={user_id}"
        ))
        .send()
        .await
        .unwrap();
    let location = opened.headers()["location"].to_str().unwrap().to_string();
    location
        .strip_prefix("/liff/registration?id_token=")
        .expect("the simulator opens LIFF pages with an ID token")
        .to_string()
}

/// A simulator citizen who has just followed the account (the welcome answered); their user id.
pub async fn follower(base: &str) -> String {
    let user_id = citizen(base, "若狭 花子").await;
    follow(base, &user_id).await;
    user_id
}
