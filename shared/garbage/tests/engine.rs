//! The calendar engine on fixed dates.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Weekday};
use tayori_garbage::{
    Calendar, Collection, DateRange, District, Districts, HolidayAction, HolidayPolicy, Holidays,
    Kind, MonthDay, Origin, Rule, Schedule, SubstituteDay, Suspension, YearEndPause,
};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn kind(id: &str) -> Kind {
    Kind {
        id: id.into(),
        name: id.into(),
        colour: "#e8503a".into(),
        sublabel: String::new(),
        description: String::new(),
        styles: String::new(),
        scheduled: true,
    }
}

fn weekly(days: &[Weekday]) -> Schedule {
    Schedule::Weekly {
        weekdays: days.to_vec(),
    }
}

fn calendar(rules: Vec<Rule>) -> Calendar {
    Calendar {
        districts: vec![
            District {
                name: "小浜".into(),
                centre: None,
            },
            District {
                name: "宮川".into(),
                centre: None,
            },
        ],
        kinds: vec![kind("燃やすごみ"), kind("燃やさないごみ"), kind("びん")],
        rules,
        ..Calendar::default()
    }
}

fn kinds_on(cal: &Calendar, district: &str, date: &str, holidays: &Holidays) -> Vec<String> {
    cal.collections_on(district, d(date), holidays)
        .into_iter()
        .map(|c| c.kind)
        .collect()
}

fn no_holidays() -> Holidays {
    Holidays::none()
}

#[test]
fn the_year_end_pause_stops_collection_and_its_substitute_days_add_it_back() {
    let mut cal = calendar(vec![Rule::new(
        "小浜",
        "燃やすごみ",
        vec![weekly(&[Weekday::Mon, Weekday::Thu])],
    )]);
    cal.year_end = Some(YearEndPause {
        from: MonthDay::new(12, 29),
        to: MonthDay::new(1, 3),
        by_year: Default::default(),
        substitutes: vec![SubstituteDay {
            date: d("2027-01-05"),
            kinds: vec!["燃やすごみ".into()],
            districts: Districts::Only(vec!["小浜".into()]),
        }],
    });
    let holidays = Holidays::bundled();
    let days: Vec<(NaiveDate, Vec<Collection>)> = d("2026-12-28")
        .iter_days()
        .take_while(|day| *day <= d("2027-01-06"))
        .map(|day| (day, cal.collections_on("小浜", day, &holidays)))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let regular = |kind: &str| {
        vec![Collection {
            kind: kind.into(),
            origin: Origin::Regular,
        }]
    };
    assert_eq!(
        days,
        vec![
            (d("2026-12-28"), regular("燃やすごみ")),
            // Thursday 31 Dec falls in the pause; Monday 4 Jan is after it.
            (d("2027-01-04"), regular("燃やすごみ")),
            (
                d("2027-01-05"),
                vec![Collection {
                    kind: "燃やすごみ".into(),
                    origin: Origin::YearEndSubstitute
                }]
            ),
        ]
    );
    assert!(
        cal.collections_on("宮川", d("2027-01-05"), &holidays)
            .is_empty(),
        "the substitute is for 小浜 only"
    );
}

#[test]
fn a_winter_with_its_own_pause_dates_overrides_the_recurring_ones() {
    let mut cal = calendar(vec![Rule::new(
        "小浜",
        "燃やすごみ",
        vec![weekly(&[Weekday::Mon, Weekday::Thu])],
    )]);
    let mut pause = YearEndPause {
        from: MonthDay::new(12, 29),
        to: MonthDay::new(1, 3),
        by_year: Default::default(),
        substitutes: vec![],
    };
    pause.by_year.insert(
        2026,
        DateRange {
            from: d("2026-12-31"),
            to: d("2027-01-04"),
        },
    );
    cal.year_end = Some(pause);
    let h = no_holidays();
    assert_eq!(kinds_on(&cal, "小浜", "2026-12-28", &h), vec!["燃やすごみ"]);
    assert!(
        kinds_on(&cal, "小浜", "2027-01-04", &h).is_empty(),
        "2026's pause runs to 4 Jan"
    );
    assert!(
        kinds_on(&cal, "小浜", "2025-12-29", &h).is_empty(),
        "other winters use 12/29–1/3"
    );
}

