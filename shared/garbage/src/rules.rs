//! The calendar model (ごみ収集カレンダー): districts, kinds of garbage, one rule per district and
//! kind, the year-end pause, the collection centres' pauses from 5374, and staff suspensions.
//!
//! Stored as JSON (serde). The engine (`crate::engine`) reads it; the console edits it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A city's whole garbage calendar.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub districts: Vec<District>,
    pub kinds: Vec<Kind>,
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub year_end: Option<YearEndPause>,
    /// Dated pauses of collection centres (5374 `center.csv`); a district with that centre gets
    /// no collection on those days.
    #[serde(default)]
    pub centre_pauses: Vec<CentrePause>,
    #[serde(default)]
    pub suspensions: Vec<Suspension>,
}

/// A collection district (地区), named as the city names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub name: String,
    /// The collection centre (センター) serving it, whose pauses apply to it.
    #[serde(default)]
    pub centre: Option<String>,
}

/// A kind of garbage (ごみの種類) as the city defines it: 燃やすごみ, びん …
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kind {
    /// Stable key used by rules; for imported calendars it is the 5374 label.
    pub id: String,
    pub name: String,
    /// `#rrggbb` for the console's month grid; may be empty (the grid then uses grey).
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub sublabel: String,
    #[serde(default)]
    pub description: String,
    /// 5374 `styles` column, kept verbatim for export.
    #[serde(default)]
    pub styles: String,
    /// Whether the kind has collection days (a column in 5374 `area_days.csv`). Kinds such as
    /// 受入れできないもの exist only for the sorting dictionary.
    #[serde(default = "yes")]
    pub scheduled: bool,
}

fn yes() -> bool {
    true
}

impl Kind {
    /// The colour to paint the grid with.
    pub fn display_colour(&self) -> &str {
        if self.colour.is_empty() {
            "#808080"
        } else {
            &self.colour
        }
    }
}

/// When one kind is collected in one district.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub district: String,
    pub kind: String,
    /// Regular patterns; a date matching any of them is a collection day (before exceptions).
    pub schedules: Vec<Schedule>,
    /// Months (1–12) the regular patterns apply in; `None` means every month. A regular day on
    /// a holiday that moves forward may land in the next month: the move is still made.
    #[serde(default)]
    pub months: Option<BTreeSet<u32>>,
    /// One-off collection days added on top of everything else (5374 `YYYYMMDD` cells).
    #[serde(default)]
    pub extra_dates: BTreeSet<NaiveDate>,
    /// Days this rule never collects on, whatever the patterns or holiday moves say.
    #[serde(default)]
    pub cancelled_dates: BTreeSet<NaiveDate>,
    #[serde(default)]
    pub on_holiday: HolidayPolicy,
    /// 5374 note references such as `*1`, kept for export.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Rule {
    pub fn new(district: &str, kind: &str, schedules: Vec<Schedule>) -> Self {
        Self {
            district: district.to_owned(),
            kind: kind.to_owned(),
            schedules,
            months: None,
            extra_dates: BTreeSet::new(),
            cancelled_dates: BTreeSet::new(),
            on_holiday: HolidayPolicy::default(),
            notes: Vec::new(),
        }
    }

    /// Whether the regular patterns (within the allowed months) fall on `date`.
    pub fn matches_pattern(&self, date: NaiveDate) -> bool {
        if let Some(months) = &self.months {
            if !months.contains(&date.month()) {
                return false;
            }
        }
        self.schedules.iter().any(|s| s.matches(date))
    }
}

/// A regular collection pattern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Schedule {
    /// Every week on these days (毎週 月・木).
    Weekly { weekdays: Vec<Weekday> },
    /// The n-th such weekday of the month (第2・第4水曜). A 5th exists only in months with five
    /// of that weekday, and then only the 5th matches it.
    NthWeekday { weekday: Weekday, nths: Vec<u32> },
    /// Every other week on these days, counting from the week of `start` (隔週).
    EveryOtherWeek {
        weekdays: Vec<Weekday>,
        start: NaiveDate,
    },
}

