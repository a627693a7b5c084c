//! Nearest shelters in the chat (issue 13): what the webhook does itself, and what it hands to
//! the shelters function.
//!
//! - 「避難所」「近くの避難所」 (and [`ASK_POSTBACK`], for a rich menu area) are answered at once
//!   with the ask-location message: its quick reply opens LINE's location picker.
//! - 「近くの公民館」, for any kind of facility staff defined, gets the same question; the kind
//!   waits in [`LocationAsks`] (ten minutes) for the location, which carries no context.
//! - A location message, or a hazard picked under an earlier answer
//!   (`shelters:near?lat=…&lng=…&hazard=…`), is published as `location.received` with the
//!   event's reply token, and nothing is replied here: the shelters function looks the sites
//!   up and answers with that token (see `functions/shelters/src/lib.rs` for why).
//!
//! The event is claimed (de-duplicated) before it gets here, so a redelivered location is
//! published once. Each hand-over counts one 避難所検索 with the friend's attributes.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::facility::FacilityKind;
use tayori_domain::location::{LocationReceived, LOCATION_RECEIVED};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_domain::Friend;
use tayori_facilities::chat::{ask_location, ChatRequest};
use tayori_facilities::FacilityDesk;
use tayori_line::message::Message;
use tayori_line::webhook::{Event, EventKind, IncomingMessage};
use tayori_ports::{EventBus, Platform};
use tayori_records::{LocationAsks, Occasion, UsageEvents};
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
    facilities: FacilityDesk,
    asks: LocationAsks,
}

impl ShelterChat {
    pub fn new(platform: &Platform) -> Self {
        Self {
            bus: platform.bus.clone(),
            usage: UsageEvents::new(platform.table.clone()),
            facilities: FacilityDesk::new(platform),
            asks: LocationAsks::new(platform.table.clone()),
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
                let kind = self.asks.take(&friend.user_id).await.unwrap_or_else(|e| {
                    // The shelters are the answer a citizen needs most; they get those.
                    tracing::error!(error = %e, "the kind asked for could not be read");
                    None
                });
                let asked = Asked {
                    latitude: *latitude,
                    longitude: *longitude,
                    hazard: None,
                    kind,
                };
                Some(self.hand_over(event, friend, asked, at).await)
            }
            EventKind::Message(IncomingMessage::Text { text, .. }) if asks_for_shelters(text) => {
                Some(self.ask_for_shelters(friend).await)
            }
            EventKind::Postback { data, .. } if data == ASK_POSTBACK => {
                Some(self.ask_for_shelters(friend).await)
            }
            EventKind::Message(IncomingMessage::Text { text, .. }) => {
                let kind = self.kind_asked_for(text).await?;
                if let Err(e) = self
                    .asks
                    .remember(&friend.user_id, kind.id().as_str(), at)
                    .await
                {
                    tracing::error!(error = %e, "the kind asked for could not be kept");
                    return Some(ShelterAnswer::Reply(vec![Message::text(NOT_NOW)]));
                }
                Some(ShelterAnswer::Reply(vec![ask_location(Some(&kind))]))
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

    /// The question for shelters; a kind asked for earlier no longer waits for the location.
    async fn ask_for_shelters(&self, friend: &Friend) -> ShelterAnswer {
        if let Err(e) = self.asks.forget(&friend.user_id).await {
            tracing::error!(error = %e, "an earlier question could not be forgotten");
        }
        ShelterAnswer::Reply(vec![ask_location(None)])
    }

    /// The staff-defined kind 「近くの<name>」 names, if any. Only text of that shape reads the
    /// kinds, so other messages cost nothing here.
    async fn kind_asked_for(&self, text: &str) -> Option<FacilityKind> {
        let name = facility_asked_for(text)?;
        let kinds = match self.facilities.kinds().await {
            Ok(kinds) => kinds,
            Err(e) => {
                tracing::error!(error = %e, "facility kinds could not be read");
                return None;
            }
        };
        kinds
            .into_iter()
            .find(|k| !k.is_shelter() && normalised(k.name()) == name)
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
        let occasion = Occasion::line_event(&event.webhook_event_id);
        self.usage.record_quietly(&occasion, &usage).await;
        ShelterAnswer::HandedOver
    }
}

/// `text` in NFKC without spaces or a closing 「？」「！」「。」.
fn normalised(text: &str) -> String {
    let normalised: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    normalised.trim_end_matches(['?', '!', '。']).to_owned()
}

/// Whether `text` asks for the nearest shelters, whatever the width of its characters.
pub fn asks_for_shelters(text: &str) -> bool {
    ASKING_TEXTS.contains(&normalised(text).as_str())
}

/// The name in 「近くの<name>」 (「近くの<name>を探す」), normalised, if `text` has that shape.
fn facility_asked_for(text: &str) -> Option<String> {
    let text = normalised(text);
    let name = text.strip_prefix("近くの")?;
    let name = name.strip_suffix("を探す").unwrap_or(name);
    (!name.is_empty()).then(|| name.to_owned())
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

    #[test]
    fn a_facility_is_asked_for_as_near_something() {
        assert_eq!(
            facility_asked_for("近くの公民館").as_deref(),
            Some("公民館")
        );
        assert_eq!(
            facility_asked_for(" 近くの ＡＥＤを探す？").as_deref(),
            Some("AED")
        );
        assert_eq!(facility_asked_for("近くの"), None);
        assert_eq!(facility_asked_for("公民館"), None);
    }
}
