//! JMA自動切替ルール and 自動実行の記録: the shipped rules are listed disabled, a clerk with the
//! emergency permission turns one on (audited), and the log shows an automatic action with its
//! XML escaped.

mod support;

use axum::http::StatusCode;
use support::Console;
use tayori_disaster::{ActionRecord, DisasterRecords, RuleDesk};
use tayori_domain::emergency_rule::RuleMatch;
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_ports::ObjectKey;

async fn signed_in() -> Console {
    let permissions: PermissionSet = [Permission::EmergencySwitch].into_iter().collect();
    Console::signed_in("bousai", "防災 太郎", "防災課", permissions).await
}

#[tokio::test]
async fn shipped_rules_are_off_until_a_clerk_turns_one_on() {
    let mut c = signed_in().await;
    let page = c.get("/admin/disaster/rules").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("津波警報・大津波警報（福井県）"));
    assert_eq!(page.body.matches("有効にする").count(), 5);
    let answer = c
        .post(
            "/admin/disaster/rules/default-tsunami-warning/enabled",
            &[("enabled", "yes")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let rule = RuleDesk::new(
        c.state.platform.table.clone(),
        c.state.platform.clock.clone(),
    )
    .get("default-tsunami-warning")
    .await
    .unwrap();
    assert!(rule.enabled());
    assert_eq!(rule.updated_by(), "bousai");
    let page = c.get("/admin/disaster/rules").await;
    assert_eq!(page.body.matches("有効にする").count(), 4);
    assert!(page.body.contains("を有効にしました"));
}

#[tokio::test]
async fn the_log_shows_each_action_with_its_xml_escaped() {
    let mut c = signed_in().await;
    let key = "jma/abc.xml";
    c.state
        .platform
        .objects
        .put(
            &ObjectKey::new(key).unwrap(),
            b"<Report><Title>t</Title><script>x</script></Report>".to_vec(),
            "application/xml",
        )
        .await
        .unwrap();
    let records = DisasterRecords::new(c.state.platform.table.clone());
    let action = ActionRecord {
        id: "abc-default-tsunami-warning".into(),
        at: c.state.platform.clock.now(),
        rule_id: "default-tsunami-warning".into(),
        rule_name: "津波警報・大津波警報（福井県）".into(),
        entry_id: "urn:entry".into(),
        message_title: "大津波警報・津波警報・津波注意報".into(),
        matched: RuleMatch {
            area_code: "370".into(),
            area_name: "福井県（津波予報区）".into(),
            what: "津波警報（発表）".into(),
        },
        xml_key: key.into(),
        steps: vec!["緊急メニューへの切替を依頼".into()],
        done: true,
    };
    assert_eq!(records.claim_action(&action).await.unwrap(), None);
    let page = c.get("/admin/disaster/log").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("緊急メニューへの切替を依頼"));
    assert!(page.body.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(!page.body.contains("<script>x</script>"));
}