fn monday_rule(policy: HolidayPolicy) -> Calendar {
    let mut rule = Rule::new("小浜", "燃やすごみ", vec![weekly(&[Weekday::Mon])]);
    rule.on_holiday = policy;
    calendar(vec![rule])
}

#[test]
fn a_holiday_with_the_collect_policy_is_collected_as_usual() {
    let cal = monday_rule(HolidayPolicy::always(HolidayAction::Collect));
    let h = Holidays::bundled();
    assert_eq!(h.name(d("2026-11-23")).as_deref(), Some("勤労感謝の日"));
    assert_eq!(
        cal.collections_on("小浜", d("2026-11-23"), &h),
        vec![Collection {
            kind: "燃やすごみ".into(),
            origin: Origin::Regular
        }]
    );
}

#[test]
fn a_holiday_with_the_skip_policy_is_not_collected_and_not_moved() {
    let cal = monday_rule(HolidayPolicy::always(HolidayAction::Skip));
    let h = Holidays::bundled();
    for day in ["2026-11-23", "2026-11-24", "2026-11-25"] {
        assert!(kinds_on(&cal, "小浜", day, &h).is_empty(), "{day}");
    }
    assert_eq!(
        cal.next_collection("小浜", "燃やすごみ", d("2026-11-22"), &h),
        Some(d("2026-11-30"))
    );
}

#[test]
fn a_holiday_moved_to_the_next_working_day_steps_over_a_run_of_holidays() {
    let mut rule = Rule::new("小浜", "燃やすごみ", vec![weekly(&[Weekday::Mon])]);
    rule.on_holiday = HolidayPolicy::always(HolidayAction::NextWorkingDay);
    let mut wednesday = Rule::new("小浜", "びん", vec![weekly(&[Weekday::Wed])]);
    wednesday.on_holiday = HolidayPolicy::always(HolidayAction::NextWorkingDay);
    let cal = calendar(vec![rule, wednesday]);
    let h = Holidays::bundled();
    // Silver week 2026: Mon 21, Tue 22 (休日) and Wed 23 September are all holidays.
    for day in ["2026-09-21", "2026-09-22", "2026-09-23"] {
        assert!(kinds_on(&cal, "小浜", day, &h).is_empty(), "{day}");
    }
    assert_eq!(
        cal.collections_on("小浜", d("2026-09-24"), &h),
        vec![
            Collection {
                kind: "燃やすごみ".into(),
                origin: Origin::MovedFromHoliday {
                    holiday: d("2026-09-21")
                }
            },
            Collection {
                kind: "びん".into(),
                origin: Origin::MovedFromHoliday {
                    holiday: d("2026-09-23")
                }
            },
        ]
    );
    assert_eq!(
        kinds_on(&cal, "小浜", "2026-11-24", &h),
        vec!["燃やすごみ"],
        "勤労感謝の日 moves to Tuesday"
    );
}

#[test]
fn a_holiday_moved_to_a_chosen_date_is_collected_on_that_date_only() {
    let mut policy = HolidayPolicy::always(HolidayAction::Skip);
    policy.moves.insert(d("2026-11-23"), d("2026-11-28"));
    let cal = monday_rule(policy);
    let h = Holidays::bundled();
    assert!(kinds_on(&cal, "小浜", "2026-11-23", &h).is_empty());
    assert_eq!(
        cal.collections_on("小浜", d("2026-11-28"), &h),
        vec![Collection {
            kind: "燃やすごみ".into(),
            origin: Origin::MovedFromHoliday {
                holiday: d("2026-11-23")
            }
        }]
    );
    assert!(
        kinds_on(&cal, "小浜", "2027-01-11", &h).is_empty(),
        "other holidays follow the default (skip)"
    );
}

