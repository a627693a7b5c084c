//! Who is signed in, and the CSRF check on every state-changing request.
//!
//! The session cookie holds a random token (HttpOnly, SameSite=Strict, Secure outside the local
//! run); the session itself is in the table. Every POST must carry the session's CSRF token in
//! the `_csrf` form field (or the `x-csrf-token` header). Before sign-in there is no session, so
//! the sign-in and setup forms use a double-submit token: a `tayori_pre` cookie whose value the
//! form repeats.

use crate::auth::tokens::{random_token, same};
use crate::{ui, AdminState, ConsoleError};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tayori_domain::staff::StaffAccount;
use tayori_records::LiveSession;

pub const SESSION_COOKIE: &str = "tayori_admin";
pub const PRE_COOKIE: &str = "tayori_pre";
pub const FLASH_COOKIE: &str = "tayori_flash";
pub const CSRF_FIELD: &str = "_csrf";
/// Largest console request body: what API Gateway can hand a Lambda (6 MB) once a binary body
/// is base64-encoded. One delivery photo (4 MB at most) with its form fits.
pub const MAX_FORM_BYTES: usize = 4 * 1024 * 1024 + 512 * 1024;

/// The signed-in staff member, in the request's extensions.
#[derive(Clone, Debug)]
pub struct Signed {
    pub account: StaffAccount,
    pub token: String,
    /// As saved by this request, so that a page changing it (a password change carries the
    /// session over to the account's new generation) saves on top of that.
    pub live: LiveSession,
}

/// The CSRF token the page's forms must repeat (the session's, or the sign-in cookie's).
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(
    state: &AdminState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/admin; HttpOnly; SameSite=Strict");
    if state.config.secure_cookies {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).expect("cookie values are URL-safe")
}

pub async fn load(
    State(state): State<Arc<AdminState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let now = state.platform.clock.now();
    let mut signed = None;
    if let Some(token) = cookie_value(request.headers(), SESSION_COOKIE) {
        match state.sessions.find(&token, now).await {
            Ok(Some(live)) if !live.session.awaiting_second_factor => {
                match state.staff.get(&live.session.login_id).await {
                    Ok(Some(account)) if holds(&account, &live) => {
                        signed = Some(Signed {
                            account,
                            token,
                            live,
                        });
                    }
                    // Not deleted here: the page that moved the generation on may be about to
                    // carry its own session over, and a stale session is refused at every use
                    // until its TTL removes it.
                    Ok(_) => {}
                    Err(e) => return ConsoleError::from(e).into_response(),
                }
            }
            Ok(_) => {}
            Err(e) => return ConsoleError::from(e).into_response(),
        }
    }

    let mut new_pre = None;
    let expected = match &signed {
        Some(s) => s.live.session.csrf_token.clone(),
        None => cookie_value(request.headers(), PRE_COOKIE).unwrap_or_else(|| {
            let token = random_token();
            new_pre = Some(token.clone());
            token
        }),
    };

    if request.method() != Method::GET && request.method() != Method::HEAD {
        let (parts, body) = request.into_parts();
        let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
            Ok(b) => b,
            Err(_) => return too_large(&state, parts.uri.path()),
        };
        let sent = csrf_from(&parts.headers, &bytes).await;
        if !sent.as_deref().is_some_and(|t| same(t, &expected)) || new_pre.is_some() {
            tracing::warn!(path = %parts.uri.path(), "state-changing request without a valid CSRF token refused");
            return ui::csrf_refused().into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }

    if let Some(s) = signed.take() {
        // Sliding idle timeout: the session lives on while the clerk works. Saved only while
        // it is still stored, so that a sign-out meanwhile is not undone by this request.
        match state
            .sessions
            .save_if_live(&s.token, &s.live, now, |session| session.last_seen = now)
            .await
        {
            Ok(Some(live)) => signed = Some(Signed { live, ..s }),
            Ok(None) => {}
            Err(e) => return ConsoleError::from(e).into_response(),
        }
    }
    request.extensions_mut().insert(CsrfToken(expected));
    if let Some(s) = signed {
        request.extensions_mut().insert(s);
    }
    let mut response = next.run(request).await;
    if let Some(token) = new_pre {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, PRE_COOKIE, &token, None),
        );
    }
    // `Cache-Control: no-store` and the other security headers: tayori_web::secure.
    response
}

/// The answer to a body over the limit: the delivery composer it came from, with the reason
/// (its draft stays as last saved), or a page that says what to do.
fn too_large(state: &AdminState, path: &str) -> Response {
    match crate::pages::deliveries::composer_of(path) {
        Some(composer) => ui::redirect_with(
            &composer,
            ui::FlashKind::Error,
            crate::pages::deliveries::TOO_LARGE,
            state.config.secure_cookies,
        ),
        None => ui::too_large().into_response(),
    }
}

/// Whether `session` still speaks for `account`: the account is in use and nothing has ended
/// its sessions since (a password change or reset, disabling, a permission taken away).
pub fn holds(account: &StaffAccount, session: &LiveSession) -> bool {
    !account.is_disabled() && session.session.generation == account.session_generation()
}

/// The token a form sent: header, urlencoded field, or multipart field.
async fn csrf_from(headers: &HeaderMap, body: &bytes::Bytes) -> Option<String> {
    if let Some(v) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return Some(v.to_string());
    }
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return form_urlencoded::parse(body)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned());
    }
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).ok()?;
        let stream = futures::stream::once({
            let body = body.clone();
            async move { Ok::<_, std::io::Error>(body) }
        });
        let mut multipart = multer::Multipart::new(stream, boundary);
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some(CSRF_FIELD) {
                return field.text().await.ok();
            }
        }
    }
    None
}
