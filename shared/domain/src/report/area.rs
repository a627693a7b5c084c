//! Whether a place is in the city (市内), for the intake.
//!
//! No boundary polygon of the city is shipped: the city's official boundary is a large file
//! with its own licence and updates, and the question the intake asks is only "is this a place
//! the city handles, or a pin dropped in another town by mistake?". The registered facility
//! sites (shelters and the rest, from GSI and the city) cover every populated district, so a
//! place is taken as in the city when the nearest site is within [`SERVICE_RADIUS_KM`]: a
//! mountain road between two hamlets is within it, a pin in the next city's centre is not. The
//! desk asks `FacilityDesk::nearest` for the distance and hands it here.

/// How far from the nearest registered site a place still counts as in the city.
pub const SERVICE_RADIUS_KM: f64 = 4.0;

/// `nearest_site_m`: the distance to the nearest registered site, `None` when none is
/// registered (then nothing is in the city: the intake cannot tell, and says so).
pub fn in_service_area(nearest_site_m: Option<f64>) -> bool {
    nearest_site_m.is_some_and(|d| d <= SERVICE_RADIUS_KM * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_in_the_city_within_four_km_of_a_site() {
        assert!(in_service_area(Some(0.0)));
        assert!(in_service_area(Some(4000.0)));
        assert!(!in_service_area(Some(4000.1)));
        assert!(!in_service_area(None));
    }
}
