//! The form desk over the embedded platform, with a bus that records what was published.

use crate::support;

use async_trait::async_trait;
use chrono::Duration;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use support::*;
use tayori_domain::form::{
    AnswerError, AnswerStatus, Availability, Edited, FieldId, FormError, FormId, PerCitizen,
    QuestionSummary, Submitted,
};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_formdesk::{
    AnswerFilter, Clerk, FormAnswerStatusChanged, FormAnswered, FormDesk, FormDeskError,
    PersonalValues, FORM_ANSWERED, FORM_ANSWER_STATUS_CHANGED, PERSONAL_LEFT_OUT,
};
use tayori_ports::{BusError, Clock, Event, EventBus, ManualClock, Platform};
use tayori_records::forms::Refusal;
use tayori_records::AuditLog;

#[derive(Default)]
struct Published(Mutex<Vec<Event>>);

#[async_trait]
impl EventBus for Published {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(events);
        Ok(())
    }
}

impl Published {
    fn of(&self, kind: &str) -> Vec<serde_json::Value> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|e| e.detail_type == kind)
            .map(|e| e.detail.clone())
            .collect()
    }
}

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    published: Arc<Published>,
    desk: FormDesk,
    kenko: StaffAccount,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let (mut platform, _bus) =
        tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
    let published = Arc::new(Published::default());
    platform.bus = published.clone();
    World {
        desk: FormDesk::new(&platform),
        platform,
        clock,
        published,
        kenko: health_clerk(),
        _dir: dir,
    }
}

fn at(account: &StaffAccount) -> Clerk<'_> {
    Clerk {
        account,
        ip: "192.0.2.10",
    }
}

fn answer_of(name: &str, course: &str) -> Submitted {
    Submitted::new()
        .with("name", name)
        .with("phone", "0770-53-1111")
        .with("course", course)
}

fn no_attributes() -> BTreeMap<String, Vec<String>> {
    BTreeMap::new()
}

impl World {
    async fn published_checkup(&self, slot_capacity: u32) -> FormId {
        let form = self
            .desk
            .create(at(&self.kenko), checkup(slot_capacity))
            .await
            .unwrap();
        self.desk.publish(at(&self.kenko), form.id()).await.unwrap();
        form.id().clone()
    }

    async fn audit_actions(&self) -> Vec<String> {
        let (entries, _) = AuditLog::new(self.platform.table.clone())
            .month(2026, 12, None, 100)
            .await
            .unwrap();
        entries.into_iter().map(|e| e.action).collect()
    }
}

