//! Nearest shelters in the local run, end to end: a simulator citizen sends a location near
//! 小浜市役所; the webhook hands it to the bus, the shelters function answers with the reply
//! token, and the fake LINE (which checks the Flex carousel against LINE's OpenAPI spec) holds
//! a carousel of the 5 nearest sites, in the order an independent haversine over the shipped
//! GSI rows gives.

use crate::support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use support::{run, wait_for};

const CITY_HALL: (f64, f64) = (35.4953, 135.7466);

/// Great-circle distance in metres on the mean sphere, written here again on purpose: the
/// test must not trust the code it checks.
fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8_f64;
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let dp = p2 - p1;
    let dl = (b.1 - a.1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().min(1.0).asin()
}

/// Each site name of both GSI lists shipped in the repository with its nearest point to
/// `from` (a site in both lists may be placed a few metres apart in each), nearest first.
fn nearest_names_in_the_csvs(from: (f64, f64)) -> Vec<(String, f64)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/shelters");
    let mut best: BTreeMap<String, f64> = BTreeMap::new();
    for file in [
        "obama_gsi_designated_emergency_evacuation_sites.csv",
        "obama_gsi_designated_shelters.csv",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines
            .next()
            .unwrap()
            .trim_start_matches('\u{feff}')
            .split(',')
            .collect();
        let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (name, lat, lng) = (column("施設・場所名"), column("緯度"), column("経度"));
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let cells: Vec<&str> = line.split(',').collect();
            let point = (cells[lat].parse().unwrap(), cells[lng].parse().unwrap());
            let d = haversine(from, point);
            let entry = best.entry(cells[name].to_string()).or_insert(f64::MAX);
            *entry = entry.min(d);
        }
    }
    let mut sorted: Vec<(String, f64)> = best.into_iter().collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    sorted
}

/// The texts of a Flex component tree, in order.
fn texts(component: &Value, out: &mut Vec<String>) {
    if component["type"] == "text" {
        if let Some(t) = component["text"].as_str() {
            out.push(t.to_string());
        }
    }
    for key in ["header", "hero", "body", "footer"] {
        if component.get(key).is_some() {
            texts(&component[key], out);
        }
    }
    if let Some(children) = component["contents"].as_array() {
        for child in children {
            texts(child, out);
        }
    }
}

#[tokio::test]
async fn a_citizen_near_the_city_hall_receives_the_five_nearest_sites_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::new();
    let citizen: Value = http
        .post(format!("{base}/simulator/api/citizens"))
        .json(&json!({"name": "小浜 太郎"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = citizen["userId"].as_str().unwrap();
    let sent: Value = http
        .post(format!("{base}/simulator/api/events"))
        .json(
            &json!({"userId": user, "kind": "location", "latitude": CITY_HALL.0,
            "longitude": CITY_HALL.1, "title": "小浜市役所", "address": "福井県小浜市大手町6-3"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["webhookStatus"], 200, "{sent}");
    let token = sent["replyToken"].as_str().unwrap().to_string();
    let fake = running.fake_line.clone();
    wait_for("the shelters' reply", || {
        !fake.replies_for(&token).is_empty()
    })
    .await;

    // LINE accepted the reply as valid (its OpenAPI schema), and no push was needed.
    let reply = running
        .fake_line
        .requests()
        .into_iter()
        .find(|r| r.path == "/v2/bot/message/reply" && r.body["replyToken"] == token.as_str())
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.schema_errors.is_empty(), "{:?}", reply.schema_errors);
    assert!(running.fake_line.sent_messages_to(user).is_empty());

    let messages = running.fake_line.replies_for(&token);
    let carousel = messages
        .iter()
        .find(|m| m["type"] == "flex" && m["contents"]["type"] == "carousel")
        .unwrap_or_else(|| panic!("a carousel in {messages:?}"));
    let bubbles = carousel["contents"]["contents"].as_array().unwrap();
    let expected = nearest_names_in_the_csvs(CITY_HALL);
    // The sixth is well behind the fifth here, so the five are the same however a site that
    // appears in both lists is placed.
    assert!(expected[5].1 - expected[4].1 > 50.0, "{expected:?}");
    let expected: Vec<&str> = expected[..5].iter().map(|(n, _)| n.as_str()).collect();
    // Each bubble opens with the site's name.
    let shown: Vec<String> = bubbles
        .iter()
        .map(|bubble| {
            let mut all = Vec::new();
            texts(bubble, &mut all);
            all.remove(0)
        })
        .collect();
    assert_eq!(shown, expected, "{carousel}");
    // Each offers the walking route and the map page at the citizen's position.
    for bubble in bubbles {
        let uris: Vec<&str> = bubble["footer"]["contents"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["action"]["uri"].as_str())
            .collect();
        assert!(
            uris.iter().any(|u| u.contains("travelmode=walking")),
            "{uris:?}"
        );
        assert!(
            uris.iter().any(|u| u.starts_with(&format!(
                "{base}/liff/shelters/map?lat=35.4953&lng=135.7466"
            ))),
            "{uris:?}"
        );
    }

    running.stop().await;
}
