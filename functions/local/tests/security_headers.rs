//! Every kind of route of the whole system, as a browser reaches it in the local run, carries the
//! security headers of its surface (issue 10, item 2).

use crate::support;

use reqwest::header::{
    HeaderMap, CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use std::time::Duration;
use support::run;
use tayori_web::Surface;

fn assert_headers(what: &str, headers: &HeaderMap, surface: Surface, cache: &str) {
    assert_eq!(
        headers[CONTENT_SECURITY_POLICY],
        surface.content_security_policy(),
        "{what}"
    );
    assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(
        headers[REFERRER_POLICY],
        surface.referrer_policy(),
        "{what}"
    );
    assert_eq!(headers[X_FRAME_OPTIONS], "DENY", "{what}");
    assert_eq!(headers[CACHE_CONTROL], cache, "{what}");
}

#[tokio::test]
async fn every_kind_of_route_carries_the_security_headers_of_its_surface() {
    let dir = tempfile::tempdir().unwrap();
    let running = run(dir.path(), Duration::from_secs(60)).await;
    let base = running.base_url.clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str| http.get(format!("{base}{path}")).send();

    // (what, path, surface, Cache-Control, status)
    let pages = [
        (
            "console page",
            "/admin/login",
            Surface::Console,
            "no-store",
            200,
        ),
        (
            "console redirect",
            "/admin",
            Surface::Console,
            "no-store",
            303,
        ),
        (
            "console static file",
            "/admin/static/console.css",
            Surface::Console,
            "public, max-age=3600",
            200,
        ),
        (
            "console manual",
            "/admin/manual/login",
            Surface::Console,
            "no-store",
            200,
        ),
        (
            "console page not found",
            "/admin/nothing",
            Surface::Console,
            "no-store",
            404,
        ),
        (
            "LIFF page",
            "/liff/registration",
            Surface::LiffForms {
                upload_origin: None,
            },
            "no-store",
            200,
        ),
        (
            "LIFF privacy page",
            "/liff/privacy",
            Surface::LiffForms {
                upload_origin: None,
            },
            "no-store",
            200,
        ),
        (
            "LIFF script",
            "/liff/forms/static/registration.js",
            Surface::LiffForms {
                upload_origin: None,
            },
            "public, max-age=300",
            200,
        ),
        (
            "LIFF API",
            "/api/registration",
            Surface::LiffForms {
                upload_origin: None,
            },
            "no-store",
            401,
        ),
        (
            "report form",
            "/liff/reports",
            Surface::LiffReport {
                upload_origin: None,
            },
            "no-store",
            200,
        ),
        (
            "report form API",
            "/api/reports/mine",
            Surface::LiffReport {
                upload_origin: None,
            },
            "no-store",
            401,
        ),
        (
            "simulator page",
            "/simulator",
            Surface::Simulator,
            "no-store",
            200,
        ),
        (
            "simulator script",
            "/simulator/static/simulator.js",
            Surface::Simulator,
            "no-cache",
            200,
        ),
        (
            "simulator API",
            "/simulator/api/citizens",
            Surface::Simulator,
            "no-store",
            200,
        ),
        (
            "webhook health",
            "/line/healthz",
            Surface::Api,
            "no-store",
            200,
        ),
        (
            "delivery image",
            "/media/none.png",
            Surface::Api,
            "no-store",
            404,
        ),
        (
            "shelters API",
            "/api/shelters/healthz",
            Surface::Api,
            "no-store",
            200,
        ),
    ];
    for (what, path, surface, cache, status) in pages {
        let response = get(path).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{what} {path}");
        assert_headers(what, response.headers(), surface, cache);
    }

    // LINE's webhook, refused without a signature, still answers with the headers.
    let webhook = http
        .post(format!("{base}/line/webhook"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(webhook.status(), 401);
    assert_headers("webhook", webhook.headers(), Surface::Api, "no-store");
    running.stop().await;
}
