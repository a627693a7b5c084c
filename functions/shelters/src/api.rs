//! `GET /api/shelters/nearby?lat=&lng=&hazard=&kind=`: the sites nearest a position, for the
//! map page. Public information: no login, nothing about the caller is kept.

use crate::error::ApiError;
use crate::view::NearbyView;
use crate::SheltersState;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::hazard::Hazard;

/// The query as sent: every value a string, so that a wrong one gets our Japanese error.
#[derive(Debug, Default, Deserialize)]
pub struct NearbyParams {
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub hazard: Option<String>,
    pub kind: Option<String>,
}

/// A request read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Nearby {
    pub latitude: f64,
    pub longitude: f64,
    pub hazard: Option<Hazard>,
    pub kind: Option<String>,
}

impl NearbyParams {
    pub fn read(self) -> Result<Nearby, ApiError> {
        Ok(Nearby {
            latitude: coordinate(self.lat, "緯度", 90.0)?,
            longitude: coordinate(self.lng, "経度", 180.0)?,
            hazard: match blank_to_none(self.hazard) {
                None => None,
                Some(code) => Some(Hazard::from_code(&code).ok_or(ApiError::UnknownHazard(code))?),
            },
            kind: blank_to_none(self.kind),
        })
    }
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn coordinate(value: Option<String>, name: &'static str, limit: f64) -> Result<f64, ApiError> {
    let value = blank_to_none(value).ok_or(ApiError::Missing(name))?;
    let number: f64 = value.parse().map_err(|_| ApiError::NotACoordinate(name))?;
    if !number.is_finite() || number.abs() > limit {
        return Err(ApiError::NotACoordinate(name));
    }
    Ok(number)
}

pub async fn nearby(
    State(state): State<Arc<SheltersState>>,
    Query(params): Query<NearbyParams>,
) -> Result<Json<NearbyView>, ApiError> {
    let request = params.read()?;
    let view = state.look_up(&request).await?;
    Ok(Json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(lat: &str, lng: &str, hazard: &str) -> NearbyParams {
        NearbyParams {
            lat: Some(lat.into()),
            lng: Some(lng.into()),
            hazard: Some(hazard.into()),
            kind: None,
        }
    }

    #[test]
    fn a_position_and_a_hazard_code_are_read() {
        let read = params("35.4953", " 135.7466 ", "tsunami").read().unwrap();
        assert_eq!(
            read,
            Nearby {
                latitude: 35.4953,
                longitude: 135.7466,
                hazard: Some(Hazard::Tsunami),
                kind: None
            }
        );
        assert_eq!(params("35", "135", "").read().unwrap().hazard, None);
    }

    #[test]
    fn missing_or_wrong_numbers_and_unknown_hazards_are_named() {
        let cases = [
            (NearbyParams::default(), "missing_position", "緯度"),
            (params("35", "", ""), "missing_position", "経度"),
            (params("北緯35", "135", ""), "invalid_position", "緯度"),
            (params("35", "181", ""), "invalid_position", "経度"),
            (params("NaN", "135", ""), "invalid_position", "緯度"),
            (params("35", "135", "snow"), "unknown_hazard", "snow"),
        ];
        for (params, code, named) in cases {
            let error = params.read().unwrap_err();
            assert_eq!(error.code(), code);
            assert!(error.to_string().contains(named), "{error}");
        }
    }
}