#[tokio::test]
async fn a_citizen_answers_a_published_form_and_gets_a_receipt() {
    let w = world();
    let id = w.published_checkup(3).await;
    let now = w.clock.now();
    let view = w.desk.for_citizen(&id, "U-hanako", now).await.unwrap();
    assert_eq!(view.availability, Availability::Open);
    assert_eq!(view.slots.len(), 2);
    assert!(
        view.form.fields.iter().all(|f| !f.staff_only),
        "the citizen never sees a staff-only field"
    );

    let receipt = w
        .desk
        .submit(
            &id,
            "U-hanako",
            &answer_of("小浜 花子", "基本"),
            Some("am"),
            no_attributes(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(receipt.number, "F2612-0001");
    assert!(
        receipt.lines.contains(&"お名前: 小浜 花子".to_string()),
        "{:?}",
        receipt.lines
    );
    let told: Vec<FormAnswered> = w
        .published
        .of(FORM_ANSWERED)
        .into_iter()
        .map(|d| serde_json::from_value(d).unwrap())
        .collect();
    assert_eq!(
        told,
        [FormAnswered {
            form_id: id.to_string(),
            answer_id: receipt.answer_id.clone(),
        }]
    );
    let view = w.desk.for_citizen(&id, "U-hanako", now).await.unwrap();
    assert!(view.already_answered);
    assert_eq!(view.slots[0].remaining, 2);

    // An unpublished form is not found by citizens.
    let draft = w.desk.create(at(&w.kenko), checkup(3)).await.unwrap();
    assert!(matches!(
        w.desk.for_citizen(draft.id(), "U-hanako", now).await,
        Err(FormDeskError::NotFound)
    ));
    assert_eq!(w.desk.open_forms(now).await.unwrap().len(), 1);
}

#[tokio::test]
async fn forged_and_incomplete_answers_are_refused_and_nothing_is_stored() {
    let w = world();
    let id = w.published_checkup(3).await;
    let now = w.clock.now();
    let forged = answer_of("小浜 花子", "基本").with("ticket", "A-0001");
    let refused = w
        .desk
        .submit(&id, "U-forger", &forged, Some("am"), no_attributes(), now)
        .await
        .unwrap_err();
    let FormDeskError::Values(errors) = &refused else {
        panic!("{refused:?}")
    };
    assert!(errors.for_field("ticket").is_some(), "{refused}");

    let missing = Submitted::new()
        .with("name", "小浜 花子")
        .with("course", "基本");
    let refused = w
        .desk
        .submit(&id, "U-forger", &missing, Some("am"), no_attributes(), now)
        .await
        .unwrap_err();
    let FormDeskError::Values(errors) = &refused else {
        panic!("{refused:?}")
    };
    assert!(errors.for_field("phone").is_some(), "{refused}");

    let listing = w.desk.get(at(&w.kenko), &id).await.unwrap();
    assert_eq!(listing.counts.ever, 0, "nothing stored");
    assert!(w.published.of(FORM_ANSWERED).is_empty());
}

#[tokio::test]
async fn a_full_slot_is_said_before_the_citizen_types_and_refused_at_submit() {
    let w = world();
    let id = w.published_checkup(1).await;
    let now = w.clock.now();
    w.desk
        .submit(
            &id,
            "U-first",
            &answer_of("一番 乗り", "基本"),
            Some("am"),
            no_attributes(),
            now,
        )
        .await
        .unwrap();
    let view = w.desk.for_citizen(&id, "U-second", now).await.unwrap();
    let am = &view.slots[0];
    assert_eq!((am.remaining, am.label()), (0, "満席".to_string()));
    assert!(!am.bookable());
    assert_eq!(
        view.availability,
        Availability::Open,
        "the afternoon is free"
    );

    let refused = w
        .desk
        .submit(
            &id,
            "U-second",
            &answer_of("二番 目", "基本"),
            Some("am"),
            no_attributes(),
            now,
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, FormDeskError::Form(FormError::SlotFull)));
    assert_eq!(
        refused.to_string(),
        "この枠は満席です。別の枠を選んでください。"
    );

    w.desk
        .submit(
            &id,
            "U-second",
            &answer_of("二番 目", "基本"),
            Some("pm"),
            no_attributes(),
            now,
        )
        .await
        .unwrap();
    let view = w.desk.for_citizen(&id, "U-third", now).await.unwrap();
    assert_eq!(view.availability, Availability::Full);
    assert_eq!(
        view.availability.message(),
        "定員に達したため、受付を終了しました。"
    );
}

#[tokio::test]
async fn one_answer_per_citizen_and_a_draft_kept_until_the_answer() {
    let w = world();
    let id = w.published_checkup(3).await;
    let now = w.clock.now();
    let typed: BTreeMap<String, Vec<String>> =
        [("name".to_string(), vec!["小浜 途中".to_string()])].into();
    w.desk
        .save_draft(&id, "U-draft", typed.clone(), Some("pm"), now)
        .await
        .unwrap();
    w.clock.advance(Duration::days(3));
    let view = w
        .desk
        .for_citizen(&id, "U-draft", w.clock.now())
        .await
        .unwrap();
    let draft = view.draft.expect("kept while they were away");
    assert_eq!(draft.values(), &typed);
    assert_eq!(draft.slot().map(|s| s.as_str()), Some("pm"));

    w.desk
        .submit(
            &id,
            "U-draft",
            &answer_of("小浜 途中", "基本"),
            Some("pm"),
            no_attributes(),
            w.clock.now(),
        )
        .await
        .unwrap();
    let view = w
        .desk
        .for_citizen(&id, "U-draft", w.clock.now())
        .await
        .unwrap();
    assert!(view.draft.is_none(), "cleared by the answer");
    let again = w
        .desk
        .submit(
            &id,
            "U-draft",
            &answer_of("小浜 途中", "基本"),
            Some("am"),
            no_attributes(),
            w.clock.now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        again,
        FormDeskError::Refused(Refusal::AlreadyAnswered)
    ));
    assert_eq!(
        again.to_string(),
        "すでに回答済みです。このフォームには1回のみ回答できます。"
    );
}

