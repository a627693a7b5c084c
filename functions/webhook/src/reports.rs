//! Reports (通報) in the chat: the webhook's part. It parses what the citizen sent, calls the
//! report desk (`tayori_reporting::ReportDesk`, one conditional write per step) and renders its
//! answer (`tayori_reporting::chat`); a photo is handed to the reports function over the bus.
//!
//! - 「通報」「通報する」 and `reports:start` show the categories; `reports:category=<id>`
//!   starts a draft (or, back at the list, changes its category);
//! - 「通報履歴」 and `reports:history` show the citizen's latest reports;
//! - `reports:next`, `reports:back`, `reports:cancel`, `reports:send`, `reports:skip` move the
//!   draft;
//! - with a draft in progress, a location, a text and a photo belong to the report (a location
//!   is not a shelter lookup then: [`crate::conversation`] asks this module first); a sticker or
//!   anything else is told what the current step needs, and nothing given is lost.
//!
//! A photo is published as `report.photo-received` with the event's reply token: downloading it
//! from LINE and re-encoding it takes longer than LINE's 2 seconds for the webhook, and the
//! reports function replies with the token (see `functions/reports/src/photos.rs`).

use std::sync::Arc;
use tayori_domain::report::InputProblem;
use tayori_domain::report::{DraftError, ReportDraft, Step, MAX_PHOTOS};
use tayori_domain::Friend;
use tayori_line::message::Message;
use tayori_line::webhook::{Event, EventKind, IncomingMessage};
use tayori_ports::{Clock, EventBus, Platform};
use tayori_reporting::chat::{self, ReportPostback};
use tayori_reporting::{DeskError, ReportDesk, ReportPhotoReceived, REPORT_PHOTO_RECEIVED};
use unicode_normalization::UnicodeNormalization;

/// What citizens write to start a report (after NFKC, spaces removed).
pub const START_TEXTS: [&str; 3] = ["通報", "通報する", "通報したい"];
/// What citizens write to see their reports.
pub const HISTORY_TEXTS: [&str; 2] = ["通報履歴", "通報の履歴"];

/// What the report feature made of an event.
#[derive(Debug)]
pub enum ReportAnswer {
    /// Reply with these messages now.
    Reply(Vec<Message>),
    /// Published for the reports function, which replies with the event's token.
    HandedOver,
}

pub struct ReportChat {
    desk: ReportDesk,
    bus: Arc<dyn EventBus>,
    clock: Arc<dyn Clock>,
    /// Where `/media/` is served over https, for the thumbnails in 「通報履歴」; without it
    /// the carousel has no pictures.
    media_base_url: String,
}

/// `text` in NFKC without spaces or a closing 「？」「！」「。」.
fn normalised(text: &str) -> String {
    let normalised: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    normalised.trim_end_matches(['?', '!', '。']).to_owned()
}

/// Whether `text` asks to start a report.
pub fn asks_to_report(text: &str) -> bool {
    START_TEXTS.contains(&normalised(text).as_str())
}

/// Whether `text` asks for the citizen's reports.
pub fn asks_for_history(text: &str) -> bool {
    HISTORY_TEXTS.contains(&normalised(text).as_str())
}

impl ReportChat {
    pub fn new(platform: &Platform, media_base_url: String) -> Self {
        Self {
            desk: ReportDesk::new(platform),
            bus: platform.bus.clone(),
            clock: platform.clock.clone(),
            media_base_url,
        }
    }

    /// Where 「通報履歴」's thumbnails are served (an https address; `/media/` under it).
    pub fn set_media_base_url(&mut self, url: String) {
        self.media_base_url = url;
    }

