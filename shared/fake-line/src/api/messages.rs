//! Sending messages: reply, push, multicast, narrowcast, broadcast, and their validation.

use crate::errors::{self, RETRY_KEY_ACCEPTED};
use crate::gate::Accepted;
use crate::world::World;
use crate::FakeLine;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

const RETRY_KEY: &str = "x-line-retry-key";

fn messages(body: &Value) -> Vec<Value> {
    body["messages"].as_array().cloned().unwrap_or_default()
}

/// `{"sentMessages": [{"id", "quoteToken"}...]}`, one per message, as push and reply answer.
fn sent_messages(world: &mut World, count: usize) -> Value {
    let sent: Vec<Value> = (0..count)
        .map(|_| {
            json!({
                "id": world.message_id(),
                "quoteToken": uuid::Uuid::new_v4().simple().to_string(),
            })
        })
        .collect();
    json!({ "sentMessages": sent })
}

pub(crate) async fn reply(
    State(fake): State<FakeLine>,
    headers: HeaderMap,
    Extension(accepted): Extension<Accepted>,
) -> Response {
    if headers.contains_key(RETRY_KEY) {
        return errors::bad_request(
            "The X-Line-Retry-Key header cannot be used with the reply message API",
        );
    }
    let token = accepted.json["replyToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let messages = messages(&accepted.json);
    let mut world = fake.world();
    // A reply token is single-use.
    if !world.used_reply_tokens.insert(token.clone()) {
        return errors::bad_request("Invalid reply token");
    }
    world.replies.insert(token, messages.clone());
    let body = sent_messages(&mut world, messages.len());
    Json(body).into_response()
}

/// The retry-key rules shared by push, multicast, narrowcast and broadcast, then the send
/// itself, under one lock so that two concurrent requests with one key cannot both pass.
fn send_once(
    fake: &FakeLine,
    headers: &HeaderMap,
    accepted: &Accepted,
    send: impl FnOnce(&mut World) -> Response,
) -> Response {
    let key = match headers
        .get(RETRY_KEY)
        .map(|v| v.to_str().map(str::to_string))
    {
        None => None,
        Some(Ok(key)) if uuid::Uuid::try_parse(&key).is_ok() => Some(key.to_ascii_lowercase()),
        Some(_) => {
            return errors::bad_request("The value of the X-Line-Retry-Key header is invalid")
        }
    };
    let mut world = fake.world();
    if let Some(key) = &key {
        if let Some(first) = world.retry_keys.get(key) {
            let mut response = errors::error(StatusCode::CONFLICT, RETRY_KEY_ACCEPTED);
            if let Ok(value) = HeaderValue::from_str(first) {
                response
                    .headers_mut()
                    .insert("x-line-accepted-request-id", value);
            }
            return response;
        }
    }
    let response = send(&mut world);
    if let Some(key) = key.filter(|_| response.status().is_success()) {
        world.retry_keys.insert(key, accepted.request_id.clone());
    }
    response
}

pub(crate) async fn push(
    State(fake): State<FakeLine>,
    headers: HeaderMap,
    Extension(accepted): Extension<Accepted>,
) -> Response {
    send_once(&fake, &headers, &accepted, |world| {
        let messages = messages(&accepted.json);
        world.deliver(accepted.json["to"].as_str().unwrap_or_default(), &messages);
        Json(sent_messages(world, messages.len())).into_response()
    })
}

pub(crate) async fn multicast(
    State(fake): State<FakeLine>,
    headers: HeaderMap,
    Extension(accepted): Extension<Accepted>,
) -> Response {
    send_once(&fake, &headers, &accepted, |world| {
        let messages = messages(&accepted.json);
        for to in accepted.json["to"].as_array().into_iter().flatten() {
            world.deliver(to.as_str().unwrap_or_default(), &messages);
        }
        Json(json!({})).into_response()
    })
}

pub(crate) async fn broadcast(
    State(fake): State<FakeLine>,
    headers: HeaderMap,
    Extension(accepted): Extension<Accepted>,
) -> Response {
    send_once(&fake, &headers, &accepted, |world| {
        let messages = messages(&accepted.json);
        let friends: Vec<String> = world.users.keys().cloned().collect();
        for friend in friends {
            world.deliver(&friend, &messages);
        }
        Json(json!({})).into_response()
    })
}

pub(crate) async fn narrowcast(
    State(fake): State<FakeLine>,
    headers: HeaderMap,
    Extension(accepted): Extension<Accepted>,
) -> Response {
    send_once(&fake, &headers, &accepted, |world| {
        world
            .narrowcasts
            .insert(accepted.request_id.clone(), chrono::Utc::now());
        (StatusCode::ACCEPTED, Json(json!({}))).into_response()
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestIdQuery {
    request_id: Option<String>,
}

pub(crate) async fn narrowcast_progress(
    State(fake): State<FakeLine>,
    Query(query): Query<RequestIdQuery>,
) -> Response {
    let Some(request_id) = query.request_id.filter(|r| !r.is_empty()) else {
        return errors::bad_request("The requestId query parameter is required");
    };
    let world = fake.world();
    let Some(accepted_at) = world.narrowcasts.get(&request_id) else {
        return errors::not_found("Not found");
    };
    // The fake cannot know who a narrowcast reaches; it reports the send as done, to nobody.
    Json(json!({
        "phase": "succeeded",
        "successCount": 0,
        "failureCount": 0,
        "targetCount": 0,
        "acceptedTime": accepted_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "completedTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }))
    .into_response()
}

/// The body was already checked against the spec by the gate; reaching here means it is valid.
/// The month's target limit: `limited` with its value, or `none`.
pub(crate) async fn quota(State(fake): State<FakeLine>) -> Response {
    match fake.world().message_quota {
        Some(value) => Json(json!({ "type": "limited", "value": value })).into_response(),
        None => Json(json!({ "type": "none" })).into_response(),
    }
}

/// Messages sent this month as LINE counts them: one per recipient of each push, multicast,
/// narrowcast or broadcast, however many bubbles it held (replies are free). The fake keeps
/// no months: everything since it started.
pub(crate) async fn quota_consumption(State(fake): State<FakeLine>) -> Response {
    let world = fake.world();
    let total: u64 = world.sends_received.values().map(|&n| u64::from(n)).sum();
    Json(json!({ "totalUsage": total })).into_response()
}

pub(crate) async fn validate() -> Response {
    Json(json!({})).into_response()
}
