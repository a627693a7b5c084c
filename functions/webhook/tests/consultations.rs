//! 相談 from the chat: 「相談する」 asks the topic and opens a case; while it is open the bot
//! answers nothing on its own and what the citizen sends goes to the case (outside office hours
//! they hear once when a person will answer); 「相談を終える」 closes it and the bot answers as
//! before.

use crate::support;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use std::sync::Arc;
use support::{data_of, labels, Harness};
use tayori_consultations::ConsultationDesk;
use tayori_domain::consultation::{Closing, Message};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::Clock;
use tayori_webhook::consultations::{END_WORD, START, START_WORD};

const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";

fn jst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    tayori_domain::time::jst()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// The desk over the harness's storage, as the console uses it.
fn desk(h: &Harness) -> ConsultationDesk {
    let line = Arc::new(LineClient::new(LineConfig::at("http://127.0.0.1:9", "t")));
    ConsultationDesk::new(&h.platform, line)
}

fn kosodate() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("kosodate").unwrap(),
        StaffProfile {
            display_name: "子育て 花子".into(),
            department: "子ども未来課".into(),
            permissions: [Permission::Consultations].into_iter().collect(),
            scope: DepartmentScope::Only(["子ども未来課".to_string()].into_iter().collect()),
        },
        "hash".into(),
        Utc::now(),
    )
}

/// Whether the bot replied to the last event `user` sent (the harness numbers them).
fn replied_to(h: &Harness, token: &str) -> bool {
    h.replies().iter().any(|r| r.body["replyToken"] == token)
}

/// Opens a childcare case by the keyword and the topic button; answers the confirmation.
async fn open_childcare(h: &Harness) -> String {
    let (question, buttons) = h.ask(CITIZEN, START_WORD).await;
    assert!(
        question.contains("どのことについて相談しますか"),
        "{question}"
    );
    assert_eq!(labels(&buttons), ["子育て", "福祉", "ごみ", "その他"]);
    let (confirmed, _) = h.tap(CITIZEN, data_of(&buttons, "子育て")).await;
    confirmed
}

#[tokio::test]
async fn a_citizen_opens_a_consultation_and_the_bot_stays_silent_until_they_end_it() {
    // Wednesday 10:00 JST: the desk is open.
    let h = Harness::at(jst(2026, 12, 2, 10, 0)).await;
    let confirmed = open_childcare(&h).await;
    assert!(
        confirmed.contains("「子育て」の相談を受け付けました。"),
        "{confirmed}"
    );
    assert!(confirmed.contains("子ども未来課"));
    assert!(!confirmed.contains("受付時間外"), "{confirmed}");

    let event = h.event(
        CITIZEN,
        "message",
        "01CONSULTTEXT1",
        json!({"message": {"type": "text", "id": "m1", "quoteToken": "q", "text": "ごみの日を教えて"}}),
    );
    h.deliver(vec![event]).await;
    assert!(
        !replied_to(&h, "token-01CONSULTTEXT1"),
        "no automatic answer while a person handles the case"
    );
    let image = h.event(
        CITIZEN,
        "message",
        "01CONSULTIMAGE",
        json!({"message": {"type": "image", "id": "m2", "quoteToken": "q2", "contentProvider": {"type": "line"}}}),
    );
    h.deliver(vec![image]).await;
    assert!(!replied_to(&h, "token-01CONSULTIMAGE"));

    let desk = desk(&h);
    let case = desk.open_case_of(CITIZEN).await.unwrap().unwrap();
    let me = kosodate();
    let clerk = tayori_consultations::Clerk {
        account: &me,
        ip: "-",
    };
    let conversation = desk.conversation(clerk, case.id()).await;
    // The embedded store signs no links here; the conversation itself is what matters.
    let messages = match conversation {
        Ok(c) => c.messages,
        Err(e) => panic!("{e}"),
    };
    assert!(
        matches!(&messages[0], Message::CitizenText { text, .. } if text == "ごみの日を教えて")
    );
    assert!(
        matches!(&messages[1], Message::CitizenImage { image, .. } if image.key.ends_with("/m2.png"))
    );

    // Opened once, counted once in the usage report (asking the topic again opens nothing).
    let mut counted = Vec::new();
    let day = tayori_domain::time::to_jst(h.clock.now()).date_naive();
    tayori_records::UsageEvents::new(h.platform.table.clone())
        .each_between(day, day, |e| counted.push(e.kind))
        .await
        .unwrap();
    let consultations = counted
        .iter()
        .filter(|k| **k == tayori_domain::usage::UsageKind::Consultation)
        .count();
    assert_eq!(consultations, 1);

    let (ended, _) = h.ask(CITIZEN, END_WORD).await;
    assert!(ended.contains("相談を終了しました"), "{ended}");
    let closed = desk.conversation(clerk, case.id()).await.unwrap().case;
    assert_eq!(closed.closed().unwrap().closing, Closing::EndedByCitizen);
    // The bot answers again.
    let (answer, _) = h.ask(CITIZEN, "こんにちは").await;
    assert!(!answer.is_empty());
}

