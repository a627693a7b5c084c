//! The steps of a delivery's life staff take on the delivery's page: submit (or reserve: a
//! submit with a send time), approve, return to draft, cancel, stop. Each is one conditional
//! write of the domain's rule; one that releases a delivery for now asks the sender at once.

use super::{Change, DeliveryDesk, DeskError};
use chrono::{DateTime, Utc};
use tayori_domain::delivery::{Delivery, DeliveryError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// With the send permission it is released (for its time, or now); without, it waits for
    /// approval.
    Submit {
        may_send: bool,
    },
    Approve,
    ReturnToDraft,
    Cancel,
    Stop,
}

impl Step {
    fn apply(
        self,
        d: &mut Delivery,
        by: &str,
        target_description: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        match self {
            Step::Submit { may_send } => d.submit(by, may_send, target_description.into(), now),
            Step::Approve => d.approve(by, now),
            Step::ReturnToDraft => d.return_to_draft(now),
            Step::Cancel => d.cancel(by, now),
            Step::Stop => d.request_stop(by, now),
        }
    }
}

impl DeliveryDesk {
    /// The delivery, if `by` may take `step` on it now: tried on a copy, so a confirmation
    /// page never offers what would then be refused.
    pub async fn check(&self, id: &str, step: Step, by: &str) -> Result<Delivery, DeskError> {
        let d = self.get(id).await?;
        step.apply(&mut d.clone(), by, "", self.clock.now())?;
        Ok(d)
    }

    pub async fn submit(&self, id: &str, by: &str, may_send: bool) -> Result<Change, DeskError> {
        self.take(id, Step::Submit { may_send }, by).await
    }

    pub async fn approve(&self, id: &str, by: &str) -> Result<Change, DeskError> {
        self.take(id, Step::Approve, by).await
    }

    pub async fn return_to_draft(&self, id: &str, by: &str) -> Result<Change, DeskError> {
        self.take(id, Step::ReturnToDraft, by).await
    }

    pub async fn cancel(&self, id: &str, by: &str) -> Result<Change, DeskError> {
        self.take(id, Step::Cancel, by).await
    }

    /// Asks a delivery being sent to stop; the sender stops before its next batch.
    pub async fn stop(&self, id: &str, by: &str) -> Result<Change, DeskError> {
        self.take(id, Step::Stop, by).await
    }

    async fn take(&self, id: &str, step: Step, by: &str) -> Result<Change, DeskError> {
        // The target in words is fixed at submission, so the log keeps saying what staff chose.
        let items = match step {
            Step::Submit { .. } => Some(self.segment_items.get().await?),
            _ => None,
        };
        let now = self.clock.now();
        let (before, after) = self
            .deliveries
            .update_seen(id, |d| {
                let description = items
                    .as_ref()
                    .map(|items| d.target().describe(items))
                    .unwrap_or_default();
                step.apply(d, by, &description, now)
                    .map_err(DeskError::from)
            })
            .await?;
        Ok(self.follow(Change { before, after }).await)
    }
}
