//! The facility desk (施設の窓口): every use case on the registry. The shelters function, the
//! webhook and the console pages call it and render what it answers; the rules are the
//! domain's (`tayori_domain::facility`), the audit the console's (it knows the clerk).
//!
//! Build one desk per container and keep it: it caches the nearest-site index, rebuilt only
//! when the registry's version (one get per lookup) has moved.

use crate::error::FacilityError;
use crate::import::{gsi, kinds as kind_csv};
use crate::index::SiteIndex;
use crate::nearby::{NearbyAnswer, NearbyQuery, NearbySite, OpenEmergency, MAX_LIMIT};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use tayori_domain::emergency::Emergency;
use tayori_domain::facility::{Extras, Facility, FacilityKind, KindId, Position, ShelterStatus};
use tayori_ports::{Clock, Platform};
use tayori_records::{Emergencies, Facilities, Registry, Replaced};

/// A site just before a change that was written, and just after: what the audit log says.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub before: Facility,
    pub after: Facility,
}

/// What an import did, for the clerk's confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// Sites the import wrote (of the kinds it replaced).
    pub sites: usize,
    /// Of those, sites that were already there (their extras and status kept).
    pub kept: usize,
    /// Sites of the replaced kinds that the file no longer holds, now gone.
    pub removed: usize,
    /// GSI only: rows read from each list and sites found in both.
    pub emergency_site_rows: usize,
    pub shelter_rows: usize,
    pub joined: usize,
}

#[derive(Clone)]
pub struct FacilityDesk {
    records: Facilities,
    emergencies: Emergencies,
    clock: Arc<dyn Clock>,
    index: Arc<RwLock<Option<Arc<SiteIndex>>>>,
}

impl FacilityDesk {
    pub fn new(platform: &Platform) -> Self {
        Self {
            records: Facilities::new(platform.table.clone()),
            emergencies: Emergencies::new(platform.table.clone()),
            clock: platform.clock.clone(),
            index: Arc::new(RwLock::new(None)),
        }
    }

    /// On a fresh install, 小浜市's shelters as shipped. Answers whether it seeded.
    pub async fn seed_if_empty(&self) -> Result<bool, FacilityError> {
        if self.records.registry().await?.is_some() {
            return Ok(false);
        }
        let shipped = gsi::parse(
            crate::data::OBAMA_EMERGENCY_SITES,
            crate::data::OBAMA_SHELTERS,
        )?;
        let now = self.clock.now();
        // Another container seeding at the same moment wins or loses as a whole.
        let seeded = self.records.replace(None, &shipped.sites, now).await?;
        Ok(matches!(seeded, Replaced::Replaced(_)))
    }

    /// Replaces the shelters with GSI's two lists (all or nothing), keeping staff's extras and
    /// the status of every site with the same id.
    pub async fn import_gsi(
        &self,
        emergency_sites: &[u8],
        shelters: &[u8],
    ) -> Result<Imported, FacilityError> {
        let parsed = gsi::parse(emergency_sites, shelters)?;
        let kinds = BTreeSet::from([KindId::shelter()]);
        let mut imported = self.replace_kinds(&kinds, parsed.sites).await?;
        imported.emergency_site_rows = parsed.emergency_site_rows;
        imported.shelter_rows = parsed.shelter_rows;
        imported.joined = parsed.joined;
        Ok(imported)
    }

    /// Replaces the sites of every kind the file names with the file's rows (all or nothing),
    /// keeping what staff added to a site with the same kind, name and address.
    pub async fn import_kind_csv(&self, bytes: &[u8]) -> Result<Imported, FacilityError> {
        let kinds = self.kinds().await?;
        let parsed = kind_csv::parse(bytes, &kinds)?;
        self.replace_kinds(&parsed.kinds, parsed.sites).await
    }

