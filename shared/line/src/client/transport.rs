//! One request to LINE, with retries: 429, 5xx and transport failures are tried again after a
//! jittered exponential backoff, up to `max_attempts`, with the same retry key every time.

use super::LineClient;
use crate::error::{ErrorBody, LineError};
use crate::retry_key::RetryKey;
use bytes::Bytes;
use http::{Method, StatusCode};
use rand::Rng;
use serde_json::Value;
use std::time::Duration;

const RETRY_KEY_HEADER: &str = "X-Line-Retry-Key";
const REQUEST_ID_HEADER: &str = "x-line-request-id";
const ACCEPTED_REQUEST_ID_HEADER: &str = "x-line-accepted-request-id";
/// No single backoff grows past this, whatever the attempt count.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub(crate) enum Body {
    None,
    Json(Value),
    Binary { content_type: String, bytes: Bytes },
}

/// Whether a request may be sent again after LINE might already have acted on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Repeating is harmless: reads, deletes, links, sends with a retry key, replies (a reply
    /// token is single-use, so a repeat cannot deliver twice).
    Always,
    /// Repeating could do it twice (creating a rich menu): retry only what LINE surely did not
    /// act on, a 429 or a connection never made.
    OnlyIfUntouched,
}

pub(crate) struct Call {
    pub method: Method,
    /// The endpoint as LINE's reference names it (`/v2/bot/user/{userId}/richmenu`): what the
    /// log says instead of the URL, whose path can hold a citizen's user id.
    pub endpoint: &'static str,
    pub url: String,
    pub body: Body,
    pub retry_key: Option<RetryKey>,
    pub replay: Replay,
    /// Multicast: wait for a pacer slot before every attempt.
    pub paced: bool,
}

impl Call {
    pub fn new(method: Method, endpoint: &'static str, url: String) -> Call {
        Call {
            method,
            endpoint,
            url,
            body: Body::None,
            retry_key: None,
            replay: Replay::Always,
            paced: false,
        }
    }

    pub fn json(mut self, body: Value) -> Call {
        self.body = Body::Json(body);
        self
    }

    pub fn binary(mut self, content_type: &str, bytes: Bytes) -> Call {
        self.body = Body::Binary {
            content_type: content_type.to_string(),
            bytes,
        };
        self
    }

    pub fn retry_key(mut self, key: RetryKey) -> Call {
        self.retry_key = Some(key);
        self
    }

    pub fn replay(mut self, replay: Replay) -> Call {
        self.replay = replay;
        self
    }

    pub fn paced(mut self) -> Call {
        self.paced = true;
        self
    }
}

/// A successful answer, read in full.
pub(crate) struct Answer {
    pub request_id: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, LineError> {
        serde_json::from_slice(&self.body).map_err(|e| LineError::Unexpected(e.to_string()))
    }
}

pub(crate) enum Outcome {
    Done(Answer),
    /// 409 to a request with a retry key.
    AlreadyAccepted {
        accepted_request_id: Option<String>,
    },
}

impl Outcome {
    /// For calls without a retry key, where 409 is not a possible outcome.
    pub fn done(self) -> Result<Answer, LineError> {
        match self {
            Outcome::Done(answer) => Ok(answer),
            Outcome::AlreadyAccepted { .. } => Err(LineError::Unexpected(
                "409 to a request without a retry key".into(),
            )),
        }
    }
}

fn header(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The wait before retry `retry` (1 for the first retry): uniform in 0..=base·2^(retry-1),
/// so that clients that failed together do not come back together.
pub(crate) fn backoff(base: Duration, retry: u32) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
}

/// What all the attempts at one call came to, and whether LINE may have acted on an attempt
/// before the last (its answer lost, or a 5xx): a refusal then may be LINE refusing a repeat
/// of what it already did, such as a reply token the lost attempt used.
pub(crate) struct Attempts {
    pub result: Result<Outcome, LineError>,
    pub earlier_may_have_acted: bool,
}

impl LineClient {
    pub(crate) async fn execute(&self, call: Call) -> Result<Outcome, LineError> {
        self.attempt(call).await.result
    }

    pub(crate) async fn attempt(&self, call: Call) -> Attempts {
        let mut earlier_may_have_acted = false;
        let result = self.attempt_all(&call, &mut earlier_may_have_acted).await;
        Attempts {
            result,
            earlier_may_have_acted,
        }
    }

