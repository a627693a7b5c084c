//! The daily run of stage messages on the embedded store, at fixed clocks. The schedule
//! (support::schedule) sends 妊娠届出後, 生後2か月 and 3歳 at 10:00 JST.

use crate::support::*;
use tayori_childcare::{delivery_id, ChildcareDesk, StageMessages, CREATED_BY};
use tayori_deliveries::DeliveryDesk;
use tayori_domain::childcare::Birth;
use tayori_domain::delivery::DeliveryStatus;
use tayori_records::children::ChildcareSettings;
use tayori_records::ChildcareRecords;

async fn with_schedule(subject: &Platforms) {
    ChildcareRecords::new(&subject.platform)
        .save_settings(&ChildcareSettings {
            schedule: schedule(),
            ..ChildcareSettings::default()
        })
        .await
        .unwrap();
}

async fn born(subject: &Platforms, user_id: &str, y: i32, m: u32) -> String {
    ChildcareDesk::new(&subject.platform)
        .register_child(user_id, Birth::Born { month: month(y, m) }, None)
        .await
        .unwrap()
        .id()
        .to_string()
}

async fn run(subject: &Platforms, at: &str) -> Vec<String> {
    subject.clock.set(jst(at));
    StageMessages::new(subject.platform.clone())
        .prepare(jst(at))
        .await
        .unwrap()
}

async fn addressees(subject: &Platforms, id: &str) -> Vec<String> {
    ChildcareRecords::new(&subject.platform)
        .addressees(id)
        .await
        .unwrap()
}

#[tokio::test]
async fn at_the_send_time_the_day_a_child_reaches_a_stage_one_delivery_goes_to_the_parent_once() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    born(&subject, &user(1), 2026, 1).await;

    assert!(run(&subject, "2026-02-28T10:00:00+09:00").await.is_empty());
    assert!(
        run(&subject, "2026-03-01T09:59:00+09:00").await.is_empty(),
        "not before 10:00"
    );
    let id = delivery_id(day(2026, 3, 1), "vaccine-2m");
    assert_eq!(
        run(&subject, "2026-03-01T10:00:00+09:00").await,
        std::slice::from_ref(&id)
    );
    assert!(run(&subject, "2026-03-01T10:01:00+09:00").await.is_empty());
    assert!(
        run(&subject, "2026-03-02T10:00:00+09:00").await.is_empty(),
        "sent once"
    );

    let delivery = DeliveryDesk::new(&subject.platform).get(&id).await.unwrap();
    assert_eq!(delivery.status(), DeliveryStatus::Scheduled);
    assert!(delivery.is_to_named_citizens());
    assert_eq!(delivery.created().by, CREATED_BY);
    assert_eq!(delivery.title(), "子育て情報 予防接種（生後2か月）");
    assert_eq!(
        delivery.target_description(),
        "お子さんが「生後2か月」を迎えた保護者（1人）"
    );
    assert_eq!(addressees(&subject, &id).await, [user(1)]);
}

#[tokio::test]
async fn parents_of_children_reaching_one_stage_on_a_day_share_one_delivery() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    born(&subject, &user(1), 2026, 1).await;
    born(&subject, &user(2), 2026, 1).await;
    born(&subject, &user(3), 2025, 12).await;
    let id = delivery_id(day(2026, 3, 1), "vaccine-2m");
    assert_eq!(
        run(&subject, "2026-03-01T10:00:00+09:00").await,
        std::slice::from_ref(&id)
    );
    assert_eq!(addressees(&subject, &id).await, [user(1), user(2)]);
}

#[tokio::test]
async fn a_sender_down_for_days_catches_up_within_the_window_and_not_after() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    born(&subject, &user(1), 2026, 1).await;
    born(&subject, &user(2), 2025, 12).await; // 生後2か月 on 2026-02-01: long past
    let late = run(&subject, "2026-03-07T15:00:00+09:00").await;
    assert_eq!(late, [delivery_id(day(2026, 3, 7), "vaccine-2m")]);
    assert_eq!(addressees(&subject, &late[0]).await, [user(1)]);
}

#[tokio::test]
async fn a_stage_reached_over_a_week_ago_is_never_sent() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    born(&subject, &user(1), 2026, 1).await;
    assert!(run(&subject, "2026-03-08T10:00:00+09:00").await.is_empty());
}

#[tokio::test]
async fn a_child_registered_at_three_years_gets_the_three_year_stage_and_nothing_of_a_baby() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    subject.clock.set(jst("2026-03-02T08:00:00+09:00"));
    born(&subject, &user(1), 2023, 3).await;
    let sent = run(&subject, "2026-03-02T10:00:00+09:00").await;
    assert_eq!(sent, [delivery_id(day(2026, 3, 2), "checkup-3y")]);
}

#[tokio::test]
async fn an_opted_out_or_removed_child_is_sent_nothing() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    let desk = ChildcareDesk::new(&subject.platform);
    born(&subject, &user(1), 2026, 1).await;
    let removed = born(&subject, &user(2), 2026, 1).await;
    desk.opt_out(&user(1)).await.unwrap();
    desk.remove_child(&user(2), &removed).await.unwrap();
    assert!(run(&subject, "2026-03-01T10:00:00+09:00").await.is_empty());
}

#[tokio::test]
async fn nothing_is_sent_before_staff_build_a_schedule() {
    let subject = Platforms::embedded();
    born(&subject, &user(1), 2026, 1).await;
    assert!(run(&subject, "2026-03-01T10:00:00+09:00").await.is_empty());
    assert!(!ChildcareRecords::new(&subject.platform)
        .day_done(day(2026, 3, 1))
        .await
        .unwrap());
}

#[tokio::test]
async fn a_run_that_died_after_claiming_is_finished_by_the_next_tick_of_the_day() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    let child = born(&subject, &user(1), 2026, 1).await;
    let id = delivery_id(day(2026, 3, 1), "vaccine-2m");
    // The dead run's claim, under the day's delivery id; no delivery yet.
    ChildcareRecords::new(&subject.platform)
        .claim(&child, "vaccine-2m", &id, jst("2026-03-01T10:00:00+09:00"))
        .await
        .unwrap();
    assert_eq!(
        run(&subject, "2026-03-01T10:01:00+09:00").await,
        std::slice::from_ref(&id)
    );
    assert_eq!(addressees(&subject, &id).await, [user(1)]);
}

#[tokio::test]
async fn a_pregnancy_registered_today_gets_its_message_at_the_send_time() {
    let subject = Platforms::embedded();
    with_schedule(&subject).await;
    subject.clock.set(jst("2026-03-02T08:00:00+09:00"));
    ChildcareDesk::new(&subject.platform)
        .register_child(
            &user(1),
            Birth::Expected {
                due: day(2026, 9, 20),
            },
            None,
        )
        .await
        .unwrap();
    let sent = run(&subject, "2026-03-02T10:00:00+09:00").await;
    assert_eq!(sent, [delivery_id(day(2026, 3, 2), "pregnancy")]);
}
