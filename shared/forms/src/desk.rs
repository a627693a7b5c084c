//! The form desk (フォームの窓口): every use case on forms, over the records, the audit log and
//! the bus. The rules are the domain's (`tayori_domain::form`).
//!
//! | file | holds |
//! |---|---|
//! | `desk.rs` | `FormDesk`, `Clerk`, the builder (create, edit, publish, close, reopen, list, get) |
//! | `desk/citizen.rs` | the LIFF side: open forms, one form with its availability, drafts, submit, 「これまでの回答」, cancel |
//! | `desk/handling.rs` | the staff's answers: list and filter, detail (audited), status, memo, staff values, bulk, badge |
//! | `desk/files.rs` | the LIFF side's photos and files: presigned uploads, checked by content and stored at sending |
//! | `desk/analysis.rs` | per-question analysis, cross-tabulation, and the CSV rows an export streams |
//! | `desk/error.rs` | `FormDeskError` |
//!
//! Every change staff make, and every view of an answer's personal values, is written to the
//! audit log (操作ログ) here, so no page can forget it.

mod analysis;
mod citizen;
mod error;
mod files;
mod handling;

pub use analysis::{AnswerRows, PersonalValues, PERSONAL_LEFT_OUT};
pub use citizen::{CitizenAnswer, CitizenForm, CitizenView, OpenForm, Receipt};
pub use error::FormDeskError;
pub use files::{
    FileUpload, UploadedFile, FORM_FILE_PREFIX, FORM_UPLOAD_LIFE, FORM_UPLOAD_PREFIX,
    MAX_FILE_NAME_CHARS,
};
pub use handling::{AnswerDetail, AnswerFilter, AnswersPage, BulkOutcome, FILE_LINK_LIFE};

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::form::{Edited, Form, FormError, FormId, FormSettings};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_ports::{Clock, EventBus, ObjectStore, Platform};
use tayori_records::forms::{FormCounts, Forms};
use tayori_records::index_keys::IndexKeyRecord;
use tayori_records::{AuditLog, SegmentItemsRecord, UsageEvents};

pub use tayori_records::audit::Clerk;

/// A form in the console's list, with its counts (places held, the new-answer badge).
#[derive(Clone, Debug, PartialEq)]
pub struct FormListing {
    pub form: Form,
    pub counts: FormCounts,
}

pub struct FormDesk {
    forms: Forms,
    segments: SegmentItemsRecord,
    audit: AuditLog,
    usage: UsageEvents,
    bus: Arc<dyn EventBus>,
    clock: Arc<dyn Clock>,
    /// The answers' files and the citizens' uploads.
    objects: Arc<dyn ObjectStore>,
    /// The city's index keys: the citizens' upload folders are keyed hashes of user ids.
    index_keys: IndexKeyRecord,
}

const FORMS_PERMISSIONS: [Permission; 3] = [
    Permission::FormsEdit,
    Permission::FormsViewAnswers,
    Permission::FormsExport,
];

fn target(id: &FormId) -> String {
    format!("form:{id}")
}

