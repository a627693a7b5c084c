use super::*;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

fn age(years: u32, months: u32) -> StageTiming {
    StageTiming::Age { years, months }
}

fn stage(id: &str, timing: StageTiming) -> Stage {
    Stage::new(id, "案内", timing, "本文です。", None).unwrap()
}

fn born(month: YearMonth, today: NaiveDate) -> Child {
    Child::new("c1", Birth::Born { month }, None, today).unwrap()
}

fn expected(due: NaiveDate, today: NaiveDate) -> Child {
    Child::new("c1", Birth::Expected { due }, None, today).unwrap()
}

/// 小浜市's kind of schedule, as in the issue.
fn schedule() -> StageSchedule {
    StageSchedule::new(vec![
        stage("school", age(5, 6)),
        stage("checkup-3y", age(3, 0)),
        stage("vaccine-2m", age(0, 2)),
        stage(
            "pregnancy",
            StageTiming::AfterPregnancyRegistered { days: 0 },
        ),
        stage("checkup-18m", age(1, 6)),
        stage("checkup-3m", age(0, 3)),
        stage("late-pregnancy", StageTiming::BeforeDue { weeks: 8 }),
    ])
    .unwrap()
}

fn ids(pairs: &[(&Child, &Stage)]) -> Vec<String> {
    pairs.iter().map(|(_, s)| s.id().to_string()).collect()
}

#[test]
fn a_child_born_in_a_month_reaches_an_age_on_the_first_of_the_month_that_many_months_later() {
    let child = born(ym(2026, 1), d(2026, 2, 10));
    assert_eq!(child.reaches(age(0, 2)), Some(d(2026, 3, 1)));
    assert_eq!(child.reaches(age(1, 6)), Some(d(2027, 7, 1)));
    assert_eq!(child.reaches(age(3, 0)), Some(d(2029, 1, 1)));
    // Across the year's end.
    let november = born(ym(2025, 11), d(2026, 1, 5));
    assert_eq!(november.reaches(age(0, 2)), Some(d(2026, 1, 1)));
    assert_eq!(november.reaches(age(0, 3)), Some(d(2026, 2, 1)));
}

#[test]
fn a_child_born_in_a_month_has_no_stage_before_birth() {
    let child = born(ym(2026, 1), d(2026, 2, 10));
    assert_eq!(child.reaches(StageTiming::BeforeDue { weeks: 8 }), None);
    assert_eq!(
        child.reaches(StageTiming::AfterPregnancyRegistered { days: 0 }),
        None
    );
}

#[test]
fn ages_from_a_due_date_end_on_the_last_day_of_a_shorter_month() {
    let today = d(2025, 12, 1);
    let jan31 = expected(d(2026, 1, 31), today);
    assert_eq!(jan31.reaches(age(0, 1)), Some(d(2026, 2, 28)));
    assert_eq!(jan31.reaches(age(0, 2)), Some(d(2026, 3, 31)));
    assert_eq!(jan31.reaches(age(0, 3)), Some(d(2026, 4, 30)));
    // 2028 is a leap year: 31 January + 1 month is 29 February.
    let leap = expected(d(2028, 1, 31), d(2027, 6, 1));
    assert_eq!(leap.reaches(age(0, 1)), Some(d(2028, 2, 29)));
}

#[test]
fn a_child_due_on_29_february_reaches_a_year_on_28_february_and_four_years_on_29() {
    let child = expected(d(2028, 2, 29), d(2027, 6, 1));
    assert_eq!(child.reaches(age(1, 0)), Some(d(2029, 2, 28)));
    assert_eq!(child.reaches(age(4, 0)), Some(d(2032, 2, 29)));
    assert_eq!(child.reaches(age(0, 1)), Some(d(2028, 3, 29)));
}

#[test]
fn a_child_born_in_february_of_a_leap_year_counts_by_the_month() {
    let child = born(ym(2024, 2), d(2024, 3, 1));
    assert_eq!(child.reaches(age(1, 0)), Some(d(2025, 2, 1)));
    assert_eq!(child.reaches(age(0, 1)), Some(d(2024, 3, 1)));
}

