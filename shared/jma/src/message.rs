//! One JMA message read into a [`Bulletin`]: its type, when and how it was issued, and per
//! area what is in force there.

use crate::codes::{Family, MessageType};
use crate::tree::{read, Node};
use crate::ParseError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `Control/Status`: only 通常 is about the real world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// 通常
    Normal,
    /// 訓練
    Training,
    /// 試験
    Test,
}

/// `Head/InfoType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InfoType {
    /// 発表
    Issued,
    /// 訂正
    Corrected,
    /// 取消: the earlier message is withdrawn.
    Retracted,
}

/// What a kind's entry says for an area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningStatus {
    /// 発表: newly in force.
    Issued,
    /// 継続: in force since an earlier message.
    Continued,
    /// 解除: no longer in force.
    Cancelled,
    /// 特別警報から警報 / 警報から注意報 and the like: the kind named is the lower one now.
    Downgraded,
    /// なし: listed, not in force (VXWW50 lists every municipality; tsunami 津波なし / 予報).
    NotInForce,
}

impl WarningStatus {
    pub fn label(self) -> &'static str {
        match self {
            WarningStatus::Issued => "発表",
            WarningStatus::Continued => "継続",
            WarningStatus::Cancelled => "解除",
            WarningStatus::Downgraded => "切替（格下げ）",
            WarningStatus::NotInForce => "なし",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The kind code of the message's family (see [`Family::kinds`]).
    pub code: String,
    /// JMA's name as written in the message.
    pub name: String,
    pub status: WarningStatus,
}

/// 震度, in JMA's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Intensity {
    #[serde(rename = "1")]
    One,
    #[serde(rename = "2")]
    Two,
    #[serde(rename = "3")]
    Three,
    #[serde(rename = "4")]
    Four,
    #[serde(rename = "5-")]
    FiveLower,
    #[serde(rename = "5+")]
    FiveUpper,
    #[serde(rename = "6-")]
    SixLower,
    #[serde(rename = "6+")]
    SixUpper,
    #[serde(rename = "7")]
    Seven,
}

impl Intensity {
    pub const ALL: [Intensity; 9] = [
        Intensity::One,
        Intensity::Two,
        Intensity::Three,
        Intensity::Four,
        Intensity::FiveLower,
        Intensity::FiveUpper,
        Intensity::SixLower,
        Intensity::SixUpper,
        Intensity::Seven,
    ];

    /// JMA's notation in `MaxInt` (`1`…`4`, `5-`, `5+`, `6-`, `6+`, `7`).
    pub fn code(self) -> &'static str {
        match self {
            Intensity::One => "1",
            Intensity::Two => "2",
            Intensity::Three => "3",
            Intensity::Four => "4",
            Intensity::FiveLower => "5-",
            Intensity::FiveUpper => "5+",
            Intensity::SixLower => "6-",
            Intensity::SixUpper => "6+",
            Intensity::Seven => "7",
        }
    }

    pub fn from_code(code: &str) -> Option<Intensity> {
        Intensity::ALL.into_iter().find(|i| i.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Intensity::One => "震度1",
            Intensity::Two => "震度2",
            Intensity::Three => "震度3",
            Intensity::Four => "震度4",
            Intensity::FiveLower => "震度5弱",
            Intensity::FiveUpper => "震度5強",
            Intensity::SixLower => "震度6弱",
            Intensity::SixUpper => "震度6強",
            Intensity::Seven => "震度7",
        }
    }
}

/// One area's entry: a warning area, an earthquake area or city, a tsunami forecast area, a
/// river forecast area or a municipality a river forecast names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaReport {
    pub code: String,
    pub name: String,
    /// The known kinds listed for the area (none for an earthquake).
    pub warnings: Vec<Warning>,
    /// VXSE53: the greatest intensity observed in the area.
    pub max_intensity: Option<Intensity>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulletin {
    pub message_type: MessageType,
    /// `Head/Title`, e.g. 「東京都気象警報・注意報」.
    pub title: String,
    pub report_time: DateTime<Utc>,
    pub status: ReportStatus,
    pub info_type: InfoType,
    /// `Head/Headline/Text`, trimmed; empty when the message has none.
    pub headline: String,
    pub areas: Vec<AreaReport>,
    /// Kind codes met that [`crate::codes`] does not know, once each: logged, never acted on.
    pub unknown_codes: Vec<String>,
}

impl Bulletin {
    pub fn family(&self) -> Family {
        self.message_type.family()
    }

    pub fn area(&self, code: &str) -> Option<&AreaReport> {
        self.areas.iter().find(|a| a.code == code)
    }
}

