//! Deliveries Tayori composes itself (the garbage notices): created with a stable id and
//! released like a clerk's who may send, so they take the same path as staff's deliveries
//! (validation, the due index, the sender, the log).

use super::{DeliveryDesk, DeskError};
use tayori_domain::delivery::{Delivery, DeliveryStatus};
use tayori_ports::StoreError;
use tayori_records::RecordError;

impl DeliveryDesk {
    /// Creates `notice` (a draft from [`Delivery::automatic`]) unless it exists, and releases
    /// it for now to the recipients `target_description` names. Safe to repeat: a second tick
    /// or a second Lambda never makes it twice, and a creator that died between creating and
    /// releasing is finished here; one already released is left as it is.
    pub async fn release_automatic(
        &self,
        notice: Delivery,
        target_description: String,
    ) -> Result<(), DeskError> {
        let id = notice.id().to_string();
        let by = notice.created().by.clone();
        match self.deliveries.get(&id).await? {
            Some(existing) if existing.status() != DeliveryStatus::Draft => return Ok(()),
            Some(_) => {}
            None => match self.deliveries.create(&notice).await {
                // Another tick or Lambda created it first: released below, or by it.
                Ok(()) | Err(RecordError::Store(StoreError::ConditionFailed)) => {}
                Err(e) => return Err(e.into()),
            },
        }
        // Not requested on the bus: the tick that releases them sends what is due right after.
        let now = self.clock.now();
        self.deliveries
            .update(&id, |d| {
                if d.status() == DeliveryStatus::Draft {
                    d.submit(&by, true, target_description.clone(), now)?;
                }
                Ok::<_, DeskError>(())
            })
            .await?;
        Ok(())
    }
}