#[tokio::test]
async fn staff_handle_answers_in_their_department_only_and_every_change_is_audited() {
    let w = world();
    let id = w.published_checkup(10).await;
    let now = w.clock.now();
    let mut ids = Vec::new();
    for (n, course) in ["基本", "基本＋がん検診", "基本"].iter().enumerate() {
        w.clock.advance(Duration::minutes(1));
        let r = w
            .desk
            .submit(
                &id,
                &format!("U-{n}"),
                &answer_of(&format!("市民 {n}"), course),
                Some("am"),
                no_attributes(),
                w.clock.now(),
            )
            .await
            .unwrap();
        ids.push(r.answer_id);
    }
    assert_eq!(w.desk.new_count(at(&w.kenko)).await.unwrap(), 3);

    // Another 課, or no permission: refused.
    let other = clerk("kikaku", &[Permission::FormsViewAnswers], Some(&["企画課"]));
    assert!(w.desk.list(at(&other)).await.unwrap().is_empty());
    assert!(matches!(
        w.desk
            .answers(at(&other), &id, &AnswerFilter::default(), None)
            .await,
        Err(FormDeskError::Answer(AnswerError::OtherDepartment(_)))
    ));
    assert!(matches!(
        w.desk
            .change_status(at(&other), &ids[0], AnswerStatus::Confirmed)
            .await,
        Err(FormDeskError::Answer(AnswerError::OtherDepartment(_)))
    ));
    let builder_only = clerk("builder", &[Permission::FormsEdit], None);
    assert!(matches!(
        w.desk.answer(at(&builder_only), &ids[0]).await,
        Err(FormDeskError::Answer(AnswerError::NoPermission))
    ));
    let nobody = clerk("nobody", &[Permission::Segments], None);
    assert!(matches!(
        w.desk.list(at(&nobody)).await,
        Err(FormDeskError::Form(FormError::NoPermission))
    ));

    // The list, newest first; opening it clears the badge.
    let all = w
        .desk
        .answers(at(&w.kenko), &id, &AnswerFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(
        all.answers
            .iter()
            .map(|a| a.id().to_string())
            .collect::<Vec<_>>(),
        [ids[2].clone(), ids[1].clone(), ids[0].clone()]
    );
    assert_eq!(w.desk.new_count(at(&w.kenko)).await.unwrap(), 0);
    let cancer = AnswerFilter {
        text: Some("がん".into()),
        ..AnswerFilter::default()
    };
    let found = w
        .desk
        .answers(at(&w.kenko), &id, &cancer, None)
        .await
        .unwrap();
    assert_eq!(found.answers.len(), 1);
    let personal = AnswerFilter {
        text: Some("市民".into()),
        ..AnswerFilter::default()
    };
    assert!(
        w.desk
            .answers(at(&w.kenko), &id, &personal, None)
            .await
            .unwrap()
            .answers
            .is_empty(),
        "personal values are never searched"
    );
    let tomorrow = AnswerFilter {
        from: Some((now + Duration::days(1)).date_naive()),
        ..AnswerFilter::default()
    };
    assert!(w
        .desk
        .answers(at(&w.kenko), &id, &tomorrow, None)
        .await
        .unwrap()
        .answers
        .is_empty());

    // Status, memo, staff values, bulk.
    let confirmed = w
        .desk
        .change_status(at(&w.kenko), &ids[0], AnswerStatus::Confirmed)
        .await
        .unwrap();
    assert_eq!(confirmed.status(), AnswerStatus::Confirmed);
    let told: Vec<FormAnswerStatusChanged> = w
        .published
        .of(FORM_ANSWER_STATUS_CHANGED)
        .into_iter()
        .map(|d| serde_json::from_value(d).unwrap())
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(
        (told[0].answer_id.as_str(), told[0].change_index),
        (ids[0].as_str(), 0)
    );
    assert!(matches!(
        w.desk
            .change_status(at(&w.kenko), &ids[0], AnswerStatus::Received)
            .await,
        Err(FormDeskError::Answer(AnswerError::NotAllowed(..)))
    ));
    let memo = w
        .desk
        .set_memo(at(&w.kenko), &ids[1], "電話で確認済み")
        .await
        .unwrap();
    assert_eq!(memo.memo(), "電話で確認済み");
    let ticket = w
        .desk
        .set_staff_values(
            at(&w.kenko),
            &ids[1],
            &Submitted::new().with("ticket", "A-0001"),
        )
        .await
        .unwrap();
    assert_eq!(ticket.staff_values().len(), 1);
    assert_eq!(
        w.desk
            .answers(
                at(&w.kenko),
                &id,
                &AnswerFilter {
                    status: Some(AnswerStatus::Confirmed),
                    ..AnswerFilter::default()
                },
                None
            )
            .await
            .unwrap()
            .answers
            .len(),
        1
    );
    let bulk = w
        .desk
        .bulk_status(at(&w.kenko), &ids, AnswerStatus::Confirmed)
        .await
        .unwrap();
    assert_eq!(bulk.changed.len(), 2);
    assert_eq!(bulk.refused.len(), 1, "the one already 確定");
    assert_eq!(bulk.refused[0].0, ids[0]);

    let actions = w.audit_actions().await;
    for action in [
        "フォームを作成",
        "フォームを公開",
        "フォーム回答の状態を変更",
        "フォーム回答のメモを変更",
        "フォーム回答の管理者用項目を変更",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "フォーム回答の状態を変更")
            .count(),
        3
    );
}

