//! The desk over the embedded store, on 小浜市's real rows.

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tayori_domain::emergency::{Cause, Emergency};
use tayori_domain::facility::{
    Extras, Facility, FacilityKind, KindId, Position, Refusal, ShelterStatus,
};
use tayori_domain::hazard::Hazard;
use tayori_facilities::data::{OBAMA_EMERGENCY_SITES, OBAMA_SHELTERS};
use tayori_facilities::{FacilityDesk, FacilityError, NearbyQuery};
use tayori_ports::{ManualClock, Platform};
use tayori_records::Emergencies;

/// 小浜市役所.
const CITY_HALL: (f64, f64) = (35.4953, 135.7466);

struct World {
    desk: FacilityDesk,
    platform: Platform,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T21:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let (platform, _bus) = tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
    let desk = FacilityDesk::new(&platform);
    assert!(desk.seed_if_empty().await.unwrap());
    World {
        desk,
        platform,
        clock,
        _dir: dir,
    }
}

async fn open_emergency(world: &World, hazards: &[Hazard]) -> Emergency {
    let emergency = Emergency::open(
        "e1",
        "大雨",
        hazards,
        Cause::Staff {
            by: "tanaka".into(),
        },
        world.clock.now_utc(),
    )
    .unwrap();
    Emergencies::new(world.platform.table.clone())
        .open(emergency.clone())
        .await
        .unwrap();
    emergency
}

trait Now {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl Now for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        tayori_ports::Clock::now(self)
    }
}

fn city_hall() -> Position {
    Position::new(CITY_HALL.0, CITY_HALL.1).unwrap()
}

/// Great-circle distance by the spherical law of cosines, written apart from the crate's
/// haversine so that a mistake in one does not hide in the other.
fn law_of_cosines_m(a: Position, b: Position) -> f64 {
    let (φ1, φ2) = (a.lat().to_radians(), b.lat().to_radians());
    let dλ = (b.lng() - a.lng()).to_radians();
    let c = φ1.sin() * φ2.sin() + φ1.cos() * φ2.cos() * dλ.cos();
    6_371_008.8 * c.clamp(-1.0, 1.0).acos()
}

/// The `n` nearest of `sites` by the independent distance.
fn by_hand(sites: &[Facility], from: Position, n: usize) -> Vec<(String, f64)> {
    let mut all: Vec<(String, f64)> = sites
        .iter()
        .map(|s| (s.id().to_owned(), law_of_cosines_m(from, s.position())))
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1));
    all.truncate(n);
    all
}

#[tokio::test]
async fn a_fresh_install_seeds_obamas_sites_once() {
    let world = world().await;
    assert!(!world.desk.seed_if_empty().await.unwrap());
    let shelters = world.desk.list(&KindId::shelter()).await.unwrap();
    assert_eq!(shelters.len(), 90);
    let gym = world.desk.get("E1820400029202").await.unwrap();
    assert!(gym.is_designated_shelter());
    assert!(matches!(
        world.desk.get("nope").await,
        Err(FacilityError::NotFound)
    ));
}

#[tokio::test]
async fn the_five_nearest_to_the_city_hall_are_in_great_circle_order() {
    let world = world().await;
    let all = world.desk.list(&KindId::shelter()).await.unwrap();
    let answer = world
        .desk
        .nearest(&NearbyQuery::shelters(city_hall()))
        .await
        .unwrap();
    assert_eq!(answer.emergency, None);
    assert!(answer.hazards.is_empty());
    let expected = by_hand(&all, city_hall(), 5);
    let got: Vec<&str> = answer.sites.iter().map(|s| s.id.as_str()).collect();
    let want: Vec<&str> = expected.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(got, want);
    for (site, (_, metres)) in answer.sites.iter().zip(&expected) {
        assert!((site.distance_m - metres).abs() < 0.01, "{}", site.name);
        assert!(site.status.is_none());
    }
    assert!(answer
        .sites
        .windows(2)
        .all(|w| w[0].distance_m <= w[1].distance_m));
    // The nearest sites to the city hall are a few hundred metres away, not kilometres.
    assert!(answer.sites[0].distance_m < 1000.0);
}

