//! The message types Tayori reads and the kind codes it knows for each. A code not listed
//! here is reported as unknown, never mapped to the nearest guess: a new JMA code has to be
//! read in JMA's code tables and added here (with a fixture) before any rule can act on it.
//!
//! Sources: JMA's sample messages in `tests/fixtures` (see SOURCES.md there) and the code lists
//! of 気象庁防災情報XMLフォーマット; codes named "unconfirmed" in SOURCES.md are left out.

use serde::{Deserialize, Serialize};

/// The families a rule is written for: kinds are coded per family, and one family may be
/// carried by several message types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// 気象特別警報・警報・注意報 (VPWW53, VPWW54).
    Weather,
    /// The level-based warnings (VPWW55–61, e.g. レベル４土砂災害危険警報).
    LevelWeather,
    /// 土砂災害警戒情報 (VXWW50).
    Landslide,
    /// 指定河川洪水予報 (VXKO).
    RiverFlood,
    /// 津波警報・注意報・予報 (VTSE41).
    Tsunami,
    /// 震源・震度に関する情報 (VXSE53): intensities, no kinds.
    Earthquake,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Weather,
        Family::LevelWeather,
        Family::Landslide,
        Family::RiverFlood,
        Family::Tsunami,
        Family::Earthquake,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Family::Weather => "weather",
            Family::LevelWeather => "level_weather",
            Family::Landslide => "landslide",
            Family::RiverFlood => "river_flood",
            Family::Tsunami => "tsunami",
            Family::Earthquake => "earthquake",
        }
    }

    pub fn from_code(code: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Family::Weather => "気象特別警報・警報（VPWW53/54）",
            Family::LevelWeather => "レベル別警報（VPWW55〜61）",
            Family::Landslide => "土砂災害警戒情報（VXWW50）",
            Family::RiverFlood => "指定河川洪水予報（VXKO）",
            Family::Tsunami => "津波警報・注意報（VTSE41）",
            Family::Earthquake => "震源・震度情報（VXSE53）",
        }
    }

    /// The kind codes known for this family, with JMA's names.
    pub fn kinds(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Family::Weather => WEATHER,
            Family::LevelWeather => LEVEL_WEATHER,
            Family::Landslide => LANDSLIDE,
            Family::RiverFlood => RIVER_FLOOD,
            Family::Tsunami => TSUNAMI,
            Family::Earthquake => &[],
        }
    }

    pub fn kind_name(self, code: &str) -> Option<&'static str> {
        self.kinds()
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, name)| *name)
    }
}

const WEATHER: &[(&str, &str)] = &[
    ("02", "暴風雪警報"),
    ("03", "大雨警報"),
    ("04", "洪水警報"),
    ("05", "暴風警報"),
    ("06", "大雪警報"),
    ("07", "波浪警報"),
    ("08", "高潮警報"),
    ("10", "大雨注意報"),
    ("12", "大雪注意報"),
    ("13", "風雪注意報"),
    ("14", "雷注意報"),
    ("15", "強風注意報"),
    ("16", "波浪注意報"),
    ("17", "融雪注意報"),
    ("18", "洪水注意報"),
    ("19", "高潮注意報"),
    ("20", "濃霧注意報"),
    ("21", "乾燥注意報"),
    ("22", "なだれ注意報"),
    ("23", "低温注意報"),
    ("24", "霜注意報"),
    ("25", "着氷注意報"),
    ("26", "着雪注意報"),
    ("33", "大雨特別警報"),
    ("35", "暴風特別警報"),
    ("36", "大雪特別警報"),
    ("37", "波浪特別警報"),
    ("38", "高潮特別警報"),
];

const LEVEL_WEATHER: &[(&str, &str)] = &[
    ("03", "レベル３大雨警報"),
    ("08", "レベル３高潮警報"),
    ("09", "レベル３土砂災害警報"),
    ("10", "レベル２大雨注意報"),
    ("29", "レベル２土砂災害注意報"),
    ("43", "レベル４大雨危険警報"),
    ("48", "レベル４高潮危険警報"),
    ("49", "レベル４土砂災害危険警報"),
];

const LANDSLIDE: &[(&str, &str)] = &[("0", "なし"), ("1", "解除"), ("3", "警戒")];

const RIVER_FLOOD: &[(&str, &str)] = &[
    ("20", "氾濫注意情報"),
    ("30", "氾濫警戒情報"),
    ("40", "氾濫危険情報"),
    ("41", "氾濫危険情報"),
    ("53", "氾濫発生情報"),
];

