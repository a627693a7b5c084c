//! `/liff/join/<code>`: where the QR of a poster or flyer handed out at one place opens. The
//! read is counted for that place (nothing about who read it is kept), and LINE's add-friend
//! screen opens. A place staff removed, or a kit not set up, gets a page saying so instead of
//! an error: the paper may still be on a wall.

use crate::pages::page;
use crate::FormsState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use std::sync::Arc;
use tayori_records::FriendKit;

pub async fn open(State(state): State<Arc<FormsState>>, Path(code): Path<String>) -> Response {
    let kit = FriendKit::new(state.platform.table.clone());
    let target = match kit.get().await {
        Ok(saved) => saved
            .place(&code)
            .and(saved.basic_id())
            .map(|id| id.add_friend_url()),
        Err(e) => {
            tracing::error!(error = %e, "the add-friend kit could not be read");
            return ended(&state, StatusCode::SERVICE_UNAVAILABLE);
        }
    };
    let Some(target) = target else {
        return ended(&state, StatusCode::NOT_FOUND);
    };
    // A lost count must not keep a citizen from adding the account.
    if let Err(e) = kit.count_read(&code, state.platform.clock.now()).await {
        tracing::warn!(error = %e, place = %code, "a QR read was not counted");
    }
    (StatusCode::FOUND, [(header::LOCATION, target)]).into_response()
}

fn ended(state: &FormsState, status: StatusCode) -> Response {
    let city = state.config.city.as_str();
    let mut response = page(
        "友だち追加",
        html! {
            body {
                h1 { (city) " LINE公式アカウント" }
                @if status == StatusCode::NOT_FOUND {
                    p { "このQRコードの受付は終了しました。LINEアプリの「友だち追加」から「" (city) "」を検索して追加してください。" }
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
