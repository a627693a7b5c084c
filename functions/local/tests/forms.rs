//! The LIFF forms in the local run: the sample form (made through the form desk on a fresh data
//! folder) is listed for a simulator citizen who opens the forms from the simulator, answered
//! through the API with the ID token the fake LINE issued, and its receipt reaches the citizen
//! in LINE, its request valid against LINE's OpenAPI spec.

use serde_json::{json, Value};
use std::time::Duration;
mod support;

#[tokio::test]
async fn a_simulated_citizen_answers_the_sample_form_and_gets_the_receipt_in_line() {
    let dir = tempfile::tempdir().unwrap();
    let running = support::run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let user_id = support::follower(&base).await;

    let opened = http
        .get(format!("{base}/simulator/liff/forms?userId={user_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 303);
    let location = opened.headers()["location"].to_str().unwrap().to_string();
    let token = location
        .strip_prefix("/liff/forms?id_token=")
        .expect("the forms open with an ID token")
        .to_string();
    let page = http.get(format!("{base}{location}")).send().await.unwrap();
    assert_eq!(page.status(), 200);

    let listed: Value = http
        .get(format!("{base}/api/forms"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sample = listed["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["title"] == tayori_forms::sample::SAMPLE_TITLE)
        .expect("the sample form is listed")
        .clone();
    let form = sample["id"].as_str().unwrap();
    let one = http
        .get(format!(
            "{base}/simulator/liff/forms?userId={user_id}&form={form}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 303);
    assert!(one.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("/liff/forms/{form}?id_token=")));

    let sent = http
        .post(format!("{base}/api/forms/{form}/answers"))
        .bearer_auth(&token)
        .json(&json!({"values": {
            "name": ["小浜 花子"],
            "postal": ["917-0078"],
            "address": ["福井県小浜市大手町6-3"],
            "course": ["食事"],
            "consent": ["yes"],
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let receipt: Value = sent.json().await.unwrap();
    let number = receipt["receiptNumber"].as_str().unwrap().to_string();

    let fake = running.fake_line.clone();
    let mut pushed = None;
    for _ in 0..100 {
        pushed = fake
            .requests()
            .into_iter()
            .find(|r| r.path == "/v2/bot/message/push" && r.body["to"] == user_id.as_str());
        if pushed.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pushed = pushed.expect("the receipt is pushed");
    assert!(
        pushed.schema_errors.is_empty(),
        "{:?}",
        pushed.schema_errors
    );
    let text = pushed.body["messages"][0]["text"].as_str().unwrap();
    assert!(text.contains(&format!("受付番号: {number}")), "{text}");
    assert!(text.contains("参加コース: 食事"), "{text}");
    running.stop().await;
}
