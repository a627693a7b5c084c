//! The stages staff schedule (配信スケジュール), each with its text and link.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How long after the day a child reaches a stage it is still sent: a sender down for a few
/// days catches up, a stage long past is never sent.
pub const CATCH_UP_DAYS: i64 = 7;
pub const MAX_STAGES: usize = 50;
pub const MAX_STAGE_TEXT: usize = 1_000;
pub const MAX_TITLE_CHARS: usize = 40;
const MAX_ID_CHARS: usize = 32;
const MAX_LINK_CHARS: usize = 1_000;
const MAX_DAYS_AFTER_PREGNANCY: u32 = 280;
const MAX_WEEKS_BEFORE_DUE: u32 = 40;
const MAX_AGE_YEARS: u32 = 18;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    #[error("段階の番号は半角英小文字・数字・ハイフンで{MAX_ID_CHARS}文字までにしてください。")]
    InvalidId,
    #[error("段階の番号「{0}」が重複しています。")]
    DuplicateId(String),
    #[error("見出しを入力してください（{MAX_TITLE_CHARS}文字まで）。")]
    InvalidTitle,
    #[error("本文を入力してください。")]
    NoText,
    #[error("本文は{MAX_STAGE_TEXT}文字までです。")]
    TextTooLong,
    #[error("リンクは https:// で始まるURLにしてください。")]
    InvalidLink,
    #[error("妊娠届出からの日数は0〜{MAX_DAYS_AFTER_PREGNANCY}日にしてください。")]
    InvalidDays,
    #[error("出産予定日の何週前かは1〜{MAX_WEEKS_BEFORE_DUE}週にしてください。")]
    InvalidWeeks,
    #[error("月齢・年齢は生後1か月から{MAX_AGE_YEARS}歳までで、月は0〜11にしてください。")]
    InvalidAge,
    #[error("段階は{MAX_STAGES}件までです。")]
    TooMany,
    #[error("いつ送るか（妊娠届出後・出産予定日の前・生後／年齢）を選んでください。")]
    NoTiming,
    #[error("その段階は見つかりません。")]
    NotFound,
    #[error("配信時刻は「10:00」のように、24時間制の時と分で入力してください。")]
    InvalidSendTime,
}

impl StageError {
    /// The form field the refusal is about, so the console shows it beside what was typed.
    pub fn field(&self) -> &'static str {
        match self {
            Self::InvalidId | Self::DuplicateId(_) | Self::TooMany | Self::NotFound => "id",
            Self::InvalidTitle => "title",
            Self::NoText | Self::TextTooLong => "text",
            Self::InvalidLink => "link",
            Self::NoTiming => "kind",
            Self::InvalidDays => "days",
            Self::InvalidWeeks => "weeks",
            Self::InvalidAge => "years",
            Self::InvalidSendTime => "send_at",
        }
    }
}

/// The three ways a stage's time is given, as staff choose among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimingKind {
    AfterPregnancyRegistered,
    BeforeDue,
    Age,
}

impl TimingKind {
    pub const ALL: [TimingKind; 3] = [
        TimingKind::AfterPregnancyRegistered,
        TimingKind::BeforeDue,
        TimingKind::Age,
    ];

    /// The form's value for the kind.
    pub fn code(self) -> &'static str {
        match self {
            TimingKind::AfterPregnancyRegistered => "after_pregnancy_registered",
            TimingKind::BeforeDue => "before_due",
            TimingKind::Age => "age",
        }
    }

    pub fn parse(code: &str) -> Result<Self, StageError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or(StageError::NoTiming)
    }

    pub fn label(self) -> &'static str {
        match self {
            TimingKind::AfterPregnancyRegistered => "妊娠届出後N日",
            TimingKind::BeforeDue => "出産予定日のN週前",
            TimingKind::Age => "生後・年齢（N歳Nか月）",
        }
    }
}

