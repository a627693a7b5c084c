//! The FAQ desk (FAQ管理): every use case on the FAQ, over the records and the audit log.
//!
//! | file | holds |
//! |---|---|
//! | `desk.rs` | `FaqDesk`: staff's list, write, delete, picture, synonyms, unresolved questions |
//! | `desk/chat.rs` | the chat's side: the published FAQ built once per version, answers and feedback counted |
//! | `desk/table.rs` | the staff's CSV: the columns, import (all rows checked before any is saved) and export rows |
//! | `desk/error.rs` | `FaqDeskError` |
//!
//! Staff need FAQ管理 (`Permission::Faq`); it is checked here, so no page can forget it, and
//! every change is written to the audit log (操作ログ) here.

mod chat;
mod error;
mod table;

pub use chat::{ChatFaq, QUESTION_KEY_CHARS};
pub use error::{FaqDeskError, RowProblem};
pub use table::{export_rows, Imported, COLUMNS};

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use tayori_domain::faq::{Faq, FaqDraft, FaqId, FaqImage, SynonymGroups};
use tayori_domain::staff::Permission;
use tayori_ports::{Clock, Platform};
use tayori_records::audit::Clerk;
use tayori_records::faqs::{FaqStats, OpenQuestion};
use tayori_records::{AuditLog, Faqs, UsageEvents};

/// An FAQ in the console's list, with how it fared in the chat.
#[derive(Clone, Debug, PartialEq)]
pub struct FaqListing {
    pub faq: Faq,
    pub stats: FaqStats,
}

pub struct FaqDesk {
    faqs: Faqs,
    audit: AuditLog,
    usage: UsageEvents,
    clock: Arc<dyn Clock>,
    /// The chat's index, kept until the stored version moves on.
    built: Mutex<Option<Arc<ChatFaq>>>,
}

