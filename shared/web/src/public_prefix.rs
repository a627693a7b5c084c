//! The public path prefix (issue 10, item 11).
//!
//! On the stack's default REST endpoint every public path carries the stage
//! (`https://….execute-api….amazonaws.com/prod/admin/login`), but the routers are written without
//! it: the template sets `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH`, so `/admin/login` is what they
//! see. Behind a custom domain whose base path mapping is empty, the public path has no prefix at
//! all. Rather than teaching hundreds of literal paths in the pages about the prefix, the entry
//! point works out the prefix of each request ([`PublicPrefix::between`]) and [`rewrite`] adds it
//! to what the response sends back to the browser:
//!
//! - `Location` headers that are root-relative (`/admin`, not `//host` nor `https://…`);
//! - the `Path=/…` attribute of every `Set-Cookie`;
//! - root-relative URLs in the URL attributes of HTML pages: `href="/`, `src="/`, `action="/`,
//!   `formaction="/`, `poster="/` and every `data-…="/` (scripts read their URLs from data
//!   attributes, so their fetches follow).
//!
//! Rewriting HTML by text is safe here because every page is rendered by maud (or, for the
//! manual, by pulldown-cmark), and both escape `"` in all content, text and attribute values
//! alike: a citizen or clerk who types `x="/admin` gets `x=&quot;/admin` in the page. The
//! sequence `="/` can therefore only come from the templates themselves. Stylesheets use
//! relative `url(…)`s and scripts use URLs from data attributes, so neither is rewritten.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Largest HTML page rewritten; console pages are far smaller.
const MAX_PAGE_BYTES: usize = 32 * 1024 * 1024;

/// Attributes whose root-relative value is a URL to rewrite (besides every `data-…`).
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "action", "formaction", "poster"];

/// What the public URL has in front of the path the router sees: `/prod`, or nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicPrefix(String);

impl PublicPrefix {
    /// No prefix: the local run, a custom domain, or anything that is not API Gateway REST.
    pub fn none() -> Self {
        Self::default()
    }

