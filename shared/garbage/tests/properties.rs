//! Properties of the calendar model, the engine and the 5374 cell syntax.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use proptest::prelude::*;
use tayori_garbage::cell::{format, parse, FISCAL_MONTHS};
use tayori_garbage::{
    Calendar, DateRange, District, Districts, HolidayAction, HolidayPolicy, Holidays, Kind, Rule,
    Schedule, Suspension,
};

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];
const WEEKDAY_CHARS: [char; 7] = ['月', '火', '水', '木', '金', '土', '日'];

fn weekday() -> impl Strategy<Value = Weekday> {
    (0..7usize).prop_map(|i| WEEKDAYS[i])
}

/// A date in the fiscal years 2026–2027, where the bundled holidays are known.
fn date() -> impl Strategy<Value = NaiveDate> {
    (0..730i64).prop_map(|n| NaiveDate::from_ymd_opt(2026, 4, 1).unwrap() + Duration::days(n))
}

fn schedule() -> impl Strategy<Value = Schedule> {
    prop_oneof![
        prop::collection::vec(weekday(), 1..3).prop_map(|weekdays| Schedule::Weekly { weekdays }),
        (weekday(), prop::collection::vec(1..=5u32, 1..3))
            .prop_map(|(weekday, nths)| Schedule::NthWeekday { weekday, nths }),
        (prop::collection::vec(weekday(), 1..3), date())
            .prop_map(|(weekdays, start)| Schedule::EveryOtherWeek { weekdays, start }),
    ]
}

fn policy() -> impl Strategy<Value = HolidayPolicy> {
    let action = prop_oneof![
        Just(HolidayAction::Collect),
        Just(HolidayAction::Skip),
        Just(HolidayAction::NextWorkingDay)
    ];
    (action, prop::collection::btree_map(date(), date(), 0..3))
        .prop_map(|(default, moves)| HolidayPolicy { default, moves })
}

fn months() -> impl Strategy<Value = Option<BTreeSet<u32>>> {
    prop::option::of(prop::collection::btree_set(1..=12u32, 1..12))
}

prop_compose! {
    fn rule()(
        schedules in prop::collection::vec(schedule(), 0..3),
        months in months(),
        extra_dates in prop::collection::btree_set(date(), 0..4),
        cancelled in prop::collection::btree_set(date(), 0..4),
        on_holiday in policy(),
        notes in prop::collection::vec("\\*[0-9]", 0..2),
    ) -> Rule {
        let cancelled_dates = cancelled.difference(&extra_dates).copied().collect();
        Rule { district: "小浜".into(), kind: "燃やすごみ".into(), schedules, months, extra_dates, cancelled_dates, on_holiday, notes }
    }
}

fn calendar(rule: Rule) -> Calendar {
    Calendar {
        districts: vec![District {
            name: "小浜".into(),
            centre: None,
        }],
        kinds: vec![Kind {
            id: "燃やすごみ".into(),
            name: "燃やすごみ".into(),
            colour: "#e8503a".into(),
            sublabel: String::new(),
            description: String::new(),
            styles: String::new(),
            scheduled: true,
        }],
        rules: vec![rule],
        ..Calendar::default()
    }
}