impl FaqDesk {
    pub fn new(platform: &Platform) -> Self {
        Self {
            faqs: Faqs::new(platform.table.clone()),
            audit: AuditLog::new(platform.table.clone()),
            usage: UsageEvents::new(platform.table.clone()),
            clock: platform.clock.clone(),
            built: Mutex::new(None),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn allowed(clerk: Clerk<'_>) -> Result<(), FaqDeskError> {
        if clerk.account.may(Permission::Faq) {
            Ok(())
        } else {
            Err(FaqDeskError::NotAllowed)
        }
    }

    async fn record(
        &self,
        clerk: Clerk<'_>,
        action: &str,
        target: String,
        summary: String,
    ) -> Result<(), FaqDeskError> {
        let entry = clerk.entry(self.now(), action, target, summary);
        Ok(self.audit.append(&entry).await?)
    }

    /// Every FAQ with its stats, by category then question.
    pub async fn list(&self, clerk: Clerk<'_>) -> Result<Vec<FaqListing>, FaqDeskError> {
        Self::allowed(clerk)?;
        let stats: std::collections::HashMap<FaqId, FaqStats> =
            self.faqs.all_stats().await?.into_iter().collect();
        let mut all: Vec<FaqListing> = self
            .faqs
            .all()
            .await?
            .into_iter()
            .map(|faq| FaqListing {
                stats: stats.get(faq.id()).copied().unwrap_or_default(),
                faq,
            })
            .collect();
        all.sort_by(|a, b| {
            (a.faq.category(), a.faq.question()).cmp(&(b.faq.category(), b.faq.question()))
        });
        Ok(all)
    }

    pub async fn get(&self, clerk: Clerk<'_>, id: &FaqId) -> Result<Faq, FaqDeskError> {
        Self::allowed(clerk)?;
        self.faqs.get(id).await?.ok_or(FaqDeskError::NotFound)
    }

    pub async fn stats(&self, clerk: Clerk<'_>, id: &FaqId) -> Result<FaqStats, FaqDeskError> {
        Self::allowed(clerk)?;
        Ok(self.faqs.stats(id).await?)
    }

    pub async fn create(&self, clerk: Clerk<'_>, draft: &FaqDraft) -> Result<Faq, FaqDeskError> {
        Self::allowed(clerk)?;
        let id = FaqId::parse(&format!(
            "faq-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        ))?;
        let faq = Faq::new(id, draft, &clerk.account.login_id.to_string(), self.now())?;
        self.faqs.save(std::slice::from_ref(&faq)).await?;
        let summary = format!("{}（{}）", faq.question(), published_label(&faq));
        self.record(clerk, "FAQを作成", target(faq.id()), summary)
            .await?;
        Ok(faq)
    }

    pub async fn edit(
        &self,
        clerk: Clerk<'_>,
        id: &FaqId,
        draft: &FaqDraft,
    ) -> Result<Faq, FaqDeskError> {
        let before = self.get(clerk, id).await?;
        let after = before.edited(draft, &clerk.account.login_id.to_string(), self.now())?;
        self.faqs.save(std::slice::from_ref(&after)).await?;
        let summary = changes(&before, &after);
        self.record(clerk, "FAQを変更", target(id), summary).await?;
        Ok(after)
    }

    /// Sets or removes the picture sent after the answer; answers the picture it replaced, for
    /// the caller to delete from the media folder.
    pub async fn set_image(
        &self,
        clerk: Clerk<'_>,
        id: &FaqId,
        image: Option<FaqImage>,
    ) -> Result<Option<FaqImage>, FaqDeskError> {
        let before = self.get(clerk, id).await?;
        let removed = image.is_none();
        let after = before.with_image(image, &clerk.account.login_id.to_string(), self.now());
        self.faqs.save(std::slice::from_ref(&after)).await?;
        let action = if removed {
            "FAQの画像を削除"
        } else {
            "FAQの画像を変更"
        };
        self.record(clerk, action, target(id), before.question().to_owned())
            .await?;
        Ok(before.image().cloned())
    }

    pub async fn delete(&self, clerk: Clerk<'_>, id: &FaqId) -> Result<Faq, FaqDeskError> {
        let faq = self.get(clerk, id).await?;
        self.faqs.delete(id).await?;
        self.record(clerk, "FAQを削除", target(id), faq.question().to_owned())
            .await?;
        Ok(faq)
    }

    pub async fn synonyms(&self, clerk: Clerk<'_>) -> Result<SynonymGroups, FaqDeskError> {
        Self::allowed(clerk)?;
        Ok(self.faqs.synonyms().await?)
    }

    pub async fn save_synonyms(
        &self,
        clerk: Clerk<'_>,
        text: &str,
    ) -> Result<SynonymGroups, FaqDeskError> {
        Self::allowed(clerk)?;
        let groups = SynonymGroups::parse(text)?;
        self.faqs.save_synonyms(&groups).await?;
        let summary = format!("{}組", groups.groups().len());
        self.record(clerk, "FAQの同義語を変更", "faq:synonyms".into(), summary)
            .await?;
        Ok(groups)
    }

    /// Imports staff's CSV ([`COLUMNS`]): a row with an ID replaces that FAQ (or creates it
    /// with that ID), a row without one creates a new FAQ. Every row is checked first; if any
    /// is refused, nothing is saved and every refusal is listed with its line.
    pub async fn import(&self, clerk: Clerk<'_>, bytes: &[u8]) -> Result<Imported, FaqDeskError> {
        Self::allowed(clerk)?;
        let by = clerk.account.login_id.to_string();
        let now = self.now();
        let existing: std::collections::HashSet<FaqId> = self
            .faqs
            .all()
            .await?
            .into_iter()
            .map(|f| f.id().clone())
            .collect();
        let faqs = table::parse(bytes, &by, now)?;
        let imported = Imported {
            created: faqs.iter().filter(|f| !existing.contains(f.id())).count(),
            updated: faqs.iter().filter(|f| existing.contains(f.id())).count(),
        };
        self.faqs.save(&faqs).await?;
        let summary = format!("新規{}件、更新{}件", imported.created, imported.updated);
        self.record(clerk, "FAQをCSVで取り込み", "faq:import".into(), summary)
            .await?;
        Ok(imported)
    }

    /// Every FAQ as rows of staff's CSV (the export function writes them).
    pub async fn rows(&self) -> Result<Vec<Vec<String>>, FaqDeskError> {
        let mut all = self.faqs.all().await?;
        all.sort_by(|a, b| (a.category(), a.id()).cmp(&(b.category(), b.id())));
        Ok(export_rows(&all))
    }

    /// The questions the chat could not resolve, most recent first.
    pub async fn open_questions(
        &self,
        clerk: Clerk<'_>,
    ) -> Result<Vec<OpenQuestion>, FaqDeskError> {
        Self::allowed(clerk)?;
        Ok(self.faqs.open_questions().await?)
    }

    pub async fn open_question(
        &self,
        clerk: Clerk<'_>,
        key: &str,
    ) -> Result<OpenQuestion, FaqDeskError> {
        Self::allowed(clerk)?;
        self.faqs
            .open_question(key)
            .await?
            .ok_or(FaqDeskError::NotFound)
    }

    /// Takes a question off the list (answered by an FAQ now, or nothing to do).
    pub async fn close_question(&self, clerk: Clerk<'_>, key: &str) -> Result<(), FaqDeskError> {
        let question = self.open_question(clerk, key).await?;
        self.faqs.close_question(key).await?;
        let summary = format!("{}（{}件）", question.text, question.count);
        self.record(
            clerk,
            "未解決の質問を対応済みに",
            format!("faq-question:{key}"),
            summary,
        )
        .await
    }
}

fn target(id: &FaqId) -> String {
    format!("faq:{id}")
}

fn published_label(faq: &Faq) -> &'static str {
    if faq.is_published() {
        "公開"
    } else {
        "非公開"
    }
}

/// What an edit changed, in a line for the audit log.
fn changes(before: &Faq, after: &Faq) -> String {
    let mut changed = Vec::new();
    if before.question() != after.question() {
        changed.push(format!(
            "質問「{}」→「{}」",
            before.question(),
            after.question()
        ));
    }
    if before.phrasings() != after.phrasings() {
        changed.push("言い換え".to_owned());
    }
    if before.answer() != after.answer() {
        changed.push("回答".to_owned());
    }
    if before.link() != after.link() {
        changed.push("リンク".to_owned());
    }
    if before.category() != after.category() || before.department() != after.department() {
        changed.push("分類・担当課".to_owned());
    }
    if before.is_published() != after.is_published() {
        changed.push(published_label(after).to_owned());
    }
    if changed.is_empty() {
        format!("{}（変更なし）", after.question())
    } else {
        format!("{}: {}", after.question(), changed.join("、"))
    }
}
