//! The webhook function: LINE calls `POST /line/webhook` with a batch of events.
//!
//! Order of work: verify `x-line-signature` on the raw bytes (nothing is parsed before that),
//! parse tolerantly, then handle each event once (de-duplicated on `webhookEventId`). LINE
//! expects an answer within 2 seconds; events are handled concurrently across friends and in
//! order for each friend, within a time budget.

mod conversation;
pub mod garbage;
pub mod media;
pub mod registration;
pub mod testers;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;
use tayori_line::{signature, webhook, LineClient};
use tayori_ports::Platform;

pub use conversation::Conversation;

/// LINE's webhook bodies are small; anything larger is not LINE.
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Answer LINE well inside its 2-second limit even when storage or the reply is slow.
const TIME_BUDGET: Duration = Duration::from_millis(1500);

pub struct WebhookState {
    pub conversation: Conversation,
    pub channel_secret: String,
}

impl WebhookState {
    pub fn new(
        platform: Platform,
        line: Arc<LineClient>,
        channel_secret: String,
        city: &str,
    ) -> Self {
        Self {
            conversation: Conversation::new(platform, line, city),
            channel_secret,
        }
    }

    /// Whether garbage questions may be answered from the shipped sample calendar while the
    /// city has imported none; withheld unless set (see [`tayori_garbage::SampleCalendar`]).
    pub fn with_sample_calendar(mut self, sample_calendar: tayori_garbage::SampleCalendar) -> Self {
        self.conversation.set_sample_calendar(sample_calendar);
        self
    }

    /// Where the registration invitation links for the full privacy policy (an absolute URL:
    /// LINE only makes absolute URLs tappable). Default: [`registration::DEFAULT_PRIVACY_POLICY_PATH`].
    pub fn with_privacy_policy_url(mut self, url: impl Into<String>) -> Self {
        self.conversation.set_privacy_policy_url(url.into());
        self
    }
}

pub fn router(state: Arc<WebhookState>) -> Router {
    Router::new()
        .route("/line/webhook", post(receive))
        .route("/line/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn receive(
    State(state): State<Arc<WebhookState>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let Some(signature) = headers
        .get("x-line-signature")
        .and_then(|v| v.to_str().ok())
    else {
        tracing::warn!("webhook without x-line-signature refused");
        return (StatusCode::UNAUTHORIZED, "missing signature");
    };
    if !signature::verify(&state.channel_secret, &body, signature) {
        tracing::warn!(bytes = body.len(), "webhook with a wrong signature refused");
        return (StatusCode::UNAUTHORIZED, "invalid signature");
    }
    let batch = match webhook::parse(&body) {
        Ok(batch) => batch,
        Err(e) => {
            tracing::warn!(error = %e, "signed body is not a webhook");
            return (StatusCode::BAD_REQUEST, "not a LINE webhook body");
        }
    };
    let events = batch.events.len();
    // The work runs in its own task so that a slow dependency cannot hold the answer to LINE
    // past its limit; past the budget the work carries on and LINE gets its 200.
    let work = tokio::spawn({
        let state = state.clone();
        async move { state.conversation.handle_batch(batch.events).await }
    });
    match tokio::time::timeout(TIME_BUDGET, work).await {
        Ok(Ok(Ok(()))) => (StatusCode::OK, "ok"),
        Ok(Ok(Err(e))) => {
            // Storage failed: answer 500 so that LINE redelivers; claims were released.
            tracing::error!(error = %e, events, "webhook batch failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "temporarily unavailable")
        }
        Ok(Err(join)) => {
            tracing::error!(error = %join, events, "webhook batch panicked");
            (StatusCode::INTERNAL_SERVER_ERROR, "temporarily unavailable")
        }
        Err(_) => {
            tracing::warn!(
                events,
                budget_ms = TIME_BUDGET.as_millis() as u64,
                "webhook batch still running at the time budget; answered LINE"
            );
            (StatusCode::OK, "ok")
        }
    }
}
