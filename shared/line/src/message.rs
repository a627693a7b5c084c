//! Outgoing messages (the ones Tayori sends), quick replies and actions, shaped as LINE's JSON
//! (`type`-tagged, camelCase). Limits are checked by [`crate::validate`] before sending.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A message to send by reply, push, multicast, narrowcast or broadcast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Message {
    Text(TextMessage),
    Image(ImageMessage),
    Location(LocationMessage),
    Sticker(StickerMessage),
    Imagemap(ImagemapMessage),
    Flex(FlexMessage),
    Template(TemplateMessage),
}

impl Message {
    pub fn text(text: impl Into<String>) -> Message {
        Message::Text(TextMessage {
            text: text.into(),
            ..TextMessage::default()
        })
    }

    pub fn image(
        original_content_url: impl Into<String>,
        preview_image_url: impl Into<String>,
    ) -> Message {
        Message::Image(ImageMessage {
            original_content_url: original_content_url.into(),
            preview_image_url: preview_image_url.into(),
            ..ImageMessage::default()
        })
    }

    pub fn location(
        title: impl Into<String>,
        address: impl Into<String>,
        latitude: f64,
        longitude: f64,
    ) -> Message {
        Message::Location(LocationMessage {
            title: title.into(),
            address: address.into(),
            latitude,
            longitude,
            ..LocationMessage::default()
        })
    }

    pub fn sticker(package_id: impl Into<String>, sticker_id: impl Into<String>) -> Message {
        Message::Sticker(StickerMessage {
            package_id: package_id.into(),
            sticker_id: sticker_id.into(),
            ..StickerMessage::default()
        })
    }

    /// A Flex Message; `contents` is a bubble or carousel container as LINE's JSON.
    pub fn flex(alt_text: impl Into<String>, contents: Value) -> Message {
        Message::Flex(FlexMessage {
            alt_text: alt_text.into(),
            contents,
            ..FlexMessage::default()
        })
    }

    /// A template message; `template` is a buttons, confirm or carousel template as LINE's JSON.
    pub fn template(alt_text: impl Into<String>, template: Value) -> Message {
        Message::Template(TemplateMessage {
            alt_text: alt_text.into(),
            template,
            ..TemplateMessage::default()
        })
    }

    pub fn with_quick_reply(mut self, quick_reply: QuickReply) -> Message {
        *self.quick_reply_mut() = Some(quick_reply);
        self
    }

    /// Shows the message under another name and icon (e.g. the disaster-prevention desk).
    pub fn with_sender(mut self, sender: Sender) -> Message {
        *self.sender_mut() = Some(sender);
        self
    }

    pub fn quick_reply(&self) -> Option<&QuickReply> {
        match self {
            Message::Text(m) => m.quick_reply.as_ref(),
            Message::Image(m) => m.quick_reply.as_ref(),
            Message::Location(m) => m.quick_reply.as_ref(),
            Message::Sticker(m) => m.quick_reply.as_ref(),
            Message::Imagemap(m) => m.quick_reply.as_ref(),
            Message::Flex(m) => m.quick_reply.as_ref(),
            Message::Template(m) => m.quick_reply.as_ref(),
        }
    }

    fn quick_reply_mut(&mut self) -> &mut Option<QuickReply> {
        match self {
            Message::Text(m) => &mut m.quick_reply,
            Message::Image(m) => &mut m.quick_reply,
            Message::Location(m) => &mut m.quick_reply,
            Message::Sticker(m) => &mut m.quick_reply,
            Message::Imagemap(m) => &mut m.quick_reply,
            Message::Flex(m) => &mut m.quick_reply,
            Message::Template(m) => &mut m.quick_reply,
        }
    }

