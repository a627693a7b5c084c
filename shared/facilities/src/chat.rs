//! The LINE replies for 「近くの避難所」 and 「近くの〇〇」: a question that opens LINE's location
//! picker, and the answer as a carousel, one bubble per site, nearest first.
//!
//! A hazard filter is a quick reply whose postback carries the asker's position, so that
//! switching to 津波 needs no second location and nothing is kept about the citizen.

use crate::data::{ATTRIBUTION, CAVEAT};
use crate::nearby::{NearbyAnswer, NearbyQuery, NearbySite, DEFAULT_LIMIT};
use serde_json::{json, Value};
use tayori_domain::facility::{FacilityKind, KindId, Position};
use tayori_domain::hazard::Hazard;
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};

/// The postback prefix of a nearest-site request.
pub const POSTBACK_PREFIX: &str = "shelters:near?";
/// Bubbles in a reply (the five nearest).
pub const MAX_BUBBLES: usize = 5;

/// The hazards citizens filter by from the chat, with the quick reply's word.
pub const HAZARD_CHOICES: [(Hazard, &str); 5] = [
    (Hazard::Tsunami, "津波"),
    (Hazard::Flood, "洪水"),
    (Hazard::Landslide, "土砂"),
    (Hazard::Earthquake, "地震"),
    (Hazard::LargeFire, "火事"),
];

/// A nearest-site request that came back from a quick reply.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest {
    pub position: Position,
    pub kind: Option<KindId>,
    pub hazard: Option<Hazard>,
}

