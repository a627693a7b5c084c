//! Facilities (施設): the places citizens ask for by 「近くの〇〇」. Shelters are the built-in
//! kind, published by GSI in two lists that overlap: a 指定緊急避難場所 is a place to flee to,
//! designated per hazard (a hill for 津波, a school for 洪水); a 指定避難所 is a place to stay
//! while one's home is unusable. One site may be both. Only a 指定避難所 is opened, filled and
//! closed during an emergency, so only it carries a status, and that status belongs to the
//! emergency it was set in: a 満員 left from last year's flood means nothing today.
//!
//! Staff define other kinds (公民館, AED, 給水所…) whose sites have no hazards and no status.

pub mod extras;
pub mod kind;
pub mod position;
pub mod status;

pub use extras::{Extras, ExtrasError};
pub use kind::{FacilityKind, KindError, KindId};
pub use position::{Position, PositionError};
pub use status::{ShelterStatus, StatusMark};

use crate::emergency::Emergency;
use crate::hazard::Hazard;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_ID_CHARS: usize = 64;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ADDRESS_CHARS: usize = 200;
pub const MAX_ACCEPTS_CHARS: usize = 200;

/// A site as its source describes it (a GSI row, a line of a kind's CSV): what an import
/// replaces. Staff's [`Extras`] and the status are kept apart, so that a re-import keeps them.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// Stable across re-imports: for GSI, the site's 共通ID.
    pub id: String,
    pub kind: KindId,
    pub name: String,
    pub address: String,
    pub position: Position,
    /// The hazards it is a 指定緊急避難場所 for (shelters only).
    pub hazards: Vec<Hazard>,
    /// Whether it is a 指定避難所 (shelters only).
    pub designated_shelter: bool,
    /// 受入対象者 as GSI publishes it (「要配慮者」…), if any.
    pub accepts: Option<String>,
    /// GSI 共通IDs (one per list the site appears in).
    pub gsi_ids: Vec<String>,
}

/// Who last changed a site's extras, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edited {
    pub at: DateTime<Utc>,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    id: String,
    kind: KindId,
    name: String,
    #[serde(default)]
    address: String,
    position: Position,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    hazards: Vec<Hazard>,
    #[serde(default)]
    designated_shelter: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accepts: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    gsi_ids: Vec<String>,
    #[serde(default)]
    extras: Extras,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<StatusMark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    edited: Option<Edited>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("施設IDは英数字・ハイフン・下線で{MAX_ID_CHARS}文字以内にしてください。")]
    BadId,
    #[error("施設の名前を入力してください。")]
    NoName,
    #[error("施設の名前は{MAX_NAME_CHARS}文字以内にしてください。")]
    NameTooLong,
    #[error("住所は{MAX_ADDRESS_CHARS}文字以内にしてください。")]
    AddressTooLong,
    #[error("受入対象者は{MAX_ACCEPTS_CHARS}文字以内にしてください。")]
    AcceptsTooLong,
    #[error("共通ID「{0}」の形が正しくありません（E と13桁の数字）。")]
    BadGsiId(String),
    #[error("災害の種別や指定避難所の指定は、避難所にだけ設定できます。")]
    DesignationOnlyForShelters,
    #[error("避難所には、指定緊急避難場所としての災害の種別か、指定避難所の指定が必要です。")]
    ShelterWithoutDesignation,
    #[error(transparent)]
    Position(#[from] PositionError),
    #[error(transparent)]
    Extras(#[from] ExtrasError),
    #[error(transparent)]
    Kind(#[from] KindError),
    #[error("種別「{0}」はすでにあります。別の名前にしてください。")]
    DuplicateKindName(String),
    #[error("「{0}」は指定避難所ではないため、開設状況は設定できません。")]
    NotADesignatedShelter(String),
    #[error(
        "災害対応が始まっていないため、開設状況は設定できません。先に災害対応を開始してください。"
    )]
    NoEmergency,
    #[error("この災害対応はすでに終了しているため、開設状況は設定できません。")]
    EmergencyClosed,
}

