use super::*;
use crate::staff::{DepartmentScope, LoginId, StaffProfile};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use std::collections::BTreeSet;

/// A JST wall-clock time as UTC.
fn jst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    crate::time::jst()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn staff(login: &str, permissions: &[Permission], departments: &[&str]) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: departments.first().copied().unwrap_or("総務課").into(),
            permissions: permissions.iter().copied().collect(),
            scope: DepartmentScope::Only(departments.iter().map(|d| d.to_string()).collect()),
        },
        "hash".into(),
        jst(2026, 12, 1, 9, 0),
    )
}

fn kosodate() -> StaffAccount {
    staff("kosodate", &[Permission::Consultations], &["子ども未来課"])
}

fn childcare_case() -> Case {
    Case::open(
        "c1".into(),
        Topic::Childcare,
        "Uabc".into(),
        jst(2026, 12, 2, 10, 0),
    )
}

// ---- the case --------------------------------------------------------------------------------

#[test]
fn a_case_belongs_to_its_topics_department_and_waits_from_opening() {
    let case = childcare_case();
    assert_eq!(case.department(), "子ども未来課");
    assert!(case.is_open());
    assert_eq!(case.awaiting_since(), Some(jst(2026, 12, 2, 10, 0)));
    assert!(case.visible_to(&kosodate()));
    let kankyo = staff("kankyo", &[Permission::Consultations], &["環境衛生課"]);
    assert!(!case.visible_to(&kankyo));
}

#[test]
fn every_topic_and_closing_code_round_trips() {
    for topic in Topic::ALL {
        assert_eq!(Topic::from_code(topic.code()), Some(topic));
    }
    for closing in Closing::FOR_STAFF
        .into_iter()
        .chain([Closing::EndedByCitizen])
    {
        assert_eq!(Closing::from_code(closing.code()), Some(closing));
    }
    assert_eq!(Topic::from_code("tax"), None);
}

#[test]
fn a_staff_reply_ends_the_wait_and_the_citizens_next_message_starts_a_new_one() {
    let mut case = childcare_case();
    case.citizen_wrote(
        CitizenContent::Text(" 保育園のことで ".into()),
        jst(2026, 12, 2, 10, 1),
    )
    .unwrap();
    // Still waiting since the opening, not since the message.
    assert_eq!(case.awaiting_since(), Some(jst(2026, 12, 2, 10, 0)));
    let reply = case
        .reply(&kosodate(), "担当の山田です。", jst(2026, 12, 2, 11, 0))
        .unwrap();
    assert!(matches!(reply, Message::Reply { ref text, .. } if text == "担当の山田です。"));
    assert_eq!(case.awaiting_since(), None);
    assert_eq!(case.last_reply_at(), Some(jst(2026, 12, 2, 11, 0)));
    let image = ImageRef {
        key: "consultations/images/1.jpg".into(),
    };
    let sent = case
        .citizen_wrote(
            CitizenContent::Image(image.clone()),
            jst(2026, 12, 2, 12, 0),
        )
        .unwrap();
    assert_eq!(
        sent,
        Message::CitizenImage {
            at: jst(2026, 12, 2, 12, 0),
            image
        }
    );
    assert_eq!(case.awaiting_since(), Some(jst(2026, 12, 2, 12, 0)));
    assert_eq!((case.citizen_messages(), case.replies()), (2, 1));
}

#[test]
fn a_case_waits_too_long_only_while_open_and_unanswered_for_n_hours() {
    let mut case = childcare_case();
    assert!(!case.waiting_too_long(jst(2026, 12, 2, 17, 59), 8));
    assert!(case.waiting_too_long(jst(2026, 12, 2, 18, 0), 8));
    case.reply(&kosodate(), "確認します。", jst(2026, 12, 2, 18, 30))
        .unwrap();
    assert!(!case.waiting_too_long(jst(2026, 12, 5, 9, 0), 8));
    case.citizen_wrote(
        CitizenContent::Text("まだですか".into()),
        jst(2026, 12, 3, 9, 0),
    )
    .unwrap();
    assert!(case.waiting_too_long(jst(2026, 12, 3, 17, 0), 8));
    case.end_by_citizen(jst(2026, 12, 3, 17, 1)).unwrap();
    assert!(!case.waiting_too_long(jst(2026, 12, 4, 17, 0), 8));
}

