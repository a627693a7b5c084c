//! The daily run of child-rearing messages: on the first scheduler tick at or after the send
//! time staff set (JST), one delivery per stage to the parents of the children who reached it
//! in the catch-up window and were not sent it yet.
//!
//! Each (child, stage) is claimed with a marker written only if absent, naming the delivery it
//! goes in, before the delivery is released: two senders never both send it, and a run that
//! died between claiming and releasing is finished by the next tick of the day, which finds
//! its claims under the same deterministic delivery id. The delivery is an ordinary one,
//! created through [`DeliveryDesk::release_automatic`] (so the log shows it and the normal
//! [`Sender`](tayori_deliveries::Sender) sends it), addressed to the named parents only (their
//! list sealed beside it). Once the day's run is done, later ticks read one record.
//!
//! A child registered after the day's run, whose stage was reached that day, is sent it the
//! next day (the catch-up window, `tayori_domain::childcare::CATCH_UP_DAYS`, allows for it).

use crate::ChildcareError;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use tayori_deliveries::DeliveryDesk;
use tayori_domain::delivery::{Delivery, DeliveryStatus};
use tayori_domain::segment::Target;
use tayori_domain::time::to_jst;
use tayori_ports::Platform;
use tayori_records::children::Claim;
use tayori_records::ChildcareRecords;

/// Who the log says created the messages.
pub const CREATED_BY: &str = "自動配信（子育て）";
pub const CATEGORY: &str = "子育て";

/// `childcare-20260301-vaccine-2m`: stable for the day and the stage.
pub fn delivery_id(day: NaiveDate, stage_id: &str) -> String {
    format!("childcare-{}-{stage_id}", day.format("%Y%m%d"))
}

pub struct StageMessages {
    platform: Platform,
}

/// A parent to reach for one child.
struct Due {
    child_id: String,
    user_id: String,
}

impl StageMessages {
    pub fn new(platform: Platform) -> Self {
        Self { platform }
    }

    /// Creates and releases the day's messages if `at` is at or after the send time and the
    /// day's run is not done; answers the ids of the deliveries released.
    pub async fn prepare(&self, at: DateTime<Utc>) -> Result<Vec<String>, ChildcareError> {
        let records = ChildcareRecords::new(&self.platform);
        let settings = records.settings().await?;
        let now = to_jst(at).naive_local();
        let today = now.date();
        if settings.schedule.is_empty() || now.time() < settings.send_at {
            return Ok(Vec::new());
        }
        if records.day_done(today).await? {
            return Ok(Vec::new());
        }
        let mut due: BTreeMap<String, Vec<Due>> = BTreeMap::new();
        let mut cursor = None;
        loop {
            let (parents, next) = records.parents(cursor).await?;
            for parent in parents {
                for (child, stage) in parent.subscription.due_on(&settings.schedule, today) {
                    due.entry(stage.id().to_string()).or_default().push(Due {
                        child_id: child.id().to_string(),
                        user_id: parent.user_id.clone(),
                    });
                }
            }
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let desk = DeliveryDesk::new(&self.platform);
        let mut released = Vec::new();
        for (stage_id, pairs) in due {
            let Some(stage) = settings.schedule.stage(&stage_id) else {
                continue;
            };
            let id = delivery_id(today, &stage_id);
            // Released by an earlier tick today: its list is fixed; the rest go tomorrow.
            match desk.get(&id).await {
                Ok(d) if d.status() != DeliveryStatus::Draft => continue,
                Ok(_) | Err(tayori_deliveries::DeskError::NotFound) => {}
                Err(e) => return Err(ChildcareError::NotReleased(id, e)),
            }
            let mut parents = Vec::new();
            for pair in pairs {
                let claim = records
                    .claim(&pair.child_id, &stage_id, &id, self.platform.clock.now())
                    .await?;
                let ours = match claim {
                    Claim::Claimed => true,
                    Claim::Taken(held) => held == id,
                };
                if ours {
                    parents.push(pair.user_id);
                }
            }
            if parents.is_empty() {
                continue;
            }
            parents.sort_unstable();
            parents.dedup();
            records.save_addressees(&id, &parents).await?;
            let message = Delivery::automatic(
                id.clone(),
                CREATED_BY,
                CATEGORY,
                format!("子育て情報 {}（{}）", stage.title(), stage.timing().label()),
                stage.message(),
                Target::All,
                self.platform.clock.now(),
            )
            .to_named_citizens();
            let description = format!(
                "お子さんが「{}」を迎えた保護者（{}人）",
                stage.timing().label(),
                parents.len()
            );
            desk.release_automatic(message, description)
                .await
                .map_err(|e| ChildcareError::NotReleased(id.clone(), e))?;
            released.push(id);
        }
        records
            .mark_day_done(today, self.platform.clock.now())
            .await?;
        Ok(released)
    }
}
