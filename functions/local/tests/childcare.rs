//! Child-rearing messages in the local run: staff schedule 生後2か月 予防接種 at 10:00; a
//! simulator citizen registers a child born in October 2026 through the chat's date picker in
//! November; on 1 December the ticks before 10:00 send nothing, the tick at 10:00 sends the
//! stage to that parent alone, once, through the delivery log.

use crate::support;
use chrono::{DateTime, NaiveTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tayori_domain::childcare::{Stage, StageSchedule, StageTiming};
use tayori_domain::usage::UsageKind;
use tayori_ports::ManualClock;
use tayori_records::children::ChildcareSettings;
use tayori_records::{ChildcareRecords, Deliveries, UsageEvents};

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn act(base: &str, user: &str, mut action: Value) -> Value {
    action["userId"] = json!(user);
    let sent: Value = reqwest::Client::new()
        .post(format!("{base}/simulator/api/events"))
        .json(&action)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["webhookStatus"], 200, "{sent}");
    sent
}

#[tokio::test]
async fn a_parent_registers_a_child_in_the_chat_and_gets_the_two_month_message_at_the_send_time() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(jst("2026-11-20T12:00:00+09:00")));
    let running = support::run_at(dir.path(), Duration::from_millis(100), clock.clone()).await;
    let base = running.base_url.clone();
    let stage = Stage::new(
        "vaccine-2m",
        "生後2か月 予防接種",
        StageTiming::Age {
            years: 0,
            months: 2,
        },
        "生後2か月になりました。予防接種（ヒブ・小児用肺炎球菌など）の時期です。",
        Some("https://www1.city.obama.fukui.jp/"),
    )
    .unwrap();
    ChildcareRecords::new(&running.platform)
        .save_settings(&ChildcareSettings {
            schedule: StageSchedule::new(vec![stage]).unwrap(),
            send_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        })
        .await
        .unwrap();

    let parent = support::follower(&base).await;
    let neighbour = support::follower(&base).await;
    act(&base, &parent, json!({"kind": "text", "text": "子育て"})).await;
    let sent = act(
        &base,
        &parent,
        json!({"kind": "postback", "data": "child:born", "displayText": "生まれた年月で登録",
               "params": {"date": "2026-10-08"}}),
    )
    .await;
    let token = sent["replyToken"].as_str().unwrap().to_string();
    let fake = running.fake_line.clone();
    support::wait_for("the registration's reply", || {
        !fake.replies_for(&token).is_empty()
    })
    .await;
    let reply = fake.replies_for(&token);
    assert!(
        reply[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("「2026年10月生まれ」のお子さんを登録しました。"),
        "{reply:?}"
    );

    let stage_messages = |user: &str| {
        fake.sent_messages_to(user)
            .iter()
            .filter(|m| m["text"].as_str().unwrap_or_default().contains("予防接種"))
            .count()
    };
    clock.set(jst("2026-12-01T09:59:00+09:00"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(stage_messages(&parent), 0, "nothing before 10:00");

    clock.set(jst("2026-12-01T10:00:00+09:00"));
    support::wait_for("the two-month message", || stage_messages(&parent) == 1).await;
    // Later ticks of the day and of the next days send it no more.
    tokio::time::sleep(Duration::from_millis(500)).await;
    clock.set(jst("2026-12-02T10:00:00+09:00"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(stage_messages(&parent), 1);
    assert_eq!(stage_messages(&neighbour), 0);
    let message = fake
        .sent_messages_to(&parent)
        .into_iter()
        .find(|m| m["text"].as_str().unwrap_or_default().contains("予防接種"))
        .unwrap();
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .ends_with("\nhttps://www1.city.obama.fukui.jp/"),
        "{message}"
    );

    // The delivery log shows it as sent to one.
    let delivery = Deliveries::new(running.platform.table.clone())
        .get("childcare-20261201-vaccine-2m")
        .await
        .unwrap()
        .expect("the day's delivery is in the log");
    assert_eq!(delivery.totals().succeeded, 1, "{:?}", delivery.totals());
    // The usage report counts the message received as 子育て情報, on the day it went out.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let mut received = 0;
    UsageEvents::new(running.platform.table.clone())
        .each_between(day, day, |e| {
            if e.kind == UsageKind::ChildcareMessage {
                received += e.count;
            }
        })
        .await
        .unwrap();
    assert_eq!(received, 1);
}