/// Whether `id` has the shape of a GSI 共通ID: `E`, then 13 digits (the municipality, the
/// site number, and a 3-digit suffix: 2xx in the 指定緊急避難場所 list, 1xx in the 指定避難所 list).
pub fn is_gsi_id(id: &str) -> bool {
    id.len() == 14 && id.starts_with('E') && id[1..].bytes().all(|b| b.is_ascii_digit())
}

fn is_facility_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Facility {
    pub fn new(site: Site, extras: Extras) -> Result<Self, Refusal> {
        if !is_facility_id(&site.id) {
            return Err(Refusal::BadId);
        }
        let name = site.name.trim();
        if name.is_empty() {
            return Err(Refusal::NoName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Refusal::NameTooLong);
        }
        let address = site.address.trim();
        if address.chars().count() > MAX_ADDRESS_CHARS {
            return Err(Refusal::AddressTooLong);
        }
        let accepts = site
            .accepts
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        if accepts
            .as_ref()
            .is_some_and(|a| a.chars().count() > MAX_ACCEPTS_CHARS)
        {
            return Err(Refusal::AcceptsTooLong);
        }
        if let Some(bad) = site.gsi_ids.iter().find(|id| !is_gsi_id(id)) {
            return Err(Refusal::BadGsiId(bad.clone()));
        }
        let designated = !site.hazards.is_empty() || site.designated_shelter;
        if site.kind.is_shelter() && !designated {
            return Err(Refusal::ShelterWithoutDesignation);
        }
        if !site.kind.is_shelter() && designated {
            return Err(Refusal::DesignationOnlyForShelters);
        }
        let mut hazards = site.hazards;
        hazards.sort();
        hazards.dedup();
        Ok(Self {
            id: site.id,
            kind: site.kind,
            name: name.to_owned(),
            address: address.to_owned(),
            position: site.position,
            hazards,
            designated_shelter: site.designated_shelter,
            accepts,
            gsi_ids: site.gsi_ids,
            extras: extras.checked()?,
            status: None,
            edited: None,
        })
    }

    /// Keeps, from the same site as it was before a re-import, its status and every extra the
    /// import left blank: an imported file's empty cell never erases what staff typed.
    pub fn carry_over(&mut self, previous: &Facility) {
        let (now, was) = (&mut self.extras, &previous.extras);
        now.capacity = now.capacity.or(was.capacity);
        now.phone = now.phone.take().or_else(|| was.phone.clone());
        now.barrier_free = now.barrier_free.or(was.barrier_free);
        now.pets = now.pets.or(was.pets);
        now.welfare |= was.welfare;
        now.photo = now.photo.take().or_else(|| was.photo.clone());
        now.hours = now.hours.take().or_else(|| was.hours.clone());
        now.url = now.url.take().or_else(|| was.url.clone());
        now.note = now.note.take().or_else(|| was.note.clone());
        if self.designated_shelter {
            self.status = previous.status.clone();
        }
        self.edited = previous.edited.clone();
    }

    /// Replaces staff's extras.
    pub fn edit(&mut self, extras: Extras, by: &str, now: DateTime<Utc>) -> Result<(), Refusal> {
        self.extras = extras.checked()?;
        self.edited = Some(Edited {
            at: now,
            by: by.to_owned(),
        });
        Ok(())
    }

    /// Sets a 指定避難所's status in the emergency open now.
    pub fn set_status(
        &mut self,
        status: ShelterStatus,
        emergency: Option<&Emergency>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        if !self.designated_shelter {
            return Err(Refusal::NotADesignatedShelter(self.name.clone()));
        }
        let emergency = emergency.ok_or(Refusal::NoEmergency)?;
        if !emergency.is_open() {
            return Err(Refusal::EmergencyClosed);
        }
        self.status = Some(StatusMark::new(status, emergency.id(), now, by));
        Ok(())
    }

    /// The status set in `emergency`; none when it was never set in it (a status left from an
    /// earlier emergency is not this one's).
    pub fn status_in(&self, emergency: &Emergency) -> Option<&StatusMark> {
        self.status
            .as_ref()
            .filter(|mark| mark.emergency() == emergency.id())
    }

    /// Whether it is a 指定緊急避難場所 for every one of `hazards` (any shelter when empty).
    pub fn designated_for(&self, hazards: &[Hazard]) -> bool {
        hazards.iter().all(|h| self.hazards.contains(h))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> &KindId {
        &self.kind
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn position(&self) -> Position {
        self.position
    }

    /// The hazards it is a 指定緊急避難場所 for, in GSI's order.
    pub fn hazards(&self) -> &[Hazard] {
        &self.hazards
    }

    /// Whether it is a 指定避難所 (a place to stay).
    pub fn is_designated_shelter(&self) -> bool {
        self.designated_shelter
    }

    pub fn accepts(&self) -> Option<&str> {
        self.accepts.as_deref()
    }

    pub fn gsi_ids(&self) -> &[String] {
        &self.gsi_ids
    }

    pub fn extras(&self) -> &Extras {
        &self.extras
    }

    /// The last status set, in whichever emergency (see [`Facility::status_in`]).
    pub fn last_status(&self) -> Option<&StatusMark> {
        self.status.as_ref()
    }

    pub fn edited(&self) -> Option<&Edited> {
        self.edited.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emergency::Cause;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + minutes * 60, 0).unwrap()
    }

    fn site() -> Site {
        Site {
            id: "E1820400029202".into(),
            kind: KindId::shelter(),
            name: "小浜市民体育館".into(),
            address: "福井県小浜市後瀬町9-38".into(),
            position: Position::new(35.494402921278, 135.75209005724).unwrap(),
            hazards: vec![Hazard::InlandFlood, Hazard::Flood],
            designated_shelter: true,
            accepts: None,
            gsi_ids: vec!["E1820400029202".into(), "E1820400029111".into()],
        }
    }

    fn emergency(id: &str) -> Emergency {
        let cause = Cause::Staff {
            by: "tanaka".into(),
        };
        Emergency::open(id, "大雨", &[Hazard::Flood], cause, at(0)).unwrap()
    }

    #[test]
    fn a_site_is_checked_when_made() {
        type Case = (&'static str, fn(&mut Site), Result<(), Refusal>);
        let cases: [Case; 10] = [
            ("as published", |_| {}, Ok(())),
            ("blank id", |s| s.id = "".into(), Err(Refusal::BadId)),
            ("slash in id", |s| s.id = "a/b".into(), Err(Refusal::BadId)),
            ("no name", |s| s.name = " ".into(), Err(Refusal::NoName)),
            (
                "long name",
                |s| s.name = "あ".repeat(101),
                Err(Refusal::NameTooLong),
            ),
            (
                "long address",
                |s| s.address = "あ".repeat(201),
                Err(Refusal::AddressTooLong),
            ),
            (
                "bad 共通ID",
                |s| s.gsi_ids = vec!["E18204".into()],
                Err(Refusal::BadGsiId("E18204".into())),
            ),
            (
                "shelter designated for nothing",
                |s| {
                    s.hazards.clear();
                    s.designated_shelter = false;
                },
                Err(Refusal::ShelterWithoutDesignation),
            ),
            ("a 指定避難所 only", |s| s.hazards.clear(), Ok(())),
            (
                "公民館 with hazards",
                |s| s.kind = KindId::new("kominkan").unwrap(),
                Err(Refusal::DesignationOnlyForShelters),
            ),
        ];
        for (name, change, expected) in cases {
            let mut s = site();
            change(&mut s);
            assert_eq!(
                Facility::new(s, Extras::default()).map(|_| ()),
                expected,
                "{name}"
            );
        }
        let made = Facility::new(site(), Extras::default()).unwrap();
        assert_eq!(made.hazards(), &[Hazard::Flood, Hazard::InlandFlood]);
        assert!(made.designated_for(&[Hazard::Flood]));
        assert!(made.designated_for(&[]));
        assert!(!made.designated_for(&[Hazard::Flood, Hazard::Tsunami]));
    }

    #[test]
    fn status_is_set_only_on_a_designated_shelter_during_an_open_emergency() {
        let open = emergency("e1");
        let mut closed = emergency("e0");
        closed.close("sato", at(1)).unwrap();
        let place_only = || {
            let mut s = site();
            s.designated_shelter = false;
            Facility::new(s, Extras::default()).unwrap()
        };
        let shelter = || Facility::new(site(), Extras::default()).unwrap();
        type Case<'a> = (
            &'a str,
            Facility,
            Option<&'a Emergency>,
            Result<(), Refusal>,
        );
        let cases: [Case; 4] = [
            ("open emergency", shelter(), Some(&open), Ok(())),
            ("no emergency", shelter(), None, Err(Refusal::NoEmergency)),
            (
                "closed emergency",
                shelter(),
                Some(&closed),
                Err(Refusal::EmergencyClosed),
            ),
            (
                "指定緊急避難場所 only",
                place_only(),
                Some(&open),
                Err(Refusal::NotADesignatedShelter("小浜市民体育館".into())),
            ),
        ];
        for (name, mut facility, emergency, expected) in cases {
            let result = facility.set_status(ShelterStatus::Full, emergency, "tanaka", at(5));
            assert_eq!(result, expected, "{name}");
            assert_eq!(facility.last_status().is_some(), expected.is_ok(), "{name}");
        }
    }

    #[test]
    fn a_status_from_an_earlier_emergency_is_not_todays() {
        let earlier = emergency("e1");
        let today = emergency("e2");
        let mut f = Facility::new(site(), Extras::default()).unwrap();
        f.set_status(ShelterStatus::Full, Some(&earlier), "tanaka", at(5))
            .unwrap();
        let mark = f.status_in(&earlier).unwrap();
        assert_eq!(mark.status(), ShelterStatus::Full);
        assert_eq!(mark.at(), at(5));
        assert_eq!(mark.by(), "tanaka");
        assert_eq!(f.status_in(&today), None);
        f.set_status(ShelterStatus::Open, Some(&today), "sato", at(9))
            .unwrap();
        assert_eq!(f.status_in(&today).unwrap().status(), ShelterStatus::Open);
        assert_eq!(f.status_in(&earlier), None);
    }

    #[test]
    fn editing_checks_the_extras_and_says_who() {
        let mut f = Facility::new(site(), Extras::default()).unwrap();
        let bad = Extras {
            capacity: Some(0),
            ..Extras::default()
        };
        assert_eq!(
            f.edit(bad, "tanaka", at(1)),
            Err(Refusal::Extras(ExtrasError::Capacity))
        );
        assert_eq!(f.edited(), None);
        let good = Extras {
            capacity: Some(400),
            pets: Some(true),
            ..Extras::default()
        };
        f.edit(good.clone(), "tanaka", at(2)).unwrap();
        assert_eq!(f.extras(), &good);
        assert_eq!(f.edited().unwrap().by, "tanaka");
    }

    #[test]
    fn a_reimport_keeps_staff_extras_and_status_unless_the_file_says_otherwise() {
        let open = emergency("e1");
        let mut before = Facility::new(site(), Extras::default()).unwrap();
        before
            .edit(
                Extras {
                    capacity: Some(400),
                    phone: Some("0770-53-1111".into()),
                    ..Extras::default()
                },
                "tanaka",
                at(1),
            )
            .unwrap();
        before
            .set_status(ShelterStatus::Crowded, Some(&open), "tanaka", at(2))
            .unwrap();
        let from_file = Extras {
            phone: Some("0770-64-6000".into()),
            ..Extras::default()
        };
        let mut after = Facility::new(site(), from_file).unwrap();
        after.carry_over(&before);
        assert_eq!(after.extras().capacity, Some(400));
        assert_eq!(after.extras().phone.as_deref(), Some("0770-64-6000"));
        assert_eq!(
            after.status_in(&open).unwrap().status(),
            ShelterStatus::Crowded
        );
    }

    #[test]
    fn the_stored_layout_reads_back() {
        let mut f = Facility::new(site(), Extras::default()).unwrap();
        f.set_status(ShelterStatus::Open, Some(&emergency("e1")), "tanaka", at(3))
            .unwrap();
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["kind"], "shelter");
        assert_eq!(json["hazards"][0], "flood");
        assert_eq!(json["status"]["status"], "open");
        let back: Facility = serde_json::from_value(json).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn gsi_ids_have_their_published_shape() {
        for (id, ok) in [
            ("E1820400029111", true),
            ("E1820400001201", true),
            ("1820400029111", false),
            ("E182040002911", false),
            ("E18204000291110", false),
            ("E18204000291x1", false),
        ] {
            assert_eq!(is_gsi_id(id), ok, "{id}");
        }
    }
}
