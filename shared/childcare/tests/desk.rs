//! The desk: a citizen's children and opt-out, and staff's schedule (audited).

use crate::support::*;
use chrono::{Datelike, NaiveTime};
use tayori_childcare::{ChildcareDesk, ChildcareError, Clerk};
use tayori_domain::childcare::{Birth, ChildError, StageError, StageTiming};
use tayori_domain::staff::Permission;
use tayori_ports::Clock;
use tayori_records::AuditLog;

#[tokio::test]
async fn a_citizen_registers_several_children_removes_one_and_opts_out_and_in() {
    let subject = Platforms::embedded();
    let desk = ChildcareDesk::new(&subject.platform);
    let first = desk
        .register_child(
            &user(1),
            Birth::Born {
                month: month(2026, 1),
            },
            Some("はな"),
        )
        .await
        .unwrap();
    let second = desk
        .register_child(
            &user(1),
            Birth::Expected {
                due: day(2026, 6, 30),
            },
            None,
        )
        .await
        .unwrap();
    assert_ne!(first.id(), second.id());
    assert_eq!(second.registered_on(), day(2026, 2, 10), "today in JST");
    let mine = desk.subscription(&user(1)).await.unwrap();
    assert_eq!(mine.children(), [first.clone(), second.clone()]);
    assert!(desk
        .subscription(&user(2))
        .await
        .unwrap()
        .children()
        .is_empty());

    desk.remove_child(&user(1), first.id()).await.unwrap();
    assert_eq!(
        desk.subscription(&user(1)).await.unwrap().children(),
        std::slice::from_ref(&second)
    );
    let again = desk.remove_child(&user(1), first.id()).await.unwrap_err();
    assert!(matches!(again, ChildcareError::Child(ChildError::NotFound)));
    assert_eq!(again.to_string(), "そのお子さんの登録は見つかりません。");

    desk.opt_out(&user(1)).await.unwrap();
    assert!(desk.subscription(&user(1)).await.unwrap().is_opted_out());
    desk.opt_in(&user(1)).await.unwrap();
    assert!(!desk.subscription(&user(1)).await.unwrap().is_opted_out());

    desk.record_birth(&user(1), second.id(), month(2026, 2))
        .await
        .unwrap();
    assert_eq!(
        desk.subscription(&user(1)).await.unwrap().children()[0].birth(),
        Birth::Born {
            month: month(2026, 2)
        }
    );
}

