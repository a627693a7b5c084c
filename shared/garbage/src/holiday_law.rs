//! Japan's national holidays computed from the law (国民の祝日に関する法律), for the years the
//! Cabinet Office has not published yet.
//!
//! The rules, with the years each version was in force:
//! - fixed days (元日, 建国記念の日 from 1967, 憲法記念日, こどもの日, 山の日 from 2016, 文化の日,
//!   勤労感謝の日) and the days that changed name or date (天皇誕生日, 4/29, 海の日, 敬老の日,
//!   体育の日 → スポーツの日);
//! - the Happy Monday days (成人の日 and 体育の日 from 2000, 海の日 and 敬老の日 from 2003);
//! - 春分の日 and 秋分の日 by the standard approximation formula (below). The law leaves them to
//!   the Cabinet Office, which announces them each February for the next year, so a computed
//!   equinox is **provisional** (見込み), and so is a 休日 that follows from one;
//! - 振替休日 (from 12 April 1973): a holiday on a Sunday makes the next day a holiday; from 2007,
//!   the next day that is not itself a holiday;
//! - 国民の休日 (from 27 December 1985): a day between two holidays is a holiday (until 2006
//!   not when it is a Sunday or a 振替休日).
//!
//! Not here: the days set by one-off acts (imperial weddings, the 1989 funeral, enthronement
//! ceremonies, the 2019 enthronement days, the Olympic moves of 2020 and 2021). They only come
//! from the published CSV, which [`Holidays`](crate::Holidays) prefers for every year it covers.
//! Substitute and in-between days are named `休日`, as the Cabinet Office CSV names them.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::ops::RangeInclusive;

/// The years computed: the law applies from 1949 (its first full year), and the equinox formula
/// holds up to 2150. Outside them nothing is computed.
pub const YEARS: RangeInclusive<i32> = 1949..=2150;

/// The name the Cabinet Office gives 振替休日 and 国民の休日.
pub const IN_BETWEEN: &str = "休日";

/// One computed holiday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LawHoliday {
    pub date: NaiveDate,
    pub name: &'static str,
    /// An equinox from the formula, or a 休日 that depends on one: the Cabinet Office's
    /// announcement may differ.
    pub provisional: bool,
}

/// The holidays of `year` by the law's rules, in date order; empty outside [`YEARS`].
pub fn holidays_in(year: i32) -> Vec<LawHoliday> {
    if !YEARS.contains(&year) {
        return Vec::new();
    }
    let mut days = named_days(year);
    days.sort_by_key(|h| h.date);
    let is_named = |date: NaiveDate, days: &[LawHoliday]| days.iter().any(|h| h.date == date);

    let mut substitutes = Vec::new();
    for holiday in days.iter().filter(|h| h.date.weekday() == Weekday::Sun) {
        if holiday.date < ymd(1973, 4, 12) {
            continue;
        }
        let mut next = holiday.date + Duration::days(1);
        if year >= 2007 {
            while is_named(next, &days) {
                next += Duration::days(1);
            }
        } else if is_named(next, &days) {
            continue;
        }
        substitutes.push(LawHoliday {
            date: next,
            name: IN_BETWEEN,
            provisional: holiday.provisional,
        });
    }

    let mut between = Vec::new();
    for pair in days.windows(2) {
        let [before, after] = pair else { continue };
        let day = before.date + Duration::days(1);
        let sandwiched = after.date == day + Duration::days(1);
        let substitute = substitutes.iter().any(|s| s.date == day);
        let excluded = if year >= 2007 {
            substitute
        } else {
            day.weekday() == Weekday::Sun || substitute
        };
        if sandwiched && day >= ymd(1985, 12, 27) && !excluded {
            between.push(LawHoliday {
                date: day,
                name: IN_BETWEEN,
                provisional: before.provisional || after.provisional,
            });
        }
    }

    days.extend(substitutes);
    days.extend(between);
    days.sort_by_key(|h| h.date);
    days.dedup_by_key(|h| h.date);
    days
}