#[test]
fn stages_before_birth_count_from_the_registration_and_the_due_date() {
    let child = expected(d(2026, 9, 20), d(2026, 3, 2));
    assert_eq!(
        child.reaches(StageTiming::AfterPregnancyRegistered { days: 0 }),
        Some(d(2026, 3, 2))
    );
    assert_eq!(
        child.reaches(StageTiming::AfterPregnancyRegistered { days: 30 }),
        Some(d(2026, 4, 1))
    );
    assert_eq!(
        child.reaches(StageTiming::BeforeDue { weeks: 8 }),
        Some(d(2026, 7, 26))
    );
}

#[test]
fn once_born_a_child_counts_from_the_birth_month_not_the_due_date() {
    let mut child = expected(d(2026, 3, 25), d(2026, 1, 10));
    assert_eq!(child.reaches(age(0, 2)), Some(d(2026, 5, 25)));
    child.record_birth(ym(2026, 3), d(2026, 3, 20)).unwrap();
    assert_eq!(child.birth(), Birth::Born { month: ym(2026, 3) });
    assert_eq!(child.reaches(age(0, 2)), Some(d(2026, 5, 1)));
    assert_eq!(child.reaches(StageTiming::BeforeDue { weeks: 8 }), None);
    assert_eq!(
        child.record_birth(ym(2026, 4), d(2026, 3, 20)),
        Err(ChildError::BornInFuture)
    );
}

#[test]
fn a_stage_is_due_from_the_day_it_is_reached_for_the_catch_up_window_only() {
    let child = born(ym(2026, 1), d(2026, 2, 10));
    let two_months = stage("vaccine-2m", age(0, 2));
    assert!(!child.is_due(&two_months, d(2026, 2, 28)));
    assert!(child.is_due(&two_months, d(2026, 3, 1)));
    assert!(child.is_due(&two_months, d(2026, 3, 7)));
    assert!(!child.is_due(&two_months, d(2026, 3, 8)));
    assert_eq!(CATCH_UP_DAYS, 7);
}

#[test]
fn a_child_registered_at_three_years_is_not_sent_the_stages_of_a_baby() {
    let today = d(2026, 3, 3);
    let mut citizen = ChildcareSubscription::default();
    citizen.add(born(ym(2023, 3), today)).unwrap();
    let schedule = schedule();
    assert_eq!(ids(&citizen.due_on(&schedule, today)), ["checkup-3y"]);
    assert!(citizen.due_on(&schedule, d(2026, 3, 8)).is_empty());
}

#[test]
fn due_on_finds_exactly_the_pairs_reached_in_the_window_for_each_child() {
    let today = d(2026, 2, 10);
    let mut citizen = ChildcareSubscription::default();
    citizen.add(born(ym(2026, 1), today)).unwrap();
    citizen
        .add(
            Child::new(
                "c2",
                Birth::Born {
                    month: ym(2025, 12),
                },
                Some("はな"),
                today,
            )
            .unwrap(),
        )
        .unwrap();
    citizen
        .add(Child::new("c3", Birth::Expected { due: d(2026, 4, 6) }, None, today).unwrap())
        .unwrap();
    let schedule = schedule();
    let on = |date| {
        let mut pairs: Vec<(String, String)> = citizen
            .due_on(&schedule, date)
            .into_iter()
            .map(|(c, s)| (c.id().to_string(), s.id().to_string()))
            .collect();
        pairs.sort();
        pairs
    };
    let pair = |c: &str, s: &str| (c.to_string(), s.to_string());
    assert_eq!(
        on(today),
        [pair("c3", "late-pregnancy"), pair("c3", "pregnancy")]
    );
    assert_eq!(
        on(d(2026, 3, 1)),
        [pair("c1", "vaccine-2m"), pair("c2", "checkup-3m")]
    );
    assert!(on(d(2026, 3, 8)).is_empty());
}

#[test]
fn an_opted_out_citizen_has_nothing_due_until_they_opt_in_again() {
    let today = d(2026, 3, 1);
    let mut citizen = ChildcareSubscription::default();
    citizen.add(born(ym(2026, 1), d(2026, 2, 1))).unwrap();
    citizen.opt_out();
    assert!(citizen.is_opted_out());
    assert!(citizen.due_on(&schedule(), today).is_empty());
    citizen.opt_in();
    assert_eq!(ids(&citizen.due_on(&schedule(), today)), ["vaccine-2m"]);
}

