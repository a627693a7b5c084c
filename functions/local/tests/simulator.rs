//! The simulator as staff and vendors use it on a fresh install: the default rich menu is on
//! LINE from the start, the simulator draws it from the fake LINE's state, a tap sends what LINE
//! would, and images and stickers reach the webhook.

use crate::support;

use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;
use support::{run, wait_for};

async fn post(http: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let response = http.post(url).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_fresh_data_folder_publishes_the_default_menus_and_the_citizen_finds_the_menu_the_bot_names(
) {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::new();

    // LINE received both menus, their images and the default, before anyone signed in.
    let requests = running.fake_line.requests();
    let ok = |method: &str, path: &dyn Fn(&str) -> bool| {
        requests
            .iter()
            .filter(|r| r.method == method && path(&r.path) && (200..300).contains(&r.status))
            .inspect(|r| assert!(r.schema_errors.is_empty(), "{:?}", r.schema_errors))
            .count()
    };
    assert_eq!(ok("POST", &|p| p == "/v2/bot/richmenu"), 2);
    assert_eq!(ok("POST", &|p| p.ends_with("/content")), 2);
    assert_eq!(
        ok("POST", &|p| p.starts_with("/v2/bot/user/all/richmenu/")),
        1
    );

    let (_, citizen) = post(
        &http,
        format!("{base}/simulator/api/citizens"),
        json!({"name": "若狭 花子"}),
    )
    .await;
    let user_id = citizen["userId"].as_str().unwrap().to_string();
    post(
        &http,
        format!("{base}/simulator/api/events"),
        json!({"userId": user_id, "kind": "follow"}),
    )
    .await;
    post(
        &http,
        format!("{base}/simulator/api/events"),
        json!({"userId": user_id, "kind": "postback", "data": "reg:later"}),
    )
    .await;
    let fake = running.fake_line.clone();
    wait_for("two replies", || {
        fake.requests()
            .iter()
            .filter(|r| r.path == "/v2/bot/message/reply")
            .count()
            == 2
    })
    .await;
    let later = running
        .fake_line
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/v2/bot/message/reply")
        .unwrap();
    let told = later.body["messages"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        told.contains("メニューの「登録内容の確認・変更」"),
        "{told}"
    );

    // The simulator draws the menu LINE shows this citizen, and the named area is on it.
    let menu: Value = http
        .get(format!("{base}/simulator/api/richmenu?userId={user_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let area = menu["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"]["label"] == "登録内容の確認・変更")
        .unwrap_or_else(|| panic!("no area named as the bot says: {menu}"))
        .clone();
    let image = http
        .get(format!("{base}{}", menu["imageUrl"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");

    // Tapping it sends the area's postback, and the chat answers it.
    let (status, sent) = post(
        &http,
        format!("{base}/simulator/api/events"),
        json!({"userId": user_id, "kind": "postback", "data": area["action"]["data"],
               "displayText": area["action"]["displayText"]}),
    )
    .await;
    assert_eq!(
        (status, sent["webhookStatus"].as_u64()),
        (200, Some(200)),
        "{sent}"
    );
    let token = sent["replyToken"].as_str().unwrap().to_string();
    wait_for("the answer to the tap", || {
        !fake.replies_for(&token).is_empty()
    })
    .await;
    let answer = fake.replies_for(&token)[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(answer.contains("まだ登録されていません"), "{answer}");

    // A second start on the same folder sends LINE nothing about menus.
    running.stop().await;
    let again = run(dir.path(), Duration::from_secs(60)).await;
    assert!(
        !again
            .fake_line
            .requests()
            .iter()
            .any(|r| r.path.contains("richmenu")),
        "the defaults are installed once"
    );
    again.stop().await;
}

#[tokio::test]
async fn images_and_stickers_from_the_simulator_page_reach_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::new();
    let (_, citizen) = post(
        &http,
        format!("{base}/simulator/api/citizens"),
        json!({"name": "西津 次郎"}),
    )
    .await;
    let user_id = citizen["userId"].as_str().unwrap();
    let png = base64::engine::general_purpose::STANDARD.encode(include_bytes!(
        "../../../shared/fake-line/assets/richmenu-2500x1686.png"
    ));
    // Exactly what simulator.js sends.
    for (body, kind) in [
        (
            json!({"userId": user_id, "kind": "image", "contentType": "image/png", "dataBase64": png}),
            "image",
        ),
        (
            json!({"userId": user_id, "kind": "sticker", "packageId": "446", "stickerId": "1988"}),
            "sticker",
        ),
    ] {
        let (status, sent) = post(&http, format!("{base}/simulator/api/events"), body).await;
        assert_eq!(status, 200, "{kind}: {sent}");
        assert_eq!(sent["webhookStatus"], 200, "{kind}: {sent}");
        assert_eq!(sent["body"]["events"][0]["message"]["type"], kind);
    }
    running.stop().await;
}

#[tokio::test]
async fn two_photos_from_the_simulator_reach_the_webhook_as_an_image_set_whose_content_line_serves()
{
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::new();
    let (_, citizen) = post(
        &http,
        format!("{base}/simulator/api/citizens"),
        json!({"name": "小浜 三郎"}),
    )
    .await;
    let user_id = citizen["userId"].as_str().unwrap();
    let photos: [&[u8]; 2] = [
        include_bytes!("../../../shared/fake-line/assets/richmenu-2500x1686.png"),
        include_bytes!("../../../shared/fake-line/assets/message-content.png"),
    ];
    let images: Vec<Value> = photos
        .iter()
        .map(|bytes| {
            json!({"contentType": "image/png",
                   "dataBase64": base64::engine::general_purpose::STANDARD.encode(bytes)})
        })
        .collect();

    // Exactly what simulator.js sends for two files chosen at once.
    let (status, answer) = post(
        &http,
        format!("{base}/simulator/api/events"),
        json!({"userId": user_id, "kind": "images", "images": images}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let sent = answer["sent"].as_array().unwrap();
    assert_eq!(sent.len(), 2);

    let mut set_ids = Vec::new();
    for (index, (one, bytes)) in sent.iter().zip(photos).enumerate() {
        assert_eq!(one["webhookStatus"], 200, "{one}");
        assert!(
            tayori_fake_line::Spec::webhook()
                .validate("CallbackRequest", &one["body"])
                .is_empty(),
            "the event is as LINE's webhook spec says: {}",
            one["body"]
        );
        let message = &one["body"]["events"][0]["message"];
        assert_eq!(message["type"], "image");
        assert_eq!(message["contentProvider"]["type"], "line");
        assert_eq!(message["imageSet"]["index"], index + 1);
        assert_eq!(message["imageSet"]["total"], 2);
        set_ids.push(message["imageSet"]["id"].as_str().unwrap().to_string());

        // The bot would fetch it from LINE's content API (the fake, on this port).
        let id = message["id"].as_str().unwrap();
        let content = http
            .get(format!("{base}/v2/bot/message/{id}/content"))
            .bearer_auth("tayori-local-dev-token")
            .send()
            .await
            .unwrap();
        assert_eq!(content.status(), 200);
        assert_eq!(content.headers()["content-type"], "image/png");
        assert_eq!(content.bytes().await.unwrap().as_ref(), bytes);
    }
    assert_eq!(set_ids[0], set_ids[1], "one set");

    // The page shows each photo the citizen sent.
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
    let shown: Vec<&str> = conversation
        .iter()
        .filter_map(|e| e["imageUrl"].as_str())
        .collect();
    assert_eq!(shown.len(), 2, "{conversation:?}");
    let first = http
        .get(format!("{base}{}", shown[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.bytes().await.unwrap().as_ref(), photos[0]);

    // A bad photo among several sends none of them.
    let (status, refused) = post(
        &http,
        format!("{base}/simulator/api/events"),
        json!({"userId": user_id, "kind": "images", "images": [
            images[0].clone(),
            {"contentType": "image/gif", "dataBase64": "R0lGODlh"}
        ]}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"], "JPEGまたはPNGの画像を選んでください");
    running.stop().await;
}

#[tokio::test]
async fn the_local_run_serves_presigned_object_urls_on_its_own_port() {
    use tayori_ports::ObjectKey;
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::new();
    let objects = running.platform.objects.clone();
    let key = ObjectKey::new("reports/R1/photo-1.jpg").unwrap();

    let upload = objects
        .presign_put(&key, "image/jpeg", 1024, Duration::from_secs(300))
        .await
        .unwrap();
    assert!(
        upload.url.starts_with(&format!("{base}/_objects/")),
        "{}",
        upload.url
    );
    let mut request = http.put(&upload.url).body(b"jpeg".to_vec());
    for (name, value) in &upload.headers {
        request = request.header(name, value);
    }
    assert_eq!(request.send().await.unwrap().status(), 200);

    let url = objects
        .presign_get(&key, Duration::from_secs(300))
        .await
        .unwrap();
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.bytes().await.unwrap().as_ref(), b"jpeg");
    running.stop().await;
}
