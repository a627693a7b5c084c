//! Garbage collection calendars (ごみ収集カレンダー), pure: no I/O, no clock, no AWS.
//!
//! - [`holidays`]: national holidays from the Cabinet Office CSV, and [`holiday_law`] for the
//!   years it does not cover yet.
//! - [`rules`]: the calendar model staff edit and Tayori stores as JSON.
//! - [`engine`]: what is collected in a district on a date, the next day of a kind, month grids.
//! - [`cell`], [`import5374`], [`export5374`]: the 5374 open-data format.
//! - [`dictionary`], [`normalize`]: the sorting lookup ("ペットボトルは何ごみ？").
//! - [`intent`]: garbage questions in the chat's intent layer (`tayori-intents`).
//! - [`notices`]: the garbage-day notice settings; [`notice_text`]: what a citizen reads.
//! - [`reimport`]: what a new import keeps of the calendar it replaces.
//! - [`sample`]: the shipped Obama SAMPLE calendar.

pub mod cell;
pub mod dictionary;
pub mod engine;
pub mod error;
pub mod export5374;
pub mod holiday_law;
pub mod holidays;
pub mod import5374;
pub mod intent;
pub mod normalize;
pub mod notice_text;
pub mod notices;
pub mod reimport;
pub mod rules;
pub mod sample;
mod text;

pub use dictionary::{Dictionary, Entry, Lookup};
pub use engine::{Collection, GridDay, MonthGrid, Origin, SkipReason, SkippedDay};
pub use error::{ImportError, ImportFailed};
pub use export5374::{export5374, Exported5374};
pub use holidays::{Holiday, Holidays};
pub use import5374::{import5374, Files5374, Imported};
pub use notices::{KindNotice, NoticeSettings, Timing, GARBAGE_NOTICE_ATTRIBUTE};
pub use rules::{
    Calendar, CalendarError, CentrePause, DateRange, District, Districts, HolidayAction,
    HolidayPolicy, Kind, MonthDay, Rule, Schedule, SubstituteDay, Suspension, YearEndPause,
};
pub use sample::{obama_sample, SampleCalendar, SAMPLE_NOTICE};

impl Calendar {
    /// The shipped 小浜市 SAMPLE calendar (see [`sample`]).
    pub fn obama_sample() -> Calendar {
        sample::obama_sample().calendar
    }
}