    /// The prefix of a request whose client asked for `public_path` (API Gateway's
    /// `requestContext.path`, stage included on the default endpoint) and whose router sees
    /// `routed_path` (the event's `path`, without the stage). When the two do not line up
    /// (encoded differently, say), a public path that starts with the `stage` still gives
    /// `/<stage>`. Anything that is not a plain path of letters, digits and `-._~` segments is
    /// ignored, because the prefix ends up in headers and pages.
    pub fn between(public_path: &str, routed_path: &str, stage: Option<&str>) -> Self {
        let candidate = match public_path.strip_suffix(routed_path) {
            Some(front) if !routed_path.is_empty() => front,
            _ => match stage {
                Some(stage)
                    if !stage.is_empty()
                        && (public_path == format!("/{stage}")
                            || public_path.starts_with(&format!("/{stage}/"))) =>
                {
                    &public_path[..=stage.len()]
                }
                _ => "",
            },
        };
        let candidate = candidate.trim_end_matches('/');
        if candidate.is_empty() {
            return Self::none();
        }
        let plain = candidate.starts_with('/')
            && candidate[1..].split('/').all(|segment| {
                !segment.is_empty()
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            });
        if !plain {
            tracing::warn!(
                prefix = candidate,
                "public path prefix ignored: not a plain path"
            );
            return Self::none();
        }
        Self(candidate.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A `Location` value with the prefix, when it is root-relative.
    pub fn location(&self, location: &str) -> Option<String> {
        (!self.is_empty() && is_root_relative(location)).then(|| format!("{}{location}", self.0))
    }

    /// A `Set-Cookie` value whose `Path` attribute carries the prefix.
    pub fn set_cookie(&self, cookie: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut changed = false;
        let parts: Vec<String> = cookie
            .split(';')
            .enumerate()
            .map(|(i, part)| {
                let trimmed = part.trim();
                let is_path = i > 0
                    && trimmed
                        .get(..5)
                        .is_some_and(|name| name.eq_ignore_ascii_case("path="));
                match is_path {
                    true if is_root_relative(&trimmed[5..]) => {
                        changed = true;
                        let path = match &trimmed[5..] {
                            "/" => String::new(),
                            path => path.to_owned(),
                        };
                        format!("{}{}{path}", &trimmed[..5], self.0)
                    }
                    _ => trimmed.to_owned(),
                }
            })
            .collect();
        changed.then(|| parts.join("; "))
    }

    /// An HTML page whose root-relative URL attributes carry the prefix; `None` when there is
    /// nothing to change.
    pub fn html(&self, page: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(page.len() + 1024);
        let mut copied = 0;
        let mut changed = false;
        for (at, _) in page.match_indices("=\"/") {
            let value = at + 2; // the `/`
            if page[value + 1..].starts_with('/') || !is_url_attribute(attribute_before(page, at)) {
                continue;
            }
            out.push_str(&page[copied..value]);
            out.push_str(&self.0);
            copied = value;
            changed = true;
        }
        changed.then(|| {
            out.push_str(&page[copied..]);
            out
        })
    }

    /// `response` as the browser must see it under this prefix.
    pub async fn apply(&self, response: Response) -> Response {
        if self.is_empty() {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        if let Some(location) = parts
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| self.location(v))
        {
            if let Ok(value) = HeaderValue::from_str(&location) {
                parts.headers.insert(header::LOCATION, value);
            }
        }
        let cookies: Vec<HeaderValue> = parts
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| {
                v.to_str()
                    .ok()
                    .and_then(|c| self.set_cookie(c))
                    .and_then(|c| HeaderValue::from_str(&c).ok())
                    .unwrap_or_else(|| v.clone())
            })
            .collect();
        if !cookies.is_empty() {
            parts.headers.remove(header::SET_COOKIE);
            for cookie in cookies {
                parts.headers.append(header::SET_COOKIE, cookie);
            }
        }
        let is_html = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html {
            return Response::from_parts(parts, body);
        }
        let bytes = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "page could not be read to add the public path prefix");
                return Response::from_parts(parts, Body::empty());
            }
        };
        let rewritten = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|page| self.html(page));
        match rewritten {
            Some(page) => {
                parts.headers.remove(header::CONTENT_LENGTH);
                Response::from_parts(parts, Body::from(page))
            }
            None => Response::from_parts(parts, Body::from(bytes)),
        }
    }
}

/// The middleware: adds the request's [`PublicPrefix`] (an extension the entry point inserted)
/// to the response; requests without one pass untouched.
pub async fn rewrite(request: Request, next: Next) -> Response {
    let prefix = request.extensions().get::<PublicPrefix>().cloned();
    let response = next.run(request).await;
    match prefix {
        Some(prefix) => prefix.apply(response).await,
        None => response,
    }
}

/// `/admin`, but not `//host/…` (another host) nor `/\host` (which browsers treat alike).
fn is_root_relative(value: &str) -> bool {
    let mut bytes = value.bytes();
    bytes.next() == Some(b'/') && !matches!(bytes.next(), Some(b'/' | b'\\'))
}

/// The name of the attribute whose `=` is at `at`.
fn attribute_before(page: &str, at: usize) -> &str {
    let start = page[..at]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':'))
        .map_or(0, |i| i + 1);
    &page[start..at]
}

