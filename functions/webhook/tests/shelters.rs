//! Nearest shelters from the chat, at the webhook: a location is handed to the shelters function
//! on the bus with its reply token (and not replied to here), once however often LINE delivers
//! it; 「近くの避難所」 is answered at once with LINE's location picker.

use crate::support;

use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tayori_adapters::embedded;
use tayori_domain::hazard::Hazard;
use tayori_domain::location::{LocationReceived, LOCATION_RECEIVED};
use tayori_domain::usage::UsageKind;
use tayori_fake_line::FakeLine;
use tayori_line::signature::sign;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::{BusError, Clock, Event, EventBus, ManualClock, Platform};
use tayori_records::UsageEvents;
use tayori_webhook::{router, WebhookState};

const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";

/// The bus as the shelters function would see it: every event published, in order.
#[derive(Default)]
struct Recorded(Mutex<Vec<Event>>);

#[async_trait]
impl EventBus for Recorded {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(events);
        Ok(())
    }
}

/// A bus that is down.
struct Down;

#[async_trait]
impl EventBus for Down {
    async fn publish(&self, _: Vec<Event>) -> Result<(), BusError> {
        Err(BusError::Unavailable("connection refused".into()))
    }
}

struct Webhook {
    app: axum::Router,
    platform: Platform,
    fake: FakeLine,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

async fn webhook(bus: Arc<dyn EventBus>) -> Webhook {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let (mut platform, _in_process) = embedded::platform(dir.path(), clock.clone()).unwrap();
    platform.bus = bus;
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "test-token")));
    let state = WebhookState::new(
        platform.clone(),
        line,
        support::SECRET.into(),
        support::CITY,
    );
    Webhook {
        app: router(Arc::new(state)),
        platform,
        fake,
        clock,
        _dir: dir,
    }
}

impl Webhook {
    fn event(&self, id: &str, kind: &str, extra: Value) -> Value {
        let mut e = json!({
            "type": kind, "mode": "active",
            "timestamp": self.clock.now().timestamp_millis(),
            "source": {"type": "user", "userId": CITIZEN},
            "webhookEventId": id,
            "deliveryContext": {"isRedelivery": false},
            "replyToken": format!("token-{id}"),
        });
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        e
    }

    async fn deliver(&self, event: &Value) -> StatusCode {
        let raw = support::body(vec![event.clone()]);
        let signature = sign(support::SECRET, &raw);
        support::post(&self.app, raw, Some(signature)).await
    }

    fn replies(&self) -> Vec<Value> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.path == "/v2/bot/message/reply")
            .map(|r| {
                assert_eq!(r.status, 200, "{}", r.body);
                assert!(r.schema_errors.is_empty(), "{:?}", r.schema_errors);
                r.body
            })
            .collect()
    }

    async fn lookups_counted(&self) -> usize {
        let mut count = 0;
        let today = self.clock.now().date_naive();
        UsageEvents::new(self.platform.table.clone())
            .each_between(today.pred_opt().unwrap(), today.succ_opt().unwrap(), |e| {
                if e.kind == UsageKind::ShelterLookup {
                    count += 1;
                }
            })
            .await
            .unwrap();
        count
    }
}

fn location(latitude: f64, longitude: f64) -> Value {
    json!({"message": {"type": "location", "id": "m1", "latitude": latitude, "longitude": longitude,
        "address": "福井県小浜市大手町6-3"}})
}

#[tokio::test]
async fn a_location_is_handed_to_the_shelters_function_once_with_its_reply_token() {
    let bus = Arc::new(Recorded::default());
    let w = webhook(bus.clone()).await;
    let event = w.event("01LOCATION0001", "message", location(35.4953, 135.7466));
    assert_eq!(w.deliver(&event).await, StatusCode::OK);

    let published = bus.0.lock().unwrap().clone();
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0].detail_type, LOCATION_RECEIVED);
    tayori_ports::bus::validate_event(&published[0]).unwrap();
    let detail: LocationReceived = serde_json::from_value(published[0].detail.clone()).unwrap();
    assert_eq!(
        detail,
        LocationReceived {
            user_id: CITIZEN.into(),
            reply_token: "token-01LOCATION0001".into(),
            latitude: 35.4953,
            longitude: 135.7466,
            webhook_event_id: "01LOCATION0001".into(),
            hazard: None,
            kind: None,
        }
    );
    // The token is the shelters function's to use: the webhook does not reply.
    assert!(w.replies().is_empty(), "{:?}", w.replies());
    assert_eq!(w.lookups_counted().await, 1);

    // LINE delivers the same event again (its redelivery): nothing more is published or counted.
    let mut again = event.clone();
    again["deliveryContext"]["isRedelivery"] = json!(true);
    assert_eq!(w.deliver(&again).await, StatusCode::OK);
    assert_eq!(bus.0.lock().unwrap().len(), 1);
    assert_eq!(w.lookups_counted().await, 1);
}