#[test]
fn a_removed_child_is_sent_nothing_more() {
    let today = d(2026, 3, 1);
    let mut citizen = ChildcareSubscription::default();
    citizen.add(born(ym(2026, 1), d(2026, 2, 1))).unwrap();
    let removed = citizen.remove("c1").unwrap();
    assert_eq!(removed.id(), "c1");
    assert!(citizen.due_on(&schedule(), today).is_empty());
    assert_eq!(citizen.remove("c1"), Err(ChildError::NotFound));
    assert!(citizen.is_empty());
}

#[test]
fn a_citizen_registers_at_most_ten_children_with_distinct_ids() {
    let today = d(2026, 3, 1);
    let mut citizen = ChildcareSubscription::default();
    for n in 0..MAX_CHILDREN {
        let child = Child::new(
            format!("c{n}"),
            Birth::Born { month: ym(2020, 1) },
            None,
            today,
        );
        citizen.add(child.unwrap()).unwrap();
    }
    let one_more = Child::new("c99", Birth::Born { month: ym(2020, 1) }, None, today).unwrap();
    assert_eq!(citizen.add(one_more), Err(ChildError::TooMany));
    citizen.remove("c0").unwrap();
    let again = Child::new("c1", Birth::Born { month: ym(2020, 1) }, None, today).unwrap();
    assert_eq!(citizen.add(again), Err(ChildError::InvalidId));
}

#[test]
fn a_child_is_checked_when_registered() {
    let today = d(2026, 3, 15);
    let new = |birth, nickname| Child::new("c1", birth, nickname, today);
    assert_eq!(
        new(Birth::Born { month: ym(2026, 4) }, None),
        Err(ChildError::BornInFuture)
    );
    assert!(new(Birth::Born { month: ym(2026, 3) }, None).is_ok());
    assert_eq!(
        new(Birth::Born { month: ym(2008, 2) }, None),
        Err(ChildError::TooOld)
    );
    assert!(new(Birth::Born { month: ym(2008, 3) }, None).is_ok());
    assert_eq!(
        new(
            Birth::Expected {
                due: d(2026, 3, 14)
            },
            None
        ),
        Err(ChildError::DueDatePassed)
    );
    assert_eq!(
        new(
            Birth::Expected {
                due: d(2027, 1, 10)
            },
            None
        ),
        Err(ChildError::DueDateTooFar)
    );
    let born = Birth::Born { month: ym(2025, 5) };
    assert_eq!(
        new(born, Some("あいうえおかきくけこさ")),
        Err(ChildError::NicknameTooLong)
    );
    let ten = new(born, Some(" あいうえおかきくけこ ")).unwrap();
    assert_eq!(ten.nickname(), Some("あいうえおかきくけこ"));
    assert_eq!(new(born, Some("  ")).unwrap().nickname(), None);
    assert_eq!(new(born, Some("a\nb")), Err(ChildError::NicknameInvalid));
    assert_eq!(
        Child::new("U#1", born, None, today),
        Err(ChildError::InvalidId)
    );
}

#[test]
fn a_year_month_parses_from_a_month_input_and_refuses_nonsense() {
    assert_eq!(YearMonth::parse("2026-01"), Ok(ym(2026, 1)));
    assert_eq!(YearMonth::parse("2026/1"), Ok(ym(2026, 1)));
    assert_eq!(ym(2026, 1).to_string(), "2026-01");
    for bad in ["2026-13", "2026-00", "2026", "abc-01", ""] {
        assert_eq!(
            YearMonth::parse(bad),
            Err(ChildError::InvalidMonth),
            "{bad}"
        );
    }
    assert_eq!(ym(2025, 11).plus_months(14), ym(2027, 1));
    let json = serde_json::to_string(&ym(2026, 1)).unwrap();
    assert_eq!(json, "\"2026-01\"");
    assert!(serde_json::from_str::<YearMonth>("\"2026-13\"").is_err());
}