#[tokio::test]
async fn after_hours_the_citizen_hears_once_when_a_person_will_answer() {
    // Friday 18:00 JST: closed until Monday 8:30.
    let h = Harness::at(jst(2026, 12, 4, 18, 0)).await;
    let confirmed = open_childcare(&h).await;
    assert!(
        confirmed.contains("受付時間外です。12月7日(月) 8:30以降に担当者から返信します。"),
        "{confirmed}"
    );
    let (first, _) = h.ask(CITIZEN, "急ぎではありません").await;
    assert_eq!(
        first,
        "受付時間外です。12月7日(月) 8:30以降に担当者から返信します。"
    );
    let event = h.event(
        CITIZEN,
        "message",
        "01CONSULTAGAIN",
        json!({"message": {"type": "text", "id": "m3", "quoteToken": "q", "text": "よろしくお願いします"}}),
    );
    h.deliver(vec![event]).await;
    assert!(
        !replied_to(&h, "token-01CONSULTAGAIN"),
        "not again within the hour"
    );
}

#[tokio::test]
async fn the_menus_start_and_a_second_start_do_not_open_two_cases() {
    let h = Harness::at(jst(2026, 12, 2, 10, 0)).await;
    let (question, buttons) = h.tap(CITIZEN, START).await;
    assert!(question.contains("相談しますか"));
    h.tap(CITIZEN, data_of(&buttons, "福祉")).await;
    let (again, _) = h.tap(CITIZEN, START).await;
    assert!(again.contains("現在、相談を受け付けています"), "{again}");
    let case = desk(&h).open_case_of(CITIZEN).await.unwrap().unwrap();
    assert_eq!(case.department(), "社会福祉課");
}

#[tokio::test]
async fn without_a_consultation_the_fallback_offers_one() {
    let h = Harness::at(jst(2026, 12, 2, 10, 0)).await;
    let (_, buttons) = h.ask(CITIZEN, "あいうえおかきくけこ").await;
    assert_eq!(data_of(&buttons, START_WORD), START);
    let (none, _) = h.ask(CITIZEN, END_WORD).await;
    assert_eq!(none, "現在、受け付け中の相談はありません。");
}

#[tokio::test]
async fn a_photo_sent_into_a_case_is_kept_upright_without_where_it_was_taken() {
    use tayori_images::fixtures::{photo_with_gps, PLACE};
    use tayori_ports::ObjectKey;

    let h = Harness::at(jst(2026, 12, 2, 10, 0)).await;
    open_childcare(&h).await;
    h.fake
        .put_content("m9", photo_with_gps(3000, 2000, 6), "image/jpeg");
    let image = h.event(
        CITIZEN,
        "message",
        "01CONSULTGPS",
        json!({"message": {"type": "image", "id": "m9", "quoteToken": "q9", "contentProvider": {"type": "line"}}}),
    );
    h.deliver(vec![image]).await;

    let case = desk(&h).open_case_of(CITIZEN).await.unwrap().unwrap();
    let key = ObjectKey::new(format!("consultations/{}/m9.jpg", case.id())).unwrap();
    let stored = h.platform.objects.get(&key).await.unwrap().expect("stored");
    assert_eq!(stored.content_type, "image/jpeg");
    assert!(
        !stored.bytes.windows(PLACE.len()).any(|w| w == PLACE),
        "the Exif place is gone"
    );
    let (width, height) = imagesize::blob_size(&stored.bytes)
        .map(|s| (s.width, s.height))
        .unwrap();
    assert!(height > width, "turned upright: {width}×{height}");
}
