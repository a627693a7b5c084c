//! JMA自動切替ルール and 自動実行の記録: the shipped rules are listed disabled, a clerk with the
//! emergency permission turns one on (audited), and the log shows an automatic action with its
//! XML escaped.

use crate::support;

use axum::http::StatusCode;
use support::Console;
use tayori_disaster::{ActionRecord, DisasterRecords, EmergencyDesk, LiftingNotice, RuleDesk};
use tayori_domain::emergency_rule::{FirstMessage, RuleMatch};
use tayori_domain::hazard::Hazard;
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

fn desk(c: &Console) -> RuleDesk {
    RuleDesk::new(
        c.state.platform.table.clone(),
        c.state.platform.clock.clone(),
    )
}

async fn audit_summaries(c: &Console) -> Vec<(String, String)> {
    use chrono::Datelike;
    let now = tayori_domain::time::to_jst(c.state.platform.clock.now());
    let (entries, _) = c
        .state
        .audit
        .month(now.year(), now.month(), None, 100)
        .await
        .unwrap();
    entries.into_iter().map(|e| (e.action, e.summary)).collect()
}

const HEAVY_RAIN: &[(&str, &str)] = &[
    ("family", "weather"),
    ("name", "大雨警報（小浜市）"),
    ("kinds", "03"),
    ("areas", "1820400"),
    ("hazards", "flood"),
    ("hazards", "landslide"),
    ("switch_menu", "yes"),
    ("open_emergency", "yes"),
    ("message", "draft"),
    ("text", "小浜市に大雨警報が発表されました。"),
];