#[test]
fn a_stage_is_checked_when_made() {
    let timing = age(0, 2);
    let new = |id: &str, title: &str, text: &str, link: Option<&str>| {
        Stage::new(id, title, timing, text, link)
    };
    assert_eq!(
        new("Vaccine", "予防接種", "本文", None),
        Err(StageError::InvalidId)
    );
    assert_eq!(
        new("", "予防接種", "本文", None),
        Err(StageError::InvalidId)
    );
    assert_eq!(new("v", " ", "本文", None), Err(StageError::InvalidTitle));
    assert_eq!(new("v", "予防接種", " ", None), Err(StageError::NoText));
    let long = "あ".repeat(MAX_STAGE_TEXT + 1);
    assert_eq!(
        new("v", "予防接種", &long, None),
        Err(StageError::TextTooLong)
    );
    assert!(new("v", "予防接種", &"あ".repeat(MAX_STAGE_TEXT), None).is_ok());
    for bad in [
        "http://example.jp",
        "https://",
        "javascript:alert(1)",
        "https://a b",
    ] {
        assert_eq!(
            new("v", "予防接種", "本文", Some(bad)),
            Err(StageError::InvalidLink),
            "{bad}"
        );
    }
    let with_link = new(
        "v",
        "予防接種",
        "本文",
        Some("https://www1.city.obama.fukui.jp/"),
    )
    .unwrap();
    assert_eq!(
        with_link.message(),
        "本文\nhttps://www1.city.obama.fukui.jp/"
    );
    assert_eq!(new("v", "予防接種", "本文", Some("")).unwrap().link(), None);
}

#[test]
fn a_stage_has_a_sensible_time() {
    let make = |timing| Stage::new("s", "案内", timing, "本文", None);
    assert_eq!(make(age(0, 0)), Err(StageError::InvalidAge));
    assert_eq!(make(age(1, 12)), Err(StageError::InvalidAge));
    assert_eq!(make(age(19, 0)), Err(StageError::InvalidAge));
    assert_eq!(
        make(StageTiming::BeforeDue { weeks: 0 }),
        Err(StageError::InvalidWeeks)
    );
    assert_eq!(
        make(StageTiming::BeforeDue { weeks: 41 }),
        Err(StageError::InvalidWeeks)
    );
    assert_eq!(
        make(StageTiming::AfterPregnancyRegistered { days: 281 }),
        Err(StageError::InvalidDays)
    );
    assert!(make(StageTiming::AfterPregnancyRegistered { days: 0 }).is_ok());
    assert_eq!(age(1, 6).label(), "1歳6か月");
    assert_eq!(age(0, 2).label(), "生後2か月");
    assert_eq!(age(3, 0).label(), "3歳");
}

#[test]
fn a_schedule_is_in_the_order_children_reach_it_with_unique_ids() {
    let schedule = schedule();
    let order: Vec<&str> = schedule.stages().iter().map(Stage::id).collect();
    assert_eq!(
        order,
        [
            "pregnancy",
            "late-pregnancy",
            "vaccine-2m",
            "checkup-3m",
            "checkup-18m",
            "checkup-3y",
            "school"
        ]
    );
    assert_eq!(
        StageSchedule::new(vec![stage("a", age(0, 2)), stage("a", age(0, 3))]),
        Err(StageError::DuplicateId("a".into()))
    );
    let many = (0..=MAX_STAGES)
        .map(|n| stage(&format!("s{n}"), age(1, 0)))
        .collect();
    assert_eq!(StageSchedule::new(many), Err(StageError::TooMany));
    assert!(StageSchedule::default().is_empty());
}

#[test]
fn a_child_is_named_by_birth_month_or_due_date_in_the_parents_list() {
    assert_eq!(
        Birth::Born { month: ym(2026, 1) }.label(),
        "2026年1月生まれ"
    );
    assert_eq!(
        Birth::Expected {
            due: d(2027, 3, 10)
        }
        .label(),
        "出産予定日 2027年3月10日"
    );
}

#[test]
fn a_stage_added_takes_its_place_by_time_and_its_id_must_be_new() {
    let mut schedule = schedule();
    schedule.add(stage("checkup-1y", age(1, 0))).unwrap();
    let order: Vec<&str> = schedule.stages().iter().map(Stage::id).collect();
    assert_eq!(
        order,
        [
            "pregnancy",
            "late-pregnancy",
            "vaccine-2m",
            "checkup-3m",
            "checkup-1y",
            "checkup-18m",
            "checkup-3y",
            "school"
        ]
    );
    assert_eq!(
        schedule.add(stage("checkup-3m", age(0, 4))),
        Err(StageError::DuplicateId("checkup-3m".into()))
    );
    assert_eq!(schedule.stage("checkup-3m").unwrap().timing(), age(0, 3));
}

