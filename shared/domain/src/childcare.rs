//! Child-rearing messages by the child's age (子育て情報の配信): a parent registers each child's
//! birth month, or before birth the due date; staff keep a schedule of stages (妊娠届出後,
//! 生後2か月 予防接種, 1歳6か月健診…); each stage goes to each child once, when the child
//! reaches it.
//!
//! **When a child reaches an age.** Parents give the birth month, not the day (the day says
//! more about a child than the city needs). A child born in a month reaches 生後Nか月 on the
//! 1st of the month N months later: the month in which every child born in that month turns N
//! months, as a city's own notices (健診のご案内) go out by the month of birth. So 生後2か月 of
//! a child born in 2026-01 is 2026-03-01, whatever day in January the child was born. A child
//! still registered by due date is counted from the due date, day by day; a month added to the
//! 31st (or to 29 February) ends on the last day of a shorter month.
//!
//! **When a stage is sent.** A stage is due on the days from the day the child reaches it to
//! [`CATCH_UP_DAYS`] later, so a sender that missed days still sends it, while a child
//! registered at 3 years never gets 生後2か月. That it is sent once is the records' part (a sent
//! marker per child and stage).

mod age;
mod schedule;

pub use age::{
    Birth, Child, ChildError, ChildcareSubscription, YearMonth, MAX_AGE_YEARS, MAX_CHILDREN,
    MAX_DAYS_UNTIL_DUE,
};
pub use schedule::{
    parse_send_time, Stage, StageError, StageSchedule, StageTiming, TimingKind, CATCH_UP_DAYS,
    MAX_STAGES, MAX_STAGE_TEXT, MAX_TITLE_CHARS,
};

#[cfg(test)]
mod tests;
