//! 「次の燃やすごみはいつ？」: the next collection of a kind, and why it is not on the regular
//! day when it moved. On the shipped SAMPLE calendar: 雲浜 collects 燃やすごみ on Mondays and
//! Thursdays; its collection centre pauses from 31 December to 3 January.

use chrono::NaiveDate;
use tayori_garbage::intent::From;
use tayori_garbage::notice_text::next_collection_text;
use tayori_garbage::{
    Calendar, DateRange, Districts, HolidayAction, HolidayPolicy, Holidays, SkipReason, SkippedDay,
    Suspension,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const BURNABLE: &str = "燃やすごみ";

fn snow_on_thursday(calendar: &mut Calendar, substitute: Option<NaiveDate>) {
    calendar.suspensions.push(Suspension {
        districts: Districts::Only(vec!["雲浜".into()]),
        kinds: None,
        range: DateRange {
            from: day(2026, 12, 10),
            to: day(2026, 12, 10),
        },
        reason: "大雪".into(),
        substitute,
        message: "大雪のため、本日の収集は中止します。".into(),
    });
}

#[test]
fn a_collection_moved_by_a_suspension_says_the_stored_reason_and_the_substitute_day() {
    let mut calendar = Calendar::obama_sample();
    snow_on_thursday(&mut calendar, Some(day(2026, 12, 12)));
    let holidays = Holidays::bundled();
    let tuesday = day(2026, 12, 8);
    assert_eq!(
        calendar.skipped_days("雲浜", BURNABLE, tuesday, day(2026, 12, 12), &holidays),
        [SkippedDay {
            date: day(2026, 12, 10),
            reason: SkipReason::Suspension("大雪".into())
        }]
    );
    assert_eq!(
        next_collection_text(&calendar, &holidays, "雲浜", BURNABLE, From::Today, tuesday),
        "雲浜地区の次の燃やすごみは、12月12日（土）です。\n\
         12月10日（木）は大雪のため休み、代わりに12月12日（土）に収集します。"
    );
    // Another district is not suspended and hears nothing of it.
    assert_eq!(
        next_collection_text(&calendar, &holidays, "小浜", BURNABLE, From::Today, tuesday),
        "小浜地区の次の燃やすごみは、12月10日（木）です。"
    );
}

#[test]
fn a_suspension_without_a_substitute_says_the_day_is_off_and_gives_the_next_regular_one() {
    let mut calendar = Calendar::obama_sample();
    snow_on_thursday(&mut calendar, None);
    let text = next_collection_text(
        &calendar,
        &Holidays::bundled(),
        "雲浜",
        BURNABLE,
        From::Today,
        day(2026, 12, 8),
    );
    assert_eq!(
        text,
        "雲浜地区の次の燃やすごみは、12月14日（月）です。\n12月10日（木）は大雪のため休みです。"
    );
}

#[test]
fn a_collection_moved_off_a_national_holiday_names_the_holiday() {
    let mut calendar = Calendar::obama_sample();
    for rule in calendar.rules.iter_mut().filter(|r| r.kind == BURNABLE) {
        rule.on_holiday = HolidayPolicy::always(HolidayAction::NextWorkingDay);
    }
    // Monday 23 November 2026 is 勤労感謝の日.
    let text = next_collection_text(
        &calendar,
        &Holidays::bundled(),
        "雲浜",
        BURNABLE,
        From::Today,
        day(2026, 11, 23),
    );
    assert_eq!(
        text,
        "雲浜地区の次の燃やすごみは、11月24日（火）です。\n\
         11月23日（月）は勤労感謝の日のため休み、代わりに11月24日（火）に収集します。"
    );
}

#[test]
fn the_collection_centre_s_new_year_pause_is_said() {
    let calendar = Calendar::obama_sample();
    let text = next_collection_text(
        &calendar,
        &Holidays::bundled(),
        "雲浜",
        BURNABLE,
        From::Today,
        day(2026, 12, 29),
    );
    assert_eq!(
        text,
        "雲浜地区の次の燃やすごみは、1月4日（月）です。\n\
         12月31日（木）は小浜市クリーンセンター（サンプル）の休止のため休みです。"
    );
}

#[test]
fn asked_about_this_week_the_answer_says_when_there_is_none_left() {
    let calendar = Calendar::obama_sample();
    // Friday 11 December: 雲浜's 燃やさないごみ is the first Tuesday, next on 5 January.
    let text = next_collection_text(
        &calendar,
        &Holidays::bundled(),
        "雲浜",
        "燃やさないごみ",
        From::ThisWeek,
        day(2026, 12, 11),
    );
    assert!(
        text.starts_with("今週は雲浜地区の燃やさないごみの収集はありません。\n"),
        "{text}"
    );
    let next_week = next_collection_text(
        &calendar,
        &Holidays::bundled(),
        "雲浜",
        BURNABLE,
        From::NextWeek,
        day(2026, 12, 11),
    );
    assert_eq!(
        next_week,
        "雲浜地区の次の燃やすごみは、12月14日（月）です。"
    );
}