#[test]
fn only_consultation_staff_of_the_department_may_reply_note_assign_or_close() {
    let mut case = childcare_case();
    let now = jst(2026, 12, 2, 11, 0);
    let no_permission = staff("tsuho", &[Permission::ReportsHandle], &["子ども未来課"]);
    assert_eq!(
        case.reply(&no_permission, "こんにちは", now),
        Err(ConsultationError::NoPermission)
    );
    let outsider = staff("kankyo", &[Permission::Consultations], &["環境衛生課"]);
    assert_eq!(
        case.note(&outsider, "メモ", now),
        Err(ConsultationError::OtherDepartment("子ども未来課".into()))
    );
    assert_eq!(
        case.assign(&kosodate(), Some(&outsider), now),
        Err(ConsultationError::AssigneeOutside(
            "kankyoさん".into(),
            "子ども未来課".into()
        ))
    );
    case.assign(&kosodate(), Some(&kosodate()), now).unwrap();
    assert_eq!(case.assignee().unwrap().name, "kosodateさん");
    assert_eq!(
        case.close(&outsider, Closing::Resolved, now),
        Err(ConsultationError::OtherDepartment("子ども未来課".into()))
    );
    assert_eq!(case.replies(), 0);
    assert!(case.is_open());
}

#[test]
fn texts_must_be_given_and_fit_in_a_line_message() {
    let mut case = childcare_case();
    let now = jst(2026, 12, 2, 11, 0);
    assert_eq!(
        case.reply(&kosodate(), "  ", now),
        Err(ConsultationError::EmptyText)
    );
    assert_eq!(
        case.note(&kosodate(), &"あ".repeat(MAX_TEXT_CHARS + 1), now),
        Err(ConsultationError::TextTooLong)
    );
    assert!(case
        .reply(&kosodate(), &"あ".repeat(MAX_TEXT_CHARS), now)
        .is_ok());
}

#[test]
fn a_closed_case_takes_no_more_messages_or_replies_but_takes_notes() {
    let mut case = childcare_case();
    let now = jst(2026, 12, 2, 11, 0);
    assert_eq!(
        case.close(&kosodate(), Closing::EndedByCitizen, now),
        Err(ConsultationError::CitizensClosing)
    );
    case.close(&kosodate(), Closing::Referred, now).unwrap();
    let closed = case.closed().unwrap();
    assert_eq!(closed.closing, Closing::Referred);
    assert_eq!(closed.by.as_ref().unwrap().name, "kosodateさん");
    assert_eq!(
        case.citizen_wrote(CitizenContent::Text("もう一つ".into()), now),
        Err(ConsultationError::AlreadyClosed)
    );
    assert_eq!(
        case.reply(&kosodate(), "返信", now),
        Err(ConsultationError::AlreadyClosed)
    );
    assert_eq!(
        case.close(&kosodate(), Closing::Resolved, now),
        Err(ConsultationError::AlreadyClosed)
    );
    assert_eq!(
        case.end_by_citizen(now),
        Err(ConsultationError::AlreadyClosed)
    );
    assert!(case.note(&kosodate(), "後日電話あり", now).is_ok());
}

#[test]
fn the_citizen_ending_the_case_names_no_staff() {
    let mut case = childcare_case();
    case.end_by_citizen(jst(2026, 12, 2, 12, 0)).unwrap();
    let closed = case.closed().unwrap();
    assert_eq!(closed.closing, Closing::EndedByCitizen);
    assert_eq!(closed.by, None);
}

#[test]
fn the_auto_reply_goes_out_at_most_once_per_interval() {
    let mut case = childcare_case();
    let every = Duration::minutes(60);
    assert!(case.take_auto_reply(jst(2026, 12, 2, 18, 0), every));
    assert!(!case.take_auto_reply(jst(2026, 12, 2, 18, 59), every));
    assert!(case.take_auto_reply(jst(2026, 12, 2, 19, 0), every));
    case.end_by_citizen(jst(2026, 12, 2, 19, 1)).unwrap();
    assert!(!case.take_auto_reply(jst(2026, 12, 2, 23, 0), every));
}

#[test]
fn a_case_round_trips_through_its_stored_layout() {
    let mut case = childcare_case();
    case.citizen_wrote(
        CitizenContent::Text("相談です".into()),
        jst(2026, 12, 2, 10, 5),
    )
    .unwrap();
    case.assign(&kosodate(), Some(&kosodate()), jst(2026, 12, 2, 10, 6))
        .unwrap();
    let json = serde_json::to_string(&case).unwrap();
    assert_eq!(serde_json::from_str::<Case>(&json).unwrap(), case);
}

// ---- office hours ----------------------------------------------------------------------------

fn hours_with_holiday(date: NaiveDate) -> OfficeHours {
    let default = OfficeHours::default();
    OfficeHours::new(*default.week(), BTreeSet::from([date]))
}