#[tokio::test]
async fn opening_an_answer_with_personal_values_is_audited() {
    let w = world();
    let id = w.published_checkup(10).await;
    let r = w
        .desk
        .submit(
            &id,
            "U-hanako",
            &answer_of("小浜 花子", "基本"),
            Some("am"),
            no_attributes(),
            w.clock.now(),
        )
        .await
        .unwrap();
    let before = w.audit_actions().await.len();
    // Entries of one instant are in no particular order: this one comes later.
    w.clock.advance(Duration::minutes(1));
    let detail = w.desk.answer(at(&w.kenko), &r.answer_id).await.unwrap();
    assert_eq!(
        detail
            .answer
            .value(&FieldId::parse("name").unwrap())
            .map(|v| v.display()),
        Some("小浜 花子".into())
    );
    let (entries, _) = AuditLog::new(w.platform.table.clone())
        .month(2026, 12, None, 100)
        .await
        .unwrap();
    assert_eq!(entries.len(), before + 1);
    let entry = &entries[0];
    assert_eq!(entry.action, "フォーム回答の個人情報を閲覧");
    assert_eq!(
        (entry.actor.as_str(), entry.ip.as_str()),
        ("kenko", "192.0.2.10")
    );
    assert_eq!(entry.summary, "受付番号 F2612-0001");
    assert!(!entry.summary.contains("花子"));
}

#[tokio::test]
async fn analysis_counts_the_answers_and_cross_tabulates_by_registered_attributes() {
    let w = world();
    let kikaku = clerk(
        "kikaku",
        &[Permission::FormsEdit, Permission::FormsViewAnswers],
        Some(&["企画課"]),
    );
    let form = w
        .desk
        .create(at(&kikaku), survey(PerCitizen::Many))
        .await
        .unwrap();
    let id = form.id().clone();
    w.desk.publish(at(&kikaku), &id).await.unwrap();
    for (n, (choice, age)) in [
        ("満足", "30代"),
        ("満足", "40代"),
        ("不満", "30代"),
        ("普通", ""),
    ]
    .iter()
    .enumerate()
    {
        let mut submitted = Submitted::new().with("satisfaction", choice);
        if *choice == "不満" {
            submitted = submitted.with("reason", "バスが少ない");
        }
        let attributes: BTreeMap<String, Vec<String>> = if age.is_empty() {
            BTreeMap::new()
        } else {
            [("age_group".to_string(), vec![age.to_string()])].into()
        };
        w.desk
            .submit(
                &id,
                &format!("U-{n}"),
                &submitted,
                None,
                attributes,
                w.clock.now(),
            )
            .await
            .unwrap();
    }
    let analysis = w.desk.analysis(at(&kikaku), &id, 1).await.unwrap();
    assert_eq!(analysis.answers, 4);
    let QuestionSummary::Choices { counts, .. } = &analysis.questions[0].summary else {
        panic!("{:?}", analysis.questions[0])
    };
    let counted: Vec<(String, u32)> = counts.iter().map(|c| (c.choice.clone(), c.count)).collect();
    assert_eq!(
        counted,
        [("満足".into(), 2), ("普通".into(), 1), ("不満".into(), 1)]
    );

    let table = w
        .desk
        .cross_tab(
            at(&kikaku),
            &id,
            &FieldId::parse("satisfaction").unwrap(),
            "age_group",
        )
        .await
        .unwrap();
    let thirties = table.rows.iter().find(|r| r.label == "30代").unwrap();
    assert_eq!(thirties.counts, [1, 0, 1]);
    assert_eq!(table.rows.last().unwrap().label, "未登録");
    assert!(matches!(
        w.desk
            .cross_tab(
                at(&kikaku),
                &id,
                &FieldId::parse("satisfaction").unwrap(),
                "nothing"
            )
            .await,
        Err(FormDeskError::UnknownAttribute(_))
    ));
    assert!(matches!(
        w.desk.analysis(at(&w.kenko), &id, 1).await,
        Err(FormDeskError::Answer(AnswerError::OtherDepartment(_)))
    ));
}

