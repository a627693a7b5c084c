//! Citizens asking about garbage in their own words, end to end: signed webhooks into the real
//! router, embedded storage, the shipped SAMPLE calendar demonstrated as in the local run,
//! replies checked by the fake LINE server against LINE's spec. The clock stands at Monday
//! 7 December 2026, 07:45 JST; 雲浜 collects 燃やすごみ on Mondays and Thursdays, プラスチック製
//! 容器包装 on Wednesdays, びん・缶・ペットボトル on the second Tuesday.

use crate::support;

use chrono::{DateTime, NaiveDate, Utc};
use tayori_garbage::{DateRange, Districts, SampleCalendar, Suspension};
use tayori_ports::Clock;
use tayori_records::{Friends, GarbageRecords};

use support::{data_of, labels, Harness};

const USER: &str = "U5bf5a91730e3b2c3d4e5f60718293a4c";

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A citizen of 雲浜 on Monday morning.
async fn citizen_of_unbama() -> Harness {
    let h = Harness::configured(jst("2026-12-07T07:45:00+09:00"), |state| {
        state.with_sample_calendar(SampleCalendar::Demonstrate)
    })
    .await;
    let at = h.clock.now();
    Friends::new(&h.platform)
        .update(USER, at, |f| {
            f.followed(at);
            f.attributes.insert("district".into(), vec!["雲浜".into()]);
        })
        .await
        .unwrap();
    h
}

/// LINE's quick reply limits: at most 13 buttons, labels of at most 20 characters.
fn within_line_limits(buttons: &[(String, String)]) -> bool {
    buttons.len() <= 13 && buttons.iter().all(|(l, _)| l.chars().count() <= 20)
}

const DEFAULT_REPLY: &str = "個別のお問い合わせにはお答えしておりません";

#[tokio::test]
async fn collection_days_asked_in_everyday_words_are_answered_for_the_citizens_district() {
    let h = citizen_of_unbama().await;
    let (tomorrow, _) = h.ask(USER, "あしたのゴミ何？").await;
    assert!(
        tomorrow.contains("明日 12月8日（火）　雲浜地区のごみ"),
        "{tomorrow}"
    );
    let (burnable, _) = h.ask(USER, "燃えるゴミいつ？").await;
    assert!(
        burnable.contains("雲浜地区の次の燃やすごみは、今日 12月7日（月）です。"),
        "{burnable}"
    );
    let (plastic, _) = h.ask(USER, "ﾌﾟﾗｽﾁｯｸはいつ").await;
    assert!(
        plastic.contains("雲浜地区の次のプラスチック製容器包装は、12月9日（水）です。"),
        "{plastic}"
    );
    let (day_after, _) = h.ask(USER, "明後日は何ごみ").await;
    assert!(day_after.contains("12月9日（水）"), "{day_after}");
    assert!(
        day_after.contains("・プラスチック製容器包装"),
        "{day_after}"
    );
    let (cans_and_bottles, _) = h.ask(USER, "缶・びんの日はいつ？").await;
    for kind in ["びん", "缶"] {
        assert!(
            cans_and_bottles.contains(&format!("次の{kind}は、12月8日（火）です。")),
            "{cans_and_bottles}"
        );
    }
}

#[tokio::test]
async fn asking_whether_a_kind_is_collected_on_a_day_answers_yes_or_no() {
    let h = citizen_of_unbama().await;
    let (no, _) = h.ask(USER, "明日は燃えるごみの日ですか？").await;
    assert!(
        no.starts_with("明日 12月8日（火）は燃やすごみの収集日ではありません。次の燃やすごみは12月10日（木）です。"),
        "{no}"
    );
    let (yes, _) = h.ask(USER, "あさってプラの日？").await;
    assert!(
        yes.starts_with("あさって 12月9日（水）はプラスチック製容器包装の収集日です。"),
        "{yes}"
    );
}

