//! A JMA rule (自動切替ルール): which JMA message, for which of 小浜市's areas, makes Tayori act
//! by itself, and what it does then: open an emergency (災害対応) for some hazards, switch to
//! the emergency rich menu, and post a first message to all friends, sent at once or left as
//! a draft waiting for approval.
//!
//! Matching is pure: [`EmergencyRule::matches`] decides on a parsed [`Bulletin`]. Only a real
//! (通常) message that is not a retraction (取消) and newly issues (発表) a watched kind in a
//! watched area triggers; 継続 never does, so the hourly updates of one warning do not act
//! again, and 解除 / なし never do: a lifting is only told to staff
//! ([`EmergencyRule::lifted_by`]), who switch back by hand.
//!
//! Shipped rules ([`EmergencyRule::defaults`]) are created disabled: nothing reaches citizens
//! before a clerk has read a rule and turned it on.

use crate::hazard::Hazard;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tayori_jma::{Bulletin, Family, InfoType, Intensity, ReportStatus, WarningStatus};

pub const MAX_NAME_CHARS: usize = 40;
/// A LINE text message holds 5,000 characters; the first message is kept well under it.
pub const MAX_TEXT_CHARS: usize = 1000;

/// The areas a rule may watch: 小浜市 and the larger areas JMA issues for, by family.
pub const AREAS: &[WatchedArea] = &[
    WatchedArea {
        code: "1820400",
        name: "小浜市",
        families: &[
            Family::Weather,
            Family::LevelWeather,
            Family::Landslide,
            Family::RiverFlood,
            Family::Earthquake,
        ],
    },
    WatchedArea {
        code: "180022",
        name: "嶺南西部",
        families: &[Family::Weather, Family::LevelWeather],
    },
    WatchedArea {
        code: "180020",
        name: "嶺南",
        families: &[Family::Weather, Family::LevelWeather],
    },
    WatchedArea {
        code: "180000",
        name: "福井県",
        families: &[Family::Weather, Family::LevelWeather, Family::RiverFlood],
    },
    WatchedArea {
        code: "401",
        name: "福井県嶺南（地震）",
        families: &[Family::Earthquake],
    },
    WatchedArea {
        code: "370",
        name: "福井県（津波予報区）",
        families: &[Family::Tsunami],
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchedArea {
    pub code: &'static str,
    pub name: &'static str,
    pub families: &'static [Family],
}

pub fn area(code: &str) -> Option<&'static WatchedArea> {
    AREAS.iter().find(|a| a.code == code)
}

/// What a rule listens for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// Kinds of one family by JMA code (大雨特別警報 33, 津波警報 51…).
    Kinds { family: Family, codes: Vec<String> },
    /// 震度 at least this much (VXSE53).
    Intensity { at_least: Intensity },
}

impl Trigger {
    pub fn family(&self) -> Family {
        match self {
            Trigger::Kinds { family, .. } => *family,
            Trigger::Intensity { .. } => Family::Earthquake,
        }
    }

    /// In words, for the console.
    pub fn describe(&self) -> String {
        match self {
            Trigger::Kinds { family, codes } => {
                let names: Vec<String> = codes
                    .iter()
                    .map(|c| match family.kind_name(c) {
                        Some(name) => format!("{name}（{c}）"),
                        None => c.clone(),
                    })
                    .collect();
                format!("{}: {}", family.label(), names.join("、"))
            }
            Trigger::Intensity { at_least } => format!("{}以上", at_least.label()),
        }
    }
}

/// The first message to all friends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FirstMessage {
    None,
    /// Sent at once, as Tayori's own delivery.
    Automatic {
        text: String,
    },
    /// A draft submitted for approval: a clerk with the send permission releases it.
    Draft {
        text: String,
    },
}

impl FirstMessage {
    pub fn text(&self) -> Option<&str> {
        match self {
            FirstMessage::None => None,
            FirstMessage::Automatic { text } | FirstMessage::Draft { text } => Some(text),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            FirstMessage::None => "送らない",
            FirstMessage::Automatic { .. } => "自動で全員に送信",
            FirstMessage::Draft { .. } => "下書きを作り承認待ちにする",
        }
    }
}

