//! Child-rearing messages (子育て情報の配信): each citizen's children, the stage schedule and
//! send time staff set, which stage went to which child, and the list of parents a stage's
//! delivery goes to.
//!
//! | item | pk | sk | gsi1 | ttl |
//! |---|---|---|---|---|
//! | a citizen's children and opt-out | `PARENT#<hmac(userId)>` | `CHILDREN` | `CHILDREN` / `<hmac(userId)>` | – |
//! | schedule and send time | `SETTINGS` | `CHILDCARE` | – | – |
//! | a stage sent to a child | `CHILDSENT#<child id>` | `<stage id>` | – | – |
//! | a day's run of the sender | `CHILDCARERUN#<yyyy-mm-dd JST>` | `DONE` | – | 30 days |
//! | the parents a delivery goes to | `DELIVERY#<id>` | `ADDRESSEES` | – | – |
//!
//! **Sealed.** The citizen's record is found by a keyed hash of the user id under the index key
//! (as a reporter's list is), and holds the user id and the children sealed, bound to the
//! hash: the table alone says neither who has children nor their ages. A record hashed with a
//! previous index key is still found, and moves to the current key on its next write. Child
//! ids are random, so a sent marker names no one. A delivery's addressees are sealed, bound to
//! the delivery.

use crate::index_keys::IndexKeyRecord;
use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::childcare::{ChildcareSubscription, StageSchedule};
use tayori_ports::{
    Condition, Cursor, FieldCipher, IndexKeys, Item, Platform, Query, StoreError, TableStore, Write,
};

const CHILDREN_SK: &str = "CHILDREN";
const LIST: &str = "CHILDREN";
const SETTINGS_PK: &str = "SETTINGS";
const SETTINGS_SK: &str = "CHILDCARE";
const RUN_SK: &str = "DONE";
const ADDRESSEES_SK: &str = "ADDRESSEES";
/// The item the parent's hash is made under (keeps it apart from segment keys and reporters).
const PARENT_ITEM: &str = "childcare-parent";
/// A day's run marker outlives any catch-up.
const RUN_KEPT: Duration = Duration::days(30);
/// What the sender lists per page.
const PAGE: usize = 200;

fn parent_pk(hash: &str) -> String {
    format!("PARENT#{hash}")
}
fn parent_context(hash: &str) -> String {
    format!("childcare/{hash}/children")
}
fn sent_pk(child_id: &str) -> String {
    format!("CHILDSENT#{child_id}")
}
fn run_pk(day: NaiveDate) -> String {
    format!("CHILDCARERUN#{}", day.format("%Y-%m-%d"))
}
fn delivery_pk(id: &str) -> String {
    format!("DELIVERY#{id}")
}
fn addressees_context(id: &str) -> String {
    format!("delivery/{id}/addressees")
}

/// Where a citizen's children may be kept (under each index key in force), so that removing a
/// friend's data removes them too.
pub(crate) fn parent_keys(user_id: &str, keys: &IndexKeys) -> Vec<(String, &'static str)> {
    keys.all()
        .map(|key| {
            (
                parent_pk(&key.segment_key(PARENT_ITEM, user_id)),
                CHILDREN_SK,
            )
        })
        .collect()
}

/// When child-rearing messages go out (JST) unless staff choose another time: mid-morning,
/// when a parent can read them and call the 保健センター the same day.
pub fn default_send_at() -> NaiveTime {
    NaiveTime::from_hms_opt(10, 0, 0).expect("a valid time")
}

/// What staff set: the stages and the time of day (JST) they are sent at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildcareSettings {
    pub schedule: StageSchedule,
    pub send_at: NaiveTime,
}

impl Default for ChildcareSettings {
    /// An empty schedule: nothing is sent until staff build one.
    fn default() -> Self {
        Self {
            schedule: StageSchedule::default(),
            send_at: default_send_at(),
        }
    }
}

/// The sealed part of a citizen's record.
#[derive(Serialize, Deserialize)]
struct Opened {
    user_id: String,
    subscription: ChildcareSubscription,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    sealed: String,
}

#[derive(Serialize, Deserialize)]
struct SentMarker {
    delivery: String,
    at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct Run {
    at: DateTime<Utc>,
}

/// A citizen with children registered, as the sender lists them.
#[derive(Clone, Debug, PartialEq)]
pub struct Parent {
    pub user_id: String,
    pub subscription: ChildcareSubscription,
}

/// Whether a (child, stage) pair was claimed for a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Claimed now for the delivery asked.
    Claimed,
    /// Already claimed, for this delivery id.
    Taken(String),
}