#[test]
fn a_snow_suspension_removes_the_days_and_collects_them_on_the_substitute_day() {
    let mut cal = calendar(vec![
        Rule::new(
            "小浜",
            "燃やすごみ",
            vec![weekly(&[Weekday::Mon, Weekday::Thu])],
        ),
        Rule::new(
            "宮川",
            "燃やすごみ",
            vec![weekly(&[Weekday::Mon, Weekday::Thu])],
        ),
    ]);
    cal.suspensions.push(Suspension {
        districts: Districts::Only(vec!["小浜".into()]),
        kinds: None,
        range: DateRange {
            from: d("2027-01-11"),
            to: d("2027-01-11"),
        },
        reason: "大雪".into(),
        substitute: Some(d("2027-01-13")),
        message: "大雪のため本日の収集は中止します。13日（水）に収集します。".into(),
    });
    let h = Holidays::none();
    assert!(kinds_on(&cal, "小浜", "2027-01-11", &h).is_empty());
    assert_eq!(
        cal.suspension_on("小浜", d("2027-01-11"))
            .map(|s| s.reason.as_str()),
        Some("大雪")
    );
    assert_eq!(
        cal.collections_on("小浜", d("2027-01-13"), &h),
        vec![Collection {
            kind: "燃やすごみ".into(),
            origin: Origin::SuspensionSubstitute {
                reason: "大雪".into()
            }
        }]
    );
    assert_eq!(
        kinds_on(&cal, "宮川", "2027-01-11", &h),
        vec!["燃やすごみ"],
        "宮川 was not suspended"
    );
    assert!(kinds_on(&cal, "宮川", "2027-01-13", &h).is_empty());
    assert_eq!(cal.suspension_on("宮川", d("2027-01-11")), None);
    assert_eq!(
        cal.next_collection("小浜", "燃やすごみ", d("2027-01-10"), &h),
        Some(d("2027-01-13"))
    );
}

#[test]
fn a_suspension_of_one_kind_leaves_the_other_kinds_of_that_day() {
    let mut cal = calendar(vec![
        Rule::new("小浜", "燃やすごみ", vec![weekly(&[Weekday::Wed])]),
        Rule::new("小浜", "びん", vec![weekly(&[Weekday::Wed])]),
    ]);
    cal.suspensions.push(Suspension {
        districts: Districts::All,
        kinds: Some(vec!["びん".into()]),
        range: DateRange {
            from: d("2027-02-01"),
            to: d("2027-02-07"),
        },
        reason: "収集車の故障".into(),
        substitute: None,
        message: "びんの収集は中止します。".into(),
    });
    assert_eq!(
        kinds_on(&cal, "小浜", "2027-02-03", &no_holidays()),
        vec!["燃やすごみ"]
    );
}

#[test]
fn a_fifth_wednesday_rule_collects_only_in_months_that_have_one() {
    let cal = calendar(vec![
        Rule::new(
            "小浜",
            "燃やさないごみ",
            vec![Schedule::NthWeekday {
                weekday: Weekday::Wed,
                nths: vec![5],
            }],
        ),
        Rule::new(
            "小浜",
            "びん",
            vec![Schedule::NthWeekday {
                weekday: Weekday::Wed,
                nths: vec![4],
            }],
        ),
    ]);
    let h = no_holidays();
    let days_of = |kind: &str, month: u32| -> Vec<NaiveDate> {
        let grid = cal.month_grid("小浜", 2026, month, &h).unwrap();
        grid.days
            .into_iter()
            .filter(|g| g.collections.iter().any(|c| c.kind == kind))
            .map(|g| g.date)
            .collect()
    };
    // September 2026 has five Wednesdays (2, 9, 16, 23, 30); October has four.
    assert_eq!(days_of("燃やさないごみ", 9), vec![d("2026-09-30")]);
    assert_eq!(
        days_of("びん", 9),
        vec![d("2026-09-23")],
        "水4 is the 4th, not the last"
    );
    assert_eq!(days_of("燃やさないごみ", 10), vec![]);
    assert_eq!(days_of("びん", 10), vec![d("2026-10-28")]);
}

#[test]
fn a_months_restriction_keeps_the_rule_inside_its_months() {
    let mut rule = Rule::new(
        "小浜",
        "びん",
        vec![Schedule::NthWeekday {
            weekday: Weekday::Tue,
            nths: vec![2],
        }],
    );
    rule.months = Some(BTreeSet::from([4, 6, 8, 10, 12, 2]));
    let cal = calendar(vec![rule]);
    let h = no_holidays();
    let mut found = Vec::new();
    let mut after = d("2026-03-31");
    while let Some(next) = cal.next_collection("小浜", "びん", after, &h) {
        if next > d("2027-03-31") {
            break;
        }
        found.push(next);
        after = next;
    }
    assert_eq!(
        found,
        [
            "2026-04-14",
            "2026-06-09",
            "2026-08-11",
            "2026-10-13",
            "2026-12-08",
            "2027-02-09"
        ]
        .map(d)
        .to_vec()
    );
}