/// What staff fill in for a rule; checked by [`EmergencyRule::create`] and
/// [`EmergencyRule::revise`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSettings {
    pub name: String,
    pub trigger: Trigger,
    pub areas: Vec<String>,
    pub hazards: Vec<Hazard>,
    pub switch_menu: bool,
    pub open_emergency: bool,
    pub first_message: FirstMessage,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmergencyRule {
    id: String,
    name: String,
    enabled: bool,
    trigger: Trigger,
    areas: Vec<String>,
    hazards: Vec<Hazard>,
    switch_menu: bool,
    open_emergency: bool,
    first_message: FirstMessage,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("ルールの名前を入力してください。")]
    NoName,
    #[error("ルールの名前は{MAX_NAME_CHARS}文字以内にしてください。")]
    NameTooLong,
    #[error("対象の警報等を1つ以上選んでください。")]
    NoKinds,
    #[error("{family}にコード「{code}」の種別はありません。")]
    UnknownKind { family: &'static str, code: String },
    #[error("震源・震度情報は震度で指定してください。")]
    EarthquakeNeedsIntensity,
    #[error("対象の地域を1つ以上選んでください。")]
    NoAreas,
    #[error("地域コード「{0}」は選べません。")]
    UnknownArea(String),
    #[error("「{area}」は{family}の対象地域ではありません。")]
    AreaNotForFamily {
        area: &'static str,
        family: &'static str,
    },
    #[error("最初のメッセージの本文を入力してください。")]
    NoText,
    #[error("最初のメッセージは{MAX_TEXT_CHARS}文字以内にしてください。")]
    TextTooLong,
    #[error("メニュー切替・災害対応の開始・最初のメッセージのいずれかを選んでください。")]
    NothingToDo,
}

/// Why a rule matched (or what was lifted): shown in the action log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMatch {
    pub area_code: String,
    pub area_name: String,
    /// e.g. 「津波警報（発表）」 or 「震度5強」.
    pub what: String,
}

impl RuleSettings {
    fn checked(mut self) -> Result<Self, RuleError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            return Err(RuleError::NoName);
        }
        if self.name.chars().count() > MAX_NAME_CHARS {
            return Err(RuleError::NameTooLong);
        }
        let family = self.trigger.family();
        if let Trigger::Kinds { family, codes } = &mut self.trigger {
            if *family == Family::Earthquake {
                return Err(RuleError::EarthquakeNeedsIntensity);
            }
            codes.sort();
            codes.dedup();
            if codes.is_empty() {
                return Err(RuleError::NoKinds);
            }
            if let Some(code) = codes.iter().find(|c| family.kind_name(c).is_none()) {
                return Err(RuleError::UnknownKind {
                    family: family.label(),
                    code: code.clone(),
                });
            }
        }
        self.areas.sort();
        self.areas.dedup();
        if self.areas.is_empty() {
            return Err(RuleError::NoAreas);
        }
        for code in &self.areas {
            let watched = area(code).ok_or_else(|| RuleError::UnknownArea(code.clone()))?;
            if !watched.families.contains(&family) {
                return Err(RuleError::AreaNotForFamily {
                    area: watched.name,
                    family: family.label(),
                });
            }
        }
        self.hazards.sort();
        self.hazards.dedup();
        if let FirstMessage::Automatic { text } | FirstMessage::Draft { text } =
            &mut self.first_message
        {
            *text = text.trim().to_owned();
            if text.is_empty() {
                return Err(RuleError::NoText);
            }
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(RuleError::TextTooLong);
            }
        }
        if !self.switch_menu && !self.open_emergency && self.first_message == FirstMessage::None {
            return Err(RuleError::NothingToDo);
        }
        Ok(self)
    }
}

