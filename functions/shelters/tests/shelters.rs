//! The shelters function as API Gateway and EventBridge drive it: the registry seeded with the
//! shipped GSI rows on embedded storage, the real router, and the bus handler answering through
//! the fake LINE server (which checks every request against LINE's OpenAPI spec).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::emergency::{Cause, Emergency};
use tayori_domain::facility::ShelterStatus;
use tayori_domain::hazard::Hazard;
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Event, EventHandler, HandlerError, ManualClock};
use tayori_records::Emergencies;
use tayori_shelters::{router, LocationHandler, SheltersState, LOCATION_RECEIVED, MAP_PAGE};
use tower::ServiceExt;

const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";
const MAP: &str = "https://line.example.jp/liff/shelters/map";

struct Shelters {
    state: Arc<SheltersState>,
    handler: LocationHandler,
    fake: FakeLine,
    _dir: tempfile::TempDir,
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn shelters() -> Shelters {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(at("2026-12-02T10:15:00+09:00")));
    let (platform, _bus) = embedded::platform(dir.path(), clock).unwrap();
    let state = Arc::new(SheltersState::new(platform, MAP.into()));
    assert!(state.desk.seed_if_empty().await.unwrap());
    let fake = FakeLine::new();
    fake.add_user(CITIZEN, "小浜 太郎");
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
    Shelters {
        handler: LocationHandler {
            state: state.clone(),
            line,
        },
        state,
        fake,
        _dir: dir,
    }
}

impl Shelters {
    async fn get(&self, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = router(self.state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, body.to_vec())
    }

    async fn json(&self, uri: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.get(uri).await;
        (status, serde_json::from_slice(&body).unwrap())
    }

    async fn located(&self, token: &str, id: &str) -> Result<(), HandlerError> {
        self.handler
            .handle(Event::new(
                LOCATION_RECEIVED,
                json!({"userId": CITIZEN, "replyToken": token, "latitude": 35.4953,
                    "longitude": 135.7466, "webhookEventId": id}),
            ))
            .await
    }