#[tokio::test]
async fn a_bare_item_name_is_looked_up_even_right_after_sorting_was_offered() {
    let h = citizen_of_unbama().await;
    let (how, _) = h.tap(USER, "garbage:sort").await;
    assert!(how.contains("送ってください"), "{how}");
    let (pan, _) = h.ask(USER, "フライパン").await;
    assert!(
        pan.starts_with("「フライパン」は【燃やさないごみ】です。"),
        "{pan}"
    );
    let (battery, buttons) = h.ask(USER, "電池").await;
    assert!(battery.contains("近いもの"), "{battery}");
    assert!(
        labels(&buttons).contains(&"乾電池") && labels(&buttons).contains(&"ボタン電池"),
        "{buttons:?}"
    );
    let (lighter, _) = h.ask(USER, "ﾗｲﾀｰは何ゴミですか？").await;
    assert!(
        lighter.starts_with("「ライター」は【有害ごみ】です。"),
        "{lighter}"
    );
}

#[tokio::test]
async fn a_message_the_chat_is_unsure_of_offers_the_nearest_questions_as_buttons() {
    let h = citizen_of_unbama().await;
    let (reply, buttons) = h.ask(USER, "ごみ").await;
    assert!(!reply.contains(DEFAULT_REPLY), "not a dead end: {reply}");
    assert!(reply.contains("選んでください"), "{reply}");
    assert!(within_line_limits(&buttons), "{buttons:?}");
    assert!(labels(&buttons).contains(&"次の収集日"), "{buttons:?}");
    let (asked, kinds) = h.tap(USER, data_of(&buttons, "次の収集日")).await;
    assert_eq!(asked, "どのごみの収集日を調べますか？");
    assert!(!kinds.is_empty());

    // A kind named in a way the chat is not sure of still offers that kind's day.
    let (unsure, buttons) = h.ask(USER, "燃えるごみの申し込み方法").await;
    assert!(!unsure.contains(DEFAULT_REPLY), "{unsure}");
    let (day, _) = h.tap(USER, data_of(&buttons, "燃やすごみの収集日")).await;
    assert!(day.contains("次の燃やすごみは"), "{day}");
}

#[tokio::test]
async fn an_unrelated_message_gets_the_default_reply_with_useful_buttons() {
    let h = citizen_of_unbama().await;
    for text in ["こんにちは", "明日の天気は？", "避難所はどこですか"] {
        let (reply, buttons) = h.ask(USER, text).await;
        assert!(reply.contains(DEFAULT_REPLY), "{text} → {reply}");
        assert!(within_line_limits(&buttons), "{buttons:?}");
        for useful in ["今日のごみ", "分別を調べる", "登録内容"] {
            assert!(labels(&buttons).contains(&useful), "{text} → {buttons:?}");
        }
    }
    let (registration, _) = h.tap(USER, "reg:show").await;
    assert!(registration.contains("雲浜"), "{registration}");
}

#[tokio::test]
async fn the_commands_of_the_menu_and_registration_keep_working() {
    let h = citizen_of_unbama().await;
    let (today, _) = h.ask(USER, "今日のごみ").await;
    assert!(
        today.contains("今日 12月7日（月）　雲浜地区のごみ"),
        "{today}"
    );
    let (notice, buttons) = h.ask(USER, "ごみ通知").await;
    assert!(notice.contains("現在の設定"), "{notice}");
    assert_eq!(labels(&buttons), ["当日朝", "前日夜", "受け取らない"]);
    let (shown, _) = h.ask(USER, "登録内容").await;
    assert!(shown.contains("雲浜"), "{shown}");
}

#[tokio::test]
async fn the_next_collection_moved_by_a_suspension_says_why() {
    let h = citizen_of_unbama().await;
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    GarbageRecords::new(h.platform.table.clone())
        .update_calendar("clerk", h.clock.now(), "収集中止を設定", |c| {
            c.suspensions.push(Suspension {
                districts: Districts::Only(vec!["雲浜".into()]),
                kinds: None,
                range: DateRange {
                    from: day(12, 10),
                    to: day(12, 10),
                },
                reason: "大雪".into(),
                substitute: Some(day(12, 12)),
                message: "大雪のため、本日の収集は中止します。".into(),
            });
            Ok::<_, ()>(())
        })
        .await
        .unwrap()
        .unwrap();
    // Tuesday: the next burnable day would be Thursday 10 December.
    h.clock.set(jst("2026-12-08T08:00:00+09:00"));
    let (reply, _) = h.ask(USER, "次の燃やすごみはいつ？").await;
    let lines: Vec<&str> = reply.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "雲浜地区の次の燃やすごみは、12月12日（土）です。",
            "12月10日（木）は大雪のため休み、代わりに12月12日（土）に収集します。"
        ],
        "{reply}"
    );
}