    async fn attempt_all(
        &self,
        call: &Call,
        may_have_acted: &mut bool,
    ) -> Result<Outcome, LineError> {
        let attempts = self.config.max_attempts.max(1);
        let mut last_status = None;
        let mut last_problem = String::new();
        for attempt in 1..=attempts {
            if attempt > 1 {
                tokio::time::sleep(backoff(self.config.base_backoff, attempt - 1)).await;
            }
            if call.paced {
                self.multicast_pacer.wait().await;
            }
            let response = match self.request(call).send().await {
                Ok(response) => response,
                Err(e) => {
                    // The HTTP client's error names the URL, user id and all.
                    let e = e.without_url();
                    let untouched = e.is_connect();
                    let retry = !e.is_builder()
                        && (untouched || call.replay == Replay::Always)
                        && attempt < attempts;
                    tracing::warn!(endpoint = call.endpoint, attempt, retry, error = %e, "LINE request failed in transport");
                    *may_have_acted |= !untouched;
                    last_status = None;
                    last_problem = e.to_string();
                    if retry {
                        continue;
                    }
                    return Err(LineError::GaveUp {
                        attempts: attempt,
                        status: None,
                        last: last_problem,
                    });
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            if status.is_success() {
                let body = response.bytes().await.map_err(|e| {
                    LineError::Unexpected(format!(
                        "the answer's body could not be read: {}",
                        e.without_url()
                    ))
                })?;
                return Ok(Outcome::Done(Answer {
                    request_id: header(&headers, REQUEST_ID_HEADER),
                    content_type: header(&headers, http::header::CONTENT_TYPE.as_str()),
                    body,
                }));
            }
            if status == StatusCode::CONFLICT && call.retry_key.is_some() {
                return Ok(Outcome::AlreadyAccepted {
                    accepted_request_id: header(&headers, ACCEPTED_REQUEST_ID_HEADER),
                });
            }
            let text = response.text().await.unwrap_or_default();
            let error: ErrorBody = serde_json::from_str(&text).unwrap_or_else(|_| ErrorBody {
                message: text.chars().take(200).collect(),
                details: Vec::new(),
            });
            let retryable = status == StatusCode::TOO_MANY_REQUESTS
                || (status.is_server_error() && call.replay == Replay::Always);
            if !retryable && !status.is_server_error() {
                return Err(LineError::Rejected {
                    status: status.as_u16(),
                    message: error.message,
                    details: error.details,
                });
            }
            // 429 has several meanings (rate, monthly quota, concurrent narrowcasts): the
            // message says which, so it goes to the log.
            tracing::warn!(endpoint = call.endpoint, attempt, status = status.as_u16(), message = %error.message, "LINE answered with an error worth retrying");
            *may_have_acted |= status.is_server_error();
            last_status = Some(status.as_u16());
            last_problem = format!("{status}: {}", error.message);
            if !retryable {
                return Err(LineError::GaveUp {
                    attempts: attempt,
                    status: last_status,
                    last: last_problem,
                });
            }
        }
        Err(LineError::GaveUp {
            attempts,
            status: last_status,
            last: last_problem,
        })
    }

    fn request(&self, call: &Call) -> reqwest::RequestBuilder {
        let mut builder = self
            .http
            .request(call.method.clone(), &call.url)
            .bearer_auth(&self.config.channel_access_token);
        if let Some(key) = call.retry_key {
            builder = builder.header(RETRY_KEY_HEADER, key.to_string());
        }
        match &call.body {
            Body::None => builder,
            Body::Json(value) => builder.json(value),
            Body::Binary {
                content_type,
                bytes,
            } => builder
                .header(http::header::CONTENT_TYPE, content_type.as_str())
                .body(bytes.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_its_doubling_ceiling() {
        let base = Duration::from_millis(100);
        for _ in 0..200 {
            assert!(backoff(base, 1) <= Duration::from_millis(100));
            assert!(backoff(base, 3) <= Duration::from_millis(400));
            assert!(backoff(base, 40) <= MAX_BACKOFF);
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let base = Duration::from_millis(1000);
        let draws: std::collections::HashSet<Duration> =
            (0..50).map(|_| backoff(base, 2)).collect();
        assert!(draws.len() > 10, "{draws:?}");
    }
}
