//! The audit log (操作ログ, 仕様書 6.2.1.6 / 9.1.4): every staff action, appended, never edited.
//! Entries are kept in monthly partitions (JST) in time order, so a month's log is one query.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::time::to_jst;
use tayori_ports::{Condition, Cursor, Item, KeyRange, Query, TableStore};

const RETENTION_SK: &str = "AUDITRETENTION";
/// Kept five years unless the city sets otherwise (公文書の保存期間 for such records).
pub const DEFAULT_RETENTION_DAYS: i64 = 5 * 365;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// The staff member's login id (or `-` before sign-in, e.g. a failed attempt).
    pub actor: String,
    pub ip: String,
    /// What was done, in Japanese, e.g. 「職員アカウントを作成」.
    pub action: String,
    /// What it was done to, e.g. `staff:tanaka`.
    pub target: String,
    /// Before/after in a line or two; never passwords or citizens' personal data.
    pub summary: String,
}

/// The staff member acting, and where from: what a desk records beside each change.
#[derive(Clone, Copy, Debug)]
pub struct Clerk<'a> {
    pub account: &'a tayori_domain::staff::StaffAccount,
    /// The request's address, or `-` when there is none.
    pub ip: &'a str,
}

impl Clerk<'_> {
    /// The audit entry of what this clerk did at `at`.
    pub fn entry(
        &self,
        at: DateTime<Utc>,
        action: &str,
        target: String,
        summary: String,
    ) -> AuditEntry {
        AuditEntry {
            at,
            actor: self.account.login_id.to_string(),
            ip: self.ip.to_string(),
            action: action.to_owned(),
            target,
            summary,
        }
    }
}

fn month_pk(at: DateTime<Utc>) -> String {
    let jst = to_jst(at);
    format!("AUDIT#{:04}-{:02}", jst.year(), jst.month())
}

#[derive(Clone)]
pub struct AuditLog {
    table: Arc<dyn TableStore>,
}

impl AuditLog {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn append(&self, entry: &AuditEntry) -> Result<(), RecordError> {
        let days = self.retention_days().await?;
        // The id keeps two entries of the same instant apart and sorts by time.
        let sk = format!(
            "{}#{}",
            entry.at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
            uuid::Uuid::new_v4()
        );
        let item = Item::new(month_pk(entry.at), sk, encode(entry))
            .expiring_at((entry.at + Duration::days(days)).timestamp());
        self.table.put(item, Condition::IfAbsent).await?;
        Ok(())
    }

    /// A page of one JST month's entries, newest first.
    pub async fn month(
        &self,
        year: i32,
        month: u32,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<(Vec<AuditEntry>, Option<Cursor>), RecordError> {
        let query = Query::partition(format!("AUDIT#{year:04}-{month:02}"))
            .range(KeyRange::All)
            .descending()
            .limit(limit)
            .after(after);
        let page = self.table.query(query).await?;
        let entries = page.items.iter().map(decode).collect::<Result<_, _>>()?;
        Ok((entries, page.cursor))
    }

    pub async fn retention_days(&self) -> Result<i64, RecordError> {
        Ok(match self.table.get("SETTINGS", RETENTION_SK).await? {
            Some(item) => item.body["days"].as_i64().unwrap_or(DEFAULT_RETENTION_DAYS),
            None => DEFAULT_RETENTION_DAYS,
        })
    }

    /// Applies to entries written from now on; older ones keep the period they were written with.
    pub async fn set_retention_days(&self, days: i64) -> Result<(), RecordError> {
        let item = Item::new(
            "SETTINGS",
            RETENTION_SK,
            serde_json::json!({ "days": days }),
        );
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }
}
