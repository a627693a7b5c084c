//! The LINE simulator: a page where a developer or a clerk plays citizens. Every action becomes
//! a webhook body as LINE would send it, signed with the channel secret and POSTed over HTTP to
//! the real `/line/webhook` route; what the bot sent back is read from the fake LINE server's
//! records, so the page shows exactly what LINE would have received.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tayori_fake_line::FakeLine;
use tayori_ports::{Condition, Item, Query as TableQuery, TableStore};

/// The channel's own bot user id in `destination`; any `U`+32 hex does for the simulator.
const DESTINATION: &str = "U00000000000000000000000000000000";
const CITIZENS_PK: &str = "SIMULATOR";
/// Largest image the simulator accepts (LINE allows up to 10 MB for user images).
const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// Most photos sent together from the page: the simulator's own bound on one request (the
/// page sends them base64-encoded in one JSON body), above the 4 a report takes so that "too
/// many photos" can be tried.
const MAX_PHOTOS_AT_ONCE: usize = 10;

pub struct Simulator {
    base_url: String,
    channel_secret: String,
    table: Arc<dyn TableStore>,
    fake_line: FakeLine,
    http: reqwest::Client,
    /// What each citizen sent, in order; bot messages come from the fake LINE records.
    sent: Mutex<HashMap<String, Vec<SentByCitizen>>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Citizen {
    pub user_id: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SentByCitizen {
    at: DateTime<Utc>,
    kind: String,
    summary: String,
    reply_token: Option<String>,
    webhook_status: u16,
    body: Value,
    /// The message id of a photo, whose content the page shows from the fake LINE.
    image_message_id: Option<String>,
}

/// One photo as the page sends it: a file's content type and its bytes in base64.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Photo {
    pub content_type: String,
    pub data_base64: String,
}

/// A webhook event made from one action, ready to sign and post.
struct Outgoing {
    event_type: &'static str,
    detail: Value,
    summary: String,
    kind: &'static str,
    image_message_id: Option<String>,
}

/// One action of a citizen in the simulator, as the page sends it (camelCase, like LINE's JSON).
#[derive(Debug, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    Text {
        text: String,
    },
    Location {
        latitude: f64,
        longitude: f64,
        title: Option<String>,
        address: Option<String>,
    },
    Image {
        content_type: String,
        data_base64: String,
    },
    /// Several photos sent at once: LINE sends one image event each, tied by an `imageSet`.
    Images {
        images: Vec<Photo>,
    },
    Sticker {
        package_id: String,
        sticker_id: String,
    },
    Follow,
    Unfollow,
    Postback {
        data: String,
        /// What LINE shows as the citizen's message for a rich menu or button postback; LINE
        /// does not put it in the webhook event.
        #[serde(default)]
        display_text: Option<String>,
        /// What LINE's date picker adds (`{"date": "2026-01-15"}`).
        #[serde(default)]
        params: Option<std::collections::BTreeMap<String, String>>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendRequest {
    pub user_id: String,
    #[serde(flatten)]
    pub action: Action,
}

impl Simulator {
    pub fn new(
        base_url: String,
        channel_secret: String,
        table: Arc<dyn TableStore>,
        fake_line: FakeLine,
    ) -> Self {
        Self {
            base_url,
            channel_secret,
            table,
            fake_line,
            http: reqwest::Client::new(),
            sent: Mutex::new(HashMap::new()),
        }
    }

    pub async fn citizens(&self) -> Result<Vec<Citizen>, SimulatorError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(TableQuery::partition(CITIZENS_PK).limit(500).after(cursor))
                .await?;
            for item in page.items {
                if let Ok(c) = serde_json::from_value::<Citizen>(item.body) {
                    all.push(c);
                }
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(all)
    }

    pub async fn create_citizen(&self, name: &str) -> Result<Citizen, SimulatorError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 20 {
            return Err(SimulatorError::BadName);
        }
        let citizen = Citizen {
            user_id: format!("U{}", hex(16)),
            name: name.to_string(),
        };
        let item = Item::new(
            CITIZENS_PK,
            format!("CITIZEN#{}", citizen.user_id),
            serde_json::to_value(&citizen).expect("citizen serialises"),
        );
        self.table.put(item, Condition::IfAbsent).await?;
        self.fake_line.add_user(&citizen.user_id, &citizen.name);
        Ok(citizen)
    }

    /// Builds the webhook event, signs the body and posts it to the real webhook route. Photos
    /// are stored first as the message's content in the fake LINE, where the bot fetches them
    /// by message id as from LINE's content API. Several photos are one webhook each, in order,
    /// and the answer lists them under `sent`.
    pub async fn send(&self, request: SendRequest) -> Result<Value, SimulatorError> {
        if !is_user_id(&request.user_id) {
            return Err(SimulatorError::BadUserId);
        }
        let mut sent = Vec::new();
        for outgoing in self.events_for(&request.action)? {
            sent.push(self.post(&request.user_id, outgoing).await?);
        }
        match &request.action {
            Action::Images { .. } => Ok(json!({ "sent": sent })),
            _ => Ok(sent.pop().expect("every other action is one event")),
        }
    }

    /// The events one action makes: one, or one per photo sent together.
    fn events_for(&self, action: &Action) -> Result<Vec<Outgoing>, SimulatorError> {
        let Action::Images { images } = action else {
            return Ok(vec![self.event_for(action)?]);
        };
        if images.is_empty() || images.len() > MAX_PHOTOS_AT_ONCE {
            return Err(SimulatorError::PhotoCount);
        }
        // Every photo is checked before any is sent, so a bad one sends none.
        let photos = images
            .iter()
            .map(|p| photo_bytes(&p.content_type, &p.data_base64))
            .collect::<Result<Vec<_>, _>>()?;
        let set_id = hex(32).to_uppercase();
        let total = photos.len();
        Ok(photos
            .into_iter()
            .zip(images)
            .enumerate()
            .map(|(index, (bytes, photo))| {
                // LINE names the set only when several images are sent together.
                let image_set =
                    (total > 1).then(|| json!({"id": set_id, "index": index + 1, "total": total}));
                self.image_event(bytes, &photo.content_type, image_set)
            })
            .collect())
    }

    fn event_for(&self, action: &Action) -> Result<Outgoing, SimulatorError> {
        let plain = |event_type, detail, summary: String, kind| Outgoing {
            event_type,
            detail,
            summary,
            kind,
            image_message_id: None,
        };
        Ok(match action {
            Action::Text { text } => {
                if text.is_empty() {
                    return Err(SimulatorError::EmptyText);
                }
                plain(
                    "message",
                    json!({"message": {"type": "text", "id": message_id(), "quoteToken": hex(16), "text": text}}),
                    text.clone(),
                    "text",
                )
            }
            Action::Location {
                latitude,
                longitude,
                title,
                address,
            } => {
                if !(-90.0..=90.0).contains(latitude) || !(-180.0..=180.0).contains(longitude) {
                    return Err(SimulatorError::NotACoordinate);
                }
                let mut m = json!({"type": "location", "id": message_id(), "latitude": latitude, "longitude": longitude});
                if let Some(t) = title.as_ref().filter(|t| !t.is_empty()) {
                    m["title"] = json!(t);
                }
                if let Some(a) = address.as_ref().filter(|a| !a.is_empty()) {
                    m["address"] = json!(a);
                }
                plain(
                    "message",
                    json!({ "message": m }),
                    format!("位置情報 {latitude:.5}, {longitude:.5}"),
                    "location",
                )
            }
            Action::Image {
                content_type,
                data_base64,
            } => {
                let bytes = photo_bytes(content_type, data_base64)?;
                self.image_event(bytes, content_type, None)
            }
            // Made by `events_for`, one event per photo.
            Action::Images { .. } => return Err(SimulatorError::PhotoCount),
            Action::Sticker {
                package_id,
                sticker_id,
            } => plain(
                "message",
                json!({"message": {"type": "sticker", "id": message_id(), "quoteToken": hex(16), "packageId": package_id, "stickerId": sticker_id, "stickerResourceType": "STATIC"}}),
                "スタンプ".to_string(),
                "sticker",
            ),
            Action::Follow => plain(
                "follow",
                json!({"follow": {"isUnblocked": false}}),
                "友だち追加".to_string(),
                "follow",
            ),
            Action::Unfollow => plain("unfollow", json!({}), "ブロック".to_string(), "unfollow"),
            Action::Postback {
                data,
                display_text,
                params,
            } => plain(
                "postback",
                match params {
                    Some(params) => json!({"postback": {"data": data, "params": params}}),
                    None => json!({"postback": {"data": data}}),
                },
                match display_text.as_deref().filter(|t| !t.is_empty()) {
                    Some(text) => format!("{text}（ポストバック {data}）"),
                    None => format!("ポストバック {data}"),
                },
                "postback",
            ),
        })
    }

    /// Stores the photo as a new message's content in the fake LINE and makes its image event
    /// (with `imageSet` when it is one of several sent together, as LINE does).
    fn image_event(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        image_set: Option<Value>,
    ) -> Outgoing {
        let id = message_id();
        self.fake_line.put_content(&id, bytes, content_type);
        let mut message = json!({"type": "image", "id": id, "quoteToken": hex(16), "contentProvider": {"type": "line"}});
        let summary = match &image_set {
            Some(set) => format!("画像（{}/{}枚）", set["index"], set["total"]),
            None => "画像".to_string(),
        };
        if let Some(set) = image_set {
            message["imageSet"] = set;
        }
        Outgoing {
            event_type: "message",
            detail: json!({ "message": message }),
            summary,
            kind: "image",
            image_message_id: Some(id),
        }
    }

    /// Signs one event as LINE would and posts it to the webhook; remembers it for the page.
    async fn post(&self, user_id: &str, outgoing: Outgoing) -> Result<Value, SimulatorError> {
        let Outgoing {
            event_type,
            detail,
            summary,
            kind,
            image_message_id,
        } = outgoing;
        let now = Utc::now();
        let mut event = json!({
            "type": event_type,
            "mode": "active",
            "timestamp": now.timestamp_millis(),
            "source": {"type": "user", "userId": user_id},
            "webhookEventId": webhook_event_id(),
            "deliveryContext": {"isRedelivery": false},
        });
        // LINE sends no reply token with unfollow.
        let reply_token = (event_type != "unfollow").then(|| hex(16));
        if let Some(t) = &reply_token {
            event["replyToken"] = json!(t);
        }
        for (k, v) in detail.as_object().expect("detail is an object") {
            event[k] = v.clone();
        }
        let body = json!({"destination": DESTINATION, "events": [event]});
        let raw = serde_json::to_vec(&body).expect("body serialises");
        let signature = tayori_line::signature::sign(&self.channel_secret, &raw);
        let response = self
            .http
            .post(format!("{}/line/webhook", self.base_url))
            .header("content-type", "application/json")
            .header("x-line-signature", signature)
            .body(raw)
            .send()
            .await
            .map_err(SimulatorError::WebhookUnreachable)?;
        let status = response.status().as_u16();
        self.sent
            .lock()
            .expect("sent lock")
            .entry(user_id.to_string())
            .or_default()
            .push(SentByCitizen {
                at: now,
                kind: kind.to_string(),
                summary,
                reply_token: reply_token.clone(),
                webhook_status: status,
                body: body.clone(),
                image_message_id,
            });
        Ok(json!({"webhookStatus": status, "replyToken": reply_token, "body": body}))
    }

    /// The conversation of one citizen: what they sent and what LINE received for them
    /// (replies to their tokens, pushes and multicasts naming them), oldest first.
    pub fn conversation(&self, user_id: &str) -> Vec<Value> {
        let sent = self
            .sent
            .lock()
            .expect("sent lock")
            .get(user_id)
            .cloned()
            .unwrap_or_default();
        let tokens: Vec<&str> = sent
            .iter()
            .filter_map(|s| s.reply_token.as_deref())
            .collect();
        let mut entries: Vec<(DateTime<Utc>, Value)> = sent
            .iter()
            .map(|s| {
                (
                    s.at,
                    json!({"from": "citizen", "at": s.at, "kind": s.kind, "summary": s.summary, "webhookStatus": s.webhook_status, "raw": s.body,
                           "imageUrl": s.image_message_id.as_ref().map(|id| format!("/simulator/api/content/{id}"))}),
                )
            })
            .collect();
        for r in self.fake_line.requests() {
            if r.method != "POST" || !(200..300).contains(&r.status) {
                continue;
            }
            let via = match r.path.as_str() {
                "/v2/bot/message/reply" => {
                    let token = r.body.get("replyToken").and_then(Value::as_str);
                    if !token.is_some_and(|t| tokens.contains(&t)) {
                        continue;
                    }
                    "reply"
                }
                "/v2/bot/message/push" => {
                    if r.body.get("to").and_then(Value::as_str) != Some(user_id) {
                        continue;
                    }
                    "push"
                }
                "/v2/bot/message/multicast" => {
                    let to = r.body.get("to").and_then(Value::as_array);
                    if !to.is_some_and(|to| to.iter().any(|v| v.as_str() == Some(user_id))) {
                        continue;
                    }
                    "multicast"
                }
                "/v2/bot/message/broadcast" => "broadcast",
                _ => continue,
            };
            let messages = r.body.get("messages").cloned().unwrap_or(json!([]));
            let display = for_display(&messages, &self.base_url);
            entries.push((
                r.at,
                json!({"from": "bot", "at": r.at, "via": via, "messages": messages, "display": display, "schemaErrors": r.schema_errors, "raw": r.body}),
            ));
        }
        entries.sort_by_key(|(at, _)| *at);
        entries.into_iter().map(|(_, v)| v).collect()
    }
}

