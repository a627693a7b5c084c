//! A citizen's children as they registered them, and the day each reaches an age.

use super::schedule::{Stage, StageSchedule, StageTiming};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How many children one citizen may register.
pub const MAX_CHILDREN: usize = 10;
/// A nickname (呼び名) is a short label for the parent's own list, not a name.
pub const MAX_NICKNAME_CHARS: usize = 10;
/// Children older than this are not registered: the schedule ends at school age.
pub const MAX_AGE_YEARS: i32 = 18;
/// A due date further ahead than a pregnancy lasts is a mistake.
pub const MAX_DAYS_UNTIL_DUE: u64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("生まれた年月を正しく入力してください。")]
    InvalidMonth,
    #[error("生まれた年月が未来になっています。")]
    BornInFuture,
    #[error("{MAX_AGE_YEARS}歳までのお子さんを登録できます。")]
    TooOld,
    #[error("出産予定日が過ぎています。お子さんが生まれたら、生まれた年月を登録してください。")]
    DueDatePassed,
    #[error("出産予定日が先すぎます。日付を確かめてください。")]
    DueDateTooFar,
    #[error("呼び名は{MAX_NICKNAME_CHARS}文字までです。")]
    NicknameTooLong,
    #[error("呼び名に使えない文字が含まれています。")]
    NicknameInvalid,
    #[error("登録できるお子さんは{MAX_CHILDREN}人までです。")]
    TooMany,
    #[error("そのお子さんの登録は見つかりません。")]
    NotFound,
    #[error("お子さんの番号が正しくありません。")]
    InvalidId,
}

/// A year and month (年月), such as a birth month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Result<Self, ChildError> {
        if !(1..=12).contains(&month) || !(1900..=9999).contains(&year) {
            return Err(ChildError::InvalidMonth);
        }
        Ok(Self { year, month })
    }

    /// `2026-01` (as `<input type="month">` sends it) or `2026/1`.
    pub fn parse(text: &str) -> Result<Self, ChildError> {
        let (y, m) = text
            .trim()
            .split_once(['-', '/'])
            .ok_or(ChildError::InvalidMonth)?;
        let year = y.parse().map_err(|_| ChildError::InvalidMonth)?;
        let month = m.parse().map_err(|_| ChildError::InvalidMonth)?;
        Self::new(year, month)
    }

    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a validated month")
    }

    /// The month `months` later.
    pub fn plus_months(self, months: u32) -> Self {
        let index = self.year * 12 + (self.month as i32 - 1) + months as i32;
        Self {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = ChildError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<YearMonth> for String {
    fn from(month: YearMonth) -> Self {
        month.to_string()
    }
}

/// What the parent knows of the birth: the month the child was born (出生月), or before birth
/// the due date (出産予定日).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Birth {
    Born { month: YearMonth },
    Expected { due: NaiveDate },
}

impl Birth {
    /// How the parent's own list names the child: 「2026年1月生まれ」, 「出産予定日 2027年3月10日」.
    pub fn label(self) -> String {
        match self {
            Birth::Born { month } => format!("{}年{}月生まれ", month.year, month.month),
            Birth::Expected { due } => {
                format!(
                    "出産予定日 {}年{}月{}日",
                    due.year(),
                    due.month(),
                    due.day()
                )
            }
        }
    }

    fn check(self, today: NaiveDate) -> Result<(), ChildError> {
        match self {
            Birth::Born { month } => {
                if month > YearMonth::of(today) {
                    return Err(ChildError::BornInFuture);
                }
                if month < YearMonth::of(today).minus_years(MAX_AGE_YEARS) {
                    return Err(ChildError::TooOld);
                }
            }
            Birth::Expected { due } => {
                if due < today {
                    return Err(ChildError::DueDatePassed);
                }
                if due > today + Days::new(MAX_DAYS_UNTIL_DUE) {
                    return Err(ChildError::DueDateTooFar);
                }
            }
        }
        Ok(())
    }
}

impl YearMonth {
    fn minus_years(self, years: i32) -> Self {
        Self {
            year: self.year - years,
            month: self.month,
        }
    }
}

/// One registered child (お子さん).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    id: String,
    birth: Birth,
    #[serde(default)]
    nickname: Option<String>,
    /// The day the parent registered the child: it stands in for the 妊娠届出 (the parent
    /// registers when the pregnancy is reported and the 母子健康手帳 handed over).
    registered_on: NaiveDate,
}

fn nickname(text: Option<&str>) -> Result<Option<String>, ChildError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_NICKNAME_CHARS {
        return Err(ChildError::NicknameTooLong);
    }
    if text.chars().any(char::is_control) {
        return Err(ChildError::NicknameInvalid);
    }
    Ok(Some(text.to_string()))
}

