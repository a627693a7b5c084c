//! A friend's LINE profile, as `GET /v2/bot/profile/{userId}` answers it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub user_id: String,
    pub display_name: String,
    #[serde(default)]
    pub picture_url: Option<String>,
    #[serde(default)]
    pub status_message: Option<String>,
    /// BCP 47; absent until the user has agreed to LINE's privacy policy.
    #[serde(default)]
    pub language: Option<String>,
}