    /// The answer to `event` when it is about a report; `None` leaves it to the other features.
    pub async fn answer(&self, event: &Event, friend: &Friend) -> Option<ReportAnswer> {
        let user = friend.user_id.as_str();
        match &event.kind {
            EventKind::Postback { data, .. } => {
                let postback = ReportPostback::parse(data)?;
                Some(self.postback(user, postback).await)
            }
            EventKind::Message(IncomingMessage::Text { text, .. }) if asks_to_report(text) => {
                Some(self.postback(user, ReportPostback::Start).await)
            }
            EventKind::Message(IncomingMessage::Text { text, .. }) if asks_for_history(text) => {
                Some(self.postback(user, ReportPostback::History).await)
            }
            EventKind::Message(message) => self.with_draft(event, user, message).await,
            _ => None,
        }
    }

    /// A message from a citizen who may have a draft in progress.
    async fn with_draft(
        &self,
        event: &Event,
        user: &str,
        message: &IncomingMessage,
    ) -> Option<ReportAnswer> {
        let draft = match self.desk.draft(user).await {
            Ok(Some(draft)) => draft,
            Ok(None) => return None,
            Err(e) => {
                // The other features may still answer; the draft waits for the next message.
                tracing::error!(error = %e, "report draft not read");
                return None;
            }
        };
        if draft.is_expired(self.clock.now()) {
            if let Err(e) = self.desk.cancel(user).await {
                tracing::error!(error = %e, "expired report draft not deleted");
            }
            return Some(reply(vec![chat::expired(&DraftError::Expired.to_string())]));
        }
        let answer = match message {
            IncomingMessage::Location {
                latitude,
                longitude,
                title,
                address,
                ..
            } => {
                let Ok(position) = tayori_domain::facility::Position::new(*latitude, *longitude)
                else {
                    return Some(reply(vec![chat::prompt(&draft)]));
                };
                let place = address.clone().or_else(|| title.clone());
                let result = self.desk.locate(user, position, place).await;
                self.moved(user, result).await
            }
            IncomingMessage::Text { text, .. } => {
                let result = self.desk.text(user, text).await;
                self.moved(user, result).await
            }
            IncomingMessage::Image { id, .. } => return Some(self.photo(event, &draft, id).await),
            _ => chat::not_for_this_step(&draft),
        };
        Some(reply(answer))
    }

    /// A photo: handed to the reports function at the photo step, else told where we are.
    async fn photo(&self, event: &Event, draft: &ReportDraft, message_id: &str) -> ReportAnswer {
        if draft.step() != Step::Photos {
            return reply(chat::photo_not_now(draft));
        }
        if draft.photos().len() >= MAX_PHOTOS {
            return reply(chat::refusal(
                &InputProblem::TooManyPhotos.to_string(),
                draft,
            ));
        }
        // LINE sends a reply token with every message; without one nobody could be answered.
        let Some(reply_token) = event.reply_token.clone() else {
            tracing::warn!(webhook_event_id = %event.webhook_event_id, "photo without a reply token; not taken");
            return ReportAnswer::HandedOver;
        };
        let detail = ReportPhotoReceived {
            user_id: draft.user_id().to_string(),
            message_id: message_id.to_string(),
            reply_token,
            webhook_event_id: event.webhook_event_id.clone(),
        };
        let bus_event = tayori_ports::Event::new(
            REPORT_PHOTO_RECEIVED,
            serde_json::to_value(&detail).expect("the detail serialises"),
        );
        match self.bus.publish(vec![bus_event]).await {
            Ok(()) => ReportAnswer::HandedOver,
            Err(e) => {
                tracing::error!(error = %e, webhook_event_id = %event.webhook_event_id, "photo not handed to the reports function");
                reply(chat::photo_not_received(draft))
            }
        }
    }

