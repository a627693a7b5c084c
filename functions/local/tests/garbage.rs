//! The garbage notices and chat lookups in the local run, on a clock set to 06:29 JST of Monday
//! 7 December 2026, a collection morning of the SAMPLE calendar for 雲浜 (燃やすごみ) and not for
//! 宮川. Simulator citizens choose their district and notice timing through the chat, as a
//! citizen would; ticks carry the clock's time.

use crate::support;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tayori_garbage::{DateRange, Districts, Suspension};
use tayori_local::Running;
use tayori_ports::{Clock, ManualClock};
use tayori_records::GarbageRecords;

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct Sim {
    running: Running,
    http: reqwest::Client,
}

impl Sim {
    async fn citizen(&self, name: &str) -> String {
        let citizen: Value = self
            .http
            .post(format!("{}/simulator/api/citizens", self.running.base_url))
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        citizen["userId"].as_str().unwrap().to_string()
    }

    /// Sends an action as the citizen and answers the bot's reply messages.
    async fn act(&self, user: &str, action: Value) -> Vec<Value> {
        let mut body = action;
        body["userId"] = json!(user);
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
        assert_eq!(sent["webhookStatus"], 200, "{sent}");
        let token = sent["replyToken"].as_str().unwrap().to_string();
        let fake = self.running.fake_line.clone();
        support::wait_for("the reply", || !fake.replies_for(&token).is_empty()).await;
        fake.replies_for(&token)
    }

    async fn say(&self, user: &str, text: &str) -> (String, Vec<(String, String)>) {
        let messages = self.act(user, json!({"kind": "text", "text": text})).await;
        reply_of(&messages)
    }

    async fn tap(&self, user: &str, data: &str) -> (String, Vec<(String, String)>) {
        let messages = self
            .act(user, json!({"kind": "postback", "data": data}))
            .await;
        reply_of(&messages)
    }

    /// Through the chat: asks today's garbage, picks the district, then the notice timing.
    async fn opt_in(&self, user: &str, district: &str, timing: Option<&str>) {
        let (_, districts) = self.say(user, "今日のごみ").await;
        let (answer, _) = self.tap(user, data_of(&districts, district)).await;
        assert!(answer.contains(&format!("{district}地区")), "{answer}");
        if let Some(timing) = timing {
            let (_, choices) = self.say(user, "ごみ通知").await;
            let (set, _) = self.tap(user, data_of(&choices, timing)).await;
            assert!(set.starts_with("設定しました"), "{set}");
        }
    }

    fn notices_to(&self, user: &str) -> Vec<String> {
        self.running
            .fake_line
            .sent_messages_to(user)
            .iter()
            .map(|m| m["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

fn reply_of(messages: &[Value]) -> (String, Vec<(String, String)>) {
    let last = messages.last().unwrap();
    let buttons = last["quickReply"]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["action"]["label"].as_str().unwrap().to_string(),
                        i["action"]["data"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (last["text"].as_str().unwrap().to_string(), buttons)
}

fn data_of<'a>(buttons: &'a [(String, String)], label: &str) -> &'a str {
    &buttons
        .iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no button {label} in {buttons:?}"))
        .1
}

#[tokio::test]
async fn opted_in_citizens_of_the_collected_district_get_one_notice_and_then_the_suspension() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(jst("2026-12-07T06:29:00+09:00")));
    let running = support::run_at(dir.path(), Duration::from_millis(100), clock.clone()).await;
    let sim = Sim {
        running,
        http: reqwest::Client::new(),
    };
    let akari = sim.citizen("雲浜 あかり").await;
    let bunta = sim.citizen("雲浜 ぶんた").await;
    let chie = sim.citizen("雲浜 ちえ（前日夜）").await;
    let daiki = sim.citizen("宮川 だいき").await;
    let emi = sim.citizen("雲浜 えみ（通知なし）").await;
    sim.opt_in(&akari, "雲浜", Some("当日朝")).await;
    sim.opt_in(&bunta, "雲浜", Some("当日朝")).await;
    sim.opt_in(&chie, "雲浜", Some("前日夜")).await;
    sim.opt_in(&daiki, "宮川", Some("当日朝")).await;
    sim.opt_in(&emi, "雲浜", None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sim.notices_to(&akari).is_empty(), "nothing before 06:30");

    clock.set(jst("2026-12-07T06:30:00+09:00"));
    support::wait_for("the morning notices", || {
        sim.notices_to(&akari).len() == 1 && sim.notices_to(&bunta).len() == 1
    })
    .await;
    // Several more ticks at 06:30 and one at 06:31 change nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    clock.set(jst("2026-12-07T06:31:00+09:00"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    for user in [&akari, &bunta] {
        let notices = sim.notices_to(user);
        assert_eq!(notices.len(), 1, "exactly one: {notices:?}");
        assert!(
            notices[0].contains("今日 12月7日（月）　雲浜地区"),
            "{}",
            notices[0]
        );
        assert!(
            notices[0].contains("燃やすごみの日です。"),
            "{}",
            notices[0]
        );
    }
    for user in [&chie, &daiki, &emi] {
        assert!(
            sim.notices_to(user).is_empty(),
            "{:?}",
            sim.notices_to(user)
        );
    }

