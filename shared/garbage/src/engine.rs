//! What is collected where and when.
//!
//! For a district and a date, rules are applied in this order, each step working on the result
//! of the one before:
//!
//! 1. **Base schedule**: the rule's patterns (weekly, n-th weekday, every other week), only in
//!    the rule's allowed months.
//! 2. **Cancelled dates** are removed. A cancelled date is final for its rule: a holiday moved
//!    onto it does not land there either.
//! 3. **Holiday policy**: a base day on a national holiday is collected, skipped, moved to the
//!    next working day (not a holiday, not a Sunday), or moved to the date staff chose for that
//!    holiday (`moves`, which wins over the default).
//! 4. **Year-end pause** removes everything inside it; then its substitute days are added.
//! 5. **Centre pauses** (5374 `center.csv`) remove everything for districts of that centre.
//! 6. **Suspensions** remove the kinds they cover in their districts and dates; then each
//!    suspension's substitute day gets every collection (as of step 5) it removed.
//! 7. **Extra dates** are added last, so a one-off collection staff entered always shows.
//!
//! The engine is pure: holidays are passed in, nothing is read from a clock.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::holidays::{Holiday, Holidays};
use crate::rules::{Calendar, CentrePause, HolidayAction, Rule, Suspension};

/// How far `next_collection` looks ahead: a little over a year, so that once-a-year kinds are
/// found while a kind with no future days cannot loop forever.
pub const SEARCH_DAYS: i64 = 400;
/// Longest run of holidays and Sundays a "next working day" move steps over (Golden Week is 5).
const MAX_HOLIDAY_RUN: i64 = 14;
/// A suspension's substitute day gathers at most this many suspended days.
const MAX_SUSPENSION_DAYS: i64 = 366;

/// One kind collected on a day, and why it is collected that day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    pub kind: String,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Origin {
    /// The regular day.
    Regular,
    /// Moved here from a national holiday.
    MovedFromHoliday { holiday: NaiveDate },
    /// A substitute day of the year-end pause.
    YearEndSubstitute,
    /// The substitute day of a suspension (e.g. after a snow day).
    SuspensionSubstitute { reason: String },
    /// A one-off day staff added.
    Extra,
}

impl Collection {
    /// Whether this is not the regular day, so the notice should say so (振替収集).
    pub fn is_moved_or_substitute(&self) -> bool {
        !matches!(self.origin, Origin::Regular)
    }
}

/// A regular collection day of a kind that is not collected, and why (for the chat's
/// 「次の燃やすごみ」 to say why the day moved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: SkipReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// A staff suspension, with its reason as stored (大雪).
    Suspension(String),
    /// The rule never collects that date.
    Cancelled,
    YearEnd,
    /// A collection centre's pause (5374 `center.csv`), with the centre's name.
    CentrePause(String),
    /// A national holiday, with its name.
    Holiday(String),
}

/// A day of the console's month grid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridDay {
    pub date: NaiveDate,
    pub collections: Vec<Collection>,
    /// The national holiday, marked when its date is still an estimate (見込み).
    pub holiday: Option<Holiday>,
    /// The reason of a suspension covering this day in this district.
    pub suspension: Option<String>,
}

/// One month of one district, for the console's calendar view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthGrid {
    pub district: String,
    pub year: i32,
    pub month: u32,
    pub days: Vec<GridDay>,
}

impl Calendar {
    /// The kinds collected in `district` on `date`, in the calendar's kind order.
    pub fn collections_on(
        &self,
        district: &str,
        date: NaiveDate,
        holidays: &Holidays,
    ) -> Vec<Collection> {
        let mut out: Vec<Collection> = self
            .before_suspensions(district, date, holidays)
            .into_iter()
            .filter(|c| {
                !self
                    .suspensions
                    .iter()
                    .any(|s| s.covers(district, &c.kind, date))
            })
            .collect();
        for suspension in &self.suspensions {
            if suspension.substitute == Some(date) && suspension.districts.includes(district) {
                for kind in self.suspended_kinds(suspension, district, holidays) {
                    let origin = Origin::SuspensionSubstitute {
                        reason: suspension.reason.clone(),
                    };
                    push_unique(&mut out, kind, origin);
                }
            }
        }
        for rule in self.rules_of(district) {
            if rule.extra_dates.contains(&date) {
                push_unique(&mut out, rule.kind.clone(), Origin::Extra);
            }
        }
        out.sort_by_key(|c| {
            self.kinds
                .iter()
                .position(|k| k.id == c.kind)
                .unwrap_or(usize::MAX)
        });
        out
    }

    /// The suspension covering `district` on `date`, for the notice text.
    pub fn suspension_on(&self, district: &str, date: NaiveDate) -> Option<&Suspension> {
        self.suspensions
            .iter()
            .find(|s| s.range.contains(date) && s.districts.includes(district))
    }

    /// The first day strictly after `after` on which `kind` is collected in `district`, looking
    /// at most [`SEARCH_DAYS`] ahead.
    pub fn next_collection(
        &self,
        district: &str,
        kind: &str,
        after: NaiveDate,
        holidays: &Holidays,
    ) -> Option<NaiveDate> {
        (1..=SEARCH_DAYS)
            .map(|n| after + Duration::days(n))
            .find(|&d| {
                self.collections_on(district, d, holidays)
                    .iter()
                    .any(|c| c.kind == kind)
            })
    }