impl ChatRequest {
    /// `shelters:near?lat=35.4953&lng=135.7466&hazard=tsunami[&kind=kominkan]`; `None` for any
    /// other postback or a malformed one.
    pub fn from_postback(data: &str) -> Option<Self> {
        let query = data.strip_prefix(POSTBACK_PREFIX)?;
        let (mut lat, mut lng, mut kind, mut hazard) = (None, None, None, None);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "lat" => lat = Some(value.parse::<f64>().ok()?),
                "lng" => lng = Some(value.parse::<f64>().ok()?),
                "kind" => kind = Some(KindId::new(&value).ok()?),
                "hazard" => hazard = Some(Hazard::from_code(&value)?),
                _ => return None,
            }
        }
        Some(Self {
            position: Position::new(lat?, lng?).ok()?,
            kind: kind.filter(|k| !k.is_shelter()),
            hazard,
        })
    }

    pub fn to_postback(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("lat", &coordinate(self.position.lat()));
        query.append_pair("lng", &coordinate(self.position.lng()));
        if let Some(kind) = self.kind.as_ref().filter(|k| !k.is_shelter()) {
            query.append_pair("kind", kind.as_str());
        }
        if let Some(hazard) = self.hazard {
            query.append_pair("hazard", hazard.code());
        }
        format!("{POSTBACK_PREFIX}{}", query.finish())
    }

    pub fn to_query(&self) -> NearbyQuery {
        NearbyQuery {
            position: self.position,
            kind: self.kind.clone(),
            hazard: self.hazard,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// Six decimals: about 10 cm, and short enough for a postback's 300 characters.
fn coordinate(degrees: f64) -> String {
    let text = format!("{degrees:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// 「約350m」, 「約1.2km」.
pub fn distance_words(metres: f64) -> String {
    if metres < 995.0 {
        let rounded = ((metres / 10.0).round() * 10.0).max(10.0);
        format!("約{rounded:.0}m")
    } else {
        format!("約{:.1}km", metres / 1000.0)
    }
}

/// The question for 「近くの避難所」 (no kind) or 「近くの公民館」: LINE's location picker.
pub fn ask_location(kind: Option<&FacilityKind>) -> Message {
    let name = kind
        .filter(|k| !k.is_shelter())
        .map_or("避難所", FacilityKind::name);
    Message::text(format!(
        "いまいる場所を送ると、近くの{name}をお知らせします。下の「位置情報を送る」を押してください。"
    ))
    .with_quick_reply(QuickReply::new(vec![QuickReplyItem::new(
        Action::Location {
            label: Some("位置情報を送る".into()),
        },
    )]))
}

/// The answer as LINE messages: the carousel (or a sentence when nothing was found), then
/// the note GSI's terms ask for, with hazard filters for shelters.
pub fn nearest_reply(answer: &NearbyAnswer, map_page_url: &str) -> Vec<Message> {
    let shelters = answer.kind.is_shelter();
    let filter = hazard_words(&answer.hazards);
    let mut messages = Vec::new();
    if answer.sites.is_empty() {
        let mut text = format!("近くに{}が見つかりませんでした。", answer.kind_name);
        if !filter.is_empty() {
            text.push_str(&format!(
                "（{filter}の指定緊急避難場所を探しました。ほかの災害の種類も選べます。）"
            ));
        }
        messages.push(Message::text(text));
    } else {
        let bubbles: Vec<Value> = answer
            .sites
            .iter()
            .take(MAX_BUBBLES)
            .map(|site| bubble(answer, site, map_page_url))
            .collect();
        let alt = format!(
            "近くの{}（{}件）：{}",
            answer.kind_name,
            bubbles.len(),
            answer.sites[0].name
        );
        messages.push(Message::flex(
            alt,
            json!({"type": "carousel", "contents": bubbles}),
        ));
        let mut note = String::from("距離は直線距離です。実際の道のりとは異なります。");
        if !filter.is_empty() {
            note.push_str(&format!("{filter}の指定緊急避難場所を表示しています。"));
        }
        if shelters {
            note.push('\n');
            note.push_str(CAVEAT);
            note.push('\n');
            note.push_str(ATTRIBUTION);
        }
        messages.push(Message::text(note));
    }
    if shelters {
        let request = |hazard| ChatRequest {
            position: answer.position,
            kind: None,
            hazard: Some(hazard),
        };
        let items = HAZARD_CHOICES
            .iter()
            .map(|(hazard, word)| {
                let mut action = Action::postback(*word, request(*hazard).to_postback());
                if let Action::Postback { display_text, .. } = &mut action {
                    *display_text = Some(format!("{word}の避難場所"));
                }
                QuickReplyItem::new(action)
            })
            .collect();
        let last = messages.pop().expect("one message at least");
        messages.push(last.with_quick_reply(QuickReply::new(items)));
    }
    messages
}

fn hazard_words(hazards: &[Hazard]) -> String {
    hazards
        .iter()
        .map(|h| h.label())
        .collect::<Vec<_>>()
        .join("・")
}

fn walking_route(site: &NearbySite) -> String {
    format!(
        "https://www.google.com/maps/dir/?api=1&destination={},{}&travelmode=walking",
        coordinate(site.lat),
        coordinate(site.lng)
    )
}

fn map_page(answer: &NearbyAnswer, site: &NearbySite, map_page_url: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("lat", &coordinate(answer.position.lat()));
    query.append_pair("lng", &coordinate(answer.position.lng()));
    if !answer.kind.is_shelter() {
        query.append_pair("kind", answer.kind.as_str());
    }
    if let [hazard] = answer.hazards.as_slice() {
        query.append_pair("hazard", hazard.code());
    } else if !answer.hazards.is_empty() {
        let codes: Vec<_> = answer.hazards.iter().map(|h| h.code()).collect();
        query.append_pair("hazard", &codes.join(","));
    }
    query.append_pair("site", &site.id);
    let joiner = if map_page_url.contains('?') { '&' } else { '?' };
    format!("{map_page_url}{joiner}{}", query.finish())
}

fn small(text: String, color: &str) -> Value {
    json!({"type": "text", "text": text, "size": "sm", "color": color, "wrap": true})
}

fn bubble(answer: &NearbyAnswer, site: &NearbySite, map_page_url: &str) -> Value {
    let mut body = vec![
        json!({"type": "text", "text": site.name, "weight": "bold", "size": "lg", "wrap": true}),
        small(
            format!("直線距離 {}", distance_words(site.distance_m)),
            "#333333",
        ),
    ];
    if answer.kind.is_shelter() {
        if !site.hazards.is_empty() {
            body.push(small(
                format!("指定緊急避難場所：{}", hazard_words(&site.hazards)),
                "#555555",
            ));
        }
        if site.designated_shelter {
            body.push(small("指定避難所".into(), "#555555"));
        }
        if answer.emergency.is_some() && site.designated_shelter {
            let (text, color) = match &site.status {
                Some(s) => (
                    format!("開設状況：{}（{} 更新）", s.label, s.updated_at_jst),
                    if s.status.turns_people_away() {
                        "#C62828"
                    } else {
                        "#1B5E20"
                    },
                ),
                None => ("開設状況：情報はまだありません".to_owned(), "#555555"),
            };
            body.push(json!({"type": "text", "text": text, "size": "sm", "weight": "bold", "color": color, "wrap": true}));
        }
    } else {
        if let Some(hours) = &site.hours {
            body.push(small(format!("開館時間：{hours}"), "#555555"));
        }
        if let Some(phone) = &site.phone {
            body.push(small(format!("電話：{phone}"), "#555555"));
        }
    }
    if !site.address.is_empty() {
        body.push(small(site.address.clone(), "#777777"));
    }
    json!({
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
            {"type": "button", "style": "primary", "height": "sm",
             "action": {"type": "uri", "label": "徒歩ルート", "uri": walking_route(site)}},
            {"type": "button", "style": "secondary", "height": "sm",
             "action": {"type": "uri", "label": "地図で見る", "uri": map_page(answer, site, map_page_url)}},
        ]},
    })
}
