//! Where JMA's feeds and messages come from: JMA's PULL service over HTTP, or, for the local
//! run and tests, a folder.

use crate::store::{sha256_hex, Validators};
use async_trait::async_trait;
use std::path::PathBuf;

/// Largest feed or message read (JMA's largest messages are a few megabytes).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("{0}: refused: not a message of the feed's own service")]
    ForeignLink(String),
    #[error("{0}: larger than {MAX_BYTES} bytes")]
    TooLarge(String),
}

/// A feed's answer.
#[derive(Debug, PartialEq, Eq)]
pub enum FeedFetch {
    /// Not modified since the validators given.
    Unchanged,
    Changed {
        body: Vec<u8>,
        validators: Validators,
    },
}

#[async_trait]
pub trait FeedSource: Send + Sync {
    /// The feeds polled, by URL (or file name for a folder).
    fn feeds(&self) -> Vec<String>;
    /// The feed, unless unchanged since `known`.
    async fn feed(&self, feed: &str, known: &Validators) -> Result<FeedFetch, SourceError>;
    /// The message an entry links to.
    async fn message(&self, link: &str) -> Result<Vec<u8>, SourceError>;
}

/// JMA's PULL service: the feeds by URL with If-None-Match / If-Modified-Since, and the
/// messages they link to, only from the feeds' own host.
pub struct HttpFeedSource {
    client: reqwest::Client,
    feeds: Vec<String>,
}

fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    rest.split('/').next().filter(|h| !h.is_empty())
}

impl HttpFeedSource {
    pub fn new(feeds: Vec<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .user_agent("tayori-jma-poller")
            .build()
            .expect("a client without custom TLS builds");
        Self { client, feeds }
    }

    /// The URL to fetch `link` from: only links on a feed's own host; an `http://` link is
    /// fetched over https when the feed itself is https (JMA's feeds write `http://` links).
    fn allowed(&self, link: &str) -> Result<String, SourceError> {
        let host = host_of(link).ok_or_else(|| SourceError::ForeignLink(link.into()))?;
        let feed = self
            .feeds
            .iter()
            .find(|f| host_of(f) == Some(host))
            .ok_or_else(|| SourceError::ForeignLink(link.into()))?;
        if feed.starts_with("https://") {
            if let Some(rest) = link.strip_prefix("http://") {
                return Ok(format!("https://{rest}"));
            }
        }
        Ok(link.to_owned())
    }

    async fn body(url: &str, response: reqwest::Response) -> Result<Vec<u8>, SourceError> {
        let fail = |reason: String| SourceError::Fetch {
            url: url.into(),
            reason,
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BYTES as u64)
        {
            return Err(SourceError::TooLarge(url.into()));
        }
        let bytes = response.bytes().await.map_err(|e| fail(e.to_string()))?;
        if bytes.len() > MAX_BYTES {
            return Err(SourceError::TooLarge(url.into()));
        }
        Ok(bytes.to_vec())
    }
}

#[async_trait]
impl FeedSource for HttpFeedSource {
    fn feeds(&self) -> Vec<String> {
        self.feeds.clone()
    }

    async fn feed(&self, feed: &str, known: &Validators) -> Result<FeedFetch, SourceError> {
        let fail = |reason: String| SourceError::Fetch {
            url: feed.into(),
            reason,
        };
        let mut request = self.client.get(feed);
        if let Some(etag) = &known.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = &known.last_modified {
            request = request.header("If-Modified-Since", modified);
        }
        let response = request.send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(FeedFetch::Unchanged);
        }
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let validators = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        let body = Self::body(feed, response).await?;
        Ok(FeedFetch::Changed { body, validators })
    }

    async fn message(&self, link: &str) -> Result<Vec<u8>, SourceError> {
        let url = self.allowed(link)?;
        let fail = |reason: String| SourceError::Fetch {
            url: url.clone(),
            reason,
        };
        let response = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !response.status().is_success() {
            return Err(fail(format!("HTTP {}", response.status())));
        }
        Self::body(&url, response).await
    }
}

/// A folder standing in for JMA: `extra.xml` and `eqvol.xml` when present, each entry's link
/// resolved to the file of the same name in the folder. The local run polls it every tick.
pub struct FolderFeedSource {
    dir: PathBuf,
}

pub const FOLDER_FEEDS: [&str; 2] = ["extra.xml", "eqvol.xml"];

impl FolderFeedSource {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The file a link names: its last path segment, a plain file name in the folder.
    fn file(&self, link: &str) -> Result<PathBuf, SourceError> {
        let name = link.rsplit('/').next().unwrap_or_default();
        let plain = !name.is_empty()
            && name != "."
            && name != ".."
            && !name.contains('\\')
            && name.ends_with(".xml");
        if !plain {
            return Err(SourceError::ForeignLink(link.into()));
        }
        Ok(self.dir.join(name))
    }

    async fn read(&self, path: PathBuf) -> Result<Vec<u8>, SourceError> {
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| SourceError::Fetch {
                url: path.display().to_string(),
                reason: e.to_string(),
            })?;
        if bytes.len() > MAX_BYTES {
            return Err(SourceError::TooLarge(path.display().to_string()));
        }
        Ok(bytes)
    }
}

#[async_trait]
impl FeedSource for FolderFeedSource {
    fn feeds(&self) -> Vec<String> {
        FOLDER_FEEDS
            .iter()
            .filter(|f| self.dir.join(f).is_file())
            .map(|f| f.to_string())
            .collect()
    }

    /// Unchanged when the file's bytes hash as before (the hash stands in for an ETag).
    async fn feed(&self, feed: &str, known: &Validators) -> Result<FeedFetch, SourceError> {
        let body = self.read(self.file(feed)?).await?;
        let etag = Some(sha256_hex(&body));
        if known.etag == etag {
            return Ok(FeedFetch::Unchanged);
        }
        Ok(FeedFetch::Changed {
            body,
            validators: Validators {
                etag,
                last_modified: None,
            },
        })
    }

    async fn message(&self, link: &str) -> Result<Vec<u8>, SourceError> {
        self.read(self.file(link)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_only_from_the_feeds_own_host() {
        let source = HttpFeedSource::new(vec![
            "https://www.data.jma.go.jp/developer/xml/feed/extra.xml".into(),
        ]);
        assert_eq!(
            source
                .allowed("http://www.data.jma.go.jp/developer/xml/data/x_VXSE53_1.xml")
                .unwrap(),
            "https://www.data.jma.go.jp/developer/xml/data/x_VXSE53_1.xml"
        );
        for bad in [
            "http://169.254.169.254/latest/meta-data",
            "https://www.data.jma.go.jp.evil.example/x.xml",
            "file:///etc/passwd",
        ] {
            assert!(source.allowed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_folder_link_is_a_plain_file_name_in_the_folder() {
        let source = FolderFeedSource::new("/feed");
        assert_eq!(
            source.file("http://x/data/a_VTSE41_1.xml").unwrap(),
            PathBuf::from("/feed/a_VTSE41_1.xml")
        );
        for bad in [
            "http://x/..",
            "",
            "http://x/",
            "a.txt",
            "http://x/a\\..\\b.xml",
        ] {
            assert!(source.file(bad).is_err(), "{bad}");
        }
    }
}
