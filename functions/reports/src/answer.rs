//! Answering a citizen from a bus handler: with the event's reply token (free of the monthly
//! quota), and only if LINE refuses the token (used, or older than LINE keeps it) as a push
//! under a retry key named by the LINE event, so that a retried bus event pushes once.

use tayori_line::message::Message;
use tayori_line::{LineClient, LineError, RetryKeys};
use tayori_ports::Platform;

/// LINE's status for a reply token it does not accept, with 「Invalid reply token」.
const REFUSED_TOKEN: u16 = 400;

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error(transparent)]
    Line(#[from] LineError),
    #[error("retry key not kept: {0}")]
    RetryKey(#[from] tayori_ports::StoreError),
}

/// Replies with `reply_token`, or pushes to `user_id` under the retry key of `operation`.
pub async fn reply_or_push(
    platform: &Platform,
    line: &LineClient,
    user_id: &str,
    reply_token: &str,
    operation: &str,
    messages: Vec<Message>,
) -> Result<(), AnswerError> {
    match line.reply(reply_token, messages.clone()).await {
        Ok(()) => Ok(()),
        Err(e) if refused_token(&e) => {
            tracing::warn!(error = %e, operation, "reply token refused; pushing instead");
            let keys = RetryKeys::new(platform.table.clone(), platform.clock.clone());
            let key = keys.key_for(operation).await?;
            line.push(user_id, messages, key).await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

fn refused_token(error: &LineError) -> bool {
    matches!(error, LineError::Rejected { status, message, .. }
        if *status == REFUSED_TOKEN && message.to_ascii_lowercase().contains("reply token"))
}
