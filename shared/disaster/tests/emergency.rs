//! The one owner of opening and closing an emergency: staff get one at a time, a rule widens
//! the open one, and closing twice is refused in words.

use chrono::{TimeZone, Utc};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_disaster::{DisasterError, EmergencyDesk, RuleOpening};
use tayori_domain::emergency::{Cause, EmergencyError};
use tayori_domain::hazard::Hazard;
use tayori_ports::ManualClock;

fn desk(data: &tempfile::TempDir) -> EmergencyDesk {
    let start = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    let (platform, _bus) =
        embedded::platform(data.path(), Arc::new(ManualClock::new(start))).unwrap();
    EmergencyDesk::new(platform.table.clone(), platform.clock.clone())
}

#[tokio::test]
async fn staff_open_one_at_a_time_and_a_rule_widens_the_open_one() {
    let data = tempfile::tempdir().unwrap();
    let desk = desk(&data);
    assert_eq!(desk.current().await.unwrap(), None);
    let refused = desk.open("  ", &[Hazard::Flood], "bousai").await;
    assert!(matches!(
        refused,
        Err(DisasterError::Emergency(EmergencyError::NoTitle))
    ));
    let opened = desk
        .open("令和8年7月大雨", &[Hazard::Flood], "bousai")
        .await
        .unwrap();
    assert_eq!(
        opened.cause(),
        &Cause::Staff {
            by: "bousai".into()
        }
    );
    let second = desk.open("別の災害", &[], "bousai").await.unwrap_err();
    assert_eq!(
        second.to_string(),
        "すでに災害対応「令和8年7月大雨」が開始されています。同時に開始できるのは1件です。"
    );
    assert!(second.is_refusal());

    let widened = desk
        .open_for_rule(
            "action-1",
            "津波警報",
            &[Hazard::Tsunami],
            "default-tsunami-warning",
            "urn:entry",
        )
        .await
        .unwrap();
    let RuleOpening::Widened(widened) = widened else {
        panic!("the open emergency is widened, not a second one opened");
    };
    assert_eq!(widened.id(), opened.id());
    assert!(widened.hazards().contains(&Hazard::Tsunami));
    assert!(widened.hazards().contains(&Hazard::Flood));

    let closed = desk.close(opened.id(), "bousai").await.unwrap();
    assert!(closed.closed_at().is_some());
    assert_eq!(desk.current().await.unwrap(), None);
    let again = desk.close(opened.id(), "bousai").await.unwrap_err();
    assert!(matches!(
        again,
        DisasterError::Emergency(EmergencyError::AlreadyClosed(_))
    ));
    assert!(matches!(
        desk.close("nothing", "bousai").await,
        Err(DisasterError::EmergencyNotFound)
    ));

    let RuleOpening::Opened(new) = desk
        .open_for_rule("action-2", "津波警報", &[Hazard::Tsunami], "r", "urn:2")
        .await
        .unwrap()
    else {
        panic!("with none open, the rule opens one");
    };
    assert_eq!(
        new.cause(),
        &Cause::Jma {
            rule: "r".into(),
            message: "urn:2".into()
        }
    );
    assert_eq!(desk.recent(10).await.unwrap().len(), 2);
}