#[tokio::test]
async fn a_hazard_answers_only_sites_designated_for_it() {
    let world = world().await;
    let all = world.desk.list(&KindId::shelter()).await.unwrap();
    for hazard in [Hazard::Tsunami, Hazard::Flood, Hazard::LargeFire] {
        let query = NearbyQuery {
            hazard: Some(hazard),
            limit: 8,
            ..NearbyQuery::shelters(city_hall())
        };
        let answer = world.desk.nearest(&query).await.unwrap();
        assert_eq!(answer.hazards, [hazard]);
        let for_hazard: Vec<Facility> = all
            .iter()
            .filter(|s| s.hazards().contains(&hazard))
            .cloned()
            .collect();
        let want: Vec<String> = by_hand(&for_hazard, city_hall(), 8)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let got: Vec<String> = answer.sites.iter().map(|s| s.id.clone()).collect();
        assert_eq!(got, want, "{hazard:?}");
        assert!(answer.sites.iter().all(|s| s.hazards.contains(&hazard)));
    }
}

#[tokio::test]
async fn the_open_emergencys_hazards_filter_unless_one_is_asked_for() {
    let world = world().await;
    open_emergency(&world, &[Hazard::Flood, Hazard::Landslide]).await;
    let answer = world
        .desk
        .nearest(&NearbyQuery::shelters(city_hall()))
        .await
        .unwrap();
    assert_eq!(answer.emergency.as_ref().unwrap().id, "e1");
    assert_eq!(answer.hazards, [Hazard::Flood, Hazard::Landslide]);
    assert!(!answer.sites.is_empty());
    assert!(answer
        .sites
        .iter()
        .all(|s| s.hazards.contains(&Hazard::Flood) && s.hazards.contains(&Hazard::Landslide)));
    let asked = NearbyQuery {
        hazard: Some(Hazard::Earthquake),
        ..NearbyQuery::shelters(city_hall())
    };
    let answer = world.desk.nearest(&asked).await.unwrap();
    assert_eq!(answer.hazards, [Hazard::Earthquake]);
}

#[tokio::test]
async fn status_is_refused_without_an_emergency_or_on_a_place_only_site() {
    let world = world().await;
    let refused = world
        .desk
        .set_status("E1820400029202", ShelterStatus::Open, "tanaka")
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        FacilityError::Refused(Refusal::NoEmergency)
    ));
    assert!(refused.to_string().contains("災害対応が始まっていない"));
    open_emergency(&world, &[]).await;
    let ground = world
        .desk
        .set_status("E1820400029201", ShelterStatus::Open, "tanaka")
        .await
        .unwrap_err();
    assert_eq!(
        ground.to_string(),
        "「中央グラウンド」は指定避難所ではないため、開設状況は設定できません。"
    );
    let change = world
        .desk
        .set_status("E1820400029202", ShelterStatus::Open, "tanaka")
        .await
        .unwrap();
    assert_eq!(change.before.last_status(), None);
    assert_eq!(
        change.after.last_status().unwrap().status(),
        ShelterStatus::Open
    );
}

#[tokio::test]
async fn full_and_closed_shelters_come_after_the_others() {
    let world = world().await;
    // An emergency without a GSI hazard (大雪): every shelter is a candidate.
    open_emergency(&world, &[]).await;
    let query = NearbyQuery {
        limit: 6,
        ..NearbyQuery::shelters(city_hall())
    };
    let before = world.desk.nearest(&query).await.unwrap();
    let stays: Vec<String> = before
        .sites
        .iter()
        .filter(|s| s.designated_shelter)
        .map(|s| s.id.clone())
        .collect();
    assert!(stays.len() >= 2, "{stays:?}");
    world.clock.advance(Duration::minutes(3));
    world
        .desk
        .set_status(&stays[0], ShelterStatus::Full, "tanaka")
        .await
        .unwrap();
    world
        .desk
        .set_status(&stays[1], ShelterStatus::Closed, "tanaka")
        .await
        .unwrap();
    let after = world.desk.nearest(&query).await.unwrap();
    let ids: Vec<&str> = after.sites.iter().map(|s| s.id.as_str()).collect();
    let mut expected: Vec<&str> = before
        .sites
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| *id != stays[0] && *id != stays[1])
        .collect();
    expected.extend([stays[0].as_str(), stays[1].as_str()]);
    assert_eq!(ids, expected);
    let full = &after.sites[after.sites.len() - 2];
    let status = full.status.as_ref().unwrap();
    assert_eq!(status.label, "満員");
    assert_eq!(status.updated_at_jst, "2026年12月2日 06:33");
}