#[tokio::test]
async fn an_edit_after_answers_makes_a_new_version_and_old_answers_stay_readable() {
    let w = world();
    let id = w.published_checkup(10).await;
    let (_, edited) = w.desk.edit(at(&w.kenko), &id, checkup(12)).await.unwrap();
    assert_eq!(edited, Edited::InPlace { version: 1 });
    let old = w
        .desk
        .submit(
            &id,
            "U-old",
            &answer_of("小浜 旧", "基本"),
            Some("am"),
            no_attributes(),
            w.clock.now(),
        )
        .await
        .unwrap();
    let mut renamed = checkup(12);
    renamed.fields[2] = required(field(
        "course",
        "受診コース",
        tayori_domain::form::FieldKind::SingleChoice {
            choices: choices(&["基本", "基本＋がん検診", "基本＋骨密度"]),
        },
    ));
    let (form, edited) = w.desk.edit(at(&w.kenko), &id, renamed).await.unwrap();
    assert_eq!(edited, Edited::NewVersion { from: 1, to: 2 });
    assert_eq!(form.version(), 2);

    let detail = w.desk.answer(at(&w.kenko), &old.answer_id).await.unwrap();
    assert_eq!(detail.form.version(), 1);
    assert_eq!(
        detail.form.fields()[2].label,
        "コース",
        "read against the questions it answered"
    );

    let mut rows = w
        .desk
        .answer_rows(&id, AnswerFilter::default(), PersonalValues::LeftOut)
        .await
        .unwrap();
    assert_eq!(
        rows.header(),
        [
            "受付番号",
            "回答日時",
            "状態",
            "予約枠",
            "お名前",
            "電話番号",
            "受診コース",
            "受診券番号",
            "メモ"
        ],
        "the form as it is now names the columns"
    );
    let page = rows.next_rows().await.unwrap().unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(
        &page[0][..4],
        [
            "F2612-0001",
            "2026-12-01 10:00:00",
            "受付",
            "2026年12月20日(日) 10:00〜11:00"
        ]
    );
    assert_eq!(
        &page[0][4..7],
        [PERSONAL_LEFT_OUT, PERSONAL_LEFT_OUT, "基本"],
        "personal values are left out unless asked for"
    );
    assert!(rows.next_rows().await.unwrap().is_none());

    let mut with_personal = w
        .desk
        .answer_rows(&id, AnswerFilter::default(), PersonalValues::Included)
        .await
        .unwrap();
    let page = with_personal.next_rows().await.unwrap().unwrap();
    assert_eq!(&page[0][4..7], ["小浜 旧", "0770-53-1111", "基本"]);

    let cancelled_only = AnswerFilter {
        status: Some(AnswerStatus::Cancelled),
        ..AnswerFilter::default()
    };
    let mut none = w
        .desk
        .answer_rows(&id, cancelled_only, PersonalValues::Included)
        .await
        .unwrap();
    assert!(
        none.next_rows().await.unwrap().is_none(),
        "the page's filter narrows the file"
    );
    let now = w.desk.form(&id).await.unwrap();
    assert!(now.check_exporter(&w.kenko).is_ok());
    let viewer = clerk("viewer", &[Permission::FormsViewAnswers], None);
    assert!(now.check_exporter(&viewer).is_err());
}

