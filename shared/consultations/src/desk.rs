//! The consultation desk (相談窓口): every use case on consultations. Every change staff make, and
//! every read of a conversation, is written to the audit log (操作ログ) here, so no page can
//! forget it.

mod citizen;
mod error;
mod handling;
mod setup;

pub use citizen::{Received, Started};
pub use error::ConsultationDeskError;
pub use handling::{Conversation, InboxRow, Quota, IMAGE_LINK_LIFE};

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_line::LineClient;
use tayori_ports::{Clock, ObjectStore, Platform};
use tayori_records::consultations::Consultations;
use tayori_records::{AuditEntry, AuditLog, StaffAccounts, UsageEvents};

/// The staff member acting, and where from: what the audit log records beside each change.
#[derive(Clone, Copy, Debug)]
pub struct Clerk<'a> {
    pub account: &'a StaffAccount,
    /// The request's address, or `-` when there is none.
    pub ip: &'a str,
}

pub struct ConsultationDesk {
    records: Consultations,
    staff: StaffAccounts,
    audit: AuditLog,
    line: Arc<LineClient>,
    clock: Arc<dyn Clock>,
    /// The citizens' images, shown through short-lived links.
    objects: Arc<dyn ObjectStore>,
    usage: UsageEvents,
}

fn target(id: &str) -> String {
    format!("consultation:{id}")
}

impl ConsultationDesk {
    pub fn new(platform: &Platform, line: Arc<LineClient>) -> Self {
        Self {
            records: Consultations::new(platform),
            staff: StaffAccounts::new(platform.table.clone(), platform.cipher.clone()),
            audit: AuditLog::new(platform.table.clone()),
            line,
            clock: platform.clock.clone(),
            objects: platform.objects.clone(),
            usage: UsageEvents::new(platform.table.clone()),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Refuses a clerk without 相談対応 before anything is read.
    fn check_permission(clerk: Clerk<'_>) -> Result<(), ConsultationDeskError> {
        if clerk.account.may(Permission::Consultations) {
            Ok(())
        } else {
            Err(tayori_domain::consultation::ConsultationError::NoPermission.into())
        }
    }

    async fn record(
        &self,
        clerk: Clerk<'_>,
        action: &str,
        target: String,
        summary: String,
    ) -> Result<(), ConsultationDeskError> {
        let entry = AuditEntry {
            at: self.now(),
            actor: clerk.account.login_id.to_string(),
            ip: clerk.ip.to_string(),
            action: action.into(),
            target,
            summary,
        };
        Ok(self.audit.append(&entry).await?)
    }
}
