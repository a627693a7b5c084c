//! A report (通報) in the local run, end to end: a simulator citizen taps 「通報する」, picks
//! 道路・公共物の損傷, sends a place (first outside the city, refused and asked again), a
//! sticker mid-flow (nothing lost), two photos (served by the fake LINE's content API, one more
//! whose download keeps failing: asked to send it again), details, and confirms; the receipt
//! number comes back, the report holds both photos (stored without Exif), 「通報履歴」 lists it,
//! and each status change staff make pushes a notice the fake LINE accepts as valid, until the
//! citizen blocks the account: then nothing is pushed and the report says so.

use crate::support;

use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;
use support::{follower, run, wait_for, SECRET};
use tayori_domain::report::ReportStatus;
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_local::Running;
use tayori_ports::ObjectKey;
use tayori_reporting::ReportDesk;

const CITY_HALL: (f64, f64) = (35.4953, 135.7466);
/// Tokyo Station: a pin far from every site in 小浜市.
const TOKYO: (f64, f64) = (35.6812, 139.7671);

struct Citizen<'a> {
    running: &'a Running,
    http: reqwest::Client,
    user: String,
}

impl Citizen<'_> {
    /// Sends one simulator action and answers the simulator's answer.
    async fn send(&self, action: Value) -> Value {
        let mut body = action;
        body["userId"] = json!(self.user);
        let sent: Value = self
            .http
            .post(format!("{}/simulator/api/events", self.running.base_url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        sent
    }

    /// Sends an action and waits for the reply to its token: the messages replied.
    async fn ask(&self, action: Value) -> Vec<Value> {
        let sent = self.send(action).await;
        assert_eq!(sent["webhookStatus"], 200, "{sent}");
        self.reply_to(sent["replyToken"].as_str().unwrap()).await
    }

    async fn reply_to(&self, token: &str) -> Vec<Value> {
        let fake = self.running.fake_line.clone();
        wait_for("the reply", || !fake.replies_for(token).is_empty()).await;
        let reply = self
            .running
            .fake_line
            .requests()
            .into_iter()
            .find(|r| r.path == "/v2/bot/message/reply" && r.body["replyToken"] == token)
            .unwrap();
        assert_eq!(reply.status, 200, "{:?}", reply.schema_errors);
        reply.body["messages"].as_array().unwrap().clone()
    }

    async fn tap(&self, data: &str) -> Vec<Value> {
        self.ask(json!({"kind": "postback", "data": data})).await
    }
}

fn all_text(messages: &[Value]) -> String {
    serde_json::to_string(messages).unwrap()
}

fn quick_labels(message: &Value) -> Vec<String> {
    message["quickReply"]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["action"]["label"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn photo_json() -> Value {
    let bytes = tayori_images::fixtures::photo_with_gps(1200, 900, 1);
    json!({"contentType": "image/jpeg",
           "dataBase64": base64::engine::general_purpose::STANDARD.encode(bytes)})
}

/// Posts a signed image event with a message id of the test's choosing (so that its content
/// can be made to fail first), as LINE would; answers its reply token.
async fn image_event(running: &Running, user: &str, message_id: &str) -> String {
    let token = format!("rt{message_id}");
    let body = json!({"destination": "Udeadbeefdeadbeefdeadbeefdeadbeef", "events": [{
        "type": "message", "mode": "active",
        "timestamp": chrono::Utc::now().timestamp_millis(),
        "source": {"type": "user", "userId": user},
        "webhookEventId": format!("01TEST{message_id}"),
        "deliveryContext": {"isRedelivery": false},
        "replyToken": token,
        "message": {"type": "image", "id": message_id, "quoteToken": "q",
                    "contentProvider": {"type": "line"}},
    }]});
    let raw = serde_json::to_vec(&body).unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/line/webhook", running.base_url))
        .header("content-type", "application/json")
        .header(
            "x-line-signature",
            tayori_line::signature::sign(SECRET, &raw),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    token
}

fn clerk() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("doboku").unwrap(),
        StaffProfile {
            display_name: "土木 一郎".into(),
            department: "土木課".into(),
            permissions: [Permission::ReportsHandle].into_iter().collect(),
            scope: DepartmentScope::Only(["土木課".to_string()].into_iter().collect()),
        },
        "hash".into(),
        chrono::Utc::now(),
    )
}

/// Flex notices pushed to `user`.
fn notices(running: &Running, user: &str) -> Vec<Value> {
    running
        .fake_line
        .sent_messages_to(user)
        .into_iter()
        .filter(|m| m["type"] == "flex")
        .collect()
}

#[tokio::test]
async fn a_citizen_files_a_report_with_two_photos_and_hears_of_each_status_change() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(3600)).await;
    let user = follower(&running.base_url).await;
    let citizen = Citizen {
        running: &running,
        http: reqwest::Client::new(),
        user: user.clone(),
    };
    let desk = ReportDesk::new(&running.platform);

    // 通報履歴 before any report: a friendly text.
    let none = citizen
        .ask(json!({"kind": "text", "text": "通報履歴"}))
        .await;
    assert!(
        all_text(&none).contains("これまでの通報はありません"),
        "{none:?}"
    );

    // 「通報する」 → the categories, urgent ones marked.
    let list = citizen.tap("reports:start").await;
    let labels = quick_labels(&list[0]);
    assert!(
        labels.contains(&"道路・公共物の損傷".to_string()),
        "{labels:?}"
    );
    assert!(labels.contains(&"⚠クマ・イノシシ・シカの出没".to_string()));

    let ask_place = citizen.tap("reports:category=road").await;
    assert_eq!(
        ask_place[0]["quickReply"]["items"][0]["action"]["type"],
        "location"
    );

    // A place outside the city: said so, and asked again.
    let outside = citizen
        .ask(
            json!({"kind": "location", "latitude": TOKYO.0, "longitude": TOKYO.1,
                     "address": "東京都千代田区丸の内1丁目"}),
        )
        .await;
    assert!(all_text(&outside).contains("市外"), "{outside:?}");
    assert_eq!(
        outside.last().unwrap()["quickReply"]["items"][0]["action"]["type"],
        "location"
    );

    // A sticker mid-flow: what is needed now, nothing lost.
    let sticker = citizen
        .ask(json!({"kind": "sticker", "packageId": "446", "stickerId": "1988"}))
        .await;
    assert!(all_text(&sticker).contains("残っています"), "{sticker:?}");
    assert!(desk.draft(&user).await.unwrap().is_some());

    let photos_asked = citizen
        .ask(
            json!({"kind": "location", "latitude": CITY_HALL.0, "longitude": CITY_HALL.1,
                     "title": "小浜市役所", "address": "福井県小浜市大手町6-3"}),
        )
        .await;
    let labels = quick_labels(&photos_asked[0]);
    assert!(labels.contains(&"カメラで撮る".to_string()), "{labels:?}");
    assert!(
        !labels.contains(&"次へ".to_string()),
        "a photo is required first"
    );

    // Two photos at once: one event each, each answered.
    let sent = citizen
        .send(json!({"kind": "images", "images": [photo_json(), photo_json()]}))
        .await;
    let tokens: Vec<String> = sent["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["replyToken"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tokens.len(), 2);
    for token in &tokens {
        let answered = citizen.reply_to(token).await;
        assert!(
            all_text(&answered).contains("写真を受け取りました"),
            "{answered:?}"
        );
    }
    assert_eq!(desk.draft(&user).await.unwrap().unwrap().photos().len(), 2);

    // LINE's content API failing on every one of the client's 4 tries: asked to send it again,
    // and the two photos stay.
    running.fake_line.put_content(
        "777000111",
        tayori_images::fixtures::phone_photo(640, 480, 1),
        "image/jpeg",
    );
    running.fake_line.fail_content("777000111", 500, 4);
    let token = image_event(&running, &user, "777000111").await;
    let failed = citizen.reply_to(&token).await;
    assert!(
        all_text(&failed).contains("写真を受け取れませんでした。もう一度送ってください"),
        "{failed:?}"
    );
    assert_eq!(desk.draft(&user).await.unwrap().unwrap().photos().len(), 2);

    let details = citizen.tap("reports:next").await;
    assert!(
        all_text(&details).contains("どのような状況か"),
        "{details:?}"
    );
    let confirm = citizen
        .ask(json!({"kind": "text", "text": "市役所前の道路に深さ10cmほどの穴があいています"}))
        .await;
    let summary = all_text(&confirm);
    assert!(summary.contains("写真：2枚"), "{summary}");
    assert!(summary.contains("福井県小浜市大手町6-3"), "{summary}");
    assert_eq!(quick_labels(&confirm[0])[0], "送信する");

    let receipt = citizen.tap("reports:send").await;
    let text = receipt[0]["text"].as_str().unwrap().to_string();
    let number = text
        .split("受付番号：")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap()
        .to_string();
    assert!(
        number.len() == 9 && number.chars().nth(4) == Some('-'),
        "{number}"
    );

    // The report holds both photos, each stored (photo and thumbnail) without Exif.
    let reports = desk.history(&user).await.unwrap();
    assert_eq!(reports.len(), 1);
    let report = reports[0].clone();
    assert_eq!(report.receipt(), number);
    assert_eq!(report.photos().len(), 2);
    let keys: BTreeSet<&str> = report.photos().iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys.len(), 2, "two photos, not one twice");
    for photo in report.photos() {
        for key in [&photo.key, &photo.thumbnail_key] {
            let stored = running
                .platform
                .objects
                .get(&ObjectKey::new(key.clone()).unwrap())
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{key} stored"));
            assert!(
                !tayori_images::fixtures::jpeg_segments(&stored.bytes).contains(&0xE1),
                "{key} has no Exif"
            );
        }
    }
    assert!(desk.draft(&user).await.unwrap().is_none());

    // 「通報履歴」 lists it.
    let history = citizen.tap("reports:history").await;
    assert_eq!(history[0]["type"], "flex");
    assert!(all_text(&history).contains(&number), "{history:?}");

    // Staff move it (as the console does, through the desk): each change is pushed.
    let by = clerk();
    desk.change_status(
        report.id(),
        ReportStatus::Checking,
        Some("現地を確認します"),
        &by,
    )
    .await
    .unwrap();
    wait_for("the first notice", || notices(&running, &user).len() == 1).await;
    desk.change_status(report.id(), ReportStatus::Done, Some("穴を埋めました"), &by)
        .await
        .unwrap();
    wait_for("the second notice", || notices(&running, &user).len() == 2).await;
    let pushed = notices(&running, &user);
    let first = pushed[0].to_string();
    assert!(
        first.contains(&number) && first.contains("確認中") && first.contains("現地を確認します"),
        "{first}"
    );
    let second = pushed[1].to_string();
    assert!(
        second.contains("完了") && second.contains("穴を埋めました"),
        "{second}"
    );
    assert!(pushed[0]["contents"]["hero"]["url"]
        .as_str()
        .unwrap()
        .ends_with(&report.photos()[0].thumbnail_key));
    for push in running
        .fake_line
        .requests()
        .iter()
        .filter(|r| r.path == "/v2/bot/message/push")
    {
        assert_eq!(push.status, 200, "{:?}", push.schema_errors);
        assert!(push.schema_errors.is_empty(), "{:?}", push.schema_errors);
    }
    let told = desk.get(report.id()).await.unwrap();
    assert!(told.history().iter().all(|h| h.told_at.is_some()));

    // Blocked: the next change is not pushed, and the report says it was not sent.
    let sent = citizen.send(json!({"kind": "unfollow"})).await;
    assert_eq!(sent["webhookStatus"], 200, "{sent}");
    desk.change_status(
        report.id(),
        ReportStatus::InProgress,
        Some("再度補修します"),
        &by,
    )
    .await
    .unwrap();
    let mut settled = false;
    for _ in 0..100 {
        let r = desk.get(report.id()).await.unwrap();
        if r.history()[2].not_sent_at.is_some() {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(settled, "the unsent notice is recorded");
    assert_eq!(
        desk.get(report.id()).await.unwrap().history()[2].told_at,
        None
    );
    assert_eq!(notices(&running, &user).len(), 2);
    running.stop().await;
}
