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
use std::sync::Arc;

/// The kinds of pages and endpoints, each with its own policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Surface {
    /// The staff console: its pages, static files and the manual, all from the console itself.
    Console,
    /// Citizens' LIFF pages and their APIs. LINE's LIFF SDK comes from `static.line-scdn.net`
    /// and talks to LINE's API and login servers; its message translations come from
    /// `liffsdk.line-scdn.net`.
    Liff,
    /// The report form (通報, a LIFF page): what [`Surface::Liff`] allows, and for its pin map
    /// GSI's tiles (and Leaflet's empty `data:` tile), the chosen photos shown from `blob:`
    /// before they are sent, and the storage the photos are uploaded to with presigned PUTs:
    /// locally the same origin (`None`), in AWS the bucket's own https origin. Only the reports
    /// function uses it, so no other LIFF page may talk to the bucket.
    LiffReport { upload_origin: Option<BucketOrigin> },
    /// The forms' LIFF pages (申請・アンケート・予約): what [`Surface::Liff`] allows, the chosen
    /// photos shown from `blob:` before they are sent, and the storage a photo/file field's
    /// uploads go to with presigned PUTs (as [`Surface::LiffReport`]'s, without the map).
    LiffForms { upload_origin: Option<BucketOrigin> },
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

/// The bucket's address, where the report form uploads photos and the console shows them from:
/// an https origin (`https://host[:port]`, or plain http on a loopback endpoint such as moto),
/// optionally narrowed to
/// a path prefix ending in `/` (`https://s3.ap-northeast-1.amazonaws.com/<bucket>/`, as path-style
/// presigned URLs name one bucket). Checked when it is read from the configuration, so that it
/// can never widen a policy it is put into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketOrigin(String);

#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an https origin (https://host[:port], optionally with a path ending in /)")]
pub struct NotAnOrigin(String);

