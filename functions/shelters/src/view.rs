//! The nearby API's answer, as the map page reads it: every text ready to show (labels, the
//! distance as the chat says it, the status's JST time), so that the page's script only lays
//! it out.

use serde::Serialize;
use tayori_domain::hazard::Hazard;
use tayori_facilities::chat::distance_words;
use tayori_facilities::{NearbyAnswer, NearbySite};

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearbyView {
    pub latitude: f64,
    pub longitude: f64,
    /// 避難所, 公民館…
    pub kind_name: String,
    /// The hazards the sites were chosen for: the one asked, or the open emergency's.
    pub hazards: Vec<Labelled>,
    /// The emergency open now, by its title.
    pub emergency: Option<String>,
    pub sites: Vec<SiteView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Labelled {
    pub code: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Straight-line distance in metres, rounded.
    pub distance_m: u64,
    /// The same as the chat says it: 「約350m」, 「約1.2km」.
    pub distance: String,
    /// The hazards it is a 指定緊急避難場所 for, as labels.
    pub hazards: Vec<String>,
    /// 指定緊急避難場所 and/or 指定避難所.
    pub designations: Vec<String>,
    /// Its status in the open emergency, once staff set one.
    pub status: Option<StatusView>,
    pub route_url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub code: String,
    pub label: String,
    /// JST, as citizens read it.
    pub updated_at: String,
}

impl NearbyView {
    pub fn of(answer: &NearbyAnswer) -> Self {
        Self {
            latitude: answer.position.lat(),
            longitude: answer.position.lng(),
            kind_name: answer.kind_name.clone(),
            hazards: answer
                .hazards
                .iter()
                .map(|h| Labelled::hazard(*h))
                .collect(),
            emergency: answer.emergency.as_ref().map(|e| e.title.clone()),
            sites: answer.sites.iter().map(SiteView::of).collect(),
        }
    }
}

impl SiteView {
    pub fn of(site: &NearbySite) -> Self {
        let mut designations = Vec::new();
        if !site.hazards.is_empty() {
            designations.push("指定緊急避難場所".to_string());
        }
        if site.designated_shelter {
            designations.push("指定避難所".to_string());
        }
        Self {
            id: site.id.clone(),
            name: site.name.clone(),
            address: site.address.clone(),
            latitude: site.lat,
            longitude: site.lng,
            distance_m: site.distance_m.round().max(0.0) as u64,
            distance: distance_words(site.distance_m),
            hazards: site.hazards.iter().map(|h| h.label().to_string()).collect(),
            designations,
            status: site.status.as_ref().map(|s| StatusView {
                code: s.status.code().to_string(),
                label: s.label.to_string(),
                updated_at: s.updated_at_jst.clone(),
            }),
            route_url: walking_route(site.lat, site.lng),
        }
    }
}

impl Labelled {
    pub fn hazard(hazard: Hazard) -> Self {
        Self {
            code: hazard.code().to_string(),
            label: hazard.label().to_string(),
        }
    }
}

/// Google Maps' walking directions to a point (its documented `api=1` URL), as the chat's
/// 「徒歩ルート」 button opens them.
pub fn walking_route(lat: f64, lng: f64) -> String {
    format!("https://www.google.com/maps/dir/?api=1&destination={lat},{lng}&travelmode=walking")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_is_a_walking_route_to_the_site() {
        assert_eq!(
            walking_route(35.496322, 135.74627),
            "https://www.google.com/maps/dir/?api=1&destination=35.496322,135.74627&travelmode=walking"
        );
    }
}
