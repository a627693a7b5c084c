//! Citizens' reports (通報), their categories, response templates, receipt counters and the
//! chat's drafts.
//!
//! | item | pk | sk | gsi1 | ttl |
//! |---|---|---|---|---|
//! | categories | `SETTINGS` | `REPORTCATEGORIES` | – | – |
//! | response templates | `SETTINGS` | `REPORTTEMPLATES` | – | – |
//! | report | `REPORT#<id>` | `REPORT` | `REPORTS` / `<filed at>#<id>` | – |
//! | a citizen's report (for 「通報履歴」) | `REPORTER#<hmac(user id)>` | `<filed at>#<id>` | – | – |
//! | receipt counter of a JST month | `REPORTRECEIPT#<yymm>` | `COUNTER` | – | – |
//! | draft in the chat | `REPORTDRAFT#<userId>` | `DRAFT` | – | a day after its last change |
//!
//! **Sealed.** A report's reporter (LINE user id and, for categories that are not anonymous,
//! name and phone) is sealed with the field cipher, bound to the report; a draft is sealed
//! whole, bound to its citizen. The citizen's list is found by a keyed hash of the user id under
//! the index key (the same keys as friends' segment keys), so the table alone does not say who
//! filed what. The draft outlives its idle hour by a day so that a citizen who comes back is
//! told it expired rather than met by a blank.

use crate::index_keys::IndexKeyRecord;
use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::report::{Category, Report, ReportDraft, Reporter, ResponseTemplate};
use tayori_ports::{
    Condition, Cursor, FieldCipher, Item, KeyRange, Platform, Query, StoreError, TableStore, Write,
};

const SETTINGS: &str = "SETTINGS";
const CATEGORIES_SK: &str = "REPORTCATEGORIES";
const TEMPLATES_SK: &str = "REPORTTEMPLATES";
const REPORT_SK: &str = "REPORT";
const LIST: &str = "REPORTS";
const COUNTER_SK: &str = "COUNTER";
const DRAFT_SK: &str = "DRAFT";
/// The item in the citizen's index that names which index key hashed it.
const REPORTER_ITEM: &str = "reporter";
/// A draft record is kept this long after its last change (its idle limit is far shorter).
pub const DRAFT_KEPT: Duration = Duration::days(1);
const PAGE: usize = 200;

fn report_pk(id: &str) -> String {
    format!("REPORT#{id}")
}
fn reporter_pk(hash: &str) -> String {
    format!("REPORTER#{hash}")
}
fn counter_pk(month: &str) -> String {
    format!("REPORTRECEIPT#{month}")
}
fn draft_pk(user_id: &str) -> String {
    format!("REPORTDRAFT#{user_id}")
}
fn reporter_context(id: &str) -> String {
    format!("report/{id}/reporter")
}
fn draft_context(user_id: &str) -> String {
    format!("reportdraft/{user_id}")
}
fn time_key(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
fn list_key(report: &Report) -> String {
    format!("{}#{}", time_key(report.filed_at()), report.id())
}

#[derive(Deserialize)]
struct StoredList<T> {
    items: Vec<T>,
}

#[derive(Serialize)]
struct ListToStore<'a, T> {
    items: &'a [T],
}

#[derive(Serialize, Deserialize)]
struct StoredDraft {
    sealed: String,
}

#[derive(Serialize, Deserialize)]
struct Counter {
    last: u64,
}

#[derive(Serialize, Deserialize)]
struct CitizenEntry {
    id: String,
}

/// A draft as read, with the version a write back must find.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredReportDraft {
    pub draft: ReportDraft,
    pub version: u64,
}

#[derive(Clone)]
pub struct Reports {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
    index: IndexKeyRecord,
}

