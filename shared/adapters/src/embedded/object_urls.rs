//! Presigned URLs for the folder object store, served by the local run itself: what S3's
//! presigned URLs are in AWS. A URL names the object, the method, its expiry and, for an upload,
//! the largest body accepted; an HMAC-SHA256 over those (and the upload's content type) under a
//! key kept in the data folder makes it unforgeable, so the route below trusts nothing else.
//!
//! ```text
//! GET {base}/_objects/{key}?expires=<unix>&sig=<hex>
//! PUT {base}/_objects/{key}?expires=<unix>&max=<bytes>&type=<content type>&sig=<hex>
//! ```

use super::folder_objects::FolderObjects;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::sync::Arc;
use tayori_ports::object::MAX_OBJECT_BYTES;
use tayori_ports::{Clock, ObjectKey, ObjectStore};
use zeroize::Zeroizing;

/// The route's prefix on the local run's origin.
pub const OBJECTS_PATH: &str = "/_objects";
/// The signing key's file in the objects folder: a leading dot and no object suffix, so it is
/// never listed or served as an object.
pub(super) const SIGNING_KEY_FILE: &str = ".url-signing.key";

type HmacSha256 = Hmac<Sha256>;

/// What signs and checks the URLs: the public origin, the key, and the clock expiries are
/// measured by (the local run's, which tests may set).
pub(super) struct UrlSigner {
    base_url: String,
    key: Zeroizing<[u8; 32]>,
    clock: Arc<dyn Clock>,
}

/// What one URL allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Grant<'a> {
    Read,
    /// A read the browser saves as `filename`.
    Download {
        filename: &'a str,
    },
    Write {
        content_type: &'a str,
        max_bytes: usize,
    },
}

impl UrlSigner {
    pub(super) fn new(base_url: &str, key: Zeroizing<[u8; 32]>, clock: Arc<dyn Clock>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
            clock,
        }
    }

    pub(super) fn now_unix(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// Every field is on its own line, and neither a key nor a number can hold a newline, so no
    /// two grants sign the same text.
    fn mac(&self, key: &ObjectKey, expires: i64, grant: Grant<'_>) -> HmacSha256 {
        let text = match grant {
            Grant::Read => format!("GET\n{key}\n{expires}"),
            // The name is last and may hold anything but is not empty, so it cannot be mistaken
            // for a read's text.
            Grant::Download { filename } => format!("GET\n{key}\n{expires}\n{filename}"),
            Grant::Write {
                content_type,
                max_bytes,
            } => format!("PUT\n{key}\n{expires}\n{max_bytes}\n{content_type}"),
        };
        let mut mac = HmacSha256::new_from_slice(self.key.as_ref()).expect("any key length");
        mac.update(text.as_bytes());
        mac
    }

    pub(super) fn url(&self, key: &ObjectKey, expires: i64, grant: Grant<'_>) -> String {
        let sig = hex(&self.mac(key, expires, grant).finalize().into_bytes());
        let base = &self.base_url;
        match grant {
            Grant::Read => format!("{base}{OBJECTS_PATH}/{key}?expires={expires}&sig={sig}"),
            Grant::Download { filename } => format!(
                "{base}{OBJECTS_PATH}/{key}?expires={expires}&name={}&sig={sig}",
                percent_encoded(filename)
            ),
            Grant::Write {
                content_type,
                max_bytes,
            } => format!(
                "{base}{OBJECTS_PATH}/{key}?expires={expires}&max={max_bytes}&type={}&sig={sig}",
                percent_encoded(content_type)
            ),
        }
    }

    /// True when `sig` is this key's signature of the grant (compared in constant time).
    fn verify(&self, key: &ObjectKey, expires: i64, grant: Grant<'_>, sig: &str) -> bool {
        match unhex(sig) {
            Some(sig) => self.mac(key, expires, grant).verify_slice(&sig).is_ok(),
            None => false,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything but unreserved characters escaped, for a query value.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Serves GET and PUT on `/_objects/{*key}` for presigned URLs of `objects`: a missing, wrong
/// or expired signature is 403, an upload larger than signed is 413, of another content type
/// 415. Mount it on the origin `objects` was served at (`FolderObjects::served_at`).
pub fn objects_router(objects: Arc<FolderObjects>) -> Router {
    Router::new()
        .route(&format!("{OBJECTS_PATH}/{{*key}}"), get(read).put(write))
        // The signed `max` is checked below; this only lifts axum's 2 MB default.
        .layer(DefaultBodyLimit::max(MAX_OBJECT_BYTES))
        .with_state(objects)
}

#[derive(Deserialize)]
struct Signed {
    expires: Option<i64>,
    max: Option<usize>,
    #[serde(rename = "type")]
    content_type: Option<String>,
    /// The file name of a download.
    name: Option<String>,
    sig: Option<String>,
}

/// Why the route refuses a request; the answer says no more than S3's would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// Missing, altered or expired signature, or a URL signed for another method.
    Forbidden,
    TooLarge,
    OtherContentType,
    NoSuchObject,
    NotServed,
    Unavailable,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Refusal::Forbidden => (StatusCode::FORBIDDEN, "invalid or expired signature"),
            Refusal::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "body over the signed size"),
            Refusal::OtherContentType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content type other than signed",
            ),
            Refusal::NoSuchObject => (StatusCode::NOT_FOUND, "no such object"),
            Refusal::NotServed => (StatusCode::NOT_FOUND, "not served"),
            Refusal::Unavailable => (StatusCode::INTERNAL_SERVER_ERROR, "storage unavailable"),
        };
        (status, message).into_response()
    }
}

