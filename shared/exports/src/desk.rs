//! `ExportDesk`: everything done to exports, over the records, the object store, the bus and
//! the audit log. The desk writes the audit entries itself: a file of citizens' reports leaves
//! the console, so asking and downloading are recorded on every path, not only the page's.

use crate::csv::{content_type, write_csv, RowSource, SourceError, WriteError};
use crate::error::DeskError;
use crate::sources::PERSONAL;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tayori_domain::export::{CsvEncoding, Export, ExportConditions, ExportKind, ExportStatus};
use tayori_domain::form::FormId;
use tayori_domain::staff::StaffAccount;
use tayori_formdesk::PersonalValues;
use tayori_ports::{Clock, Event, EventBus, ObjectKey, ObjectStore, Platform};
use tayori_records::forms::Forms;
use tayori_records::{AuditEntry, AuditLog, Exports, RecordError};

/// The bus event that asks the export function to make a file: `{"id": "<export id>"}`.
pub const EXPORT_REQUESTED: &str = "export.requested";
/// How long a download link works: it is a bearer credential to a file of the city's data.
pub const DOWNLOAD_LIFE: Duration = Duration::from_secs(5 * 60);
/// How many of a clerk's exports the list shows (a day's worth, at most).
pub const LISTED: usize = 50;
/// The audit log's action for a file holding answers' personal values: the same words as
/// opening an answer with them (FormDesk), so one search finds every view.
pub const PERSONAL_VIEWED: &str = "フォーム回答の個人情報を閲覧";

/// Opens the rows of an export's kind with its conditions.
#[async_trait]
pub trait Sources: Send + Sync {
    async fn open(&self, export: &Export) -> Result<Box<dyn RowSource>, SourceError>;
}

/// The staff member acting, and where from (for the audit log).
pub struct Clerk<'a> {
    pub account: &'a StaffAccount,
    pub ip: Option<IpAddr>,
}

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub expired: usize,
}

#[derive(Clone)]
pub struct ExportDesk {
    exports: Exports,
    objects: Arc<dyn ObjectStore>,
    bus: Arc<dyn EventBus>,
    clock: Arc<dyn Clock>,
    audit: AuditLog,
    forms: Forms,
    sources: Arc<dyn Sources>,
}

impl ExportDesk {
    pub fn new(platform: &Platform, sources: Arc<dyn Sources>) -> Self {
        Self {
            exports: Exports::new(platform),
            objects: platform.objects.clone(),
            bus: platform.bus.clone(),
            clock: platform.clock.clone(),
            audit: AuditLog::new(platform.table.clone()),
            forms: Forms::new(platform),
            sources,
        }
    }

