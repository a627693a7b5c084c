//! Rich menus (the tappable panel under the chat), their aliases and batch operations, as
//! LINE's JSON.

use crate::message::Action;
use serde::{Deserialize, Serialize};

/// A rich menu as created: LINE answers with its id ([`RichMenuInfo`] when listed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RichMenu {
    pub size: RichMenuSize,
    /// Whether the menu opens by default when the chat opens.
    pub selected: bool,
    /// For staff only; never shown to users.
    pub name: String,
    /// The label on the chat bar that opens the menu (at most 14 characters).
    pub chat_bar_text: String,
    pub areas: Vec<RichMenuArea>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RichMenuSize {
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RichMenuArea {
    pub bounds: RichMenuBounds,
    pub action: Action,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RichMenuBounds {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A rich menu as LINE lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RichMenuInfo {
    pub rich_menu_id: String,
    #[serde(flatten)]
    pub menu: RichMenu,
}

/// A stable name for a rich menu, used by `richmenuswitch` actions to move between tabs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RichMenuAlias {
    /// `[a-z0-9_-]{1,32}`, unique in the channel.
    pub rich_menu_alias_id: String,
    pub rich_menu_id: String,
}

/// One step of `/v2/bot/richmenu/batch`, applied to every user linked to `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum RichMenuBatchOperation {
    /// Users linked to `from` are linked to `to` instead.
    Link { from: String, to: String },
    /// Users linked to `from` are unlinked.
    Unlink { from: String },
    /// Every per-user link in the channel is removed.
    UnlinkAll,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RichMenuBatchRequest {
    pub operations: Vec<RichMenuBatchOperation>,
    /// Lets a failed batch be resumed where it stopped (`[a-zA-Z0-9_-]{1,100}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_request_key: Option<String>,
}

/// Where an accepted rich menu batch stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchProgress {
    /// `ongoing`, `succeeded` or `failed`.
    pub phase: String,
    pub accepted_time: String,
    #[serde(default)]
    pub completed_time: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rich_menu_is_lines_json() {
        let menu = RichMenu {
            size: RichMenuSize {
                width: 2500,
                height: 1686,
            },
            selected: true,
            name: "main".into(),
            chat_bar_text: "メニュー".into(),
            areas: vec![RichMenuArea {
                bounds: RichMenuBounds {
                    x: 0,
                    y: 0,
                    width: 1250,
                    height: 1686,
                },
                action: Action::message("ごみ", "ごみの日"),
            }],
        };
        let value = serde_json::to_value(&menu).unwrap();
        assert_eq!(value["chatBarText"], "メニュー");
        assert_eq!(value["areas"][0]["action"]["type"], "message");
        let listed: RichMenuInfo = serde_json::from_value(json!({
            "richMenuId": "richmenu-1",
            "size": {"width": 2500, "height": 1686},
            "selected": true, "name": "main", "chatBarText": "メニュー",
            "areas": value["areas"].clone(),
        }))
        .unwrap();
        assert_eq!(listed.menu, menu);
    }

    #[test]
    fn batch_operations_use_lines_type_names() {
        let request = RichMenuBatchRequest {
            operations: vec![
                RichMenuBatchOperation::Link {
                    from: "a".into(),
                    to: "b".into(),
                },
                RichMenuBatchOperation::Unlink { from: "a".into() },
                RichMenuBatchOperation::UnlinkAll,
            ],
            resume_request_key: None,
        };
        assert_eq!(
            serde_json::to_value(request).unwrap(),
            json!({"operations": [
                {"type": "link", "from": "a", "to": "b"},
                {"type": "unlink", "from": "a"},
                {"type": "unlinkAll"}
            ]})
        );
    }
}
