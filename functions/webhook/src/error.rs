//! Why a webhook request was not answered 200, and the status LINE gets for it. LINE redelivers
//! after a 5xx (so storage or bus trouble answers 500, with every claim released) and not after
//! a 4xx (a request that is not LINE's, or not a webhook, would fail again).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tayori_line::webhook::ParseError;
use tayori_ports::BusError;
use tayori_records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook without x-line-signature refused")]
    MissingSignature,
    #[error("webhook with a wrong signature refused ({bytes} bytes)")]
    WrongSignature { bytes: usize },
    #[error("signed body is not a webhook: {0}")]
    NotAWebhook(#[from] ParseError),
    /// The events left when time ran short could not be handed to the bus; none was claimed.
    #[error("{deferred} of {events} events could not be handed to the bus: {source}")]
    HandOver {
        events: usize,
        deferred: usize,
        source: BusError,
    },
    /// Storage failed; the claims were released, so the redelivery handles the events.
    #[error("webhook batch of {events} events failed: {source}")]
    Storage { events: usize, source: RecordError },
    /// The task handling the batch was stopped (the process is shutting down).
    #[error("webhook batch of {events} events was interrupted")]
    Interrupted { events: usize },
}

impl WebhookError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebhookError::MissingSignature | WebhookError::WrongSignature { .. } => {
                StatusCode::UNAUTHORIZED
            }
            WebhookError::NotAWebhook(_) => StatusCode::BAD_REQUEST,
            WebhookError::HandOver { .. }
            | WebhookError::Storage { .. }
            | WebhookError::Interrupted { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body: a few words for whoever reads LINE's delivery log, no detail.
    fn body(&self) -> &'static str {
        match self {
            WebhookError::MissingSignature => "missing signature",
            WebhookError::WrongSignature { .. } => "invalid signature",
            WebhookError::NotAWebhook(_) => "not a LINE webhook body",
            WebhookError::HandOver { .. }
            | WebhookError::Storage { .. }
            | WebhookError::Interrupted { .. } => "temporarily unavailable",
        }
    }
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "webhook answered {status}; LINE redelivers");
        } else {
            tracing::warn!(error = %self, "webhook answered {status}");
        }
        (status, self.body()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn rendered(error: WebhookError) -> (StatusCode, String) {
        let response = error.into_response();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn each_refusal_answers_the_status_line_should_get() {
        let not_json = tayori_line::webhook::parse(b"{").unwrap_err();
        let cases = [
            (
                WebhookError::MissingSignature,
                StatusCode::UNAUTHORIZED,
                "missing signature",
            ),
            (
                WebhookError::WrongSignature { bytes: 10 },
                StatusCode::UNAUTHORIZED,
                "invalid signature",
            ),
            (
                WebhookError::NotAWebhook(not_json),
                StatusCode::BAD_REQUEST,
                "not a LINE webhook body",
            ),
            (
                WebhookError::HandOver {
                    events: 3,
                    deferred: 2,
                    source: BusError::Unavailable("throttled".into()),
                },
                StatusCode::INTERNAL_SERVER_ERROR,
                "temporarily unavailable",
            ),
            (
                WebhookError::Storage {
                    events: 1,
                    source: RecordError::Contended("friend".into()),
                },
                StatusCode::INTERNAL_SERVER_ERROR,
                "temporarily unavailable",
            ),
        ];
        for (error, status, body) in cases {
            assert_eq!(rendered(error).await, (status, body.to_string()));
        }
    }

    #[test]
    fn the_log_line_says_how_many_events_and_why() {
        let error = WebhookError::HandOver {
            events: 3,
            deferred: 2,
            source: BusError::Unavailable("throttled".into()),
        };
        assert_eq!(
            error.to_string(),
            "2 of 3 events could not be handed to the bus: event bus unavailable: throttled"
        );
    }
}
