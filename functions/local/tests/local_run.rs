//! The local run as a developer uses it: one process, real HTTP, the simulator driving the
//! real webhook, the fake LINE server recording and checking what the bot sends.

use crate::support;

use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{run, wait_for};
use tayori_ports::{Event, EventHandler};

#[tokio::test]
async fn in_the_simulator_a_follow_gets_the_welcome_and_a_text_the_default_reply() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::new();

    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let page = http
        .get(format!("{base}/simulator"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("LINEシミュレーター"));

    let citizen: Value = http
        .post(format!("{base}/simulator/api/citizens"))
        .json(&json!({"name": "若狭 花子"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_id = citizen["userId"].as_str().unwrap().to_string();

    for action in [
        json!({"kind": "follow"}),
        // A question the account does not answer: garbage questions are answered (chat_intents).
        json!({"kind": "text", "text": "図書館の開館時間を教えて"}),
    ] {
        let mut request = action.clone();
        request["userId"] = json!(user_id);
        let sent: Value = http
            .post(format!("{base}/simulator/api/events"))
            .json(&request)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(sent["webhookStatus"], 200, "{sent}");
    }

    // What LINE received, through the documented control route.
    let fake = running.fake_line.clone();
    wait_for("two replies", || {
        fake.requests()
            .iter()
            .filter(|r| r.path == "/v2/bot/message/reply")
            .count()
            == 2
    })
    .await;
    let recorded: Vec<Value> = http
        .get(format!("{base}/_line/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let replies: Vec<&Value> = recorded
        .iter()
        .filter(|r| r["path"] == "/v2/bot/message/reply")
        .collect();
    assert_eq!(replies.len(), 2);
    for r in &replies {
        assert_eq!(r["status"], 200);
        assert_eq!(r["schemaErrors"], json!([]), "{r}");
    }
    let texts: Vec<&str> = replies
        .iter()
        .map(|r| r["body"]["messages"][0]["text"].as_str().unwrap())
        .collect();
    assert!(
        texts[0].contains("友だち追加ありがとうございます"),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].contains("個別のお問い合わせにはお答えしておりません"),
        "{}",
        texts[1]
    );
    assert!(
        !texts[1].contains("図書館の開館時間"),
        "the reply must not echo"
    );

    // The simulator shows the same conversation as bubbles.
    let conversation: Vec<Value> = http
        .get(format!(
            "{base}/simulator/api/conversation?userId={user_id}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let froms: Vec<&str> = conversation
        .iter()
        .map(|e| e["from"].as_str().unwrap())
        .collect();
    assert_eq!(froms, ["citizen", "bot", "citizen", "bot"]);

    // The simulator refuses what LINE would never send.
    let bad = http
        .post(format!("{base}/simulator/api/events"))
        .json(&json!({"userId": "nobody", "kind": "follow"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    running.stop().await;
}

struct CountTicks(AtomicUsize);

#[async_trait]
impl EventHandler for CountTicks {
    async fn handle(&self, _event: Event) -> Result<(), tayori_ports::HandlerError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn scheduler_ticks_reach_the_bus_every_period() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_millis(100)).await;
    let ticks = Arc::new(CountTicks(AtomicUsize::new(0)));
    running.bus.subscribe("scheduler.tick", ticks.clone());
    wait_for("three ticks", || ticks.0.load(Ordering::SeqCst) >= 3).await;
    running.stop().await;
}

#[tokio::test]
async fn citizens_created_in_the_simulator_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{}/simulator/api/citizens", running.base_url))
        .json(&json!({"name": "雲浜 太郎"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    running.stop().await;

    let again = run(dir.path(), Duration::from_secs(60)).await;
    let list: Vec<Value> = http
        .get(format!("{}/simulator/api/citizens", again.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "雲浜 太郎");
    again.stop().await;
}

#[tokio::test]
async fn the_console_is_served_to_loopback_and_its_first_administrator_comes_from_create_admin() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    assert!(
        running.setup_token.is_some(),
        "a fresh data folder offers the one-time setup"
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    assert!(login.text().await.unwrap().contains("ログインID"));
    running.stop().await;

    let account =
        tayori_local::create_admin(dir.path(), "小浜市", "admin", "管理者", "obama-kaigan-2026")
            .await
            .unwrap();
    assert_eq!(account.login_id.as_str(), "admin");
    assert!(
        tayori_local::create_admin(
            dir.path(),
            "小浜市",
            "admin2",
            "管理者",
            "obama-kaigan-2026"
        )
        .await
        .is_err(),
        "a second first administrator"
    );
    let running = run(dir.path(), Duration::from_secs(60)).await;
    assert!(
        running.setup_token.is_none(),
        "setup stays closed once an account exists"
    );
    running.stop().await;
}