/// What a message came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Bulletin(Box<Bulletin>),
    /// A well-formed JMA message of a type Tayori does not read (its `Control/Title`).
    Unsupported {
        control_title: String,
    },
}

fn required<'a>(node: &'a Node, path: &'static str) -> Result<&'a str, ParseError> {
    node.text_at(path).ok_or(ParseError::Missing(path))
}

fn unexpected(field: &'static str, value: &str) -> ParseError {
    ParseError::Unexpected {
        field,
        value: value.into(),
    }
}

/// Reads one message. Malformed XML and a message missing what its type requires are errors;
/// another type is [`Parsed::Unsupported`].
pub fn parse(xml: &[u8]) -> Result<Parsed, ParseError> {
    let root = read(xml)?;
    if root.name != "Report" {
        return Err(unexpected("ルート要素", &root.name));
    }
    let control_title = required(&root, "Control/Title")?;
    let Some(message_type) = MessageType::from_control_title(control_title) else {
        return Ok(Parsed::Unsupported {
            control_title: control_title.into(),
        });
    };
    let status = match required(&root, "Control/Status")? {
        "通常" => ReportStatus::Normal,
        "訓練" => ReportStatus::Training,
        "試験" => ReportStatus::Test,
        other => return Err(unexpected("Control/Status", other)),
    };
    let info_type = match required(&root, "Head/InfoType")? {
        "発表" => InfoType::Issued,
        "訂正" => InfoType::Corrected,
        "取消" => InfoType::Retracted,
        other => return Err(unexpected("Head/InfoType", other)),
    };
    let time = required(&root, "Head/ReportDateTime")?;
    let report_time = DateTime::parse_from_rfc3339(time)
        .map_err(|_| unexpected("Head/ReportDateTime", time))?
        .with_timezone(&Utc);
    let mut bulletin = Bulletin {
        message_type,
        title: required(&root, "Head/Title")?.into(),
        report_time,
        status,
        info_type,
        headline: root
            .text_at("Head/Headline/Text")
            .unwrap_or_default()
            .into(),
        areas: Vec::new(),
        unknown_codes: Vec::new(),
    };
    // A retraction carries only a text: there is nothing in force to read.
    if info_type != InfoType::Retracted {
        let body = root.child("Body").ok_or(ParseError::Missing("Body"))?;
        match message_type.family() {
            Family::Weather | Family::LevelWeather | Family::Landslide => {
                read_warnings(&mut bulletin, body)?
            }
            Family::Tsunami => read_tsunami(&mut bulletin, body)?,
            Family::Earthquake => read_intensities(&mut bulletin, body)?,
            Family::RiverFlood => read_river(&mut bulletin, &root, body)?,
        }
    }
    Ok(Parsed::Bulletin(Box::new(bulletin)))
}

impl Bulletin {
    /// The area's report, added when first met; one area listed at several levels or in
    /// several items is one report.
    fn area_mut(&mut self, code: &str, name: &str) -> &mut AreaReport {
        if let Some(i) = self.areas.iter().position(|a| a.code == code) {
            return &mut self.areas[i];
        }
        self.areas.push(AreaReport {
            code: code.into(),
            name: name.into(),
            warnings: Vec::new(),
            max_intensity: None,
        });
        self.areas.last_mut().expect("just pushed")
    }

    /// Keeps `warning` for the area when its code is known; an unknown code is noted.
    fn add(&mut self, area: (&str, &str), warning: Warning) {
        if self.family().kind_name(&warning.code).is_none() {
            if !self.unknown_codes.contains(&warning.code) {
                self.unknown_codes.push(warning.code);
            }
            return;
        }
        let report = self.area_mut(area.0, area.1);
        if !report.warnings.contains(&warning) {
            report.warnings.push(warning);
        }
    }
}

fn area_of(node: &Node) -> Result<(&str, &str), ParseError> {
    Ok((
        required(node, "Code")?,
        node.text_at("Name").unwrap_or_default(),
    ))
}

fn warning_status(status: &str) -> Result<Option<WarningStatus>, ParseError> {
    Ok(Some(match status {
        "発表" => WarningStatus::Issued,
        "継続" => WarningStatus::Continued,
        "解除" => WarningStatus::Cancelled,
        "なし" => WarningStatus::NotInForce,
        "発表警報・注意報はなし" => return Ok(None),
        s if s.contains("から") => WarningStatus::Downgraded,
        other => return Err(unexpected("Kind/Status", other)),
    }))
}

