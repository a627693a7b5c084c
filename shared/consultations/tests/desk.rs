//! The consultation desk over the embedded platform and the fake LINE: what the citizen's side
//! and the staff's inbox do, and what each leaves in the audit log.

use crate::support::*;

use chrono::Duration;
use std::sync::Arc;
use tayori_consultations::{Clerk, ConsultationDesk, ConsultationDeskError, Started};
use tayori_domain::consultation::{
    CitizenContent, Closing, ConsultationError, ConsultationSettings, ImageRef, Message,
    OfficeHours, Topic,
};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_records::{AuditEntry, AuditLog, StaffAccounts};

struct World {
    desk: ConsultationDesk,
    p: Platforms,
    fake: FakeLine,
}

async fn world() -> World {
    let p = Platforms::embedded().await;
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "token")));
    World {
        desk: ConsultationDesk::new(&p.platform, line),
        p,
        fake,
    }
}

fn clerk(account: &StaffAccount) -> Clerk<'_> {
    Clerk {
        account,
        ip: "192.0.2.1",
    }
}

fn text(t: &str) -> CitizenContent {
    CitizenContent::Text(t.into())
}

async fn audit(w: &World) -> Vec<AuditEntry> {
    AuditLog::new(w.p.platform.table.clone())
        .month(2026, 12, None, 100)
        .await
        .unwrap()
        .0
}

async fn opened(w: &World, user: &str, topic: Topic) -> String {
    match w.desk.start(user, topic, Default::default()).await.unwrap() {
        Started::Opened(case) => case.id().to_string(),
        other => panic!("expected a new case, got {other:?}"),
    }
}

