//! The report form's API end to end: the real router, embedded storage whose presigned URLs
//! are answered by the same app (`/_objects`), 小浜市's sites seeded for the 市内 check, and ID
//! tokens verified by the fake LINE server's LINE Login endpoint.

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_facilities::FacilityDesk;
use tayori_fake_line::FakeLine;
use tayori_images::fixtures::{jpeg_segments, photo_with_gps, PLACE};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{ObjectKey, Platform, SystemClock};
use tayori_reporting::{ReportDesk, UPLOAD_PREFIX};
use tayori_reports::{router, ReportsConfig, ReportsState};
use tower::ServiceExt;

const CITIZEN: &str = "U11112222333344445555666677778888";
const NEIGHBOUR: &str = "U99998888777766665555444433332222";
const LIFF_CHANNEL: &str = "1657000000";
const OBJECTS_BASE: &str = "http://127.0.0.1:9";
/// 小浜市役所.
const CITY_HALL: (f64, f64) = (35.4953, 135.7466);
const KYOTO: (f64, f64) = (35.0116, 135.7681);

struct Harness {
    app: axum::Router,
    platform: Platform,
    fake: FakeLine,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus, objects) =
        embedded::platform_at(dir.path(), Arc::new(SystemClock), OBJECTS_BASE).unwrap();
    assert!(FacilityDesk::new(&platform).seed_if_empty().await.unwrap());
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "")));
    let state = ReportsState::new(
        &platform,
        line,
        ReportsConfig {
            login_channel_id: LIFF_CHANNEL.into(),
            liff_id: None,
            city: "小浜市".into(),
            upload_origin: None,
        },
    );
    Harness {
        app: router(Arc::new(state)).merge(objects),
        platform,
        fake,
        _dir: dir,
    }
}

