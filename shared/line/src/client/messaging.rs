//! Sending messages (reply, push, multicast, narrowcast, broadcast), friends' profiles and the
//! content of messages they sent.

use super::transport::{Call, Outcome};
use super::{segment, LineClient, SendOutcome};
use crate::error::LineError;
use crate::message::Message;
use crate::profile::Profile;
use crate::retry_key::RetryKey;
use crate::validate;
use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A narrowcast: messages to an audience, filtered by demographics, up to a limit. LINE
/// fails narrowcasts that reach fewer than 50 people: small segments use multicast.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NarrowcastRequest {
    pub messages: Vec<Message>,
    /// A recipient object (audience or redelivery, combined with `and`/`or`/`not`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Value>,
    /// `{"demographic": ...}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Value>,
    /// `{"max": n, "upToRemainingQuota": bool}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<Value>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub notification_disabled: bool,
}

impl NarrowcastRequest {
    pub fn new(messages: Vec<Message>) -> NarrowcastRequest {
        NarrowcastRequest {
            messages,
            recipient: None,
            filter: None,
            limit: None,
            notification_disabled: false,
        }
    }
}

/// Where a narrowcast stands (`GET /v2/bot/message/progress/narrowcast`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NarrowcastProgress {
    /// `waiting`, `sending`, `succeeded` or `failed`.
    pub phase: String,
    #[serde(default)]
    pub success_count: Option<i64>,
    #[serde(default)]
    pub failure_count: Option<i64>,
    #[serde(default)]
    pub target_count: Option<i64>,
    #[serde(default)]
    pub failed_description: Option<String>,
    #[serde(default)]
    pub error_code: Option<i64>,
    pub accepted_time: String,
    #[serde(default)]
    pub completed_time: Option<String>,
}

/// The month's target limit for sent messages (`GET /v2/bot/message/quota`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageQuota {
    /// `None` when no limit is set (LINE's `"type": "none"`).
    pub limit: Option<u64>,
}

#[derive(Deserialize)]
struct QuotaBody {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    value: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsumptionBody {
    total_usage: u64,
}

/// The bytes of an image, video, audio or file a user sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub content_type: String,
    pub bytes: Bytes,
}

fn send_outcome(outcome: Outcome) -> SendOutcome {
    match outcome {
        Outcome::Done(answer) => SendOutcome::Accepted {
            request_id: answer.request_id,
        },
        Outcome::AlreadyAccepted {
            accepted_request_id,
        } => SendOutcome::AlreadyAccepted {
            accepted_request_id,
        },
    }
}

impl LineClient {
    /// Answers an event with its reply token (free of charge, single-use, about a minute).
    /// Never carries a retry key: LINE refuses one on replies.
    pub async fn reply(&self, reply_token: &str, messages: Vec<Message>) -> Result<(), LineError> {
        self.execute(self.reply_call(reply_token, &messages)?)
            .await?
            .done()?;
        Ok(())
    }

    pub(super) fn reply_call(
        &self,
        reply_token: &str,
        messages: &[Message],
    ) -> Result<Call, LineError> {
        validate::messages(messages)?;
        let body = json!({ "replyToken": reply_token, "messages": messages });
        Ok(Call::new(
            Method::POST,
            "/v2/bot/message/reply",
            self.api("/v2/bot/message/reply"),
        )
        .json(body))
    }

    /// Sends to one user, group or room.
    pub async fn push(
        &self,
        to: &str,
        messages: Vec<Message>,
        key: RetryKey,
    ) -> Result<SendOutcome, LineError> {
        validate::messages(&messages)?;
        let body = json!({ "to": to, "messages": messages });
        let call = Call::new(
            Method::POST,
            "/v2/bot/message/push",
            self.api("/v2/bot/message/push"),
        )
        .json(body)
        .retry_key(key);
        Ok(send_outcome(self.execute(call).await?))
    }