#[test]
fn the_desk_is_open_on_weekdays_from_half_past_eight_until_a_quarter_past_five() {
    let hours = OfficeHours::default();
    // 2026-12-02 is a Wednesday.
    assert!(!hours.is_open(jst(2026, 12, 2, 8, 29)));
    assert!(hours.is_open(jst(2026, 12, 2, 8, 30)));
    assert!(hours.is_open(jst(2026, 12, 2, 17, 14)));
    assert!(!hours.is_open(jst(2026, 12, 2, 17, 15)));
    assert!(!hours.is_open(jst(2026, 12, 5, 10, 0)), "Saturday");
    assert_eq!(hours.auto_reply(jst(2026, 12, 2, 10, 0)), None);
}

#[test]
fn after_hours_the_reply_names_the_next_mornings_opening() {
    let hours = OfficeHours::default();
    assert_eq!(
        hours.auto_reply(jst(2026, 12, 2, 18, 0)).unwrap(),
        "受付時間外です。12月3日(木) 8:30以降に担当者から返信します。"
    );
}

#[test]
fn before_hours_the_reply_names_the_same_mornings_opening() {
    let hours = OfficeHours::default();
    assert_eq!(
        hours.auto_reply(jst(2026, 12, 3, 7, 0)).unwrap(),
        "受付時間外です。12月3日(木) 8:30以降に担当者から返信します。"
    );
}

#[test]
fn on_a_weekend_the_reply_names_monday() {
    let hours = OfficeHours::default();
    assert_eq!(
        hours.auto_reply(jst(2026, 12, 4, 17, 30)).unwrap(),
        "受付時間外です。12月7日(月) 8:30以降に担当者から返信します。"
    );
    assert_eq!(
        hours.next_opening(jst(2026, 12, 6, 12, 0)),
        Some(
            crate::time::jst()
                .with_ymd_and_hms(2026, 12, 7, 8, 30, 0)
                .unwrap()
        )
    );
}

#[test]
fn a_closed_date_is_skipped_even_on_a_weekday() {
    let hours = hours_with_holiday(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    assert!(!hours.is_open(jst(2026, 12, 3, 10, 0)));
    assert_eq!(
        hours.auto_reply(jst(2026, 12, 2, 18, 0)).unwrap(),
        "受付時間外です。12月4日(金) 8:30以降に担当者から返信します。"
    );
}

#[test]
fn a_desk_that_never_opens_promises_no_date() {
    let hours = OfficeHours::new([None; 7], BTreeSet::new());
    assert_eq!(hours.next_opening(jst(2026, 12, 2, 10, 0)), None);
    assert_eq!(
        hours.auto_reply(jst(2026, 12, 2, 10, 0)).unwrap(),
        "受付時間外です。担当者から改めて返信します。"
    );
}

#[test]
fn the_settings_form_reads_hours_and_closed_dates_or_says_what_is_wrong() {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert_eq!(
        DaySpan::parse("月曜日", "9:00", "12:00").unwrap(),
        DaySpan::new(t(9, 0), t(12, 0))
    );
    assert_eq!(DaySpan::parse("土曜日", "", " ").unwrap(), None);
    assert_eq!(
        DaySpan::parse("月曜日", "9:00", ""),
        Err(OfficeHoursError::HalfFilled("月曜日"))
    );
    assert_eq!(
        DaySpan::parse("月曜日", "17:00", "9:00"),
        Err(OfficeHoursError::EndNotAfterStart("月曜日"))
    );
    assert_eq!(
        DaySpan::parse("月曜日", "九時", "17:00"),
        Err(OfficeHoursError::BadTime("月曜日", "九時".into()))
    );
    let dates = OfficeHours::parse_closed_dates("2026-12-29\n\n 2026/12/30 \n").unwrap();
    assert_eq!(dates.len(), 2);
    assert_eq!(
        OfficeHours::parse_closed_dates("12月29日"),
        Err(OfficeHoursError::BadDate("12月29日".into()))
    );
}

#[test]
fn settings_keep_their_limits() {
    let hours = OfficeHours::default();
    assert_eq!(
        ConsultationSettings::new(hours.clone(), 0, 60),
        Err(SettingsError::ReplyWait)
    );
    assert_eq!(
        ConsultationSettings::new(hours.clone(), 8, 1441),
        Err(SettingsError::AutoReplyInterval)
    );
    let settings = ConsultationSettings::new(hours, 24, 30).unwrap();
    assert_eq!(settings.auto_reply_every(), Duration::minutes(30));
}
