//! The security headers of every response, from one middleware (issue 10, item 2).
//!
//! No surface allows inline scripts or inline styles: every script and stylesheet is a file the
//! function serves itself (or, for LIFF, LINE's SDK from LINE's CDN), so an injected `<script>`
//! or `onclick=` would not run even if escaping ever failed. Nothing may frame the pages
//! (clickjacking): LINE opens LIFF pages top-level in its LIFF browser (a WebView) or in an
//! external browser, never inside a frame.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;

/// The kinds of pages and endpoints, each with its own policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// The staff console: its pages, static files and the manual, all from the console itself;
    /// the reports map's tiles from GSI (`cyberjapandata.gsi.go.jp`) and Leaflet's empty `data:`
    /// GIF. Report photos come through presigned URLs: on the console's own origin in the local
    /// run, from the bucket on AWS ([`secure_with_images`] adds it).
    Console,
    /// Citizens' LIFF pages and their APIs. LINE's LIFF SDK comes from `static.line-scdn.net`
    /// and talks to LINE's API and login servers; its message translations come from
    /// `liffsdk.line-scdn.net`.
    Liff,
    /// The local run's LINE simulator: its own files and Leaflet; map tiles from OpenStreetMap
    /// and the bot's pictures may come from any https address, as in LINE.
    Simulator,
    /// Public pages with GSI's map (the shelters map): no login and no LINE SDK; its own
    /// files and Leaflet; map tiles only from GSI (`cyberjapandata.gsi.go.jp`), and the empty
    /// `data:` GIF Leaflet puts in a tile it stops loading.
    PublicMap,
    /// Machine endpoints (LINE's webhook, delivery images for LINE, JSON APIs, health checks):
    /// nothing in them is ever a page.
    Api,
}