#[test]
fn a_full_schedule_takes_no_more_stages() {
    let mut schedule = StageSchedule::default();
    for n in 0..MAX_STAGES {
        schedule.add(stage(&format!("s{n}"), age(1, 0))).unwrap();
    }
    assert_eq!(
        schedule.add(stage("one-more", age(2, 0))),
        Err(StageError::TooMany)
    );
    assert_eq!(schedule.stages().len(), MAX_STAGES);
}

#[test]
fn a_stage_replaced_keeps_its_id_and_moves_to_its_new_time() {
    let mut schedule = schedule();
    let later = Stage::new("vaccine-2m", "予防接種（4か月）", age(0, 4), "本文", None).unwrap();
    schedule.replace(later).unwrap();
    let order: Vec<&str> = schedule.stages().iter().map(Stage::id).collect();
    assert_eq!(order[2..4], ["checkup-3m", "vaccine-2m"]);
    assert_eq!(
        schedule.stage("vaccine-2m").unwrap().title(),
        "予防接種（4か月）"
    );
    assert_eq!(
        schedule.replace(stage("unknown", age(0, 2))),
        Err(StageError::NotFound)
    );
    assert_eq!(schedule.stages().len(), 7);
}

#[test]
fn a_stage_removed_is_gone_and_removing_it_again_is_refused() {
    let mut schedule = schedule();
    assert_eq!(schedule.remove("school").unwrap().id(), "school");
    assert!(schedule.stage("school").is_none());
    assert_eq!(schedule.stages().len(), 6);
    assert_eq!(schedule.remove("school"), Err(StageError::NotFound));
}

#[test]
fn a_time_is_made_from_the_forms_parts_in_half_or_full_width_digits() {
    let from = StageTiming::from_parts;
    assert_eq!(from(TimingKind::Age, "", "2"), Ok(age(0, 2)));
    assert_eq!(from(TimingKind::Age, "１", "６"), Ok(age(1, 6)));
    assert_eq!(from(TimingKind::Age, "3", ""), Ok(age(3, 0)));
    assert_eq!(from(TimingKind::Age, "", ""), Err(StageError::InvalidAge));
    assert_eq!(
        from(TimingKind::Age, "二", "0"),
        Err(StageError::InvalidAge)
    );
    assert_eq!(
        from(TimingKind::BeforeDue, "8", "99"),
        Ok(StageTiming::BeforeDue { weeks: 8 })
    );
    assert_eq!(
        from(TimingKind::BeforeDue, "-1", ""),
        Err(StageError::InvalidWeeks)
    );
    assert_eq!(
        from(TimingKind::AfterPregnancyRegistered, "", ""),
        Ok(StageTiming::AfterPregnancyRegistered { days: 0 })
    );
    assert_eq!(
        from(TimingKind::AfterPregnancyRegistered, "1.5", ""),
        Err(StageError::InvalidDays)
    );
    for kind in TimingKind::ALL {
        assert_eq!(TimingKind::parse(kind.code()), Ok(kind));
    }
    assert_eq!(TimingKind::parse(""), Err(StageError::NoTiming));
    assert_eq!(age(1, 6).kind(), TimingKind::Age);
    assert_eq!(StageError::InvalidLink.field(), "link");
}

#[test]
fn the_send_time_is_read_as_hours_and_minutes() {
    let at = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert_eq!(parse_send_time("10:00"), Ok(at(10, 0)));
    assert_eq!(parse_send_time(" 9:30 "), Ok(at(9, 30)));
    assert_eq!(parse_send_time("９：３０"), Ok(at(9, 30)));
    assert_eq!(parse_send_time("18：45"), Ok(at(18, 45)));
    for bad in ["", "25:00", "10", "10時", "10:60"] {
        assert_eq!(
            parse_send_time(bad),
            Err(StageError::InvalidSendTime),
            "{bad}"
        );
    }
}
