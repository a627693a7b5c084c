//! The report desk (通報の窓口): every use case on reports, over the records, the facilities
//! (is a place in the city), the friends (the reporter's district and attributes) and the bus.
//! The webhook, the reports function and the console call it and render or log what it answers;
//! the rules are the domain's (`tayori_domain::report`), the audit the console's.
//!
//! | file | holds |
//! |---|---|
//! | `desk.rs` | `ReportDesk`, reading (`get`, `history`, `each_filed_between`), categories and templates |
//! | `desk/intake.rs` | the chat's draft, one write per step; filing from the chat and from the LIFF form |
//! | `desk/uploads.rs` | the LIFF form's photo uploads: presigned, bound to the citizen, stored as the chat's are |
//! | `desk/staff.rs` | the staff list and every change staff make, publishing what the citizen must hear |
//! | `desk/lookup.rs` | a report by its receipt number |
//! | `desk/error.rs` | `DeskError` |

mod error;
mod intake;
mod lookup;
mod staff;
mod uploads;

pub use error::DeskError;
pub use staff::ReportFilter;
pub use uploads::{
    PhotoUpload, UploadError, UploadedReport, UPLOAD_LIFE, UPLOAD_PREFIX, UPLOAD_TYPES,
};

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::report::{Category, CategoryId, CategorySettings, Report, ResponseTemplate};
use tayori_facilities::FacilityDesk;
use tayori_ports::{Clock, EventBus, ObjectStore, Platform};
use tayori_records::index_keys::IndexKeyRecord;
use tayori_records::{Friends, Reports, UsageEvents};

/// How many reports 「通報履歴」 shows.
pub const HISTORY_LENGTH: usize = 10;

pub struct ReportDesk {
    reports: Reports,
    friends: Friends,
    facilities: FacilityDesk,
    usage: UsageEvents,
    /// The city's index keys: the LIFF form's upload folders are keyed hashes of user ids.
    index_keys: IndexKeyRecord,
    objects: Arc<dyn ObjectStore>,
    bus: Arc<dyn EventBus>,
    clock: Arc<dyn Clock>,
}

/// A report as it was just before a change that was written and as it is after it: what the
/// audit log says changed.
#[derive(Clone, Debug)]
pub struct Change {
    pub before: Report,
    pub after: Report,
}

/// A category before (`None`: new) and after a change.
#[derive(Clone, Debug)]
pub struct CategoryChange {
    pub before: Option<Category>,
    pub after: Category,
}

