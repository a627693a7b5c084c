//! The FAQ desk over the embedded platform: staff write and import FAQs, the chat's index
//! follows every change, and what the chat reports back reaches staff's list and the usage
//! report.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::faq::{FaqDraft, FaqId, Unresolved};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_domain::usage::UsageKind;
use tayori_faq::desk::{FaqDesk, FaqDeskError, COLUMNS};
use tayori_intents::{Recognition, Recognizer};
use tayori_ports::{ManualClock, Platform};
use tayori_records::audit::Clerk;
use tayori_records::{AuditLog, Occasion, UsageEvents};

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

fn account(login: &str, permissions: &[Permission]) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: "市民課".into(),
            permissions: permissions.iter().copied().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        start(),
    )
}

struct World {
    desk: FaqDesk,
    platform: Platform,
    clerk: StaffAccount,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let (platform, _bus) = tayori_adapters::embedded::platform(dir.path(), clock).unwrap();
    World {
        desk: FaqDesk::new(&platform),
        platform,
        clerk: account("shimin", &[Permission::Faq]),
        _dir: dir,
    }
}

fn at(account: &StaffAccount) -> Clerk<'_> {
    Clerk {
        account,
        ip: "192.0.2.10",
    }
}

fn draft(question: &str, phrasings: &str, answer: &str) -> FaqDraft {
    FaqDraft {
        category: "手続き".into(),
        department: "市民課".into(),
        question: question.into(),
        phrasings: phrasings.into(),
        answer: answer.into(),
        published: true,
        ..Default::default()
    }
}

/// What the chat's intent layer makes of `text` over the FAQ alone: the FAQ ids, best first.
async fn asked(desk: &FaqDesk, text: &str) -> Vec<String> {
    let chat = desk.chat().await.unwrap();
    let matches = match Recognizer::new(vec![chat.index()]).recognize(text) {
        Recognition::Understood(m) => vec![m],
        Recognition::Unsure(near) => near,
    };
    matches.into_iter().map(|m| m.intent).collect()
}

#[tokio::test]
async fn a_written_faq_answers_in_the_chat_at_once_and_a_hidden_one_does_not() {
    let w = world();
    let faq = w
        .desk
        .create(
            at(&w.clerk),
            &draft(
                "住民票の写しを取りたい",
                "住民票がほしい",
                "市民課の窓口で…",
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        asked(&w.desk, "じゅうみんひょうが欲しいです").await,
        Vec::<String>::new()
    );
    assert_eq!(
        asked(&w.desk, "住民票がほしいんですが").await,
        [faq.id().to_string()]
    );

    let mut hidden = faq.draft();
    hidden.published = false;
    w.desk.edit(at(&w.clerk), faq.id(), &hidden).await.unwrap();
    assert!(asked(&w.desk, "住民票がほしい").await.is_empty());

    // Synonyms staff add reach the index too.
    let mut shown = faq.draft();
    shown.published = true;
    w.desk.edit(at(&w.clerk), faq.id(), &shown).await.unwrap();
    w.desk
        .save_synonyms(at(&w.clerk), "住民票、じゅうみんひょう")
        .await
        .unwrap();
    assert_eq!(
        asked(&w.desk, "じゅうみんひょうがほしい").await,
        [faq.id().to_string()]
    );

    w.desk.delete(at(&w.clerk), faq.id()).await.unwrap();
    assert!(asked(&w.desk, "住民票がほしい").await.is_empty());

    let log = AuditLog::new(w.platform.table.clone());
    let (entries, _) = log.month(2026, 12, None, 50).await.unwrap();
    // All at the same instant on the test's clock: compared as a set of actions.
    let mut actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    actions.sort();
    let mut expected = [
        "FAQを作成",
        "FAQを変更",
        "FAQを変更",
        "FAQの同義語を変更",
        "FAQを削除",
    ];
    expected.sort();
    assert_eq!(actions, expected);
    assert!(entries.iter().all(|e| e.actor == "shimin"));
}

#[tokio::test]
async fn staff_without_the_permission_can_neither_read_nor_change_the_faq() {
    let w = world();
    let other = account("somu", &[Permission::DeliveryDraft]);
    assert!(matches!(
        w.desk.list(at(&other)).await,
        Err(FaqDeskError::NotAllowed)
    ));
    assert!(matches!(
        w.desk.create(at(&other), &draft("q", "", "a")).await,
        Err(FaqDeskError::NotAllowed)
    ));
    assert!(matches!(
        w.desk.import(at(&other), b"x").await,
        Err(FaqDeskError::NotAllowed)
    ));
    assert!(w.desk.list(at(&w.clerk)).await.unwrap().is_empty());
}

fn csv(rows: &[[&str; 9]]) -> Vec<u8> {
    let mut text = COLUMNS.join(",") + "\r\n";
    for row in rows {
        text += &tayori_csv::line(row);
    }
    text.into_bytes()
}

#[tokio::test]
async fn an_exported_file_imports_back_to_the_same_faq_and_a_broken_one_changes_nothing() {
    let w = world();
    let file = csv(&[
        [
            "gomi-01",
            "ごみ",
            "環境衛生課",
            "粗大ごみの出し方",
            "大型ごみ|ソファを捨てたい",
            "事前に申し込んでください。",
            "市のページ",
            "https://www1.city.obama.fukui.jp/",
            "公開",
        ],
        [
            "",
            "子育て",
            "子ども未来課",
            "児童手当の申請",
            "",
            "出生の翌日から15日以内に…",
            "",
            "",
            "非公開",
        ],
    ]);
    let imported = w.desk.import(at(&w.clerk), &file).await.unwrap();
    assert_eq!((imported.created, imported.updated), (2, 0));
    let listed = w.desk.list(at(&w.clerk)).await.unwrap();
    assert_eq!(listed.len(), 2);
    let rows = w.desk.rows().await.unwrap();
    let again = csv(&[
        rows[0]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
        rows[1]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
    ]);
    let imported = w.desk.import(at(&w.clerk), &again).await.unwrap();
    assert_eq!((imported.created, imported.updated), (0, 2));
    let relisted = w.desk.list(at(&w.clerk)).await.unwrap();
    let questions = |l: &[tayori_faq::desk::FaqListing]| {
        l.iter()
            .map(|f| (f.faq.id().clone(), f.faq.draft()))
            .collect::<Vec<_>>()
    };
    assert_eq!(questions(&relisted), questions(&listed));

    // CP932 (Excel's 「CSV」) reads the same.
    let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(std::str::from_utf8(&again).unwrap());
    assert_eq!(
        w.desk.import(at(&w.clerk), &cp932).await.unwrap().updated,
        2
    );

    // One bad row among good ones: nothing is saved, every problem named with its line.
    let broken = csv(&[
        [
            "new-1",
            "ごみ",
            "",
            "新しい質問",
            "",
            "新しい回答",
            "",
            "",
            "公開",
        ],
        ["", "ごみ", "", "", "", "回答だけ", "", "", "公開"],
        ["bad id!", "ごみ", "", "質問", "", "回答", "", "", "公開"],
        [
            "new-2",
            "ごみ",
            "",
            "質問",
            "",
            "回答",
            "見る",
            "http://example.jp",
            "たぶん",
        ],
    ]);
    let Err(FaqDeskError::Rows(problems)) = w.desk.import(at(&w.clerk), &broken).await else {
        panic!("a broken file was imported");
    };
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(
        problems[0].to_string().contains("質問を入力してください"),
        "{problems:?}"
    );
    assert!(
        problems[2].to_string().contains("「公開」か「非公開」"),
        "{problems:?}"
    );
    assert_eq!(w.desk.list(at(&w.clerk)).await.unwrap().len(), 2);

    let missing_column = "ID,質問\r\nx,y\r\n".as_bytes();
    let err = w
        .desk
        .import(at(&w.clerk), missing_column)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("「分類」の列がありません"),
        "{err}"
    );
    let unreadable = w
        .desk
        .import(at(&w.clerk), b"ID,\"broken\r\n")
        .await
        .unwrap_err();
    assert!(
        matches!(unreadable, FaqDeskError::Unreadable(_)),
        "{unreadable}"
    );
}

