//! CSV exports (出力ファイル): each export, each staff member's list of theirs, and the sweep's
//! index of exports whose file or state is not yet ended.
//!
//! | item | pk | sk | gsi1 | ttl |
//! |---|---|---|---|---|
//! | export | `EXPORT#<id>` | `EXPORT` | `EXPORTS#<login>` / `<requested at>#<id>` | 30 days after its 期限 |
//! | not yet expired | `EXPORTSLIVE` | `<期限>#<id>` | – | 30 days after its 期限 |
//!
//! **Sealed.** The conditions are what staff typed into a filter (a search may be a citizen's
//! name), so they are sealed with the field cipher, bound to the export.
//!
//! The live entry is written with the export and deleted in the same write that marks it
//! 期限切れ, so the sweep reads only what it still has to do, in the order it falls due. The
//! records themselves outlive the file by a month so that the list can still say 期限切れ; the
//! TTL then removes them (the audit log keeps who exported what).

use crate::optimistic::Attempts;
use crate::{encode, RecordError};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use std::sync::Arc;
use tayori_domain::export::{Export, ExportConditions};
use tayori_ports::{Condition, FieldCipher, Item, KeyRange, Platform, Query, TableStore, Write};

const EXPORT_SK: &str = "EXPORT";
const LIVE: &str = "EXPORTSLIVE";
/// How long the record outlives the file.
pub const RECORD_KEPT: TimeDelta = TimeDelta::days(30);
const PAGE: usize = 100;

fn export_pk(id: &str) -> String {
    format!("EXPORT#{id}")
}
fn staff_list(login: &str) -> String {
    format!("EXPORTS#{login}")
}
fn conditions_context(id: &str) -> String {
    format!("export/{id}/conditions")
}
fn time_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
fn live_key(export: &Export) -> String {
    format!("{}#{}", time_key(export.expires_at()), export.id())
}

#[derive(Clone)]
pub struct Exports {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
}

impl Exports {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
        }
    }

    /// Stores a new export and its live entry.
    pub async fn create(&self, export: &Export) -> Result<(), RecordError> {
        self.table
            .transact(vec![
                Write::Put {
                    item: self.item(export, 1).await?,
                    condition: Condition::IfAbsent,
                },
                Write::Put {
                    item: self.live_item(export),
                    condition: Condition::Always,
                },
            ])
            .await?;
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<Option<Export>, RecordError> {
        match self.table.get(&export_pk(id), EXPORT_SK).await? {
            Some(item) => Ok(Some(self.open(&item).await?)),
            None => Ok(None),
        }
    }

    /// Applies `change` with optimistic concurrency, answering the export before and after;
    /// `None` when there is no such export. An export that leaves the live states loses its
    /// live entry in the same write.
    pub async fn update_seen<E: From<RecordError>>(
        &self,
        id: &str,
        change: impl Fn(&mut Export) -> Result<(), E>,
    ) -> Result<Option<(Export, Export)>, E> {
        let mut attempts = Attempts::new(&export_pk(id));
        loop {
            let Some(item) = self
                .table
                .get(&export_pk(id), EXPORT_SK)
                .await
                .map_err(RecordError::from)?
            else {
                return Ok(None);
            };
            let before = self.open(&item).await?;
            let mut after = before.clone();
            change(&mut after)?;
            let mut writes = vec![Write::Put {
                item: self.item(&after, item.version + 1).await?,
                condition: Condition::IfVersion(item.version),
            }];
            if before.is_live() && !after.is_live() {
                writes.push(Write::Delete {
                    pk: LIVE.into(),
                    sk: live_key(&before),
                    condition: Condition::Always,
                });
            }
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Some((before, after)));
            }
        }
    }

    /// The staff member's exports, newest first, at most `limit`.
    pub async fn of_staff(&self, login: &str, limit: usize) -> Result<Vec<Export>, RecordError> {
        let page = self
            .table
            .query(Query::gsi1(staff_list(login)).descending().limit(limit))
            .await?;
        let mut exports = Vec::with_capacity(page.items.len());
        for item in &page.items {
            exports.push(self.open(item).await?);
        }
        Ok(exports)
    }

    /// The ids of exports not yet 期限切れ whose 期限 is at or before `now`, oldest first.
    pub async fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, RecordError> {
        // Keys are `<期限>#<id>`: every key of a time at or before `now` sorts before `now~`.
        let range = KeyRange::Between("0".into(), format!("{}~", time_key(now)));
        let mut ids = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(
                    Query::partition(LIVE)
                        .range(range.clone())
                        .limit(PAGE)
                        .after(cursor),
                )
                .await?;
            ids.extend(
                page.items
                    .iter()
                    .filter_map(|item| item.sk.rsplit_once('#').map(|(_, id)| id.to_owned())),
            );
            cursor = page.cursor;
            if cursor.is_none() {
                return Ok(ids);
            }
        }
    }

    fn expires(export: &Export) -> i64 {
        (export.expires_at() + RECORD_KEPT).timestamp()
    }

    fn live_item(&self, export: &Export) -> Item {
        Item::new(LIVE, live_key(export), serde_json::json!({})).expiring_at(Self::expires(export))
    }

    async fn item(&self, export: &Export, version: u64) -> Result<Item, RecordError> {
        let mut body = encode(export);
        let object = body
            .as_object_mut()
            .expect("an export serialises to an object");
        let conditions = object
            .remove("conditions")
            .expect("an export has conditions");
        let sealed = self
            .cipher
            .seal(&conditions.to_string(), &conditions_context(export.id()))
            .await?;
        object.insert("sealed_conditions".into(), sealed.into());
        Ok(Item::new(export_pk(export.id()), EXPORT_SK, body)
            .with_gsi1(
                staff_list(&export.requested_by().login),
                format!("{}#{}", time_key(export.requested_at()), export.id()),
            )
            .expiring_at(Self::expires(export))
            .with_version(version))
    }

    async fn open(&self, item: &Item) -> Result<Export, RecordError> {
        let corrupt = |why: String| RecordError::Corrupt(format!("{}/{}", item.pk, item.sk), why);
        let mut body = item.body.clone();
        let object = body
            .as_object_mut()
            .ok_or_else(|| corrupt("not an object".into()))?;
        let sealed = object
            .remove("sealed_conditions")
            .and_then(|v| v.as_str().map(String::from))
            .ok_or_else(|| corrupt("no sealed conditions".into()))?;
        let id = object
            .get("id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| corrupt("no id".into()))?
            .to_string();
        let json = self.cipher.open(&sealed, &conditions_context(&id)).await?;
        let conditions: ExportConditions =
            serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
        object.insert("conditions".into(), encode(&conditions));
        serde_json::from_value(body).map_err(|e| corrupt(e.to_string()))
    }
}
