//! The webhook function: LINE calls `POST /line/webhook` with a batch of events.
//!
//! Order of work: verify `x-line-signature` on the raw bytes (nothing is parsed before that),
//! parse tolerantly, then handle each event once (de-duplicated on `webhookEventId`). LINE
//! expects an answer within 2 seconds; events are handled concurrently across friends and in
//! order for each friend. No event starts once the time budget is spent: those left are handed
//! to the event bus ([`deferred`]) before the answer, because Lambda freezes the function as
//! soon as it answers and nothing may be left running.

pub mod batch;
pub mod childcare;
pub mod consultations;
mod conversation;
pub mod deferred;
mod error;
pub mod faq;
pub mod garbage;
pub mod media;
pub mod registration;
pub mod reports;
pub mod settings;
pub mod shelters;
pub mod testers;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use batch::Batch;
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;
use tayori_line::{signature, LineClient};
use tayori_ports::{EventBus, Platform};
use tokio::time::Instant;

pub use conversation::{Conversation, Handled};
pub use error::WebhookError;

/// LINE's webhook bodies are small; anything larger is not LINE.
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// No event starts later than this after the request arrived. An event already started (a few
/// table calls and one reply, well under half a second) and handing the rest to the bus still
/// fit in LINE's 2 seconds.
pub const START_BUDGET: Duration = Duration::from_millis(1000);

pub struct WebhookState {
    pub conversation: Conversation,
    pub channel_secret: String,
    bus: Arc<dyn EventBus>,
}

impl WebhookState {
    pub fn new(
        platform: Platform,
        line: Arc<LineClient>,
        channel_secret: String,
        city: &str,
    ) -> Self {
        Self {
            bus: platform.bus.clone(),
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

    /// Where `/media/` is served over https (the public API's address), for the thumbnails in
    /// 「通報履歴」; without it the carousel shows no pictures.
    pub fn with_media_base_url(mut self, url: impl Into<String>) -> Self {
        self.conversation.set_media_base_url(url.into());
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
    let routes = Router::new()
        .route("/line/webhook", post(receive))
        .route("/line/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    tayori_web::secure(routes, tayori_web::Surface::Api).with_state(state)
}

async fn receive(
    State(state): State<Arc<WebhookState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<&'static str, WebhookError> {
    let started = Instant::now();
    let signature = headers
        .get("x-line-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(WebhookError::MissingSignature)?;
    if !signature::verify(&state.channel_secret, &body, signature) {
        return Err(WebhookError::WrongSignature { bytes: body.len() });
    }
    let batch = Batch::parse(&body)?;
    let events = batch.events.len();
    // The batch is handled on its own task, so that a caller who hangs up (LINE gives up after
    // its timeout; the local run's server then drops the request) cannot cancel it halfway:
    // an event claimed but never answered would be skipped as already seen when redelivered.
    // A Lambda invocation, too, runs to its end whoever waits for it; the answer still waits
    // for the task, so nothing runs after it.
    let work = tokio::spawn(handle(state, batch, started));
    match work.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(WebhookError::Interrupted { events }),
    }
}

async fn handle(
    state: Arc<WebhookState>,
    batch: Batch,
    started: Instant,
) -> Result<&'static str, WebhookError> {
    let events = batch.events.len();
    let handled = state
        .conversation
        .handle_batch(batch.events, Some(started + START_BUDGET))
        .await;
    if !handled.deferred.is_empty() {
        let deferred = handled.deferred.len();
        deferred::hand_over(state.bus.as_ref(), &batch.destination, &handled.deferred)
            .await
            .map_err(|source| WebhookError::HandOver {
                events,
                deferred,
                source,
            })?;
        tracing::warn!(
            events,
            deferred,
            budget_ms = START_BUDGET.as_millis() as u64,
            "time budget spent; the events not started were handed to the bus"
        );
    }
    handled
        .result
        .map_err(|source| WebhookError::Storage { events, source })?;
    Ok("ok")
}
