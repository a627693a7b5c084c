//! Routes: LINE's endpoints (behind the gate) and the `/_line/*` control routes (not behind it).

mod control;
mod insight;
mod login;
mod messages;
mod profile;
mod richmenu;

use crate::errors;
use crate::gate::gate;
use crate::FakeLine;
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;

pub(crate) fn router(fake: FakeLine) -> Router {
    let line = Router::new()
        .route("/v2/bot/message/reply", post(messages::reply))
        .route("/v2/bot/message/push", post(messages::push))
        .route("/v2/bot/message/multicast", post(messages::multicast))
        .route("/v2/bot/message/narrowcast", post(messages::narrowcast))
        .route("/v2/bot/message/broadcast", post(messages::broadcast))
        .route(
            "/v2/bot/message/progress/narrowcast",
            get(messages::narrowcast_progress),
        )
        .route("/v2/bot/message/quota", get(messages::quota))
        .route("/v2/bot/insight/followers", get(insight::followers))
        .route(
            "/v2/bot/message/quota/consumption",
            get(messages::quota_consumption),
        )
        .route("/v2/bot/message/validate/reply", post(messages::validate))
        .route("/v2/bot/message/validate/push", post(messages::validate))
        .route(
            "/v2/bot/message/validate/multicast",
            post(messages::validate),
        )
        .route(
            "/v2/bot/message/validate/narrowcast",
            post(messages::validate),
        )
        .route(
            "/v2/bot/message/validate/broadcast",
            post(messages::validate),
        )
        .route(
            "/v2/bot/message/{message_id}/content",
            get(profile::content),
        )
        .route("/v2/bot/profile/{user_id}", get(profile::profile))
        .route("/v2/bot/richmenu", post(richmenu::create))
        .route("/v2/bot/richmenu/validate", post(richmenu::validate))
        .route("/v2/bot/richmenu/list", get(richmenu::list))
        .route(
            "/v2/bot/richmenu/{id}",
            get(richmenu::get).delete(richmenu::delete),
        )
        .route(
            "/v2/bot/richmenu/{id}/content",
            post(richmenu::upload_image).get(richmenu::download_image),
        )
        .route(
            "/v2/bot/user/all/richmenu",
            get(richmenu::get_default).delete(richmenu::cancel_default),
        )
        .route(
            "/v2/bot/user/all/richmenu/{id}",
            post(richmenu::set_default),
        )
        .route(
            "/v2/bot/user/{user_id}/richmenu",
            get(richmenu::get_user_menu).delete(richmenu::unlink),
        )
        .route("/v2/bot/user/{user_id}/richmenu/{id}", post(richmenu::link))
        .route("/v2/bot/richmenu/bulk/link", post(richmenu::bulk_link))
        .route("/v2/bot/richmenu/bulk/unlink", post(richmenu::bulk_unlink))
        .route("/v2/bot/richmenu/alias", post(richmenu::create_alias))
        .route("/v2/bot/richmenu/alias/list", get(richmenu::list_aliases))
        .route(
            "/v2/bot/richmenu/alias/{alias}",
            get(richmenu::get_alias)
                .post(richmenu::update_alias)
                .delete(richmenu::delete_alias),
        )
        .route("/v2/bot/richmenu/batch", post(richmenu::batch))
        .route(
            "/v2/bot/richmenu/validate/batch",
            post(richmenu::validate_batch),
        )
        .route(
            "/v2/bot/richmenu/progress/batch",
            get(richmenu::batch_progress),
        )
        // Anything else under /v2/bot is recorded and answered 404, so that a client calling a
        // wrong path sees it in the recorded requests.
        .route("/v2/bot/{*rest}", any(unknown_endpoint))
        .layer(from_fn_with_state(fake.clone(), gate))
        .with_state(fake.clone());
    line.merge(control::router(fake.clone()))
        .merge(login::router(fake))
}

async fn unknown_endpoint() -> Response {
    errors::not_found("Not found")
}
