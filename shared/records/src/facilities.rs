//! Facilities (施設) and shelters: every site of one import lives in a partition named by its
//! generation, and one pointer item names the generation readers use. An import writes a
//! whole new generation, then switches the pointer in one conditional write, then removes the
//! old generation: a reader sees the old registry or the new one, never half of each.
//!
//! The pointer's item version is the registry's version: every write of a site (an edit, a
//! status) moves it in the same transaction, so a container's cached index knows with one get
//! whether it must be rebuilt, and an import that read the sites before a clerk's edit fails
//! its switch rather than dropping the edit.
//!
//! Kinds staff define are one small item beside it.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::facility::{Facility, FacilityKind};
use tayori_ports::table::MAX_TRANSACTION_WRITES;
use tayori_ports::{Condition, Item, Query, StoreError, TableStore, Write};

const SETTINGS: &str = "SETTINGS";
const REGISTRY_SK: &str = "FACILITYREGISTRY";
const KINDS_SK: &str = "FACILITYKINDS";
/// Sites read per page when listing a generation (the store's page limit).
const PAGE: usize = tayori_ports::table::MAX_PAGE_SIZE;

fn partition(generation: &str) -> String {
    format!("FACILITY#{generation}")
}

/// The registry in force: which generation readers use, and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry {
    /// Moves on every write to the registry (an import, an edit, a status).
    pub version: u64,
    pub generation: String,
    pub sites: usize,
    pub replaced_at: DateTime<Utc>,
    /// The generation before, removed after the switch (again by the next import, should a
    /// crash have interrupted the removal).
    previous: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct RegistryBody {
    generation: String,
    sites: usize,
    replaced_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<String>,
}

impl Registry {
    fn item(&self) -> Item {
        let body = RegistryBody {
            generation: self.generation.clone(),
            sites: self.sites,
            replaced_at: self.replaced_at,
            previous: self.previous.clone(),
        };
        Item::new(SETTINGS, REGISTRY_SK, encode(&body)).with_version(self.version)
    }
}

/// What a replacement came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replaced {
    Replaced(Registry),
    /// The registry changed after it was read (another import, an edit): nothing was
    /// written. Read again and rebuild the replacement from what is there now.
    Moved,
}

#[derive(Clone)]
pub struct Facilities {
    table: Arc<dyn TableStore>,
}

impl Facilities {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// The registry in force (one get); none before the first import.
    pub async fn registry(&self) -> Result<Option<Registry>, RecordError> {
        let Some(item) = self.table.get(SETTINGS, REGISTRY_SK).await? else {
            return Ok(None);
        };
        let body: RegistryBody = decode(&item)?;
        Ok(Some(Registry {
            version: item.version,
            generation: body.generation,
            sites: body.sites,
            replaced_at: body.replaced_at,
            previous: body.previous,
        }))
    }

    /// Every site of the registry in force, with that registry; none before the first import.
    pub async fn all(&self) -> Result<Option<(Registry, Vec<Facility>)>, RecordError> {
        for attempt in 0..crate::MAX_UPDATE_ATTEMPTS {
            let Some(registry) = self.registry().await? else {
                return Ok(None);
            };
            let sites = self.generation(&registry.generation).await?;
            // An import may have switched and begun removing this generation while it was
            // read: the list is whole only if the pointer still names it.
            let now = self.registry().await?;
            if now.as_ref().map(|r| &r.generation) == Some(&registry.generation) {
                return Ok(Some((now.expect("checked above"), sites)));
            }
            crate::backoff(attempt).await;
        }
        Err(RecordError::Contended(REGISTRY_SK.into()))
    }