/// What a clerk typed with the IME's full-width digits and colon made half-width.
fn half_width(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '：' => ':',
            c => c,
        })
        .collect()
}

/// A whole number as a clerk types it: blank is none (0).
fn count(typed: &str) -> Option<u32> {
    let digits = half_width(typed);
    if digits.is_empty() {
        return Some(0);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The send time (JST) as typed, `10:00` (what `<input type="time">` sends) or `9:30`.
pub fn parse_send_time(typed: &str) -> Result<NaiveTime, StageError> {
    NaiveTime::parse_from_str(&half_width(typed), "%H:%M").map_err(|_| StageError::InvalidSendTime)
}

/// When a child reaches a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StageTiming {
    /// 妊娠届出後: `days` after the parent registered the pregnancy (by due date).
    AfterPregnancyRegistered { days: u32 },
    /// `weeks` before the due date (出産予定日).
    BeforeDue { weeks: u32 },
    /// An age after birth (生後 / 歳): `years` and `months`.
    Age { years: u32, months: u32 },
}

impl StageTiming {
    /// A time from a form's parts: the kind, then its count (days, weeks or years) and, for an
    /// age, the months. A blank count is 0, so 「生後2か月」 is years blank, months 2.
    pub fn from_parts(
        kind: TimingKind,
        count_typed: &str,
        months_typed: &str,
    ) -> Result<Self, StageError> {
        let timing = match kind {
            TimingKind::AfterPregnancyRegistered => StageTiming::AfterPregnancyRegistered {
                days: count(count_typed).ok_or(StageError::InvalidDays)?,
            },
            TimingKind::BeforeDue => StageTiming::BeforeDue {
                weeks: count(count_typed).ok_or(StageError::InvalidWeeks)?,
            },
            TimingKind::Age => StageTiming::Age {
                years: count(count_typed).ok_or(StageError::InvalidAge)?,
                months: count(months_typed).ok_or(StageError::InvalidAge)?,
            },
        };
        timing.check()?;
        Ok(timing)
    }

    pub fn kind(self) -> TimingKind {
        match self {
            StageTiming::AfterPregnancyRegistered { .. } => TimingKind::AfterPregnancyRegistered,
            StageTiming::BeforeDue { .. } => TimingKind::BeforeDue,
            StageTiming::Age { .. } => TimingKind::Age,
        }
    }

    fn check(self) -> Result<(), StageError> {
        match self {
            StageTiming::AfterPregnancyRegistered { days } if days > MAX_DAYS_AFTER_PREGNANCY => {
                Err(StageError::InvalidDays)
            }
            StageTiming::BeforeDue { weeks } if !(1..=MAX_WEEKS_BEFORE_DUE).contains(&weeks) => {
                Err(StageError::InvalidWeeks)
            }
            StageTiming::Age { years, months }
                if months > 11 || years > MAX_AGE_YEARS || (years == 0 && months == 0) =>
            {
                Err(StageError::InvalidAge)
            }
            _ => Ok(()),
        }
    }

    /// The age in months, for an age.
    pub fn months(self) -> Option<u32> {
        match self {
            StageTiming::Age { years, months } => Some(years * 12 + months),
            _ => None,
        }
    }

    /// Pregnancy first (in the order they come), then ages.
    fn order(self) -> (u8, i64) {
        match self {
            StageTiming::AfterPregnancyRegistered { days } => (0, i64::from(days)),
            StageTiming::BeforeDue { weeks } => (1, -i64::from(weeks)),
            StageTiming::Age { .. } => (2, i64::from(self.months().unwrap_or(0))),
        }
    }

    /// In words, as staff and parents read it: 「生後2か月」「1歳6か月」「出産予定日の8週前」.
    pub fn label(self) -> String {
        match self {
            StageTiming::AfterPregnancyRegistered { days: 0 } => "妊娠届出後".into(),
            StageTiming::AfterPregnancyRegistered { days } => format!("妊娠届出の{days}日後"),
            StageTiming::BeforeDue { weeks } => format!("出産予定日の{weeks}週前"),
            StageTiming::Age { years: 0, months } => format!("生後{months}か月"),
            StageTiming::Age { years, months: 0 } => format!("{years}歳"),
            StageTiming::Age { years, months } => format!("{years}歳{months}か月"),
        }
    }
}

/// One stage's message (e.g. 3-4か月児健診のご案内).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    id: String,
    title: String,
    timing: StageTiming,
    text: String,
    #[serde(default)]
    link: Option<String>,
}

