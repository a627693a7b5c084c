//! The LIFF forms in the local run: the sample form (made through the form desk on a fresh data
//! folder) is listed for a simulator citizen who opens the forms from the simulator, answered
//! through the API with the ID token the fake LINE issued, and its receipt reaches the citizen
//! in LINE, its request valid against LINE's OpenAPI spec. And end to end from the console: a
//! clerk builds a form over HTTP, publishes it, a citizen answers it, the clerk sees the answer
//! and asks for its CSV in UTF-8 (BOM) and in CP932, which the export function makes through
//! the local bus and the console's download link serves.

use crate::support;
use serde_json::{json, Value};
use std::time::Duration;

use support::clerk::Clerk;

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

const LOGIN: &str = "kenko";
const PASSWORD: &str = "obama-kaigan-2026";

/// The download link of the newest finished file in 出力ファイル whose row mentions `what`.
fn download_link(exports_page: &str, what: &str) -> Option<String> {
    exports_page
        .split("<tr>")
        .filter(|row| row.contains(what))
        .find_map(|row| {
            let at = row.find("/admin/exports/")?;
            let rest = &row[at..];
            let link = &rest[..rest.find('"')?];
            link.ends_with("/download").then(|| link.to_string())
        })
}

#[tokio::test]
async fn a_clerk_builds_a_form_a_citizen_answers_it_and_its_csv_comes_from_the_export_function() {
    let dir = tempfile::tempdir().unwrap();
    tayori_local::create_admin(dir.path(), "小浜市", LOGIN, "健康 一郎", PASSWORD)
        .await
        .unwrap();
    let running = support::run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let mut clerk = Clerk::signed_in(&base, LOGIN, PASSWORD).await;

    // The clerk builds the form on the builder page: a short text, a single choice and a
    // personal phone number.
    clerk.get("/admin/forms/new").await;
    let saved = clerk
        .post(
            "/admin/forms/new",
            &[
                ("title", "健康教室の申込"),
                ("description", "1月の健康教室です。"),
                ("kind", "application"),
                ("department", "健康課"),
                ("per_citizen", "once"),
                ("opens_at", ""),
                ("closes_at", ""),
                ("capacity", ""),
                ("receipt_message", "お申し込みありがとうございます。"),
                ("f0.id", "wish"),
                ("f0.kind", "short_text"),
                ("f0.label", "聞きたいこと"),
                ("f0.max_chars", "100"),
                ("f1.id", "day"),
                ("f1.kind", "single_choice"),
                ("f1.label", "参加日"),
                ("f1.choices", "1月10日\n1月17日"),
                ("f1.required", "on"),
                ("f2.id", "phone"),
                ("f2.kind", "phone"),
                ("f2.label", "電話番号"),
                ("f2.personal", "on"),
                ("f2.required", "on"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let form = saved
        .location
        .unwrap()
        .trim_start_matches("/admin/forms/")
        .to_string();
    clerk.get(&format!("/admin/forms/{form}")).await;
    let published = clerk
        .post(
            &format!("/admin/forms/{form}/publish"),
            &[("confirmed", "yes")],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);

    // A simulator citizen opens it from LINE and answers with the fake LINE's ID token.
    let user_id = support::follower(&base).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let opened = http
        .get(format!(
            "{base}/simulator/liff/forms?userId={user_id}&form={form}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 303);
    let location = opened.headers()["location"].to_str().unwrap().to_string();
    let token = location
        .split("id_token=")
        .nth(1)
        .expect("the form opens with an ID token")
        .to_string();
    let sent = http
        .post(format!("{base}/api/forms/{form}/answers"))
        .bearer_auth(&token)
        .json(&json!({"values": {
            "wish": ["減塩のこつ"],
            "day": ["1月17日"],
            "phone": ["0770-53-1111"],
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200, "{}", sent.text().await.unwrap());
    let receipt: Value = sent.json().await.unwrap();
    let number = receipt["receiptNumber"].as_str().unwrap().to_string();
    let fake = running.fake_line.clone();
    support::wait_for("the receipt push", || {
        fake.requests()
            .iter()
            .any(|r| r.path == "/v2/bot/message/push" && r.body["to"] == user_id.as_str())
    })
    .await;
    let pushed = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/v2/bot/message/push" && r.body["to"] == user_id.as_str())
        .unwrap();
    assert!(
        pushed.schema_errors.is_empty(),
        "{:?}",
        pushed.schema_errors
    );
    let text = pushed.body["messages"][0]["text"].as_str().unwrap();
    assert!(text.contains(&format!("受付番号: {number}")), "{text}");

    // The clerk sees it in the list and asks for the CSV, in UTF-8 and in CP932.
    let answers = format!("/admin/forms/{form}/answers");
    let list = clerk.get(&answers).await;
    assert!(list.body.contains(&number), "{}", list.body);
    for encoding in ["utf8", "sjis"] {
        clerk.get(&answers).await;
        let asked = clerk
            .post(
                &format!("{answers}/export"),
                &[
                    ("q", ""),
                    ("status", ""),
                    ("from", ""),
                    ("to", ""),
                    ("encoding", encoding),
                ],
            )
            .await;
        assert_eq!(asked.status, 303, "{}", asked.body);
        assert_eq!(asked.location.as_deref(), Some("/admin/exports"));
    }

    // The export function makes both through the local bus; 出力ファイル links them.
    let mut links = (None, None);
    for _ in 0..100 {
        let page = clerk.get("/admin/exports").await.body;
        links = (
            download_link(&page, "フォーム回答（UTF-8）"),
            download_link(&page, "フォーム回答（Shift_JIS）"),
        );
        if links.0.is_some() && links.1.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (Some(utf8), Some(sjis)) = links else {
        panic!("both files are made: {links:?}");
    };
    let mut downloaded = Vec::new();
    for link in [utf8, sjis] {
        let redirected = clerk.get(&link).await;
        assert_eq!(redirected.status, 303, "{}", redirected.body);
        let file = clerk.get(&redirected.location.unwrap()).await;
        assert_eq!(file.status, 200);
        downloaded.push(file.bytes);
    }
    let utf8 = &downloaded[0];
    assert_eq!(&utf8[..3], [0xEF, 0xBB, 0xBF]);
    let text = String::from_utf8(utf8[3..].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("受付番号,回答日時,状態,聞きたいこと,参加日,電話番号,メモ")
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with(&format!("{number},")), "{row}");
    assert!(
        row.ends_with(",受付,減塩のこつ,1月17日,（個人情報・出力対象外）,"),
        "{row}"
    );
    let (cp932, _, errors) = encoding_rs::SHIFT_JIS.decode(&downloaded[1]);
    assert!(!errors);
    assert_eq!(cp932, text, "the same text in either encoding");
    running.stop().await;
}
