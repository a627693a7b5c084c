//! Citizen registration in the local run: the simulator's citizen follows, gets the invitation
//! linking the local privacy page, opens the LIFF form with an ID token the fake LINE issued,
//! and saves a registration through the form's API.

use crate::support;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn a_simulated_citizen_is_invited_after_follow_and_registers_through_the_liff_form() {
    let dir = tempfile::tempdir().unwrap();
    let running = support::run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let user_id = support::follower(&base).await;
    let fake = running.fake_line.clone();
    let mut reply = None;
    for _ in 0..100 {
        reply = fake
            .requests()
            .into_iter()
            .find(|r| r.path == "/v2/bot/message/reply");
        if reply.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = reply.expect("the follow is answered");
    assert!(reply.schema_errors.is_empty(), "{:?}", reply.schema_errors);
    let invitation = reply.body["messages"][1]["text"].as_str().unwrap();
    let policy = format!("{base}/liff/privacy");
    assert!(invitation.contains(&policy), "{invitation}");
    let page = http.get(&policy).send().await.unwrap();
    assert_eq!(page.status(), 200);

    let opened = http
        .get(format!(
            "{base}/simulator/liff/registration?userId={user_id}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 303);
    let location = opened.headers()["location"].to_str().unwrap().to_string();
    let token = location
        .strip_prefix("/liff/registration?id_token=")
        .expect("the form opens with an ID token")
        .to_string();
    let form = http.get(format!("{base}{location}")).send().await.unwrap();
    assert_eq!(form.status(), 200);

    let saved = http
        .put(format!("{base}/api/registration"))
        .bearer_auth(&token)
        .json(&json!({"values": {"age_group": ["30代"], "district": ["雲浜"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let view: Value = http
        .get(format!("{base}/api/registration"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["values"],
        json!({"age_group": ["30代"], "district": ["雲浜"]})
    );
    let forged = http
        .put(format!("{base}/api/registration"))
        .bearer_auth("forged")
        .json(&json!({"values": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    running.stop().await;
}