impl Schedule {
    pub fn matches(&self, date: NaiveDate) -> bool {
        match self {
            Schedule::Weekly { weekdays } => weekdays.contains(&date.weekday()),
            Schedule::NthWeekday { weekday, nths } => {
                date.weekday() == *weekday && nths.contains(&nth_of_month(date))
            }
            Schedule::EveryOtherWeek { weekdays, start } => {
                // Weeks are counted Monday to Sunday, so "the week of start" is well defined
                // whichever weekday start itself is.
                let monday = |d: NaiveDate| {
                    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
                };
                let weeks = (monday(date) - monday(*start)).num_days() / 7;
                date >= *start && weeks % 2 == 0 && weekdays.contains(&date.weekday())
            }
        }
    }
}

/// Which occurrence of its weekday in its month `date` is (1–5).
pub fn nth_of_month(date: NaiveDate) -> u32 {
    (date.day() - 1) / 7 + 1
}

/// What a rule does when its day falls on a national holiday.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayPolicy {
    pub default: HolidayAction,
    /// Specific holidays whose collection moves to a chosen date (holiday → substitute day);
    /// these win over `default`.
    #[serde(default)]
    pub moves: BTreeMap<NaiveDate, NaiveDate>,
}

impl HolidayPolicy {
    pub fn always(action: HolidayAction) -> Self {
        Self {
            default: action,
            moves: BTreeMap::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayAction {
    /// Collected as usual (祝日も収集).
    #[default]
    Collect,
    /// Not collected (祝日は休み).
    Skip,
    /// Moved to the next day that is neither a holiday nor a Sunday (翌日に振替).
    NextWorkingDay,
}

/// A month and day, for pauses that recur every year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn new(month: u32, day: u32) -> Self {
        Self { month, day }
    }

    /// This month-day in `year` (29 Feb in a common year falls back to 28 Feb).
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day.saturating_sub(1)))
    }
}

/// An inclusive range of dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// The year-end and New Year pause (年末年始の休止): every year from `from` to `to` (crossing
/// into January), unless `by_year` gives that winter's own dates (keyed by the year the pause
/// starts in). Substitute days add collections back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearEndPause {
    pub from: MonthDay,
    pub to: MonthDay,
    #[serde(default)]
    pub by_year: BTreeMap<i32, DateRange>,
    #[serde(default)]
    pub substitutes: Vec<SubstituteDay>,
}

impl YearEndPause {
    /// Whether `date` is inside the pause of the winter it belongs to.
    pub fn contains(&self, date: NaiveDate) -> bool {
        [date.year() - 1, date.year()]
            .into_iter()
            .any(|start_year| self.window(start_year).is_some_and(|w| w.contains(date)))
    }

    /// The pause starting in `start_year`.
    pub fn window(&self, start_year: i32) -> Option<DateRange> {
        if let Some(range) = self.by_year.get(&start_year) {
            return Some(*range);
        }
        let from = self.from.in_year(start_year)?;
        let to_year = if self.to < self.from {
            start_year + 1
        } else {
            start_year
        };
        Some(DateRange {
            from,
            to: self.to.in_year(to_year)?,
        })
    }
}

/// A day on which some kinds are collected in place of paused days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubstituteDay {
    pub date: NaiveDate,
    pub kinds: Vec<String>,
    pub districts: Districts,
}

/// Which districts something applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Districts {
    All,
    Only(Vec<String>),
}

impl Districts {
    pub fn includes(&self, district: &str) -> bool {
        match self {
            Districts::All => true,
            Districts::Only(names) => names.iter().any(|n| n == district),
        }
    }
}

/// A collection centre's dated pause (5374 `center.csv`: 名称,休止開始日,休止終了日).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentrePause {
    pub centre: String,
    pub range: DateRange,
}