    async fn postback(&self, user: &str, postback: ReportPostback) -> ReportAnswer {
        let result = match postback {
            ReportPostback::Start => return reply(self.categories().await),
            ReportPostback::History => {
                return reply(match self.desk.history(user).await {
                    Ok(reports) => vec![chat::history(&reports, &self.media_base_url)],
                    Err(e) => {
                        tracing::error!(error = %e, "report history not read");
                        vec![Message::text(chat::NOT_NOW)]
                    }
                })
            }
            ReportPostback::Cancel => {
                return reply(match self.desk.cancel(user).await {
                    Ok(()) => vec![Message::text(chat::CANCELLED)],
                    Err(e) => {
                        tracing::error!(error = %e, "report draft not deleted");
                        vec![Message::text(chat::NOT_NOW)]
                    }
                })
            }
            ReportPostback::Send => {
                return reply(match self.desk.file(user).await {
                    Ok(report) => {
                        tracing::info!(
                            report_id = report.id(),
                            receipt = report.receipt(),
                            "report filed from the chat"
                        );
                        vec![chat::receipt(&report)]
                    }
                    Err(e) => self.refused(user, e).await,
                })
            }
            ReportPostback::Category(id) => match self.desk.draft(user).await {
                Ok(Some(d)) if d.step() == Step::Category && !d.is_expired(self.clock.now()) => {
                    self.desk.choose(user, &id).await
                }
                Ok(_) => self.desk.start(user, &id).await,
                Err(e) => Err(e),
            },
            ReportPostback::Next => self.desk.photos_done(user).await,
            ReportPostback::Back => self.desk.back(user).await,
            ReportPostback::Skip => self.desk.skip_question(user).await,
        };
        reply(self.moved(user, result).await)
    }

    /// The categories offered now, as buttons.
    async fn categories(&self) -> Vec<Message> {
        match self.desk.offered_categories().await {
            Ok(categories) => vec![chat::choose_category(&categories)],
            Err(e) => {
                tracing::error!(error = %e, "report categories not read");
                vec![Message::text(chat::NOT_NOW)]
            }
        }
    }

    /// After a step: the next question, or why it was refused and the question again.
    async fn moved(&self, user: &str, result: Result<ReportDraft, DeskError>) -> Vec<Message> {
        match result {
            Ok(draft) => self.ask(&draft).await,
            Err(e) => self.refused(user, e).await,
        }
    }

    /// The question of the draft's step; back at the category list, the categories.
    async fn ask(&self, draft: &ReportDraft) -> Vec<Message> {
        if draft.step() == Step::Category {
            self.categories().await
        } else {
            vec![chat::prompt(draft)]
        }
    }

    async fn refused(&self, user: &str, error: DeskError) -> Vec<Message> {
        match &error {
            DeskError::Draft(DraftError::Expired) => {
                vec![chat::expired(&error.to_string())]
            }
            DeskError::NoDraft => vec![chat::expired(&error.to_string())],
            e if e.is_refusal() => match self.desk.draft(user).await {
                Ok(Some(draft)) if draft.step() == Step::Category => {
                    let mut messages = vec![Message::text(e.to_string())];
                    messages.extend(self.categories().await);
                    messages
                }
                Ok(Some(draft)) => chat::refusal(&e.to_string(), &draft),
                Ok(None) => {
                    let mut messages = vec![Message::text(e.to_string())];
                    messages.extend(self.categories().await);
                    messages
                }
                Err(read) => {
                    tracing::error!(error = %read, "report draft not read after a refusal");
                    vec![Message::text(e.to_string())]
                }
            },
            e => {
                tracing::error!(error = %e, "report step failed");
                vec![Message::text(chat::NOT_NOW)]
            }
        }
    }
}

fn reply(messages: Vec<Message>) -> ReportAnswer {
    ReportAnswer::Reply(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_for_reports_are_recognised_in_any_width() {
        for text in ["通報", " 通報する ", "通報　する？", "通報したい"] {
            assert!(asks_to_report(text), "{text}");
        }
        for text in ["通報履歴", "ごみ", "通報の仕方は？"] {
            assert!(!asks_to_report(text), "{text}");
        }
        assert!(asks_for_history("通報履歴"));
        assert!(asks_for_history("通報の履歴！"));
        assert!(!asks_for_history("履歴"));
    }
}
