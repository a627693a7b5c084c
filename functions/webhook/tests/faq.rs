//! Citizens asking the city's FAQ in their own words, end to end: signed webhooks into the real
//! router, FAQs written through the FAQ desk as staff do, replies checked by the fake LINE
//! against LINE's spec, and what the chat could not resolve found on staff's list.

use crate::support;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tayori_domain::faq::{FaqDraft, Unresolved};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_domain::usage::UsageKind;
use tayori_faq::desk::FaqDesk;
use tayori_ports::Clock;
use tayori_records::audit::Clerk;
use tayori_records::{Friends, UsageEvents};

use support::{answer, buttons, data_of, labels, Harness};

const USER: &str = "U0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn clerk_account() -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("shimin").unwrap(),
        StaffProfile {
            display_name: "市民 花子".into(),
            department: "市民課".into(),
            permissions: [Permission::Faq].into_iter().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        jst("2026-12-01T09:00:00+09:00"),
    )
}

fn draft(category: &str, question: &str, phrasings: &str, answer: &str) -> FaqDraft {
    FaqDraft {
        category: category.into(),
        department: "市民課".into(),
        question: question.into(),
        phrasings: phrasings.into(),
        answer: answer.into(),
        published: true,
        ..FaqDraft::default()
    }
}

/// A citizen of 雲浜 and three FAQs of the kind the city writes.
async fn city_with_faqs() -> (Harness, FaqDesk) {
    let h = Harness::at(jst("2026-12-07T10:00:00+09:00")).await;
    let at = h.clock.now();
    Friends::new(&h.platform)
        .update(USER, at, |f| {
            f.followed(at);
            f.attributes.insert("district".into(), vec!["雲浜".into()]);
        })
        .await
        .unwrap();
    let desk = FaqDesk::new(&h.platform);
    let account = clerk_account();
    let clerk = Clerk {
        account: &account,
        ip: "-",
    };
    let mut card = draft(
        "手続き",
        "マイナンバーカードの更新",
        "マイナカードの期限が切れる|マイナンバーカードの電子証明書の更新",
        "マイナンバーカードの更新は、市民課の窓口で受け付けています。",
    );
    card.link_label = "市のページ".into();
    card.link_url = "https://www1.city.obama.fukui.jp/".into();
    desk.create(clerk, &card).await.unwrap();
    desk.create(
        clerk,
        &draft(
            "手続き",
            "マイナンバーカードを紛失した",
            "マイナンバーカードをなくした",
            "紛失したときは、まず警察に届けてください。",
        ),
    )
    .await
    .unwrap();
    desk.create(
        clerk,
        &draft(
            "施設",
            "図書館の開館時間",
            "図書館は何時から",
            "9時から19時まで開いています。",
        ),
    )
    .await
    .unwrap();
    (h, desk)
}

fn texts(messages: &[Value]) -> Vec<&str> {
    messages.iter().filter_map(|m| m["text"].as_str()).collect()
}