/// VPWW53/54/55–61 and VXWW50: `Body/Warning/Item` with `Kind`s and one `Area`.
fn read_warnings(bulletin: &mut Bulletin, body: &Node) -> Result<(), ParseError> {
    for warning in body.children("Warning") {
        for item in warning.children("Item") {
            let area = item.child("Area").ok_or(ParseError::Missing("Item/Area"))?;
            let area = area_of(area)?;
            for kind in item.children("Kind") {
                let status = required(kind, "Status")?;
                let Some(status) = warning_status(status)? else {
                    bulletin.area_mut(area.0, area.1);
                    continue;
                };
                let code = required(kind, "Code")?;
                let name = kind.text_at("Name").unwrap_or_default();
                bulletin.add(
                    area,
                    Warning {
                        code: code.into(),
                        name: name.into(),
                        status,
                    },
                );
            }
        }
    }
    Ok(())
}

/// VTSE41: `Body/Tsunami/Forecast/Item` with `Area` and `Category/Kind` (and `LastKind`).
/// The message has no per-kind status: it follows from the codes.
fn read_tsunami(bulletin: &mut Bulletin, body: &Node) -> Result<(), ParseError> {
    let Some(forecast) = body.at("Tsunami/Forecast") else {
        return Ok(());
    };
    for item in forecast.children("Item") {
        let area = area_of(item.child("Area").ok_or(ParseError::Missing("Item/Area"))?)?;
        let code = required(item, "Category/Kind/Code")?;
        let last = item.text_at("Category/LastKind/Code");
        let status = match code {
            "50" | "60" => WarningStatus::Cancelled,
            "00" | "71" | "72" | "73" => WarningStatus::NotInForce,
            _ if last == Some(code) => WarningStatus::Continued,
            _ => WarningStatus::Issued,
        };
        let name = item.text_at("Category/Kind/Name").unwrap_or_default();
        bulletin.add(
            area,
            Warning {
                code: code.into(),
                name: name.into(),
                status,
            },
        );
    }
    Ok(())
}

/// VXSE53: `Body/Intensity/Observation/Pref/Area/City`, each with `MaxInt`.
fn read_intensities(bulletin: &mut Bulletin, body: &Node) -> Result<(), ParseError> {
    let Some(observation) = body.at("Intensity/Observation") else {
        return Ok(());
    };
    fn note(bulletin: &mut Bulletin, node: &Node) -> Result<(), ParseError> {
        let area = area_of(node)?;
        let max = match node.text_at("MaxInt") {
            Some(code) => {
                Some(Intensity::from_code(code).ok_or_else(|| unexpected("MaxInt", code))?)
            }
            None => None,
        };
        bulletin.area_mut(area.0, area.1).max_intensity = max;
        Ok(())
    }
    for pref in observation.children("Pref") {
        note(bulletin, pref)?;
        for area in pref.children("Area") {
            note(bulletin, area)?;
            for city in area.children("City") {
                note(bulletin, city)?;
            }
        }
    }
    Ok(())
}

/// VXKO: the forecast's kind is in `Head/Headline/Information/Item` with the areas it is
/// for (予報区域, 河川, 府県予報区); the municipalities expected to flood are in the body's
/// `Item/Areas/Area/CityCode`, and get the same kind.
fn read_river(bulletin: &mut Bulletin, root: &Node, body: &Node) -> Result<(), ParseError> {
    let mut headline_kind: Option<Warning> = None;
    if let Some(headline) = root.at("Head/Headline") {
        for information in headline.children("Information") {
            for item in information.children("Item") {
                let Some(kind) = item.child("Kind") else {
                    continue;
                };
                let code = required(kind, "Code")?;
                let name = kind.text_at("Name").unwrap_or_default();
                let status = if name.contains("解除") {
                    WarningStatus::Cancelled
                } else {
                    WarningStatus::Issued
                };
                let warning = Warning {
                    code: code.into(),
                    name: name.into(),
                    status,
                };
                for area in item.at("Areas").iter().flat_map(|a| a.children("Area")) {
                    bulletin.add(area_of(area)?, warning.clone());
                }
                headline_kind.get_or_insert(warning);
            }
        }
    }
    let Some(kind) = headline_kind else {
        return Err(ParseError::Missing("Head/Headline/Information/Item/Kind"));
    };
    for warning in body.children("Warning") {
        for item in warning.children("Item") {
            for area in item.at("Areas").iter().flat_map(|a| a.children("Area")) {
                if let Some(city) = area.text_at("CityCode") {
                    let name = area.text_at("City").unwrap_or_default();
                    bulletin.add((city, name), kind.clone());
                }
            }
        }
    }
    Ok(())
}