/// The bot's messages as the page shows them. Media URLs name this host with https, because
/// LINE only accepts https image URLs, but the local run serves plain http: images are shown
/// through the same `/media/` path on `base_url`. Nothing else changes, and `messages` (what
/// LINE received) is kept as it was.
pub fn for_display(messages: &Value, base_url: &str) -> Value {
    let Some(host) = base_url.strip_prefix("http://") else {
        return messages.clone();
    };
    let https_media = format!("https://{host}/media/");
    let http_media = format!("{}/media/", base_url.trim_end_matches('/'));
    rewrite_image_urls(messages, &|s| {
        s.strip_prefix(&https_media)
            .map(|rest| format!("{http_media}{rest}"))
    })
}

/// The fields that hold an image's address in LINE's message objects (image messages and Flex
/// image components); a text that happens to contain a URL is left as the citizen would read it.
const IMAGE_URL_FIELDS: [&str; 3] = ["originalContentUrl", "previewImageUrl", "url"];

fn rewrite_image_urls(value: &Value, f: &dyn Fn(&str) -> Option<String>) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| rewrite_image_urls(v, f)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) if IMAGE_URL_FIELDS.contains(&k.as_str()) => {
                            f(s).map(Value::String).unwrap_or_else(|| v.clone())
                        }
                        other => rewrite_image_urls(other, f),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A photo's bytes, when they are within LINE's size and of a type LINE keeps as sent.
