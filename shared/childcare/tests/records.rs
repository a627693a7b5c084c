//! The child-rearing records (`tayori_records::children`) held to one contract on both
//! adapters: the embedded one (SQLite) and DynamoDB and KMS on moto. The `aws` half is skipped
//! without moto unless `TAYORI_REQUIRE_AWS=1`.

use crate::support::{self, on_both_adapters, Platforms};
use support::*;
use tayori_domain::childcare::{Birth, Child, ChildError};
use tayori_ports::Clock;
use tayori_records::children::{ChildcareSettings, Claim};
use tayori_records::index_keys::{IndexKeyRecord, Rotation};
use tayori_records::ChildcareRecords;

fn born(id: &str, y: i32, m: u32) -> Child {
    Child::new(
        id,
        Birth::Born { month: month(y, m) },
        Some("はな"),
        day(2026, 2, 10),
    )
    .unwrap()
}

async fn register(records: &ChildcareRecords, user_id: &str, child: Child) {
    records
        .update(user_id, |s| s.add(child.clone()))
        .await
        .unwrap()
        .unwrap();
}

async fn every_parent(records: &ChildcareRecords) -> Vec<tayori_records::children::Parent> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = records.parents(cursor).await.unwrap();
        all.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => return all,
        }
    }
}

on_both_adapters!(a_citizens_children_are_sealed_under_a_keyed_hash_and_listed_for_the_sender);
async fn a_citizens_children_are_sealed_under_a_keyed_hash_and_listed_for_the_sender(
    subject: &Platforms,
) {
    let records = ChildcareRecords::new(&subject.platform);
    register(&records, &user(1), born("c1", 2026, 1)).await;
    register(&records, &user(1), born("c2", 2024, 5)).await;
    register(&records, &user(2), born("c3", 2025, 12)).await;

    let mine = records.subscription(&user(1)).await.unwrap();
    let ids: Vec<&str> = mine.children().iter().map(Child::id).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(records.subscription(&user(3)).await.unwrap().is_empty());

    // Nothing in the table names the citizen, the nickname or the birth month.
    let mut parents = every_parent(&records).await;
    assert_eq!(parents.len(), 2);
    let keys = IndexKeyRecord::new(&subject.platform).keys().await.unwrap();
    let hash = keys.current().segment_key("childcare-parent", &user(1));
    let raw = subject
        .platform
        .table
        .get(&format!("PARENT#{hash}"), "CHILDREN")
        .await
        .unwrap()
        .expect("stored under the hash");
    let body = raw.body.to_string();
    // (Short strings such as the child id "c1" may occur in the sealed text by chance.)
    for secret in [user(1).as_str(), "はな", "2026-01"] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }

    parents.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(parents[0].user_id, user(1));
    assert_eq!(parents[0].subscription, mine);
    assert_eq!(parents[1].subscription.children()[0].id(), "c3");

    // A refusal writes nothing; removing the last child (not opted out) removes the record.
    let refused = records
        .update(&user(2), |s| s.remove("nobody").map(|_| ()))
        .await
        .unwrap();
    assert_eq!(refused, Err(ChildError::NotFound));
    records
        .update(&user(2), |s| s.remove("c3").map(|_| ()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(every_parent(&records).await.len(), 1);
}

on_both_adapters!(an_opt_out_is_kept_with_the_children_and_outlives_them);
async fn an_opt_out_is_kept_with_the_children_and_outlives_them(subject: &Platforms) {
    let records = ChildcareRecords::new(&subject.platform);
    register(&records, &user(1), born("c1", 2026, 1)).await;
    records
        .update(&user(1), |s| {
            s.opt_out();
            s.remove("c1").map(|_| ())
        })
        .await
        .unwrap()
        .unwrap();
    let kept = records.subscription(&user(1)).await.unwrap();
    assert!(kept.is_opted_out());
    assert!(kept.children().is_empty());
    register(&records, &user(1), born("c2", 2026, 1)).await;
    assert!(records.subscription(&user(1)).await.unwrap().is_opted_out());
}

on_both_adapters!(a_stage_is_claimed_for_a_child_once_whoever_asks);
async fn a_stage_is_claimed_for_a_child_once_whoever_asks(subject: &Platforms) {
    let records = ChildcareRecords::new(&subject.platform);
    let at = subject.clock.now();
    let d1 = "childcare-20260301-vaccine-2m";
    assert!(!records.was_sent("c1", "vaccine-2m").await.unwrap());
    assert_eq!(
        records.claim("c1", "vaccine-2m", d1, at).await.unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        records
            .claim("c1", "vaccine-2m", "childcare-20260302-vaccine-2m", at)
            .await
            .unwrap(),
        Claim::Taken(d1.into())
    );
    assert!(records.was_sent("c1", "vaccine-2m").await.unwrap());
    assert_eq!(
        records.claim("c2", "vaccine-2m", d1, at).await.unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        records.claim("c1", "checkup-3y", d1, at).await.unwrap(),
        Claim::Claimed
    );

    assert!(!records.day_done(day(2026, 3, 1)).await.unwrap());
    records.mark_day_done(day(2026, 3, 1), at).await.unwrap();
    assert!(records.day_done(day(2026, 3, 1)).await.unwrap());
    assert!(!records.day_done(day(2026, 3, 2)).await.unwrap());
}

on_both_adapters!(a_deliverys_addressees_are_sealed_and_bound_to_it);
async fn a_deliverys_addressees_are_sealed_and_bound_to_it(subject: &Platforms) {
    let records = ChildcareRecords::new(&subject.platform);
    assert!(records.addressees("d1").await.unwrap().is_empty());
    let named = vec![user(1), user(2)];
    records.save_addressees("d1", &named).await.unwrap();
    assert_eq!(records.addressees("d1").await.unwrap(), named);
    let raw = subject
        .platform
        .table
        .get("DELIVERY#d1", "ADDRESSEES")
        .await
        .unwrap()
        .unwrap();
    assert!(!raw.body.to_string().contains(&user(1)));
    // Copied to another delivery, the list does not open.
    let mut copy = raw.clone();
    copy.pk = "DELIVERY#d2".into();
    subject
        .platform
        .table
        .put(copy, tayori_ports::Condition::Always)
        .await
        .unwrap();
    assert!(records.addressees("d2").await.is_err());
}

on_both_adapters!(the_settings_start_empty_and_keep_what_staff_save);
async fn the_settings_start_empty_and_keep_what_staff_save(subject: &Platforms) {
    let records = ChildcareRecords::new(&subject.platform);
    let empty = records.settings().await.unwrap();
    assert!(empty.schedule.is_empty());
    assert_eq!(empty.send_at.to_string(), "10:00:00");
    let saved = ChildcareSettings {
        schedule: schedule(),
        send_at: chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
    };
    records.save_settings(&saved).await.unwrap();
    assert_eq!(records.settings().await.unwrap(), saved);
}

on_both_adapters!(
    after_an_index_key_rotation_a_citizens_children_are_found_and_move_to_the_new_key
);
async fn after_an_index_key_rotation_a_citizens_children_are_found_and_move_to_the_new_key(
    subject: &Platforms,
) {
    let records = ChildcareRecords::new(&subject.platform);
    let index = IndexKeyRecord::new(&subject.platform);
    register(&records, &user(1), born("c1", 2026, 1)).await;
    let old = index
        .keys()
        .await
        .unwrap()
        .current()
        .segment_key("childcare-parent", &user(1));
    assert_eq!(
        index.rotate(subject.clock.now()).await.unwrap(),
        Rotation::Rotated(2)
    );
    assert_eq!(
        records
            .subscription(&user(1))
            .await
            .unwrap()
            .children()
            .len(),
        1
    );
    register(&records, &user(1), born("c2", 2025, 1)).await;
    let new = index
        .keys()
        .await
        .unwrap()
        .current()
        .segment_key("childcare-parent", &user(1));
    assert_ne!(old, new);
    let table = &subject.platform.table;
    assert!(table
        .get(&format!("PARENT#{old}"), "CHILDREN")
        .await
        .unwrap()
        .is_none());
    assert!(table
        .get(&format!("PARENT#{new}"), "CHILDREN")
        .await
        .unwrap()
        .is_some());
    let parents = every_parent(&records).await;
    assert_eq!(parents.len(), 1);
    assert_eq!(parents[0].subscription.children().len(), 2);
}
