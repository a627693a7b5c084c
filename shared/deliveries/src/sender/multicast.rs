//! The multicast stage: sends each planned batch under its retry key, a few at once, unless
//! staff asked the delivery to stop, and hands it on with its outcome.

use super::{SendError, Sender};
use crate::messages::to_line_messages;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicBool, Ordering};
use tayori_domain::delivery::Delivery;
use tayori_line::message::Message;
use tayori_line::{LineError, RetryKey};
use tayori_records::{Batch, BatchState, Deliveries, RecordError};

impl Sender {
    pub(super) async fn multicast_all(
        &self,
        delivery: &Delivery,
        to_send: mpsc::Receiver<Batch>,
        mut finished: mpsc::Sender<Batch>,
    ) -> Result<(), SendError> {
        let messages = to_line_messages(delivery.bubbles(), &self.media_base_url);
        let stop = StopFlag::new(self.deliveries(), delivery.id());
        let (messages, stop) = (&messages, &stop);
        let mut sent = to_send
            .map(|batch| async move {
                // Checked per batch, so "stop" takes effect within one request.
                let state = if stop.raised().await? {
                    BatchState::NotSent
                } else {
                    self.send_one(&batch, messages.clone()).await
                };
                Ok::<_, RecordError>(batch.finished(state, self.platform.clock.now()))
            })
            .buffer_unordered(self.in_flight.max(1));
        while let Some(batch) = sent.next().await {
            if finished.send(batch?).await.is_err() {
                return Ok(()); // the recording stage stopped on an error
            }
        }
        Ok(())
    }

    async fn send_one(&self, batch: &Batch, messages: Vec<Message>) -> BatchState {
        let key = match RetryKey::parse(batch.retry_key()) {
            Ok(key) => key,
            Err(e) => {
                return BatchState::Failed {
                    error: format!("retry key unreadable: {e}"),
                }
            }
        };
        match self.line.multicast(batch.recipients(), messages, key).await {
            Ok(outcome) => BatchState::Sent {
                request_id: outcome.request_id().map(str::to_owned),
            },
            Err(e) => BatchState::Failed {
                error: describe(&e),
            },
        }
    }
}

/// Staff's stop, read from the delivery's stop flag until it is seen raised (it is never
/// lowered while the delivery is sending).
struct StopFlag<'a> {
    deliveries: Deliveries,
    id: &'a str,
    seen: AtomicBool,
}

impl<'a> StopFlag<'a> {
    fn new(deliveries: Deliveries, id: &'a str) -> Self {
        Self {
            deliveries,
            id,
            seen: AtomicBool::new(false),
        }
    }

    async fn raised(&self) -> Result<bool, RecordError> {
        if self.seen.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let raised = self.deliveries.stop_requested(self.id).await?;
        if raised {
            self.seen.store(true, Ordering::Relaxed);
        }
        Ok(raised)
    }
}

/// LINE's answer in words for the log: status and message, with the failing property.
fn describe(error: &LineError) -> String {
    match error {
        LineError::Rejected {
            status,
            message,
            details,
        } => {
            let detail = details
                .iter()
                .filter_map(|d| d.message.as_deref())
                .collect::<Vec<_>>()
                .join("; ");
            if detail.is_empty() {
                format!("LINE {status}: {message}")
            } else {
                format!("LINE {status}: {message} ({detail})")
            }
        }
        LineError::GaveUp {
            attempts, status, ..
        } => match status {
            Some(s) => format!("LINE {s}: {attempts}回試行しても受け付けられませんでした"),
            None => format!("LINEに接続できませんでした（{attempts}回試行）"),
        },
        other => other.to_string(),
    }
}
