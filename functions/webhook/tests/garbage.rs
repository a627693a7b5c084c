//! Garbage questions in the chat, end to end: signed webhooks into the real router, embedded
//! storage on a clock set to Monday 7 December 2026 (JST), replies checked by the fake LINE
//! server against LINE's spec. The calendar is the shipped SAMPLE: 雲浜 collects 燃やすごみ on
//! Mondays and Thursdays, 燃やさないごみ on the first Tuesday, びん・缶・ペットボトル on the second.
//! Most tests demonstrate the sample as the local run does; a deployment (the webhook's default)
//! withholds it until the city's calendar is imported.

use crate::support;

use chrono::{DateTime, Utc};
use tayori_garbage::SampleCalendar;
use tayori_ports::Clock;
use tayori_records::{Change, Friends, GarbageRecords};

use support::{data_of, labels, Harness};

const USER: &str = "U4af4980629d2a1b2c3d4e5f60718293b";

fn monday_morning() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T07:45:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

/// The sample demonstrated, as in the local run.
async fn harness() -> Harness {
    Harness::configured(monday_morning(), |state| {
        state.with_sample_calendar(SampleCalendar::Demonstrate)
    })
    .await
}

/// The webhook as its Lambda builds it, with nothing configured about the sample.
async fn deployed() -> Harness {
    Harness::at(monday_morning()).await
}

