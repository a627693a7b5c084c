//! The console's real router driven as a browser would: cookies, the CSRF token of the last page,
//! form posts and multipart uploads from an office address (or another, or none). Shared by the
//! console test files.
#![allow(dead_code)] // each test binary uses its own part of this module

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use chrono::{DateTime, Datelike, Utc};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_admin::auth::password;
use tayori_admin::{router, AdminConfig, AdminState, AllowList, SourceIp};
use tayori_domain::export::Export;
use tayori_domain::staff::{DepartmentScope, LoginId, PermissionSet, StaffAccount, StaffProfile};
use tayori_domain::time::to_jst;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{ObjectKey, Platform, SystemClock};
use tower::ServiceExt;

pub const OFFICE: &str = "203.0.113.10";
pub const PASSWORD: &str = "obama-kaigan-2026";

/// A file part of a multipart upload: form field, file name, bytes.
pub type Part<'a> = (&'a str, &'a str, &'a [u8]);

pub struct Console {
    pub app: axum::Router,
    pub state: Arc<AdminState>,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
    /// The address requests come from, as the console sees it; `None` is a request that carries
    /// none. The office's unless a test sets another.
    pub ip: Option<IpAddr>,
    _dir: Arc<tempfile::TempDir>,
}

pub struct Answered {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: Option<String>,
    /// Every header, for what the fields above do not cover (Set-Cookie attributes, say).
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    pub body: String,
}

/// The console's settings in the office: its allow-list, secure cookies, no setup token.
pub fn office_config() -> AdminConfig {
    AdminConfig {
        city: "小浜市".into(),
        allow_list: AllowList::parse("203.0.113.0/24").unwrap(),
        secure_cookies: true,
        setup_token: None,
        session_policy: Default::default(),
        sample_calendar: Default::default(),
        photo_source: None,
        forms_link: Default::default(),
    }
}

/// The Content-Type a browser gives a file part, by the file's extension.
fn part_type(filename: &str) -> &'static str {
    match filename.rsplit_once('.').map(|(_, ext)| ext) {
        Some("csv") => "text/csv",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        _ => "application/octet-stream",
    }
}

impl Console {
    /// The console over `platform` (kept in `dir`), reachable from the office, nobody signed in.
    pub fn over(platform: Platform, line: Arc<LineClient>, dir: tempfile::TempDir) -> Console {
        Console::configured(platform, line, dir, office_config())
    }

    /// As [`Console::over`], with `config` instead of [`office_config`]; requests still come
    /// from the office.
    pub fn configured(
        platform: Platform,
        line: Arc<LineClient>,
        dir: tempfile::TempDir,
        config: AdminConfig,
    ) -> Console {
        let state = Arc::new(AdminState::new(platform, line, config));
        Console {
            app: router(state.clone()),
            state,
            cookies: HashMap::new(),
            csrf: String::new(),
            ip: Some(OFFICE.parse().unwrap()),
            _dir: Arc::new(dir),
        }
    }

    /// The same console in a second browser: nobody signed in there yet.
    pub fn another_browser(&self) -> Console {
        Console {
            app: self.app.clone(),
            state: self.state.clone(),
            cookies: HashMap::new(),
            csrf: String::new(),
            ip: Some(OFFICE.parse().unwrap()),
            _dir: self._dir.clone(),
        }
    }

