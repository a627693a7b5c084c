//! A browser on the clerk's machine: keeps cookies, reads the CSRF token off each page and
//! posts forms with it, as Edge does with the console.

use std::collections::HashMap;

pub struct Clerk {
    pub base: String,
    pub http: reqwest::Client,
    cookies: HashMap<String, String>,
    pub csrf: String,
}

/// A page the console answered: the body as text for pages, as bytes for downloads.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub bytes: Vec<u8>,
}

/// A client that, like a test of the console, looks at each redirect instead of following it.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl Clerk {
    /// Signed in through the login page, landing on the home page.
    pub async fn signed_in(base: &str, login: &str, password: &str) -> Clerk {
        let mut clerk = Clerk {
            base: base.to_string(),
            http: http(),
            cookies: HashMap::new(),
            csrf: String::new(),
        };
        clerk.get("/admin/login").await;
        let signed = clerk
            .post(
                "/admin/login",
                &[
                    ("login_id", login),
                    ("password", password),
                    ("next", "/admin"),
                ],
            )
            .await;
        assert_eq!(signed.status, 303, "{}", signed.body);
        assert_eq!(signed.location.as_deref(), Some("/admin"));
        clerk
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie)
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        for value in response.headers().get_all("set-cookie") {
            let (pair, _) = value.to_str().unwrap().split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.into(), v.into());
            }
        }
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = response.bytes().await.unwrap().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(i) = body.find("name=\"_csrf\" value=\"") {
            let rest = &body[i + 20..];
            self.csrf = rest[..rest.find('"').unwrap()].to_string();
        }
        Page {
            status,
            location,
            body,
            bytes,
        }
    }

    /// `path` on the local run, or an absolute link it handed out (a presigned download).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(self.url(path));
        self.send(request).await
    }

    /// Posts a form with the last page's CSRF token, as the browser does.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("_csrf", &self.csrf.clone());
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        let request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.finish());
        self.send(request).await
    }
}
