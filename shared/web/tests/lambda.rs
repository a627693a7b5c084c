//! The Lambda glue every `main.rs` uses, driven by API Gateway REST events shaped like the
//! samples in `events/api/` and by EventBridge envelopes like those in `events/bus/`.

use async_trait::async_trait;
use axum::extract::Extension;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, Once};
use tayori_ports::{Event, EventHandler};
use tayori_runtime::EventRoutes;
use tayori_web::{LambdaApp, SourceIp};

/// The template sets it on every function; lambda_http reads it when it turns an event into a
/// request.
fn routes_without_the_stage() {
    static SET: Once = Once::new();
    SET.call_once(|| std::env::set_var("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"));
}

/// `GET <path>` as API Gateway sends it: at the default endpoint (`stage` in
/// `requestContext.path`) or behind a custom domain (`stage` None: nothing in front).
fn request(path: &str, stage: Option<&str>) -> Value {
    let mut event: Value =
        serde_json::from_str(include_str!("../../../events/api/console-login.json")).unwrap();
    event["resource"] = json!(path);
    event["path"] = json!(path);
    event["queryStringParameters"] = Value::Null;
    event["multiValueQueryStringParameters"] = Value::Null;
    event["requestContext"]["resourcePath"] = json!(path);
    event["requestContext"]["stage"] = json!(stage.unwrap_or("prod"));
    event["requestContext"]["path"] = match stage {
        Some(stage) => json!(format!("/{stage}{path}")),
        None => json!(path),
    };
    event
}

fn app() -> LambdaApp {
    let router = Router::new()
        .route(
            "/admin",
            get(|Extension(SourceIp(ip)): Extension<SourceIp>| async move {
                Html(format!(
                    r#"<p>{ip}</p><a href="/admin/staff">職員</a><form action="/admin/logout"></form>"#
                ))
            }),
        )
        .route(
            "/admin/login",
            get(|| async {
                let mut response = Redirect::to("/admin").into_response();
                response.headers_mut().append(
                    header::SET_COOKIE,
                    "tayori_admin=t; Path=/admin; HttpOnly".parse().unwrap(),
                );
                response
            }),
        )
        .route(
            "/media/a.png",
            get(|| async { ([(header::CONTENT_TYPE, "image/png")], vec![0x89u8, b'P', 0, 255]) }),
        );
    LambdaApp::new(router)
}

fn header_values(answer: &Value, name: &str) -> Vec<String> {
    answer["multiValueHeaders"][name]
        .as_array()
        .map(|v| v.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn at_the_default_endpoint_links_redirects_and_cookies_carry_the_stage() {
    routes_without_the_stage();
    let app = app();
    let none = EventRoutes::default();

    let page = app
        .invoke(request("/admin", Some("prod")), &none)
        .await
        .unwrap();
    assert_eq!(page["statusCode"], 200);
    let body = page["body"].as_str().unwrap();
    assert!(body.contains(r#"href="/prod/admin/staff""#), "{body}");
    assert!(body.contains(r#"action="/prod/admin/logout""#), "{body}");
    // The address API Gateway saw reached the router.
    assert!(body.contains("<p>203.0.113.10</p>"), "{body}");

    let login = app
        .invoke(request("/admin/login", Some("prod")), &none)
        .await
        .unwrap();
    assert_eq!(login["statusCode"], 303);
    assert_eq!(header_values(&login, "location"), ["/prod/admin"]);
    assert_eq!(
        header_values(&login, "set-cookie"),
        ["tayori_admin=t; Path=/prod/admin; HttpOnly"]
    );
}

#[tokio::test]
async fn behind_a_custom_domain_nothing_is_put_in_front() {
    routes_without_the_stage();
    let app = app();
    let none = EventRoutes::default();
    let page = app.invoke(request("/admin", None), &none).await.unwrap();
    let body = page["body"].as_str().unwrap();
    assert!(body.contains(r#"href="/admin/staff""#), "{body}");
    let login = app
        .invoke(request("/admin/login", None), &none)
        .await
        .unwrap();
    assert_eq!(header_values(&login, "location"), ["/admin"]);
    assert_eq!(
        header_values(&login, "set-cookie"),
        ["tayori_admin=t; Path=/admin; HttpOnly"]
    );
}

#[tokio::test]
async fn binary_answers_go_back_base64_encoded_as_api_gateway_expects() {
    routes_without_the_stage();
    let answer = app()
        .invoke(
            request("/media/a.png", Some("prod")),
            &EventRoutes::default(),
        )
        .await
        .unwrap();
    assert_eq!(answer["statusCode"], 200);
    assert_eq!(answer["isBase64Encoded"], true);
    assert_eq!(answer["body"], "iVAA/w==");
    // Headers go only in the multi-value form, which API Gateway would otherwise repeat.
    assert!(answer["headers"].as_object().is_none_or(|h| h.is_empty()));
}

#[derive(Default)]
struct Seen(Mutex<Vec<Event>>);

#[async_trait]
impl EventHandler for Seen {
    async fn handle(&self, event: Event) -> Result<(), tayori_ports::HandlerError> {
        self.0.lock().unwrap().push(event);
        Ok(())
    }
}

#[tokio::test]
async fn the_same_function_takes_its_bus_events_and_refuses_what_is_neither() {
    let seen = Arc::new(Seen::default());
    let routes = EventRoutes::default().on("line.events-deferred", seen.clone());
    let envelope: Value = serde_json::from_str(include_str!(
        "../../../events/bus/line-events-deferred.json"
    ))
    .unwrap();
    let answer = app().invoke(envelope.clone(), &routes).await.unwrap();
    assert_eq!(answer, Value::Null);
    assert_eq!(seen.0.lock().unwrap()[0].detail, envelope["detail"]);

    let unrouted = json!({"source": "tayori", "detail-type": "other", "detail": {}});
    assert!(app().invoke(unrouted, &routes).await.is_err());
    assert!(app()
        .invoke(json!({"hello": "world"}), &routes)
        .await
        .is_err());
}