fn link(text: Option<&str>) -> Result<Option<String>, StageError> {
    let Some(link) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let host = link.strip_prefix("https://").unwrap_or("");
    let host = host.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty()
        || link.chars().count() > MAX_LINK_CHARS
        || link.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(StageError::InvalidLink);
    }
    Ok(Some(link.to_string()))
}

impl Stage {
    /// `id` names the stage for good (sent markers and delivery ids carry it): lower-case
    /// letters, digits and `-`.
    pub fn new(
        id: &str,
        title: &str,
        timing: StageTiming,
        text: &str,
        link_text: Option<&str>,
    ) -> Result<Self, StageError> {
        if id.is_empty()
            || id.len() > MAX_ID_CHARS
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(StageError::InvalidId);
        }
        let title = title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err(StageError::InvalidTitle);
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(StageError::NoText);
        }
        if text.chars().count() > MAX_STAGE_TEXT {
            return Err(StageError::TextTooLong);
        }
        timing.check()?;
        Ok(Self {
            id: id.into(),
            title: title.into(),
            timing,
            text: text.into(),
            link: link(link_text)?,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn timing(&self) -> StageTiming {
        self.timing
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    /// The message as sent: the text, then the link on its own line.
    pub fn message(&self) -> String {
        match &self.link {
            Some(link) => format!("{}\n{link}", self.text),
            None => self.text.clone(),
        }
    }
}

/// The stages staff scheduled, in the order children reach them. Empty until staff build it:
/// nothing is sent before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageSchedule {
    stages: Vec<Stage>,
}

impl StageSchedule {
    pub fn new(stages: Vec<Stage>) -> Result<Self, StageError> {
        if stages.len() > MAX_STAGES {
            return Err(StageError::TooMany);
        }
        let mut ids = HashSet::new();
        for stage in &stages {
            if !ids.insert(stage.id.as_str()) {
                return Err(StageError::DuplicateId(stage.id.clone()));
            }
        }
        let mut schedule = Self { stages };
        schedule.sort();
        Ok(schedule)
    }

    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Adds a stage, in its place by time; its id must be new to the schedule.
    pub fn add(&mut self, stage: Stage) -> Result<(), StageError> {
        if self.stages.len() >= MAX_STAGES {
            return Err(StageError::TooMany);
        }
        if self.stage(&stage.id).is_some() {
            return Err(StageError::DuplicateId(stage.id));
        }
        self.stages.push(stage);
        self.sort();
        Ok(())
    }

    /// Puts `stage` in place of the stage with its id. The id itself never changes: it is what
    /// records which children were sent the stage, so a new id would send it to them again.
    pub fn replace(&mut self, stage: Stage) -> Result<(), StageError> {
        let at = self
            .stages
            .iter()
            .position(|s| s.id == stage.id)
            .ok_or(StageError::NotFound)?;
        self.stages[at] = stage;
        self.sort();
        Ok(())
    }

    /// Takes the stage out; answers it.
    pub fn remove(&mut self, id: &str) -> Result<Stage, StageError> {
        let at = self
            .stages
            .iter()
            .position(|s| s.id == id)
            .ok_or(StageError::NotFound)?;
        Ok(self.stages.remove(at))
    }

    /// In the order children reach the stages; stages at the same time keep their order.
    fn sort(&mut self) {
        self.stages.sort_by_key(|s| s.timing.order());
    }
}
