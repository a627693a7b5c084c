//! Rich menu endpoints: create, image, default, per-user links, aliases and batches.

use super::transport::{Call, Replay};
use super::{segment, LineClient};
use crate::error::LineError;
use crate::richmenu::{BatchProgress, RichMenu, RichMenuAlias, RichMenuBatchRequest, RichMenuInfo};
use crate::validate::{self, ValidationError};
use bytes::Bytes;
use http::Method;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RichMenuId {
    rich_menu_id: String,
}

#[derive(Deserialize)]
struct RichMenuList {
    richmenus: Vec<RichMenuInfo>,
}

/// LINE's bulk link and unlink take 1 to 500 users.
fn bulk_users(user_ids: &[String]) -> Result<(), ValidationError> {
    validate::recipients(user_ids)
}

impl LineClient {
    /// Creates a rich menu and answers its id. Not retried when LINE may have created it
    /// already (menus are limited to 100 creations an hour; a duplicate would waste one).
    pub async fn create_rich_menu(&self, menu: &RichMenu) -> Result<String, LineError> {
        validate::rich_menu(menu)?;
        let call = Call::new(
            Method::POST,
            "/v2/bot/richmenu",
            self.api("/v2/bot/richmenu"),
        )
        .json(json!(menu))
        .replay(Replay::OnlyIfUntouched);
        let id: RichMenuId = self.execute(call).await?.done()?.json()?;
        Ok(id.rich_menu_id)
    }

    /// Asks LINE whether it would accept `menu`, without creating it.
    pub async fn validate_rich_menu(&self, menu: &RichMenu) -> Result<(), LineError> {
        let call = Call::new(
            Method::POST,
            "/v2/bot/richmenu/validate",
            self.api("/v2/bot/richmenu/validate"),
        )
        .json(json!(menu));
        self.execute(call).await?.done()?;
        Ok(())
    }

    /// Uploads the menu's image (`image/png` or `image/jpeg`, the menu's exact pixel size,
    /// at most 1 MB). An image cannot be replaced: to change it, create a new menu.
    pub async fn upload_rich_menu_image(
        &self,
        rich_menu_id: &str,
        content_type: &str,
        image: Bytes,
    ) -> Result<(), LineError> {
        validate::rich_menu_image(content_type, &image)?;
        let url = self.data_api(&format!(
            "/v2/bot/richmenu/{}/content",
            segment(rich_menu_id)
        ));
        let call = Call::new(Method::POST, "/v2/bot/richmenu/{richMenuId}/content", url)
            .binary(content_type, image)
            .replay(Replay::OnlyIfUntouched);
        self.execute(call).await?.done()?;
        Ok(())
    }

    pub async fn rich_menus(&self) -> Result<Vec<RichMenuInfo>, LineError> {
        let call = Call::new(
            Method::GET,
            "/v2/bot/richmenu/list",
            self.api("/v2/bot/richmenu/list"),
        );
        let list: RichMenuList = self.execute(call).await?.done()?.json()?;
        Ok(list.richmenus)
    }

    pub async fn rich_menu(&self, rich_menu_id: &str) -> Result<RichMenuInfo, LineError> {
        let url = self.api(&format!("/v2/bot/richmenu/{}", segment(rich_menu_id)));
        self.execute(Call::new(Method::GET, "/v2/bot/richmenu/{richMenuId}", url))
            .await?
            .done()?
            .json()
    }

    pub async fn delete_rich_menu(&self, rich_menu_id: &str) -> Result<(), LineError> {
        let url = self.api(&format!("/v2/bot/richmenu/{}", segment(rich_menu_id)));
        let call = Call::new(Method::DELETE, "/v2/bot/richmenu/{richMenuId}", url);
        self.execute(call).await?.done()?;
        Ok(())
    }

    /// The menu every user without a menu of their own sees (it needs an image first).
    pub async fn set_default_rich_menu(&self, rich_menu_id: &str) -> Result<(), LineError> {
        let url = self.api(&format!(
            "/v2/bot/user/all/richmenu/{}",
            segment(rich_menu_id)
        ));
        let call = Call::new(Method::POST, "/v2/bot/user/all/richmenu/{richMenuId}", url);
        self.execute(call).await?.done()?;
        Ok(())
    }

