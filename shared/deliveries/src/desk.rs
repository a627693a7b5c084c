//! The delivery desk (配信の窓口): every use case on deliveries, over the records, the friends
//! (who a target reaches), the testers and the bus. Console pages and the broadcast function
//! call it and render or log what it answers; the rules themselves are the domain's
//! (`tayori_domain::delivery::Delivery`), the audit the console's (it knows the staff member).

mod automatic;
mod drafts;
mod error;
mod steps;

pub use drafts::{Duplicate, Saved, TestSent, Then};
pub use error::DeskError;
pub use steps::Step;

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::delivery::{Delivery, DeliveryStatus, DELIVERY_REQUESTED};
use tayori_domain::segment::Target;
use tayori_ports::{Clock, Event, EventBus, Platform};
use tayori_records::{Deliveries, Friends, SegmentItemsRecord, Testers};

pub struct DeliveryDesk {
    deliveries: Deliveries,
    friends: Friends,
    testers: Testers,
    segment_items: SegmentItemsRecord,
    bus: Arc<dyn EventBus>,
    clock: Arc<dyn Clock>,
}

/// A delivery as it was just before a change that was written and as it is after it: what
/// the audit log says changed.
#[derive(Clone, Debug)]
pub struct Change {
    pub before: Delivery,
    pub after: Delivery,
}

impl Change {
    /// Whether the change released it to go out now, so the sender is asked at once.
    fn released_now(&self) -> bool {
        self.before.status() != DeliveryStatus::Scheduled
            && self.after.status() == DeliveryStatus::Scheduled
            && self.after.send_at().is_none()
    }
}

impl DeliveryDesk {
    pub fn new(platform: &Platform) -> Self {
        Self {
            deliveries: Deliveries::new(platform.table.clone()),
            friends: Friends::new(platform),
            testers: Testers::new(platform.table.clone()),
            segment_items: SegmentItemsRecord::new(platform.table.clone()),
            bus: platform.bus.clone(),
            clock: platform.clock.clone(),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Delivery, DeskError> {
        self.deliveries.get(id).await?.ok_or(DeskError::NotFound)
    }

    /// Every delivery created in `[from, until)` (either end open when `None`), newest first,
    /// handed to `each` a page of the store at a time: the log and its CSV.
    pub async fn each_created_between(
        &self,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        each: impl FnMut(Delivery),
    ) -> Result<(), DeskError> {
        Ok(self
            .deliveries
            .each_created_between(from, until, each)
            .await?)
    }

    /// How many friends `target` reaches now (blocked friends left out).
    pub async fn count(&self, target: &Target) -> Result<u64, DeskError> {
        Ok(self.friends.count(target).await?)
    }

    /// Asks the broadcast function to send `id` now. The next minute's tick sends it anyway,
    /// so a lost event only delays it: logged, not a failure of what released it.
    async fn request_send(&self, id: &str) {
        let event = Event::new(DELIVERY_REQUESTED, serde_json::json!({ "id": id }));
        if let Err(e) = self.bus.publish(vec![event]).await {
            tracing::warn!(error = %e, id, "delivery.requested not published; the next tick sends it");
        }
    }

    /// Asks for the send when `change` released the delivery for now.
    async fn follow(&self, change: Change) -> Change {
        if change.released_now() {
            self.request_send(change.after.id()).await;
        }
        change
    }
}