    // Heavy snow is forecast for Thursday 10 December, 雲浜's next collection morning.
    let thursday = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    GarbageRecords::new(sim.running.platform.table.clone())
        .update_calendar("clerk", clock.now(), "収集中止を設定", |c| {
            c.suspensions.push(Suspension {
                districts: Districts::Only(vec!["雲浜".into()]),
                kinds: None,
                range: DateRange {
                    from: thursday,
                    to: thursday,
                },
                reason: "大雪".into(),
                substitute: Some(NaiveDate::from_ymd_opt(2026, 12, 12).unwrap()),
                message: "大雪のため、本日の収集は中止します。".into(),
            });
            Ok::<_, ()>(())
        })
        .await
        .unwrap()
        .unwrap();
    clock.set(jst("2026-12-10T06:30:00+09:00"));
    support::wait_for("the suspension notices", || {
        sim.notices_to(&akari).len() == 2 && sim.notices_to(&bunta).len() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for user in [&akari, &bunta] {
        let notices = sim.notices_to(user);
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(
            notices[1].contains(
                "燃やすごみ：大雪のため、本日の収集は中止します。（振替収集日：12月12日（土））"
            ),
            "{}",
            notices[1]
        );
        assert!(!notices[1].contains("燃やすごみの日です"), "{}", notices[1]);
    }
    // 宮川 is not suspended: on its second Thursday it hears of びん・缶・ペットボトル as usual.
    let daiki = sim.notices_to(&daiki);
    assert_eq!(daiki.len(), 1, "{daiki:?}");
    assert!(
        daiki[0].contains("今日 12月10日（木）　宮川地区"),
        "{}",
        daiki[0]
    );
    assert!(daiki[0].contains("びんの日です。"), "{}", daiki[0]);
    assert!(!daiki[0].contains("大雪"), "{}", daiki[0]);
    assert!(sim.notices_to(&emi).is_empty());
    sim.running.stop().await;
}

#[tokio::test]
async fn chat_lookups_answer_in_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(jst("2026-12-07T06:29:00+09:00")));
    let running = support::run_at(dir.path(), Duration::from_secs(60), clock).await;
    let sim = Sim {
        running,
        http: reqwest::Client::new(),
    };
    let user = sim.citizen("若狭 花子").await;
    sim.opt_in(&user, "雲浜", None).await;

    let (today, follow_ups) = sim.say(&user, "今日のごみ").await;
    assert!(
        today.contains("今日 12月7日（月）　雲浜地区のごみ"),
        "{today}"
    );
    assert!(today.contains("・燃やすごみ"), "{today}");
    assert!(follow_ups.iter().any(|(l, _)| l == "明日のごみ"));

    let (next, _) = sim.say(&user, "次の燃やさないごみはいつ？").await;
    assert!(
        next.contains("燃やさないごみは、1月5日（火）です。"),
        "{next}"
    );

    let (item, _) = sim.say(&user, "すぷれーかんの捨て方").await;
    assert!(
        item.starts_with("「スプレー缶」は【燃やさないごみ】です。"),
        "{item}"
    );

    // In everyday words, and a bare item name.
    let (burnable, _) = sim.say(&user, "燃えるゴミいつ？").await;
    assert!(
        burnable.contains("次の燃やすごみは、今日 12月7日（月）です。"),
        "{burnable}"
    );
    let (pan, _) = sim.say(&user, "ﾌﾗｲﾊﾟﾝ").await;
    assert!(
        pan.starts_with("「フライパン」は【燃やさないごみ】です。"),
        "{pan}"
    );
    let (near, buttons) = sim.say(&user, "ごみ").await;
    assert!(near.contains("選んでください"), "{near}");
    assert!(
        buttons.iter().any(|(l, _)| l == "次の収集日"),
        "{buttons:?}"
    );
    sim.running.stop().await;
}
