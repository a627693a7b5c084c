//! Office hours (受付時間) for consultations: weekly hours in JST and the dates the office is
//! closed (祝日, 年末年始), set by staff. Outside them the citizen is told, once in a while, when a
//! person will answer.

use crate::time::{jst, to_jst};
use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How far ahead the next opening is looked for: a year of closed days means no answer.
const LOOKAHEAD_DAYS: u64 = 366;

/// 月 … 日, as `Weekday::num_days_from_monday` counts.
const WEEKDAY_NAMES: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursError {
    #[error("{0}の時刻「{1}」は 8:30 のように入力してください。")]
    BadTime(&'static str, String),
    #[error("{0}の終了時刻は開始時刻より後にしてください。")]
    EndNotAfterStart(&'static str),
    #[error("{0}は開始と終了の両方を入力するか、両方を空欄にしてください。")]
    HalfFilled(&'static str),
    #[error("休業日「{0}」は 2026-12-29 のように入力してください。")]
    BadDate(String),
}

/// One day's hours, JST.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySpan {
    opens: NaiveTime,
    closes: NaiveTime,
}

impl DaySpan {
    pub fn new(opens: NaiveTime, closes: NaiveTime) -> Option<Self> {
        (opens < closes).then_some(Self { opens, closes })
    }

    /// From the settings form: both times (`8:30`) or both blank (closed that weekday).
    /// `weekday` names the day in errors (「月曜日」).
    pub fn parse(
        weekday: &'static str,
        opens: &str,
        closes: &str,
    ) -> Result<Option<Self>, OfficeHoursError> {
        let (opens, closes) = (opens.trim(), closes.trim());
        match (opens.is_empty(), closes.is_empty()) {
            (true, true) => return Ok(None),
            (false, false) => {}
            _ => return Err(OfficeHoursError::HalfFilled(weekday)),
        }
        let time = |raw: &str| {
            NaiveTime::parse_from_str(raw, "%H:%M")
                .map_err(|_| OfficeHoursError::BadTime(weekday, raw.to_string()))
        };
        Self::new(time(opens)?, time(closes)?)
            .map(Some)
            .ok_or(OfficeHoursError::EndNotAfterStart(weekday))
    }

    pub fn opens(&self) -> NaiveTime {
        self.opens
    }
    pub fn closes(&self) -> NaiveTime {
        self.closes
    }
}

/// The weekly hours (Monday first) and the closed dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    week: [Option<DaySpan>; 7],
    #[serde(default)]
    closed_dates: BTreeSet<NaiveDate>,
}

impl Default for OfficeHours {
    /// 平日 8:30–17:15, the city hall's hours, until staff set their own.
    fn default() -> Self {
        let weekday = DaySpan::new(
            NaiveTime::from_hms_opt(8, 30, 0).expect("valid"),
            NaiveTime::from_hms_opt(17, 15, 0).expect("valid"),
        );
        Self {
            week: [weekday, weekday, weekday, weekday, weekday, None, None],
            closed_dates: BTreeSet::new(),
        }
    }
}

impl OfficeHours {
    pub fn new(week: [Option<DaySpan>; 7], closed_dates: BTreeSet<NaiveDate>) -> Self {
        Self { week, closed_dates }
    }

    /// 「月曜日」…「日曜日」, Monday first, for the settings form.
    pub fn weekday_label(index: usize) -> &'static str {
        const LABELS: [&str; 7] = [
            "月曜日",
            "火曜日",
            "水曜日",
            "木曜日",
            "金曜日",
            "土曜日",
            "日曜日",
        ];
        LABELS[index]
    }

    /// Closed dates from the settings form: one a line, `2026-12-29` or `2026/12/29`.
    pub fn parse_closed_dates(text: &str) -> Result<BTreeSet<NaiveDate>, OfficeHoursError> {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| {
                NaiveDate::parse_from_str(line, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(line, "%Y/%m/%d"))
                    .map_err(|_| OfficeHoursError::BadDate(line.to_string()))
            })
            .collect()
    }

    pub fn week(&self) -> &[Option<DaySpan>; 7] {
        &self.week
    }
    pub fn closed_dates(&self) -> &BTreeSet<NaiveDate> {
        &self.closed_dates
    }

    fn span_on(&self, date: NaiveDate) -> Option<DaySpan> {
        if self.closed_dates.contains(&date) {
            return None;
        }
        self.week[date.weekday().num_days_from_monday() as usize]
    }

    /// Whether a person is at the desk at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = to_jst(now);
        let time = local.time();
        self.span_on(local.date_naive())
            .is_some_and(|span| span.opens <= time && time < span.closes)
    }

    /// When the desk next opens after `now` (`now` itself when open), JST; `None` when it
    /// does not open within a year.
    pub fn next_opening(&self, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
        if self.is_open(now) {
            return Some(to_jst(now));
        }
        let local = to_jst(now);
        let today = local.date_naive();
        (0..LOOKAHEAD_DAYS)
            .filter_map(|n| today.checked_add_days(Days::new(n)))
            .filter_map(|date| self.span_on(date).map(|span| (date, span)))
            .find(|(date, span)| *date > today || local.time() < span.opens)
            .and_then(|(date, span)| {
                jst()
                    .from_local_datetime(&date.and_time(span.opens))
                    .single()
            })
    }

    /// The automatic answer outside the hours (「受付時間外です。12月3日(木) 8:30以降に担当者
    /// から返信します。」); `None` while the desk is open.
    pub fn auto_reply(&self, now: DateTime<Utc>) -> Option<String> {
        if self.is_open(now) {
            return None;
        }
        Some(match self.next_opening(now) {
            Some(at) => format!(
                "受付時間外です。{}月{}日({}) {}:{:02}以降に担当者から返信します。",
                at.month(),
                at.day(),
                WEEKDAY_NAMES[at.weekday().num_days_from_monday() as usize],
                at.hour(),
                at.minute()
            ),
            None => "受付時間外です。担当者から改めて返信します。".to_string(),
        })
    }
}