impl Child {
    /// A child registered on `today` (JST). `id` is the registry's (letters, digits, `-`).
    pub fn new(
        id: impl Into<String>,
        birth: Birth,
        nickname_text: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, ChildError> {
        let id = id.into();
        if id.is_empty()
            || id.len() > 40
            || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(ChildError::InvalidId);
        }
        birth.check(today)?;
        Ok(Self {
            id,
            birth,
            nickname: nickname(nickname_text)?,
            registered_on: today,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn birth(&self) -> Birth {
        self.birth
    }

    pub fn nickname(&self) -> Option<&str> {
        self.nickname.as_deref()
    }

    pub fn registered_on(&self) -> NaiveDate {
        self.registered_on
    }

    /// The child was born in `month`: from now on ages count from the month, not the due date.
    pub fn record_birth(&mut self, month: YearMonth, today: NaiveDate) -> Result<(), ChildError> {
        let birth = Birth::Born { month };
        birth.check(today)?;
        self.birth = birth;
        Ok(())
    }

    /// The day the child reaches `timing`, or `None` where it does not apply (a stage before
    /// birth for a child already born).
    pub fn reaches(&self, timing: StageTiming) -> Option<NaiveDate> {
        match (timing, self.birth) {
            (StageTiming::AfterPregnancyRegistered { days }, Birth::Expected { .. }) => {
                self.registered_on.checked_add_days(Days::new(days.into()))
            }
            (StageTiming::BeforeDue { weeks }, Birth::Expected { due }) => {
                due.checked_sub_days(Days::new(u64::from(weeks) * 7))
            }
            (StageTiming::Age { .. }, Birth::Born { month }) => {
                Some(month.plus_months(timing.months()?).first_day())
            }
            // chrono ends a month added to the 31st (or 29 February) on the shorter month's
            // last day.
            (StageTiming::Age { .. }, Birth::Expected { due }) => {
                due.checked_add_months(Months::new(timing.months()?))
            }
            (_, Birth::Born { .. }) => None,
        }
    }

    /// Whether `stage` is due on `date`: reached on that day or at most [`CATCH_UP_DAYS`]
    /// (exclusive) before it.
    ///
    /// [`CATCH_UP_DAYS`]: super::CATCH_UP_DAYS
    pub fn is_due(&self, stage: &Stage, date: NaiveDate) -> bool {
        self.reaches(stage.timing()).is_some_and(|reached| {
            reached <= date && (date - reached).num_days() < super::CATCH_UP_DAYS
        })
    }
}

/// A citizen's registration for child-rearing messages: their children, and whether they
/// stopped the messages (配信停止) for now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildcareSubscription {
    children: Vec<Child>,
    #[serde(default)]
    opted_out: bool,
}

impl ChildcareSubscription {
    pub fn children(&self) -> &[Child] {
        &self.children
    }

    pub fn is_opted_out(&self) -> bool {
        self.opted_out
    }

    pub fn add(&mut self, child: Child) -> Result<(), ChildError> {
        if self.children.len() >= MAX_CHILDREN {
            return Err(ChildError::TooMany);
        }
        if self.children.iter().any(|c| c.id == child.id) {
            return Err(ChildError::InvalidId);
        }
        self.children.push(child);
        Ok(())
    }

    /// Removes the child; their messages stop with them.
    pub fn remove(&mut self, id: &str) -> Result<Child, ChildError> {
        let at = self
            .children
            .iter()
            .position(|c| c.id == id)
            .ok_or(ChildError::NotFound)?;
        Ok(self.children.remove(at))
    }

    pub fn record_birth(
        &mut self,
        id: &str,
        month: YearMonth,
        today: NaiveDate,
    ) -> Result<(), ChildError> {
        self.children
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or(ChildError::NotFound)?
            .record_birth(month, today)
    }

    pub fn opt_out(&mut self) {
        self.opted_out = true;
    }

    pub fn opt_in(&mut self) {
        self.opted_out = false;
    }

    /// Nothing registered and nothing to remember: the record can go.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty() && !self.opted_out
    }

    /// The (child, stage) pairs due on `date` (JST), none while opted out. Whether a pair was
    /// already sent is the caller's to check.
    pub fn due_on<'a>(
        &'a self,
        schedule: &'a StageSchedule,
        date: NaiveDate,
    ) -> Vec<(&'a Child, &'a Stage)> {
        if self.opted_out {
            return Vec::new();
        }
        self.children
            .iter()
            .flat_map(|child| {
                schedule
                    .stages()
                    .iter()
                    .filter(move |stage| child.is_due(stage, date))
                    .map(move |stage| (child, stage))
            })
            .collect()
    }
}