impl BucketOrigin {
    pub fn parse(raw: &str) -> Result<Self, NotAnOrigin> {
        let refused = || NotAnOrigin(raw.into());
        // Plain http only for a loopback endpoint (moto in tests); AWS is always https.
        let rest = match raw.strip_prefix("https://") {
            Some(rest) => rest,
            None => raw
                .strip_prefix("http://")
                .filter(|r| r.starts_with("127.0.0.1:") || r.starts_with("localhost:"))
                .ok_or_else(refused)?,
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        let port_ok = port.is_none_or(|p| !p.is_empty() && p.parse::<u16>().is_ok());
        let path_ok = path.is_empty()
            || (path.ends_with('/')
                && !path.contains("//")
                && path
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_')));
        if name_ok && port_ok && path_ok {
            Ok(Self(raw.to_string()))
        } else {
            Err(refused())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const LIFF_CONNECT: &str = "'self' https://api.line.me https://access.line.me https://liff.line.me https://liffsdk.line-scdn.net";

impl Surface {
    pub fn content_security_policy(&self) -> String {
        match self {
            Surface::LiffReport { upload_origin } => {
                let upload = upload_origin
                    .as_ref()
                    .map(|o| format!(" {}", o.as_str()))
                    .unwrap_or_default();
                format!(
                    "default-src 'self'; script-src 'self' https://static.line-scdn.net; \
                     connect-src {LIFF_CONNECT}{upload}; \
                     style-src 'self'; img-src 'self' data: blob: https://cyberjapandata.gsi.go.jp; \
                     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                )
            }
            Surface::LiffForms { upload_origin } => {
                let upload = upload_origin
                    .as_ref()
                    .map(|o| format!(" {}", o.as_str()))
                    .unwrap_or_default();
                format!(
                    "default-src 'self'; script-src 'self' https://static.line-scdn.net; \
                     connect-src {LIFF_CONNECT}{upload}; \
                     style-src 'self'; img-src 'self' blob:; \
                     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                )
            }
            fixed => fixed.fixed_policy().unwrap_or_default().to_string(),
        }
    }

    /// The policy with `photos` allowed as an image source too (nothing else widens).
    pub fn content_security_policy_with_images(&self, photos: Option<&BucketOrigin>) -> String {
        let policy = self.content_security_policy();
        let Some(photos) = photos else {
            return policy;
        };
        policy
            .split("; ")
            .map(|directive| match directive.starts_with("img-src ") {
                true => format!("{directive} {}", photos.as_str()),
                false => directive.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The policy of a surface that carries nothing of the configuration.
    fn fixed_policy(&self) -> Option<&'static str> {
        Some(match self {
            Surface::LiffReport { .. } | Surface::LiffForms { .. } => return None,
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
        })
    }

    /// The map page's address carries the citizen's position: it goes nowhere either.
    /// LIFF URLs can carry tokens (LINE puts them in the fragment; the local run's form takes
    /// `?id_token=`), so LIFF pages send no referrer at all; console addresses name records, so
    /// they stay within the console.
    pub fn referrer_policy(&self) -> &'static str {
        match self {
            Surface::Console | Surface::Simulator => "same-origin",
            Surface::Liff
            | Surface::LiffReport { .. }
            | Surface::LiffForms { .. }
            | Surface::PublicMap
            | Surface::Api => "no-referrer",
        }
    }
}

/// `router` with the headers of `surface` on every response it gives.
pub fn secure<S>(router: Router<S>, surface: Surface) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    secure_with_images(router, surface, None)
}

/// [`secure`], with one more image source: the bucket that presigned photo URLs point at (the
/// console's report photos, in AWS; the local run serves them from its own origin).
pub fn secure_with_images<S>(
    router: Router<S>,
    surface: Surface,
    photos: Option<&BucketOrigin>,
) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let headers = Arc::new(Headers {
        policy: HeaderValue::from_str(&surface.content_security_policy_with_images(photos))
            .expect("a policy of fixed text and a checked origin is a valid header"),
        referrer: surface.referrer_policy(),
    });
    router.layer(middleware::from_fn_with_state(headers, apply))
}

/// A surface's headers, made once per router.
struct Headers {
    policy: HeaderValue,
    referrer: &'static str,
}

async fn apply(State(surface): State<Arc<Headers>>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, surface.policy.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(surface.referrer),
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

    const ALL: [Surface; 7] = [
        Surface::Console,
        Surface::Liff,
        Surface::LiffReport {
            upload_origin: None,
        },
        Surface::LiffForms {
            upload_origin: None,
        },
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
            let policy = policy.as_str();
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

    fn bucket() -> BucketOrigin {
        BucketOrigin::parse("https://tayori-media.s3.ap-northeast-1.amazonaws.com").unwrap()
    }

    #[test]
    fn the_photo_bucket_widens_only_the_consoles_images() {
        let bucket =
            BucketOrigin::parse("https://s3.ap-northeast-1.amazonaws.com/tayori-photos/").unwrap();
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
        let console = Surface::Console.content_security_policy();
        assert_eq!(without(&policy), without(&console));
        assert_eq!(
            Surface::Console.content_security_policy_with_images(None),
            console
        );
    }

    #[test]
    fn the_forms_may_upload_to_their_bucket_and_show_chosen_photos_and_nothing_else_more() {
        let forms = Surface::LiffForms {
            upload_origin: Some(bucket()),
        }
        .content_security_policy();
        let liff = Surface::Liff.content_security_policy();
        assert_eq!(
            directive(&forms, "connect-src").unwrap(),
            format!(
                "{} https://tayori-media.s3.ap-northeast-1.amazonaws.com",
                directive(&liff, "connect-src").unwrap()
            )
        );
        assert_eq!(
            directive(&forms, "img-src").as_deref(),
            Some("img-src 'self' blob:")
        );
        for name in [
            "script-src",
            "style-src",
            "default-src",
            "form-action",
            "object-src",
        ] {
            assert_eq!(directive(&forms, name), directive(&liff, name), "{name}");
        }
    }

    #[test]
    fn the_report_form_may_upload_to_its_bucket_and_show_gsi_tiles_and_nothing_else_more() {
        let report = Surface::LiffReport {
            upload_origin: Some(bucket()),
        }
        .content_security_policy();
        let liff = Surface::Liff.content_security_policy();
        assert_eq!(
            directive(&report, "connect-src").unwrap(),
            format!(
                "{} https://tayori-media.s3.ap-northeast-1.amazonaws.com",
                directive(&liff, "connect-src").unwrap()
            )
        );
        assert_eq!(
            directive(&report, "img-src").as_deref(),
            Some("img-src 'self' data: blob: https://cyberjapandata.gsi.go.jp")
        );
        for name in ["script-src", "style-src", "default-src", "form-action"] {
            assert_eq!(directive(&report, name), directive(&liff, name), "{name}");
        }
        // Locally the uploads go to the same origin: nothing is added.
        let local = Surface::LiffReport {
            upload_origin: None,
        }
        .content_security_policy();
        assert_eq!(
            directive(&local, "connect-src"),
            directive(&liff, "connect-src")
        );
        // No other LIFF page may talk to the bucket.
        assert!(!liff.contains("amazonaws"));
    }

    #[test]
    fn only_an_https_origin_can_be_put_into_a_policy() {
        for good in [
            "https://b.s3.ap-northeast-1.amazonaws.com",
            "https://localhost:4566",
            "https://s3.ap-northeast-1.amazonaws.com/tayori-prod-123456789012-media/",
        ] {
            assert!(BucketOrigin::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "http://b.s3.amazonaws.com",
            "https://",
            "https://s3.amazonaws.com/bucket",
            "https://s3.amazonaws.com//",
            "https://s3.amazonaws.com/a b/",
            "https://b.s3.amazonaws.com; script-src *",
            "https://s3.amazonaws.com/b/;script-src/",
            "https://*.amazonaws.com",
            "https://b:x",
            "b.s3.amazonaws.com",
        ] {
            assert!(BucketOrigin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_liff_pages_may_load_lines_sdk() {
        for surface in ALL {
            let scripts = directive(&surface.content_security_policy(), "script-src");
            let has_sdk = scripts
                .as_deref()
                .is_some_and(|s| s.contains("https://static.line-scdn.net"));
            let liff = matches!(
                surface,
                Surface::Liff | Surface::LiffReport { .. } | Surface::LiffForms { .. }
            );
            assert_eq!(has_sdk, liff, "{surface:?}");
        }
    }

    #[test]
    fn only_the_map_pages_load_gsi_tiles_and_the_public_one_sends_no_referrer() {
        for surface in ALL {
            let policy = surface.content_security_policy();
            let images = directive(&policy, "img-src").unwrap_or_default();
            let map = matches!(
                surface,
                Surface::PublicMap | Surface::LiffReport { .. } | Surface::Console
            );
            assert_eq!(
                images.contains("https://cyberjapandata.gsi.go.jp"),
                map,
                "{surface:?}"
            );
        }
        let policy = Surface::PublicMap.content_security_policy();
        let policy = policy.as_str();
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

    async fn answer(surface: Surface, route: Router) -> axum::http::Response<axum::body::Body> {
        secure(route, surface)
            .oneshot(axum::http::Request::get("/x").body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn every_answer_carries_the_headers_of_its_surface() {
        for surface in ALL {
            let response = answer(
                surface.clone(),
                Router::new().route("/x", get(|| async { "ok" })),
            )
            .await;
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
