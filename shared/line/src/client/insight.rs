//! LINE's insight API: how many have added the account, can be reached and block it, as LINE
//! counts them for a day (`GET /v2/bot/insight/followers`, insight.yml).

use super::transport::Call;
use super::LineClient;
use crate::error::LineError;
use chrono::NaiveDate;
use http::Method;
use serde::Deserialize;

/// LINE's count of followers on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Followers {
    Ready {
        /// Everyone who ever added the account by that day (it never goes down).
        followers: u64,
        /// Those LINE can reach with targeted messages.
        targeted_reaches: u64,
        blocks: u64,
    },
    /// LINE has not counted the day yet (it counts a day after it ends).
    NotYet,
    /// LINE keeps counts for a limited time; a day too long ago has none.
    OutOfService,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FollowersBody {
    status: String,
    #[serde(default)]
    followers: Option<u64>,
    #[serde(default)]
    targeted_reaches: Option<u64>,
    #[serde(default)]
    blocks: Option<u64>,
}

impl LineClient {
    /// LINE's count of followers on `day` (JST).
    pub async fn followers(&self, day: NaiveDate) -> Result<Followers, LineError> {
        let path = "/v2/bot/insight/followers";
        let url = format!("{}?date={}", self.api(path), day.format("%Y%m%d"));
        let body: FollowersBody = self
            .execute(Call::new(Method::GET, path, url))
            .await?
            .done()?
            .json()?;
        Ok(match body.status.as_str() {
            "ready" => Followers::Ready {
                followers: body.followers.unwrap_or(0),
                targeted_reaches: body.targeted_reaches.unwrap_or(0),
                blocks: body.blocks.unwrap_or(0),
            },
            "out_of_service" => Followers::OutOfService,
            _ => Followers::NotYet,
        })
    }
}
