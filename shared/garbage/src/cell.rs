//! The 5374 `area_days.csv` cell syntax, one cell ↔ the parts of one [`Rule`](crate::rules::Rule).
//!
//! As the 5374 app reads it: tokens separated by spaces, optionally followed by `:` and the
//! months (1–12, space separated) in which the tokens apply; without `:` every month.
//! - `月` — every Monday; `水2` — the 2nd Wednesday of the month (1–5);
//! - `20240105` — a one-off date (the app's 不定期 collection);
//! - `*1` — a reference to a note, kept verbatim;
//! - `隔月20260406` — every other Monday from that date. Not in the original app: an extension
//!   one 5374 fork uses for 隔週, read and written here so such rules survive export.
//!
//! Formatting is canonical (patterns, then dates in order, then notes, then months in the fiscal
//! order 4…12 1…3 the 5374 README uses), so `format(parse(x)) == x` for canonical cells.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Weekday};

use crate::rules::Schedule;

/// The parts of a rule one cell holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub schedules: Vec<Schedule>,
    pub dates: BTreeSet<NaiveDate>,
    pub notes: Vec<String>,
    pub months: Option<BTreeSet<u32>>,
}

const WEEKDAYS: [(char, Weekday); 7] = [
    ('月', Weekday::Mon),
    ('火', Weekday::Tue),
    ('水', Weekday::Wed),
    ('木', Weekday::Thu),
    ('金', Weekday::Fri),
    ('土', Weekday::Sat),
    ('日', Weekday::Sun),
];

/// Months in the order 5374 lists them (the fiscal year starts in April).
pub const FISCAL_MONTHS: [u32; 12] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3];

pub fn weekday_of(c: char) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(k, _)| *k == c).map(|(_, w)| *w)
}

pub fn weekday_char(weekday: Weekday) -> char {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == weekday)
        .map(|(k, _)| *k)
        .expect("all weekdays listed")
}

/// Why a cell cannot be read: a Japanese sentence naming the bad token, shown to the clerk who
/// imports the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    #[error("「{0}」には「:」が2つ以上あります")]
    TwoColons(String),
    #[error("「{0}」は月（1〜12）として読めません")]
    NotAMonth(String),
    #[error("「{0}」の「:」の後に月がありません")]
    NoMonths(String),
    #[error("「{0}」は曜日と週の指定として読めません")]
    NotAWeekday(String),
    #[error("「{0}」は日付として読めません")]
    NotADate(String),
}

/// Reads one cell.
pub fn parse(cell: &str) -> Result<Cell, CellError> {
    let mut parts = cell.split(':');
    let tokens = parts.next().unwrap_or_default();
    let months = parts.next();
    if parts.next().is_some() {
        return Err(CellError::TwoColons(cell.to_owned()));
    }
    let mut out = Cell::default();
    for token in tokens.split_whitespace() {
        parse_token(token, &mut out)?;
    }
    if let Some(months) = months {
        let mut set = BTreeSet::new();
        for m in months.split_whitespace() {
            match m.parse::<u32>() {
                Ok(n) if (1..=12).contains(&n) => {
                    set.insert(n);
                }
                _ => return Err(CellError::NotAMonth(m.to_owned())),
            }
        }
        if set.is_empty() {
            return Err(CellError::NoMonths(cell.to_owned()));
        }
        out.months = Some(set);
    }
    Ok(out)
}

