//! 操作ログ: one JST month of staff actions, newest first, optionally narrowed by words that
//! appear in the actor, action, target or summary (the page's filter).

use crate::csv::{RowSource, SourceError};
use async_trait::async_trait;
use tayori_domain::export::ExportConditions;
use tayori_domain::time::format_jst;
use tayori_ports::{Cursor, Platform};
use tayori_records::{AuditEntry, AuditLog};

const PAGE: usize = 500;

pub struct AuditRows {
    log: AuditLog,
    year: i32,
    month: u32,
    search: String,
    /// `None` after the last page.
    cursor: Option<Option<Cursor>>,
}

impl AuditRows {
    /// Conditions: `month` (`2026-11`, required) and `q`.
    pub fn new(platform: &Platform, conditions: &ExportConditions) -> Result<Self, SourceError> {
        let (year, month) = conditions
            .get("month")
            .and_then(parse_month)
            .ok_or_else(|| SourceError::Conditions("月が読み取れません。".into()))?;
        Ok(Self {
            log: AuditLog::new(platform.table.clone()),
            year,
            month,
            search: conditions.get("q").unwrap_or_default().to_owned(),
            cursor: Some(None),
        })
    }
}

/// `2026-11` as (2026, 11).
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (y, m) = text.split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// Whether an entry mentions `q` (every entry when `q` is empty): the page's filter too.
pub fn mentions(entry: &AuditEntry, q: &str) -> bool {
    q.is_empty()
        || entry.actor.contains(q)
        || entry.action.contains(q)
        || entry.target.contains(q)
        || entry.summary.contains(q)
}

#[async_trait]
impl RowSource for AuditRows {
    fn header(&self) -> Vec<String> {
        ["日時", "職員", "IPアドレス", "操作", "対象", "内容"]
            .map(String::from)
            .to_vec()
    }

    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        let Some(cursor) = self.cursor.take() else {
            return Ok(None);
        };
        let (entries, next) = self.log.month(self.year, self.month, cursor, PAGE).await?;
        self.cursor = next.map(Some);
        Ok(Some(
            entries
                .into_iter()
                .filter(|e| mentions(e, &self.search))
                .map(|e| {
                    vec![
                        format_jst(e.at),
                        e.actor,
                        e.ip,
                        e.action,
                        e.target,
                        e.summary,
                    ]
                })
                .collect(),
        ))
    }
}
