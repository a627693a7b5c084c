//! Drafts: saving what staff composed (and submitting it in the same write), duplicating a
//! delivery into a new draft, and the test send of a draft to the testers.

use super::{Change, DeliveryDesk, DeskError};
use chrono::{DateTime, Utc};
use std::sync::Mutex;
use tayori_domain::delivery::{Composition, Delivery, DeliveryError, TESTERS};
use tayori_domain::segment::SegmentItems;

/// What a save does after storing the composition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Keep,
    Submit { may_send: bool },
}

/// What a save did.
#[derive(Debug)]
pub struct Saved {
    /// For a new draft, `before` is the blank draft it was composed from.
    pub change: Change,
    pub created: bool,
    /// Why a submission asked for did not happen; the composition is saved all the same.
    pub not_submitted: Option<DeliveryError>,
}

/// A test send: the test delivery and how many testers it goes to.
#[derive(Debug)]
pub struct TestSent {
    pub test: Delivery,
    pub testers: usize,
}

/// A duplicate: the delivery copied and its new draft.
#[derive(Debug)]
pub struct Duplicate {
    pub original: Delivery,
    pub copy: Delivery,
}

fn fresh_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Composes `d` and, when asked, submits it. A refused submission leaves the draft composed and
/// is answered, not failed: the clerk's typing is kept and the page says what is missing.
fn compose(
    d: &mut Delivery,
    composition: Composition,
    then: Then,
    by: &str,
    items: Option<&SegmentItems>,
    now: DateTime<Utc>,
) -> Result<Option<DeliveryError>, DeliveryError> {
    d.compose(composition, now)?;
    let (Then::Submit { may_send }, Some(items)) = (then, items) else {
        return Ok(None);
    };
    let mut submitted = d.clone();
    let description = submitted.target().describe(items);
    match submitted.submit(by, may_send, description, now) {
        Ok(()) => {
            *d = submitted;
            Ok(None)
        }
        Err(e) => Ok(Some(e)),
    }
}

impl DeliveryDesk {
    /// A blank draft of `by`'s for the composer, stored only when it is saved.
    pub fn blank(&self, id: String, by: &str) -> Delivery {
        Delivery::draft(id, by, self.clock.now())
    }

    /// The id of a new draft: the one the composer carried when no delivery has it yet (a first
    /// save that was refused stored its pictures under it), else a fresh one.
    pub async fn new_draft_id(&self, carried: Option<String>) -> Result<String, DeskError> {
        match carried {
            Some(id) if self.deliveries.get(&id).await?.is_none() => Ok(id),
            _ => Ok(fresh_id()),
        }
    }

    async fn items_for(&self, then: Then) -> Result<Option<SegmentItems>, DeskError> {
        Ok(match then {
            Then::Keep => None,
            Then::Submit { .. } => Some(self.segment_items.get().await?),
        })
    }

    /// Stores a new draft `id` of `by`'s with `composition`.
    pub async fn create_draft(
        &self,
        id: String,
        by: &str,
        composition: Composition,
        then: Then,
    ) -> Result<Saved, DeskError> {
        let items = self.items_for(then).await?;
        let now = self.clock.now();
        let blank = Delivery::draft(id, by, now);
        let mut d = blank.clone();
        let not_submitted = compose(&mut d, composition.clone(), then, by, items.as_ref(), now)?;
        if d.open_since().is_some() {
            // Released on its first save: the due index is kept by updates, so it is created
            // blank and composed and released by one.
            self.deliveries.create(&blank).await?;
            let (_, after) = self
                .deliveries
                .update_seen(blank.id(), |stored| {
                    compose(stored, composition.clone(), then, by, items.as_ref(), now)?;
                    Ok::<_, DeskError>(())
                })
                .await?;
            let change = self
                .follow(Change {
                    before: blank,
                    after,
                })
                .await;
            return Ok(Saved {
                change,
                created: true,
                not_submitted,
            });
        }
        self.deliveries.create(&d).await?;
        Ok(Saved {
            change: Change {
                before: blank,
                after: d,
            },
            created: true,
            not_submitted,
        })
    }

    /// Saves `composition` over draft `id` and, with [`Then::Submit`], submits it in the same
    /// write. Refused when it was submitted meanwhile (another tab, another clerk): the
    /// submitted content stands.
    pub async fn save_draft(
        &self,
        id: &str,
        by: &str,
        composition: Composition,
        then: Then,
    ) -> Result<Saved, DeskError> {
        let items = self.items_for(then).await?;
        let now = self.clock.now();
        let refusal = Mutex::new(None);
        let (before, after) = self
            .deliveries
            .update_seen(id, |d| {
                let refused = compose(d, composition.clone(), then, by, items.as_ref(), now)?;
                *refusal.lock().expect("not poisoned") = refused;
                Ok::<_, DeskError>(())
            })
            .await?;
        let change = self.follow(Change { before, after }).await;
        Ok(Saved {
            change,
            created: false,
            not_submitted: refusal.into_inner().expect("not poisoned"),
        })
    }

    /// A new draft of `by`'s with delivery `id`'s content.
    pub async fn duplicate(&self, id: &str, by: &str) -> Result<Duplicate, DeskError> {
        let original = self.get(id).await?;
        let copy = original.duplicate(fresh_id(), by, self.clock.now());
        self.deliveries.create(&copy).await?;
        Ok(Duplicate { original, copy })
    }

    /// Sends a copy of draft `id` to the testers only, now, logged as a test.
    pub async fn test_send(&self, id: &str, by: &str) -> Result<TestSent, DeskError> {
        let d = self.get(id).await?;
        let testers = self.testers.get().await?.len();
        if testers == 0 {
            return Err(DeskError::NoTesters);
        }
        let now = self.clock.now();
        let test = d.test_copy(fresh_id(), by, now)?;
        // Created, then released by an update, which keeps the due index: should the request
        // below be lost, the next tick still sends it.
        self.deliveries.create(&test).await?;
        let test = self
            .deliveries
            .update(test.id(), |t| {
                t.submit(by, true, TESTERS.into(), now)
                    .map_err(DeskError::from)
            })
            .await?;
        self.request_send(test.id()).await;
        Ok(TestSent { test, testers })
    }
}