#[test]
fn a_cancelled_date_is_never_collected_even_when_a_holiday_would_move_onto_it() {
    let mut rule = Rule::new(
        "小浜",
        "燃やすごみ",
        vec![weekly(&[Weekday::Mon, Weekday::Tue])],
    );
    rule.on_holiday = HolidayPolicy::always(HolidayAction::NextWorkingDay);
    rule.cancelled_dates.insert(d("2026-11-24"));
    rule.cancelled_dates.insert(d("2026-11-30"));
    let cal = calendar(vec![rule]);
    let h = Holidays::bundled();
    assert!(kinds_on(&cal, "小浜", "2026-11-24", &h).is_empty());
    assert!(kinds_on(&cal, "小浜", "2026-11-30", &h).is_empty());
    assert_eq!(kinds_on(&cal, "小浜", "2026-12-01", &h), vec!["燃やすごみ"]);
}

#[test]
fn an_extra_date_is_added_even_inside_a_suspension() {
    let mut rule = Rule::new("小浜", "燃やさないごみ", vec![]);
    rule.extra_dates.insert(d("2027-03-20"));
    let mut cal = calendar(vec![rule]);
    cal.suspensions.push(Suspension {
        districts: Districts::All,
        kinds: None,
        range: DateRange {
            from: d("2027-03-20"),
            to: d("2027-03-20"),
        },
        reason: "点検".into(),
        substitute: None,
        message: String::new(),
    });
    assert_eq!(
        cal.collections_on("小浜", d("2027-03-20"), &no_holidays()),
        vec![Collection {
            kind: "燃やさないごみ".into(),
            origin: Origin::Extra
        }]
    );
}

#[test]
fn every_other_week_counts_weeks_from_the_start_date() {
    let cal = calendar(vec![Rule::new(
        "小浜",
        "びん",
        vec![Schedule::EveryOtherWeek {
            weekdays: vec![Weekday::Fri],
            start: d("2026-04-03"),
        }],
    )]);
    let h = no_holidays();
    assert_eq!(kinds_on(&cal, "小浜", "2026-04-03", &h), vec!["びん"]);
    assert!(kinds_on(&cal, "小浜", "2026-04-10", &h).is_empty());
    assert_eq!(kinds_on(&cal, "小浜", "2026-04-17", &h), vec!["びん"]);
    assert!(
        kinds_on(&cal, "小浜", "2026-03-20", &h).is_empty(),
        "nothing before the start"
    );
}

#[test]
fn the_month_grid_names_holidays_and_suspensions() {
    let mut cal = monday_rule(HolidayPolicy::always(HolidayAction::Collect));
    cal.suspensions.push(Suspension {
        districts: Districts::All,
        kinds: None,
        range: DateRange {
            from: d("2026-11-30"),
            to: d("2026-11-30"),
        },
        reason: "大雪".into(),
        substitute: None,
        message: String::new(),
    });
    let grid = cal
        .month_grid("小浜", 2026, 11, &Holidays::bundled())
        .unwrap();
    assert_eq!(grid.days.len(), 30);
    assert_eq!(
        grid.days[22].holiday.as_ref().map(|h| h.name.as_str()),
        Some("勤労感謝の日")
    );
    assert_eq!(grid.days[29].suspension.as_deref(), Some("大雪"));
    assert!(grid.days[29].collections.is_empty());
    assert!(cal
        .month_grid("小浜", 2026, 13, &Holidays::bundled())
        .is_none());
}

#[test]
fn a_rule_for_an_unknown_kind_or_with_a_sixth_week_fails_validation() {
    let mut bad = Rule::new(
        "小浜",
        "粗大ごみ",
        vec![Schedule::NthWeekday {
            weekday: Weekday::Sat,
            nths: vec![6],
        }],
    );
    bad.extra_dates.insert(d("2027-01-09"));
    bad.cancelled_dates.insert(d("2027-01-09"));
    let errors = calendar(vec![bad]).validate().unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        vec![
            "ごみの種類「粗大ごみ」はありません",
            "「小浜」の「粗大ごみ」: 第6週の指定は1〜5である必要があります",
            "「小浜」の「粗大ごみ」: 2027-01-09が追加日と中止日の両方にあります",
        ]
    );
    assert!(calendar(vec![Rule::new(
        "小浜",
        "びん",
        vec![weekly(&[Weekday::Wed])]
    )])
    .validate()
    .is_ok());
}