impl Reports {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
            index: IndexKeyRecord::new(platform),
        }
    }

    // ---- categories and templates: one versioned record each -------------------------------

    /// The stored categories, or `None` before anyone saved (or seeded) them.
    pub async fn categories(&self) -> Result<Option<Vec<Category>>, RecordError> {
        Ok(self
            .list::<Category>(CATEGORIES_SK)
            .await?
            .map(|(items, _)| items))
    }

    /// Stores `defaults` unless categories are stored already; answers what is stored after.
    pub async fn seed_categories(
        &self,
        defaults: &[Category],
    ) -> Result<Vec<Category>, RecordError> {
        let item = Item::new(
            SETTINGS,
            CATEGORIES_SK,
            encode(&ListToStore { items: defaults }),
        )
        .with_version(1);
        match self.table.put(item, Condition::IfAbsent).await {
            Ok(()) => Ok(defaults.to_vec()),
            Err(StoreError::ConditionFailed) => Ok(self.categories().await?.unwrap_or_default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Applies `change` to the stored categories (empty if none are stored) under a version
    /// condition; `change` may refuse, and then nothing is written.
    pub async fn update_categories<E: From<RecordError>>(
        &self,
        change: impl Fn(&mut Vec<Category>) -> Result<(), E>,
    ) -> Result<Vec<Category>, E> {
        self.update_list(CATEGORIES_SK, change).await
    }

    pub async fn templates(&self) -> Result<Vec<ResponseTemplate>, RecordError> {
        Ok(self
            .list::<ResponseTemplate>(TEMPLATES_SK)
            .await?
            .map(|(items, _)| items)
            .unwrap_or_default())
    }

    pub async fn update_templates<E: From<RecordError>>(
        &self,
        change: impl Fn(&mut Vec<ResponseTemplate>) -> Result<(), E>,
    ) -> Result<Vec<ResponseTemplate>, E> {
        self.update_list(TEMPLATES_SK, change).await
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        sk: &str,
    ) -> Result<Option<(Vec<T>, u64)>, RecordError> {
        match self.table.get(SETTINGS, sk).await? {
            Some(item) => Ok(Some((decode::<StoredList<T>>(&item)?.items, item.version))),
            None => Ok(None),
        }
    }

    async fn update_list<T, E>(
        &self,
        sk: &str,
        change: impl Fn(&mut Vec<T>) -> Result<(), E>,
    ) -> Result<Vec<T>, E>
    where
        T: serde::de::DeserializeOwned + Serialize,
        E: From<RecordError>,
    {
        let mut attempts = Attempts::new(sk);
        loop {
            let (mut items, condition, version) = match self.list::<T>(sk).await? {
                Some((items, v)) => (items, Condition::IfVersion(v), v + 1),
                None => (Vec::new(), Condition::IfAbsent, 1),
            };
            change(&mut items)?;
            let item = Item::new(SETTINGS, sk, encode(&ListToStore { items: &items }))
                .with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(items);
            }
        }
    }

    // ---- receipt numbers --------------------------------------------------------------------

    /// The next sequence number of `month` (`YYMM`, JST), from 1: a conditional increment, so
    /// two reports filed at the same moment never share a number.
    pub async fn next_receipt(&self, month: &str) -> Result<u64, RecordError> {
        let pk = counter_pk(month);
        let mut attempts = Attempts::new(&pk);
        loop {
            let (last, condition, version) = match self.table.get(&pk, COUNTER_SK).await? {
                Some(item) => (
                    decode::<Counter>(&item)?.last,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (0, Condition::IfAbsent, 1),
            };
            let next = last + 1;
            let item = Item::new(pk.clone(), COUNTER_SK, encode(&Counter { last: next }))
                .with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(next);
            }
        }
    }

    // ---- reports ------------------------------------------------------------------------------

    async fn report_item(&self, report: &Report, version: u64) -> Result<Item, RecordError> {
        let mut body = encode(report);
        let object = body
            .as_object_mut()
            .expect("a report serialises to an object");
        let reporter = object.remove("reporter").expect("a report has a reporter");
        let sealed = self
            .cipher
            .seal(&reporter.to_string(), &reporter_context(report.id()))
            .await?;
        object.insert("sealed_reporter".into(), sealed.into());
        Ok(Item::new(report_pk(report.id()), REPORT_SK, body)
            .with_gsi1(LIST, list_key(report))
            .with_version(version))
    }

    async fn open_report(&self, item: &Item) -> Result<Report, RecordError> {
        let corrupt = |why: String| RecordError::Corrupt(format!("{}/{}", item.pk, item.sk), why);
        let mut body = item.body.clone();
        let object = body
            .as_object_mut()
            .ok_or_else(|| corrupt("not an object".into()))?;
        let sealed = object
            .remove("sealed_reporter")
            .and_then(|v| v.as_str().map(String::from))
            .ok_or_else(|| corrupt("no sealed reporter".into()))?;
        let id = object
            .get("id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| corrupt("no id".into()))?
            .to_string();
        let json = self.cipher.open(&sealed, &reporter_context(&id)).await?;
        let reporter: Reporter = serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
        object.insert("reporter".into(), encode(&reporter));
        serde_json::from_value(body).map_err(|e| corrupt(e.to_string()))
    }

    /// Stores a newly filed report with its entry in the citizen's list, and, for a report
    /// filed from the chat, deletes the draft it came from on the condition that it is still
    /// the version confirmed: a double tap on 「送信する」 files one report.
    pub async fn create(
        &self,
        report: &Report,
        from_draft: Option<&StoredReportDraft>,
    ) -> Result<(), RecordError> {
        let keys = self.index.keys().await?;
        let hash = keys
            .current()
            .segment_key(REPORTER_ITEM, &report.reporter().user_id);
        let mut writes = vec![
            Write::Put {
                item: self.report_item(report, 1).await?,
                condition: Condition::IfAbsent,
            },
            Write::Put {
                item: Item::new(
                    reporter_pk(&hash),
                    list_key(report),
                    encode(&CitizenEntry {
                        id: report.id().into(),
                    }),
                ),
                condition: Condition::Always,
            },
        ];
        if let Some(stored) = from_draft {
            writes.push(Write::Delete {
                pk: draft_pk(stored.draft.user_id()),
                sk: DRAFT_SK.into(),
                condition: Condition::IfVersion(stored.version),
            });
        }
        self.table.transact(writes).await?;
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<Option<Report>, RecordError> {
        match self.table.get(&report_pk(id), REPORT_SK).await? {
            Some(item) => Ok(Some(self.open_report(&item).await?)),
            None => Ok(None),
        }
    }

    /// Applies `change` with optimistic concurrency, answering the report before and after the
    /// change written; `None` when there is no such report. `change` may refuse (nothing is
    /// written).
    pub async fn update_seen<E: From<RecordError>>(
        &self,
        id: &str,
        change: impl Fn(&mut Report) -> Result<(), E>,
    ) -> Result<Option<(Report, Report)>, E> {
        let mut attempts = Attempts::new(&report_pk(id));
        loop {
            let Some(item) = self
                .table
                .get(&report_pk(id), REPORT_SK)
                .await
                .map_err(RecordError::from)?
            else {
                return Ok(None);
            };
            let before = self.open_report(&item).await?;
            let mut after = before.clone();
            change(&mut after)?;
            let written = Write::Put {
                item: self.report_item(&after, item.version + 1).await?,
                condition: Condition::IfVersion(item.version),
            };
            if attempts.written(self.table.as_ref(), vec![written]).await? {
                return Ok(Some((before, after)));
            }
        }
    }

    /// Every report filed in `[from, until)` (either end open when `None`), newest first, a
    /// page of the store at a time.
    pub async fn each_filed_between(
        &self,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        mut each: impl FnMut(Report),
    ) -> Result<(), RecordError> {
        let mut cursor = None;
        loop {
            let (reports, next) = self.filed_between(from, until, cursor).await?;
            reports.into_iter().for_each(&mut each);
            cursor = next;
            if cursor.is_none() {
                return Ok(());
            }
        }
    }

    /// One page of [`Reports::each_filed_between`], for a reader that awaits between pages
    /// (an export writing each page before reading the next).
    pub async fn filed_between(
        &self,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        after: Option<Cursor>,
    ) -> Result<(Vec<Report>, Option<Cursor>), RecordError> {
        // Keys are `<filed>#<id>`: a bare time sorts just before every key made at it.
        let range = KeyRange::Between(
            from.map(time_key).unwrap_or_else(|| "0".into()),
            until.map(time_key).unwrap_or_else(|| "~".into()),
        );
        let page = self
            .table
            .query(
                Query::gsi1(LIST)
                    .range(range)
                    .descending()
                    .limit(PAGE)
                    .after(after),
            )
            .await?;
        let mut reports = Vec::with_capacity(page.items.len());
        for item in &page.items {
            reports.push(self.open_report(item).await?);
        }
        Ok((reports, page.cursor))
    }

    /// The citizen's latest `limit` reports, newest first. Looked up under every index key in
    /// force, so that a rotation does not hide reports hashed with the previous key.
    pub async fn of_citizen(
        &self,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<Report>, RecordError> {
        let keys = self.index.keys().await?;
        let mut entries: Vec<(String, String)> = Vec::new();
        for key in keys.all() {
            let hash = key.segment_key(REPORTER_ITEM, user_id);
            let page = self
                .table
                .query(
                    Query::partition(reporter_pk(&hash))
                        .descending()
                        .limit(limit),
                )
                .await?;
            for item in &page.items {
                entries.push((item.sk.clone(), decode::<CitizenEntry>(item)?.id));
            }
        }
        entries.sort_by(|a, b| b.0.cmp(&a.0));
        entries.dedup_by(|a, b| a.1 == b.1);
        let mut reports = Vec::new();
        for (_, id) in entries.into_iter().take(limit) {
            // The hash may collide in theory; the sealed reporter says for certain.
            if let Some(report) = self.get(&id).await? {
                if report.reporter().user_id == user_id {
                    reports.push(report);
                }
            }
        }
        Ok(reports)
    }

    // ---- drafts -------------------------------------------------------------------------------

    pub async fn draft(&self, user_id: &str) -> Result<Option<StoredReportDraft>, RecordError> {
        let Some(item) = self.table.get(&draft_pk(user_id), DRAFT_SK).await? else {
            return Ok(None);
        };
        let stored: StoredDraft = decode(&item)?;
        let json = self
            .cipher
            .open(&stored.sealed, &draft_context(user_id))
            .await?;
        let draft = serde_json::from_str(&json)
            .map_err(|e| RecordError::Corrupt(draft_pk(user_id), e.to_string()))?;
        Ok(Some(StoredReportDraft {
            draft,
            version: item.version,
        }))
    }

    /// The item of `draft`, sealed, the condition that the stored one is still at `seen`
    /// (`None`: there is none), and the draft as it will then be stored.
    async fn draft_write(
        &self,
        draft: &ReportDraft,
        seen: Option<u64>,
    ) -> Result<(Item, Condition, StoredReportDraft), RecordError> {
        let user_id = draft.user_id();
        let json = serde_json::to_string(draft).expect("a draft serialises to JSON");
        let sealed = self.cipher.seal(&json, &draft_context(user_id)).await?;
        let version = seen.map_or(1, |v| v + 1);
        let item = Item::new(draft_pk(user_id), DRAFT_SK, encode(&StoredDraft { sealed }))
            .expiring_at((draft.updated_at() + DRAFT_KEPT).timestamp())
            .with_version(version);
        let condition = seen.map_or(Condition::IfAbsent, Condition::IfVersion);
        let stored = StoredReportDraft {
            draft: draft.clone(),
            version,
        };
        Ok((item, condition, stored))
    }

    /// Writes `draft` if the stored one is still at `seen` (`None`: there is none), answering
    /// the draft as stored; `Ok(None)` when another write came first.
    pub async fn save_draft(
        &self,
        draft: &ReportDraft,
        seen: Option<u64>,
    ) -> Result<Option<StoredReportDraft>, RecordError> {
        let (item, condition, stored) = self.draft_write(draft, seen).await?;
        match self.table.put(item, condition).await {
            Ok(()) => Ok(Some(stored)),
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Replaces whatever draft the citizen had with `draft` (a new 「通報する」).
    pub async fn replace_draft(
        &self,
        draft: &ReportDraft,
    ) -> Result<StoredReportDraft, RecordError> {
        let mut attempts = Attempts::new(&draft_pk(draft.user_id()));
        loop {
            let seen = self.draft(draft.user_id()).await?.map(|d| d.version);
            let (item, condition, stored) = self.draft_write(draft, seen).await?;
            let write = Write::Put { item, condition };
            if attempts.written(self.table.as_ref(), vec![write]).await? {
                return Ok(stored);
            }
        }
    }

    /// Applies `change` to the citizen's draft under a version condition (photos arrive in
    /// parallel); `None` when there is no draft.
    pub async fn update_draft<E: From<RecordError>>(
        &self,
        user_id: &str,
        change: impl Fn(&mut ReportDraft) -> Result<(), E>,
    ) -> Result<Option<StoredReportDraft>, E> {
        let mut attempts = Attempts::new(&draft_pk(user_id));
        loop {
            let Some(stored) = self.draft(user_id).await? else {
                return Ok(None);
            };
            let mut draft = stored.draft.clone();
            change(&mut draft)?;
            let (item, condition, saved) = self.draft_write(&draft, Some(stored.version)).await?;
            let write = Write::Put { item, condition };
            if attempts.written(self.table.as_ref(), vec![write]).await? {
                return Ok(Some(saved));
            }
        }
    }

    pub async fn delete_draft(&self, user_id: &str) -> Result<(), RecordError> {
        self.table
            .delete(&draft_pk(user_id), DRAFT_SK, Condition::Always)
            .await?;
        Ok(())
    }
}
