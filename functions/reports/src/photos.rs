//! `report.photo-received` from the bus: a photo a citizen sent in the chat while a report was
//! in progress. LINE keeps what users send only a short time, so it is downloaded at once,
//! checked and re-encoded without Exif (`tayori_images::report_photo`), stored (the photo
//! private, its thumbnail under `media/`), attached to the draft, and the citizen is answered
//! with the event's reply token (a push only if LINE refuses it; see [`crate::answer`]).
//!
//! Nothing given is lost on a bad photo: the citizen is told what is wrong with it and asked for
//! another, and the draft keeps its photos. The LINE client already tries the content API 4
//! times with a short jittered backoff on 5xx and timeouts; if it still fails the citizen is
//! asked to send the photo again. A redelivered event finds the photo attached (the draft
//! knows LINE's message id) and attaches nothing.

use async_trait::async_trait;
use std::sync::Arc;
use tayori_domain::report::ReportDraft;
use tayori_line::message::Message;
use tayori_line::{LineClient, RetryKeys};
use tayori_ports::{Event, EventHandler, HandlerError, ObjectKey, Platform};
use tayori_reporting::chat;
use tayori_reporting::{store_encoded, DeskError, ReportDesk, ReportPhotoReceived};

pub struct PhotoHandler {
    pub platform: Platform,
    pub desk: Arc<ReportDesk>,
    pub line: Arc<LineClient>,
}

impl PhotoHandler {
    pub fn new(platform: Platform, line: Arc<LineClient>) -> Self {
        Self {
            desk: Arc::new(ReportDesk::new(&platform)),
            platform,
            line,
        }
    }

    async fn answer(
        &self,
        event: &Event,
        photo: &ReportPhotoReceived,
        messages: Vec<Message>,
    ) -> Result<(), HandlerError> {
        let keys = RetryKeys::new(self.platform.table.clone(), self.platform.clock.clone());
        self.line
            .reply_or_push(
                &keys,
                &format!("reports/photo/{}", photo.webhook_event_id),
                &photo.user_id,
                &photo.reply_token,
                messages,
            )
            .await
            .map(drop)
            .map_err(|e| HandlerError::failed(event, e))
    }

    /// Objects stored for a photo the draft then refused: nobody will ever point at them.
    async fn forget(&self, keys: [&str; 2]) {
        for key in keys {
            let Ok(key) = ObjectKey::new(key) else {
                continue;
            };
            if let Err(e) = self.platform.objects.delete(&key).await {
                tracing::warn!(error = %e, key = key.as_str(), "unattached report photo not deleted");
            }
        }
    }
}

/// What to say when the draft refused: its reason and the current question, or the reason
/// alone when there is no draft any more.
fn refused(error: &DeskError, draft: Option<&ReportDraft>) -> Vec<Message> {
    match draft {
        Some(d) => chat::refusal(&error.to_string(), d),
        None => vec![chat::expired(&error.to_string())],
    }
}

#[async_trait]
impl EventHandler for PhotoHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let photo: ReportPhotoReceived = serde_json::from_value(event.detail.clone())
            .map_err(|e| HandlerError::malformed(&event, e))?;
        if photo.user_id.is_empty() || photo.message_id.is_empty() {
            return Err(HandlerError::malformed(&event, "no user or message id"));
        }
        let draft = self
            .desk
            .draft(&photo.user_id)
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        let Some(draft) = draft else {
            // Cancelled or filed while the photo travelled.
            return self
                .answer(&event, &photo, refused(&DeskError::NoDraft, None))
                .await;
        };
        if draft.has_photo_from(&photo.message_id) {
            tracing::info!(webhook_event_id = %photo.webhook_event_id, "photo already attached; redelivered event");
            return Ok(());
        }
        let content = match self.line.content(&photo.message_id).await {
            Ok(content) => content,
            Err(e) => {
                tracing::warn!(error = %e, webhook_event_id = %photo.webhook_event_id, "photo not downloaded from LINE");
                return self
                    .answer(&event, &photo, chat::photo_not_received(&draft))
                    .await;
            }
        };
        // Decoding a 10 MB photo takes a while: off the async workers.
        let bytes = content.bytes.clone();
        let prepared = tokio::task::spawn_blocking(move || tayori_images::report_photo(&bytes))
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        let prepared = match prepared {
            Ok(p) => p,
            Err(problem) => {
                tracing::info!(%problem, webhook_event_id = %photo.webhook_event_id, "report photo refused");
                return self
                    .answer(&event, &photo, chat::photo_refused(&problem, &draft))
                    .await;
            }
        };
        let stored = store_encoded(
            self.platform.objects.as_ref(),
            &prepared.photo,
            &prepared.thumbnail,
        )
        .await
        .map_err(|e| HandlerError::failed(&event, e))?;
        let messages = match self
            .desk
            .attach_line_photo(&photo.user_id, &photo.message_id, stored.clone())
            .await
        {
            Ok((draft, _)) => chat::photo_received(&draft),
            Err(e) if e.is_refusal() || matches!(e, DeskError::NoDraft) => {
                self.forget([&stored.key, &stored.thumbnail_key]).await;
                let now = self
                    .desk
                    .draft(&photo.user_id)
                    .await
                    .map_err(|e| HandlerError::failed(&event, e))?;
                refused(&e, now.as_ref())
            }
            Err(e) => return Err(HandlerError::failed(&event, e)),
        };
        self.answer(&event, &photo, messages).await?;
        tracing::info!(webhook_event_id = %photo.webhook_event_id, "report photo attached");
        Ok(())
    }
}