impl FormDesk {
    pub fn new(platform: &Platform) -> Self {
        Self {
            forms: Forms::new(platform),
            segments: SegmentItemsRecord::new(platform.table.clone()),
            audit: AuditLog::new(platform.table.clone()),
            usage: UsageEvents::new(platform.table.clone()),
            bus: platform.bus.clone(),
            clock: platform.clock.clone(),
            objects: platform.objects.clone(),
            index_keys: IndexKeyRecord::new(platform),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    async fn record(
        &self,
        clerk: Clerk<'_>,
        action: &str,
        target: String,
        summary: String,
    ) -> Result<(), FormDeskError> {
        let entry = clerk.entry(self.now(), action, target, summary);
        Ok(self.audit.append(&entry).await?)
    }

    /// The form as it is now, for Tayori's own work (the receipt push, the export).
    pub async fn form(&self, id: &FormId) -> Result<Form, FormDeskError> {
        Ok(self
            .forms
            .get(id)
            .await?
            .ok_or(FormDeskError::NotFound)?
            .form)
    }

    /// The form as it was at `version`.
    pub async fn form_version(&self, id: &FormId, version: u32) -> Result<Form, FormDeskError> {
        self.forms
            .version(id, version)
            .await?
            .ok_or(FormDeskError::NoSuchVersion(version))
    }

    // ---- the builder --------------------------------------------------------------------------

    /// A new form, 下書き, in a 課 the clerk may edit forms for.
    pub async fn create(
        &self,
        clerk: Clerk<'_>,
        settings: FormSettings,
    ) -> Result<Form, FormDeskError> {
        let id = FormId::parse(&uuid::Uuid::new_v4().simple().to_string())?;
        let form = Form::new(id, settings, clerk.account, self.now())?;
        self.forms.create(&form).await?;
        self.record(
            clerk,
            "フォームを作成",
            target(form.id()),
            format!("「{}」（{}）", form.title(), form.department()),
        )
        .await?;
        Ok(form)
    }

    /// Replaces the form's settings: a new version when it has answers, so that they stay
    /// readable against the questions they answered.
    pub async fn edit(
        &self,
        clerk: Clerk<'_>,
        id: &FormId,
        settings: FormSettings,
    ) -> Result<(Form, Edited), FormDeskError> {
        let now = self.now();
        let (before, after) = self
            .forms
            .update(id, |form, has_answers| {
                form.edit(settings.clone(), has_answers, clerk.account, now)
                    .map(|_| ())
                    .map_err(FormDeskError::from)
            })
            .await?
            .ok_or(FormDeskError::NotFound)?;
        let edited = if after.version() == before.version() {
            Edited::InPlace {
                version: after.version(),
            }
        } else {
            Edited::NewVersion {
                from: before.version(),
                to: after.version(),
            }
        };
        let summary = match edited {
            Edited::InPlace { version } => format!("「{}」第{version}版を変更", after.title()),
            Edited::NewVersion { from, to } => {
                format!(
                    "「{}」回答があるため第{from}版を残し第{to}版を作成",
                    after.title()
                )
            }
        };
        self.record(clerk, "フォームを編集", target(id), summary)
            .await?;
        Ok((after, edited))
    }

    pub async fn publish(&self, clerk: Clerk<'_>, id: &FormId) -> Result<Form, FormDeskError> {
        let now = self.now();
        self.move_form(clerk, id, "フォームを公開", |f| {
            f.publish(clerk.account, now)
        })
        .await
    }

    pub async fn close(&self, clerk: Clerk<'_>, id: &FormId) -> Result<Form, FormDeskError> {
        let now = self.now();
        self.move_form(clerk, id, "フォームの受付を終了", |f| {
            f.close(clerk.account, now)
        })
        .await
    }

    pub async fn reopen(&self, clerk: Clerk<'_>, id: &FormId) -> Result<Form, FormDeskError> {
        let now = self.now();
        self.move_form(clerk, id, "フォームの受付を再開", |f| {
            f.reopen(clerk.account, now)
        })
        .await
    }

    async fn move_form(
        &self,
        clerk: Clerk<'_>,
        id: &FormId,
        action: &str,
        change: impl Fn(&mut Form) -> Result<(), FormError>,
    ) -> Result<Form, FormDeskError> {
        let (before, after) = self
            .forms
            .update(id, |form, _| change(form).map_err(FormDeskError::from))
            .await?
            .ok_or(FormDeskError::NotFound)?;
        self.record(
            clerk,
            action,
            target(id),
            format!(
                "「{}」{} → {}",
                after.title(),
                before.status().label(),
                after.status().label()
            ),
        )
        .await?;
        Ok(after)
    }

    /// The forms the clerk's permissions and 課 cover, most recently changed first.
    pub async fn list(&self, clerk: Clerk<'_>) -> Result<Vec<FormListing>, FormDeskError> {
        check_any_forms_permission(clerk.account)?;
        let mut listed = Vec::new();
        for form in self.forms.all().await? {
            if form.visible_to(clerk.account) {
                let counts = self.forms.counts(form.id()).await?;
                listed.push(FormListing { form, counts });
            }
        }
        Ok(listed)
    }

    /// One form, if the clerk's permissions and 課 cover it.
    pub async fn get(&self, clerk: Clerk<'_>, id: &FormId) -> Result<FormListing, FormDeskError> {
        check_any_forms_permission(clerk.account)?;
        let form = self.form(id).await?;
        if !form.visible_to(clerk.account) {
            return Err(FormError::OtherDepartment(form.department().to_string()).into());
        }
        let counts = self.forms.counts(id).await?;
        Ok(FormListing { form, counts })
    }
}

fn check_any_forms_permission(account: &StaffAccount) -> Result<(), FormError> {
    if FORMS_PERMISSIONS.into_iter().any(|p| account.may(p)) {
        Ok(())
    } else {
        Err(FormError::NoPermission)
    }
}
