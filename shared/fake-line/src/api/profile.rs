//! Profiles of friends and the content of messages they sent.

use crate::errors;
use crate::image::MESSAGE_CONTENT_PNG;
use crate::FakeLine;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::CONTENT_TYPE;
use serde_json::json;

pub(crate) async fn profile(State(fake): State<FakeLine>, Path(user_id): Path<String>) -> Response {
    let world = fake.world();
    match world.users.get(&user_id) {
        Some(name) => Json(json!({
            "userId": user_id,
            "displayName": name,
            "language": "ja",
        }))
        .into_response(),
        None => errors::not_found("Not found"),
    }
}

pub(crate) async fn content(
    State(fake): State<FakeLine>,
    Path(message_id): Path<String>,
) -> Response {
    let world = fake.world();
    match world.contents.get(&message_id) {
        Some(image) => (
            [(CONTENT_TYPE, image.content_type.clone())],
            image.bytes.clone(),
        )
            .into_response(),
        None => ([(CONTENT_TYPE, "image/png")], MESSAGE_CONTENT_PNG).into_response(),
    }
}