    fn sends(&self, path: &str) -> Vec<tayori_fake_line::RecordedRequest> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

#[tokio::test]
async fn the_api_answers_the_five_nearest_with_distances_and_routes() {
    let s = shelters().await;
    let (status, answer) = s
        .json("/api/shelters/nearby?lat=35.4953&lng=135.7466")
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let sites = answer["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 5);
    let distances: Vec<u64> = sites
        .iter()
        .map(|s| s["distanceM"].as_u64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert_eq!(sites[0]["name"], "小浜市文化会館");
    assert_eq!(sites[0]["distance"], "約120m");
    assert!(sites[0]["routeUrl"]
        .as_str()
        .unwrap()
        .ends_with("&travelmode=walking"));
    assert_eq!(answer["hazards"], json!([]));
    assert_eq!(answer["emergency"], Value::Null);

    // A hazard narrows the sites to those designated for it.
    let (_, tsunami) = s
        .json("/api/shelters/nearby?lat=35.4953&lng=135.7466&hazard=tsunami")
        .await;
    assert_eq!(
        tsunami["hazards"],
        json!([{"code": "tsunami", "label": "津波"}])
    );
    for site in tsunami["sites"].as_array().unwrap() {
        assert!(
            site["hazards"].as_array().unwrap().contains(&json!("津波")),
            "{site}"
        );
    }
}

#[tokio::test]
async fn wrong_numbers_unknown_hazards_and_kinds_are_refused_in_japanese() {
    let s = shelters().await;
    for (query, code, message) in [
        (
            "lng=135.7",
            "missing_position",
            "緯度が指定されていません。",
        ),
        (
            "lat=35.4&lng=東経",
            "invalid_position",
            "経度が正しくありません。",
        ),
        (
            "lat=95&lng=135.7",
            "invalid_position",
            "緯度が正しくありません。",
        ),
        (
            "lat=35.4&lng=135.7&hazard=snow",
            "unknown_hazard",
            "「snow」という災害の種類はありません。",
        ),
        (
            "lat=35.4&lng=135.7&kind=aed",
            "unknown_kind",
            "「aed」という施設の種類はありません。",
        ),
    ] {
        let (status, body) = s.json(&format!("/api/shelters/nearby?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["error"]["code"], code, "{query}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(message),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn during_an_emergency_a_full_shelter_shows_its_status_and_comes_after_the_others() {
    let s = shelters().await;
    let flood = Emergency::open(
        "e1",
        "大雨（北川・南川）",
        &[Hazard::Flood],
        Cause::Staff {
            by: "bousai".into(),
        },
        at("2026-12-02T09:00:00+09:00"),
    )
    .unwrap();
    Emergencies::new(s.state.platform.table.clone())
        .open(flood)
        .await
        .unwrap();
    let (_, before) = s
        .json("/api/shelters/nearby?lat=35.4953&lng=135.7466")
        .await;
    assert_eq!(before["emergency"], "大雨（北川・南川）");
    assert_eq!(
        before["hazards"],
        json!([{"code": "flood", "label": "洪水"}])
    );
    let shelter = before["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|site| {
            site["designations"]
                .as_array()
                .unwrap()
                .contains(&json!("指定避難所"))
        })
        .cloned()
        .expect("a 指定避難所 among the nearest for 洪水");
    s.state
        .desk
        .set_status(
            shelter["id"].as_str().unwrap(),
            ShelterStatus::Full,
            "bousai",
        )
        .await
        .unwrap();
    let (_, after) = s
        .json("/api/shelters/nearby?lat=35.4953&lng=135.7466")
        .await;
    let sites = after["sites"].as_array().unwrap();
    let last = sites.last().unwrap();
    assert_eq!(last["id"], shelter["id"], "{after}");
    assert_eq!(
        last["status"],
        json!({"code": "full", "label": "満員", "updatedAt": "2026年12月2日 10:15"})
    );
}

#[tokio::test]
async fn the_map_page_credits_gsi_and_may_load_its_tiles_and_leaflet_from_here() {
    let s = shelters().await;
    let (status, headers, body) = s.get(&format!("{MAP_PAGE}?lat=35.4953&lng=135.7466")).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    for shown in [
        "https://maps.gsi.go.jp/development/ichiran.html",
        "地理院タイル",
        "出典：国土地理院 指定緊急避難場所・指定避難所データ（小浜市）",
        "最新でない場合があります",
        "現在地を使う",
        "/liff/shelters/static/vendor/leaflet/leaflet.js",
    ] {
        assert!(page.contains(shown), "{shown}");
    }
    assert!(
        !page.contains("<script>") && !page.contains("style="),
        "inline code"
    );
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        policy.contains("img-src 'self' data: https://cyberjapandata.gsi.go.jp"),
        "{policy}"
    );
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");

    for (path, kind) in [
        (
            "vendor/leaflet/leaflet.js",
            "text/javascript; charset=utf-8",
        ),
        ("vendor/leaflet/leaflet.css", "text/css; charset=utf-8"),
        ("vendor/leaflet/images/marker-icon.png", "image/png"),
        ("shelters-map.js", "text/javascript; charset=utf-8"),
        ("shelters-map.css", "text/css; charset=utf-8"),
    ] {
        let (status, headers, body) = s.get(&format!("/liff/shelters/static/{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], kind, "{path}");
        assert!(!body.is_empty());
    }
    let (missing, _, _) = s.get("/liff/shelters/static/../../Cargo.toml").await;
    assert_eq!(missing, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_location_is_answered_with_its_reply_token_and_a_valid_carousel() {
    let s = shelters().await;
    s.located("token-1", "01EVENT1").await.unwrap();
    let replies = s.sends("/v2/bot/message/reply");
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].status, 200, "{}", replies[0].body);
    assert!(
        replies[0].schema_errors.is_empty(),
        "{:?}",
        replies[0].schema_errors
    );
    let carousel = &s.fake.replies_for("token-1")[0];
    assert_eq!(carousel["contents"]["type"], "carousel");
    assert_eq!(
        carousel["contents"]["contents"].as_array().unwrap().len(),
        5
    );
    assert!(carousel
        .to_string()
        .contains(&format!("{MAP}?lat=35.4953&lng=135.7466")));
    assert!(s.sends("/v2/bot/message/push").is_empty());
}

#[tokio::test]
async fn a_refused_reply_token_is_answered_by_one_push_even_when_the_bus_retries() {
    let s = shelters().await;
    s.located("token-1", "01EVENT1").await.unwrap();
    // The same LINE event handled again (EventBridge retries): its token is used now.
    s.located("token-1", "01EVENT1").await.unwrap();
    s.located("token-1", "01EVENT1").await.unwrap();
    let pushes = s.sends("/v2/bot/message/push");
    assert_eq!(pushes.len(), 2, "the retry is sent with the same key");
    let key = |r: &tayori_fake_line::RecordedRequest| r.headers["x-line-retry-key"].clone();
    assert_eq!(key(&pushes[0]), key(&pushes[1]));
    assert_eq!(pushes[0].status, 200, "{}", pushes[0].body);
    assert_eq!(pushes[1].status, 409, "LINE recognises the repeat");
    assert_eq!(
        s.fake.sent_messages_to(CITIZEN).len(),
        2,
        "one carousel and its note, once"
    );
}

#[tokio::test]
async fn an_event_without_a_position_is_malformed() {
    let s = shelters().await;
    let error = s
        .handler
        .handle(Event::new(
            LOCATION_RECEIVED,
            json!({"userId": CITIZEN, "replyToken": "t", "latitude": 91.0, "longitude": 135.0,
                "webhookEventId": "01E"}),
        ))
        .await
        .unwrap_err();
    assert!(matches!(error, HandlerError::Malformed { .. }), "{error}");
    let error = s
        .handler
        .handle(Event::new(LOCATION_RECEIVED, json!({"userId": CITIZEN})))
        .await
        .unwrap_err();
    assert!(matches!(error, HandlerError::Malformed { .. }), "{error}");
}