impl EmergencyRule {
    /// A new rule, disabled: it acts only once a clerk turns it on.
    pub fn create(
        id: impl Into<String>,
        settings: RuleSettings,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, RuleError> {
        let s = settings.checked()?;
        Ok(Self {
            id: id.into(),
            name: s.name,
            enabled: false,
            trigger: s.trigger,
            areas: s.areas,
            hazards: s.hazards,
            switch_menu: s.switch_menu,
            open_emergency: s.open_emergency,
            first_message: s.first_message,
            updated_at: now,
            updated_by: by.to_owned(),
        })
    }

    /// Replaces what the rule does; whether it is on is left as it was.
    pub fn revise(
        &mut self,
        settings: RuleSettings,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RuleError> {
        let s = settings.checked()?;
        self.name = s.name;
        self.trigger = s.trigger;
        self.areas = s.areas;
        self.hazards = s.hazards;
        self.switch_menu = s.switch_menu;
        self.open_emergency = s.open_emergency;
        self.first_message = s.first_message;
        self.updated_at = now;
        self.updated_by = by.to_owned();
        Ok(())
    }

    pub fn set_enabled(&mut self, enabled: bool, by: &str, now: DateTime<Utc>) {
        self.enabled = enabled;
        self.updated_at = now;
        self.updated_by = by.to_owned();
    }

    pub fn settings(&self) -> RuleSettings {
        RuleSettings {
            name: self.name.clone(),
            trigger: self.trigger.clone(),
            areas: self.areas.clone(),
            hazards: self.hazards.clone(),
            switch_menu: self.switch_menu,
            open_emergency: self.open_emergency,
            first_message: self.first_message.clone(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn enabled(&self) -> bool {
        self.enabled
    }
    pub fn trigger(&self) -> &Trigger {
        &self.trigger
    }
    pub fn areas(&self) -> &[String] {
        &self.areas
    }
    pub fn hazards(&self) -> &[Hazard] {
        &self.hazards
    }
    pub fn switch_menu(&self) -> bool {
        self.switch_menu
    }
    pub fn open_emergency(&self) -> bool {
        self.open_emergency
    }
    pub fn first_message(&self) -> &FirstMessage {
        &self.first_message
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn updated_by(&self) -> &str {
        &self.updated_by
    }

    /// Whether `bulletin` triggers this rule, and where. Never for a disabled rule, a drill
    /// or test message, a retraction, or a kind that is only continued, lifted or absent.
    pub fn matches(&self, bulletin: &Bulletin) -> Option<RuleMatch> {
        if !self.enabled {
            return None;
        }
        self.find(bulletin, |status| status == WarningStatus::Issued, true)
    }

    /// Whether `bulletin` lifts (解除, or lowers) a kind this rule watches in its areas: staff
    /// are told, nothing is switched. Asked of enabled and disabled rules alike.
    pub fn lifted_by(&self, bulletin: &Bulletin) -> Option<RuleMatch> {
        if matches!(self.trigger, Trigger::Intensity { .. }) {
            return None;
        }
        self.find(
            bulletin,
            |status| matches!(status, WarningStatus::Cancelled | WarningStatus::Downgraded),
            false,
        )
    }

    fn find(
        &self,
        bulletin: &Bulletin,
        wanted: impl Fn(WarningStatus) -> bool,
        issuing: bool,
    ) -> Option<RuleMatch> {
        if bulletin.status != ReportStatus::Normal
            || bulletin.info_type == InfoType::Retracted
            || bulletin.family() != self.trigger.family()
        {
            return None;
        }
        for code in &self.areas {
            let Some(report) = bulletin.area(code) else {
                continue;
            };
            let found = match &self.trigger {
                Trigger::Intensity { at_least } => report
                    .max_intensity
                    .filter(|i| i >= at_least)
                    .map(|i| i.label().to_owned()),
                Trigger::Kinds { codes, .. } => report
                    .warnings
                    .iter()
                    .find(|w| {
                        wanted(w.status)
                            && if issuing {
                                codes.contains(&w.code)
                            } else {
                                lifted_kind_is_watched(bulletin.family(), &w.code, codes)
                            }
                    })
                    .map(|w| format!("{}（{}）", w.name, w.status.label())),
            };
            if let Some(what) = found {
                return Some(RuleMatch {
                    area_code: code.clone(),
                    area_name: area(code).map_or(report.name.clone(), |a| a.name.to_owned()),
                    what,
                });
            }
        }
        None
    }

    /// The rules Tayori ships for 小浜市, all disabled.
    pub fn defaults(now: DateTime<Utc>) -> Vec<EmergencyRule> {
        let rule = |id: &str, settings: RuleSettings| {
            EmergencyRule::create(id, settings, "system:defaults", now)
                .expect("the shipped rules are valid")
        };
        let codes = |cs: &[&str]| cs.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let areas = |cs: &[&str]| cs.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        vec![
            rule(
                "default-heavy-rain-emergency",
                RuleSettings {
                    name: "大雨特別警報（小浜市）".into(),
                    trigger: Trigger::Kinds {
                        family: Family::Weather,
                        codes: codes(&["33"]),
                    },
                    areas: areas(&["1820400"]),
                    hazards: vec![Hazard::Flood, Hazard::Landslide, Hazard::InlandFlood],
                    switch_menu: true,
                    open_emergency: true,
                    first_message: FirstMessage::Draft {
                        text: "【小浜市】大雨特別警報が発表されました。命を守るための最善の行動をとってください。避難所の情報はメニューの「近くの避難所」から確認できます。".into(),
                    },
                },
            ),
            rule(
                "default-tsunami-warning",
                RuleSettings {
                    name: "津波警報・大津波警報（福井県）".into(),
                    trigger: Trigger::Kinds {
                        family: Family::Tsunami,
                        codes: codes(&["51", "52", "53"]),
                    },
                    areas: areas(&["370"]),
                    hazards: vec![Hazard::Tsunami],
                    switch_menu: true,
                    open_emergency: true,
                    first_message: FirstMessage::Automatic {
                        text: "【小浜市】福井県に津波警報が発表されました。海岸や川の河口付近から離れ、直ちに高い場所へ避難してください。".into(),
                    },
                },
            ),
            rule(
                "default-earthquake-5-upper",
                RuleSettings {
                    name: "震度5強以上（福井県嶺南）".into(),
                    trigger: Trigger::Intensity {
                        at_least: Intensity::FiveUpper,
                    },
                    areas: areas(&["401", "1820400"]),
                    hazards: vec![Hazard::Earthquake],
                    switch_menu: true,
                    open_emergency: true,
                    first_message: FirstMessage::Draft {
                        text: "【小浜市】強い地震がありました。身の安全を確保し、落ち着いて行動してください。".into(),
                    },
                },
            ),
            rule(
                "default-landslide-alert",
                RuleSettings {
                    name: "土砂災害警戒情報（小浜市）".into(),
                    trigger: Trigger::Kinds {
                        family: Family::Landslide,
                        codes: codes(&["3"]),
                    },
                    areas: areas(&["1820400"]),
                    hazards: vec![Hazard::Landslide],
                    switch_menu: true,
                    open_emergency: true,
                    first_message: FirstMessage::Draft {
                        text: "【小浜市】土砂災害警戒情報が発表されました。崖の近くや谷の出口にお住まいの方は、早めに安全な場所へ避難してください。".into(),
                    },
                },
            ),
            rule(
                "default-landslide-level-4",
                RuleSettings {
                    name: "レベル４土砂災害危険警報（小浜市）".into(),
                    trigger: Trigger::Kinds {
                        family: Family::LevelWeather,
                        codes: codes(&["49"]),
                    },
                    areas: areas(&["1820400"]),
                    hazards: vec![Hazard::Landslide],
                    switch_menu: true,
                    open_emergency: true,
                    first_message: FirstMessage::Draft {
                        text: "【小浜市】レベル４土砂災害危険警報が発表されました。危険な場所から全員避難してください。".into(),
                    },
                },
            ),
        ]
    }
}

/// A lifting names the kind it lifts in different ways: VPWW gives the lifted kind's own code
/// with 解除, VTSE41 gives 50 / 60 (警報解除 / 注意報解除), VXWW50 gives 1 (解除).
fn lifted_kind_is_watched(family: Family, code: &str, watched: &[String]) -> bool {
    let watches = |c: &str| watched.iter().any(|w| w == c);
    match (family, code) {
        (Family::Tsunami, "50") => watches("51") || watches("52") || watches("53"),
        (Family::Tsunami, "60") => watches("62"),
        (Family::Landslide, "1") => watches("3"),
        _ => watches(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_jma::{AreaReport, MessageType, Warning};

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap()
    }

    fn default(id: &str) -> EmergencyRule {
        let mut rule = EmergencyRule::defaults(at())
            .into_iter()
            .find(|r| r.id() == id)
            .unwrap();
        rule.set_enabled(true, "tanaka", at());
        rule
    }

    fn bulletin(message_type: MessageType, areas: Vec<AreaReport>) -> Bulletin {
        Bulletin {
            message_type,
            title: "t".into(),
            report_time: at(),
            status: ReportStatus::Normal,
            info_type: InfoType::Issued,
            headline: String::new(),
            areas,
            unknown_codes: vec![],
        }
    }

    fn warned(code: &str, kind: &str, status: WarningStatus) -> AreaReport {
        AreaReport {
            code: code.into(),
            name: String::new(),
            warnings: vec![Warning {
                code: kind.into(),
                name: format!("種別{kind}"),
                status,
            }],
            max_intensity: None,
        }
    }

    fn shaken(code: &str, intensity: Intensity) -> AreaReport {
        AreaReport {
            code: code.into(),
            name: String::new(),
            warnings: vec![],
            max_intensity: Some(intensity),
        }
    }

    #[test]
    fn matching_as_a_table() {
        use MessageType::*;
        use WarningStatus::*;
        let rain = "default-heavy-rain-emergency";
        let tsunami = "default-tsunami-warning";
        let quake = "default-earthquake-5-upper";
        let landslide = "default-landslide-alert";
        let level4 = "default-landslide-level-4";
        let training = |mut b: Bulletin| {
            b.status = ReportStatus::Training;
            b
        };
        let test = |mut b: Bulletin| {
            b.status = ReportStatus::Test;
            b
        };
        let retracted = |mut b: Bulletin| {
            b.info_type = InfoType::Retracted;
            b
        };
        let corrected = |mut b: Bulletin| {
            b.info_type = InfoType::Corrected;
            b
        };
        let rain_in = |area: &str, status| bulletin(Vpww54, vec![warned(area, "33", status)]);
        let tsunami_in =
            |area: &str, kind: &str, status| bulletin(Vtse41, vec![warned(area, kind, status)]);
        let quake_in = |area: &str, i| bulletin(Vxse53, vec![shaken(area, i)]);
        let table: Vec<(&str, Bulletin, Option<&str>)> = vec![
            (rain, rain_in("1820400", Issued), Some("1820400")),
            (rain, rain_in("1820400", Continued), None),
            (rain, rain_in("1820400", Cancelled), None),
            (rain, rain_in("1820400", NotInForce), None),
            (rain, rain_in("1820400", Downgraded), None),
            (rain, rain_in("1310400", Issued), None),
            (rain, rain_in("180022", Issued), None),
            (rain, training(rain_in("1820400", Issued)), None),
            (rain, test(rain_in("1820400", Issued)), None),
            (rain, retracted(rain_in("1820400", Issued)), None),
            (rain, corrected(rain_in("1820400", Issued)), Some("1820400")),
            (
                rain,
                bulletin(Vpww54, vec![warned("1820400", "03", Issued)]),
                None,
            ),
            // Same code, another family: VPWW56's 33 is not 大雨特別警報.
            (
                rain,
                bulletin(LevelWarning(56), vec![warned("1820400", "33", Issued)]),
                None,
            ),
            (tsunami, tsunami_in("370", "51", Issued), Some("370")),
            (tsunami, tsunami_in("370", "52", Issued), Some("370")),
            (tsunami, tsunami_in("370", "53", Issued), Some("370")),
            (tsunami, tsunami_in("370", "62", Issued), None),
            (tsunami, tsunami_in("370", "51", Continued), None),
            (tsunami, tsunami_in("370", "50", Cancelled), None),
            (tsunami, tsunami_in("361", "51", Issued), None),
            (tsunami, training(tsunami_in("370", "52", Issued)), None),
            (quake, quake_in("401", Intensity::FiveUpper), Some("401")),
            (quake, quake_in("401", Intensity::Seven), Some("401")),
            (
                quake,
                quake_in("1820400", Intensity::SixLower),
                Some("1820400"),
            ),
            (quake, quake_in("401", Intensity::FiveLower), None),
            (quake, quake_in("400", Intensity::Seven), None),
            (quake, training(quake_in("401", Intensity::Seven)), None),
            (
                landslide,
                bulletin(Vxww50, vec![warned("1820400", "3", Issued)]),
                Some("1820400"),
            ),
            (
                landslide,
                bulletin(Vxww50, vec![warned("1820400", "0", NotInForce)]),
                None,
            ),
            (
                landslide,
                bulletin(Vxww50, vec![warned("1820400", "1", Cancelled)]),
                None,
            ),
            (
                level4,
                bulletin(LevelWarning(56), vec![warned("1820400", "49", Issued)]),
                Some("1820400"),
            ),
        ];
        for (i, (id, b, expected)) in table.into_iter().enumerate() {
            let rule = default(id);
            let got = rule.matches(&b).map(|m| m.area_code);
            assert_eq!(got.as_deref(), expected, "row {i}: {id} on {b:?}");
            let mut off = rule.clone();
            off.set_enabled(false, "tanaka", at());
            assert_eq!(off.matches(&b), None, "row {i}: disabled {id} matched");
        }
    }

    fn fixture(name: &str) -> Bulletin {
        let path = format!(
            "{}/../jma/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        match tayori_jma::parse(&std::fs::read(path).unwrap()).unwrap() {
            tayori_jma::Parsed::Bulletin(b) => *b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn on_the_fixtures() {
        let tsunami = default("default-tsunami-warning");
        // JMA's drill lists 福井県 with a 津波注意報 and is a drill twice over.
        assert_eq!(
            tsunami.matches(&fixture("32-39_12_02_250206_VTSE41.xml")),
            None
        );
        let m = tsunami
            .matches(&fixture("test-made/VTSE41_fukui_warning_normal.xml"))
            .unwrap();
        assert_eq!(
            (m.area_code.as_str(), m.what.as_str()),
            ("370", "津波警報（発表）")
        );
        let lifted = fixture("test-made/VTSE41_fukui_warning_lifted.xml");
        assert_eq!(tsunami.matches(&lifted), None);
        assert!(tsunami.lifted_by(&lifted).is_some());
        assert_eq!(
            tsunami.matches(&fixture("38-39_03_01_210805_VTSE41.xml")),
            None
        );
        // 震度3 in 小浜市 and 福井県嶺南: below 5強.
        let quake = default("default-earthquake-5-upper");
        assert_eq!(
            quake.matches(&fixture("32-35_07_06_240613_VXSE53.xml")),
            None
        );
        let mut three = quake.settings();
        three.trigger = Trigger::Intensity {
            at_least: Intensity::Three,
        };
        let mut sensitive = quake.clone();
        sensitive.revise(three, "tanaka", at()).unwrap();
        let m = sensitive
            .matches(&fixture("32-35_07_06_240613_VXSE53.xml"))
            .unwrap();
        assert_eq!(m.what, "震度3");
    }

    #[test]
    fn liftings_are_told_for_watched_kinds_only() {
        use WarningStatus::*;
        let tsunami = default("default-tsunami-warning");
        let lifted = bulletin(MessageType::Vtse41, vec![warned("370", "50", Cancelled)]);
        let told = tsunami.lifted_by(&lifted).unwrap();
        assert_eq!(told.area_name, "福井県（津波予報区）");
        assert_eq!(tsunami.matches(&lifted), None);
        // 注意報解除 is not about a warning this rule watches.
        let advisory = bulletin(MessageType::Vtse41, vec![warned("370", "60", Cancelled)]);
        assert_eq!(tsunami.lifted_by(&advisory), None);
        let rain = default("default-heavy-rain-emergency");
        let rain_lifted = bulletin(
            MessageType::Vpww53,
            vec![warned("1820400", "33", Cancelled)],
        );
        assert!(rain.lifted_by(&rain_lifted).is_some());
        let mut training = rain_lifted.clone();
        training.status = ReportStatus::Training;
        assert_eq!(rain.lifted_by(&training), None);
        let landslide = default("default-landslide-alert");
        let all_clear = bulletin(MessageType::Vxww50, vec![warned("1820400", "1", Cancelled)]);
        assert!(landslide.lifted_by(&all_clear).is_some());
    }

    #[test]
    fn shipped_rules_are_off_until_staff_turn_them_on() {
        let rules = EmergencyRule::defaults(at());
        assert_eq!(rules.len(), 5);
        assert!(rules.iter().all(|r| !r.enabled()));
        let bad = bulletin(
            MessageType::Vtse41,
            vec![warned("370", "51", WarningStatus::Issued)],
        );
        assert!(rules.iter().all(|r| r.matches(&bad).is_none()));
    }

    fn settings() -> RuleSettings {
        default("default-tsunami-warning").settings()
    }

    #[test]
    fn settings_are_checked_when_saved() {
        let check = |change: &dyn Fn(&mut RuleSettings)| {
            let mut s = settings();
            change(&mut s);
            EmergencyRule::create("r", s, "tanaka", at()).err()
        };
        assert_eq!(check(&|s| s.name = "  ".into()), Some(RuleError::NoName));
        assert_eq!(
            check(&|s| s.name = "あ".repeat(MAX_NAME_CHARS + 1)),
            Some(RuleError::NameTooLong)
        );
        assert_eq!(
            check(&|s| s.trigger = Trigger::Kinds {
                family: Family::Tsunami,
                codes: vec![]
            }),
            Some(RuleError::NoKinds)
        );
        assert!(matches!(
            check(&|s| s.trigger = Trigger::Kinds {
                family: Family::Tsunami,
                codes: vec!["99".into()]
            }),
            Some(RuleError::UnknownKind { .. })
        ));
        assert_eq!(
            check(&|s| s.trigger = Trigger::Kinds {
                family: Family::Earthquake,
                codes: vec!["1".into()]
            }),
            Some(RuleError::EarthquakeNeedsIntensity)
        );
        assert_eq!(check(&|s| s.areas = vec![]), Some(RuleError::NoAreas));
        assert_eq!(
            check(&|s| s.areas = vec!["999".into()]),
            Some(RuleError::UnknownArea("999".into()))
        );
        assert!(matches!(
            check(&|s| s.areas = vec!["1820400".into()]),
            Some(RuleError::AreaNotForFamily { .. })
        ));
        assert_eq!(
            check(&|s| s.first_message = FirstMessage::Automatic { text: " ".into() }),
            Some(RuleError::NoText)
        );
        assert_eq!(
            check(&|s| s.first_message = FirstMessage::Draft {
                text: "あ".repeat(MAX_TEXT_CHARS + 1)
            }),
            Some(RuleError::TextTooLong)
        );
        assert_eq!(
            check(&|s| {
                s.switch_menu = false;
                s.open_emergency = false;
                s.first_message = FirstMessage::None;
            }),
            Some(RuleError::NothingToDo)
        );
        assert_eq!(
            RuleError::NoAreas.to_string(),
            "対象の地域を1つ以上選んでください。"
        );
    }

    #[test]
    fn revising_keeps_whether_it_is_on_and_the_stored_layout_reads_back() {
        let mut rule = default("default-tsunami-warning");
        let mut s = rule.settings();
        s.name = "津波（改）".into();
        s.first_message = FirstMessage::None;
        rule.revise(s, "sato", at()).unwrap();
        assert!(rule.enabled());
        assert_eq!(rule.name(), "津波（改）");
        assert_eq!(rule.updated_by(), "sato");
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["trigger"]["kind"], "kinds");
        assert_eq!(json["trigger"]["family"], "tsunami");
        let back: EmergencyRule = serde_json::from_value(json).unwrap();
        assert_eq!(back, rule);
        let quake = default("default-earthquake-5-upper");
        let json = serde_json::to_value(&quake).unwrap();
        assert_eq!(json["trigger"]["at_least"], "5+");
    }
}