    async fn replace_kinds(
        &self,
        kinds: &BTreeSet<KindId>,
        fresh: Vec<Facility>,
    ) -> Result<Imported, FacilityError> {
        for attempt in 0..10u32 {
            let (registry, current) = match self.records.all().await? {
                Some((registry, sites)) => (Some(registry), sites),
                None => (None, Vec::new()),
            };
            let previous: HashMap<&str, &Facility> = current
                .iter()
                .filter(|s| kinds.contains(s.kind()))
                .map(|s| (s.id(), s))
                .collect();
            let mut kept = 0;
            let mut sites: Vec<Facility> = current
                .iter()
                .filter(|s| !kinds.contains(s.kind()))
                .cloned()
                .collect();
            for site in &fresh {
                let mut site = site.clone();
                if let Some(before) = previous.get(site.id()) {
                    site.carry_over(before);
                    kept += 1;
                }
                sites.push(site);
            }
            let imported = Imported {
                sites: fresh.len(),
                kept,
                removed: previous.len() - kept,
                emergency_site_rows: 0,
                shelter_rows: 0,
                joined: 0,
            };
            match self
                .records
                .replace(registry.as_ref(), &sites, self.clock.now())
                .await?
            {
                Replaced::Replaced(_) => return Ok(imported),
                // A clerk's edit or another import came first: rebuild on what is there now.
                Replaced::Moved => {
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt.min(6))).await
                }
            }
        }
        Err(FacilityError::Record(
            tayori_records::RecordError::Contended("FACILITYREGISTRY".into()),
        ))
    }

    /// Every kind: 避難所 first, then those staff defined.
    pub async fn kinds(&self) -> Result<Vec<FacilityKind>, FacilityError> {
        let mut kinds = vec![FacilityKind::shelter()];
        kinds.extend(self.records.kinds().await?);
        Ok(kinds)
    }

    /// Adds a kind, or renames the one with its id. Two kinds may not share a name.
    pub async fn save_kind(&self, kind: &FacilityKind) -> Result<(), FacilityError> {
        let kinds = self.kinds().await?;
        if kinds
            .iter()
            .any(|k| k.name() == kind.name() && k.id() != kind.id())
        {
            return Err(FacilityError::Refused(
                tayori_domain::facility::Refusal::DuplicateKindName(kind.name().to_owned()),
            ));
        }
        Ok(self.records.save_kind(kind).await?)
    }

    /// The sites of one kind, by name.
    pub async fn list(&self, kind: &KindId) -> Result<Vec<Facility>, FacilityError> {
        let index = self.index().await?;
        let mut sites: Vec<Facility> = index
            .sites()
            .iter()
            .filter(|s| s.kind() == kind)
            .cloned()
            .collect();
        sites.sort_by(|a, b| a.name().cmp(b.name()).then(a.id().cmp(b.id())));
        Ok(sites)
    }

    pub async fn get(&self, id: &str) -> Result<Facility, FacilityError> {
        self.records.get(id).await?.ok_or(FacilityError::NotFound)
    }

    /// The emergency open now, whose statuses citizens see.
    pub async fn open_emergency(&self) -> Result<Option<Emergency>, FacilityError> {
        Ok(self.emergencies.current().await?)
    }

    pub async fn edit(&self, id: &str, extras: Extras, by: &str) -> Result<Change, FacilityError> {
        let now = self.clock.now();
        let changed = self
            .records
            .update(id, |site| site.edit(extras.clone(), by, now))
            .await?;
        let (before, after) = changed.ok_or(FacilityError::NotFound)??;
        Ok(Change { before, after })
    }

    /// Sets a 指定避難所's status in the emergency open now (refused outside one).
    pub async fn set_status(
        &self,
        id: &str,
        status: ShelterStatus,
        by: &str,
    ) -> Result<Change, FacilityError> {
        let emergency = self.emergencies.current().await?;
        let now = self.clock.now();
        let changed = self
            .records
            .update(id, |site| {
                site.set_status(status, emergency.as_ref(), by, now)
            })
            .await?;
        let (before, after) = changed.ok_or(FacilityError::NotFound)??;
        Ok(Change { before, after })
    }

    /// The nearest sites of a kind; for shelters, those designated for the hazard asked for
    /// (else the open emergency's), with 満員 and 閉鎖 ones after the others.
    pub async fn nearest(&self, query: &NearbyQuery) -> Result<NearbyAnswer, FacilityError> {
        let emergency = self.emergencies.current().await?;
        let index = self.index().await?;
        let kind = query.kind.clone().unwrap_or_else(KindId::shelter);
        let kind_name = if kind.is_shelter() {
            FacilityKind::shelter().name().to_owned()
        } else {
            let kinds = self.records.kinds().await?;
            kinds
                .into_iter()
                .find(|k| k.id() == &kind)
                .map(|k| k.name().to_owned())
                .unwrap_or_else(|| kind.as_str().to_owned())
        };
        let hazards = match (kind.is_shelter(), query.hazard, &emergency) {
            (false, _, _) => Vec::new(),
            (true, Some(hazard), _) => vec![hazard],
            (true, None, Some(e)) => e.hazards().to_vec(),
            (true, None, None) => Vec::new(),
        };
        let limit = query.limit.clamp(1, MAX_LIMIT);
        let found = index.nearest(query.position, limit, |site| {
            site.kind() == &kind && site.designated_for(&hazards)
        });
        let mut sites: Vec<NearbySite> = found
            .into_iter()
            .map(|(site, d)| NearbySite::new(site, d, emergency.as_ref()))
            .collect();
        // Stable: each group stays nearest first.
        sites.sort_by_key(NearbySite::turns_people_away);
        Ok(NearbyAnswer {
            position: query.position,
            kind,
            kind_name,
            emergency: emergency.as_ref().map(OpenEmergency::from),
            hazards,
            sites,
        })
    }

    /// How far the nearest registered site of any kind is, whatever the emergency: the
    /// reports intake's 市内 check (`tayori_domain::report::area`). `None` when no site is
    /// registered.
    pub async fn nearest_site_m(&self, position: Position) -> Result<Option<f64>, FacilityError> {
        let index = self.index().await?;
        Ok(index
            .nearest(position, 1, |_| true)
            .first()
            .map(|(_, d)| *d))
    }

    /// The index for the registry in force: the cached one while its version holds.
    async fn index(&self) -> Result<Arc<SiteIndex>, FacilityError> {
        let Some(registry) = self.records.registry().await? else {
            return Ok(Arc::new(SiteIndex::build(0, Vec::new())));
        };
        if let Some(cached) = self.cached(&registry) {
            return Ok(cached);
        }
        let Some((registry, sites)) = self.records.all().await? else {
            return Ok(Arc::new(SiteIndex::build(0, Vec::new())));
        };
        let built = Arc::new(SiteIndex::build(registry.version, sites));
        let mut slot = self.index.write().unwrap_or_else(|e| e.into_inner());
        *slot = Some(built.clone());
        Ok(built)
    }

    fn cached(&self, registry: &Registry) -> Option<Arc<SiteIndex>> {
        let slot = self.index.read().unwrap_or_else(|e| e.into_inner());
        slot.as_ref()
            .filter(|index| index.version() == registry.version)
            .cloned()
    }

    /// Whether the index was built for `version` (for tests of the cache).
    #[doc(hidden)]
    pub fn cached_version(&self) -> Option<u64> {
        let slot = self.index.read().unwrap_or_else(|e| e.into_inner());
        slot.as_ref().map(|i| i.version())
    }
}