#[tokio::test]
async fn the_cached_index_is_rebuilt_when_the_registry_moves() {
    let world = world().await;
    let here = NearbyQuery::shelters(city_hall());
    world.desk.nearest(&here).await.unwrap();
    let first = world.desk.cached_version().unwrap();
    world.desk.nearest(&here).await.unwrap();
    assert_eq!(world.desk.cached_version(), Some(first));

    // A second container's desk changes a site: this one's next lookup sees it.
    let other = FacilityDesk::new(&world.platform);
    let nearest_id = world.desk.nearest(&here).await.unwrap().sites[0].id.clone();
    let extras = Extras {
        capacity: Some(250),
        ..Extras::default()
    };
    other.edit(&nearest_id, extras, "sato").await.unwrap();
    let answer = world.desk.nearest(&here).await.unwrap();
    assert_eq!(world.desk.cached_version(), Some(first + 1));
    assert_eq!(answer.sites[0].capacity, Some(250));
}

#[tokio::test]
async fn a_reimport_keeps_extras_and_status_and_a_bad_file_changes_nothing() {
    let world = world().await;
    let emergency = open_emergency(&world, &[]).await;
    let extras = Extras {
        capacity: Some(600),
        pets: Some(true),
        phone: Some("0770-52-1111".into()),
        ..Extras::default()
    };
    let edited = world
        .desk
        .edit("E1820400029202", extras.clone(), "tanaka")
        .await
        .unwrap();
    assert_eq!(edited.before.extras(), &Extras::default());
    assert_eq!(edited.after.extras(), &extras);
    world
        .desk
        .set_status("E1820400029202", ShelterStatus::Crowded, "tanaka")
        .await
        .unwrap();

    let imported = world
        .desk
        .import_gsi(OBAMA_EMERGENCY_SITES, OBAMA_SHELTERS)
        .await
        .unwrap();
    assert_eq!(
        (
            imported.sites,
            imported.kept,
            imported.removed,
            imported.joined
        ),
        (90, 90, 0, 35)
    );
    let gym = world.desk.get("E1820400029202").await.unwrap();
    assert_eq!(gym.extras(), &extras);
    assert_eq!(
        gym.status_in(&emergency).unwrap().status(),
        ShelterStatus::Crowded
    );

    let registry = tayori_records::Facilities::new(world.platform.table.clone());
    let version = registry.registry().await.unwrap().unwrap().version;
    let broken = String::from_utf8(OBAMA_EMERGENCY_SITES.to_vec())
        .unwrap()
        .replacen("35.532156", "", 1);
    let err = world
        .desk
        .import_gsi(broken.as_bytes(), OBAMA_SHELTERS)
        .await
        .unwrap_err();
    let FacilityError::Import(report) = err else {
        panic!("an import error")
    };
    assert_eq!(report.errors[0].line, 3);
    assert_eq!(report.errors[0].column.as_deref(), Some("緯度"));
    assert_eq!(registry.registry().await.unwrap().unwrap().version, version);
}

#[tokio::test]
async fn sites_of_a_staff_kind_answer_their_own_lookup() {
    let world = world().await;
    let kominkan = FacilityKind::new(KindId::new("kominkan").unwrap(), "公民館").unwrap();
    world.desk.save_kind(&kominkan).await.unwrap();
    let twin = FacilityKind::new(KindId::new("hall").unwrap(), "公民館").unwrap();
    assert!(matches!(
        world.desk.save_kind(&twin).await,
        Err(FacilityError::Refused(Refusal::DuplicateKindName(_)))
    ));
    let kinds = world.desk.kinds().await.unwrap();
    assert_eq!(kinds, vec![FacilityKind::shelter(), kominkan.clone()]);

    let csv = "種別,名称,住所,緯度,経度,電話番号,開館時間,URL,備考\n\
               公民館,遠い館,小浜市,35.60,135.90,,,,\n\
               公民館,近い館,小浜市,35.4960,135.7470,0770-52-0001,9:00〜17:00,,\n";
    let imported = world.desk.import_kind_csv(csv.as_bytes()).await.unwrap();
    assert_eq!((imported.sites, imported.kept), (2, 0));
    // Shelters are untouched by a kind's import.
    assert_eq!(world.desk.list(&KindId::shelter()).await.unwrap().len(), 90);

    let query = NearbyQuery {
        kind: Some(kominkan.id().clone()),
        hazard: Some(Hazard::Tsunami),
        ..NearbyQuery::shelters(city_hall())
    };
    let answer = world.desk.nearest(&query).await.unwrap();
    assert_eq!(answer.kind_name, "公民館");
    assert!(answer.hazards.is_empty(), "hazards are for shelters only");
    let names: Vec<&str> = answer.sites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["近い館", "遠い館"]);
    assert_eq!(answer.sites[0].hours.as_deref(), Some("9:00〜17:00"));
}