/// The key and expiry of a request, when its URL is well formed and not yet expired.
fn checked<'a>(
    signer: &UrlSigner,
    key: &str,
    signed: &'a Signed,
) -> Result<(ObjectKey, i64, &'a str), Refusal> {
    let key = ObjectKey::new(key).map_err(|_| Refusal::Forbidden)?;
    let (Some(expires), Some(sig)) = (signed.expires, signed.sig.as_deref()) else {
        return Err(Refusal::Forbidden);
    };
    if signer.now_unix() > expires {
        return Err(Refusal::Forbidden);
    }
    Ok((key, expires, sig))
}

async fn read(
    State(objects): State<Arc<FolderObjects>>,
    Path(key): Path<String>,
    Query(signed): Query<Signed>,
) -> Result<Response, Refusal> {
    let signer = objects.signer().ok_or(Refusal::NotServed)?;
    let (key, expires, sig) = checked(signer, &key, &signed)?;
    let grant = match signed.name.as_deref() {
        Some(filename) if !filename.is_empty() => Grant::Download { filename },
        _ => Grant::Read,
    };
    if !signer.verify(&key, expires, grant, sig) {
        return Err(Refusal::Forbidden);
    }
    match objects.get(&key).await {
        Ok(Some(object)) => {
            let mut response = (
                [
                    (header::CONTENT_TYPE, object.content_type),
                    // The URL is a short-lived credential: neither it nor the object is kept.
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                ],
                object.bytes,
            )
                .into_response();
            if let Grant::Download { filename } = grant {
                let disposition = tayori_ports::object::attachment_disposition(filename);
                if let Ok(value) = header::HeaderValue::from_str(&disposition) {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_DISPOSITION, value);
                }
            }
            Ok(response)
        }
        Ok(None) => Err(Refusal::NoSuchObject),
        Err(e) => {
            tracing::error!(error = %e, key = %key, "presigned read failed");
            Err(Refusal::Unavailable)
        }
    }
}