    /// Saves a new export (作成中) if the clerk holds the kind's permission, asks the export
    /// function to make it, and audits the request.
    pub async fn request(
        &self,
        clerk: &Clerk<'_>,
        kind: ExportKind,
        conditions: ExportConditions,
        encoding: CsvEncoding,
    ) -> Result<Export, DeskError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let export = Export::request(
            id,
            kind,
            conditions,
            encoding,
            clerk.account,
            self.clock.now(),
        )?;
        self.start(clerk, export, None).await
    }

    /// Asks for the answers of form `form` that the answers page's `conditions` admit, if the
    /// clerk may export them (フォーム回答の出力 in the form's 課). With personal values
    /// included, the request is also written to the audit log as a view of them, as the answer
    /// page's 「個人情報を表示」 is.
    pub async fn request_form_answers(
        &self,
        clerk: &Clerk<'_>,
        form: &FormId,
        conditions: ExportConditions,
        personal: PersonalValues,
        encoding: CsvEncoding,
    ) -> Result<Export, DeskError> {
        let form = self
            .forms
            .get(form)
            .await?
            .ok_or(DeskError::FormNotFound)?
            .form;
        let conditions = match personal {
            PersonalValues::Included => conditions
                .with(PERSONAL, "yes")
                .described_also("個人情報を含む"),
            PersonalValues::LeftOut => conditions.with(PERSONAL, ""),
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let export = Export::request_form_answers(
            id,
            &form,
            conditions,
            encoding,
            clerk.account,
            self.clock.now(),
        )?;
        let seen = (personal == PersonalValues::Included).then(|| AuditEntry {
            at: self.clock.now(),
            actor: clerk.account.login_id.as_str().to_owned(),
            ip: ip_words(clerk),
            action: PERSONAL_VIEWED.into(),
            target: format!("form:{}", form.id()),
            summary: format!(
                "「{}」の回答をCSVに個人情報を含めて出力（export:{}）",
                form.title(),
                export.id()
            ),
        });
        self.start(clerk, export, seen).await
    }

    /// Saves the new export, audits the request (and `also`), and asks the export function.
    async fn start(
        &self,
        clerk: &Clerk<'_>,
        export: Export,
        also: Option<AuditEntry>,
    ) -> Result<Export, DeskError> {
        let kind = export.kind();
        let encoding = export.encoding();
        self.exports.create(&export).await?;
        if let Some(entry) = also {
            if let Err(e) = self.audit.append(&entry).await {
                tracing::error!(error = %e, action = %entry.action, "audit entry could not be written");
            }
        }
        self.audited(
            clerk,
            "CSVの作成を依頼",
            &export,
            format!(
                "{}（{}） 条件[{}]",
                kind.label(),
                encoding.label(),
                export.conditions().described()
            ),
        )
        .await;
        let event = Event::new(EXPORT_REQUESTED, serde_json::json!({ "id": export.id() }));
        if let Err(e) = self.bus.publish(vec![event]).await {
            // Nothing will make it: ended now rather than left 作成中 for a day.
            let reason = "作成を依頼できませんでした。もう一度作成してください。";
            let _ = self
                .exports
                .update_seen(export.id(), |x| {
                    x.fail(reason, self.clock.now()).map_err(DeskError::from)
                })
                .await;
            return Err(DeskError::NotPublished(e));
        }
        Ok(export)
    }

    /// Makes the file of export `id` (the export function's job): rows from the kind's source,
    /// page by page, into the object store, then 完了 with its counts, or 失敗 with the reason
    /// and nothing left in the store. An export no longer 作成中 (a redelivered event) is
    /// answered as it is.
    pub async fn run(&self, id: &str) -> Result<Export, DeskError> {
        let export = self.exports.get(id).await?.ok_or(DeskError::NotFound)?;
        if export.status() != &ExportStatus::Running {
            return Ok(export);
        }
        let outcome = self.write(&export).await;
        let now = self.clock.now();
        let changed = self
            .exports
            .update_seen(id, |x| match &outcome {
                Ok(written) => x.complete(*written, now).map_err(DeskError::from),
                Err(e) => x.fail(failure_words(e), now).map_err(DeskError::from),
            })
            .await;
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, id, kind = export.kind().code(), "export failed");
        }
        match changed {
            Ok(Some((_, after))) => Ok(after),
            Ok(None) => Err(DeskError::NotFound),
            // Another delivery of the event finished it first.
            Err(DeskError::Rule(_)) => self.exports.get(id).await?.ok_or(DeskError::NotFound),
            Err(e) => Err(e),
        }
    }

    async fn write(&self, export: &Export) -> Result<tayori_domain::export::Written, WriteError> {
        let mut source = self.sources.open(export).await?;
        let key = object_key(export)?;
        let mut upload = self
            .objects
            .writer(&key, content_type(export.encoding()))
            .await?;
        match write_csv(source.as_mut(), export.encoding(), upload.as_mut()).await {
            Ok(written) => {
                upload.finish().await?;
                Ok(written)
            }
            Err(e) => {
                if let Err(abort) = upload.abort().await {
                    tracing::warn!(error = %abort, id = export.id(), "failed export not aborted");
                }
                Err(e)
            }
        }
    }

    /// The clerk's exports, newest first.
    pub async fn mine(&self, staff: &StaffAccount) -> Result<Vec<Export>, DeskError> {
        Ok(self
            .exports
            .of_staff(staff.login_id.as_str(), LISTED)
            .await?)
    }

    /// How many of the clerk's files are ready to download: the console's badge.
    pub async fn ready_count(&self, staff: &StaffAccount) -> Result<usize, DeskError> {
        let now = self.clock.now();
        Ok(self
            .mine(staff)
            .await?
            .iter()
            .filter(|e| e.is_ready() && now < e.expires_at())
            .count())
    }

    /// A link of [`DOWNLOAD_LIFE`] that saves the file under its Japanese name, for the
    /// requester or a colleague with the same right to its data; audited.
    pub async fn download_link(&self, clerk: &Clerk<'_>, id: &str) -> Result<String, DeskError> {
        let export = self.exports.get(id).await?.ok_or(DeskError::NotFound)?;
        export.check_reader(clerk.account, self.clock.now())?;
        let key = object_key(&export).map_err(DeskError::Objects)?;
        let url = self
            .objects
            .presign_download(&key, &export.filename(), DOWNLOAD_LIFE)
            .await
            .map_err(DeskError::Objects)?;
        let summary = match export.status() {
            ExportStatus::Ready { rows, .. } => format!("{}（{rows}件）", export.kind().label()),
            _ => export.kind().label().to_owned(),
        };
        self.audited(clerk, "CSVをダウンロード", &export, summary)
            .await;
        Ok(url)
    }

    /// Deletes the files of exports whose time is up and marks them 期限切れ. The file goes
    /// first: if the mark then fails, the next sweep finds the export again.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<Swept, DeskError> {
        let mut swept = Swept::default();
        for id in self.exports.due(now).await? {
            let Some(export) = self.exports.get(&id).await? else {
                continue;
            };
            let key = object_key(&export).map_err(DeskError::Objects)?;
            self.objects
                .delete(&key)
                .await
                .map_err(DeskError::Objects)?;
            let changed = self
                .exports
                .update_seen(&id, |x| {
                    x.expire(now);
                    Ok::<_, RecordError>(())
                })
                .await?;
            if changed.is_some_and(|(before, after)| before.is_live() && !after.is_live()) {
                swept.expired += 1;
            }
        }
        Ok(swept)
    }

    async fn audited(&self, clerk: &Clerk<'_>, action: &str, export: &Export, summary: String) {
        let entry = AuditEntry {
            at: self.clock.now(),
            actor: clerk.account.login_id.as_str().to_owned(),
            ip: ip_words(clerk),
            action: action.into(),
            target: format!("export:{}", export.id()),
            summary,
        };
        if let Err(e) = self.audit.append(&entry).await {
            tracing::error!(error = %e, action, "audit entry could not be written");
        }
    }
}

/// The clerk's address as the audit log writes it.
fn ip_words(clerk: &Clerk<'_>) -> String {
    clerk
        .ip
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "-".into())
}

fn object_key(export: &Export) -> Result<ObjectKey, tayori_ports::ObjectError> {
    ObjectKey::new(export.object_key())
}

/// What staff read on a failed export: the conditions' own words, or a plain request to try
/// again (the cause is in the log, not on the page).
fn failure_words(e: &WriteError) -> String {
    match e {
        WriteError::Source(SourceError::Conditions(words)) => words.clone(),
        _ => "ファイルを作成できませんでした。もう一度作成してください。".into(),
    }
}
