//! Sending one delivery: pick its recipients, split them into batches of 500, multicast each
//! batch with its own persisted retry key, and record every batch's result.
//!
//! Crash safety rests on three records (see `tayori_records::deliveries`):
//! - the plan is written after its batches, so a resumed sender either finds a complete plan or
//!   plans from scratch before anything was sent;
//! - each batch carries the retry key chosen at planning, so a batch that LINE accepted just
//!   before a crash is answered 409 when resent, and nobody gets it twice;
//! - a lease keeps two senders (a tick and a retry, say) off the same delivery; it expires, so
//!   a sender that died is replaced by the next tick.

use crate::messages::to_line_messages;
use chrono::Duration;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::delivery::{Delivery, DeliveryStatus, Totals, BATCH_SIZE};
use tayori_domain::segment::Target;
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_line::{LineClient, LineError, RetryKey};
use tayori_ports::Platform;
use tayori_records::{
    Batch, BatchState, Deliveries, Friends, Plan, RecordError, Testers, UsageEvents,
};

/// How long a sender may go without renewing its lease before another may take over.
const LEASE_MINUTES: i64 = 5;
/// Multicasts in flight at once by default: LINE's latency, not its rate limit, would bound a
/// serial sender; the client's pacer keeps the rate at LINE's 200 requests per second.
pub const IN_FLIGHT: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("delivery {0} does not exist")]
    Missing(String),
}

pub struct Sender {
    pub platform: Platform,
    pub line: Arc<LineClient>,
    /// Where LINE fetches delivery images: `<base>/<key>` (https).
    pub media_base_url: String,
    /// Identifies this process in leases.
    pub holder: String,
    pub in_flight: usize,
}

/// What a call to [`Sender::send`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not due, already finished, cancelled, or another sender holds it.
    Skipped,
    Finished(Totals),
}

impl Sender {
    pub fn new(platform: Platform, line: Arc<LineClient>, media_base_url: String) -> Self {
        Self {
            platform,
            line,
            media_base_url,
            holder: uuid::Uuid::new_v4().to_string(),
            in_flight: IN_FLIGHT,
        }
    }

    fn deliveries(&self) -> Deliveries {
        Deliveries::new(self.platform.table.clone())
    }

    /// Sends every delivery that is due now or was left half-sent.
    pub async fn send_due(&self) -> Result<Vec<(String, Outcome)>, SendError> {
        let now = self.platform.clock.now();
        let mut outcomes = Vec::new();
        for id in self.deliveries().due(now).await? {
            let outcome = self.send(&id).await?;
            outcomes.push((id, outcome));
        }
        Ok(outcomes)
    }

    /// Sends (or resumes) one delivery.
    pub async fn send(&self, id: &str) -> Result<Outcome, SendError> {
        let deliveries = self.deliveries();
        let now = self.platform.clock.now();
        let delivery = deliveries
            .get(id)
            .await?
            .ok_or_else(|| SendError::Missing(id.into()))?;
        let resumable = delivery.status() == DeliveryStatus::Sending || delivery.is_due(now);
        // One lease holder per call, not per process: two ticks of the same process (the local
        // run's bus handles them concurrently) must not both plan and send the same delivery.
        let holder = format!("{}/{}", self.holder, uuid::Uuid::new_v4().simple());
        if !resumable || !self.renew_lease(id, &holder).await? {
            return Ok(Outcome::Skipped);
        }
        let delivery = if delivery.status() == DeliveryStatus::Sending {
            delivery
        } else {
            let started = deliveries
                .update(id, |d| {
                    d.start_sending(now);
                    Ok::<_, RecordError>(())
                })
                .await?;
            if started.status() != DeliveryStatus::Sending {
                // Cancelled or sent back to draft since we read it: nothing to send.
                deliveries.release_lease(id).await?;
                return Ok(Outcome::Skipped);
            }
            started
        };

        let plan = match deliveries.plan(id).await? {
            Some(plan) => plan,
            None => self.make_plan(&delivery).await?,
        };
        self.send_batches(&delivery, &plan, &holder).await?;
        let totals = self.finish(&delivery, &plan).await?;
        deliveries.release_lease(id).await?;
        Ok(Outcome::Finished(totals))
    }

    async fn renew_lease(&self, id: &str, holder: &str) -> Result<bool, RecordError> {
        let until = self.platform.clock.now() + Duration::minutes(LEASE_MINUTES);
        self.deliveries().take_lease(id, holder, until).await
    }

    /// Everyone the delivery is for, now: following friends whose registration matches (a
    /// friend who blocked the account or deleted their data is never among them), or, for a
    /// test delivery, the testers.
    async fn make_plan(&self, delivery: &Delivery) -> Result<Plan, RecordError> {
        let mut recipients: Vec<String> = if delivery.is_test() {
            Testers::new(self.platform.table.clone())
                .get()
                .await?
                .into_iter()
                .map(|t| t.user_id)
                .collect()
        } else {
            self.friends_in_target(delivery).await?
        };
        recipients.sort_unstable();
        recipients.dedup();
        // The ids move into their batches rather than being copied: at a million recipients a
        // copy is ~50 MB more at the sender's peak.
        let mut batches = Vec::with_capacity(recipients.len().div_ceil(BATCH_SIZE));
        let mut rest = recipients.into_iter().peekable();
        while rest.peek().is_some() {
            batches.push(Batch {
                number: batches.len() as u32,
                recipients: rest.by_ref().take(BATCH_SIZE).collect(),
                retry_key: RetryKey::new().to_string(),
                state: BatchState::Pending,
                at: None,
            });
        }
        self.deliveries().save_plan(delivery.id(), &batches).await
    }

