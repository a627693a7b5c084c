//! Issue 4, Done-when #1, in the local run: citizens of the simulator register with various
//! 年代 and 地区; a clerk signs in to the console over HTTP, composes text + image for
//! 年代=30代 AND 地区=雲浜, sees the recipient count and sends; exactly the citizens of that
//! segment receive it (the image fetchable through /media and shown by the simulator), and the
//! delivery log's recipients, successes and failures match what the fake LINE recorded, also
//! when LINE refuses one batch.

use crate::support;
use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;
use tayori_domain::delivery::{Delivery, DeliveryStatus};
use tayori_fake_line::Fault;
use tayori_local::Running;
use tayori_records::{Deliveries, Friends};

use support::clerk::{http, Clerk, Page};

const LOGIN: &str = "clerk";
const PASSWORD: &str = "obama-kaigan-2026";
/// A 1×1 PNG: a real image header, so the composer accepts it as a PNG.
const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const TEXT: &str = "雲浜地区の子育て世代のみなさまへ：12月の親子ひろばは毎週水曜です。";

fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(PNG_1X1)
        .unwrap()
}

/// The local run with a first administrator made by `create-admin`, as the README says.
async fn run_with_clerk(dir: &std::path::Path) -> Running {
    tayori_local::create_admin(dir, "小浜市", LOGIN, "若狭 一郎", PASSWORD)
        .await
        .unwrap();
    support::run(dir, Duration::from_secs(60)).await
}

// ------------------------------------------------------------------------------- citizens

/// A citizen made in the simulator, who follows the account.
async fn follower(base: &str, name: &str) -> String {
    let http = http();
    let citizen: Value = http
        .post(format!("{base}/simulator/api/citizens"))
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_id = citizen["userId"].as_str().unwrap().to_string();
    simulate(base, &user_id, json!({"kind": "follow"})).await;
    user_id
}

async fn simulate(base: &str, user_id: &str, mut action: Value) {
    action["userId"] = json!(user_id);
    let sent: Value = http()
        .post(format!("{base}/simulator/api/events"))
        .json(&action)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["webhookStatus"], 200, "{sent}");
}