impl ReportDesk {
    pub fn new(platform: &Platform) -> Self {
        Self {
            reports: Reports::new(platform),
            friends: Friends::new(platform),
            facilities: FacilityDesk::new(platform),
            usage: UsageEvents::new(platform.table.clone()),
            index_keys: IndexKeyRecord::new(platform),
            objects: platform.objects.clone(),
            bus: platform.bus.clone(),
            clock: platform.clock.clone(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A report by id, for Tayori's own work (the status push, the chat). Staff read through
    /// [`ReportDesk::get_for`], which checks their department.
    pub async fn get(&self, id: &str) -> Result<Report, DeskError> {
        self.reports.get(id).await?.ok_or(DeskError::NotFound)
    }

    /// The citizen's latest reports (「通報履歴」), newest first.
    pub async fn history(&self, user_id: &str) -> Result<Vec<Report>, DeskError> {
        Ok(self.reports.of_citizen(user_id, HISTORY_LENGTH).await?)
    }

    /// Every report filed in `[from, until)` (either end open), newest first, a page of the
    /// store at a time: the CSV and the usage report.
    pub async fn each_filed_between(
        &self,
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        each: impl FnMut(Report),
    ) -> Result<(), DeskError> {
        Ok(self.reports.each_filed_between(from, until, each).await?)
    }

    // ---- categories ---------------------------------------------------------------------------

    /// Every category, retired ones included, in display order. The first read stores 小浜市's
    /// defaults (once, whoever reads first).
    pub async fn categories(&self) -> Result<Vec<Category>, DeskError> {
        let mut all = match self.reports.categories().await? {
            Some(stored) => stored,
            None => self.reports.seed_categories(&Category::defaults()).await?,
        };
        all.sort_by_key(Category::order);
        Ok(all)
    }

    /// The categories citizens may choose now, in display order.
    pub async fn offered_categories(&self) -> Result<Vec<Category>, DeskError> {
        let mut all = self.categories().await?;
        all.retain(|c| !c.is_retired());
        Ok(all)
    }

    pub async fn category(&self, id: &CategoryId) -> Result<Category, DeskError> {
        self.categories()
            .await?
            .into_iter()
            .find(|c| c.id() == id)
            .ok_or(DeskError::CategoryNotFound)
    }

    /// Creates the category `id` or edits it. Reports already filed keep their snapshot.
    pub async fn save_category(
        &self,
        id: CategoryId,
        settings: CategorySettings,
    ) -> Result<CategoryChange, DeskError> {
        self.categories().await?;
        self.change_category(&id, |all| {
            match all.iter_mut().find(|c| c.id() == &id) {
                Some(existing) => existing.edit(settings.clone())?,
                None => all.push(Category::new(id.clone(), settings.clone())?),
            }
            Ok(())
        })
        .await
    }

    /// Stops offering the category to citizens; its reports stay.
    pub async fn retire_category(&self, id: &CategoryId) -> Result<CategoryChange, DeskError> {
        self.change_category(id, |all| {
            let found = all.iter_mut().find(|c| c.id() == id);
            found.ok_or(DeskError::CategoryNotFound)?.retire();
            Ok(())
        })
        .await
    }

    pub async fn reinstate_category(&self, id: &CategoryId) -> Result<CategoryChange, DeskError> {
        self.change_category(id, |all| {
            let found = all.iter_mut().find(|c| c.id() == id);
            found.ok_or(DeskError::CategoryNotFound)?.reinstate();
            Ok(())
        })
        .await
    }

    async fn change_category(
        &self,
        id: &CategoryId,
        change: impl Fn(&mut Vec<Category>) -> Result<(), DeskError>,
    ) -> Result<CategoryChange, DeskError> {
        let before = self.categories().await?.into_iter().find(|c| c.id() == id);
        let all = self.reports.update_categories(change).await?;
        let after = all
            .into_iter()
            .find(|c| c.id() == id)
            .ok_or(DeskError::CategoryNotFound)?;
        Ok(CategoryChange { before, after })
    }

    // ---- response templates -------------------------------------------------------------------

    pub async fn templates(&self) -> Result<Vec<ResponseTemplate>, DeskError> {
        Ok(self.reports.templates().await?)
    }

    /// Saves a template: a new one when `id` is `None`, else replaces that one.
    pub async fn save_template(
        &self,
        id: Option<&str>,
        name: &str,
        text: &str,
    ) -> Result<ResponseTemplate, DeskError> {
        let template = ResponseTemplate::new(
            id.map(String::from)
                .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
            name,
            text,
        )?;
        self.reports
            .update_templates(|all| {
                match all.iter_mut().find(|t| t.id() == template.id()) {
                    Some(existing) => *existing = template.clone(),
                    None if id.is_some() => return Err(DeskError::TemplateNotFound),
                    None => all.push(template.clone()),
                }
                Ok(())
            })
            .await?;
        Ok(template)
    }

    /// Deletes a template, answering it as it was.
    pub async fn delete_template(&self, id: &str) -> Result<ResponseTemplate, DeskError> {
        let before = self
            .templates()
            .await?
            .into_iter()
            .find(|t| t.id() == id)
            .ok_or(DeskError::TemplateNotFound)?;
        self.reports
            .update_templates(|all| {
                all.retain(|t| t.id() != id);
                Ok::<(), DeskError>(())
            })
            .await?;
        Ok(before)
    }
}
