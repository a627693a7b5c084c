//! Answering a citizen from a bus handler, after the webhook has answered LINE: with the
//! event's reply token (free of the monthly quota), and only if LINE refuses the token (used,
//! or older than LINE keeps it) as a push under a retry key named by the LINE event, so that a
//! retried bus event pushes once.
//!
//! A refused token is not always an unanswered citizen: when an earlier attempt's answer was
//! lost (a timeout, a dropped connection, a 5xx), LINE may have delivered that attempt and then
//! refused its repeat because the token was used. Pushing then would answer the citizen twice,
//! so the answer is taken as given.

use super::LineClient;
use super::SendOutcome;
use crate::error::LineError;
use crate::message::Message;
use crate::retry_key::RetryKeys;
use tayori_ports::StoreError;

/// LINE's status for a reply token it does not accept, with 「Invalid reply token」: a 400 for
/// anything else (a message LINE refuses) would be refused as a push too.
const REFUSED_TOKEN: u16 = 400;

/// How the answer reached the citizen.
#[derive(Debug, PartialEq, Eq)]
pub enum Answered {
    Replied,
    /// An earlier attempt's answer was lost, and LINE then refused the token as used: that
    /// attempt delivered the reply.
    RepliedByLostAttempt,
    /// The token was refused on its first use (expired, or used by an earlier run of the
    /// handler), so the answer was pushed.
    Pushed(SendOutcome),
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error(transparent)]
    Line(#[from] LineError),
    #[error("retry key not kept: {0}")]
    RetryKey(#[from] StoreError),
}

impl LineClient {
    /// Replies with `reply_token`, or pushes to `to` under the retry key of `operation` (named
    /// by the LINE event, e.g. `shelters/{webhookEventId}`).
    pub async fn reply_or_push(
        &self,
        keys: &RetryKeys,
        operation: &str,
        to: &str,
        reply_token: &str,
        messages: Vec<Message>,
    ) -> Result<Answered, AnswerError> {
        let attempts = self.attempt(self.reply_call(reply_token, &messages)?).await;
        let refused = match attempts.result {
            Ok(outcome) => {
                outcome.done()?;
                return Ok(Answered::Replied);
            }
            Err(e) if refused_token(&e) => e,
            Err(e) => return Err(e.into()),
        };
        if attempts.earlier_may_have_acted {
            tracing::warn!(error = %refused, operation, "reply token refused after an attempt whose answer was lost; taken as replied");
            return Ok(Answered::RepliedByLostAttempt);
        }
        tracing::warn!(error = %refused, operation, "reply token refused; pushing instead");
        let key = keys.key_for(operation).await?;
        Ok(Answered::Pushed(self.push(to, messages, key).await?))
    }
}

fn refused_token(error: &LineError) -> bool {
    matches!(error, LineError::Rejected { status, message, .. }
        if *status == REFUSED_TOKEN && message.to_ascii_lowercase().contains("reply token"))
}