#[derive(Clone)]
pub struct ChildcareRecords {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
    index: IndexKeyRecord,
}

impl ChildcareRecords {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
            index: IndexKeyRecord::new(platform),
        }
    }

    // ---- settings -----------------------------------------------------------------------

    pub async fn settings(&self) -> Result<ChildcareSettings, RecordError> {
        match self.table.get(SETTINGS_PK, SETTINGS_SK).await? {
            Some(item) => decode(&item),
            None => Ok(ChildcareSettings::default()),
        }
    }

    pub async fn save_settings(&self, settings: &ChildcareSettings) -> Result<(), RecordError> {
        let item = Item::new(SETTINGS_PK, SETTINGS_SK, encode(settings));
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    /// Applies `change` to the settings under a version condition, tried again on the fresh
    /// ones when another clerk saved first (two clerks adding a stage each keep both); a
    /// refusal (`Err(E)`) writes nothing. Answers the settings before and after.
    pub async fn update_settings<E>(
        &self,
        change: impl Fn(&mut ChildcareSettings) -> Result<(), E>,
    ) -> Result<Result<(ChildcareSettings, ChildcareSettings), E>, RecordError> {
        let mut attempts = Attempts::new(SETTINGS_PK);
        loop {
            let current = self.table.get(SETTINGS_PK, SETTINGS_SK).await?;
            let (before, condition, version) = match &current {
                Some(item) => (
                    decode::<ChildcareSettings>(item)?,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (ChildcareSettings::default(), Condition::IfAbsent, 1),
            };
            let mut after = before.clone();
            if let Err(refused) = change(&mut after) {
                return Ok(Err(refused));
            }
            let item = Item::new(SETTINGS_PK, SETTINGS_SK, encode(&after)).with_version(version);
            let writes = vec![Write::Put { item, condition }];
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Ok((before, after)));
            }
        }
    }

    // ---- a citizen's children -------------------------------------------------------------

    /// The record of `user_id`, looked up under every index key in force: (item, its hash).
    async fn find(
        &self,
        user_id: &str,
        keys: &IndexKeys,
    ) -> Result<Option<(Item, String, ChildcareSubscription)>, RecordError> {
        for key in keys.all() {
            let hash = key.segment_key(PARENT_ITEM, user_id);
            if let Some(item) = self.table.get(&parent_pk(&hash), CHILDREN_SK).await? {
                let opened = self.open(&item, &hash).await?;
                // The hash may collide in theory; the sealed user id says for certain.
                if opened.user_id == user_id {
                    return Ok(Some((item, hash, opened.subscription)));
                }
            }
        }
        Ok(None)
    }

    async fn open(&self, item: &Item, hash: &str) -> Result<Opened, RecordError> {
        let stored: Stored = decode(item)?;
        let json = self
            .cipher
            .open(&stored.sealed, &parent_context(hash))
            .await?;
        serde_json::from_str(&json)
            .map_err(|e| RecordError::Corrupt(item.pk.clone(), e.to_string()))
    }

    /// The citizen's registration (empty if they registered nothing).
    pub async fn subscription(&self, user_id: &str) -> Result<ChildcareSubscription, RecordError> {
        let keys = self.index.keys().await?;
        Ok(self
            .find(user_id, &keys)
            .await?
            .map(|(_, _, s)| s)
            .unwrap_or_default())
    }

    /// Applies `change` to the citizen's registration under a version condition (tried again
    /// on the fresh one when another write came first); a refusal (`Err(E)`) writes nothing.
    /// A registration left empty is removed.
    pub async fn update<E>(
        &self,
        user_id: &str,
        change: impl Fn(&mut ChildcareSubscription) -> Result<(), E>,
    ) -> Result<Result<ChildcareSubscription, E>, RecordError> {
        let keys = self.index.keys().await?;
        let current_hash = keys.current().segment_key(PARENT_ITEM, user_id);
        let mut attempts = Attempts::new("PARENT#…");
        loop {
            let found = self.find(user_id, &keys).await?;
            let mut subscription = found
                .as_ref()
                .map(|(_, _, s)| s.clone())
                .unwrap_or_default();
            if let Err(refused) = change(&mut subscription) {
                return Ok(Err(refused));
            }
            let mut writes = Vec::new();
            let mut put_condition = Condition::IfAbsent;
            let mut version = 1;
            if let Some((item, hash, _)) = &found {
                if *hash == current_hash && !subscription.is_empty() {
                    put_condition = Condition::IfVersion(item.version);
                    version = item.version + 1;
                } else {
                    // Emptied, or hashed with a previous key: the old record goes.
                    writes.push(Write::Delete {
                        pk: item.pk.clone(),
                        sk: item.sk.clone(),
                        condition: Condition::IfVersion(item.version),
                    });
                }
            }
            if !subscription.is_empty() {
                let opened = Opened {
                    user_id: user_id.to_string(),
                    subscription: subscription.clone(),
                };
                let json = serde_json::to_string(&opened).expect("a registration serialises");
                let sealed = self
                    .cipher
                    .seal(&json, &parent_context(&current_hash))
                    .await?;
                let item = Item::new(
                    parent_pk(&current_hash),
                    CHILDREN_SK,
                    encode(&Stored { sealed }),
                )
                .with_gsi1(LIST, current_hash.clone())
                .with_version(version);
                writes.push(Write::Put {
                    item,
                    condition: put_condition,
                });
            }
            if writes.is_empty() || attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Ok(subscription));
            }
        }
    }

    /// One page of the citizens with children registered; pass the cursor back until `None`.
    pub async fn parents(
        &self,
        after: Option<Cursor>,
    ) -> Result<(Vec<Parent>, Option<Cursor>), RecordError> {
        let page = self
            .table
            .query(Query::gsi1(LIST).limit(PAGE).after(after))
            .await?;
        let mut parents = Vec::with_capacity(page.items.len());
        for item in &page.items {
            let hash = item
                .pk
                .strip_prefix("PARENT#")
                .ok_or_else(|| RecordError::Corrupt(item.pk.clone(), "not a parent".into()))?;
            let opened = self.open(item, hash).await?;
            parents.push(Parent {
                user_id: opened.user_id,
                subscription: opened.subscription,
            });
        }
        Ok((parents, page.cursor))
    }

    // ---- what was sent ----------------------------------------------------------------------

    /// Claims (child, stage) for `delivery`, only if no delivery claimed it before: two
    /// senders never both send a stage to a child.
    pub async fn claim(
        &self,
        child_id: &str,
        stage_id: &str,
        delivery: &str,
        at: DateTime<Utc>,
    ) -> Result<Claim, RecordError> {
        let marker = SentMarker {
            delivery: delivery.to_string(),
            at,
        };
        let item = Item::new(sent_pk(child_id), stage_id, encode(&marker));
        match self.table.put(item, Condition::IfAbsent).await {
            Ok(()) => Ok(Claim::Claimed),
            Err(StoreError::ConditionFailed) => {
                let held = self
                    .table
                    .get(&sent_pk(child_id), stage_id)
                    .await?
                    .map(|item| decode::<SentMarker>(&item))
                    .transpose()?
                    .map(|m| m.delivery)
                    .unwrap_or_default();
                Ok(Claim::Taken(held))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Whether (child, stage) was claimed by any delivery.
    pub async fn was_sent(&self, child_id: &str, stage_id: &str) -> Result<bool, RecordError> {
        Ok(self
            .table
            .get(&sent_pk(child_id), stage_id)
            .await?
            .is_some())
    }

    /// Whether the sender finished its run for `day` (JST).
    pub async fn day_done(&self, day: NaiveDate) -> Result<bool, RecordError> {
        Ok(self.table.get(&run_pk(day), RUN_SK).await?.is_some())
    }

    pub async fn mark_day_done(
        &self,
        day: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<(), RecordError> {
        let item = Item::new(run_pk(day), RUN_SK, encode(&Run { at }))
            .expiring_at((at + RUN_KEPT).timestamp());
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    // ---- a delivery's addressees ---------------------------------------------------------

    /// The LINE user ids `delivery` goes to, sealed; written before it is released.
    pub async fn save_addressees(
        &self,
        delivery: &str,
        user_ids: &[String],
    ) -> Result<(), RecordError> {
        let json = serde_json::to_string(user_ids).expect("ids serialise");
        let sealed = self
            .cipher
            .seal(&json, &addressees_context(delivery))
            .await?;
        let item = Item::new(
            delivery_pk(delivery),
            ADDRESSEES_SK,
            encode(&Stored { sealed }),
        );
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    /// The LINE user ids `delivery` goes to (none if it names nobody).
    pub async fn addressees(&self, delivery: &str) -> Result<Vec<String>, RecordError> {
        let Some(item) = self
            .table
            .get(&delivery_pk(delivery), ADDRESSEES_SK)
            .await?
        else {
            return Ok(Vec::new());
        };
        let stored: Stored = decode(&item)?;
        let json = self
            .cipher
            .open(&stored.sealed, &addressees_context(delivery))
            .await?;
        serde_json::from_str(&json)
            .map_err(|e| RecordError::Corrupt(item.pk.clone(), e.to_string()))
    }
}