#[tokio::test]
async fn a_question_in_everyday_words_gets_the_answer_its_link_and_a_choice_of_others() {
    let (h, desk) = city_with_faqs().await;
    let messages = h
        .text(USER, "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞの更新ってどうすればいいですか")
        .await;
    let said = texts(&messages);
    assert!(
        said[0].starts_with("マイナンバーカードの更新は、市民課の窓口"),
        "{said:?}"
    );
    assert!(
        said[0].contains("▶ 市のページ\nhttps://www1.city.obama.fukui.jp/"),
        "{said:?}"
    );
    assert!(
        said.last().unwrap().starts_with("解決しましたか？"),
        "{said:?}"
    );
    let offered = buttons(&messages);
    assert_eq!(labels(&offered)[..2], ["はい", "いいえ"]);
    assert!(
        labels(&offered).contains(&"マイナンバーカードを紛失した"),
        "the neighbouring FAQ is offered: {offered:?}"
    );
    assert!(
        !labels(&offered).contains(&"図書館の開館時間"),
        "{offered:?}"
    );

    // The other FAQ, tapped: its answer, asked again.
    let (other, again) = h
        .tap(USER, data_of(&offered, "マイナンバーカードを紛失した"))
        .await;
    assert_eq!(other, "解決しましたか？");
    assert_eq!(labels(&again), ["はい", "いいえ"]);
    let shown = h.replies();
    let last = shown.last().unwrap();
    assert!(last.body.to_string().contains("まず警察に届けてください"));

    // 「いいえ」: the citizen is told, and the words that led there reach staff's list.
    let (sorry, _) = h.tap(USER, data_of(&again, "いいえ")).await;
    assert!(sorry.starts_with("お役に立てず申し訳ありません"), "{sorry}");
    let (thanks, _) = h.tap(USER, data_of(&offered, "はい")).await;
    assert!(thanks.contains("お役に立ててよかった"), "{thanks}");

    let account = clerk_account();
    let clerk = Clerk {
        account: &account,
        ip: "-",
    };
    let open = desk.open_questions(clerk).await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].kind, Unresolved::Unhelpful);
    assert_eq!(open[0].text, "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞの更新ってどうすればいいですか");
    let listed = desk.list(clerk).await.unwrap();
    let stats = |q: &str| listed.iter().find(|l| l.faq.question() == q).unwrap().stats;
    assert_eq!(stats("マイナンバーカードの更新").answered, 1);
    assert_eq!(stats("マイナンバーカードの更新").helpful, 1);
    assert_eq!(stats("マイナンバーカードを紛失した").answered, 1);
    assert_eq!(stats("マイナンバーカードを紛失した").unhelpful, 1);
}

#[tokio::test]
async fn a_question_nothing_answers_gets_the_default_reply_and_is_listed_for_staff() {
    let (h, desk) = city_with_faqs().await;
    let (reply, _) = h.ask(USER, "市長の名前を教えて").await;
    assert!(
        reply.contains("個別のお問い合わせにはお答えしておりません"),
        "{reply}"
    );
    h.ask(USER, "市長の名前を教えて").await;
    // Garbage questions are still the garbage domain's (the calendar is withheld here, so it
    // says so), not an FAQ's nor a miss.
    let (garbage, _) = h.ask(USER, "燃えるゴミいつ？").await;
    assert!(garbage.contains("準備中"), "{garbage}");

    let account = clerk_account();
    let clerk = Clerk {
        account: &account,
        ip: "-",
    };
    let open = desk.open_questions(clerk).await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!((open[0].kind, open[0].count), (Unresolved::Unanswered, 2));

    let mut counted = Vec::new();
    let day = tayori_domain::time::to_jst(h.clock.now()).date_naive();
    UsageEvents::new(h.platform.table.clone())
        .each_between(day, day, |e| counted.push((e.kind, e.attributes.clone())))
        .await
        .unwrap();
    let misses: Vec<_> = counted
        .iter()
        .filter(|(k, _)| *k == UsageKind::FaqUnanswered)
        .collect();
    assert_eq!(misses.len(), 2);
    assert_eq!(misses[0].1["district"], ["雲浜"]);
    assert!(!counted.iter().any(|(k, _)| *k == UsageKind::FaqAnswer));
}

#[tokio::test]
async fn a_hidden_faq_is_not_answered_and_a_button_to_it_says_so() {
    let (h, desk) = city_with_faqs().await;
    let messages = h.text(USER, "図書館は何時から開いていますか").await;
    let said = texts(&messages);
    assert!(said[0].starts_with("9時から19時"), "{said:?}");
    let account = clerk_account();
    let clerk = Clerk {
        account: &account,
        ip: "-",
    };
    let library = desk
        .list(clerk)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.faq.question() == "図書館の開館時間")
        .unwrap()
        .faq;
    let mut hidden = library.draft();
    hidden.published = false;
    desk.edit(clerk, library.id(), &hidden).await.unwrap();
    let (after, _) = answer(&h.text(USER, "図書館は何時から開いていますか").await);
    assert!(!after.contains("9時から19時"), "{after}");
    let (gone, _) = h
        .tap(USER, &format!("faq:show:{}:図書館", library.id()))
        .await;
    assert!(gone.contains("現在ご利用いただけません"), "{gone}");
}
