//! The shipped SAMPLE calendar for 小浜市 (`data/garbage/obama-sample/`, 5374 format). It is
//! plausible but invented: the console labels it as a sample until the city's own calendar is
//! imported.

use crate::import5374::{import5374, Files5374, Imported};

static AREA_DAYS: &[u8] = include_bytes!("../../../data/garbage/obama-sample/area_days.csv");
static CENTER: &[u8] = include_bytes!("../../../data/garbage/obama-sample/center.csv");
static DESCRIPTION: &[u8] = include_bytes!("../../../data/garbage/obama-sample/description.csv");
static TARGET: &[u8] = include_bytes!("../../../data/garbage/obama-sample/target.csv");

/// What a running Tayori does with the shipped sample while the city has imported no calendar
/// of its own. Chosen once at start-up: every Lambda withholds it (a deployment serves real
/// citizens, who must not be told invented collection days); the local run demonstrates it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SampleCalendar {
    /// Citizens get nothing from the sample: no notices, and the chat says the calendar is
    /// being prepared. The default, so that nothing forgotten can send invented days.
    #[default]
    Withheld,
    /// The sample answers and notifies, each message marked as a sample.
    Demonstrate,
}

impl SampleCalendar {
    /// Whether citizens may be told collection days from a calendar (`is_sample`: the
    /// shipped sample, not the city's own).
    pub fn serves(self, is_sample: bool) -> bool {
        !is_sample || self == Self::Demonstrate
    }
}

/// Shown wherever the sample is displayed.
pub const SAMPLE_NOTICE: &str = "サンプルデータです。小浜市の実際の収集日ではありません。市のカレンダーを取り込んで置き換えてください。";

/// The sample calendar and its sorting dictionary.
pub fn obama_sample() -> Imported {
    import5374(Files5374 {
        area_days: AREA_DAYS,
        center: Some(CENTER),
        description: Some(DESCRIPTION),
        target: Some(TARGET),
    })
    .expect("the shipped Obama sample is a valid 5374 data set")
}
