//! What happened in an event, by event type.

use super::incoming::IncomingMessage;
use super::{read_source, Source};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// Added as a friend, or unblocked (`is_unblocked`).
    Follow {
        is_unblocked: bool,
    },
    /// Blocked.
    Unfollow,
    Message(IncomingMessage),
    /// A postback action was tapped.
    Postback {
        data: String,
        params: Option<PostbackParams>,
    },
    /// The bot joined a group or room.
    Join,
    Leave,
    MemberJoined {
        members: Vec<Source>,
    },
    MemberLeft {
        members: Vec<Source>,
    },
    Beacon {
        hwid: String,
        beacon_type: String,
    },
    AccountLink {
        result: String,
        nonce: String,
    },
    /// The user unsent an earlier message.
    Unsend {
        message_id: String,
    },
    VideoPlayComplete {
        tracking_id: String,
    },
    /// An event type this crate does not know, or a known one it could not read.
    Unknown {
        event_type: String,
    },
}

/// What a datetime picker or rich menu switch sent with a postback: `date`, `time`,
/// `datetime`, `newRichMenuAliasId`, `status`.
pub type PostbackParams = BTreeMap<String, String>;

pub(super) fn read(event_type: &str, event: &Value) -> Result<EventKind, serde_json::Error> {
    fn field<T: for<'de> Deserialize<'de>>(
        event: &Value,
        name: &str,
    ) -> Result<T, serde_json::Error> {
        T::deserialize(event.get(name).unwrap_or(&Value::Null))
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Follow {
        #[serde(default)]
        is_unblocked: bool,
    }
    #[derive(Deserialize)]
    struct Postback {
        data: String,
        #[serde(default)]
        params: Option<BTreeMap<String, Value>>,
    }
    #[derive(Deserialize)]
    struct Members {
        #[serde(default)]
        members: Vec<Value>,
    }
    #[derive(Deserialize)]
    struct Beacon {
        hwid: String,
        #[serde(rename = "type")]
        beacon_type: String,
    }
    #[derive(Deserialize)]
    struct Link {
        result: String,
        #[serde(default)]
        nonce: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Unsend {
        message_id: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct VideoPlayComplete {
        tracking_id: String,
    }

    let members = |name: &str| -> Result<Vec<Source>, serde_json::Error> {
        let m: Members = field(event, name)?;
        Ok(m.members.iter().map(read_source).collect())
    };
    Ok(match event_type {
        "follow" => {
            // Older follow events carry no `follow` object; they were never unblocks.
            let follow: Option<Follow> = field(event, "follow")?;
            EventKind::Follow {
                is_unblocked: follow.is_some_and(|f| f.is_unblocked),
            }
        }
        "unfollow" => EventKind::Unfollow,
        "message" => EventKind::Message(IncomingMessage::read(
            event.get("message").unwrap_or(&Value::Null),
        )),
        "postback" => {
            let postback: Postback = field(event, "postback")?;
            EventKind::Postback {
                data: postback.data,
                // LINE sends strings; anything else is kept as its JSON text.
                params: postback.params.map(|p| {
                    p.into_iter()
                        .map(|(k, v)| match v {
                            Value::String(s) => (k, s),
                            other => (k, other.to_string()),
                        })
                        .collect()
                }),
            }
        }
        "join" => EventKind::Join,
        "leave" => EventKind::Leave,
        "memberJoined" => EventKind::MemberJoined {
            members: members("joined")?,
        },
        "memberLeft" => EventKind::MemberLeft {
            members: members("left")?,
        },
        "beacon" => {
            let beacon: Beacon = field(event, "beacon")?;
            EventKind::Beacon {
                hwid: beacon.hwid,
                beacon_type: beacon.beacon_type,
            }
        }
        "accountLink" => {
            let link: Link = field(event, "link")?;
            EventKind::AccountLink {
                result: link.result,
                nonce: link.nonce,
            }
        }
        "unsend" => {
            let unsend: Unsend = field(event, "unsend")?;
            EventKind::Unsend {
                message_id: unsend.message_id,
            }
        }
        "videoPlayComplete" => {
            let video: VideoPlayComplete = field(event, "videoPlayComplete")?;
            EventKind::VideoPlayComplete {
                tracking_id: video.tracking_id,
            }
        }
        other => EventKind::Unknown {
            event_type: other.to_string(),
        },
    })
}