async fn write(
    State(objects): State<Arc<FolderObjects>>,
    Path(key): Path<String>,
    Query(signed): Query<Signed>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, Refusal> {
    let signer = objects.signer().ok_or(Refusal::NotServed)?;
    let (key, expires, sig) = checked(signer, &key, &signed)?;
    let (Some(max_bytes), Some(signed_type)) = (signed.max, signed.content_type.as_deref()) else {
        return Err(Refusal::Forbidden);
    };
    let grant = Grant::Write {
        content_type: signed_type,
        max_bytes,
    };
    if !signer.verify(&key, expires, grant, sig) {
        return Err(Refusal::Forbidden);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != signed_type {
        return Err(Refusal::OtherContentType);
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_bytes) {
        return Err(Refusal::TooLarge);
    }
    // A body without a length (chunked) is cut off at the signed size.
    let bytes = axum::body::to_bytes(body, max_bytes)
        .await
        .map_err(|_| Refusal::TooLarge)?;
    objects
        .put(&key, bytes.to_vec(), content_type)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, key = %key, "presigned upload failed");
            Refusal::Unavailable
        })?;
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use std::time::Duration;
    use tayori_ports::{ManualClock, ObjectError};

    struct Served {
        store: Arc<FolderObjects>,
        clock: Arc<ManualClock>,
        http: reqwest::Client,
        _dir: tempfile::TempDir,
    }

    async fn served() -> Served {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        ));
        let store = Arc::new(
            FolderObjects::open(dir.path().to_path_buf())
                .unwrap()
                .served_at(&base, clock.clone())
                .unwrap(),
        );
        let router = objects_router(store.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Served {
            store,
            clock,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    fn key(k: &str) -> ObjectKey {
        ObjectKey::new(k).unwrap()
    }

    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    #[tokio::test]
    async fn an_upload_over_its_size_or_of_another_type_is_refused_and_stores_nothing() {
        let s = served().await;
        let photo = key("uploads/p.jpg");
        let upload = s
            .store
            .presign_put(&photo, "image/jpeg", 10, FIVE_MINUTES)
            .await
            .unwrap();
        for (body, content_type, status) in [
            (vec![0u8; 11], "image/jpeg", 413),
            (vec![0u8; 5], "image/png", 415),
            (vec![0u8; 5], "", 415),
        ] {
            let mut request = s.http.put(&upload.url).body(body);
            if !content_type.is_empty() {
                request = request.header("content-type", content_type);
            }
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status().as_u16(), status, "{content_type}");
        }
        assert!(s.store.get(&photo).await.unwrap().is_none());
        let answer = s
            .http
            .put(&upload.url)
            .header("content-type", "image/jpeg")
            .body(vec![7u8; 10])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(s.store.get(&photo).await.unwrap().unwrap().bytes, [7u8; 10]);
    }

    #[tokio::test]
    async fn a_url_altered_in_any_part_is_forbidden() {
        let s = served().await;
        let photo = key("reports/R1/p.jpg");
        s.store
            .put(&photo, b"photo".to_vec(), "image/jpeg")
            .await
            .unwrap();
        let url = s.store.presign_get(&photo, FIVE_MINUTES).await.unwrap();
        let expires = s.clock.now().timestamp() + 300;
        assert!(url.contains(&format!(
            "/_objects/reports/R1/p.jpg?expires={expires}&sig="
        )));
        let sig_at = url.find("&sig=").unwrap() + 5;
        let mut flipped = url.clone();
        let last = if url.ends_with('0') { "1" } else { "0" };
        flipped.replace_range(url.len() - 1.., last);
        for altered in [
            url.replace(
                &format!("expires={expires}"),
                &format!("expires={}", expires + 3600),
            ),
            flipped,
            url[..sig_at].to_owned(),
            url.split('?').next().unwrap().to_owned(),
            url.replace("&sig=", "&sig=zz"),
        ] {
            let answer = s.http.get(&altered).send().await.unwrap();
            assert_eq!(answer.status(), 403, "{altered}");
        }
        // A read URL does not allow a write to the same object.
        let answer = s
            .http
            .put(&url)
            .header("content-type", "image/jpeg")
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 403);
        let answer = s.http.get(&url).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["cache-control"], "private, no-store");
    }

    #[tokio::test]
    async fn a_url_is_refused_once_the_clock_passes_its_expiry() {
        let s = served().await;
        let photo = key("reports/R1/p.jpg");
        s.store
            .put(&photo, b"photo".to_vec(), "image/jpeg")
            .await
            .unwrap();
        let url = s.store.presign_get(&photo, FIVE_MINUTES).await.unwrap();
        s.clock.advance(chrono::Duration::seconds(300));
        assert_eq!(s.http.get(&url).send().await.unwrap().status(), 200);
        s.clock.advance(chrono::Duration::seconds(1));
        assert_eq!(s.http.get(&url).send().await.unwrap().status(), 403);
    }

    #[tokio::test]
    async fn the_signing_key_is_kept_across_restarts_and_is_never_an_object() {
        let s = served().await;
        let photo = key("p.jpg");
        s.store
            .put(&photo, b"photo".to_vec(), "image/jpeg")
            .await
            .unwrap();
        let first = s.store.presign_get(&photo, FIVE_MINUTES).await.unwrap();
        let again = FolderObjects::open(s._dir.path().to_path_buf())
            .unwrap()
            .served_at(first.split("/_objects").next().unwrap(), s.clock.clone())
            .unwrap();
        assert_eq!(
            again.presign_get(&photo, FIVE_MINUTES).await.unwrap(),
            first
        );
        assert_eq!(s.store.list("").await.unwrap(), vec![photo]);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(s._dir.path().join(SIGNING_KEY_FILE))
                .unwrap()
                .permissions(),
        );
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    #[tokio::test]
    async fn a_store_nobody_serves_signs_no_url() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderObjects::open(dir.path().to_path_buf()).unwrap();
        assert!(matches!(
            store.presign_get(&key("p.jpg"), FIVE_MINUTES).await,
            Err(ObjectError::NotServed)
        ));
    }
}
