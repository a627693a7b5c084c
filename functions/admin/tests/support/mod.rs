//! The console's real router driven as a browser would: cookies, the CSRF token of the last page,
//! form posts and multipart uploads from an office address. Shared by the console test files.
#![allow(dead_code)] // each test binary uses its own part of this module

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Datelike, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_admin::auth::password;
use tayori_admin::{router, AdminConfig, AdminState, AllowList, SourceIp};
use tayori_domain::staff::{DepartmentScope, LoginId, PermissionSet, StaffAccount, StaffProfile};
use tayori_domain::time::to_jst;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{Platform, SystemClock};
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
    _dir: Arc<tempfile::TempDir>,
}

pub struct Answered {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    pub body: String,
}

impl Console {
    /// The console over `platform` (kept in `dir`), reachable from the office, nobody signed in.
    pub fn over(platform: Platform, line: Arc<LineClient>, dir: tempfile::TempDir) -> Console {
        let state = Arc::new(AdminState::new(
            platform,
            line,
            AdminConfig {
                city: "小浜市".into(),
                allow_list: AllowList::parse("203.0.113.0/24").unwrap(),
                secure_cookies: true,
                setup_token: None,
                session_policy: Default::default(),
            },
        ));
        Console {
            app: router(state.clone()),
            state,
            cookies: HashMap::new(),
            csrf: String::new(),
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

    pub async fn sign_in(&mut self, login: &str) {
        self.get("/admin/login").await;
        let signed = self
            .post(
                "/admin/login",
                &[
                    ("login_id", login),
                    ("password", PASSWORD),
                    ("next", "/admin"),
                ],
            )
            .await;
        assert_eq!(signed.location.as_deref(), Some("/admin"));
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<String>,
        body: Option<Vec<u8>>,
    ) -> Answered {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie);
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let mut req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        req.extensions_mut()
            .insert(SourceIp(OFFICE.parse().unwrap()));
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
        let header_of = |name| {
            response
                .headers()
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
            bytes,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answered {
        self.send(Method::GET, path, None, None).await
    }

    /// Posts a form with the last page's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answered {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("_csrf", &self.csrf.clone());
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

    /// Posts a multipart form of fields and files, with the last page's CSRF token.
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
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
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
}
