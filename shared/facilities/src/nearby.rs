//! The nearest-site question and its answer, as the chat, the LIFF map's JSON API and the
//! console ask and read it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tayori_domain::emergency::Emergency;
use tayori_domain::facility::{Facility, KindId, Position, ShelterStatus};
use tayori_domain::hazard::Hazard;

/// Sites answered when the asker does not say.
pub const DEFAULT_LIMIT: usize = 5;
/// Most sites one answer holds (the map page asks for more than the chat's five).
pub const MAX_LIMIT: usize = 50;

#[derive(Clone, Debug, PartialEq)]
pub struct NearbyQuery {
    pub position: Position,
    /// `None`: shelters.
    pub kind: Option<KindId>,
    /// Only sites designated for this hazard; `None`: the open emergency's hazards, if any.
    pub hazard: Option<Hazard>,
    pub limit: usize,
}

impl NearbyQuery {
    /// The five nearest shelters, filtered by the open emergency's hazards.
    pub fn shelters(position: Position) -> Self {
        Self {
            position,
            kind: None,
            hazard: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// The emergency open now, as an answer shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenEmergency {
    pub id: String,
    pub title: String,
    pub hazards: Vec<Hazard>,
}

impl From<&Emergency> for OpenEmergency {
    fn from(e: &Emergency) -> Self {
        Self {
            id: e.id().to_owned(),
            title: e.title().to_owned(),
            hazards: e.hazards().to_vec(),
        }
    }
}

/// A shelter's status in the open emergency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SiteStatus {
    pub status: ShelterStatus,
    pub label: &'static str,
    pub updated_at: DateTime<Utc>,
    /// `2026年12月1日 06:30`
    pub updated_at_jst: String,
}

/// One site of an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearbySite {
    pub id: String,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
    /// Straight-line (great-circle) distance from the asker, in metres.
    pub distance_m: f64,
    /// The hazards it is a 指定緊急避難場所 for.
    pub hazards: Vec<Hazard>,
    /// Whether it is a 指定避難所.
    pub designated_shelter: bool,
    /// Its status in the open emergency; none outside one, or before staff set it.
    pub status: Option<SiteStatus>,
    pub capacity: Option<u32>,
    pub phone: Option<String>,
    pub barrier_free: Option<bool>,
    pub pets: Option<bool>,
    pub welfare: bool,
    pub hours: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
}

impl NearbySite {
    pub(crate) fn new(site: &Facility, distance_m: f64, emergency: Option<&Emergency>) -> Self {
        let status = emergency
            .and_then(|e| site.status_in(e))
            .map(|mark| SiteStatus {
                status: mark.status(),
                label: mark.status().label(),
                updated_at: mark.at(),
                updated_at_jst: tayori_domain::time::format_jst(mark.at()),
            });
        let extras = site.extras();
        Self {
            id: site.id().to_owned(),
            name: site.name().to_owned(),
            address: site.address().to_owned(),
            lat: site.position().lat(),
            lng: site.position().lng(),
            distance_m,
            hazards: site.hazards().to_vec(),
            designated_shelter: site.is_designated_shelter(),
            status,
            capacity: extras.capacity,
            phone: extras.phone.clone(),
            barrier_free: extras.barrier_free,
            pets: extras.pets,
            welfare: extras.welfare,
            hours: extras.hours.clone(),
            url: extras.url.clone(),
            note: extras.note.clone(),
        }
    }

    /// 満員 or 閉鎖 in the open emergency.
    pub fn turns_people_away(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|s| s.status.turns_people_away())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearbyAnswer {
    pub position: Position,
    pub kind: KindId,
    /// The kind's name (避難所, 公民館…).
    pub kind_name: String,
    pub emergency: Option<OpenEmergency>,
    /// The hazards every site answered is designated for (explicit, else the emergency's).
    pub hazards: Vec<Hazard>,
    /// Nearest first, except that 満員 and 閉鎖 sites come after the others.
    pub sites: Vec<NearbySite>,
}