    /// The default menu's id, or `None` when there is none.
    pub async fn default_rich_menu(&self) -> Result<Option<String>, LineError> {
        let call = Call::new(
            Method::GET,
            "/v2/bot/user/all/richmenu",
            self.api("/v2/bot/user/all/richmenu"),
        );
        match self.execute(call).await {
            Ok(outcome) => Ok(Some(outcome.done()?.json::<RichMenuId>()?.rich_menu_id)),
            Err(LineError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn cancel_default_rich_menu(&self) -> Result<(), LineError> {
        let call = Call::new(
            Method::DELETE,
            "/v2/bot/user/all/richmenu",
            self.api("/v2/bot/user/all/richmenu"),
        );
        self.execute(call).await?.done()?;
        Ok(())
    }

    /// Shows `rich_menu_id` to one user instead of the default.
    pub async fn link_rich_menu(&self, user_id: &str, rich_menu_id: &str) -> Result<(), LineError> {
        let url = self.api(&format!(
            "/v2/bot/user/{}/richmenu/{}",
            segment(user_id),
            segment(rich_menu_id)
        ));
        let call = Call::new(
            Method::POST,
            "/v2/bot/user/{userId}/richmenu/{richMenuId}",
            url,
        );
        self.execute(call).await?.done()?;
        Ok(())
    }

    pub async fn unlink_rich_menu(&self, user_id: &str) -> Result<(), LineError> {
        let url = self.api(&format!("/v2/bot/user/{}/richmenu", segment(user_id)));
        let call = Call::new(Method::DELETE, "/v2/bot/user/{userId}/richmenu", url);
        self.execute(call).await?.done()?;
        Ok(())
    }

    /// Links up to 500 users at once (LINE applies it in the background).
    pub async fn link_rich_menu_to_users(
        &self,
        rich_menu_id: &str,
        user_ids: &[String],
    ) -> Result<(), LineError> {
        bulk_users(user_ids)?;
        let body = json!({ "richMenuId": rich_menu_id, "userIds": user_ids });
        let call = Call::new(
            Method::POST,
            "/v2/bot/richmenu/bulk/link",
            self.api("/v2/bot/richmenu/bulk/link"),
        )
        .json(body);
        self.execute(call).await?.done()?;
        Ok(())
    }

    pub async fn unlink_rich_menu_from_users(&self, user_ids: &[String]) -> Result<(), LineError> {
        bulk_users(user_ids)?;
        let body = json!({ "userIds": user_ids });
        let call = Call::new(
            Method::POST,
            "/v2/bot/richmenu/bulk/unlink",
            self.api("/v2/bot/richmenu/bulk/unlink"),
        )
        .json(body);
        self.execute(call).await?.done()?;
        Ok(())
    }

    pub async fn create_rich_menu_alias(&self, alias: &RichMenuAlias) -> Result<(), LineError> {
        let call = Call::new(
            Method::POST,
            "/v2/bot/richmenu/alias",
            self.api("/v2/bot/richmenu/alias"),
        )
        .json(json!(alias));
        self.execute(call).await?.done()?;
        Ok(())
    }

    /// Points an existing alias at another menu.
    pub async fn update_rich_menu_alias(
        &self,
        alias_id: &str,
        rich_menu_id: &str,
    ) -> Result<(), LineError> {
        let url = self.api(&format!("/v2/bot/richmenu/alias/{}", segment(alias_id)));
        let call = Call::new(
            Method::POST,
            "/v2/bot/richmenu/alias/{richMenuAliasId}",
            url,
        )
        .json(json!({ "richMenuId": rich_menu_id }));
        self.execute(call).await?.done()?;
        Ok(())
    }

    pub async fn delete_rich_menu_alias(&self, alias_id: &str) -> Result<(), LineError> {
        let url = self.api(&format!("/v2/bot/richmenu/alias/{}", segment(alias_id)));
        let call = Call::new(
            Method::DELETE,
            "/v2/bot/richmenu/alias/{richMenuAliasId}",
            url,
        );
        self.execute(call).await?.done()?;
        Ok(())
    }

    /// Replaces or removes per-user links in bulk; answers LINE's request id, for
    /// [`LineClient::rich_menu_batch_progress`].
    pub async fn rich_menu_batch(
        &self,
        request: &RichMenuBatchRequest,
    ) -> Result<Option<String>, LineError> {
        let call = Call::new(
            Method::POST,
            "/v2/bot/richmenu/batch",
            self.api("/v2/bot/richmenu/batch"),
        )
        .json(json!(request));
        Ok(self.execute(call).await?.done()?.request_id)
    }

    pub async fn rich_menu_batch_progress(
        &self,
        request_id: &str,
    ) -> Result<BatchProgress, LineError> {
        let url = self.api(&format!(
            "/v2/bot/richmenu/progress/batch?requestId={}",
            segment(request_id)
        ));
        self.execute(Call::new(
            Method::GET,
            "/v2/bot/richmenu/progress/batch",
            url,
        ))
        .await?
        .done()?
        .json()
    }
}