#[tokio::test]
async fn a_citizen_starts_one_case_and_the_bot_stays_silent_until_it_ends() {
    let w = world().await;
    assert_eq!(w.desk.open_case_of(CITIZEN).await.unwrap(), None);
    let id = opened(&w, CITIZEN, Topic::Welfare).await;
    let again = w
        .desk
        .start(CITIZEN, Topic::Garbage, Default::default())
        .await
        .unwrap();
    assert!(matches!(again, Started::AlreadyOpen(ref c) if c.id() == id));
    assert_eq!(
        w.desk
            .open_case_of(CITIZEN)
            .await
            .unwrap()
            .unwrap()
            .department(),
        "社会福祉課"
    );
    let ended = w.desk.end(CITIZEN).await.unwrap().unwrap();
    assert_eq!(ended.closed().unwrap().closing, Closing::EndedByCitizen);
    assert_eq!(w.desk.open_case_of(CITIZEN).await.unwrap(), None);
    assert_eq!(w.desk.end(CITIZEN).await.unwrap(), None);
    assert_eq!(
        w.desk
            .take_message(CITIZEN, text("もしもし"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn within_office_hours_messages_are_taken_without_an_automatic_answer() {
    let w = world().await;
    opened(&w, CITIZEN, Topic::Childcare).await;
    let received = w
        .desk
        .take_message(CITIZEN, text("児童手当について"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(received.after_hours_reply, None);
    assert_eq!(received.case.citizen_messages(), 1);
}

#[tokio::test]
async fn after_hours_the_citizen_hears_when_someone_answers_once_per_interval() {
    let w = world().await;
    opened(&w, CITIZEN, Topic::Childcare).await;
    // Wednesday 18:00 JST: closed until Thursday 8:30.
    w.p.clock.set(jst(2026, 12, 2, 18, 0));
    let first = w
        .desk
        .take_message(CITIZEN, text("夜分にすみません"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.after_hours_reply.as_deref(),
        Some("受付時間外です。12月3日(木) 8:30以降に担当者から返信します。")
    );
    w.p.clock.advance(Duration::minutes(5));
    let second = w
        .desk
        .take_message(CITIZEN, text("写真も送ります"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.after_hours_reply, None, "heard it five minutes ago");
    w.p.clock.advance(Duration::minutes(60));
    let third = w
        .desk
        .take_message(
            CITIZEN,
            CitizenContent::Image(ImageRef {
                key: "consultations/x/1.jpg".into(),
            }),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(third.after_hours_reply.is_some(), "an hour later, again");
    assert_eq!(third.case.citizen_messages(), 3);
}

#[tokio::test]
async fn the_inbox_holds_the_departments_in_scope_open_first_and_long_waits_highlighted() {
    let w = world().await;
    let old = opened(&w, CITIZEN, Topic::Childcare).await;
    w.p.clock.advance(Duration::hours(2));
    let new = opened(&w, OTHER_CITIZEN, Topic::Childcare).await;
    opened(&w, "U2222222222222222222222222222222b", Topic::Garbage).await;
    let done = opened(&w, "U3333333333333333333333333333333c", Topic::Childcare).await;
    let me = kosodate();
    w.desk
        .close(clerk(&me), &done, Closing::InformationOnly)
        .await
        .unwrap();
    // Eight hours (the default) after the first opened.
    w.p.clock.set(start() + Duration::hours(8));
    let rows = w.desk.inbox(clerk(&me)).await.unwrap();
    let seen: Vec<_> = rows
        .iter()
        .map(|r| (r.case.id().to_string(), r.waiting_too_long))
        .collect();
    assert_eq!(seen, [(new, false), (old, true), (done, false)]);

    let outsider = staff("somu", &[Permission::ReportsHandle], &["子ども未来課"]);
    assert!(matches!(
        w.desk.inbox(clerk(&outsider)).await,
        Err(ConsultationDeskError::Case(ConsultationError::NoPermission))
    ));
}

#[tokio::test]
async fn reading_a_conversation_is_audited_and_other_departments_are_refused() {
    let w = world().await;
    let id = opened(&w, CITIZEN, Topic::Childcare).await;
    w.desk
        .take_message(CITIZEN, text("相談です"))
        .await
        .unwrap();
    w.desk
        .take_message(
            CITIZEN,
            CitizenContent::Image(ImageRef {
                key: "consultations/images/a.jpg".into(),
            }),
        )
        .await
        .unwrap();
    let me = kosodate();
    let conversation = w.desk.conversation(clerk(&me), &id).await.unwrap();
    assert_eq!(conversation.messages.len(), 2);
    assert!(conversation
        .image_links
        .contains_key("consultations/images/a.jpg"));
    let log = audit(&w).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "相談の会話を閲覧");
    assert_eq!(log[0].actor, "kosodate");
    assert_eq!(log[0].target, format!("consultation:{id}"));
    assert!(!log[0].summary.contains("相談です"), "never the words");

    let other = kankyo();
    assert!(matches!(
        w.desk.conversation(clerk(&other), &id).await,
        Err(ConsultationDeskError::Case(
            ConsultationError::OtherDepartment(_)
        ))
    ));
    assert_eq!(audit(&w).await.len(), 1, "a refused read is not a read");
}

#[tokio::test]
async fn a_reply_is_pushed_to_the_citizen_recorded_and_counted_against_the_quota() {
    let w = world().await;
    w.fake.set_message_quota(Some(200));
    let id = opened(&w, CITIZEN, Topic::Childcare).await;
    let me = kosodate();
    let before = w.desk.quota(clerk(&me)).await.unwrap();
    assert_eq!(before.limit, Some(200));
    let case = w
        .desk
        .reply(clerk(&me), &id, " 子ども未来課です。ご用件をどうぞ。 ")
        .await
        .unwrap();
    assert_eq!(case.replies(), 1);
    assert_eq!(case.awaiting_since(), None);
    let sent = w.fake.sent_messages_to(CITIZEN);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["text"], "子ども未来課です。ご用件をどうぞ。");
    assert_eq!(
        w.desk.quota(clerk(&me)).await.unwrap().used,
        before.used + 1
    );
    let conversation = w.desk.conversation(clerk(&me), &id).await.unwrap();
    assert!(matches!(
        &conversation.messages[..],
        [Message::Reply { by, .. }] if by.login_id.as_str() == "kosodate"
    ));
    let actions: Vec<_> = audit(&w).await.into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"相談に返信".to_string()), "{actions:?}");
}

#[tokio::test]
async fn a_refused_reply_is_never_sent() {
    let w = world().await;
    let id = opened(&w, CITIZEN, Topic::Childcare).await;
    let other = kankyo();
    assert!(w
        .desk
        .reply(clerk(&other), &id, "こんにちは")
        .await
        .is_err());
    let me = kosodate();
    assert!(matches!(
        w.desk.reply(clerk(&me), &id, "   ").await,
        Err(ConsultationDeskError::Case(ConsultationError::EmptyText))
    ));
    w.desk.end(CITIZEN).await.unwrap();
    assert!(matches!(
        w.desk.reply(clerk(&me), &id, "まだいますか").await,
        Err(ConsultationDeskError::Case(
            ConsultationError::AlreadyClosed
        ))
    ));
    assert!(w.fake.sent_messages_to(CITIZEN).is_empty());
}

#[tokio::test]
async fn notes_assignment_and_closing_are_audited() {
    let w = world().await;
    let id = opened(&w, CITIZEN, Topic::Childcare).await;
    let me = kosodate();
    let colleague = staff("yamada", &[Permission::Consultations], &["子ども未来課"]);
    let staff_records = StaffAccounts::new(w.p.platform.table.clone(), w.p.platform.cipher.clone());
    staff_records.create(&colleague).await.unwrap();
    staff_records.create(&kankyo()).await.unwrap();

    w.desk
        .note(clerk(&me), &id, "電話で折り返し予定")
        .await
        .unwrap();
    assert!(matches!(
        w.desk.assign(clerk(&me), &id, Some("kankyo")).await,
        Err(ConsultationDeskError::Case(
            ConsultationError::AssigneeOutside(..)
        ))
    ));
    assert!(matches!(
        w.desk.assign(clerk(&me), &id, Some("nobody")).await,
        Err(ConsultationDeskError::NoSuchStaff(_))
    ));
    let case = w
        .desk
        .assign(clerk(&me), &id, Some("yamada"))
        .await
        .unwrap();
    assert_eq!(case.assignee().unwrap().name, "yamadaさん");
    let case = w
        .desk
        .close(clerk(&me), &id, Closing::Referred)
        .await
        .unwrap();
    assert_eq!(case.closed().unwrap().closing, Closing::Referred);
    assert_eq!(w.desk.open_case_of(CITIZEN).await.unwrap(), None);

    let mut actions: Vec<_> = audit(&w).await.into_iter().map(|e| e.action).collect();
    actions.sort();
    assert_eq!(
        actions,
        ["相談に内部メモを追加", "相談の担当者を変更", "相談を終了"]
    );
}

#[tokio::test]
async fn templates_and_settings_are_kept_for_staff_with_the_permission() {
    let w = world().await;
    let me = kosodate();
    let saved = w
        .desk
        .save_template(clerk(&me), None, "受付", "ご相談を承りました。")
        .await
        .unwrap();
    w.desk
        .save_template(
            clerk(&me),
            Some(saved.id()),
            "受付",
            "ご相談を受け付けました。",
        )
        .await
        .unwrap();
    let templates = w.desk.templates(clerk(&me)).await.unwrap();
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].text(), "ご相談を受け付けました。");
    w.desk
        .delete_template(clerk(&me), saved.id())
        .await
        .unwrap();
    assert!(matches!(
        w.desk.delete_template(clerk(&me), saved.id()).await,
        Err(ConsultationDeskError::TemplateNotFound)
    ));

    let settings = ConsultationSettings::new(OfficeHours::default(), 4, 30).unwrap();
    w.desk.save_settings(clerk(&me), &settings).await.unwrap();
    assert_eq!(w.desk.settings().await.unwrap(), settings);
    let outsider = staff("somu", &[Permission::StaffManagement], &[]);
    assert!(w
        .desk
        .save_settings(clerk(&outsider), &ConsultationSettings::default())
        .await
        .is_err());
    assert_eq!(w.desk.settings().await.unwrap(), settings);
}