    async fn generation(&self, generation: &str) -> Result<Vec<Facility>, RecordError> {
        let mut sites = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(
                    Query::partition(partition(generation))
                        .limit(PAGE)
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                sites.push(decode(item)?);
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(sites),
            }
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<Facility>, RecordError> {
        let Some(registry) = self.registry().await? else {
            return Ok(None);
        };
        match self.table.get(&partition(&registry.generation), id).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Writes `sites` as a new generation and switches readers to it, on the condition that
    /// the registry is still as `expected` (`None`: that there is none yet, a first import).
    /// Site ids must be unique.
    pub async fn replace(
        &self,
        expected: Option<&Registry>,
        sites: &[Facility],
        now: DateTime<Utc>,
    ) -> Result<Replaced, RecordError> {
        let generation = uuid::Uuid::new_v4().simple().to_string();
        let pk = partition(&generation);
        for chunk in sites.chunks(MAX_TRANSACTION_WRITES) {
            let writes = chunk
                .iter()
                .map(|site| Write::Put {
                    item: Item::new(pk.clone(), site.id(), encode(site)).with_version(1),
                    condition: Condition::IfAbsent,
                })
                .collect();
            if let Err(e) = self.table.transact(writes).await {
                self.remove_generation(&generation).await;
                return Err(e.into());
            }
        }
        let registry = Registry {
            version: expected.map_or(1, |r| r.version + 1),
            generation: generation.clone(),
            sites: sites.len(),
            replaced_at: now,
            previous: expected.map(|r| r.generation.clone()),
        };
        let condition = expected.map_or(Condition::IfAbsent, |r| Condition::IfVersion(r.version));
        match self.table.put(registry.item(), condition).await {
            Ok(()) => {
                if let Some(old) = expected {
                    self.remove_generation(&old.generation).await;
                    if let Some(older) = &old.previous {
                        self.remove_generation(older).await;
                    }
                }
                Ok(Replaced::Replaced(registry))
            }
            Err(StoreError::ConditionFailed) => {
                self.remove_generation(&generation).await;
                Ok(Replaced::Moved)
            }
            Err(e) => {
                self.remove_generation(&generation).await;
                Err(e.into())
            }
        }
    }

    /// Removes a generation no reader uses. Failing leaves unread items behind, which the
    /// next import removes again: logged, never fatal to the import that already switched.
    async fn remove_generation(&self, generation: &str) {
        if let Err(e) = self.try_remove_generation(generation).await {
            tracing::warn!(generation, error = %e, "an old facility generation was left behind");
        }
    }

    async fn try_remove_generation(&self, generation: &str) -> Result<(), RecordError> {
        let pk = partition(generation);
        loop {
            let page = self
                .table
                .query(Query::partition(pk.clone()).limit(MAX_TRANSACTION_WRITES))
                .await?;
            if page.items.is_empty() {
                return Ok(());
            }
            let writes = page
                .items
                .iter()
                .map(|item| Write::Delete {
                    pk: item.pk.clone(),
                    sk: item.sk.clone(),
                    condition: Condition::Always,
                })
                .collect();
            self.table.transact(writes).await?;
        }
    }

    /// Applies `change` to the site at the versions read (the site's and the registry's) and
    /// moves the registry's version with it. `None` when there is no such site; the change's
    /// own refusal is passed back untouched. Answers the site before and after.
    pub async fn update<E>(
        &self,
        id: &str,
        change: impl Fn(&mut Facility) -> Result<(), E>,
    ) -> Result<Option<Result<(Facility, Facility), E>>, RecordError> {
        let mut attempts = Attempts::new(&format!("{REGISTRY_SK}/{id}"));
        loop {
            let Some(registry) = self.registry().await? else {
                return Ok(None);
            };
            let pk = partition(&registry.generation);
            let Some(item) = self.table.get(&pk, id).await? else {
                return Ok(None);
            };
            let before: Facility = decode(&item)?;
            let mut after = before.clone();
            if let Err(refused) = change(&mut after) {
                return Ok(Some(Err(refused)));
            }
            let moved = Registry {
                version: registry.version + 1,
                ..registry.clone()
            };
            let writes = vec![
                Write::Put {
                    item: Item::new(pk, id, encode(&after)).with_version(item.version + 1),
                    condition: Condition::IfVersion(item.version),
                },
                Write::Put {
                    item: moved.item(),
                    condition: Condition::IfVersion(registry.version),
                },
            ];
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Some(Ok((before, after))));
            }
        }
    }