// Helpers only these tests need, on the shared harness.
impl Harness {
    /// The citizen follows with `district` registered, as if they had answered the questionnaire.
    async fn register_district(&self, district: &str) {
        let at = self.clock.now();
        Friends::new(&self.platform)
            .update(USER, at, |f| {
                f.followed(at);
                f.attributes
                    .insert("district".into(), vec![district.to_string()]);
            })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn todays_garbage_is_answered_for_the_registered_district_with_follow_ups() {
    let h = harness().await;
    h.register_district("雲浜").await;
    let (reply, buttons) = h.ask(USER, "今日のごみ").await;
    assert!(
        reply.contains("今日 12月7日（月）　雲浜地区のごみ"),
        "{reply}"
    );
    assert!(reply.contains("・燃やすごみ"), "{reply}");
    assert!(reply.contains("サンプル"), "the sample says so: {reply}");
    assert_eq!(
        labels(&buttons),
        [
            "今日のごみ",
            "明日のごみ",
            "次の収集日",
            "分別を調べる",
            "通知の設定"
        ]
    );

    let (tomorrow, _) = h.tap(USER, data_of(&buttons, "明日のごみ")).await;
    assert!(tomorrow.contains("明日 12月8日（火）"), "{tomorrow}");
    for kind in ["びん", "缶", "ペットボトル"] {
        assert!(tomorrow.contains(&format!("・{kind}")), "{tomorrow}");
    }
    assert!(!tomorrow.contains("燃やすごみ"), "{tomorrow}");
}

#[tokio::test]
async fn a_day_without_collection_says_so() {
    let h = harness().await;
    h.register_district("宮川").await;
    let (reply, _) = h.ask(USER, "今日のごみは？").await;
    assert!(reply.contains("宮川地区"), "{reply}");
    assert!(reply.contains("収集はありません"), "{reply}");
}

#[tokio::test]
async fn the_next_day_of_a_named_kind_skips_the_year_end_pause() {
    let h = harness().await;
    h.register_district("雲浜").await;
    let (reply, _) = h.ask(USER, "次の燃やさないごみはいつ？").await;
    // 1 December has passed; the first Tuesday of January 2027 is the 5th.
    assert_eq!(
        reply.lines().next().unwrap(),
        "雲浜地区の次の燃やさないごみは、1月5日（火）です。"
    );
    let (today, _) = h.ask(USER, "次の燃えるゴミはいつ").await;
    assert!(
        today.contains("次の燃やすごみは、今日 12月7日（月）"),
        "{today}"
    );
}

#[tokio::test]
async fn an_unclear_kind_is_asked_with_a_button_per_kind() {
    let h = harness().await;
    h.register_district("雲浜").await;
    let (question, buttons) = h.ask(USER, "次の収集日").await;
    assert_eq!(question, "どのごみの収集日を調べますか？");
    assert_eq!(buttons.len(), 10, "{buttons:?}");
    let (reply, _) = h
        .tap(USER, data_of(&buttons, "プラスチック製容器包装"))
        .await;
    assert!(
        reply.starts_with("雲浜地区の次のプラスチック製容器包装は、12月9日（水）です。"),
        "{reply}"
    );
}

#[tokio::test]
async fn sorting_lookups_fold_hiragana_to_the_dictionarys_katakana() {
    let h = harness().await;
    let (reply, _) = h.ask(USER, "ぺっとぼとるは何ごみ？").await;
    assert!(
        reply.starts_with("「ペットボトル」は【ペットボトル】です。"),
        "{reply}"
    );
    assert!(reply.contains("キャップとラベルを外し"), "{reply}");
    let (battery, _) = h.ask(USER, "乾電池の捨て方").await;
    assert!(
        battery.starts_with("「乾電池」は【有害ごみ】です。"),
        "{battery}"
    );
}

#[tokio::test]
async fn an_ambiguous_item_offers_the_best_matches_and_an_unknown_one_says_how_to_ask() {
    let h = harness().await;
    let (reply, buttons) = h.ask(USER, "でんちは何ごみ？").await;
    assert!(reply.contains("近いもの"), "{reply}");
    let names = labels(&buttons);
    assert!(
        names.contains(&"乾電池") && names.contains(&"ボタン電池"),
        "{names:?}"
    );
    let (chosen, _) = h.tap(USER, data_of(&buttons, "ボタン電池")).await;
    assert!(
        chosen.starts_with("「ボタン電池」は【有害ごみ】です。"),
        "{chosen}"
    );

    let (unknown, _) = h.ask(USER, "宇宙船は何ごみ？").await;
    assert!(unknown.contains("見つかりませんでした"), "{unknown}");
    assert!(unknown.contains("は何ごみ？"), "says how to ask: {unknown}");
}

#[tokio::test]
async fn a_citizen_without_a_district_is_asked_for_it_and_it_is_saved() {
    let h = harness().await;
    let (question, buttons) = h.ask(USER, "今日のごみ").await;
    assert!(question.contains("お住まいの地区"), "{question}");
    assert_eq!(buttons.len(), 12, "one button per 地区: {buttons:?}");
    let (answer, _) = h.tap(USER, data_of(&buttons, "雲浜")).await;
    assert!(
        answer.contains("今日 12月7日（月）　雲浜地区のごみ"),
        "{answer}"
    );
    assert_eq!(h.attributes(USER).await["district"], ["雲浜"]);
    let (again, _) = h.ask(USER, "明日のごみ").await;
    assert!(again.contains("雲浜地区"), "asked only once: {again}");
}

#[tokio::test]
async fn citizens_choose_their_notice_timing_and_registration_keeps_it_until_deleted() {
    let h = harness().await;
    h.register_district("雲浜").await;
    let (menu, buttons) = h.ask(USER, "ごみ通知").await;
    assert!(menu.contains("6時30分"), "{menu}");
    assert!(menu.contains("現在の設定：受け取らない"), "{menu}");
    assert_eq!(labels(&buttons), ["当日朝", "前日夜", "受け取らない"]);
    let (set, _) = h.tap(USER, data_of(&buttons, "当日朝")).await;
    assert!(set.contains("朝6時30分ごろ"), "{set}");
    assert_eq!(h.attributes(USER).await["garbage_notice"], ["当日朝"]);

    // Registering again through the questionnaire keeps the notice choice.
    h.tap(USER, "reg:start").await;
    h.tap(USER, "reg:age_group:2").await;
    h.tap(USER, "reg:gender:skip").await;
    h.tap(USER, "reg:district:2").await;
    h.tap(USER, "reg:interests:done").await;
    let after = h.attributes(USER).await;
    assert_eq!(after["district"], ["西津"]);
    assert_eq!(after["garbage_notice"], ["当日朝"]);

    let (off, _) = h.tap(USER, "garbage:notice:off").await;
    assert!(off.contains("止めました"), "{off}");
    assert!(!h.attributes(USER).await.contains_key("garbage_notice"));
    h.tap(USER, "garbage:notice:evening").await;
    assert_eq!(h.attributes(USER).await["garbage_notice"], ["前日夜"]);

    h.tap(USER, "reg:delete:yes").await;
    assert!(
        h.attributes(USER).await.is_empty(),
        "deleting the registration removes the notice choice too"
    );
}

#[tokio::test]
async fn ordinary_messages_still_get_the_default_reply() {
    let h = harness().await;
    h.register_district("雲浜").await;
    for text in ["こんにちは", "次のイベントはいつ？", "今日は寒いですね"] {
        let (reply, _) = h.ask(USER, text).await;
        assert!(!reply.contains("雲浜地区"), "{text} → {reply}");
        assert!(!reply.contains("どのごみ"), "{text} → {reply}");
    }
}

#[tokio::test]
async fn in_a_deployment_the_chat_does_not_answer_from_the_sample() {
    let h = deployed().await;
    h.register_district("雲浜").await;
    for question in [
        "今日のごみ",
        "次の燃やさないごみはいつ？",
        "ペットボトルは何ごみ？",
        "ごみ通知",
    ] {
        let (reply, buttons) = h.ask(USER, question).await;
        assert!(reply.contains("準備中"), "{question} → {reply}");
        for invented in ["燃やすごみ", "12月", "【", "6時30分"] {
            assert!(!reply.contains(invented), "{question} → {reply}");
        }
        assert!(buttons.is_empty(), "{question} → {buttons:?}");
    }
    let (tapped, _) = h.tap(USER, "garbage:tomorrow").await;
    assert!(tapped.contains("準備中"), "{tapped}");
    let (hello, _) = h.ask(USER, "こんにちは").await;
    assert!(
        !hello.contains("準備中"),
        "other messages are not garbage: {hello}"
    );
}

#[tokio::test]
async fn in_a_deployment_the_city_s_imported_calendar_is_answered_unmarked() {
    let h = deployed().await;
    h.register_district("雲浜").await;
    let city = tayori_garbage::obama_sample();
    let change = Change {
        by: "clerk".into(),
        at: h.clock.now(),
        what: "5374取込".into(),
    };
    GarbageRecords::new(h.platform.table.clone())
        .replace(city.calendar, &city.dictionary, change)
        .await
        .unwrap();
    let (reply, _) = h.ask(USER, "今日のごみ").await;
    assert!(reply.contains("・燃やすごみ"), "{reply}");
    assert!(!reply.contains("サンプル"), "{reply}");
    let (sorted, _) = h.ask(USER, "ペットボトルは何ごみ？").await;
    assert!(
        sorted.starts_with("「ペットボトル」は【ペットボトル】です。"),
        "{sorted}"
    );
}