    /// Following friends the delivery's target matches, in no particular order, matched by
    /// their segment keys (their registrations stay sealed); every index shard is read at once
    /// (docs/benchmarks.md).
    async fn friends_in_target(&self, delivery: &Delivery) -> Result<Vec<String>, RecordError> {
        Friends::new(&self.platform)
            .recipients(delivery.target())
            .await
    }

    async fn send_batches(
        &self,
        delivery: &Delivery,
        plan: &Plan,
        holder: &str,
    ) -> Result<(), SendError> {
        let deliveries = self.deliveries();
        let messages = to_line_messages(delivery.bubbles(), &self.media_base_url);
        let mut cursor = None;
        loop {
            let (page, next) = deliveries.batches(delivery.id(), plan, cursor).await?;
            let pending: Vec<Batch> = page
                .into_iter()
                .filter(|b| b.state == BatchState::Pending)
                .collect();
            if !pending.is_empty() {
                if !self.renew_lease(delivery.id(), holder).await? {
                    return Ok(()); // another sender took over; it finishes the job
                }
                let results: Vec<Result<(), RecordError>> = stream::iter(pending)
                    .map(|batch| {
                        let messages = messages.clone();
                        let deliveries = &deliveries;
                        async move {
                            // Checked per batch, so "stop" takes effect within one request.
                            let state = if self.stop_requested(delivery.id()).await? {
                                BatchState::NotSent
                            } else {
                                self.send_one(&batch, messages).await
                            };
                            let done = Batch {
                                state,
                                at: Some(self.platform.clock.now()),
                                ..batch
                            };
                            deliveries.record_batch(delivery.id(), &done).await
                        }
                    })
                    .buffer_unordered(self.in_flight.max(1))
                    .collect()
                    .await;
                results.into_iter().collect::<Result<(), _>>()?;
            }
            match next {
                Some(c) => cursor = Some(c),
                None => return Ok(()),
            }
        }
    }

    async fn send_one(
        &self,
        batch: &Batch,
        messages: Vec<tayori_line::message::Message>,
    ) -> BatchState {
        let key = match RetryKey::parse(&batch.retry_key) {
            Ok(key) => key,
            Err(e) => {
                return BatchState::Failed {
                    error: format!("retry key unreadable: {e}"),
                }
            }
        };
        match self.line.multicast(&batch.recipients, messages, key).await {
            Ok(outcome) => BatchState::Sent {
                request_id: outcome.request_id().map(str::to_owned),
            },
            Err(e) => BatchState::Failed {
                error: describe(&e),
            },
        }
    }

    async fn stop_requested(&self, id: &str) -> Result<bool, RecordError> {
        Ok(self
            .deliveries()
            .get(id)
            .await?
            .is_some_and(|d| d.stop_requested().is_some()))
    }

    /// Adds up the batches into the delivery's totals and closes it.
    async fn finish(&self, delivery: &Delivery, plan: &Plan) -> Result<Totals, RecordError> {
        let deliveries = self.deliveries();
        let mut totals = Totals {
            recipients: plan.recipients,
            ..Totals::default()
        };
        let mut errors: Vec<String> = Vec::new();
        let mut cursor = None;
        loop {
            let (page, next) = deliveries.batches(delivery.id(), plan, cursor).await?;
            for batch in page {
                let n = batch.recipients.len() as u64;
                match batch.state {
                    BatchState::Sent { .. } => totals.succeeded += n,
                    BatchState::Failed { error } => {
                        totals.failed += n;
                        if !errors.contains(&error) {
                            errors.push(error);
                        }
                    }
                    BatchState::NotSent => totals.not_sent += n,
                    // Another sender is still on it: leave the delivery open.
                    BatchState::Pending => return Ok(totals),
                }
            }
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let now = self.platform.clock.now();
        let closed = deliveries
            .update(delivery.id(), |d| {
                d.close(totals, errors.clone(), now);
                Ok::<_, RecordError>(())
            })
            .await?;
        if !delivery.is_test() && closed.finished_at() == Some(now) {
            let usage = UsageEvents::new(self.platform.table.clone());
            for (kind, count) in [
                (UsageKind::Delivery, 1),
                (UsageKind::DeliverySuccess, totals.succeeded),
                (UsageKind::DeliveryFailure, totals.failed),
            ] {
                if count > 0 {
                    usage
                        .record(&UsageEvent {
                            count,
                            ..UsageEvent::one(kind, now)
                                .with_attributes(counted_under(delivery.target()))
                        })
                        .await?;
                }
            }
        }
        Ok(totals)
    }
}

/// The attributes a delivery is counted under in the usage report: the values its target
/// chose, so that a delivery to 雲浜 is counted under 雲浜 and not as 未登録. Every recipient
/// registered one of them (a citizen who did not register an item never matches a condition on
/// it); a delivery to everyone chose none.
fn counted_under(target: &Target) -> BTreeMap<String, Vec<String>> {
    match target {
        Target::All => BTreeMap::new(),
        Target::Segment { conditions } => conditions
            .iter()
            .map(|c| (c.item.clone(), c.values.clone()))
            .collect(),
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