    /// The kinds staff defined, in the order they were added (the built-in shelter kind is
    /// not stored).
    pub async fn kinds(&self) -> Result<Vec<FacilityKind>, RecordError> {
        Ok(self.read_kinds().await?.map(|(k, _)| k).unwrap_or_default())
    }

    async fn read_kinds(&self) -> Result<Option<(Vec<FacilityKind>, u64)>, RecordError> {
        match self.table.get(SETTINGS, KINDS_SK).await? {
            Some(item) => Ok(Some((decode(&item)?, item.version))),
            None => Ok(None),
        }
    }

    /// Adds a kind, or renames the one with the same id.
    pub async fn save_kind(&self, kind: &FacilityKind) -> Result<(), RecordError> {
        let mut attempts = Attempts::new(KINDS_SK);
        loop {
            let (mut kinds, condition, version) = match self.read_kinds().await? {
                Some((kinds, v)) => (kinds, Condition::IfVersion(v), v + 1),
                None => (Vec::new(), Condition::IfAbsent, 1),
            };
            match kinds.iter_mut().find(|k| k.id() == kind.id()) {
                Some(same) => *same = kind.clone(),
                None => kinds.push(kind.clone()),
            }
            let item = Item::new(SETTINGS, KINDS_SK, encode(&kinds)).with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_domain::emergency::{Cause, Emergency};
    use tayori_domain::facility::{Extras, KindId, Position, Refusal, ShelterStatus, Site};
    use tayori_domain::hazard::Hazard;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + minutes * 60, 0).unwrap()
    }

    fn site(n: usize, name: &str) -> Facility {
        let site = Site {
            id: format!("E1820400{n:03}111"),
            kind: KindId::shelter(),
            name: name.into(),
            address: "福井県小浜市".into(),
            position: Position::new(35.49 + n as f64 * 0.001, 135.74).unwrap(),
            hazards: vec![Hazard::Flood],
            designated_shelter: true,
            accepts: None,
            gsi_ids: vec![],
        };
        Facility::new(site, Extras::default()).unwrap()
    }

    fn records() -> (Facilities, Arc<dyn TableStore>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(tayori_ports::SystemClock);
        let table: Arc<dyn TableStore> =
            Arc::new(tayori_adapters::embedded::SqliteTable::open(dir.path(), clock).unwrap());
        (Facilities::new(table.clone()), table, dir)
    }

    async fn partition_len(table: &Arc<dyn TableStore>, generation: &str) -> usize {
        let page = table
            .query(Query::partition(partition(generation)).limit(PAGE))
            .await
            .unwrap();
        page.items.len()
    }

