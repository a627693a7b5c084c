//! Settings of the garbage-day notices (ごみ収集日のお知らせ) staff edit in the console: whether
//! they are sent, at what JST times, and the wording and on/off of each kind.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::rules::Calendar;

/// When a citizen wants to hear of a collection day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// 当日朝: on the morning of the collection day.
    Morning,
    /// 前日夜: on the evening before.
    Evening,
}

impl Timing {
    pub const ALL: [Timing; 2] = [Timing::Morning, Timing::Evening];

    /// The city's words, also the value stored on the citizen (see `GARBAGE_NOTICE_ATTRIBUTE`).
    pub fn label(self) -> &'static str {
        match self {
            Timing::Morning => "当日朝",
            Timing::Evening => "前日夜",
        }
    }

    pub fn from_label(label: &str) -> Option<Timing> {
        Self::ALL.into_iter().find(|t| t.label() == label)
    }
}

/// The friend attribute holding a citizen's notice choice (`当日朝` or `前日夜`); absent means
/// they did not opt in. Not a segment item: staff do not edit it, citizens choose it in chat
/// or from the rich menu.
pub const GARBAGE_NOTICE_ATTRIBUTE: &str = "garbage_notice";

/// One kind's notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindNotice {
    pub on: bool,
    /// The line citizens read for this kind, e.g. 「燃やすごみの日です。朝8時30分までに出してください。」
    pub wording: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeSettings {
    /// Whether any notice is sent at all.
    pub enabled: bool,
    /// JST time of the 当日朝 notice (6:30 unless the city changes it).
    pub morning_at: NaiveTime,
    /// JST time of the 前日夜 notice.
    pub evening_at: NaiveTime,
    /// Per kind id; a kind missing here uses [`KindNotice::default_for`].
    #[serde(default)]
    pub kinds: BTreeMap<String, KindNotice>,
}

impl KindNotice {
    pub fn default_for(kind_name: &str) -> Self {
        Self {
            on: true,
            wording: format!("{kind_name}の日です。"),
        }
    }
}

impl Default for NoticeSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            morning_at: NaiveTime::from_hms_opt(6, 30, 0).expect("valid time"),
            evening_at: NaiveTime::from_hms_opt(19, 0, 0).expect("valid time"),
            kinds: BTreeMap::new(),
        }
    }
}

impl NoticeSettings {
    /// The notice of `kind_id` in `calendar`: the saved one, or on with the default wording.
    pub fn kind(&self, calendar: &Calendar, kind_id: &str) -> KindNotice {
        self.kinds.get(kind_id).cloned().unwrap_or_else(|| {
            let name = calendar.kind(kind_id).map_or(kind_id, |k| k.name.as_str());
            KindNotice::default_for(name)
        })
    }

    /// The JST time notices of `timing` go out.
    pub fn time_of(&self, timing: Timing) -> NaiveTime {
        match timing {
            Timing::Morning => self.morning_at,
            Timing::Evening => self.evening_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_default_to_half_past_six_in_the_morning() {
        let s = NoticeSettings::default();
        assert!(s.enabled);
        assert_eq!(s.time_of(Timing::Morning).to_string(), "06:30:00");
    }

    #[test]
    fn a_kind_without_saved_settings_is_on_with_its_name_in_the_wording() {
        let calendar = Calendar::obama_sample();
        let kind = &calendar.kinds[0];
        let notice = NoticeSettings::default().kind(&calendar, &kind.id);
        assert!(notice.on);
        assert!(notice.wording.contains(&kind.name));
    }

    #[test]
    fn timings_read_back_from_their_labels() {
        for t in Timing::ALL {
            assert_eq!(Timing::from_label(t.label()), Some(t));
        }
        assert_eq!(Timing::from_label("毎日"), None);
    }
}
