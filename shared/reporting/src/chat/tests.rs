use super::*;
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeSet;
use tayori_domain::facility::Position;
use tayori_domain::report::{Channel, Filing, PhotoRef, Question, ReportForm, Reporter};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_line::validate;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 15, 30, 0).unwrap()
}

fn road() -> Category {
    Category::defaults().remove(0)
}

fn photo(n: u32) -> PhotoRef {
    PhotoRef {
        key: format!("reports/photos/p{n}.jpg"),
        thumbnail_key: format!("media/reports/p{n}.jpg"),
        width: 800,
        height: 600,
    }
}

fn city_hall() -> Position {
    Position::new(35.4953, 135.7466).unwrap()
}

fn valid(messages: &[Message]) {
    validate::messages(messages).unwrap_or_else(|e| panic!("{e}: {messages:#?}"));
}

fn labels(message: &Message) -> Vec<String> {
    message
        .quick_reply()
        .map(|q| {
            q.items
                .iter()
                .map(|i| i.action.label().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn text_of(message: &Message) -> &str {
    match message {
        Message::Text(t) => &t.text,
        other => panic!("not a text: {other:?}"),
    }
}

/// A category with an optional question and a contact, to reach every step.
fn dumping_with_question() -> Category {
    let mut c = Category::defaults()
        .into_iter()
        .find(|c| !c.anonymous_allowed())
        .unwrap();
    let mut settings = c.settings();
    settings.questions = vec![Question {
        label: "量はどのくらいですか".into(),
        required: false,
    }];
    c.edit(settings).unwrap();
    c
}

#[test]
fn postbacks_round_trip_and_others_are_not_ours() {
    let all = [
        ReportPostback::Start,
        ReportPostback::History,
        ReportPostback::Category(CategoryId::parse("wildlife").unwrap()),
        ReportPostback::Next,
        ReportPostback::Back,
        ReportPostback::Cancel,
        ReportPostback::Send,
        ReportPostback::Skip,
    ];
    for p in all {
        assert_eq!(ReportPostback::parse(&p.data()), Some(p.clone()), "{p:?}");
    }
    assert_eq!(ReportPostback::parse("reports:category=Not A Slug!"), None);
    assert_eq!(ReportPostback::parse("shelters:ask"), None);
    assert_eq!(ReportPostback::parse("reports:unknown"), None);
}

#[test]
fn the_category_list_has_a_button_each_with_urgent_ones_marked() {
    let categories = Category::defaults();
    let message = choose_category(&categories);
    valid(std::slice::from_ref(&message));
    let labels = labels(&message);
    assert_eq!(labels.len(), categories.len() + 1);
    assert!(labels.contains(&"道路・公共物の損傷".to_string()));
    assert!(labels.contains(&"⚠クマ・イノシシ・シカの出没".to_string()));
    assert_eq!(labels.last().unwrap(), "やめる");
    assert!(text_of(&message).contains("急ぎ"));
    let none = choose_category(&[]);
    valid(&[none]);
}

#[test]
fn every_step_asks_with_back_and_cancel_and_each_message_is_valid() {
    let t = now();
    let mut d = ReportDraft::start("U1", dumping_with_question(), t).unwrap();
    let mut seen = BTreeSet::new();
    let mut walk = |d: &ReportDraft| {
        let m = prompt(d);
        valid(std::slice::from_ref(&m));
        let l = labels(&m);
        assert!(l.contains(&"戻る".to_string()), "{:?}: {l:?}", d.step());
        assert!(l.contains(&"やめる".to_string()), "{:?}: {l:?}", d.step());
        seen.insert(format!("{:?}", d.step()));
        l
    };
    let l = walk(&d);
    assert_eq!(l[0], "位置情報を送る");
    d.locate(city_hall(), Some("福井県小浜市大手町6-3".into()), true, t)
        .unwrap();
    let l = walk(&d);
    assert_eq!(l[..2], ["カメラで撮る", "写真を選ぶ"]);
    assert!(
        l.contains(&"次へ".to_string()),
        "photos optional: 次へ at once"
    );
    d.photo_stored(photo(1), t).unwrap();
    d.photos_done(t).unwrap();
    walk(&d);
    d.details("空き地にテレビが捨てられています", t).unwrap();
    assert!(walk(&d).contains(&"スキップ".to_string()));
    d.skip_question(t).unwrap();
    walk(&d);
    d.contact_name("小浜 太郎", t).unwrap();
    walk(&d);
    d.contact_phone("0770-53-1111", t).unwrap();
    let l = walk(&d);
    assert_eq!(l[0], "送信する");
    assert_eq!(seen.len(), 7, "{seen:?}");

    let summary = prompt(&d);
    let text = text_of(&summary);
    for given in [
        "不法投棄",
        "福井県小浜市大手町6-3",
        "写真：1枚",
        "テレビ",
        "量はどのくらいですか：（回答なし）",
        "小浜 太郎",
        "0770-53-1111",
    ] {
        assert!(text.contains(given), "{given} in {text}");
    }
}

#[test]
fn next_is_offered_only_once_a_required_photo_is_given_and_the_camera_only_below_four() {
    let t = now();
    let mut d = ReportDraft::start("U1", road(), t).unwrap();
    d.locate(city_hall(), None, true, t).unwrap();
    assert!(!labels(&prompt(&d)).contains(&"次へ".to_string()));
    for n in 1..=4 {
        d.photo_stored(photo(n), t).unwrap();
    }
    let l = labels(&prompt(&d));
    assert!(l.contains(&"次へ".to_string()));
    assert!(!l.contains(&"カメラで撮る".to_string()));
    let received = photo_received(&d);
    valid(&received);
    assert_eq!(text_of(&received[0]), "写真を受け取りました（4/4枚）");
}

fn filed(with_photo: bool) -> Report {
    let mut photos = Vec::new();
    if with_photo {
        photos.push(photo(1));
    }
    let mut category = road();
    if !with_photo {
        let mut s = category.settings();
        s.photo_required = false;
        category.edit(s).unwrap();
    }
    Report::file(
        &category,
        ReportForm {
            position: city_hall(),
            place_note: None,
            photos,
            details: "穴があります".into(),
            answers: Vec::new(),
            reporter: Reporter {
                user_id: "U1".into(),
                contact: None,
            },
            channel: Channel::Chat,
        },
        Filing {
            id: "r1".into(),
            receipt: "2612-0007".into(),
            district: None,
        },
        now(),
    )
    .unwrap()
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
        now(),
    )
}

#[test]
fn the_receipt_names_the_number_the_category_and_where_to_see_it() {
    let message = receipt(&filed(true));
    valid(std::slice::from_ref(&message));
    let text = text_of(&message);
    for part in [
        "2612-0007",
        "道路・公共物の損傷",
        "土木課",
        "通報履歴",
        "お知らせ",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
}

#[test]
fn the_notice_carries_the_thumbnail_the_number_the_status_and_the_comment() {
    let mut report = filed(true);
    let index = report
        .change_status(
            ReportStatus::InProgress,
            Some("業者に修理を依頼しました"),
            &clerk(),
            now(),
        )
        .unwrap();
    let message = status_notice(&report, index, "https://line.example.jp/").unwrap();
    valid(std::slice::from_ref(&message));
    let Message::Flex(flex) = &message else {
        panic!("not a flex")
    };
    assert_eq!(
        flex.contents["hero"]["url"],
        "https://line.example.jp/media/reports/p1.jpg"
    );
    let body = flex.contents["body"].to_string();
    for part in [
        "2612-0007",
        "道路・公共物の損傷",
        "対応中",
        "業者に修理を依頼しました",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
    assert!(flex.alt_text.contains("対応中"));

    // No https media address (a local run over http): no hero rather than a refused push.
    let plain = status_notice(&report, index, "http://127.0.0.1:8080").unwrap();
    let Message::Flex(plain) = plain else {
        panic!()
    };
    assert!(plain.contents.get("hero").is_none());
    // A change not to tell, or none at all: no notice.
    assert!(status_notice(&report, 9, "https://x.example").is_none());
}

#[test]
fn the_history_is_a_carousel_of_the_latest_reports_or_a_friendly_text() {
    let reports = vec![filed(true), filed(false)];
    let message = history(&reports, "https://line.example.jp");
    valid(std::slice::from_ref(&message));
    let Message::Flex(flex) = &message else {
        panic!("not a flex")
    };
    let bubbles = flex.contents["contents"].as_array().unwrap();
    assert_eq!(bubbles.len(), 2);
    assert!(bubbles[0]["hero"].is_object());
    assert!(bubbles[1].get("hero").is_none());
    let first = bubbles[0].to_string();
    for part in ["2612-0007", "道路・公共物の損傷", "受付", "2026年12月2日"] {
        assert!(first.contains(part), "{part} in {first}");
    }
    let empty = history(&[], "https://line.example.jp");
    valid(std::slice::from_ref(&empty));
    assert!(text_of(&empty).contains("通報はありません"));
    assert_eq!(labels(&empty), ["通報する"]);
}

#[test]
fn refusals_say_why_then_ask_again() {
    let t = now();
    let mut d = ReportDraft::start("U1", road(), t).unwrap();
    let outside = d.locate(city_hall(), None, false, t).unwrap_err();
    let messages = refusal(&outside.to_string(), &d);
    valid(&messages);
    assert!(text_of(&messages[0]).contains("市外"));
    assert_eq!(labels(&messages[1])[0], "位置情報を送る");
    // A refusal that is the step's own question is said once.
    let expected = d.text("こんにちは", t).unwrap_err();
    assert_eq!(refusal(&expected.to_string(), &d).len(), 1);

    let sticker = not_for_this_step(&d);
    valid(&sticker);
    assert!(text_of(&sticker[0]).contains("位置情報"));
    assert!(text_of(&sticker[0]).contains("残っています"));
    valid(&photo_not_now(&d));
    valid(&photo_not_received(&d));
    let bomb = photo_refused(&ImageProblem::TooManyPixels(30000, 30000), &d);
    valid(&bomb);
    assert!(text_of(&bomb[0]).contains("画素数"));
    valid(&[expired("期限切れ")]);
}