#[tokio::test]
async fn a_citizen_cancels_their_reservation_and_the_place_goes_back() {
    let w = world();
    let id = w.published_checkup(1).await;
    let now = w.clock.now();
    let r = w
        .desk
        .submit(
            &id,
            "U-cancel",
            &answer_of("小浜 取消", "基本"),
            Some("am"),
            no_attributes(),
            now,
        )
        .await
        .unwrap();
    assert!(matches!(
        w.desk.cancel("U-someone-else", &r.answer_id, now).await,
        Err(FormDeskError::AnswerNotFound)
    ));
    let mine = w.desk.my_answers("U-cancel", now).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].form.title, "特定健診の予約");
    assert!(mine[0].cancellable);
    assert!(mine[0].lines.contains(&"お名前: 小浜 取消".to_string()));

    let cancelled = w.desk.cancel("U-cancel", &r.answer_id, now).await.unwrap();
    assert_eq!(cancelled.status(), AnswerStatus::Cancelled);
    let mine = w.desk.my_answers("U-cancel", now).await.unwrap();
    assert_eq!(mine[0].status, AnswerStatus::Cancelled);
    assert!(!mine[0].cancellable, "a cancellation is final");
    let told: Vec<FormAnswerStatusChanged> = w
        .published
        .of(FORM_ANSWER_STATUS_CHANGED)
        .into_iter()
        .map(|d| serde_json::from_value(d).unwrap())
        .collect();
    assert_eq!(told.len(), 1);
    // What the forms function does with it: the notice, then marked told once.
    let (answer, form) = w.desk.answer_for_notice(&told[0].answer_id).await.unwrap();
    let notice = answer.notice_text(&form, told[0].change_index).unwrap();
    assert!(notice.contains("キャンセル"), "{notice}");
    assert!(w
        .desk
        .mark_told(&r.answer_id, told[0].change_index, now)
        .await
        .unwrap());
    assert!(!w
        .desk
        .mark_told(&r.answer_id, told[0].change_index, now)
        .await
        .unwrap());
    let view = w.desk.for_citizen(&id, "U-next", now).await.unwrap();
    assert_eq!(view.slots[0].remaining, 1, "the place is free again");
    w.desk
        .submit(
            &id,
            "U-next",
            &answer_of("小浜 次", "基本"),
            Some("am"),
            no_attributes(),
            now,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn only_editors_of_the_department_build_its_forms_and_each_step_is_audited() {
    let w = world();
    let kikaku = clerk("kikaku", &[Permission::FormsEdit], Some(&["企画課"]));
    assert!(matches!(
        w.desk.create(at(&kikaku), checkup(3)).await,
        Err(FormDeskError::Form(FormError::OtherDepartment(_)))
    ));
    let viewer = clerk("viewer", &[Permission::FormsViewAnswers], None);
    assert!(matches!(
        w.desk.create(at(&viewer), checkup(3)).await,
        Err(FormDeskError::Form(FormError::NoPermission))
    ));
    let id = w.published_checkup(3).await;
    assert!(matches!(
        w.desk.close(at(&kikaku), &id).await,
        Err(FormDeskError::Form(FormError::OtherDepartment(_)))
    ));
    assert!(matches!(
        w.desk.get(at(&kikaku), &id).await,
        Err(FormDeskError::Form(FormError::OtherDepartment(_)))
    ));
    let closed = w.desk.close(at(&w.kenko), &id).await.unwrap();
    assert_eq!(closed.status(), tayori_domain::form::FormStatus::Closed);
    let view = w
        .desk
        .for_citizen(&id, "U-late", w.clock.now())
        .await
        .unwrap();
    assert_eq!(view.availability, Availability::Ended);
    assert!(w.desk.open_forms(w.clock.now()).await.unwrap().is_empty());
    let reopened = w.desk.reopen(at(&w.kenko), &id).await.unwrap();
    assert_eq!(reopened.status(), tayori_domain::form::FormStatus::Open);
    let listed = w.desk.list(at(&w.kenko)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].form.id(), &id);
    let actions = w.audit_actions().await;
    for action in [
        "フォームを作成",
        "フォームを公開",
        "フォームの受付を終了",
        "フォームの受付を再開",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_question_dropped_in_a_later_version_keeps_its_old_answers_in_the_csv() {
    let w = world();
    let id = w.published_checkup(10).await;
    w.desk
        .submit(
            &id,
            "U-old",
            &answer_of("小浜 旧", "基本＋がん検診"),
            Some("am"),
            no_attributes(),
            w.clock.now(),
        )
        .await
        .unwrap();
    let mut without_course = checkup(10);
    without_course.fields.remove(2);
    let (_, edited) = w
        .desk
        .edit(at(&w.kenko), &id, without_course)
        .await
        .unwrap();
    assert_eq!(edited, Edited::NewVersion { from: 1, to: 2 });
    let mut rows = w
        .desk
        .answer_rows(&id, AnswerFilter::default(), PersonalValues::LeftOut)
        .await
        .unwrap();
    assert_eq!(
        rows.header(),
        [
            "受付番号",
            "回答日時",
            "状態",
            "予約枠",
            "お名前",
            "電話番号",
            "受診券番号",
            "コース（第1版）",
            "メモ"
        ]
    );
    let page = rows.next_rows().await.unwrap().unwrap();
    assert_eq!(page[0][7], "基本＋がん検診");
}
