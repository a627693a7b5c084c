//! Where a site is, as GSI publishes it (JGD2011 latitude and longitude in degrees, which for
//! a citizen's phone and a walking route are the same as WGS84).

use serde::{Deserialize, Serialize};

/// The mean Earth radius (IUGG), in metres: the haversine distance on this sphere is within
/// 0.5 % of the ellipsoidal one, far below what "約350m" shows.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPosition")]
pub struct Position {
    lat: f64,
    lng: f64,
}

#[derive(Deserialize)]
struct RawPosition {
    lat: f64,
    lng: f64,
}

impl TryFrom<RawPosition> for Position {
    type Error = PositionError;

    fn try_from(raw: RawPosition) -> Result<Self, Self::Error> {
        Position::new(raw.lat, raw.lng)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("緯度は -90 から 90 までの数値にしてください。")]
    Latitude,
    #[error("経度は -180 から 180 までの数値にしてください。")]
    Longitude,
}

impl Position {
    pub fn new(lat: f64, lng: f64) -> Result<Self, PositionError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(PositionError::Latitude);
        }
        if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
            return Err(PositionError::Longitude);
        }
        Ok(Self { lat, lng })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lng(self) -> f64 {
        self.lng
    }

    /// Great-circle distance in metres (haversine on the mean sphere).
    pub fn distance_m(self, other: Position) -> f64 {
        let (φ1, φ2) = (self.lat.to_radians(), other.lat.to_radians());
        let dφ = φ2 - φ1;
        let dλ = (other.lng - self.lng).to_radians();
        let a = (dφ / 2.0).sin().powi(2) + φ1.cos() * φ2.cos() * (dλ / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    /// The point on the unit sphere: straight-line (chord) distance between two such points
    /// grows with the great-circle distance, so a nearest-neighbour search on these points in
    /// ordinary 3-D space finds the nearest sites on the Earth, exactly, anywhere.
    pub fn unit_vector(self) -> [f64; 3] {
        let (φ, λ) = (self.lat.to_radians(), self.lng.to_radians());
        [φ.cos() * λ.cos(), φ.cos() * λ.sin(), φ.sin()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_outside_the_globe_are_refused() {
        let cases: [(f64, f64, Result<(), PositionError>); 9] = [
            (35.4953, 135.7466, Ok(())),
            (90.0, 180.0, Ok(())),
            (-90.0, -180.0, Ok(())),
            (90.0001, 0.0, Err(PositionError::Latitude)),
            (-91.0, 0.0, Err(PositionError::Latitude)),
            (f64::NAN, 0.0, Err(PositionError::Latitude)),
            (0.0, 180.5, Err(PositionError::Longitude)),
            (0.0, f64::INFINITY, Err(PositionError::Longitude)),
            (0.0, -181.0, Err(PositionError::Longitude)),
        ];
        for (lat, lng, expected) in cases {
            assert_eq!(Position::new(lat, lng).map(|_| ()), expected, "{lat},{lng}");
        }
    }

    #[test]
    fn haversine_matches_known_distances() {
        let p = |lat, lng| Position::new(lat, lng).unwrap();
        // One degree of latitude on the mean sphere: 2πR/360.
        let one_degree = p(0.0, 0.0).distance_m(p(1.0, 0.0));
        assert!((one_degree - 111_195.08).abs() < 0.1, "{one_degree}");
        // Antipodes: half the circumference.
        let half = p(0.0, 0.0).distance_m(p(0.0, 180.0));
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1e-6);
        // 小浜市役所 to a point 0.0028° due south: 0.0028 × 111,195 m.
        let city_hall = p(35.4953, 135.7466);
        let station = p(35.4925, 135.7466);
        let d = city_hall.distance_m(station);
        assert!((d - 311.35).abs() < 1.0, "{d}");
        assert_eq!(city_hall.distance_m(city_hall), 0.0);
        assert!((city_hall.distance_m(station) - station.distance_m(city_hall)).abs() < 1e-9);
    }

    #[test]
    fn chord_order_is_great_circle_order() {
        let here = Position::new(35.4953, 135.7466).unwrap();
        let others = [
            Position::new(35.50, 135.75).unwrap(),
            Position::new(35.40, 135.90).unwrap(),
            Position::new(-35.0, -44.0).unwrap(),
            Position::new(36.0, 135.0).unwrap(),
        ];
        let chord =
            |a: [f64; 3], b: [f64; 3]| (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt();
        let mut by_chord = others.to_vec();
        by_chord.sort_by(|a, b| {
            chord(here.unit_vector(), a.unit_vector())
                .total_cmp(&chord(here.unit_vector(), b.unit_vector()))
        });
        let mut by_arc = others.to_vec();
        by_arc.sort_by(|a, b| here.distance_m(*a).total_cmp(&here.distance_m(*b)));
        assert_eq!(by_chord, by_arc);
    }

    #[test]
    fn a_stored_position_is_checked_when_read() {
        let json = serde_json::json!({"lat": 95.0, "lng": 0.0});
        assert!(serde_json::from_value::<Position>(json).is_err());
        let p = Position::new(35.0, 135.0).unwrap();
        let back: Position = serde_json::from_value(serde_json::to_value(p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
