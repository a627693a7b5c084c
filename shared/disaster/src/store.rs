//! The disaster capability's records in the single table. Typed here, beside the use cases
//! that own them, so that no function writes their raw keys.
//!
//! | record | pk | sk | gsi1 | ttl | serves |
//! |---|---|---|---|---|---|
//! | JMA rule | `JMARULE#<id>` | `RULE` | `JMARULES` / `<id>` | – | console: rules; poller: what to match |
//! | shipped rules installed | `SETTINGS` | `JMARULEDEFAULTS` | – | – | the defaults are added once, never again after staff change them |
//! | feed validators | `JMAFEED#<sha256(url)>` | `STATE` | – | – | poller: If-None-Match / If-Modified-Since |
//! | entry seen | `JMAENTRY#<sha256(entry id)>` | `SEEN` | – | 30 days | poller: fetch each feed entry once |
//! | message seen | `JMAXML#<sha256(xml)>` | `SEEN` | – | 30 days | poller: the same XML under another entry acts once |
//! | automatic action | `JMAACTION#<id>` | `ACTION` | `JMAACTIONS` / `<at>#<id>` | – | poller: claim (conditional write) then done; console: the action log |
//! | rule fired in an emergency | `JMARULEFIRED#<rule>` | `<emergency id>` | – | – | a rule acts once per open emergency |
//! | lifting notice | `JMANOTICE#<id>` | `NOTICE` | `JMANOTICES` / `<at>#<id>` | – | console: the 解除 banner |
//!
//! The XML behind an action or notice is kept in the object store under `jma/<sha256>.xml`.

use crate::DisasterError;
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tayori_domain::emergency_rule::{EmergencyRule, RuleMatch};
use tayori_ports::{Condition, Item, Query, StoreError, TableStore};

/// How long an entry or message is remembered: far longer than JMA keeps it in a feed.
const SEEN_DAYS: i64 = 30;

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode<T: DeserializeOwned>(item: &Item) -> Result<T, DisasterError> {
    T::deserialize(&item.body).map_err(|e| DisasterError::Corrupt {
        key: format!("{}/{}", item.pk, item.sk),
        reason: e.to_string(),
    })
}

fn encode<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("records serialise to JSON")
}

/// A feed's HTTP validators, as the last changed answer gave them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// One automatic action: which rule acted on which message, what it did, and where its XML is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub id: String,
    pub at: DateTime<Utc>,
    pub rule_id: String,
    pub rule_name: String,
    pub entry_id: String,
    /// The message's `Head/Title`.
    pub message_title: String,
    pub matched: RuleMatch,
    /// Object key of the XML that caused it.
    pub xml_key: String,
    /// What was done, in Japanese, one line per step.
    pub steps: Vec<String>,
    /// False while claimed and not yet finished (a crash in between is finished at the next poll).
    pub done: bool,
}

/// A 解除 (or lowering) for a watched kind and area, shown to staff as a banner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiftingNotice {
    pub id: String,
    pub at: DateTime<Utc>,
    pub rule_id: String,
    pub rule_name: String,
    pub entry_id: String,
    pub message_title: String,
    pub matched: RuleMatch,
    pub xml_key: String,
}

#[derive(Clone)]
pub struct DisasterRecords {
    table: Arc<dyn TableStore>,
}

impl DisasterRecords {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    // Rules.

    pub async fn rule(&self, id: &str) -> Result<Option<(EmergencyRule, u64)>, DisasterError> {
        match self.table.get(&format!("JMARULE#{id}"), "RULE").await? {
            Some(item) => Ok(Some((decode(&item)?, item.version))),
            None => Ok(None),
        }
    }