    /// A fresh console on the embedded store with `login` (named `name`, in `department`)
    /// signed in with `permissions`.
    pub async fn signed_in(
        login: &str,
        name: &str,
        department: &str,
        permissions: PermissionSet,
    ) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
        let line = Arc::new(LineClient::new(LineConfig::default()));
        let mut c = Console::over(platform, line, dir);
        c.add_staff(login, name, department, permissions, Utc::now())
            .await;
        c.sign_in(login).await;
        c
    }

    pub async fn add_staff(
        &self,
        login: &str,
        name: &str,
        department: &str,
        permissions: PermissionSet,
        at: DateTime<Utc>,
    ) {
        let account = StaffAccount::new(
            LoginId::parse(login).unwrap(),
            StaffProfile {
                display_name: name.into(),
                department: department.into(),
                permissions,
                scope: DepartmentScope::All,
            },
            password::hash(PASSWORD),
            at,
        );
        assert!(self.state.staff.create(&account).await.unwrap());
    }

    /// Signs `login` in with [`PASSWORD`], which must work.
    pub async fn sign_in(&mut self, login: &str) {
        let signed = self.sign_in_with(login, PASSWORD).await;
        assert_eq!(signed.location.as_deref(), Some("/admin"));
    }

    /// Fills in the sign-in page with `password` and answers what the console said, whatever
    /// it was (a wrong password, a lockout, a second factor asked for).
    pub async fn sign_in_with(&mut self, login: &str, password: &str) -> Answered {
        self.get("/admin/login").await;
        self.post(
            "/admin/login",
            &[
                ("login_id", login),
                ("password", password),
                ("next", "/admin"),
            ],
        )
        .await
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<String>,
        body: Option<Vec<u8>>,
    ) -> Answered {
        let mut req = Request::builder().method(method).uri(path);
        // A browser with no cookies for the site sends no Cookie header at all.
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header(header::COOKIE, cookie);
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let mut req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        if let Some(ip) = self.ip {
            req.extensions_mut().insert(SourceIp(ip));
        }
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let (pair, _) = value.to_str().unwrap().split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
        }
        let headers = response.headers().clone();
        let header_of = |name| {
            headers
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
        };
        let location = header_of(header::LOCATION);
        let content_type = header_of(header::CONTENT_TYPE);
        let bytes = to_bytes(response.into_body(), 10 << 20)
            .await
            .unwrap()
            .to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(i) = body.find("name=\"_csrf\" value=\"") {
            let rest = &body[i + 20..];
            self.csrf = rest[..rest.find('"').unwrap()].to_string();
        }
        Answered {
            status,
            location,
            content_type,
            headers,
            bytes,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answered {
        self.send(Method::GET, path, None, None).await
    }

    /// Posts a form with the last page's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answered {
        let csrf = self.csrf.clone();
        self.post_exactly(path, &[&[("_csrf", csrf.as_str())], fields].concat())
            .await
    }

    /// Posts a form of `fields` and nothing else: no CSRF token is added, as when another
    /// site's form posts here with the session cookie riding along.
    pub async fn post_exactly(&mut self, path: &str, fields: &[(&str, &str)]) -> Answered {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        let body = form.finish().into_bytes();
        let ct = "application/x-www-form-urlencoded".to_string();
        self.send(Method::POST, path, Some(ct), Some(body)).await
    }

    /// Posts files as a browser's multipart form does, with the last page's CSRF token.
    pub async fn upload(&mut self, path: &str, parts: &[Part<'_>]) -> Answered {
        self.multipart(path, &[], parts).await
    }

    /// Posts a multipart form of fields and files, with the last page's CSRF token; each file
    /// goes with the type its name suggests.
    pub async fn multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        parts: &[Part<'_>],
    ) -> Answered {
        let boundary = "----tayori-test-boundary";
        let mut body = Vec::new();
        for (name, value) in [("_csrf", self.csrf.as_str())].iter().chain(fields) {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (field, filename, bytes) in parts {
            let content_type = part_type(filename);
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        self.send(Method::POST, path, Some(ct), Some(body)).await
    }

    /// The audit log's actions of the JST month containing `now`, newest first.
    pub async fn audit_actions_at(&self, now: DateTime<Utc>) -> Vec<String> {
        let now = to_jst(now);
        let (entries, _) = self
            .state
            .audit
            .month(now.year(), now.month(), None, 100)
            .await
            .unwrap();
        entries.into_iter().map(|e| e.action).collect()
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        self.audit_actions_at(Utc::now()).await
    }

    /// Makes the newest file `login` asked for, as the export function does on
    /// `export.requested`, and answers it with the bytes the object store holds.
    pub async fn made_export(&self, login: &str) -> (Export, Vec<u8>) {
        let account = self
            .state
            .staff
            .get(&LoginId::parse(login).unwrap())
            .await
            .unwrap()
            .unwrap();
        let newest = self.state.exports.mine(&account).await.unwrap().remove(0);
        let made = self.state.exports.run(newest.id()).await.unwrap();
        let key = ObjectKey::new(made.object_key()).unwrap();
        let stored = self.state.platform.objects.get(&key).await.unwrap();
        (made, stored.expect("the finished file is stored").bytes)
    }
}
