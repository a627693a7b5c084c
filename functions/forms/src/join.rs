//! A place's add-friend QR (友だち集め) opens here: `/liff/join/<code>`, or inside LINE the
//! registration LIFF app's `/liff/registration/join/<code>` (LIFF adds the path after
//! `liff.line.me/<LIFF ID>` to its endpoint). The read is counted for the place (nothing about
//! the reader), and LINE's add-friend screen opens. Signed in through LIFF, the page also tells
//! [`JOIN_API`] who opened it, so that their follow is counted for the place
//! ([`tayori_records::FriendKit`]). A place staff removed, or a kit not set up, gets a page
//! saying so instead of an error: the paper may still be on a wall.

use crate::auth::Citizen;
use crate::pages::page;
use crate::{ApiError, FormsState, JOIN_API};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use maud::html;
use serde_json::{json, Value};
use std::sync::Arc;
use tayori_domain::Friend;
use tayori_records::{FriendKit, Friends};

const SCRIPT: &str = "/liff/forms/static/join.js";

pub async fn open(State(state): State<Arc<FormsState>>, Path(code): Path<String>) -> Response {
    let kit = FriendKit::new(state.platform.table.clone());
    let saved = match kit.get().await {
        Ok(saved) => saved,
        Err(e) => {
            tracing::error!(error = %e, "the add-friend kit could not be read");
            return ended(&state, StatusCode::SERVICE_UNAVAILABLE);
        }
    };
    let Some(add_friend) = saved
        .place(&code)
        .and(saved.basic_id())
        .map(|id| id.add_friend_url())
    else {
        return ended(&state, StatusCode::NOT_FOUND);
    };
    // A lost count must not keep a citizen from adding the account.
    if let Err(e) = kit.count_read(&code, state.platform.clock.now()).await {
        tracing::warn!(error = %e, place = %code, "a QR read was not counted");
    }
    let city = state.config.city.as_str();
    let liff_id = state.config.liff_id.clone().unwrap_or_default();
    page(
        "友だち追加",
        html! {
            body data-api=(JOIN_API.replace("{code}", &code)) data-liff-id=(liff_id) data-add-friend=(add_friend) {
                h1 { (city) " LINE公式アカウント" }
                div #status role="status" aria-live="polite" { "LINEの友だち追加画面を開いています…" }
                p { a.button #add-friend href=(add_friend) { "友だち追加する" } }
                script src=(SCRIPT) {}
            }
        },
        html! {
            @if state.config.liff_id.is_some() {
                // LINE's LIFF SDK: only inside LINE, and only from LINE's CDN.
                script charset="utf-8" src="https://static.line-scdn.net/liff/edge/2/sdk.js" {}
            }
        },
    )
}

/// `POST /api/join/<code>`: the signed-in citizen opened place `code`'s page.
pub async fn joined(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let kit = FriendKit::new(state.platform.table.clone());
    let saved = kit.get().await?;
    let (Some(_), Some(id)) = (saved.place(&code), saved.basic_id()) else {
        return Err(ApiError::PlaceEnded);
    };
    let now = state.platform.clock.now();
    // Someone not yet a friend gets no friend record from opening a page.
    let friend = Friends::new(&state.platform)
        .get(&user_id)
        .await?
        .unwrap_or_else(|| Friend::first_seen(&user_id, now));
    kit.joined(&friend, &code, now).await?;
    Ok(Json(json!({ "addFriendUrl": id.add_friend_url() })))
}

fn ended(state: &FormsState, status: StatusCode) -> Response {
    let city = state.config.city.as_str();
    let mut response = page(
        "友だち追加",
        html! {
            body {
                h1 { (city) " LINE公式アカウント" }
                @if status == StatusCode::NOT_FOUND {
                    p { (ApiError::PlaceEnded.to_string()) }
                } @else {
                    p { "ただいま表示できません。しばらくしてからもう一度読み取ってください。" }
                }
            }
        },
        html! {},
    );
    *response.status_mut() = status;
    response
}