    #[tokio::test]
    async fn an_import_switches_generations_whole_and_removes_the_old_one() {
        let (records, table, _dir) = records();
        assert_eq!(records.registry().await.unwrap(), None);
        assert_eq!(records.all().await.unwrap(), None);

        // 250 sites: more than one transaction's worth.
        let first: Vec<_> = (0..250).map(|n| site(n, &format!("避難所{n}"))).collect();
        let Replaced::Replaced(one) = records.replace(None, &first, at(0)).await.unwrap() else {
            panic!("a first import into an empty registry switches");
        };
        assert_eq!((one.version, one.sites), (1, 250));
        let (read, sites) = records.all().await.unwrap().unwrap();
        assert_eq!(read, one);
        assert_eq!(sites.len(), 250);

        let second = vec![site(1, "新しい避難所")];
        let Replaced::Replaced(two) = records.replace(Some(&one), &second, at(1)).await.unwrap()
        else {
            panic!("the registry was as read");
        };
        assert_eq!(two.version, 2);
        assert_ne!(two.generation, one.generation);
        let (_, sites) = records.all().await.unwrap().unwrap();
        assert_eq!(sites, second);
        assert_eq!(partition_len(&table, &one.generation).await, 0);
        assert_eq!(
            records.get("E1820400001111").await.unwrap().unwrap().name(),
            "新しい避難所"
        );
        assert_eq!(records.get("E1820400002111").await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_import_from_a_stale_read_writes_nothing() {
        let (records, table, _dir) = records();
        let Replaced::Replaced(one) = records
            .replace(None, &[site(1, "甲")], at(0))
            .await
            .unwrap()
        else {
            panic!()
        };
        // A second first import (another container seeding at the same time) loses.
        assert_eq!(
            records
                .replace(None, &[site(2, "乙")], at(0))
                .await
                .unwrap(),
            Replaced::Moved
        );
        // An edit moves the version: an import built on the earlier read loses too.
        records
            .update("E1820400001111", |f| {
                f.edit(Extras::default(), "tanaka", at(1))
            })
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(
            records
                .replace(Some(&one), &[site(3, "丙")], at(2))
                .await
                .unwrap(),
            Replaced::Moved
        );
        let (now, sites) = records.all().await.unwrap().unwrap();
        assert_eq!(now.generation, one.generation);
        assert_eq!(now.version, 2);
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].name(), "甲");
        // The losers' generations were removed: only the one in force has items.
        let all = table
            .query(Query::partition("SETTINGS").limit(100))
            .await
            .unwrap();
        assert!(all.items.iter().any(|i| i.sk == REGISTRY_SK));
        assert_eq!(partition_len(&table, &now.generation).await, 1);
    }

    #[tokio::test]
    async fn a_status_change_is_written_at_the_version_read_and_moves_the_registry() {
        let (records, _table, _dir) = records();
        records
            .replace(None, &[site(1, "甲")], at(0))
            .await
            .unwrap();
        let before = records.registry().await.unwrap().unwrap().version;
        let emergency = Emergency::open(
            "e1",
            "大雨",
            &[Hazard::Flood],
            Cause::Staff {
                by: "tanaka".into(),
            },
            at(0),
        )
        .unwrap();
        let (was, is) = records
            .update("E1820400001111", |f| {
                f.set_status(ShelterStatus::Full, Some(&emergency), "tanaka", at(3))
            })
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(was.status_in(&emergency), None);
        assert_eq!(
            is.status_in(&emergency).unwrap().status(),
            ShelterStatus::Full
        );
        assert_eq!(
            records.registry().await.unwrap().unwrap().version,
            before + 1
        );
        let stored = records.get("E1820400001111").await.unwrap().unwrap();
        assert_eq!(stored, is);

        let refused = records
            .update("E1820400001111", |f| {
                f.set_status(ShelterStatus::Open, None, "tanaka", at(4))
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(refused, Err(Refusal::NoEmergency));
        assert_eq!(
            records.registry().await.unwrap().unwrap().version,
            before + 1
        );
        assert!(records
            .update("nope", |_| Ok::<_, Refusal>(()))
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn kinds_are_added_and_renamed_by_id() {
        let (records, _table, _dir) = records();
        assert!(records.kinds().await.unwrap().is_empty());
        let id = |s| KindId::new(s).unwrap();
        let kominkan = FacilityKind::new(id("kominkan"), "公民館").unwrap();
        let aed = FacilityKind::new(id("aed"), "AED").unwrap();
        records.save_kind(&kominkan).await.unwrap();
        records.save_kind(&aed).await.unwrap();
        let renamed = FacilityKind::new(id("kominkan"), "コミュニティセンター").unwrap();
        records.save_kind(&renamed).await.unwrap();
        assert_eq!(records.kinds().await.unwrap(), vec![renamed, aed]);
    }
}
