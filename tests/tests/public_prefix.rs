//! The console and a LIFF page work both at the stack's default REST endpoint, where every
//! public path carries the stage (`/prod/admin/login`), and behind a custom domain, where it
//! carries nothing (issue 10, item 11). Requests go in as API Gateway sends them (the samples
//! in `events/api/`, turned into requests by lambda_http) through the same glue as the Lambda
//! entry points (`tayori_web::LambdaApp`).

use axum::body::to_bytes;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Once};
use tayori_adapters::embedded;
use tayori_admin::{AdminConfig, AdminState, AllowList};
use tayori_fake_line::FakeLine;
use tayori_forms::{FormsConfig, FormsState};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;
use tayori_web::LambdaApp;

const PASSWORD: &str = "obama-kaigan-2026";
const CITIZEN: &str = "U11112222333344445555666677778888";

/// Where the browser reached the API.
#[derive(Clone, Copy, Debug)]
enum Endpoint {
    /// `https://<api>.execute-api.<region>.amazonaws.com/<stage>/…`
    Default { stage: &'static str },
    /// `https://<domain>/…`, the API mapped at the domain's root.
    Custom { domain: &'static str },
}

impl Endpoint {
    fn prefix(self) -> String {
        match self {
            Endpoint::Default { stage } => format!("/{stage}"),
            Endpoint::Custom { .. } => String::new(),
        }
    }
}

const ENDPOINTS: [Endpoint; 2] = [
    Endpoint::Default { stage: "prod" },
    Endpoint::Custom {
        domain: "tayori.example.lg.jp",
    },
];

/// The template sets it on every function; lambda_http reads it when it turns an event into a
/// request.
fn routes_without_the_stage() {
    static SET: Once = Once::new();
    SET.call_once(|| std::env::set_var("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"));
}

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

/// `sample` (an event of `events/api/`) asking for `method path` at `endpoint`, with `headers`
/// and `body` added.
fn request(
    sample: &str,
    endpoint: Endpoint,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> lambda_http::Request {
    let mut event: Value = serde_json::from_str(sample).unwrap();
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    event["httpMethod"] = json!(method);
    event["requestContext"]["httpMethod"] = json!(method);
    event["path"] = json!(path);
    event["requestContext"]["path"] = json!(format!("{}{path}", endpoint.prefix()));
    if let Endpoint::Custom { domain } = endpoint {
        event["requestContext"]["domainName"] = json!(domain);
        event["headers"]["host"] = json!(domain);
        event["multiValueHeaders"]["host"] = json!([domain]);
    }
    let pairs: HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if !pairs.is_empty() {
        event["queryStringParameters"] = json!(pairs);
        event["multiValueQueryStringParameters"] = json!(pairs
            .iter()
            .map(|(k, v)| (k.clone(), vec![v.clone()]))
            .collect::<HashMap<_, _>>());
    }
    for (name, value) in headers {
        event["headers"][*name] = json!(value);
        event["multiValueHeaders"][*name] = json!([value]);
    }
    if let Some(body) = body {
        event["body"] = json!(body);
    }
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

async fn send(app: &LambdaApp, request: lambda_http::Request) -> Answer {
    let response = app.call(request).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 1 << 24).await.unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// The value of the first `name="…" value="…"` input of a page.
fn input_value(page: &str, name: &str) -> String {
    let after = page
        .split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} field in {page}"));
    after[..after.find('"').unwrap()].to_string()
}

/// The `name=value` part of a `Set-Cookie`, and its `Path`.
fn cookie(answer: &Answer, name: &str) -> (String, String) {
    let set = answer
        .header("set-cookie")
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", answer.header("set-cookie")));
    let pair = set.split(';').next().unwrap().to_string();
    let path = set
        .split(';')
        .map(str::trim)
        .find_map(|a| a.strip_prefix("Path="))
        .unwrap()
        .to_string();
    (pair, path)
}

/// Every root-relative URL of the page's URL attributes starts with `prefix/`.
fn assert_links_under(page: &str, prefix: &str) {
    let mut seen = 0;
    for attribute in ["href", "src", "action", "data-api"] {
        for rest in page.split(&format!(" {attribute}=\"/")).skip(1) {
            seen += 1;
            let url = format!("/{}", &rest[..rest.find('"').unwrap()]);
            if !prefix.is_empty() {
                assert!(url.starts_with(&format!("{prefix}/")), "{attribute}={url}");
            }
            assert!(
                !url[prefix.len()..].starts_with("/prod/"),
                "the prefix twice: {url}"
            );
        }
    }
    assert!(seen > 0, "no root-relative link in {page}");
}

#[tokio::test]
async fn a_clerk_signs_in_to_the_console_at_the_default_endpoint_and_behind_a_custom_domain() {
    routes_without_the_stage();
    let sample = include_str!("../../events/api/console-login.json");
    for endpoint in ENDPOINTS {
        let prefix = endpoint.prefix();
        let dir = tempfile::tempdir().unwrap();
        let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
        let state = AdminState::new(
            platform,
            Arc::new(LineClient::new(LineConfig::default())),
            AdminConfig {
                city: "小浜市".into(),
                allow_list: AllowList::parse("203.0.113.0/24").unwrap(),
                secure_cookies: true,
                setup_token: None,
                session_policy: Default::default(),
                sample_calendar: Default::default(),
                photo_source: None,
                forms_link: Default::default(),
            },
        );
        tayori_admin::setup::create_first_admin(&state, "admin", "管理者", PASSWORD)
            .await
            .unwrap();
        let app = LambdaApp::new(tayori_admin::router(Arc::new(state)));

        // The sign-in page: its form, stylesheet and links under the prefix.
        let page = send(
            &app,
            request(sample, endpoint, "GET", "/admin/login", &[], None),
        )
        .await;
        assert_eq!(page.status, 200, "{endpoint:?}");
        assert!(
            page.body
                .contains(&format!("action=\"{prefix}/admin/login\"")),
            "{endpoint:?}: {}",
            page.body
        );
        assert_links_under(&page.body, &prefix);
        let (pre, pre_path) = cookie(&page, "tayori_pre");
        assert_eq!(pre_path, format!("{prefix}/admin"), "{endpoint:?}");

        // Signing in: the form's CSRF token, the sign-in cookie, the redirect into the console.
        let form = format!(
            "_csrf={}&next=%2Fadmin&login_id=admin&password={PASSWORD}",
            input_value(&page.body, "_csrf"),
        );
        let signed_in = send(
            &app,
            request(
                sample,
                endpoint,
                "POST",
                "/admin/login",
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("cookie", &pre),
                ],
                Some(&form),
            ),
        )
        .await;
        assert_eq!(signed_in.status, 303, "{endpoint:?}: {}", signed_in.body);
        assert_eq!(signed_in.header("location"), [format!("{prefix}/admin")]);
        let (session, session_path) = cookie(&signed_in, "tayori_admin");
        assert_eq!(session_path, format!("{prefix}/admin"), "{endpoint:?}");

        // The home page the redirect leads to, signed in: every link under the prefix.
        let home = send(
            &app,
            request(
                sample,
                endpoint,
                "GET",
                "/admin",
                &[("cookie", &session)],
                None,
            ),
        )
        .await;
        assert_eq!(home.status, 200, "{endpoint:?}");
        assert!(home.body.contains("ログアウト"), "signed in");
        assert!(
            home.body
                .contains(&format!("href=\"{prefix}/admin/account\"")),
            "{endpoint:?}"
        );
        assert_links_under(&home.body, &prefix);

        // A page that needs a sign-in sends the signed-out browser to the sign-in page there.
        let out = send(
            &app,
            request(sample, endpoint, "GET", "/admin/account", &[], None),
        )
        .await;
        assert_eq!(out.status, 303);
        assert!(
            out.header("location")[0].starts_with(&format!("{prefix}/admin/login")),
            "{:?}",
            out.header("location")
        );
    }
}

#[tokio::test]
async fn a_citizens_liff_page_calls_its_api_at_the_default_endpoint_and_behind_a_custom_domain() {
    routes_without_the_stage();
    let sample = include_str!("../../events/api/registration-api.json");
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    for endpoint in ENDPOINTS {
        let prefix = endpoint.prefix();
        let dir = tempfile::tempdir().unwrap();
        let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
        let app = LambdaApp::new(tayori_forms::router(Arc::new(FormsState {
            platform,
            line: Arc::new(LineClient::new(LineConfig::at(&base, ""))),
            config: FormsConfig {
                login_channel_id: "1657000000".into(),
                liff_id: None,
                forms_liff_id: None,
                city: "小浜市".into(),
                upload_origin: None,
            },
        })));

        let page = send(
            &app,
            request(sample, endpoint, "GET", "/liff/registration", &[], None),
        )
        .await;
        assert_eq!(page.status, 200, "{endpoint:?}");
        assert_links_under(&page.body, &prefix);
        // The page's script calls the API at the address the page gives it.
        let api = input_attribute(&page.body, "data-api");
        assert_eq!(api, format!("{prefix}/api/registration"));
        let script = input_attribute(&page.body, "src");
        let served = send(
            &app,
            request(
                sample,
                endpoint,
                "GET",
                script.strip_prefix(&prefix).unwrap(),
                &[],
                None,
            ),
        )
        .await;
        assert_eq!(served.status, 200, "{script}");

        let token = fake.issue_id_token(CITIZEN, Some("1657000000"));
        let bearer = format!("Bearer {token}");
        let answer = send(
            &app,
            request(
                sample,
                endpoint,
                "GET",
                api.strip_prefix(&prefix).unwrap(),
                &[("authorization", &bearer)],
                None,
            ),
        )
        .await;
        assert_eq!(answer.status, 200, "{endpoint:?}: {}", answer.body);
        let view: Value = serde_json::from_str(&answer.body).unwrap();
        assert!(view["items"].as_array().is_some_and(|i| !i.is_empty()));
    }
}

/// The value of the first `name="…"` attribute of a page.
fn input_attribute(page: &str, name: &str) -> String {
    let after = page
        .split(&format!(" {name}=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} in {page}"));
    after[..after.find('"').unwrap()].to_string()
}
