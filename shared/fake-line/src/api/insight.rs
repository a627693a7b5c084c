//! LINE's insight API (`openapi/insight.yml`): the number of followers on a day. The fake
//! answers from what a test set ([`crate::FakeLine::set_followers`]), else from the users it
//! knows, all of them reachable and none blocked.

use crate::errors;
use crate::FakeLine;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub(crate) struct FollowersQuery {
    date: Option<String>,
}

/// `GET /v2/bot/insight/followers?date=yyyyMMdd` (the spec's pattern `^[0-9]{8}$`).
pub(crate) async fn followers(
    State(fake): State<FakeLine>,
    Query(q): Query<FollowersQuery>,
) -> Response {
    if let Some(date) = &q.date {
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return errors::bad_request("The value for the 'date' parameter is invalid");
        }
    }
    let world = fake.world();
    let (followers, targeted_reaches, blocks) = world.followers.unwrap_or_else(|| {
        let known = world.users.len() as u64;
        (known, known, 0)
    });
    Json(json!({
        "status": "ready",
        "followers": followers,
        "targetedReaches": targeted_reaches,
        "blocks": blocks,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use crate::spec::Spec;
    use serde_json::json;

    #[test]
    fn the_answer_is_lines_followers_response() {
        let insight = Spec::load(include_str!("../../openapi/insight.yml"), None).unwrap();
        let body = json!({"status": "ready", "followers": 3, "targetedReaches": 2, "blocks": 1});
        assert!(insight
            .validate("GetNumberOfFollowersResponse", &body)
            .is_empty());
        let wrong = json!({"status": "done", "followers": "3"});
        assert!(!insight
            .validate("GetNumberOfFollowersResponse", &wrong)
            .is_empty());
    }
}