#[tokio::test]
async fn asking_for_shelters_in_words_or_from_a_menu_opens_the_location_picker_and_publishes_nothing(
) {
    let bus = Arc::new(Recorded::default());
    let w = webhook(bus.clone()).await;
    for (n, text) in ["近くの避難所", "避難所"].into_iter().enumerate() {
        let event = w.event(
            &format!("01ASK{n}"),
            "message",
            json!({"message": {"type": "text", "id": "1", "quoteToken": "q", "text": text}}),
        );
        assert_eq!(w.deliver(&event).await, StatusCode::OK);
    }
    let menu = w.event(
        "01ASKMENU",
        "postback",
        json!({"postback": {"data": tayori_webhook::shelters::ASK_POSTBACK}}),
    );
    assert_eq!(w.deliver(&menu).await, StatusCode::OK);
    let replies = w.replies();
    assert_eq!(replies.len(), 3);
    for reply in &replies {
        let items = reply["messages"][0]["quickReply"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("quick replies in {reply}"));
        assert!(
            items.iter().any(|i| i["action"]["type"] == "location"),
            "{reply}"
        );
    }
    assert!(bus.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_hazard_picked_under_an_answer_is_published_like_a_location_with_the_hazard() {
    let bus = Arc::new(Recorded::default());
    let w = webhook(bus.clone()).await;
    let data = tayori_facilities::ChatRequest {
        position: tayori_domain::facility::Position::new(35.4953, 135.7466).unwrap(),
        kind: None,
        hazard: Some(Hazard::Tsunami),
    }
    .to_postback();
    let event = w.event(
        "01HAZARD0001",
        "postback",
        json!({"postback": {"data": data}}),
    );
    assert_eq!(w.deliver(&event).await, StatusCode::OK);
    let published = bus.0.lock().unwrap().clone();
    assert_eq!(published.len(), 1);
    let detail: LocationReceived = serde_json::from_value(published[0].detail.clone()).unwrap();
    assert_eq!(detail.hazard, Some(Hazard::Tsunami));
    assert_eq!(detail.reply_token, "token-01HAZARD0001");
    assert!((detail.latitude - 35.4953).abs() < 1e-9);
    assert!(w.replies().is_empty());
}

#[tokio::test]
async fn when_the_bus_is_down_the_citizen_is_told_to_send_the_location_again() {
    let w = webhook(Arc::new(Down)).await;
    let event = w.event("01DOWN0001", "message", location(35.4953, 135.7466));
    assert_eq!(w.deliver(&event).await, StatusCode::OK);
    let replies = w.replies();
    assert_eq!(replies.len(), 1);
    assert_eq!(
        replies[0]["messages"][0]["text"],
        tayori_webhook::shelters::NOT_NOW
    );
    assert_eq!(w.lookups_counted().await, 0);
}

#[tokio::test]
async fn asking_for_a_kind_staff_defined_keeps_it_until_the_location_arrives() {
    use tayori_domain::facility::{FacilityKind, KindId};
    let bus = Arc::new(Recorded::default());
    let w = webhook(bus.clone()).await;
    let kominkan = FacilityKind::new(KindId::new("kominkan").unwrap(), "公民館").unwrap();
    tayori_facilities::FacilityDesk::new(&w.platform)
        .save_kind(&kominkan)
        .await
        .unwrap();
    let text = |id: &str, text: &str| {
        w.event(
            id,
            "message",
            json!({"message": {"type": "text", "id": "1", "quoteToken": "q", "text": text}}),
        )
    };

    // A kind nobody defined is not this feature's: the usual answers take it.
    assert_eq!(
        w.deliver(&text("01KIND0", "近くの図書館")).await,
        StatusCode::OK
    );
    assert_eq!(
        w.deliver(&text("01KIND1", "近くの 公民館")).await,
        StatusCode::OK
    );
    let replies = w.replies();
    assert_eq!(replies.len(), 2);
    assert!(!replies[0].to_string().contains("位置情報を送る"));
    let asked = &replies[1]["messages"][0];
    assert!(
        asked["text"].as_str().unwrap().contains("近くの公民館"),
        "{asked}"
    );
    assert_eq!(
        asked["quickReply"]["items"][0]["action"]["type"],
        "location"
    );

    let first = w.event("01KIND2", "message", location(35.4953, 135.7466));
    assert_eq!(w.deliver(&first).await, StatusCode::OK);
    // The question is answered once: the next location asks for shelters again.
    let second = w.event("01KIND3", "message", location(35.4953, 135.7466));
    assert_eq!(w.deliver(&second).await, StatusCode::OK);
    let kinds: Vec<Option<String>> = bus
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|e| {
            serde_json::from_value::<LocationReceived>(e.detail.clone())
                .unwrap()
                .kind
        })
        .collect();
    assert_eq!(kinds, [Some("kominkan".to_owned()), None]);

    // Asking for shelters after a kind forgets the kind.
    assert_eq!(
        w.deliver(&text("01KIND4", "近くの公民館")).await,
        StatusCode::OK
    );
    assert_eq!(w.deliver(&text("01KIND5", "避難所")).await, StatusCode::OK);
    let third = w.event("01KIND6", "message", location(35.4953, 135.7466));
    assert_eq!(w.deliver(&third).await, StatusCode::OK);
    let last = bus.0.lock().unwrap().last().cloned().unwrap();
    let last: LocationReceived = serde_json::from_value(last.detail).unwrap();
    assert_eq!(last.kind, None);
}