#[tokio::test]
async fn a_child_is_refused_in_words_a_parent_understands() {
    let subject = Platforms::embedded();
    let desk = ChildcareDesk::new(&subject.platform);
    let passed = desk
        .register_child(
            &user(1),
            Birth::Expected {
                due: day(2026, 2, 9),
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        passed.to_string(),
        "出産予定日が過ぎています。お子さんが生まれたら、生まれた年月を登録してください。"
    );
    let future = desk
        .register_child(
            &user(1),
            Birth::Born {
                month: month(2026, 3),
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(future.to_string(), "生まれた年月が未来になっています。");
    assert!(desk.subscription(&user(1)).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_schedule_is_saved_only_by_staff_who_may_send_and_each_save_is_audited() {
    let subject = Platforms::embedded();
    let desk = ChildcareDesk::new(&subject.platform);
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let drafter = clerk("shitagaki", &[Permission::DeliveryDraft]);
    let refused = desk
        .save_settings(
            Clerk {
                account: &drafter,
                ip: "192.0.2.1",
            },
            schedule(),
            nine,
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, ChildcareError::NotAllowed));
    assert!(desk.settings().await.unwrap().schedule.is_empty());

    let sender = clerk("kosodate", &[Permission::DeliverySend]);
    desk.save_settings(
        Clerk {
            account: &sender,
            ip: "192.0.2.2",
        },
        schedule(),
        nine,
    )
    .await
    .unwrap();
    let saved = desk.settings().await.unwrap();
    assert_eq!(saved.schedule, schedule());
    assert_eq!(saved.send_at, nine);

    let now = tayori_domain::time::to_jst(subject.clock.now());
    let (entries, _) = AuditLog::new(subject.platform.table.clone())
        .month(now.year(), now.month(), None, 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "the refusal is not a change");
    assert_eq!(entries[0].actor, "kosodate");
    assert_eq!(entries[0].ip, "192.0.2.2");
    assert_eq!(entries[0].action, "子育て情報の配信スケジュールを保存");
    assert_eq!(entries[0].summary, "段階 0件 → 3件、配信時刻 10:00 → 09:00");
}

#[tokio::test]
async fn a_stage_is_added_changed_and_removed_one_at_a_time_by_staff_who_may_send() {
    let subject = Platforms::embedded();
    let desk = ChildcareDesk::new(&subject.platform);
    let drafter = clerk("shitagaki", &[Permission::DeliveryDraft]);
    let vaccine = || {
        stage(
            "vaccine-2m",
            "予防接種",
            StageTiming::Age {
                years: 0,
                months: 2,
            },
        )
    };
    let refused = desk
        .add_stage(
            Clerk {
                account: &drafter,
                ip: "-",
            },
            vaccine(),
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, ChildcareError::NotAllowed));
    assert!(desk.settings().await.unwrap().schedule.is_empty());

    let sender = clerk("kosodate", &[Permission::DeliverySend]);
    let by = Clerk {
        account: &sender,
        ip: "192.0.2.2",
    };
    desk.add_stage(by, vaccine()).await.unwrap();
    let twice = desk.add_stage(by, vaccine()).await.unwrap_err();
    assert!(matches!(
        twice,
        ChildcareError::Stage(StageError::DuplicateId(_))
    ));
    let later = stage(
        "vaccine-2m",
        "予防接種（3か月）",
        StageTiming::Age {
            years: 0,
            months: 3,
        },
    );
    desk.replace_stage(by, later.clone()).await.unwrap();
    assert_eq!(
        desk.settings().await.unwrap().schedule.stages(),
        std::slice::from_ref(&later)
    );
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    desk.set_send_time(by, nine).await.unwrap();
    assert_eq!(desk.remove_stage(by, "vaccine-2m").await.unwrap(), later);
    let gone = desk.remove_stage(by, "vaccine-2m").await.unwrap_err();
    assert!(matches!(gone, ChildcareError::Stage(StageError::NotFound)));
    let settings = desk.settings().await.unwrap();
    assert!(settings.schedule.is_empty());
    assert_eq!(settings.send_at, nine, "removing a stage keeps the time");

    let now = tayori_domain::time::to_jst(subject.clock.now());
    let (entries, _) = AuditLog::new(subject.platform.table.clone())
        .month(now.year(), now.month(), None, 10)
        .await
        .unwrap();
    // The test clock stands still, so the entries share a time: compared in any order.
    let mut summaries: Vec<&str> = entries.iter().map(|e| e.summary.as_str()).collect();
    summaries.sort();
    let mut expected = [
        "追加「vaccine-2m」予防接種。段階 0件 → 1件、配信時刻 10:00 → 10:00",
        "変更「vaccine-2m」予防接種（3か月）。段階 1件 → 1件、配信時刻 10:00 → 10:00",
        "段階 1件 → 1件、配信時刻 10:00 → 09:00",
        "削除「vaccine-2m」予防接種（3か月）。段階 1件 → 0件、配信時刻 09:00 → 09:00",
    ];
    expected.sort();
    assert_eq!(summaries, expected, "refusals are not changes");
}

#[tokio::test]
async fn two_clerks_adding_a_stage_at_once_both_keep_theirs() {
    let subject = Platforms::embedded();
    let desk = ChildcareDesk::new(&subject.platform);
    let sender = clerk("kosodate", &[Permission::DeliverySend]);
    let by = Clerk {
        account: &sender,
        ip: "-",
    };
    let at = |months| StageTiming::Age { years: 0, months };
    let ids = ["vaccine-2m", "checkup-3m", "checkup-4m", "checkup-6m"];
    let added = tokio::join!(
        desk.add_stage(by, stage(ids[0], "案内", at(2))),
        desk.add_stage(by, stage(ids[1], "案内", at(3))),
        desk.add_stage(by, stage(ids[2], "案内", at(4))),
        desk.add_stage(by, stage(ids[3], "案内", at(6))),
    );
    for each in [added.0, added.1, added.2, added.3] {
        each.unwrap();
    }
    let saved = desk.settings().await.unwrap();
    let kept: Vec<&str> = saved.schedule.stages().iter().map(|s| s.id()).collect();
    assert_eq!(kept, ids);
}