#[tokio::test]
async fn a_clerk_adds_a_rule_then_edits_it_both_audited() {
    let mut c = signed_in().await;
    let list = c.get("/admin/disaster/rules").await;
    assert!(list.body.contains("href=\"/admin/disaster/rules/new\""));
    assert!(list
        .body
        .contains("href=\"/admin/disaster/rules/default-tsunami-warning\""));
    let picker = c.get("/admin/disaster/rules/new").await;
    assert!(picker.body.contains("value=\"earthquake\""));
    let form = c.get("/admin/disaster/rules/new?family=weather").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("大雨警報"));
    assert!(form.body.contains("嶺南西部"));
    // The tsunami forecast area is not offered for a weather warning.
    assert!(!form.body.contains("福井県（津波予報区）"));
    assert!(form
        .body
        .contains("承認なしで、すぐに友だち全員に送られます。"));
    assert!(form.body.contains("name=\"_csrf\""));

    let saved = c.post("/admin/disaster/rules/new", HEAVY_RAIN).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let rules = desk(&c).list().await.unwrap();
    let rule = rules
        .iter()
        .find(|r| r.name() == "大雨警報（小浜市）")
        .expect("the new rule is stored");
    assert!(
        !rule.enabled(),
        "a new rule waits for a clerk to turn it on"
    );
    assert_eq!(rule.areas(), ["1820400"]);
    assert_eq!(
        rule.first_message(),
        &FirstMessage::Draft {
            text: "小浜市に大雨警報が発表されました。".into()
        }
    );

    let path = format!("/admin/disaster/rules/{}", rule.id());
    let edit = c.get(&path).await;
    assert!(edit.body.contains("value=\"大雨警報（小浜市）\""));
    assert!(edit.body.contains("value=\"03\" checked"), "{}", edit.body);
    let seen = rule
        .updated_at()
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let saved = c
        .post(
            &path,
            &[
                ("family", "weather"),
                ("seen", seen.as_str()),
                ("name", "大雨・洪水警報（小浜市）"),
                ("kinds", "03"),
                ("kinds", "04"),
                ("areas", "1820400"),
                ("areas", "180022"),
                ("hazards", "flood"),
                ("open_emergency", "yes"),
                ("message", "automatic"),
                ("text", "大雨・洪水警報です。"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = desk(&c).get(rule.id()).await.unwrap();
    assert_eq!(after.name(), "大雨・洪水警報（小浜市）");
    assert!(!after.switch_menu());
    assert_eq!(after.areas(), ["180022", "1820400"]);
    assert_eq!(
        after.first_message(),
        &FirstMessage::Automatic {
            text: "大雨・洪水警報です。".into()
        }
    );

    let audit = audit_summaries(&c).await;
    let added = audit
        .iter()
        .find(|(a, _)| a == "JMA自動切替ルールを追加")
        .expect("the addition is audited");
    assert!(added.1.contains("大雨警報（小浜市）"));
    let changed = audit
        .iter()
        .find(|(a, _)| a == "JMA自動切替ルールを変更")
        .expect("the change is audited");
    assert!(
        changed.1.contains("前：大雨警報（小浜市）"),
        "{}",
        changed.1
    );
    assert!(
        changed.1.contains("後：大雨・洪水警報（小浜市）"),
        "{}",
        changed.1
    );

    // The same form again, now stale: refused, and the rule is not overwritten.
    let stale = c
        .post(
            &path,
            &[
                ("family", "weather"),
                ("seen", seen.as_str()),
                ("name", "古い画面から"),
                ("kinds", "03"),
                ("areas", "1820400"),
                ("switch_menu", "yes"),
                ("message", "none"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("他の操作で先に変更されました"));
    assert_eq!(
        desk(&c).get(rule.id()).await.unwrap().name(),
        "大雨・洪水警報（小浜市）"
    );
}

#[tokio::test]
async fn a_refused_rule_is_shown_again_with_what_was_typed() {
    let mut c = signed_in().await;
    c.get("/admin/disaster/rules/new?family=weather").await;
    let before = desk(&c).list().await.unwrap().len();
    let mut fields: Vec<(&str, &str)> = HEAVY_RAIN
        .iter()
        .copied()
        .filter(|(k, _)| *k != "areas")
        .collect();
    fields.push(("text", "ignored second value"));
    let refused = c.post("/admin/disaster/rules/new", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("対象の地域を1つ以上選んでください。"));
    assert!(refused.body.contains("value=\"大雨警報（小浜市）\""));
    assert!(refused.body.contains("value=\"03\" checked"));
    assert!(refused.body.contains("value=\"landslide\" checked"));
    assert!(refused.body.contains("value=\"draft\" checked"));
    assert!(refused.body.contains("小浜市に大雨警報が発表されました。"));
    assert_eq!(desk(&c).list().await.unwrap().len(), before);

    // An earthquake rule without a 震度 is refused too.
    let refused = c
        .post(
            "/admin/disaster/rules/new",
            &[
                ("family", "earthquake"),
                ("name", "地震"),
                ("areas", "401"),
                ("switch_menu", "yes"),
                ("message", "none"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("震度を選んでください。"));
    assert!(refused.body.contains("value=\"地震\""));
}

#[tokio::test]
async fn a_clerk_without_the_emergency_permission_cannot_add_or_edit_rules() {
    let mut boss = signed_in().await;
    boss.get("/admin/disaster/rules").await;
    let mut clerk = boss.another_browser();
    clerk
        .add_staff(
            "kouhou",
            "広報 次郎",
            "広報課",
            [Permission::Greetings].into_iter().collect(),
            chrono::Utc::now(),
        )
        .await;
    clerk.sign_in("kouhou").await;
    assert_eq!(
        clerk
            .get("/admin/disaster/rules/new?family=weather")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        clerk
            .get("/admin/disaster/rules/default-tsunami-warning")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let before = desk(&clerk).list().await.unwrap().len();
    let refused = clerk.post("/admin/disaster/rules/new", HEAVY_RAIN).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = clerk
        .post("/admin/disaster/rules/default-tsunami-warning", HEAVY_RAIN)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(desk(&clerk).list().await.unwrap().len(), before);
    assert_ne!(
        desk(&clerk)
            .get("default-tsunami-warning")
            .await
            .unwrap()
            .name(),
        "大雨警報（小浜市）"
    );
}

fn notice(id: &str, at: chrono::DateTime<chrono::Utc>) -> LiftingNotice {
    LiftingNotice {
        id: id.into(),
        at,
        rule_id: "default-heavy-rain-emergency".into(),
        rule_name: "大雨特別警報（小浜市）".into(),
        entry_id: format!("urn:{id}"),
        message_title: "気象特別警報・警報・注意報".into(),
        matched: RuleMatch {
            area_code: "1820400".into(),
            area_name: "小浜市".into(),
            what: "大雨特別警報（解除）".into(),
        },
        xml_key: format!("jma/{id}.xml"),
    }
}

const LIFTED: &str = "気象庁が小浜市の大雨特別警報の解除を発表しました";

#[tokio::test]
async fn a_lifting_after_the_emergency_opened_is_in_the_banner_with_what_to_do() {
    let mut c = signed_in().await;
    let records = DisasterRecords::new(c.state.platform.table.clone());
    let now = c.state.platform.clock.now();
    // No emergency open: a 解除 alone says nothing.
    records
        .put_notice(&notice("old", now - chrono::Duration::hours(2)))
        .await
        .unwrap();
    assert!(!c
        .get("/admin/disaster/rules")
        .await
        .body
        .contains("解除を発表しました"));

    let desk = EmergencyDesk::new(
        c.state.platform.table.clone(),
        c.state.platform.clock.clone(),
    );
    let open = desk
        .open("令和8年7月大雨", &[Hazard::Flood], "bousai")
        .await
        .unwrap();
    // The only 解除 is older than this emergency: not this one's.
    let page = c.get("/admin/disaster/rules").await.body;
    assert!(page.contains("災害対応中：令和8年7月大雨"));
    assert!(!page.contains("解除を発表しました"), "{page}");

    let lifted_at = open.opened_at() + chrono::Duration::minutes(30);
    records.put_notice(&notice("new", lifted_at)).await.unwrap();
    let page = c.get("/admin/disaster/rules").await.body;
    assert!(page.contains(LIFTED), "{page}");
    assert!(page.contains(&format!(
        "（{}）。通常メニューへの切替と災害対応の終了は、確認のうえ手動で行ってください。",
        tayori_domain::time::format_jst(lifted_at)
    )));
    assert!(page.contains("href=\"/admin/emergency\""));
    assert!(page.contains("href=\"/admin/disaster\""));

    // Closed by hand: the banner and its notice go.
    desk.close(open.id(), "bousai").await.unwrap();
    let page = c.get("/admin/disaster/rules").await.body;
    assert!(!page.contains("災害対応中："));
    assert!(!page.contains(LIFTED));
}
