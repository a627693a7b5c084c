//! 災害対応 (an emergency): the period between a disaster's first warning and staff declaring it
//! over. While one is open, shelter statuses are shown to citizens, the nearest-shelter lookup
//! filters by its hazards, and the console shows a banner on every page. Only one is open at a
//! time; a second warning while one is open widens it rather than opening another.
//!
//! An emergency is opened by staff or by a JMA rule, and is only ever closed by staff: a 解除
//! message tells staff, it never closes anything by itself.

use crate::hazard::Hazard;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest title (it is shown in a banner and in the console's lists).
pub const MAX_TITLE_CHARS: usize = 60;

/// Who or what opened the emergency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// A clerk, by login id.
    Staff { by: String },
    /// A JMA rule: the rule's id and the JMA message (its feed entry id) that matched.
    Jma { rule: String, message: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Emergency {
    id: String,
    title: String,
    hazards: Vec<Hazard>,
    opened_at: DateTime<Utc>,
    cause: Cause,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closed_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmergencyError {
    #[error("災害対応の名前を入力してください。")]
    NoTitle,
    #[error("災害対応の名前は{MAX_TITLE_CHARS}文字以内にしてください。")]
    TitleTooLong,
    #[error("この災害対応は{0}に終了しています。")]
    AlreadyClosed(String),
}

impl Emergency {
    pub fn open(
        id: impl Into<String>,
        title: &str,
        hazards: &[Hazard],
        cause: Cause,
        now: DateTime<Utc>,
    ) -> Result<Self, EmergencyError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(EmergencyError::NoTitle);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(EmergencyError::TitleTooLong);
        }
        let mut emergency = Self {
            id: id.into(),
            title: title.to_owned(),
            hazards: Vec::new(),
            opened_at: now,
            cause,
            closed_at: None,
            closed_by: None,
        };
        emergency.widen(hazards);
        Ok(emergency)
    }

    /// Adds hazards a later warning names (a tsunami after the earthquake); never removes one.
    /// Answers whether anything was added.
    pub fn widen(&mut self, hazards: &[Hazard]) -> bool {
        let before = self.hazards.len();
        for hazard in hazards {
            if !self.hazards.contains(hazard) {
                self.hazards.push(*hazard);
            }
        }
        self.hazards.sort();
        self.hazards.len() > before
    }

    pub fn close(&mut self, by: &str, now: DateTime<Utc>) -> Result<(), EmergencyError> {
        if let Some(at) = self.closed_at {
            return Err(EmergencyError::AlreadyClosed(crate::time::format_jst(at)));
        }
        self.closed_at = Some(now);
        self.closed_by = Some(by.to_owned());
        Ok(())
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The hazards it is for, in GSI's order; empty for one without a GSI hazard (大雪).
    pub fn hazards(&self) -> &[Hazard] {
        &self.hazards
    }

    pub fn opened_at(&self) -> DateTime<Utc> {
        self.opened_at
    }

    pub fn cause(&self) -> &Cause {
        &self.cause
    }

    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.closed_at
    }

    pub fn closed_by(&self) -> Option<&str> {
        self.closed_by.as_deref()
    }

    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + i64::from(h) * 3600, 0).unwrap()
    }

    fn staff() -> Cause {
        Cause::Staff {
            by: "tanaka".into(),
        }
    }

    #[test]
    fn an_emergency_needs_a_short_title() {
        assert_eq!(
            Emergency::open("e1", "  ", &[], staff(), at(0)),
            Err(EmergencyError::NoTitle)
        );
        let long = "あ".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(
            Emergency::open("e1", &long, &[], staff(), at(0)),
            Err(EmergencyError::TitleTooLong)
        );
        let e = Emergency::open("e1", " 大雨 ", &[Hazard::Flood], staff(), at(0)).unwrap();
        assert_eq!(e.title(), "大雨");
        assert!(e.is_open());
    }

    #[test]
    fn widening_adds_hazards_once_in_gsi_order() {
        let mut e = Emergency::open(
            "e1",
            "地震",
            &[Hazard::Tsunami, Hazard::Earthquake],
            staff(),
            at(0),
        )
        .unwrap();
        assert_eq!(e.hazards(), &[Hazard::Earthquake, Hazard::Tsunami]);
        assert!(!e.widen(&[Hazard::Tsunami]));
        assert!(e.widen(&[Hazard::Flood, Hazard::Tsunami]));
        assert_eq!(
            e.hazards(),
            &[Hazard::Flood, Hazard::Earthquake, Hazard::Tsunami]
        );
    }

    #[test]
    fn an_emergency_closes_once() {
        let mut e = Emergency::open("e1", "大雨", &[], staff(), at(0)).unwrap();
        e.close("sato", at(5)).unwrap();
        assert!(!e.is_open());
        assert_eq!(e.closed_by(), Some("sato"));
        assert!(matches!(
            e.close("sato", at(6)),
            Err(EmergencyError::AlreadyClosed(_))
        ));
        assert_eq!(e.closed_at(), Some(at(5)));
    }

    #[test]
    fn the_stored_layout_reads_back() {
        let e = Emergency::open(
            "e1",
            "津波警報",
            &[Hazard::Tsunami],
            Cause::Jma {
                rule: "r1".into(),
                message: "urn:x".into(),
            },
            at(0),
        )
        .unwrap();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["cause"]["kind"], "jma");
        assert_eq!(json["hazards"][0], "tsunami");
        let back: Emergency = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}