    fn sender_mut(&mut self) -> &mut Option<Sender> {
        match self {
            Message::Text(m) => &mut m.sender,
            Message::Image(m) => &mut m.sender,
            Message::Location(m) => &mut m.sender,
            Message::Sticker(m) => &mut m.sender,
            Message::Imagemap(m) => &mut m.sender,
            Message::Flex(m) => &mut m.sender,
            Message::Template(m) => &mut m.sender,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextMessage {
    pub text: String,
    /// LINE emoji placed at `$` characters in `text`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emojis: Vec<Emoji>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
}

impl TextMessage {
    pub fn with_emojis(mut self, emojis: Vec<Emoji>) -> TextMessage {
        self.emojis = emojis;
        self
    }
}

/// A LINE emoji standing in for the `$` at `index` (in UTF-16 units) of a text message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Emoji {
    pub index: u32,
    pub product_id: String,
    pub emoji_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageMessage {
    pub original_content_url: String,
    pub preview_image_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationMessage {
    pub title: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StickerMessage {
    pub package_id: String,
    pub sticker_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
}

/// An image with tappable areas; LINE fetches `{base_url}/{width}` for the device's width.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagemapMessage {
    pub base_url: String,
    pub alt_text: String,
    pub base_size: ImagemapSize,
    pub actions: Vec<ImagemapAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
}

/// LINE's imagemap base width is always 1040; the height follows the image's aspect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagemapSize {
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagemapArea {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ImagemapAction {
    Uri {
        link_uri: String,
        area: ImagemapArea,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    Message {
        text: String,
        area: ImagemapArea,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlexMessage {
    pub alt_text: String,
    /// A bubble or carousel container, as LINE's JSON.
    pub contents: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateMessage {
    pub alt_text: String,
    /// A buttons, confirm, carousel or image carousel template, as LINE's JSON.
    pub template: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
}

/// Another display name and icon for one message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
}

/// Buttons shown above the keyboard under a message (at most 13).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    pub items: Vec<QuickReplyItem>,
}

impl QuickReply {
    pub fn new(items: Vec<QuickReplyItem>) -> QuickReply {
        QuickReply { items }
    }
}

/// One quick reply button; serialised with LINE's constant `"type": "action"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "action", rename_all = "camelCase")]
pub struct QuickReplyItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub action: Action,
}

impl QuickReplyItem {
    pub fn new(action: Action) -> QuickReplyItem {
        QuickReplyItem {
            image_url: None,
            action,
        }
    }

    /// A button answering with `data`, its label shown in the chat as what the citizen said.
    pub fn postback(label: &str, data: &str) -> QuickReplyItem {
        QuickReplyItem::new(Action::Postback {
            label: Some(label.to_owned()),
            data: data.to_owned(),
            display_text: Some(label.to_owned()),
            input_option: None,
            fill_in_text: None,
        })
    }
}

/// What a button, rich menu area or quick reply does when tapped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    /// Sends `data` back in a postback event (and shows `display_text` in the chat, if given).
    Postback {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        data: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display_text: Option<String>,
        /// `closeRichMenu`, `openRichMenu`, `openKeyboard` or `openVoice`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        input_option: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fill_in_text: Option<String>,
    },
    /// Sends `text` as if the user had typed it.
    Message {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        text: String,
    },
    Uri {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        uri: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alt_uri: Option<Value>,
    },
    #[serde(rename = "datetimepicker")]
    DatetimePicker {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        data: String,
        /// `date`, `time` or `datetime`.
        mode: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        initial: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<String>,
    },
    /// Opens the location picker (quick reply only).
    Location {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Switches to the rich menu behind an alias (rich menus only).
    #[serde(rename = "richmenuswitch")]
    RichMenuSwitch {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        rich_menu_alias_id: String,
        data: String,
    },
    /// Opens the camera (quick reply only).
    Camera {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Opens the camera roll (quick reply only).
    CameraRoll {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
}

impl Action {
    pub fn postback(label: impl Into<String>, data: impl Into<String>) -> Action {
        Action::Postback {
            label: Some(label.into()),
            data: data.into(),
            display_text: None,
            input_option: None,
            fill_in_text: None,
        }
    }

    pub fn message(label: impl Into<String>, text: impl Into<String>) -> Action {
        Action::Message {
            label: Some(label.into()),
            text: text.into(),
        }
    }

    pub fn uri(label: impl Into<String>, uri: impl Into<String>) -> Action {
        Action::Uri {
            label: Some(label.into()),
            uri: uri.into(),
            alt_uri: None,
        }
    }

    pub fn label(&self) -> Option<&str> {
        match self {
            Action::Postback { label, .. }
            | Action::Message { label, .. }
            | Action::Uri { label, .. }
            | Action::DatetimePicker { label, .. }
            | Action::Location { label }
            | Action::RichMenuSwitch { label, .. }
            | Action::Camera { label }
            | Action::CameraRoll { label } => label.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_text_message_with_a_quick_reply_is_lines_json() {
        let message =
            Message::text("地区を選んでください").with_quick_reply(QuickReply::new(vec![
                QuickReplyItem::new(Action::postback("小浜", "district=obama")),
                QuickReplyItem::new(Action::Location {
                    label: Some("現在地".into()),
                }),
            ]));
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            json!({
                "type": "text",
                "text": "地区を選んでください",
                "quickReply": {"items": [
                    {"type": "action", "action": {"type": "postback", "label": "小浜", "data": "district=obama"}},
                    {"type": "action", "action": {"type": "location", "label": "現在地"}}
                ]}
            })
        );
    }

    #[test]
    fn action_types_use_lines_spelling() {
        let actions = [
            (
                Action::DatetimePicker {
                    label: None,
                    data: "d".into(),
                    mode: "date".into(),
                    initial: None,
                    max: None,
                    min: None,
                },
                "datetimepicker",
            ),
            (
                Action::RichMenuSwitch {
                    label: None,
                    rich_menu_alias_id: "a".into(),
                    data: "d".into(),
                },
                "richmenuswitch",
            ),
            (Action::CameraRoll { label: None }, "cameraRoll"),
            (Action::Camera { label: None }, "camera"),
            (Action::uri("開く", "https://example.jp"), "uri"),
        ];
        for (action, expected) in actions {
            let value = serde_json::to_value(&action).unwrap();
            assert_eq!(value["type"], expected);
            assert_eq!(serde_json::from_value::<Action>(value).unwrap(), action);
        }
        let switch = serde_json::to_value(Action::RichMenuSwitch {
            label: None,
            rich_menu_alias_id: "a".into(),
            data: "d".into(),
        })
        .unwrap();
        assert_eq!(switch["richMenuAliasId"], "a");
    }

    #[test]
    fn every_message_kind_round_trips_through_json() {
        let messages = vec![
            Message::text("こんにちは"),
            Message::image("https://example.jp/a.jpg", "https://example.jp/a-s.jpg"),
            Message::location("小浜市役所", "福井県小浜市大手町6-3", 35.4955, 135.7466),
            Message::sticker("446", "1988"),
            Message::flex("お知らせ", json!({"type": "bubble"})),
            Message::template("確認", json!({"type": "confirm"})),
            Message::Imagemap(ImagemapMessage {
                base_url: "https://example.jp/map".into(),
                alt_text: "地図".into(),
                base_size: ImagemapSize {
                    width: 1040,
                    height: 1040,
                },
                actions: vec![ImagemapAction::Message {
                    text: "北".into(),
                    area: ImagemapArea {
                        x: 0,
                        y: 0,
                        width: 1040,
                        height: 520,
                    },
                    label: None,
                }],
                quick_reply: None,
                sender: None,
            }),
        ];
        for message in messages {
            let value = serde_json::to_value(&message).unwrap();
            assert_eq!(serde_json::from_value::<Message>(value).unwrap(), message);
        }
        let image = serde_json::to_value(Message::image("https://a/o", "https://a/p")).unwrap();
        assert_eq!(
            image,
            json!({"type": "image", "originalContentUrl": "https://a/o", "previewImageUrl": "https://a/p"})
        );
    }
}