/// The 祝日 themselves (国民の祝日), before 振替休日 and 国民の休日.
fn named_days(year: i32) -> Vec<LawHoliday> {
    let mut days = Vec::new();
    let mut add = |date: NaiveDate, name: &'static str| {
        days.push(LawHoliday {
            date,
            name,
            provisional: false,
        })
    };
    let on = |month: u32, day: u32| ymd(year, month, day);
    let monday = |month: u32, nth: u8| {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, nth)
            .expect("every month has a 3rd Monday")
    };

    add(on(1, 1), "元日");
    add(
        if year <= 1999 {
            on(1, 15)
        } else {
            monday(1, 2)
        },
        "成人の日",
    );
    if year >= 1967 {
        add(on(2, 11), "建国記念の日");
    }
    match year {
        ..=1988 => add(on(4, 29), "天皇誕生日"),
        1989..=2018 => add(on(12, 23), "天皇誕生日"),
        2019 => {}
        _ => add(on(2, 23), "天皇誕生日"),
    }
    match year {
        ..=1988 => {}
        1989..=2006 => add(on(4, 29), "みどりの日"),
        _ => add(on(4, 29), "昭和の日"),
    }
    add(on(5, 3), "憲法記念日");
    if year >= 2007 {
        add(on(5, 4), "みどりの日");
    }
    add(on(5, 5), "こどもの日");
    match year {
        ..=1995 => {}
        1996..=2002 => add(on(7, 20), "海の日"),
        _ => add(monday(7, 3), "海の日"),
    }
    if year >= 2016 {
        add(on(8, 11), "山の日");
    }
    match year {
        ..=1965 => {}
        1966..=2002 => add(on(9, 15), "敬老の日"),
        _ => add(monday(9, 3), "敬老の日"),
    }
    match year {
        ..=1965 => {}
        1966..=1999 => add(on(10, 10), "体育の日"),
        2000..=2019 => add(monday(10, 2), "体育の日"),
        _ => add(monday(10, 2), "スポーツの日"),
    }
    add(on(11, 3), "文化の日");
    add(on(11, 23), "勤労感謝の日");

    for (month, name, day) in [
        (3, "春分の日", equinox_day(year, Equinox::Spring)),
        (9, "秋分の日", equinox_day(year, Equinox::Autumn)),
    ] {
        days.push(LawHoliday {
            date: ymd(year, month, day),
            name,
            provisional: true,
        });
    }
    days
}

#[derive(Clone, Copy)]
enum Equinox {
    Spring,
    Autumn,
}

/// The day of March (spring) or September (autumn) of the equinox, by the approximation
/// formula used for Japan's calendars: `floor(C + 0.242194 × (Y − 1980) − int((Y − B) / 4))`,
/// with C and B by period and `int` rounding toward zero (as the formula is published; it
/// matters only before 1983). It matches every equinox the Cabinet Office has published.
fn equinox_day(year: i32, equinox: Equinox) -> u32 {
    let (constant, base) = match (equinox, year) {
        (Equinox::Spring, ..=1979) => (20.8357, 1983),
        (Equinox::Spring, 1980..=2099) => (20.8431, 1980),
        (Equinox::Spring, _) => (21.8510, 1980),
        (Equinox::Autumn, ..=1979) => (23.2588, 1983),
        (Equinox::Autumn, 1980..=2099) => (23.2488, 1980),
        (Equinox::Autumn, _) => (24.2488, 1980),
    };
    let leap_days = f64::from((year - base) / 4);
    let day = constant + 0.242194 * f64::from(year - 1980) - leap_days;
    day.floor() as u32
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real calendar date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_equinoxes_of_2028_fall_on_the_20th_and_22nd() {
        assert_eq!(equinox_day(2028, Equinox::Spring), 20);
        assert_eq!(equinox_day(2028, Equinox::Autumn), 22);
    }

    #[test]
    fn nothing_is_computed_before_the_law_or_past_the_formula() {
        assert!(holidays_in(1948).is_empty());
        assert!(holidays_in(2151).is_empty());
        assert!(!holidays_in(2150).is_empty());
    }

    #[test]
    fn a_sunday_holiday_moves_past_golden_week_from_2007() {
        // 2009-05-03 was a Sunday: 4 and 5 May are holidays themselves, so 6 May is the 休日.
        let days = holidays_in(2009);
        assert!(days
            .iter()
            .any(|h| h.date == ymd(2009, 5, 6) && h.name == IN_BETWEEN));
    }
}