    /// The regular days of `kind` in `district` from `from` to the day before `until` on which
    /// it is not collected, each with the reason: what a citizen expected and did not get.
    pub fn skipped_days(
        &self,
        district: &str,
        kind: &str,
        from: NaiveDate,
        until: NaiveDate,
        holidays: &Holidays,
    ) -> Vec<SkippedDay> {
        let Some(rule) = self.rule(district, kind) else {
            return Vec::new();
        };
        from.iter_days()
            .take_while(|d| *d < until)
            .take(SEARCH_DAYS as usize)
            .filter(|d| rule.matches_pattern(*d))
            .filter(|d| {
                !self
                    .collections_on(district, *d, holidays)
                    .iter()
                    .any(|c| c.kind == kind)
            })
            .filter_map(|date| {
                let reason = if let Some(s) = self
                    .suspensions
                    .iter()
                    .find(|s| s.covers(district, kind, date))
                {
                    SkipReason::Suspension(s.reason.clone())
                } else if rule.cancelled_dates.contains(&date) {
                    SkipReason::Cancelled
                } else if self.year_end.as_ref().is_some_and(|y| y.contains(date)) {
                    SkipReason::YearEnd
                } else if let Some(p) = self.centre_pause(district, date) {
                    SkipReason::CentrePause(p.centre.clone())
                } else {
                    SkipReason::Holiday(holidays.name(date)?)
                };
                Some(SkippedDay { date, reason })
            })
            .collect()
    }

    /// Every day of a month with its collections, for the console; `None` for an invalid month.
    pub fn month_grid(
        &self,
        district: &str,
        year: i32,
        month: u32,
        holidays: &Holidays,
    ) -> Option<MonthGrid> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let days = first
            .iter_days()
            .take_while(|d| d.month() == month)
            .map(|date| GridDay {
                date,
                collections: self.collections_on(district, date, holidays),
                holiday: holidays.holiday(date),
                suspension: self.suspension_on(district, date).map(|s| s.reason.clone()),
            })
            .collect();
        Some(MonthGrid {
            district: district.to_owned(),
            year,
            month,
            days,
        })
    }

    fn rules_of<'a>(&'a self, district: &'a str) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(move |r| r.district == district)
    }

    /// Steps 1–5 of the module doc.
    fn before_suspensions(
        &self,
        district: &str,
        date: NaiveDate,
        holidays: &Holidays,
    ) -> Vec<Collection> {
        let mut out = Vec::new();
        if !self.paused(district, date) {
            for rule in self.rules_of(district) {
                if let Some(origin) = rule_origin(rule, date, holidays) {
                    push_unique(&mut out, rule.kind.clone(), origin);
                }
            }
        }
        for substitute in self.year_end.iter().flat_map(|y| &y.substitutes) {
            if substitute.date == date && substitute.districts.includes(district) {
                for kind in &substitute.kinds {
                    push_unique(&mut out, kind.clone(), Origin::YearEndSubstitute);
                }
            }
        }
        out
    }

    fn paused(&self, district: &str, date: NaiveDate) -> bool {
        self.year_end.as_ref().is_some_and(|y| y.contains(date))
            || self.centre_pause(district, date).is_some()
    }

    fn centre_pause(&self, district: &str, date: NaiveDate) -> Option<&CentrePause> {
        let centre = self.district(district)?.centre.as_deref()?;
        self.centre_pauses
            .iter()
            .find(|p| p.centre == centre && p.range.contains(date))
    }

    /// The kinds a suspension took away from `district`, to be collected on its substitute day.
    fn suspended_kinds(
        &self,
        suspension: &Suspension,
        district: &str,
        holidays: &Holidays,
    ) -> Vec<String> {
        let mut kinds = Vec::new();
        let days = suspension
            .range
            .from
            .iter_days()
            .take_while(|d| *d <= suspension.range.to);
        for day in days.take(MAX_SUSPENSION_DAYS as usize) {
            for c in self.before_suspensions(district, day, holidays) {
                if suspension.covers(district, &c.kind, day) && !kinds.contains(&c.kind) {
                    kinds.push(c.kind);
                }
            }
        }
        kinds
    }
}

fn push_unique(out: &mut Vec<Collection>, kind: String, origin: Origin) {
    if !out.iter().any(|c| c.kind == kind) {
        out.push(Collection { kind, origin });
    }
}

/// Steps 1–3 for one rule: is it collected on `date`, and is that its regular day or a move?
fn rule_origin(rule: &Rule, date: NaiveDate, holidays: &Holidays) -> Option<Origin> {
    if rule.cancelled_dates.contains(&date) {
        return None;
    }
    let base = |d: NaiveDate| rule.matches_pattern(d) && !rule.cancelled_dates.contains(&d);
    if base(date) {
        let stays = !holidays.is_holiday(date)
            || (!rule.on_holiday.moves.contains_key(&date)
                && rule.on_holiday.default == HolidayAction::Collect);
        if stays {
            return Some(Origin::Regular);
        }
    }
    let moved_here = rule
        .on_holiday
        .moves
        .iter()
        .find(|(holiday, to)| **to == date && base(**holiday) && holidays.is_holiday(**holiday))
        .map(|(holiday, _)| *holiday);
    if let Some(holiday) = moved_here {
        return Some(Origin::MovedFromHoliday { holiday });
    }
    if rule.on_holiday.default == HolidayAction::NextWorkingDay && is_working_day(date, holidays) {
        // Walk back over the run of holidays and Sundays just before `date`: each of them
        // (if a base day without its own move) lands here.
        let mut day = date - Duration::days(1);
        for _ in 0..MAX_HOLIDAY_RUN {
            if is_working_day(day, holidays) {
                break;
            }
            if holidays.is_holiday(day) && base(day) && !rule.on_holiday.moves.contains_key(&day) {
                return Some(Origin::MovedFromHoliday { holiday: day });
            }
            day -= Duration::days(1);
        }
    }
    None
}

fn is_working_day(date: NaiveDate, holidays: &Holidays) -> bool {
    date.weekday() != Weekday::Sun && !holidays.is_holiday(date)
}