    /// Sends to 1–500 users, paced to `multicast_per_second` requests per second.
    pub async fn multicast(
        &self,
        to: &[String],
        messages: Vec<Message>,
        key: RetryKey,
    ) -> Result<SendOutcome, LineError> {
        validate::recipients(to)?;
        validate::messages(&messages)?;
        let body = json!({ "to": to, "messages": messages });
        let call = Call::new(
            Method::POST,
            "/v2/bot/message/multicast",
            self.api("/v2/bot/message/multicast"),
        )
        .json(body)
        .retry_key(key)
        .paced();
        Ok(send_outcome(self.execute(call).await?))
    }

    /// Sends to an audience or demographic; LINE answers 202 and delivers in the background:
    /// follow it with [`LineClient::narrowcast_progress`] and the outcome's request id.
    pub async fn narrowcast(
        &self,
        request: NarrowcastRequest,
        key: RetryKey,
    ) -> Result<SendOutcome, LineError> {
        validate::messages(&request.messages)?;
        let body =
            serde_json::to_value(&request).map_err(|e| LineError::Unexpected(e.to_string()))?;
        let call = Call::new(
            Method::POST,
            "/v2/bot/message/narrowcast",
            self.api("/v2/bot/message/narrowcast"),
        )
        .json(body)
        .retry_key(key);
        Ok(send_outcome(self.execute(call).await?))
    }

    pub async fn narrowcast_progress(
        &self,
        request_id: &str,
    ) -> Result<NarrowcastProgress, LineError> {
        let url = self.api(&format!(
            "/v2/bot/message/progress/narrowcast?requestId={}",
            segment(request_id)
        ));
        self.execute(Call::new(
            Method::GET,
            "/v2/bot/message/progress/narrowcast",
            url,
        ))
        .await?
        .done()?
        .json()
    }

    /// Sends to every friend of the channel.
    pub async fn broadcast(
        &self,
        messages: Vec<Message>,
        key: RetryKey,
    ) -> Result<SendOutcome, LineError> {
        validate::messages(&messages)?;
        let body = json!({ "messages": messages });
        let call = Call::new(
            Method::POST,
            "/v2/bot/message/broadcast",
            self.api("/v2/bot/message/broadcast"),
        )
        .json(body)
        .retry_key(key);
        Ok(send_outcome(self.execute(call).await?))
    }

    pub async fn profile(&self, user_id: &str) -> Result<Profile, LineError> {
        let url = self.api(&format!("/v2/bot/profile/{}", segment(user_id)));
        self.execute(Call::new(Method::GET, "/v2/bot/profile/{userId}", url))
            .await?
            .done()?
            .json()
    }

    /// What a user sent as an image, video, audio or file, from api-data.
    pub async fn content(&self, message_id: &str) -> Result<Content, LineError> {
        let url = self.data_api(&format!("/v2/bot/message/{}/content", segment(message_id)));
        let call = Call::new(Method::GET, "/v2/bot/message/{messageId}/content", url);
        let answer = self.execute(call).await?.done()?;
        Ok(Content {
            content_type: answer
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            bytes: answer.body,
        })
    }

    /// The month's target limit (free plus additional messages).
    pub async fn message_quota(&self) -> Result<MessageQuota, LineError> {
        let url = self.api("/v2/bot/message/quota");
        let body: QuotaBody = self
            .execute(Call::new(Method::GET, "/v2/bot/message/quota", url))
            .await?
            .done()?
            .json()?;
        Ok(MessageQuota {
            limit: (body.kind == "limited").then_some(body.value).flatten(),
        })
    }

    /// How many messages were sent this month, as LINE counts them against the quota.
    pub async fn message_quota_consumption(&self) -> Result<u64, LineError> {
        let url = self.api("/v2/bot/message/quota/consumption");
        let body: ConsumptionBody = self
            .execute(Call::new(
                Method::GET,
                "/v2/bot/message/quota/consumption",
                url,
            ))
            .await?
            .done()?
            .json()?;
        Ok(body.total_usage)
    }
}