fn photo_bytes(content_type: &str, data_base64: &str) -> Result<Vec<u8>, SimulatorError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data_base64)
        .map_err(|_| SimulatorError::UnreadableImage)?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(SimulatorError::ImageTooLarge);
    }
    if !matches!(content_type, "image/jpeg" | "image/png") {
        return Err(SimulatorError::NotJpegOrPng);
    }
    Ok(bytes)
}

fn hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.gen::<u8>()))
        .collect()
}

fn message_id() -> String {
    rand::thread_rng()
        .gen_range(100_000_000_000_000u64..999_999_999_999_999)
        .to_string()
}

/// LINE's webhook event ids are ULIDs: 26 characters of Crockford base32.
fn webhook_event_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    (0..26)
        .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
        .collect()
}

fn is_user_id(id: &str) -> bool {
    id.len() == 33 && id.starts_with('U') && id[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn router(simulator: Arc<Simulator>) -> Router {
    let routes = Router::new()
        .route("/simulator", get(page))
        .route("/simulator/static/{*path}", get(asset))
        .route(
            "/simulator/api/citizens",
            get(list_citizens).post(create_citizen),
        )
        .route(
            "/simulator/api/events",
            // Photos travel base64-encoded (4/3 larger) in one JSON body.
            post(send_event).layer(axum::extract::DefaultBodyLimit::max(
                MAX_PHOTOS_AT_ONCE * MAX_IMAGE_BYTES / 3 * 4 + 64 * 1024,
            )),
        )
        .route("/simulator/api/conversation", get(conversation))
        .route("/simulator/api/content/{message_id}", get(content))
        .route("/simulator/api/richmenu", get(rich_menu))
        .route("/simulator/api/richmenu/{id}/image", get(rich_menu_image))
        .route("/simulator/liff/registration", get(open_registration_form))
        .route("/simulator/liff/forms", get(open_forms));
    tayori_web::secure(routes, tayori_web::Surface::Simulator).with_state(simulator)
}

async fn page() -> Html<&'static str> {
    Html(include_str!("../static/simulator.html"))
}

async fn asset(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    let (body, content_type): (&[u8], &str) = match path.as_str() {
        "simulator.js" => (
            include_bytes!("../static/simulator.js"),
            "text/javascript; charset=utf-8",
        ),
        "simulator.css" => (
            include_bytes!("../static/simulator.css"),
            "text/css; charset=utf-8",
        ),
        "vendor/leaflet/leaflet.js" => (
            include_bytes!("../static/vendor/leaflet/leaflet.js"),
            "text/javascript; charset=utf-8",
        ),
        "vendor/leaflet/leaflet.css" => (
            include_bytes!("../static/vendor/leaflet/leaflet.css"),
            "text/css; charset=utf-8",
        ),
        "vendor/leaflet/images/marker-icon.png" => (
            include_bytes!("../static/vendor/leaflet/images/marker-icon.png"),
            "image/png",
        ),
        "vendor/leaflet/images/marker-icon-2x.png" => (
            include_bytes!("../static/vendor/leaflet/images/marker-icon-2x.png"),
            "image/png",
        ),
        "vendor/leaflet/images/marker-shadow.png" => (
            include_bytes!("../static/vendor/leaflet/images/marker-shadow.png"),
            "image/png",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// What the simulator could not do; its page shows `error` as it is.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("名前は1〜20文字で入力してください")]
    BadName,
    #[error("利用者IDが正しくありません")]
    BadUserId,
    #[error("メッセージを入力してください")]
    EmptyText,
    #[error("緯度・経度の値が範囲外です")]
    NotACoordinate,
    #[error("画像データを読み取れませんでした")]
    UnreadableImage,
    #[error("画像が大きすぎます（10MBまで）")]
    ImageTooLarge,
    #[error("JPEGまたはPNGの画像を選んでください")]
    NotJpegOrPng,
    #[error("一度に送れる画像は1〜10枚です")]
    PhotoCount,
    #[error("userId か alias を指定してください")]
    NoMenuTarget,
    #[error("webhook に届きませんでした: {0}")]
    WebhookUnreachable(reqwest::Error),
    #[error("シミュレーターの利用者を読み書きできませんでした: {0}")]
    Storage(#[from] tayori_ports::StoreError),
}

impl IntoResponse for SimulatorError {
    fn into_response(self) -> Response {
        let status = match self {
            SimulatorError::WebhookUnreachable(_) => StatusCode::BAD_GATEWAY,
            SimulatorError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        (status, Json(json!({"error": self.to_string()}))).into_response()
    }
}

async fn list_citizens(
    State(s): State<Arc<Simulator>>,
) -> Result<Json<Vec<Citizen>>, SimulatorError> {
    Ok(Json(s.citizens().await?))
}

#[derive(Deserialize)]
struct NewCitizen {
    name: String,
}

async fn create_citizen(
    State(s): State<Arc<Simulator>>,
    Json(new): Json<NewCitizen>,
) -> Result<(StatusCode, Json<Citizen>), SimulatorError> {
    Ok((
        StatusCode::CREATED,
        Json(s.create_citizen(&new.name).await?),
    ))
}

async fn send_event(
    State(s): State<Arc<Simulator>>,
    Json(request): Json<SendRequest>,
) -> Result<Json<Value>, SimulatorError> {
    Ok(Json(s.send(request).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConversationQuery {
    user_id: String,
}

async fn conversation(
    State(s): State<Arc<Simulator>>,
    Query(q): Query<ConversationQuery>,
) -> Json<Vec<Value>> {
    Json(s.conversation(&q.user_id))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MenuQuery {
    user_id: Option<String>,
    /// A tab switch (`richmenuswitch`) shows the menu this alias points at.
    alias: Option<String>,
}

/// The rich menu LINE shows the citizen (their own link, or else the default), or the one a tab
/// switch names: LINE's rich menu object plus where its image is; `null` when there is none.
async fn rich_menu(State(s): State<Arc<Simulator>>, Query(q): Query<MenuQuery>) -> Response {
    let id = match (&q.alias, &q.user_id) {
        (Some(alias), _) => s.fake_line.rich_menu_of_alias(alias),
        (None, Some(user)) => s.fake_line.rich_menu_of(user),
        (None, None) => return SimulatorError::NoMenuTarget.into_response(),
    };
    let Some(mut menu) = id.and_then(|id| s.fake_line.rich_menu(&id)) else {
        return Json(Value::Null).into_response();
    };
    let id = menu["richMenuId"].as_str().unwrap_or_default().to_string();
    menu["imageUrl"] = json!(format!("/simulator/api/richmenu/{id}/image"));
    Json(menu).into_response()
}

/// A photo a citizen sent, as the fake LINE keeps it for the content API.
async fn content(
    State(s): State<Arc<Simulator>>,
    axum::extract::Path(message_id): axum::extract::Path<String>,
) -> Response {
    match s.fake_line.content(&message_id) {
        Some((content_type, bytes)) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn rich_menu_image(
    State(s): State<Arc<Simulator>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    match s.fake_line.rich_menu_image(&id) {
        Some((content_type, bytes)) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenForm {
    user_id: String,
}

/// Opens the LIFF registration form as `citizen`, the way LINE would: with an ID token the
/// (fake) LINE Platform issued, passed in the query because there is no LIFF SDK here.
async fn open_registration_form(
    State(s): State<Arc<Simulator>>,
    Query(open): Query<OpenForm>,
) -> Response {
    if !is_user_id(&open.user_id) {
        return SimulatorError::BadUserId.into_response();
    }
    let token = s.fake_line.issue_id_token(&open.user_id, None);
    axum::response::Redirect::to(&format!("/liff/registration?id_token={token}")).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenForms {
    user_id: String,
    /// One form's id; none opens the list of open forms.
    #[serde(default)]
    form: Option<String>,
}

/// Opens the LIFF forms (申請・アンケート・予約) as `citizen`, as LINE would: the list of open
/// forms, or one form when `form` names it.
async fn open_forms(State(s): State<Arc<Simulator>>, Query(open): Query<OpenForms>) -> Response {
    if !is_user_id(&open.user_id) {
        return SimulatorError::BadUserId.into_response();
    }
    let page = match open.form.as_deref().map(tayori_domain::form::FormId::parse) {
        None => tayori_forms::FORMS_PAGE.to_string(),
        Some(Ok(id)) => format!("{}/{id}", tayori_forms::FORMS_PAGE),
        Some(Err(e)) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let token = s.fake_line.issue_id_token(&open.user_id, None);
    axum::response::Redirect::to(&format!("{page}?id_token={token}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_request_answers_its_sentence_as_json_with_its_status() {
        use http_body_util::BodyExt;
        for (error, status, message) in [
            (
                SimulatorError::BadName,
                StatusCode::BAD_REQUEST,
                "名前は1〜20文字で入力してください",
            ),
            (
                SimulatorError::Storage(tayori_ports::StoreError::Unavailable("down".into())),
                StatusCode::INTERNAL_SERVER_ERROR,
                "シミュレーターの利用者を読み書きできませんでした: storage unavailable: down",
            ),
        ] {
            let response = error.into_response();
            assert_eq!(response.status(), status);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body, json!({ "error": message }));
        }
    }

    #[test]
    fn media_urls_of_this_host_are_shown_over_plain_http_and_nothing_else_changes() {
        let base = "http://127.0.0.1:8123";
        let messages = json!([
            {"type": "image", "originalContentUrl": "https://127.0.0.1:8123/media/deliveries/a/original.png",
             "previewImageUrl": "https://127.0.0.1:8123/media/deliveries/a/preview.png"},
            {"type": "flex", "altText": "詳しく", "contents": {"type": "bubble",
             "hero": {"type": "image", "url": "https://127.0.0.1:8123/media/deliveries/b/original.png",
                      "action": {"type": "uri", "uri": "https://www1.city.obama.fukui.jp/"}}}},
            {"type": "text", "text": "https://127.0.0.1:8123/media/x は本文のまま"},
            {"type": "image", "originalContentUrl": "https://127.0.0.1:9999/media/other.png",
             "previewImageUrl": "https://example.jp/media/p.png"}
        ]);
        let shown = for_display(&messages, base);
        assert_eq!(
            shown[0]["originalContentUrl"],
            "http://127.0.0.1:8123/media/deliveries/a/original.png"
        );
        assert_eq!(
            shown[0]["previewImageUrl"],
            "http://127.0.0.1:8123/media/deliveries/a/preview.png"
        );
        assert_eq!(
            shown[1]["contents"]["hero"]["url"],
            "http://127.0.0.1:8123/media/deliveries/b/original.png"
        );
        assert_eq!(
            shown[1]["contents"]["hero"]["action"]["uri"],
            "https://www1.city.obama.fukui.jp/"
        );
        assert_eq!(shown[2], messages[2], "a text is shown as sent");
        assert_eq!(
            shown[3], messages[3],
            "another host's images are not touched"
        );
    }
}