/// An ad-hoc suspension staff set from the console (e.g. heavy snow, 大雪のため収集中止).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub districts: Districts,
    /// Kinds suspended; `None` means every kind.
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    pub range: DateRange,
    pub reason: String,
    /// The day the suspended collections are made up on, if any.
    #[serde(default)]
    pub substitute: Option<NaiveDate>,
    /// What citizens are told on the suspended days.
    pub message: String,
}

impl Suspension {
    pub fn covers(&self, district: &str, kind: &str, date: NaiveDate) -> bool {
        self.range.contains(date)
            && self.districts.includes(district)
            && self
                .kinds
                .as_ref()
                .is_none_or(|ks| ks.iter().any(|k| k == kind))
    }
}

/// A problem that makes a calendar unusable, found by [`Calendar::validate`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("地区「{0}」はありません")]
    UnknownDistrict(String),
    #[error("ごみの種類「{0}」はありません")]
    UnknownKind(String),
    #[error("「{district}」の「{kind}」: 第{nth}週の指定は1〜5である必要があります")]
    BadNth {
        district: String,
        kind: String,
        nth: u32,
    },
    #[error("「{district}」の「{kind}」: {month}月は1〜12である必要があります")]
    BadMonth {
        district: String,
        kind: String,
        month: u32,
    },
    #[error("「{district}」の「{kind}」: {date}が追加日と中止日の両方にあります")]
    ExtraAndCancelled {
        district: String,
        kind: String,
        date: NaiveDate,
    },
    #[error("「{district}」の「{kind}」の規則が2つあります")]
    DuplicateRule { district: String, kind: String },
    #[error("期間の終わり（{to}）が始まり（{from}）より前です")]
    BackwardsRange { from: NaiveDate, to: NaiveDate },
}

impl Calendar {
    pub fn district(&self, name: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.name == name)
    }

    pub fn kind(&self, id: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.id == id)
    }

    pub fn rule(&self, district: &str, kind: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.district == district && r.kind == kind)
    }

    /// Checks what the console's rule editor must refuse to save.
    pub fn validate(&self) -> Result<(), Vec<CalendarError>> {
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        for rule in &self.rules {
            let (district, kind) = (rule.district.clone(), rule.kind.clone());
            if self.district(&district).is_none() {
                errors.push(CalendarError::UnknownDistrict(district.clone()));
            }
            if self.kind(&kind).is_none() {
                errors.push(CalendarError::UnknownKind(kind.clone()));
            }
            if !seen.insert((district.clone(), kind.clone())) {
                errors.push(CalendarError::DuplicateRule {
                    district: district.clone(),
                    kind: kind.clone(),
                });
            }
            for schedule in &rule.schedules {
                if let Schedule::NthWeekday { nths, .. } = schedule {
                    for &nth in nths.iter().filter(|n| !(1..=5).contains(*n)) {
                        errors.push(CalendarError::BadNth {
                            district: district.clone(),
                            kind: kind.clone(),
                            nth,
                        });
                    }
                }
            }
            for &month in rule
                .months
                .iter()
                .flatten()
                .filter(|m| !(1..=12).contains(*m))
            {
                errors.push(CalendarError::BadMonth {
                    district: district.clone(),
                    kind: kind.clone(),
                    month,
                });
            }
            for &date in rule.extra_dates.intersection(&rule.cancelled_dates) {
                errors.push(CalendarError::ExtraAndCancelled {
                    district: district.clone(),
                    kind: kind.clone(),
                    date,
                });
            }
        }
        let ranges = self
            .suspensions
            .iter()
            .map(|s| s.range)
            .chain(self.centre_pauses.iter().map(|p| p.range))
            .chain(
                self.year_end
                    .iter()
                    .flat_map(|y| y.by_year.values().copied()),
            );
        for range in ranges.filter(|r| r.to < r.from) {
            errors.push(CalendarError::BackwardsRange {
                from: range.from,
                to: range.to,
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
