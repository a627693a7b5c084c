//! Nearest shelters in the chat (issue 13): what the webhook does itself, and what it hands to
//! the shelters function.
//!
//! - 「避難所」「近くの避難所」 (and [`ASK_POSTBACK`], for a rich menu area) are answered at once
//!   with the ask-location message: its quick reply opens LINE's location picker.
//! - A location message, or a hazard picked under an earlier answer
//!   (`shelters:near?lat=…&lng=…&hazard=…`), is published as `location.received` with the
//!   event's reply token, and nothing is replied here: the shelters function looks the sites
//!   up and answers with that token (see `functions/shelters/src/lib.rs` for why).
//!
//! The event is claimed (de-duplicated) before it gets here, so a redelivered location is
//! published once. Each hand-over counts one 避難所検索 with the friend's attributes.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::location::{LocationReceived, LOCATION_RECEIVED};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_domain::Friend;
use tayori_facilities::chat::{ask_location, ChatRequest};
use tayori_line::message::Message;
use tayori_line::webhook::{Event, EventKind, IncomingMessage};
use tayori_ports::{EventBus, Platform};
use tayori_records::UsageEvents;
use unicode_normalization::UnicodeNormalization;

/// What citizens write to ask for the nearest shelters (after NFKC, spaces removed).
pub const ASKING_TEXTS: [&str; 6] = [
    "避難所",
    "近くの避難所",
    "避難場所",
    "近くの避難場所",
    "避難所を探す",
    "近くの避難所を探す",
];

/// The postback a rich menu area or button sends to ask for the nearest shelters.
pub const ASK_POSTBACK: &str = "shelters:ask";

/// Said when the bus would not take the location: the citizen can send it again.
pub const NOT_NOW: &str =
    "ただいま避難所を検索できません。少し時間をおいて、もう一度位置情報を送ってください。";

/// What the shelter feature made of an event.
#[derive(Debug)]
pub enum ShelterAnswer {
    /// Reply with these messages now.
    Reply(Vec<Message>),
    /// Published for the shelters function, which replies with the event's token.
    HandedOver,
}

/// What a citizen asked for: where they are, and a hazard or kind if they picked one.
struct Asked {
    latitude: f64,
    longitude: f64,
    hazard: Option<tayori_domain::hazard::Hazard>,
    kind: Option<String>,
}

pub struct ShelterChat {
    bus: Arc<dyn EventBus>,
    usage: UsageEvents,
}

impl ShelterChat {
    pub fn new(platform: &Platform) -> Self {
        Self {
            bus: platform.bus.clone(),
            usage: UsageEvents::new(platform.table.clone()),
        }
    }

    /// The answer to `event` when it is about shelters; `None` leaves it to the other features.
    pub async fn answer(
        &self,
        event: &Event,
        friend: &Friend,
        at: DateTime<Utc>,
    ) -> Option<ShelterAnswer> {
        match &event.kind {
            EventKind::Message(IncomingMessage::Location {
                latitude,
                longitude,
                ..
            }) => {
                let asked = Asked {
                    latitude: *latitude,
                    longitude: *longitude,
                    hazard: None,
                    kind: None,
                };
                Some(self.hand_over(event, friend, asked, at).await)
            }
            EventKind::Message(IncomingMessage::Text { text, .. }) if asks_for_shelters(text) => {
                Some(ShelterAnswer::Reply(vec![ask_location(None)]))
            }
            EventKind::Postback { data, .. } if data == ASK_POSTBACK => {
                Some(ShelterAnswer::Reply(vec![ask_location(None)]))
            }
            EventKind::Postback { data, .. } => {
                let request = ChatRequest::from_postback(data)?;
                let asked = Asked {
                    latitude: request.position.lat(),
                    longitude: request.position.lng(),
                    hazard: request.hazard,
                    kind: request.kind.map(|k| k.as_str().to_owned()),
                };
                Some(self.hand_over(event, friend, asked, at).await)
            }
            _ => None,
        }
    }

    async fn hand_over(
        &self,
        event: &Event,
        friend: &Friend,
        asked: Asked,
        at: DateTime<Utc>,
    ) -> ShelterAnswer {
        // Without a reply token (LINE always sends one with messages and postbacks) nobody
        // could be answered for free; a push per lookup is not worth the quota.
        let Some(reply_token) = event.reply_token.clone() else {
            tracing::warn!(webhook_event_id = %event.webhook_event_id, "location without a reply token; not looked up");
            return ShelterAnswer::HandedOver;
        };
        let detail = LocationReceived {
            user_id: friend.user_id.clone(),
            reply_token,
            latitude: asked.latitude,
            longitude: asked.longitude,
            webhook_event_id: event.webhook_event_id.clone(),
            hazard: asked.hazard,
            kind: asked.kind,
        };
        if !detail.is_coordinate() {
            return ShelterAnswer::Reply(vec![ask_location(None)]);
        }
        let bus_event = tayori_ports::Event::new(
            LOCATION_RECEIVED,
            serde_json::to_value(&detail).expect("a location serialises"),
        );
        if let Err(e) = self.bus.publish(vec![bus_event]).await {
            tracing::error!(error = %e, webhook_event_id = %event.webhook_event_id, "location not handed to the shelters function");
            return ShelterAnswer::Reply(vec![Message::text(NOT_NOW)]);
        }
        let usage = UsageEvent::one(UsageKind::ShelterLookup, at)
            .with_attributes(friend.attributes.clone());
        self.usage.record_quietly(&usage).await;
        ShelterAnswer::HandedOver
    }
}

/// Whether `text` asks for the nearest shelters, whatever the width of its characters.
pub fn asks_for_shelters(text: &str) -> bool {
    let normalised: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    let normalised = normalised.trim_end_matches(['?', '!', '。']);
    ASKING_TEXTS.contains(&normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_for_shelters_are_recognised_in_any_width_and_other_text_is_not() {
        for text in [
            "避難所",
            " 近くの避難所 ",
            "近くの　避難所？",
            "避難場所",
            "避難所を探す",
        ] {
            assert!(asks_for_shelters(text), "{text}");
        }
        for text in ["避難所の開設状況は？", "ごみ", "避難", "近くの公民館"] {
            assert!(!asks_for_shelters(text), "{text}");
        }
    }
}
