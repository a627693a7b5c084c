//! The console's one door to the facility registry: every shelter page reads and writes
//! through here, so that the pages only parse, call and render.

use crate::AdminState;
use chrono::Utc;
use tayori_domain::emergency::Emergency;
use tayori_domain::facility::{Extras, Facility, FacilityKind, Refusal, ShelterStatus};
use tayori_records::{Emergencies, Facilities, RecordError};

/// A site before and after a change.
pub type Changed = (Facility, Facility);

pub struct Registry {
    facilities: Facilities,
    emergencies: Emergencies,
    clock: std::sync::Arc<dyn tayori_ports::Clock>,
}

impl Registry {
    pub fn new(state: &AdminState) -> Self {
        Self {
            facilities: Facilities::new(state.platform.table.clone()),
            emergencies: Emergencies::new(state.platform.table.clone()),
            clock: state.platform.clock.clone(),
        }
    }

    fn now(&self) -> chrono::DateTime<Utc> {
        self.clock.now()
    }

    /// Every site, by name.
    pub async fn list(&self) -> Result<Vec<Facility>, RecordError> {
        let mut sites = self
            .facilities
            .all()
            .await?
            .map(|(_, sites)| sites)
            .unwrap_or_default();
        sites.sort_by(|a, b| a.name().cmp(b.name()).then(a.id().cmp(b.id())));
        Ok(sites)
    }

    pub async fn get(&self, id: &str) -> Result<Option<Facility>, RecordError> {
        self.facilities.get(id).await
    }

    /// The kinds: the built-in shelter kind first, then those staff defined.
    pub async fn kinds(&self) -> Result<Vec<FacilityKind>, RecordError> {
        let mut kinds = vec![FacilityKind::shelter()];
        kinds.extend(self.facilities.kinds().await?);
        Ok(kinds)
    }

    /// Adds a kind, or renames the one with the same id.
    pub async fn save_kind(&self, kind: &FacilityKind) -> Result<(), RecordError> {
        self.facilities.save_kind(kind).await
    }

    pub async fn emergency(&self) -> Result<Option<Emergency>, RecordError> {
        self.emergencies.current().await
    }

    /// Replaces a site's extras. `None` when there is no such site.
    pub async fn edit(
        &self,
        id: &str,
        extras: Extras,
        by: &str,
    ) -> Result<Option<Result<Changed, Refusal>>, RecordError> {
        let now = self.now();
        self.facilities
            .update(id, |f| f.edit(extras.clone(), by, now))
            .await
    }

    /// Sets a 指定避難所's status in the emergency open now (refused when none is).
    pub async fn set_status(
        &self,
        id: &str,
        status: ShelterStatus,
        by: &str,
    ) -> Result<Option<Result<Changed, Refusal>>, RecordError> {
        let emergency = self.emergency().await?;
        let now = self.now();
        self.facilities
            .update(id, |f| f.set_status(status, emergency.as_ref(), by, now))
            .await
    }
}