    pub async fn rules(&self) -> Result<Vec<EmergencyRule>, DisasterError> {
        let mut rules = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(Query::gsi1("JMARULES").after(cursor))
                .await?;
            for item in &page.items {
                rules.push(decode(item)?);
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(rules),
            }
        }
    }

    /// Writes `rule`: new when `version` is `None`, else only over the version read.
    pub async fn put_rule(
        &self,
        rule: &EmergencyRule,
        version: Option<u64>,
    ) -> Result<(), StoreError> {
        let next = version.map_or(1, |v| v + 1);
        let item = Item::new(format!("JMARULE#{}", rule.id()), "RULE", encode(rule))
            .with_gsi1("JMARULES", rule.id())
            .with_version(next);
        let condition = version.map_or(Condition::IfAbsent, Condition::IfVersion);
        self.table.put(item, condition).await
    }

    /// Claims the one-time installation of the shipped rules; true for the caller who won.
    pub async fn claim_defaults(&self, at: DateTime<Utc>) -> Result<bool, DisasterError> {
        let item = Item::new("SETTINGS", "JMARULEDEFAULTS", encode(&at));
        claimed(self.table.put(item, Condition::IfAbsent).await)
    }

    // The poller's memory.

    pub async fn validators(&self, feed: &str) -> Result<Validators, DisasterError> {
        let pk = format!("JMAFEED#{}", sha256_hex(feed.as_bytes()));
        match self.table.get(&pk, "STATE").await? {
            Some(item) => decode(&item),
            None => Ok(Validators::default()),
        }
    }

    pub async fn save_validators(
        &self,
        feed: &str,
        validators: &Validators,
    ) -> Result<(), DisasterError> {
        let pk = format!("JMAFEED#{}", sha256_hex(feed.as_bytes()));
        let item = Item::new(pk, "STATE", encode(validators));
        Ok(self.table.put(item, Condition::Always).await?)
    }

    fn entry_pk(entry_id: &str) -> String {
        format!("JMAENTRY#{}", sha256_hex(entry_id.as_bytes()))
    }

    pub async fn entry_seen(&self, entry_id: &str) -> Result<bool, DisasterError> {
        Ok(self
            .table
            .get(&Self::entry_pk(entry_id), "SEEN")
            .await?
            .is_some())
    }

    pub async fn mark_entry_seen(
        &self,
        entry_id: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DisasterError> {
        let item = Item::new(
            Self::entry_pk(entry_id),
            "SEEN",
            serde_json::json!({ "entry": entry_id, "outcome": outcome, "at": now }),
        )
        .expiring_at((now + chrono::Duration::days(SEEN_DAYS)).timestamp());
        Ok(self.table.put(item, Condition::Always).await?)
    }

    /// Claims the message with this XML for `entry_id`. False when another entry carried the
    /// same XML first; true for the first claim and for the same entry trying again.
    pub async fn claim_message(
        &self,
        xml_hash: &str,
        entry_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DisasterError> {
        let pk = format!("JMAXML#{xml_hash}");
        let item = Item::new(pk.clone(), "SEEN", serde_json::json!({ "entry": entry_id }))
            .expiring_at((now + chrono::Duration::days(SEEN_DAYS)).timestamp());
        if claimed(self.table.put(item, Condition::IfAbsent).await)? {
            return Ok(true);
        }
        let Some(stored) = self.table.get(&pk, "SEEN").await? else {
            return Ok(false);
        };
        Ok(stored.body.get("entry").and_then(|e| e.as_str()) == Some(entry_id))
    }

    // Actions.

    fn action_item(action: &ActionRecord) -> Item {
        Item::new(format!("JMAACTION#{}", action.id), "ACTION", encode(action)).with_gsi1(
            "JMAACTIONS",
            format!("{}#{}", action.at.to_rfc3339(), action.id),
        )
    }

    /// Claims `action` (conditional write): `None` when won, else the record stored already.
    pub async fn claim_action(
        &self,
        action: &ActionRecord,
    ) -> Result<Option<ActionRecord>, DisasterError> {
        let item = Self::action_item(action);
        if claimed(self.table.put(item, Condition::IfAbsent).await)? {
            return Ok(None);
        }
        let stored = self
            .table
            .get(&format!("JMAACTION#{}", action.id), "ACTION")
            .await?
            .ok_or_else(|| DisasterError::Corrupt {
                key: format!("JMAACTION#{}", action.id),
                reason: "claimed yet absent".into(),
            })?;
        Ok(Some(decode(&stored)?))
    }

    pub async fn finish_action(&self, action: &ActionRecord) -> Result<(), DisasterError> {
        Ok(self
            .table
            .put(Self::action_item(action), Condition::Always)
            .await?)
    }

    pub async fn action(&self, id: &str) -> Result<Option<ActionRecord>, DisasterError> {
        match self.table.get(&format!("JMAACTION#{id}"), "ACTION").await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// The latest actions, newest first.
    pub async fn recent_actions(&self, limit: usize) -> Result<Vec<ActionRecord>, DisasterError> {
        let page = self
            .table
            .query(Query::gsi1("JMAACTIONS").descending().limit(limit.max(1)))
            .await?;
        page.items.iter().map(decode).collect()
    }

    /// Claims "rule `rule_id` acted during emergency `emergency_id`" for `action_id`. True when
    /// this action holds the claim (first, or trying again), false when another action did.
    pub async fn claim_rule_in_emergency(
        &self,
        rule_id: &str,
        emergency_id: &str,
        action_id: &str,
    ) -> Result<bool, DisasterError> {
        let pk = format!("JMARULEFIRED#{rule_id}");
        let item = Item::new(
            pk.clone(),
            emergency_id,
            serde_json::json!({ "action": action_id }),
        );
        if claimed(self.table.put(item, Condition::IfAbsent).await)? {
            return Ok(true);
        }
        let stored = self.table.get(&pk, emergency_id).await?;
        Ok(stored.and_then(|s| s.body.get("action").cloned())
            == Some(serde_json::Value::String(action_id.into())))
    }

    // Notices.

    pub async fn put_notice(&self, notice: &LiftingNotice) -> Result<(), DisasterError> {
        let item = Item::new(format!("JMANOTICE#{}", notice.id), "NOTICE", encode(notice))
            .with_gsi1(
                "JMANOTICES",
                format!("{}#{}", notice.at.to_rfc3339(), notice.id),
            );
        // The id is fixed by message and rule: a second write of the same notice is the same.
        Ok(self.table.put(item, Condition::Always).await?)
    }

    pub async fn recent_notices(&self, limit: usize) -> Result<Vec<LiftingNotice>, DisasterError> {
        let page = self
            .table
            .query(Query::gsi1("JMANOTICES").descending().limit(limit.max(1)))
            .await?;
        page.items.iter().map(decode).collect()
    }
}

fn claimed(result: Result<(), StoreError>) -> Result<bool, DisasterError> {
    match result {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