fn parse_token(token: &str, out: &mut Cell) -> Result<(), CellError> {
    let chars: Vec<char> = token.chars().collect();
    let unreadable = || CellError::NotAWeekday(token.to_owned());
    if let Some(note) = token.strip_prefix('*') {
        if note.is_empty() {
            return Err(unreadable());
        }
        out.notes.push(token.to_owned());
        return Ok(());
    }
    if chars.len() == 8 && chars.iter().all(char::is_ascii_digit) {
        let date = NaiveDate::parse_from_str(token, "%Y%m%d")
            .map_err(|_| CellError::NotADate(token.to_owned()))?;
        out.dates.insert(date);
        return Ok(());
    }
    if chars.len() == 10 && chars[0] == '隔' {
        let weekday = weekday_of(chars[1]).ok_or_else(unreadable)?;
        let digits: String = chars[2..].iter().collect();
        let start = NaiveDate::parse_from_str(&digits, "%Y%m%d").map_err(|_| unreadable())?;
        match out.schedules.last_mut() {
            Some(Schedule::EveryOtherWeek { weekdays, start: s }) if *s == start => {
                weekdays.push(weekday)
            }
            _ => out.schedules.push(Schedule::EveryOtherWeek {
                weekdays: vec![weekday],
                start,
            }),
        }
        return Ok(());
    }
    let weekday = chars
        .first()
        .and_then(|c| weekday_of(*c))
        .ok_or_else(unreadable)?;
    match chars.len() {
        1 => match out.schedules.last_mut() {
            Some(Schedule::Weekly { weekdays }) => weekdays.push(weekday),
            _ => out.schedules.push(Schedule::Weekly {
                weekdays: vec![weekday],
            }),
        },
        2 => {
            let nth = chars[1]
                .to_digit(10)
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(unreadable)?;
            match out.schedules.last_mut() {
                Some(Schedule::NthWeekday { weekday: w, nths }) if *w == weekday => nths.push(nth),
                _ => out.schedules.push(Schedule::NthWeekday {
                    weekday,
                    nths: vec![nth],
                }),
            }
        }
        _ => return Err(unreadable()),
    }
    Ok(())
}

/// Writes one cell canonically.
pub fn format(cell: &Cell) -> String {
    let mut tokens: Vec<String> = Vec::new();
    for schedule in &cell.schedules {
        match schedule {
            Schedule::Weekly { weekdays } => {
                tokens.extend(weekdays.iter().map(|w| weekday_char(*w).to_string()))
            }
            Schedule::NthWeekday { weekday, nths } => tokens.extend(
                nths.iter()
                    .map(|n| format!("{}{n}", weekday_char(*weekday))),
            ),
            Schedule::EveryOtherWeek { weekdays, start } => tokens.extend(
                weekdays
                    .iter()
                    .map(|w| format!("隔{}{}", weekday_char(*w), start.format("%Y%m%d"))),
            ),
        }
    }
    tokens.extend(cell.dates.iter().map(|d| d.format("%Y%m%d").to_string()));
    tokens.extend(cell.notes.iter().cloned());
    let mut out = tokens.join(" ");
    if let Some(months) = &cell.months {
        let listed: Vec<String> = FISCAL_MONTHS
            .iter()
            .filter(|m| months.contains(m))
            .map(u32::to_string)
            .collect();
        out.push(':');
        out.push_str(&listed.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_example_restricts_the_days_to_even_months() {
        let cell = parse("火2 金4:4 6 8 10 12 2").unwrap();
        assert_eq!(
            cell.schedules,
            vec![
                Schedule::NthWeekday {
                    weekday: Weekday::Tue,
                    nths: vec![2]
                },
                Schedule::NthWeekday {
                    weekday: Weekday::Fri,
                    nths: vec![4]
                },
            ]
        );
        assert_eq!(
            cell.months,
            Some([2, 4, 6, 8, 10, 12].into_iter().collect())
        );
        assert_eq!(format(&cell), "火2 金4:4 6 8 10 12 2");
    }

    #[test]
    fn a_sixth_wednesday_is_refused_in_words() {
        assert_eq!(
            parse("水6").unwrap_err().to_string(),
            "「水6」は曜日と週の指定として読めません"
        );
        assert_eq!(
            parse("月:13").unwrap_err().to_string(),
            "「13」は月（1〜12）として読めません"
        );
        assert_eq!(
            parse("月 木:").unwrap_err().to_string(),
            "「月 木:」の「:」の後に月がありません"
        );
        assert_eq!(
            parse("月:4:5").unwrap_err().to_string(),
            "「月:4:5」には「:」が2つ以上あります"
        );
        assert_eq!(
            parse("20260231").unwrap_err().to_string(),
            "「20260231」は日付として読めません"
        );
    }

    #[test]
    fn dates_notes_and_every_other_week_are_kept() {
        let cell = parse("隔月20260406 隔木20260406 20270105 *1").unwrap();
        assert_eq!(cell.dates.len(), 1);
        assert_eq!(cell.notes, vec!["*1".to_owned()]);
        assert_eq!(format(&cell), "隔月20260406 隔木20260406 20270105 *1");
    }
}