/// Registers through the LIFF form's API with an ID token the fake LINE issued.
async fn register(base: &str, user_id: &str, age_group: &str, district: &str) {
    let http = http();
    let opened = http
        .get(format!(
            "{base}/simulator/liff/registration?userId={user_id}"
        ))
        .send()
        .await
        .unwrap();
    let location = opened.headers()["location"].to_str().unwrap().to_string();
    let token = location
        .strip_prefix("/liff/registration?id_token=")
        .unwrap();
    let saved = http
        .put(format!("{base}/api/registration"))
        .bearer_auth(token)
        .json(&json!({"values": {"age_group": [age_group], "district": [district]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
}

// ------------------------------------------------------------------------------- the clerk

impl Clerk {
    /// Presses the confirmation page's button: posts its form (the action again, confirmed).
    async fn confirm(&mut self, asked: &Page) -> Page {
        let at = asked
            .body
            .find("name=\"confirmed\"")
            .expect("a confirmation page");
        let before = &asked.body[..at];
        let action = &before[before.rfind("action=\"").unwrap() + 8..];
        let action = action[..action.find('"').unwrap()].to_string();
        self.post(&action, &[("confirmed", "yes")]).await
    }

    /// Posts the composer's multipart form as a browser does, with the page's CSRF token.
    async fn compose(&mut self, path: &str, fields: &[(&str, &str)], png: Option<&[u8]>) -> Page {
        let boundary = "----tayori-local-compose";
        let mut body = Vec::new();
        let csrf = self.csrf.clone();
        for (name, value) in [&[("_csrf", csrf.as_str())], fields].concat() {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some(png) = png {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"oshirase.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
            body.extend(png);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(request).await
    }
}

/// The composer's fields for the 30代 × 雲浜 notice: a text bubble and an image bubble.
fn notice(action: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", "親子ひろばのお知らせ".into()),
        ("category", "子育て".into()),
        ("kind0", "text".into()),
        ("text0", TEXT.into()),
        ("kind1", "image".into()),
        ("target", "segment".into()),
        ("seg.age_group", "30代".into()),
        ("seg.district", "雲浜".into()),
        ("send_at", String::new()),
        ("action", action.into()),
    ]
}

fn fields<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// `<dt>{label}</dt><dd>{value}</dd>` of the delivery page.
fn fact(body: &str, label: &str) -> String {
    let start = body
        .find(&format!("<dt>{label}</dt><dd>"))
        .unwrap_or_else(|| panic!("no {label} on the page"));
    let rest = &body[start + label.len() + 13..];
    rest[..rest.find("</dd>").unwrap()].to_string()
}

async fn delivered(running: &Running, id: &str) -> Delivery {
    let deliveries = Deliveries::new(running.platform.table.clone());
    for _ in 0..200 {
        let d = deliveries.get(id).await.unwrap().unwrap();
        if matches!(d.status(), DeliveryStatus::Sent | DeliveryStatus::Stopped) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("delivery {id} did not finish");
}

// ------------------------------------------------------------------------------- the tests

#[tokio::test]
async fn a_clerk_sends_text_and_image_to_30s_in_kumohama_and_only_they_receive_it() {
    let dir = tempfile::tempdir().unwrap();
    let running = run_with_clerk(dir.path()).await;
    let base = running.base_url.clone();

    let mut in_segment = Vec::new();
    for name in ["雲浜 三十子", "雲浜 三十郎"] {
        let id = follower(&base, name).await;
        register(&base, &id, "30代", "雲浜").await;
        in_segment.push(id);
    }
    let mut outside = Vec::new();
    for (name, age, district) in [
        ("小浜 三十子", "30代", "小浜"),
        ("雲浜 四十郎", "40代", "雲浜"),
        ("西津 二十子", "20代", "西津"),
    ] {
        let id = follower(&base, name).await;
        register(&base, &id, age, district).await;
        outside.push(id);
    }
    // Followed but never registered: no attributes, not in the segment.
    outside.push(follower(&base, "未登録 花子").await);
    // In the segment but blocked the account since: never targeted.
    let blocked = follower(&base, "雲浜 ブロック").await;
    register(&base, &blocked, "30代", "雲浜").await;
    simulate(&base, &blocked, json!({"kind": "unfollow"})).await;
    outside.push(blocked);

    let mut clerk = Clerk::signed_in(&base, LOGIN, PASSWORD).await;
    let composer = clerk.get("/admin/deliveries/new").await;
    assert_eq!(composer.status, 200);
    let saved = clerk
        .compose("/admin/deliveries", &fields(&notice("count")), Some(&png()))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let path = saved.location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_string();
    let counted = clerk.get(&path).await;
    assert!(
        counted
            .body
            .contains("年代: 30代 かつ 居住地区: 雲浜：2 人（ブロック中の友だちを除く）"),
        "the count the clerk sees: {}",
        counted.body
    );
    // The image is kept on the draft: the form carries its key from now on.
    let draft = Deliveries::new(running.platform.table.clone())
        .get(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(draft.bubbles().len(), 2, "{:?}", draft.bubbles());
    let image = draft.bubbles()[1]
        .image()
        .expect("second bubble is the image")
        .clone();
    let image_key = image.original.clone();
    let mut send = notice("submit");
    send.push(("image1", image_key.clone()));
    let asked = clerk.compose(&path, &fields(&send), None).await;
    assert_eq!(asked.status, 200, "the clerk is asked to confirm");
    let sent = clerk.confirm(&asked).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let d = delivered(&running, &id).await;
    assert_eq!(d.status(), DeliveryStatus::Sent);

    let fake = &running.fake_line;
    for user in &in_segment {
        let got = fake.sent_messages_to(user);
        assert_eq!(got.len(), 2, "{user} gets text and image once: {got:?}");
        assert_eq!(got[0]["type"], "text");
        assert_eq!(got[0]["text"], TEXT);
        assert_eq!(got[1]["type"], "image");
        // LINE fetches the original and the small preview itself, from this host over https.
        for (field, content_type) in [
            ("originalContentUrl", "image/png"),
            ("previewImageUrl", "image/jpeg"),
        ] {
            let url = got[1][field].as_str().unwrap();
            let local = url
                .strip_prefix(&base.replacen("http://", "https://", 1))
                .expect("LINE gets an https URL of this host");
            let key = match field {
                "originalContentUrl" => &image.original,
                _ => &image.preview,
            };
            assert_eq!(local, format!("/{key}"));
            let image = http().get(format!("{base}{local}")).send().await.unwrap();
            assert_eq!(image.status(), 200);
            assert_eq!(image.headers()["content-type"], content_type);
            let size = imagesize::blob_size(&image.bytes().await.unwrap()).unwrap();
            assert_eq!((size.width, size.height), (1, 1), "{field}");
        }
    }
    for user in &outside {
        assert!(
            fake.sent_messages_to(user).is_empty(),
            "{user} is outside the segment"
        );
    }

    // The simulator shows the image through the plain-http media path.
    let conversation: Vec<Value> = http()
        .get(format!(
            "{base}/simulator/api/conversation?userId={}",
            in_segment[0]
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let multicast = conversation
        .iter()
        .find(|e| e["via"] == "multicast")
        .expect("the delivery is in the citizen's conversation");
    let shown = multicast["display"][1]["previewImageUrl"].as_str().unwrap();
    assert_eq!(shown, format!("{base}/{}", image.preview));
    assert_eq!(http().get(shown).send().await.unwrap().status(), 200);

    // The log matches what LINE recorded.
    let multicasts: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/bot/message/multicast")
        .collect();
    assert_eq!(multicasts.len(), 1);
    assert_eq!(multicasts[0].status, 200);
    assert!(
        multicasts[0].schema_errors.is_empty(),
        "{:?}",
        multicasts[0].schema_errors
    );
    let log = clerk.get(&path).await;
    assert_eq!(fact(&log.body, "状態"), "配信済み");
    assert_eq!(fact(&log.body, "対象数"), "2 人");
    assert_eq!(fact(&log.body, "成功"), "2 通");
    assert_eq!(fact(&log.body, "失敗"), "0 通");
    assert_eq!(fact(&log.body, "配信先"), "年代: 30代 かつ 居住地区: 雲浜");
    let list = clerk.get("/admin/deliveries").await;
    assert!(list.body.contains("親子ひろばのお知らせ"));
    running.stop().await;
}

#[tokio::test]
async fn when_line_refuses_one_batch_its_recipients_are_counted_as_failures_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let running = run_with_clerk(dir.path()).await;
    let base = running.base_url.clone();
    // More friends than one multicast takes (500), so the delivery has two batches. They are
    // written straight to the friends' records: 501 sign-ups through the chat would only make
    // the test slow, and registration is covered above.
    let friends = Friends::new(&running.platform);
    let now = chrono::Utc::now();
    let mut users = Vec::new();
    for n in 0..501u32 {
        let user = format!("U{n:032x}");
        friends
            .update(&user, now, |f| {
                f.followed(now);
                f.attributes.insert("age_group".into(), vec!["30代".into()]);
                f.attributes.insert("district".into(), vec!["雲浜".into()]);
            })
            .await
            .unwrap();
        running.fake_line.add_user(&user, &format!("市民{n}"));
        users.push(user);
    }
    running.fake_line.inject_faults(Fault {
        path: "/v2/bot/message/multicast".into(),
        status: 400,
        count: 1,
        body: None,
    });

    let mut clerk = Clerk::signed_in(&base, LOGIN, PASSWORD).await;
    clerk.get("/admin/deliveries/new").await;
    let notice: Vec<(&str, String)> = notice("submit")
        .into_iter()
        .filter(|(k, _)| *k != "kind1")
        .collect();
    let asked = clerk
        .compose("/admin/deliveries", &fields(&notice), None)
        .await;
    assert_eq!(asked.status, 200, "the clerk is asked to confirm");
    let sent = clerk.confirm(&asked).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let path = sent.location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_string();
    let d = delivered(&running, &id).await;

    let fake = &running.fake_line;
    let multicasts: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/bot/message/multicast")
        .collect();
    let refused: usize = multicasts
        .iter()
        .filter(|r| r.status == 400)
        .map(|r| r.body["to"].as_array().unwrap().len())
        .sum();
    let accepted: usize = multicasts
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.body["to"].as_array().unwrap().len())
        .sum();
    assert!(
        refused == 500 || refused == 1,
        "one whole batch refused: {refused}"
    );
    assert_eq!(refused + accepted, 501);
    let received = users
        .iter()
        .filter(|u| !fake.sent_messages_to(u).is_empty())
        .count();
    assert_eq!(received, accepted, "who LINE delivered to");
    assert_eq!(d.totals().recipients, 501);
    assert_eq!(d.totals().succeeded as usize, accepted);
    assert_eq!(d.totals().failed as usize, refused);

    let log = clerk.get(&path).await;
    assert_eq!(fact(&log.body, "対象数"), "501 人");
    assert_eq!(fact(&log.body, "成功"), format!("{accepted} 通"));
    assert_eq!(fact(&log.body, "失敗"), format!("{refused} 通"));
    assert!(
        fact(&log.body, "LINEのエラー").contains("LINE 400"),
        "LINE's error is in the log: {}",
        fact(&log.body, "LINEのエラー")
    );
    running.stop().await;
}