#[tokio::test]
async fn what_the_chat_could_not_resolve_is_listed_for_staff_and_counted() {
    let w = world();
    let faq = w
        .desk
        .create(at(&w.clerk), &draft("図書館の開館時間", "", "9時から…"))
        .await
        .unwrap();
    let attributes = BTreeMap::from([("district".to_owned(), vec!["小浜".to_owned()])]);
    w.desk
        .answered(
            faq.id(),
            start(),
            &Occasion::each_time(),
            attributes.clone(),
        )
        .await
        .unwrap();
    w.desk
        .unanswered(
            "ﾍﾟｲﾍﾟｲで払えますか",
            start(),
            &Occasion::each_time(),
            attributes.clone(),
        )
        .await
        .unwrap();
    w.desk
        .unanswered(
            "ペイペイで払えますか",
            start(),
            &Occasion::each_time(),
            BTreeMap::new(),
        )
        .await
        .unwrap();
    w.desk
        .feedback(faq.id(), true, "図書館は何時から", start())
        .await
        .unwrap();
    w.desk
        .feedback(faq.id(), false, "図書館の休館日", start())
        .await
        .unwrap();
    assert!(matches!(
        w.desk
            .feedback(&FaqId::parse("gone").unwrap(), true, "x", start())
            .await,
        Err(FaqDeskError::NotFound)
    ));

    let listed = w.desk.list(at(&w.clerk)).await.unwrap();
    let stats = listed[0].stats;
    assert_eq!((stats.answered, stats.helpful, stats.unhelpful), (1, 1, 1));

    let open = w.desk.open_questions(at(&w.clerk)).await.unwrap();
    let lines: Vec<(Unresolved, &str, u64)> = open
        .iter()
        .map(|q| (q.kind, q.text.as_str(), q.count))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.contains(&(Unresolved::Unanswered, "ペイペイで払えますか", 2)));
    assert!(lines.contains(&(Unresolved::Unhelpful, "図書館の休館日", 1)));
    let unhelpful = open
        .iter()
        .find(|q| q.kind == Unresolved::Unhelpful)
        .unwrap();
    assert_eq!(unhelpful.faq.as_ref(), Some(faq.id()));

    w.desk
        .close_question(at(&w.clerk), &unhelpful.key)
        .await
        .unwrap();
    assert_eq!(w.desk.open_questions(at(&w.clerk)).await.unwrap().len(), 1);

    let mut counted = Vec::new();
    let day = tayori_domain::time::to_jst(start()).date_naive();
    UsageEvents::new(w.platform.table.clone())
        .each_between(day, day, |e| counted.push((e.kind, e.attributes.clone())))
        .await
        .unwrap();
    counted.sort();
    assert_eq!(
        counted,
        [
            (UsageKind::FaqAnswer, attributes.clone()),
            (UsageKind::FaqUnanswered, BTreeMap::new()),
            (UsageKind::FaqUnanswered, attributes),
        ]
    );
}