fn png() -> Vec<u8> {
    // A small PNG: checked by content as a JPEG is.
    let mut bytes = Vec::new();
    image::DynamicImage::new_rgb8(8, 8)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

impl Harness {
    fn token(&self, user: &str) -> String {
        self.fake.issue_id_token(user, Some(LIFF_CHANNEL))
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(
                body.map(|b| Body::from(b.to_string()))
                    .unwrap_or_else(Body::empty),
            )
            .unwrap();
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Asks for an upload and PUTs `bytes` to it as the browser would; answers the key.
    async fn upload(&self, token: &str, content_type: &str, bytes: Vec<u8>) -> String {
        let (status, given) = self
            .call(
                Method::POST,
                "/api/reports/uploads",
                Some(token),
                Some(json!({"contentType": content_type, "bytes": bytes.len()})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{given}");
        let url = given["url"].as_str().unwrap();
        let path = url.strip_prefix(OBJECTS_BASE).unwrap();
        let mut put = Request::builder().method(Method::PUT).uri(path);
        for (name, value) in given["headers"].as_object().unwrap() {
            put = put.header(name.as_str(), value.as_str().unwrap());
        }
        let response = self
            .app
            .clone()
            .oneshot(put.body(Body::from(bytes)).unwrap())
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        given["key"].as_str().unwrap().to_string()
    }

    async fn file(&self, token: &str, report: Value) -> (StatusCode, Value) {
        self.call(Method::POST, "/api/reports", Some(token), Some(report))
            .await
    }

    async fn objects_under(&self, prefix: &str) -> Vec<ObjectKey> {
        self.platform.objects.list(prefix).await.unwrap()
    }

    async fn reports_of(&self, user: &str) -> usize {
        ReportDesk::new(&self.platform)
            .history(user)
            .await
            .unwrap()
            .len()
    }
}

fn road_report(photos: &[String], at: (f64, f64)) -> Value {
    json!({
        "category": "road",
        "latitude": at.0,
        "longitude": at.1,
        "photos": photos,
        "details": "市役所前の歩道に穴があいています。",
        "answers": [],
    })
}

#[tokio::test]
async fn a_forged_or_missing_token_is_refused_before_anything_else() {
    let h = harness().await;
    for token in [None, Some("forged-token")] {
        for (method, path) in [
            (Method::GET, "/api/reports/categories"),
            (Method::POST, "/api/reports/uploads"),
            (Method::POST, "/api/reports"),
            (Method::GET, "/api/reports/mine"),
        ] {
            let (status, body) = h
                .call(
                    method,
                    path,
                    token,
                    Some(json!({"contentType": "image/png", "bytes": 1})),
                )
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} {token:?}");
            assert!(body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("LINEのログイン"));
        }
    }
    // A genuine token for another LINE Login channel is refused as well.
    let foreign = h.fake.issue_id_token(CITIZEN, Some("1111111111"));
    let (status, _) = h
        .call(Method::GET, "/api/reports/mine", Some(&foreign), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_categories_are_offered_with_their_descriptions_and_urgency() {
    let h = harness().await;
    let token = h.token(CITIZEN);
    let (status, body) = h
        .call(Method::GET, "/api/reports/categories", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let categories = body["categories"].as_array().unwrap();
    let wildlife = categories.iter().find(|c| c["id"] == "wildlife").unwrap();
    assert_eq!(wildlife["urgent"], true);
    assert!(wildlife["description"].as_str().unwrap().contains("クマ"));
    assert_eq!(body["limits"]["photos"], 4);
}

#[tokio::test]
async fn a_gif_or_an_oversized_photo_gets_no_upload() {
    let h = harness().await;
    let token = h.token(CITIZEN);
    let cases = [
        (
            json!({"contentType": "image/gif", "bytes": 100}),
            "JPEGかPNG",
        ),
        (
            json!({"contentType": "image/jpeg", "bytes": 10 * 1024 * 1024 + 1}),
            "大きすぎます",
        ),
    ];
    for (asked, says) in cases {
        let (status, body) = h
            .call(
                Method::POST,
                "/api/reports/uploads",
                Some(&token),
                Some(asked),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["field"], "photos");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(says),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_gif_uploaded_under_a_jpeg_label_is_refused_by_its_content_and_nothing_is_filed() {
    let h = harness().await;
    let token = h.token(CITIZEN);
    let key = h.upload(&token, "image/jpeg", GIF.to_vec()).await;
    let (status, body) = h.file(&token, road_report(&[key], CITY_HALL)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "photos");
    assert_eq!(
        body["error"]["message"],
        "写真：1枚目の写真：JPEGかPNGの画像を選んでください。"
    );
    assert_eq!(h.reports_of(CITIZEN).await, 0);
    assert!(h.objects_under("reports/photos/").await.is_empty());
}

#[tokio::test]
async fn an_upload_key_of_another_citizen_is_refused() {
    let h = harness().await;
    let neighbours = h
        .upload(&h.token(NEIGHBOUR), "image/jpeg", photo_with_gps(64, 48, 1))
        .await;
    let token = h.token(CITIZEN);
    let (status, body) = h
        .file(
            &token,
            road_report(std::slice::from_ref(&neighbours), CITY_HALL),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "photos");
    assert_eq!(h.reports_of(CITIZEN).await, 0);
    // The neighbour's upload is untouched and still theirs to file.
    assert!(h
        .objects_under(UPLOAD_PREFIX)
        .await
        .iter()
        .any(|k| k.as_str() == neighbours));
    // A key outside the uploads (a stored photo's, say) is refused the same way.
    let (status, _) = h
        .file(
            &token,
            road_report(&["reports/photos/abc.jpg".to_string()], CITY_HALL),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_place_outside_the_city_is_refused_naming_the_place_with_nothing_filed_or_stored() {
    let h = harness().await;
    let token = h.token(CITIZEN);
    let key = h
        .upload(&token, "image/jpeg", photo_with_gps(64, 48, 1))
        .await;
    let (status, body) = h
        .file(&token, road_report(std::slice::from_ref(&key), KYOTO))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "location");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("場所：市外の場所のようです。"));
    assert_eq!(h.reports_of(CITIZEN).await, 0);
    assert!(h.objects_under("reports/photos/").await.is_empty());
    assert!(h.objects_under("media/reports/").await.is_empty());
    // The upload stays, so the citizen can move the pin and send again.
    let (status, body) = h.file(&token, road_report(&[key], CITY_HALL)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn texts_over_their_limit_a_missing_photo_and_an_unknown_category_are_named() {
    let h = harness().await;
    let token = h.token(CITIZEN);
    let mut long = road_report(&[], CITY_HALL);
    long["category"] = json!("streetlight");
    long["details"] = json!("あ".repeat(501));
    let mut unknown = road_report(&[], CITY_HALL);
    unknown["category"] = json!("ufo");
    let mut no_contact = road_report(&[], CITY_HALL);
    no_contact["category"] = json!("dumping");
    let cases = [
        (road_report(&[], CITY_HALL), "photos", "写真："),
        (long, "details", "内容：内容は500文字以内"),
        (unknown, "category", "種類："),
        (no_contact, "contact", "連絡先："),
    ];
    for (report, field, starts) in cases {
        let (status, body) = h.file(&token, report).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["field"], field, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(starts),
            "{body}"
        );
    }
    assert_eq!(h.reports_of(CITIZEN).await, 0);
}

#[tokio::test]
async fn a_report_with_two_photos_gets_a_receipt_number_and_keeps_no_exif() {
    let h = harness().await;
    let token = h.token(CITIZEN);
    let first = h
        .upload(&token, "image/jpeg", photo_with_gps(640, 480, 6))
        .await;
    let second = h.upload(&token, "image/png", png()).await;
    let (status, body) = h
        .file(&token, road_report(&[first, second], CITY_HALL))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let receipt = body["receiptNumber"].as_str().unwrap().to_string();
    assert!(!receipt.is_empty());
    assert_eq!(body["category"], "道路・公共物の損傷");

    let report = ReportDesk::new(&h.platform).history(CITIZEN).await.unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].receipt(), receipt);
    assert_eq!(report[0].photos().len(), 2);
    for photo in report[0].photos() {
        for key in [&photo.key, &photo.thumbnail_key] {
            let stored = h
                .platform
                .objects
                .get(&ObjectKey::new(key.clone()).unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.content_type, "image/jpeg", "{key}");
            assert!(
                !jpeg_segments(&stored.bytes).contains(&0xE1),
                "{key} has Exif"
            );
            assert!(
                !stored.bytes.windows(PLACE.len()).any(|w| w == PLACE),
                "{key} tells where it was taken"
            );
        }
    }
    // The uploads are gone once filed.
    assert!(h.objects_under(UPLOAD_PREFIX).await.is_empty());

    let (status, mine) = h
        .call(Method::GET, "/api/reports/mine", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["reports"][0]["receiptNumber"], receipt);
    assert_eq!(mine["reports"][0]["status"], "受付");
    assert_eq!(mine["reports"][0]["category"], "道路・公共物の損傷");
    // A neighbour sees none of it.
    let (_, theirs) = h
        .call(
            Method::GET,
            "/api/reports/mine",
            Some(&h.token(NEIGHBOUR)),
            None,
        )
        .await;
    assert_eq!(theirs["reports"], json!([]));
}

#[tokio::test]
async fn the_page_allows_only_gsi_tiles_and_its_own_origin_beyond_liffs_policy() {
    let h = harness().await;
    let response = h
        .app
        .clone()
        .oneshot(Request::get("/liff/reports").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        csp,
        tayori_web::Surface::LiffReport {
            upload_origin: None
        }
        .content_security_policy()
    );
    let html = String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(html.contains(r#"aria-describedby="details-error""#));
    for path in [
        "/liff/reports/static/report.js",
        "/liff/reports/static/vendor/leaflet/leaflet.js",
    ] {
        let r = h
            .app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
}
