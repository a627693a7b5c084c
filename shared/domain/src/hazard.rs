//! The hazards a 指定緊急避難場所 is designated for (災害対策基本法施行令, as GSI publishes them):
//! the shelter registry, the nearest-shelter filter, the JMA rules and the emergency all speak
//! of the same eight.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    Flood,
    Landslide,
    StormSurge,
    Earthquake,
    Tsunami,
    LargeFire,
    InlandFlood,
    Volcano,
}

impl Hazard {
    /// In GSI's column order.
    pub const ALL: [Hazard; 8] = [
        Hazard::Flood,
        Hazard::Landslide,
        Hazard::StormSurge,
        Hazard::Earthquake,
        Hazard::Tsunami,
        Hazard::LargeFire,
        Hazard::InlandFlood,
        Hazard::Volcano,
    ];

    /// The column heading in GSI's 指定緊急避難場所 CSV.
    pub fn gsi_column(self) -> &'static str {
        match self {
            Hazard::Flood => "洪水",
            Hazard::Landslide => "崖崩れ、土石流及び地滑り",
            Hazard::StormSurge => "高潮",
            Hazard::Earthquake => "地震",
            Hazard::Tsunami => "津波",
            Hazard::LargeFire => "大規模な火事",
            Hazard::InlandFlood => "内水氾濫",
            Hazard::Volcano => "火山現象",
        }
    }

    /// The short word citizens and staff see (a quick-reply label fits 20 characters).
    pub fn label(self) -> &'static str {
        match self {
            Hazard::Flood => "洪水",
            Hazard::Landslide => "土砂災害",
            Hazard::StormSurge => "高潮",
            Hazard::Earthquake => "地震",
            Hazard::Tsunami => "津波",
            Hazard::LargeFire => "大規模な火事",
            Hazard::InlandFlood => "内水氾濫",
            Hazard::Volcano => "火山現象",
        }
    }

    /// The stable code in URLs, postbacks and forms.
    pub fn code(self) -> &'static str {
        match self {
            Hazard::Flood => "flood",
            Hazard::Landslide => "landslide",
            Hazard::StormSurge => "storm_surge",
            Hazard::Earthquake => "earthquake",
            Hazard::Tsunami => "tsunami",
            Hazard::LargeFire => "large_fire",
            Hazard::InlandFlood => "inland_flood",
            Hazard::Volcano => "volcano",
        }
    }

    pub fn from_code(code: &str) -> Option<Hazard> {
        Hazard::ALL.into_iter().find(|h| h.code() == code)
    }

    pub fn from_gsi_column(heading: &str) -> Option<Hazard> {
        Hazard::ALL.into_iter().find(|h| h.gsi_column() == heading)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_gsi_headings_name_each_hazard_once() {
        for hazard in Hazard::ALL {
            assert_eq!(Hazard::from_code(hazard.code()), Some(hazard));
            assert_eq!(Hazard::from_gsi_column(hazard.gsi_column()), Some(hazard));
            let json = serde_json::to_value(hazard).unwrap();
            assert_eq!(json, serde_json::Value::String(hazard.code().into()));
        }
        assert_eq!(Hazard::from_gsi_column("大雪"), None);
        assert_eq!(Hazard::from_code("snow"), None);
    }
}
