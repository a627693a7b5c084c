//! Sending one delivery: its recipients are read a page at a time, cut into batches of 500,
//! and each batch is multicast with its own persisted retry key as soon as it is planned, while
//! later pages are still being read. The first multicast leaves after one planning step (a page
//! or a few), whatever the number of recipients.
//!
//! Three stages run at once, joined by bounded queues (so a fast stage waits for a slow one and
//! nothing holds the whole plan): planning ([`plan`]), multicasting ([`multicast`]) and
//! recording the outcomes ([`ledger`]).
//!
//! **Every recipient gets one copy, even across crashes.** The argument, step by step:
//! - *Each friend is read once per plan.* Recipients come from sources: the 16 friend index
//!   shards (a friend's shard is a pure function of their user id, and their record is listed in
//!   that shard alone, under their user id), or for a test delivery the testers (de-duplicated).
//!   The stored plan (`tayori_records::deliveries::Plan`) keeps, per source, the store's cursor
//!   after the last page it took; a page is taken only if it was read from exactly that cursor,
//!   so the pages a plan takes tile each source without gap or overlap.
//! - *Each friend read lands in exactly one batch.* Taking a page moves its cursor and adds its
//!   recipients to the plan's carry in one step; full batches are cut off the carry (the rest
//!   once every source is read). The cut batches and the plan that now accounts for them are
//!   written in one transaction, conditional on the plan's stored version: a crash leaves either
//!   the step whole or nothing of it (its pages are read again by the next sender), and a second
//!   sender working from a plan that has moved on writes nothing and stops.
//! - *Each batch is delivered at most once.* Its retry key is chosen when it is cut and stored
//!   with it, so every attempt at it, after a crash too, carries the same key: a batch LINE
//!   accepted just before a crash is answered 409 when resent, and counted as sent.
//! - *Each batch is sent at least once.* A batch is handed to the multicast stage only after its
//!   step is stored; a resumed sender first sends the stored batches still pending, then plans
//!   on from the stored cursors. Outcomes are recorded after the multicast, so a crash in between
//!   means a resend under the same key, not a lost batch.
//! - *The delivery closes once every batch has an outcome.* It is closed only when the plan is
//!   complete and this sender has accounted for every one of its batches.
//!
//! A lease keeps two senders (a tick and a retry, say) off the same delivery and is renewed
//! while the send runs; a sender that loses it drops everything at once, as if it had crashed,
//! and the holder finishes the job. Staff's stop is a small flag item the records write with
//! the stop request; it is read before each batch.

mod ledger;
mod multicast;
mod plan;

use chrono::Duration;
use futures::channel::mpsc;
use std::sync::Arc;
use tayori_domain::delivery::{Delivery, DeliveryStatus, Totals};
use tayori_domain::usage::UsageKind;
use tayori_line::LineClient;
use tayori_ports::Platform;
use tayori_records::{Deliveries, OutOfStep, Plan, RecordError, UsageEvents};

use ledger::Ledger;

/// How long a sender may go without renewing its lease before another may take over.
const LEASE_MINUTES: i64 = 5;
/// How often a sender at work renews its lease: well within it.
const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// Multicasts in flight at once by default: LINE's latency, not its rate limit, would bound a
/// serial sender; the client's pacer keeps the rate at LINE's 200 requests per second.
pub const IN_FLIGHT: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Plan(#[from] OutOfStep),
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

        let Some((plan, ledger)) = self.holding_lease(id, &holder, &delivery).await? else {
            return Ok(Outcome::Skipped);
        };
        let totals = self.close(&delivery, &plan, ledger).await?;
        deliveries.release_lease(id).await?;
        Ok(Outcome::Finished(totals))
    }

    async fn renew_lease(&self, id: &str, holder: &str) -> Result<bool, RecordError> {
        let until = self.platform.clock.now() + Duration::minutes(LEASE_MINUTES);
        self.deliveries().take_lease(id, holder, until).await
    }

    /// Plans and sends while renewing the lease; `None` when the lease or the plan was lost to
    /// another sender, or the plan is not complete, so this one must not close the delivery.
    async fn holding_lease(
        &self,
        id: &str,
        holder: &str,
        delivery: &Delivery,
    ) -> Result<Option<(Plan, Ledger)>, SendError> {
        let work = self.deliver(delivery);
        tokio::pin!(work);
        let mut renewal = tokio::time::interval(RENEW_EVERY);
        renewal.tick().await; // the lease was just taken
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = renewal.tick() => {
                    if !self.renew_lease(id, holder).await? {
                        // Dropping the work is a crash the holder recovers from.
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// The three stages, joined; answers the plan and the batches' outcomes once every batch of
    /// a complete plan has one.
    async fn deliver(&self, delivery: &Delivery) -> Result<Option<(Plan, Ledger)>, SendError> {
        let deliveries = self.deliveries();
        let plan = match deliveries.plan(delivery.id()).await? {
            Some(plan) => plan,
            None => Plan::new(plan::sources(delivery)),
        };
        // A few batches ahead of the multicasts, so that LINE's rate, not planning, sets the pace.
        let (queue, to_send) = mpsc::channel(2 * self.in_flight.max(1));
        let (finished, to_record) = mpsc::channel(2 * self.in_flight.max(1));
        let (planned, (), recorded) = futures::try_join!(
            self.feed(delivery, plan, queue),
            self.multicast_all(delivery, to_send, finished),
            self.record(delivery.id(), to_record),
        )?;
        let Some((plan, resumed)) = planned else {
            return Ok(None);
        };
        let ledger = recorded.merged(resumed);
        Ok((plan.is_complete() && ledger.batches() == plan.batches()).then_some((plan, ledger)))
    }

    /// Counts the delivery in the usage report, then closes it with its batches' outcomes.
    /// Counting first, under keys fixed by the delivery, makes it exactly once: a sender that
    /// dies between the two is resumed (the delivery is still sending), counts again, which
    /// stores nothing new, and closes it; one that dies after closing has counted already.
    async fn close(
        &self,
        delivery: &Delivery,
        plan: &Plan,
        ledger: Ledger,
    ) -> Result<Totals, RecordError> {
        let now = self.platform.clock.now();
        if !delivery.is_test() {
            // Counted on the day it started, whoever closes it and whenever.
            let day = delivery.started_at().unwrap_or(now);
            let mut events = ledger.usage().events(day);
            if delivery.is_to_named_citizens() {
                // Only the child-rearing messages go to named citizens: the usage report
                // counts what they delivered as a service of its own too.
                events.extend(ledger.usage().received_as(UsageKind::ChildcareMessage, day));
            }
            UsageEvents::new(self.platform.table.clone())
                .record_once(&format!("delivery:{}", delivery.id()), &events)
                .await?;
        }
        let totals = ledger.totals(plan.recipients());
        self.deliveries()
            .update(delivery.id(), |d| {
                d.close(totals, ledger.errors().to_vec(), now);
                Ok::<_, RecordError>(())
            })
            .await?;
        Ok(totals)
    }
}
