//! The LIFF pages under their Content-Security-Policy: no inline script or style anywhere, the
//! page's own files served by the forms function, and the security headers on pages and API.

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Request, StatusCode};
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_forms::{router, FormsConfig, FormsState};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn get(liff_id: Option<&str>, path: &str) -> Answer {
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
    let app = router(Arc::new(FormsState {
        platform,
        line: Arc::new(LineClient::new(LineConfig::default())),
        config: FormsConfig {
            login_channel_id: "1657000000".into(),
            liff_id: liff_id.map(str::to_owned),
            forms_liff_id: None,
            city: "小浜市".into(),
            upload_origin: None,
        },
    }));
    let response = app
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// The `src`/`href` of every `<script>` and stylesheet `<link>`, failing on inline ones.
fn files_of(html: &str) -> Vec<String> {
    assert!(!html.contains("<style"), "inline <style> in {html}");
    assert!(!html.contains(" style="), "style attribute in {html}");
    for rest in html.split(" on").skip(1) {
        let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        assert!(
            name_len == 0 || rest.as_bytes().get(name_len) != Some(&b'='),
            "inline event handler in {html}"
        );
    }
    let mut files = Vec::new();
    for script in html.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        let src = tag
            .split("src=\"")
            .nth(1)
            .unwrap_or_else(|| panic!("inline <script> in {html}"));
        assert!(
            script[script.find('>').unwrap() + 1..].starts_with("</script>"),
            "a script with a src and a body"
        );
        files.push(src[..src.find('"').unwrap()].to_string());
    }
    for link in html.split("<link").skip(1) {
        let tag = &link[..link.find('>').unwrap()];
        if tag.contains("rel=\"stylesheet\"") {
            let href = tag.split("href=\"").nth(1).unwrap();
            files.push(href[..href.find('"').unwrap()].to_string());
        }
    }
    files
}

#[tokio::test]
async fn the_liff_pages_run_no_inline_script_or_style_and_their_files_are_served() {
    for liff_id in [None, Some("1657000000-AbCdEfGh")] {
        for page in ["/liff/registration", "/liff/privacy"] {
            let answer = get(liff_id, page).await;
            assert_eq!(answer.status, StatusCode::OK, "{page}");
            for file in files_of(&answer.body) {
                if file.starts_with("https://static.line-scdn.net/") {
                    assert!(liff_id.is_some(), "LINE's SDK only with a LIFF app id");
                    continue;
                }
                let served = get(liff_id, &file).await;
                assert_eq!(served.status, StatusCode::OK, "{file}");
                let expected = if file.ends_with(".js") {
                    "text/javascript; charset=utf-8"
                } else {
                    "text/css; charset=utf-8"
                };
                assert_eq!(served.headers[header::CONTENT_TYPE], expected, "{file}");
            }
        }
    }
}

#[tokio::test]
async fn the_registration_script_takes_the_token_from_liff_or_the_query_and_the_api_from_the_page()
{
    let page = get(None, "/liff/registration").await;
    let files = files_of(&page.body);
    let script = files.iter().find(|f| f.ends_with(".js")).unwrap();
    let script = get(None, script).await.body;
    assert!(script.contains("liff.getIDToken()"));
    assert!(script.contains("get('id_token')"));
    // The API's address comes from the page, where a stage prefix is added to it.
    assert!(page.body.contains("data-api=\"/api/registration\""));
    assert!(script.contains("getAttribute('data-api')"));
    assert!(
        !script.contains("'/api/"),
        "no fixed API path in the script"
    );
}

#[tokio::test]
async fn liff_pages_and_the_api_carry_the_liff_security_headers() {
    for path in ["/liff/registration", "/liff/privacy", "/api/registration"] {
        let answer = get(None, path).await;
        let csp = answer.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert_eq!(
            csp,
            tayori_web::Surface::LiffForms {
                upload_origin: None
            }
            .content_security_policy(),
            "{path}"
        );
        assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(answer.headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store", "{path}");
    }
}