fn collected(cal: &Calendar, date: NaiveDate, holidays: &Holidays) -> bool {
    !cal.collections_on("小浜", date, holidays).is_empty()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_calendar_round_trips_through_json(rule in rule(), from in date(), days in 0..5i64, substitute in prop::option::of(date())) {
        let mut cal = calendar(rule);
        cal.suspensions.push(Suspension {
            districts: Districts::Only(vec!["小浜".into()]),
            kinds: None,
            range: DateRange { from, to: from + Duration::days(days) },
            reason: "大雪".into(),
            substitute,
            message: "大雪のため収集を中止します".into(),
        });
        let json = serde_json::to_string(&cal).unwrap();
        prop_assert_eq!(serde_json::from_str::<Calendar>(&json).unwrap(), cal);
    }

    #[test]
    fn no_collection_falls_outside_the_rules_months_when_days_are_not_moved(
        mut rule in rule(),
        skip in any::<bool>(),
        months in prop::collection::btree_set(1..=12u32, 1..12),
    ) {
        // Moves (to the next working day or a chosen date) and extra dates are exempt by
        // design: a holiday on the last day of a month may move into the next.
        rule.months = Some(months.clone());
        rule.extra_dates.clear();
        rule.on_holiday = HolidayPolicy::always(if skip { HolidayAction::Skip } else { HolidayAction::Collect });
        let cal = calendar(rule);
        let holidays = Holidays::bundled();
        let start = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        for day in start.iter_days().take(366) {
            if collected(&cal, day, &holidays) {
                prop_assert!(months.contains(&day.month()), "{day} is outside {months:?}");
            }
        }
    }

    #[test]
    fn a_cancelled_date_never_appears(mut rule in rule(), picks in prop::collection::vec(any::<prop::sample::Index>(), 1..4)) {
        // Cancel days the rule really collects on (plus the generated ones), so the property
        // is tested where it matters.
        let holidays = Holidays::bundled();
        let start = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let before = calendar(rule.clone());
        let days: Vec<NaiveDate> = start.iter_days().take(200).filter(|d| collected(&before, *d, &holidays)).collect();
        if !days.is_empty() {
            rule.cancelled_dates.extend(picks.iter().map(|i| *i.get(&days)));
        }
        rule.extra_dates.retain(|d| !rule.cancelled_dates.contains(d));
        let cancelled = rule.cancelled_dates.clone();
        let cal = calendar(rule);
        for day in cancelled {
            prop_assert!(!collected(&cal, day, &holidays), "{day} was cancelled");
        }
    }

    #[test]
    fn a_canonical_5374_cell_formats_back_to_itself(cell in canonical_cell()) {
        let parsed = parse(&cell).unwrap();
        prop_assert_eq!(format(&parsed), cell);
    }
}

/// Cells as 5374 writes them: pattern tokens in any order, then dates in order, then notes,
/// then optionally `:` and months in fiscal order.
fn canonical_cell() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        (0..7usize).prop_map(|w| WEEKDAY_CHARS[w].to_string()),
        (0..7usize, 1..=5u32).prop_map(|(w, n)| format!("{}{n}", WEEKDAY_CHARS[w])),
        (0..7usize, date()).prop_map(|(w, d)| format!(
            "隔{}{}",
            WEEKDAY_CHARS[w],
            d.format("%Y%m%d")
        )),
    ];
    (
        prop::collection::vec(token, 1..5),
        prop::collection::btree_set(date(), 0..3),
        prop::collection::vec("\\*[0-9]{1,2}", 0..2),
        prop::option::of(prop::collection::btree_set(1..=12u32, 1..=12)),
    )
        .prop_map(|(tokens, dates, notes, months)| {
            let mut all = tokens;
            all.extend(dates.iter().map(|d| d.format("%Y%m%d").to_string()));
            all.extend(notes);
            let mut cell = all.join(" ");
            if let Some(months) = months {
                let listed: Vec<String> = FISCAL_MONTHS
                    .iter()
                    .filter(|m| months.contains(m))
                    .map(u32::to_string)
                    .collect();
                cell.push(':');
                cell.push_str(&listed.join(" "));
            }
            cell
        })
}

#[test]
fn the_generators_cover_moves_onto_cancelled_days() {
    // Guards the property above from passing vacuously: with a Monday rule moved to the next
    // working day, 勤労感謝の日 (Mon 23 Nov 2026) would land on the 24th unless it is cancelled.
    let mut rule = Rule::new(
        "小浜",
        "燃やすごみ",
        vec![Schedule::Weekly {
            weekdays: vec![Weekday::Mon],
        }],
    );
    rule.on_holiday = HolidayPolicy {
        default: HolidayAction::NextWorkingDay,
        moves: BTreeMap::new(),
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    assert!(collected(
        &calendar(rule.clone()),
        day,
        &Holidays::bundled()
    ));
    rule.cancelled_dates.insert(day);
    assert!(!collected(&calendar(rule), day, &Holidays::bundled()));
}