impl Surface {
    pub fn content_security_policy(self) -> &'static str {
        match self {
            Surface::Console => concat!(
                "default-src 'self'; script-src 'self'; style-src 'self'; ",
                "img-src 'self' data: https://cyberjapandata.gsi.go.jp; ",
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            Surface::Liff => concat!(
                "default-src 'self'; script-src 'self' https://static.line-scdn.net; ",
                "connect-src 'self' https://api.line.me https://access.line.me https://liff.line.me https://liffsdk.line-scdn.net; ",
                "style-src 'self'; img-src 'self'; ",
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            Surface::Simulator => concat!(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https:; ",
                "connect-src 'self'; ",
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            Surface::PublicMap => concat!(
                "default-src 'self'; script-src 'self'; style-src 'self'; ",
                "img-src 'self' data: https://cyberjapandata.gsi.go.jp; connect-src 'self'; ",
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            ),
            Surface::Api => "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        }
    }

    /// The map page's address carries the citizen's position: it goes nowhere either.
    /// LIFF URLs can carry tokens (LINE puts them in the fragment; the local run's form takes
    /// `?id_token=`), so LIFF pages send no referrer at all; console addresses name records, so
    /// they stay within the console.
    pub fn referrer_policy(self) -> &'static str {
        match self {
            Surface::Console | Surface::Simulator => "same-origin",
            Surface::Liff | Surface::PublicMap | Surface::Api => "no-referrer",
        }
    }
}

/// One more place images may come from: the bucket that presigned URLs point at
/// (`https://s3.ap-northeast-1.amazonaws.com/tayori-photos/`). A path ending in `/` limits the
/// source to that bucket's objects, not every bucket on the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSource(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageSourceError {
    #[error("an image source must be an http(s) address with a host, without spaces, quotes, `;`, `,` or `*`: {0:?}")]
    Malformed(String),
}

impl ImageSource {
    pub fn parse(raw: &str) -> Result<Self, ImageSourceError> {
        let bad = || ImageSourceError::Malformed(raw.to_string());
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let host = rest.split('/').next().unwrap_or_default();
        let forbidden = |c: char| c.is_whitespace() || matches!(c, ';' | ',' | '\'' | '"' | '*');
        if host.is_empty() || raw.chars().any(forbidden) {
            return Err(bad());
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Surface {
    /// The policy with `extra` allowed as an image source too (nothing else widens).
    pub fn content_security_policy_with_images(self, extra: Option<&ImageSource>) -> String {
        let policy = self.content_security_policy();
        let Some(extra) = extra else {
            return policy.to_string();
        };
        policy
            .split("; ")
            .map(|directive| {
                if directive.starts_with("img-src ") {
                    format!("{directive} {}", extra.as_str())
                } else {
                    directive.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `router` with the headers of `surface` on every response it gives.
pub fn secure<S>(router: Router<S>, surface: Surface) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    secure_with_images(router, surface, None)
}

/// [`secure`], with one more image source in the policy (the bucket of presigned photo URLs).
pub fn secure_with_images<S>(
    router: Router<S>,
    surface: Surface,
    extra: Option<&ImageSource>,
) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let policy = HeaderValue::from_str(&surface.content_security_policy_with_images(extra))
        .expect("a checked image source is a valid header value");
    router.layer(middleware::from_fn_with_state((surface, policy), apply))
}

async fn apply(
    State((surface, policy)): State<(Surface, HeaderValue)>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(surface.referrer_policy()),
    );
    // For browsers older than `frame-ancestors` (some LGWAN desktops).
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages and answers carry personal data and change with every action: never cached,
    // unless the handler said otherwise (static files, delivery images).
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    const ALL: [Surface; 5] = [
        Surface::Console,
        Surface::Liff,
        Surface::Simulator,
        Surface::PublicMap,
        Surface::Api,
    ];

    fn directive(policy: &str, name: &str) -> Option<String> {
        policy
            .split(';')
            .map(str::trim)
            .find(|d| d.split(' ').next() == Some(name))
            .map(str::to_owned)
    }

    #[test]
    fn no_surface_runs_inline_scripts_or_styles_or_can_be_framed() {
        for surface in ALL {
            let policy = surface.content_security_policy();
            assert!(!policy.contains("unsafe-"), "{surface:?}: {policy}");
            assert!(!policy.contains('*'), "{surface:?}: {policy}");
            assert_eq!(
                directive(policy, "frame-ancestors").as_deref(),
                Some("frame-ancestors 'none'"),
                "{surface:?}"
            );
            assert_eq!(
                directive(policy, "base-uri").as_deref(),
                Some("base-uri 'none'"),
                "{surface:?}"
            );
            assert!(
                directive(policy, "default-src").is_some(),
                "{surface:?} falls back to default-src"
            );
        }
    }

    #[test]
    fn only_liff_pages_may_load_lines_sdk() {
        for surface in ALL {
            let scripts = directive(surface.content_security_policy(), "script-src");
            let has_sdk = scripts
                .as_deref()
                .is_some_and(|s| s.contains("https://static.line-scdn.net"));
            assert_eq!(has_sdk, surface == Surface::Liff, "{surface:?}");
        }
    }

    #[test]
    fn only_the_map_pages_load_gsi_tiles_and_the_public_one_sends_no_referrer() {
        for surface in ALL {
            let policy = surface.content_security_policy();
            let images = directive(policy, "img-src").unwrap_or_default();
            assert_eq!(
                images.contains("https://cyberjapandata.gsi.go.jp"),
                matches!(surface, Surface::PublicMap | Surface::Console),
                "{surface:?}"
            );
        }
        assert_eq!(
            directive(Surface::Console.content_security_policy(), "img-src").as_deref(),
            Some("img-src 'self' data: https://cyberjapandata.gsi.go.jp")
        );
        let policy = Surface::PublicMap.content_security_policy();
        assert_eq!(
            directive(policy, "img-src").as_deref(),
            Some("img-src 'self' data: https://cyberjapandata.gsi.go.jp")
        );
        assert_eq!(
            directive(policy, "script-src").as_deref(),
            Some("script-src 'self'")
        );
        assert_eq!(
            directive(policy, "connect-src").as_deref(),
            Some("connect-src 'self'")
        );
        assert_eq!(Surface::PublicMap.referrer_policy(), "no-referrer");
    }

    #[test]
    fn the_photo_bucket_widens_only_the_consoles_images() {
        let bucket =
            ImageSource::parse("https://s3.ap-northeast-1.amazonaws.com/tayori-photos/").unwrap();
        let policy = Surface::Console.content_security_policy_with_images(Some(&bucket));
        assert_eq!(
            directive(&policy, "img-src").as_deref(),
            Some("img-src 'self' data: https://cyberjapandata.gsi.go.jp https://s3.ap-northeast-1.amazonaws.com/tayori-photos/")
        );
        let without = |p: &str| {
            p.split("; ")
                .filter(|d| !d.starts_with("img-src"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            without(&policy),
            without(Surface::Console.content_security_policy())
        );
        assert_eq!(
            Surface::Console.content_security_policy_with_images(None),
            Surface::Console.content_security_policy()
        );
        for bad in [
            "s3.amazonaws.com",
            "https://",
            "https://*.amazonaws.com",
            "https://a.example; script-src *",
            "https://a.example 'unsafe-inline'",
        ] {
            assert!(ImageSource::parse(bad).is_err(), "{bad}");
        }
    }

    async fn answer(surface: Surface, route: Router) -> axum::http::Response<axum::body::Body> {
        secure(route, surface)
            .oneshot(axum::http::Request::get("/x").body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn every_answer_carries_the_headers_of_its_surface() {
        for surface in ALL {
            let response = answer(surface, Router::new().route("/x", get(|| async { "ok" }))).await;
            assert_eq!(response.status(), StatusCode::OK);
            let h = response.headers();
            assert_eq!(
                h[header::CONTENT_SECURITY_POLICY],
                surface.content_security_policy()
            );
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(h[header::REFERRER_POLICY], surface.referrer_policy());
            assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
            assert_eq!(h[header::CACHE_CONTROL], "no-store");
        }
    }

    #[tokio::test]
    async fn a_handlers_own_caching_is_kept_and_unknown_paths_are_covered_too() {
        let route = Router::new().route(
            "/x",
            get(|| async { ([(header::CACHE_CONTROL, "public, max-age=3600")], "css") }),
        );
        let response = answer(Surface::Console, route).await;
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, max-age=3600"
        );

        let missing = secure(Router::new(), Surface::Api)
            .oneshot(
                axum::http::Request::get("/nothing")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(missing.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}