const TSUNAMI: &[(&str, &str)] = &[
    ("00", "津波なし"),
    ("50", "警報解除"),
    ("51", "津波警報"),
    ("52", "大津波警報"),
    ("53", "大津波警報：発表"),
    ("60", "津波注意報解除"),
    ("62", "津波注意報"),
    ("71", "津波予報（若干の海面変動）"),
    ("72", "津波予報（若干の海面変動）"),
    ("73", "津波予報（若干の海面変動）"),
];

/// The message types read. Anything else in a feed is left unread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    Vpww53,
    Vpww54,
    /// VPWW55–61: the level-based warnings, split by phenomenon.
    LevelWarning(u8),
    Vtse41,
    Vxse53,
    Vxww50,
    Vxko,
}

impl MessageType {
    pub fn family(self) -> Family {
        match self {
            MessageType::Vpww53 | MessageType::Vpww54 => Family::Weather,
            MessageType::LevelWarning(_) => Family::LevelWeather,
            MessageType::Vtse41 => Family::Tsunami,
            MessageType::Vxse53 => Family::Earthquake,
            MessageType::Vxww50 => Family::Landslide,
            MessageType::Vxko => Family::RiverFlood,
        }
    }

    /// JMA's code, as in data file names (`…_VXSE53_…xml`).
    pub fn code(self) -> String {
        match self {
            MessageType::Vpww53 => "VPWW53".into(),
            MessageType::Vpww54 => "VPWW54".into(),
            MessageType::LevelWarning(n) => format!("VPWW{n}"),
            MessageType::Vtse41 => "VTSE41".into(),
            MessageType::Vxse53 => "VXSE53".into(),
            MessageType::Vxww50 => "VXWW50".into(),
            MessageType::Vxko => "VXKO".into(),
        }
    }

    /// From the type code in a data URL; the river forecasts are VXKO50–89, one per river.
    pub fn from_code(code: &str) -> Option<MessageType> {
        match code {
            "VPWW53" => Some(MessageType::Vpww53),
            "VPWW54" => Some(MessageType::Vpww54),
            "VTSE41" => Some(MessageType::Vtse41),
            "VXSE53" => Some(MessageType::Vxse53),
            "VXWW50" => Some(MessageType::Vxww50),
            _ => {
                if let Some(n) = code.strip_prefix("VPWW").and_then(|n| n.parse::<u8>().ok()) {
                    return (55..=61)
                        .contains(&n)
                        .then_some(MessageType::LevelWarning(n));
                }
                let river = code
                    .strip_prefix("VXKO")
                    .is_some_and(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_digit()));
                river.then_some(MessageType::Vxko)
            }
        }
    }

    /// From the message's own `Control/Title`, which is what decides how it is read.
    pub fn from_control_title(title: &str) -> Option<MessageType> {
        const LEVELS: [(&str, u8); 7] = [
            ("（大雨）", 55),
            ("（土砂）", 56),
            ("（高潮）", 57),
            ("（暴風）", 58),
            ("（波浪）", 59),
            ("（大雪）", 60),
            ("（その他注意報）", 61),
        ];
        match title {
            "気象特別警報・警報・注意報" => Some(MessageType::Vpww53),
            "気象警報・注意報（Ｈ２７）" => Some(MessageType::Vpww54),
            "津波警報・注意報・予報a" => Some(MessageType::Vtse41),
            "震源・震度に関する情報" => Some(MessageType::Vxse53),
            "土砂災害警戒情報" => Some(MessageType::Vxww50),
            "指定河川洪水予報" => Some(MessageType::Vxko),
            _ => {
                let rest = title.strip_prefix("気象警報・注意報（Ｒ０６）")?;
                LEVELS
                    .iter()
                    .find(|(suffix, _)| *suffix == rest)
                    .map(|(_, n)| MessageType::LevelWarning(*n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_read_back_and_unknown_ones_are_refused() {
        for code in ["VPWW53", "VPWW54", "VPWW56", "VTSE41", "VXSE53", "VXWW50"] {
            assert_eq!(MessageType::from_code(code).unwrap().code(), code);
        }
        assert_eq!(MessageType::from_code("VXKO53"), Some(MessageType::Vxko));
        for unknown in ["VFVO53", "VPWW62", "VPWW50", "VXKO", "VXKO5a", "VTSE51", ""] {
            assert_eq!(MessageType::from_code(unknown), None, "{unknown}");
        }
        for family in Family::ALL {
            assert_eq!(Family::from_code(family.code()), Some(family));
        }
    }

    #[test]
    fn control_titles_name_the_type() {
        assert_eq!(
            MessageType::from_control_title("気象警報・注意報（Ｒ０６）（土砂）"),
            Some(MessageType::LevelWarning(56))
        );
        assert_eq!(
            MessageType::from_control_title("気象警報・注意報（Ｒ０６）（雷）"),
            None
        );
        assert_eq!(MessageType::from_control_title("府県気象解説情報"), None);
    }
}
