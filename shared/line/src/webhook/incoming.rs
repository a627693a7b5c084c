//! Messages users send to the channel, as message events carry them.

use serde::Deserialize;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum IncomingMessage {
    Text {
        id: String,
        text: String,
        quote_token: Option<String>,
        emojis: Vec<IncomingEmoji>,
        /// The message this one quotes, if any.
        quoted_message_id: Option<String>,
    },
    /// Fetch the bytes with `LineClient::content(id)` when the provider is LINE.
    Image {
        id: String,
        quote_token: Option<String>,
        content_provider: ContentProvider,
    },
    Video {
        id: String,
        duration_ms: Option<i64>,
        content_provider: ContentProvider,
    },
    Audio {
        id: String,
        duration_ms: Option<i64>,
        content_provider: ContentProvider,
    },
    File {
        id: String,
        file_name: String,
        file_size: u64,
    },
    Location {
        id: String,
        title: Option<String>,
        address: Option<String>,
        latitude: f64,
        longitude: f64,
    },
    Sticker {
        id: String,
        package_id: String,
        sticker_id: String,
        sticker_resource_type: Option<String>,
        keywords: Vec<String>,
        /// What the user typed on a message sticker.
        text: Option<String>,
    },
    /// A message type this crate does not know, or a known one it could not read.
    Unknown { id: String, message_type: String },
}

/// A LINE emoji in received text, at `index` (UTF-16 units) over `length` units.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingEmoji {
    pub index: u32,
    pub length: u32,
    pub product_id: String,
    pub emoji_id: String,
}

/// Where a media message's bytes are.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum ContentProvider {
    /// On LINE's servers: fetch through the content API.
    #[default]
    Line,
    /// Sent by another service with its own URLs.
    External {
        original_content_url: Option<String>,
        preview_image_url: Option<String>,
    },
}

impl<'de> Deserialize<'de> for ContentProvider {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            #[serde(rename = "type")]
            provider: String,
            original_content_url: Option<String>,
            preview_image_url: Option<String>,
        }
        let raw = Raw::deserialize(deserializer)?;
        Ok(match raw.provider.as_str() {
            "external" => ContentProvider::External {
                original_content_url: raw.original_content_url,
                preview_image_url: raw.preview_image_url,
            },
            _ => ContentProvider::Line,
        })
    }
}

/// The wire shape of the message types this crate knows.
#[derive(Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Wire {
    Text {
        id: String,
        text: String,
        #[serde(default)]
        quote_token: Option<String>,
        #[serde(default)]
        emojis: Vec<IncomingEmoji>,
        #[serde(default)]
        quoted_message_id: Option<String>,
    },
    Image {
        id: String,
        #[serde(default)]
        quote_token: Option<String>,
        #[serde(default)]
        content_provider: ContentProvider,
    },
    Video {
        id: String,
        #[serde(default)]
        duration: Option<i64>,
        #[serde(default)]
        content_provider: ContentProvider,
    },
    Audio {
        id: String,
        #[serde(default)]
        duration: Option<i64>,
        #[serde(default)]
        content_provider: ContentProvider,
    },
    File {
        id: String,
        #[serde(default)]
        file_name: String,
        #[serde(default)]
        file_size: u64,
    },
    Location {
        id: String,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        address: Option<String>,
        latitude: f64,
        longitude: f64,
    },
    Sticker {
        id: String,
        package_id: String,
        sticker_id: String,
        #[serde(default)]
        sticker_resource_type: Option<String>,
        #[serde(default)]
        keywords: Vec<String>,
        #[serde(default)]
        text: Option<String>,
    },
}

const KNOWN: [&str; 7] = [
    "text", "image", "video", "audio", "file", "location", "sticker",
];

impl IncomingMessage {
    /// Reads a message object. An unknown type becomes `Unknown`; a known type that cannot be
    /// read too, with a warning, so that the event still reaches its handler.
    pub(super) fn read(value: &Value) -> IncomingMessage {
        let message_type = value["type"].as_str().unwrap_or_default().to_string();
        let id = value["id"].as_str().unwrap_or_default().to_string();
        if !KNOWN.contains(&message_type.as_str()) {
            return IncomingMessage::Unknown { id, message_type };
        }
        match Wire::deserialize(value) {
            Ok(wire) => wire.into(),
            Err(e) => {
                tracing::warn!(message_type = %message_type, error = %e, "unreadable message kept as unknown");
                IncomingMessage::Unknown { id, message_type }
            }
        }
    }

    pub fn id(&self) -> &str {
        match self {
            IncomingMessage::Text { id, .. }
            | IncomingMessage::Image { id, .. }
            | IncomingMessage::Video { id, .. }
            | IncomingMessage::Audio { id, .. }
            | IncomingMessage::File { id, .. }
            | IncomingMessage::Location { id, .. }
            | IncomingMessage::Sticker { id, .. }
            | IncomingMessage::Unknown { id, .. } => id,
        }
    }
}

impl From<Wire> for IncomingMessage {
    fn from(wire: Wire) -> Self {
        match wire {
            Wire::Text {
                id,
                text,
                quote_token,
                emojis,
                quoted_message_id,
            } => IncomingMessage::Text {
                id,
                text,
                quote_token,
                emojis,
                quoted_message_id,
            },
            Wire::Image {
                id,
                quote_token,
                content_provider,
            } => IncomingMessage::Image {
                id,
                quote_token,
                content_provider,
            },
            Wire::Video {
                id,
                duration,
                content_provider,
            } => IncomingMessage::Video {
                id,
                duration_ms: duration,
                content_provider,
            },
            Wire::Audio {
                id,
                duration,
                content_provider,
            } => IncomingMessage::Audio {
                id,
                duration_ms: duration,
                content_provider,
            },
            Wire::File {
                id,
                file_name,
                file_size,
            } => IncomingMessage::File {
                id,
                file_name,
                file_size,
            },
            Wire::Location {
                id,
                title,
                address,
                latitude,
                longitude,
            } => IncomingMessage::Location {
                id,
                title,
                address,
                latitude,
                longitude,
            },
            Wire::Sticker {
                id,
                package_id,
                sticker_id,
                sticker_resource_type,
                keywords,
                text,
            } => IncomingMessage::Sticker {
                id,
                package_id,
                sticker_id,
                sticker_resource_type,
                keywords,
                text,
            },
        }
    }
}