fn is_url_attribute(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    URL_ATTRIBUTES.contains(&name.as_str()) || (name.starts_with("data-") && name.len() > 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prod() -> PublicPrefix {
        PublicPrefix::between("/prod/admin/login", "/admin/login", Some("prod"))
    }

    #[test]
    fn the_prefix_is_what_the_client_asked_for_in_front_of_what_the_router_sees() {
        assert_eq!(prod().as_str(), "/prod");
        // A custom domain with an empty base path mapping: nothing in front.
        assert!(PublicPrefix::between("/admin/login", "/admin/login", Some("prod")).is_empty());
        assert_eq!(
            PublicPrefix::between("/prod/", "/", Some("prod")).as_str(),
            "/prod"
        );
        // Encoded differently: the stage still tells.
        assert_eq!(
            PublicPrefix::between("/prod/admin/%E7%94%B0", "/admin/田", Some("prod")).as_str(),
            "/prod"
        );
        assert!(PublicPrefix::between("/admin/%E7%94%B0", "/admin/田", Some("prod")).is_empty());
    }

    #[test]
    fn a_prefix_that_is_not_a_plain_path_is_ignored() {
        for odd in [
            "/a\"b/admin",
            "/a b/admin",
            "//evil.example/admin",
            "/a<b/admin",
        ] {
            assert!(
                PublicPrefix::between(odd, "/admin", None).is_empty(),
                "{odd}"
            );
        }
    }

    #[test]
    fn root_relative_redirects_get_the_prefix_and_others_do_not() {
        let p = prod();
        assert_eq!(p.location("/admin").as_deref(), Some("/prod/admin"));
        assert_eq!(
            p.location("/admin/login?next=%2Fadmin%2Fstaff").as_deref(),
            Some("/prod/admin/login?next=%2Fadmin%2Fstaff")
        );
        assert_eq!(p.location("//evil.example/"), None);
        assert_eq!(p.location("/\\evil.example/"), None);
        assert_eq!(p.location("https://www.city.obama.fukui.jp/"), None);
        assert_eq!(p.location("login"), None);
        assert_eq!(PublicPrefix::none().location("/admin"), None);
    }

    #[test]
    fn cookie_paths_get_the_prefix_and_the_rest_of_the_cookie_is_kept() {
        let p = prod();
        assert_eq!(
            p.set_cookie("tayori_admin=abc; Path=/admin; HttpOnly; SameSite=Strict; Secure")
                .as_deref(),
            Some("tayori_admin=abc; Path=/prod/admin; HttpOnly; SameSite=Strict; Secure")
        );
        assert_eq!(
            p.set_cookie("x=1; path=/").as_deref(),
            Some("x=1; path=/prod")
        );
        // A value that looks like a path is not an attribute.
        assert_eq!(p.set_cookie("path=/admin; HttpOnly"), None);
        assert_eq!(p.set_cookie("x=1; HttpOnly"), None);
    }

    #[test]
    fn url_attributes_of_the_templates_get_the_prefix() {
        let page = r##"<link rel="stylesheet" href="/admin/static/console.css"><a href="/admin">ホーム</a><form method="post" action="/admin/logout"><input type="hidden" name="next" value="/admin/staff"><button formaction="/admin/x">x</button></form><img src="/admin/richmenus/1/image"><body data-api="/api/registration" data-liff-id=""><a href="https://example.jp/">外部</a><a href="//cdn.example/x">x</a><a href="#main">本文</a>"##;
        let rewritten = prod().html(page).unwrap();
        assert_eq!(
            rewritten,
            r##"<link rel="stylesheet" href="/prod/admin/static/console.css"><a href="/prod/admin">ホーム</a><form method="post" action="/prod/admin/logout"><input type="hidden" name="next" value="/admin/staff"><button formaction="/prod/admin/x">x</button></form><img src="/prod/admin/richmenus/1/image"><body data-api="/prod/api/registration" data-liff-id=""><a href="https://example.jp/">外部</a><a href="//cdn.example/x">x</a><a href="#main">本文</a>"##
        );
        assert_eq!(PublicPrefix::none().html(page), None);
    }

    #[test]
    fn text_a_user_typed_is_never_rewritten() {
        // What a clerk or citizen types reaches the page through maud, which escapes `"`.
        let typed = r#"x="/admin と href="/admin"#;
        let page = maud::html! {
            p title=(typed) { (typed) }
            a href="/admin" { "ホーム" }
        }
        .into_string();
        assert!(page.contains("x=&quot;/admin"), "{page}");
        let rewritten = prod().html(&page).unwrap();
        assert_eq!(rewritten.matches("/prod").count(), 1, "{rewritten}");
        assert!(rewritten.contains(r#"<a href="/prod/admin">"#));
        assert_eq!(rewritten.replace("/prod", ""), page);
    }
}
