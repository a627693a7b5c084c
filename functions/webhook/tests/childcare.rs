//! 子育て情報 from the chat: once staff scheduled a stage, 「子育て」 shows the citizen's children
//! with LINE's date picker to register one by birth month or due date, removal and opt-out;
//! before that the keyword is not taken and a stale button says the service is not running.

use crate::support;

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use serde_json::json;
use support::{answer, labels, Answer, Harness};
use tayori_childcare::ChildcareDesk;
use tayori_domain::childcare::{Stage, StageSchedule, StageTiming};
use tayori_records::children::ChildcareSettings;
use tayori_records::ChildcareRecords;
use tayori_webhook::childcare::MENU;

const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";

fn jst(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    tayori_domain::time::jst()
        .with_ymd_and_hms(y, m, d, 12, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn schedule_two_months(h: &Harness) {
    let stage = Stage::new(
        "vaccine-2m",
        "生後2か月 予防接種",
        StageTiming::Age {
            years: 0,
            months: 2,
        },
        "予防接種が始まります。",
        None,
    )
    .unwrap();
    ChildcareRecords::new(&h.platform)
        .save_settings(&ChildcareSettings {
            schedule: StageSchedule::new(vec![stage]).unwrap(),
            send_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        })
        .await
        .unwrap();
}

/// The citizen picks `date` in the date picker of the button carrying `data`.
async fn pick(h: &Harness, data: &str, date: &str) -> Answer {
    let messages = h
        .send(
            CITIZEN,
            "postback",
            json!({"postback": {"data": data, "params": {"date": date}}}),
        )
        .await;
    answer(&messages)
}

#[tokio::test]
async fn nothing_is_offered_before_staff_schedule_a_stage() {
    let h = Harness::at(jst(2026, 12, 3)).await;
    let (reply, _) = h.ask(CITIZEN, "子育て").await;
    assert!(!reply.contains("子育て情報の配信"), "{reply}");
    let (reply, _) = h.tap(CITIZEN, MENU).await;
    assert_eq!(reply, "現在、子育て情報の配信は行っていません。");
    let (_, fallback) = h.ask(CITIZEN, "こんにちは").await;
    assert!(!labels(&fallback).contains(&"子育て情報"), "{fallback:?}");
}

#[tokio::test]
async fn a_parent_registers_two_children_removes_one_and_stops_the_messages() {
    let h = Harness::at(jst(2026, 12, 3)).await;
    schedule_two_months(&h).await;
    let desk = ChildcareDesk::new(&h.platform);

    let (intro, buttons) = h.ask(CITIZEN, "子育て").await;
    assert!(intro.contains("お子さんの月齢・年齢に合わせて"), "{intro}");
    assert!(
        intro.contains("登録しているお子さんはいません。"),
        "{intro}"
    );
    assert_eq!(
        labels(&buttons),
        ["生まれた年月で登録", "出産予定日で登録", "配信を止める"]
    );
    let (born, due) = (buttons[0].1.clone(), buttons[1].1.clone());

    // Any day of the month stands for the month: only 2026年10月 is kept.
    let (said, buttons) = pick(&h, &born, "2026-10-15").await;
    assert!(
        said.starts_with("「2026年10月生まれ」のお子さんを登録しました。"),
        "{said}"
    );
    assert!(
        said.contains("登録中のお子さん：\n・2026年10月生まれ"),
        "{said}"
    );
    assert!(labels(&buttons).contains(&"登録を削除"));
    let (said, _) = pick(&h, &due, "2027-03-10").await;
    assert!(said.contains("・出産予定日 2027年3月10日"), "{said}");
    assert_eq!(
        desk.subscription(CITIZEN).await.unwrap().children().len(),
        2
    );

    // What the registry refuses is said, and nothing is added.
    let (said, _) = pick(&h, &born, "2027-01-05").await;
    assert_eq!(said, "生まれた年月が未来になっています。");
    let (said, _) = pick(&h, &due, "2026-11-30").await;
    assert!(said.starts_with("出産予定日が過ぎています。"), "{said}");
    let (said, _) = h.tap(CITIZEN, &born).await;
    assert_eq!(
        said,
        "日付を選べませんでした。もう一度ボタンから選んでください。"
    );
    assert_eq!(
        desk.subscription(CITIZEN).await.unwrap().children().len(),
        2
    );

    let (ask, children) = h.tap(CITIZEN, "child:remove").await;
    assert_eq!(ask, "登録を削除するお子さんを選んでください。");
    assert_eq!(
        labels(&children),
        ["2026年10月生まれ", "出産予定日 2027年3月10日"]
    );
    let (said, _) = h.tap(CITIZEN, &children[1].1).await;
    assert!(
        said.starts_with("「出産予定日 2027年3月10日」のお子さんの登録を削除しました。"),
        "{said}"
    );
    let left = desk.subscription(CITIZEN).await.unwrap();
    assert_eq!(left.children().len(), 1);
    assert_eq!(left.children()[0].birth().label(), "2026年10月生まれ");

    let (said, buttons) = h.tap(CITIZEN, "child:stop").await;
    assert!(said.starts_with("子育て情報の配信を止めました。"), "{said}");
    assert!(said.contains("（現在、配信を止めています）"), "{said}");
    assert!(labels(&buttons).contains(&"配信を再開"));
    assert!(desk.subscription(CITIZEN).await.unwrap().is_opted_out());
    let (said, _) = h.tap(CITIZEN, "child:resume").await;
    assert!(
        said.starts_with("子育て情報の配信を再開しました。"),
        "{said}"
    );
    assert!(!desk.subscription(CITIZEN).await.unwrap().is_opted_out());

    // Offered among the fallback's buttons now that it runs.
    let (_, fallback) = h.ask(CITIZEN, "こんにちは").await;
    assert!(labels(&fallback).contains(&"子育て情報"), "{fallback:?}");
}

#[tokio::test]
async fn the_date_pickers_allow_only_what_the_registry_accepts() {
    let h = Harness::at(jst(2026, 12, 3)).await;
    schedule_two_months(&h).await;
    let messages = h.text(CITIZEN, "子育て情報").await;
    let items = messages.last().unwrap()["quickReply"]["items"]
        .as_array()
        .unwrap()
        .clone();
    let born = &items[0]["action"];
    assert_eq!(born["type"], "datetimepicker");
    assert_eq!(born["mode"], "date");
    assert_eq!(born["max"], "2026-12-03");
    assert_eq!(born["min"], "2008-12-01");
    let due = &items[1]["action"];
    assert_eq!(due["min"], "2026-12-03");
    assert_eq!(due["max"], "2027-09-29");
}
