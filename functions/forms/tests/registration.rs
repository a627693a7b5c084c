//! The LIFF registration form's API end to end: the real router, embedded storage, and ID
//! tokens verified by the fake LINE server's LINE Login endpoint.

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_fake_line::FakeLine;
use tayori_forms::{router, FormsConfig, FormsState};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Platform, SystemClock};
use tayori_records::{Friends, SegmentItemsRecord};
use tower::ServiceExt;

const CITIZEN: &str = "U11112222333344445555666677778888";
const LIFF_CHANNEL: &str = "1657000000";

struct Harness {
    app: axum::Router,
    platform: Platform,
    fake: FakeLine,
    _dir: tempfile::TempDir,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "")));
    let state = FormsState {
        platform: platform.clone(),
        line,
        config: FormsConfig {
            login_channel_id: LIFF_CHANNEL.into(),
            liff_id: None,
            forms_liff_id: None,
            city: "小浜市".into(),
            upload_origin: None,
        },
    };
    Harness {
        app: router(Arc::new(state)),
        platform,
        fake,
        _dir: dir,
    }
}

impl Harness {
    async fn call(
        &self,
        method: Method,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri("/api/registration");
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

    async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn attributes(&self) -> Option<BTreeMap<String, Vec<String>>> {
        Friends::new(&self.platform)
            .get(CITIZEN)
            .await
            .unwrap()
            .map(|f| f.attributes)
    }
}

#[tokio::test]
async fn a_citizen_with_a_valid_token_sees_the_open_items_and_saves_a_registration() {
    let h = harness().await;
    let token = h.fake.issue_id_token(CITIZEN, Some(LIFF_CHANNEL));
    let (status, view) = h.call(Method::GET, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["age_group", "gender", "district", "interests"]);
    assert_eq!(view["items"][2]["choices"].as_array().unwrap().len(), 12);
    assert_eq!(view["items"][3]["answer"], "many");

    let (status, saved) = h
        .call(
            Method::PUT,
            Some(&token),
            Some(json!({"values": {"district": ["雲浜"], "interests": ["防災", "子育て"]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let expected: BTreeMap<String, Vec<String>> = [
        ("district".to_string(), vec!["雲浜".to_string()]),
        (
            "interests".to_string(),
            vec!["子育て".to_string(), "防災".to_string()],
        ),
    ]
    .into();
    assert_eq!(h.attributes().await, Some(expected));
    assert_eq!(saved["values"]["district"], json!(["雲浜"]));
    let (_, again) = h.call(Method::GET, Some(&token), None).await;
    assert_eq!(again["values"]["interests"], json!(["子育て", "防災"]));
    assert_eq!(
        h.fake
            .requests()
            .iter()
            .filter(|r| r.path == "/oauth2/v2.1/verify" && r.status == 200)
            .count(),
        3,
        "every call is verified with LINE"
    );
}

#[tokio::test]
async fn a_forged_or_missing_token_gets_401_in_japanese_and_saves_nothing() {
    let h = harness().await;
    let body = json!({"values": {"district": ["雲浜"]}});
    let (status, answer) = h
        .call(Method::PUT, Some("forged.id.token"), Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"]["code"], "invalid_token");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("LINEのログインを確認できませんでした"));
    let (status, _) = h.call(Method::PUT, None, Some(body.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A genuine token of another LIFF channel is not accepted either.
    let foreign = h.fake.issue_id_token(CITIZEN, Some("1999999999"));
    let (status, _) = h.call(Method::PUT, Some(&foreign), Some(body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.attributes().await, None);
}

#[tokio::test]
async fn an_unknown_choice_or_item_or_two_answers_to_a_one_answer_item_get_400() {
    let h = harness().await;
    let token = h.fake.issue_id_token(CITIZEN, None);
    for (values, message) in [
        (
            json!({"district": ["東京"]}),
            "「居住地区」に「東京」という選択肢はありません。",
        ),
        (
            json!({"blood_type": ["A"]}),
            "「blood_type」という登録項目はありません。",
        ),
        (
            json!({"age_group": ["20代", "30代"]}),
            "「年代」は1つだけ選んでください。",
        ),
    ] {
        let (status, answer) = h
            .call(Method::PUT, Some(&token), Some(json!({ "values": values })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answer["error"]["code"], "refused");
        assert_eq!(answer["error"]["message"], message);
    }
    let (status, _) = h
        .call(Method::PUT, Some(&token), Some(json!("not an object")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(h.attributes().await, None);
}

#[tokio::test]
async fn a_retired_choice_is_not_offered_and_cannot_be_saved_but_retired_items_keep_values() {
    let h = harness().await;
    let token = h.fake.issue_id_token(CITIZEN, None);
    h.call(
        Method::PUT,
        Some(&token),
        Some(json!({"values": {"gender": ["女性"], "district": ["小浜"]}})),
    )
    .await;
    let record = SegmentItemsRecord::new(h.platform.table.clone());
    record
        .update(|i| i.set_item_retired("gender", true))
        .await
        .unwrap()
        .unwrap();
    record
        .update(|i| i.set_choice_retired("district", 0, true))
        .await
        .unwrap()
        .unwrap();
    let (_, view) = h.call(Method::GET, Some(&token), None).await;
    assert_eq!(view["items"].as_array().unwrap().len(), 3);
    assert!(!view["items"][1]["choices"]
        .as_array()
        .unwrap()
        .contains(&json!("小浜")));
    let (status, _) = h
        .call(
            Method::PUT,
            Some(&token),
            Some(json!({"values": {"district": ["小浜"]}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    h.call(
        Method::PUT,
        Some(&token),
        Some(json!({"values": {"district": ["西津"]}})),
    )
    .await;
    let attributes = h.attributes().await.unwrap();
    assert_eq!(attributes["gender"], ["女性"]);
    assert_eq!(attributes["district"], ["西津"]);
}

#[tokio::test]
async fn delete_clears_every_attribute() {
    let h = harness().await;
    let token = h.fake.issue_id_token(CITIZEN, None);
    h.call(
        Method::PUT,
        Some(&token),
        Some(json!({"values": {"age_group": ["70代以上"]}})),
    )
    .await;
    assert_eq!(h.attributes().await.unwrap().len(), 1);
    let (status, answer) = h.call(Method::DELETE, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["deleted"], true);
    assert!(h.attributes().await.unwrap().is_empty());
    let (status, _) = h.call(Method::DELETE, Some("forged"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_liff_page_takes_the_token_from_liff_or_the_query_and_links_the_policy() {
    let h = harness().await;
    let (status, html) = h.page("/liff/registration").await;
    assert_eq!(status, StatusCode::OK);
    // The script (liff.getIDToken() or ?id_token=) is a file: see tests/pages.rs.
    assert!(html.contains("src=\"/liff/forms/static/registration.js\""));
    assert!(html.contains("href=\"/liff/privacy\""));
    assert!(
        !html.contains("<script charset=\"utf-8\" src="),
        "no external script without a LIFF id"
    );
    let (status, policy) = h.page("/liff/privacy").await;
    assert_eq!(status, StatusCode::OK);
    for needed in ["保存する情報", "利用の目的", "確認・変更・削除", "小浜市"]
    {
        assert!(policy.contains(needed), "{needed}");
    }
}

#[tokio::test]
async fn the_health_route_answers_ok() {
    let h = harness().await;
    assert_eq!(
        h.page(tayori_forms::HEALTH_PATH).await,
        (StatusCode::OK, "ok".to_string())
    );
}

#[tokio::test]
async fn with_a_liff_app_id_the_page_loads_lines_sdk_and_names_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
    let app = router(Arc::new(FormsState {
        platform,
        line: Arc::new(LineClient::new(LineConfig::default())),
        config: FormsConfig {
            login_channel_id: LIFF_CHANNEL.into(),
            liff_id: Some("1657000000-AbCdEfGh".into()),
            forms_liff_id: None,
            city: "小浜市".into(),
            upload_origin: None,
        },
    }));
    let response = app
        .oneshot(
            Request::get("/liff/registration")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let html = String::from_utf8_lossy(&to_bytes(response.into_body(), 1 << 20).await.unwrap())
        .into_owned();
    assert!(html.contains("https://static.line-scdn.net/liff/edge/2/sdk.js"));
    assert!(html.contains("data-liff-id=\"1657000000-AbCdEfGh\""));
}

#[tokio::test]
async fn the_privacy_page_says_how_long_data_is_kept_after_blocking() {
    let h = harness().await;
    let (_, policy) = h.page("/liff/privacy").await;
    assert!(policy.contains("保存期間"), "{policy}");
    assert!(policy.contains("ブロックしてから180日"), "{policy}");
    tayori_records::retention::RetentionRecord::new(h.platform.table.clone())
        .set(tayori_domain::Retention::days_after_blocking(365).unwrap())
        .await
        .unwrap();
    let (_, policy) = h.page("/liff/privacy").await;
    assert!(policy.contains("ブロックしてから365日"), "{policy}");
}
