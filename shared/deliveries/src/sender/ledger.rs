//! The recording stage: stores each batch's outcome (a few batches to a transaction) and adds
//! it up for the delivery's totals, its log's errors and the usage report.

use super::{SendError, Sender};
use futures::channel::mpsc;
use futures::StreamExt;
use tayori_domain::delivery::Totals;
use tayori_domain::usage::DeliveryUsage;
use tayori_records::{Batch, BatchState};

/// Outcomes stored in one transaction at most (each batch is ~20 KB).
const RECORDED_AT_ONCE: usize = 32;
/// How long the first outcome of a transaction waits for others to join it: one write per
/// batch would cost the store an fsync (or a round trip) each, 200 times a second.
const GATHER_FOR: std::time::Duration = std::time::Duration::from_millis(25);

/// The outcomes of a delivery's batches, added up.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    batches: u32,
    totals: Totals,
    errors: Vec<String>,
    usage: DeliveryUsage,
}

impl Ledger {
    /// Adds a batch that has an outcome; a pending one is not counted.
    pub(super) fn add(&mut self, batch: &Batch) {
        let n = batch.recipients().len() as u64;
        match batch.state() {
            BatchState::Pending => return,
            BatchState::Sent { .. } => {
                self.totals.succeeded += n;
                self.usage.succeeded(batch.tally());
            }
            BatchState::Failed { error } => {
                self.totals.failed += n;
                self.usage.failed(batch.tally());
                if !self.errors.contains(error) {
                    self.errors.push(error.clone());
                }
            }
            BatchState::NotSent => self.totals.not_sent += n,
        }
        self.batches += 1;
    }

    pub(super) fn merged(mut self, other: Ledger) -> Ledger {
        self.batches += other.batches;
        self.totals.succeeded += other.totals.succeeded;
        self.totals.failed += other.totals.failed;
        self.totals.not_sent += other.totals.not_sent;
        for error in other.errors {
            if !self.errors.contains(&error) {
                self.errors.push(error);
            }
        }
        self.usage.merge(&other.usage);
        self
    }

    /// Batches with an outcome.
    pub(super) fn batches(&self) -> u32 {
        self.batches
    }

    pub(super) fn totals(&self, recipients: u64) -> Totals {
        Totals {
            recipients,
            ..self.totals
        }
    }

    /// LINE's distinct errors, in the order first met.
    pub(super) fn errors(&self) -> &[String] {
        &self.errors
    }

    pub(super) fn usage(&self) -> &DeliveryUsage {
        &self.usage
    }
}

impl Sender {
    /// Stores outcomes as they come and adds them up, until the multicast stage is done.
    pub(super) async fn record(
        &self,
        id: &str,
        mut finished: mpsc::Receiver<Batch>,
    ) -> Result<Ledger, SendError> {
        let deliveries = self.deliveries();
        let mut ledger = Ledger::default();
        while let Some(first) = finished.next().await {
            let mut group = vec![first];
            let gathering = tokio::time::sleep(GATHER_FOR);
            tokio::pin!(gathering);
            while group.len() < RECORDED_AT_ONCE {
                tokio::select! {
                    next = finished.next() => match next {
                        Some(batch) => group.push(batch),
                        None => break,
                    },
                    () = &mut gathering => break,
                }
            }
            deliveries.record_batches(id, &group).await?;
            for batch in &group {
                ledger.add(batch);
            }
        }
        Ok(ledger)
    }
}
