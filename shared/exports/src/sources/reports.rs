//! 通報: the reports of the list's filters that the requester may handle (their departments,
//! read with their permissions as they are when the file is made), newest first. The
//! citizen's sealed contact is not in it: a file travels further than a page.

use crate::csv::{RowSource, SourceError};
use async_trait::async_trait;
use chrono::NaiveDate;
use tayori_domain::export::Export;
use tayori_domain::report::{CategoryId, Report, ReportStatus};
use tayori_domain::staff::{LoginId, StaffAccount};
use tayori_domain::time::format_jst;
use tayori_ports::{Cursor, Platform};
use tayori_records::StaffAccounts;
use tayori_reporting::{ReportDesk, ReportFilter};

pub struct ReportRows {
    desk: ReportDesk,
    filter: ReportFilter,
    by: StaffAccount,
    /// `None` after the last page.
    cursor: Option<Option<Cursor>>,
}

impl ReportRows {
    /// Conditions as the list's filter form sends them: `category`, `status`, `district`,
    /// `from`, `to` (JST dates), `department`; an empty one is no filter.
    pub async fn read(platform: &Platform, export: &Export) -> Result<Self, SourceError> {
        let c = export.conditions();
        let text = |name: &str| {
            c.get(name)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let date = |name: &str| match text(name) {
            None => Ok(None),
            Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    SourceError::Conditions("日付は「2026-12-01」の形で入力してください。".into())
                }),
        };
        let filter = ReportFilter {
            category: text("category").and_then(|id| CategoryId::parse(&id).ok()),
            status: text("status").and_then(|s| ReportStatus::from_code(&s)),
            district: text("district"),
            from: date("from")?,
            to: date("to")?,
            department: text("department"),
        };
        let login = LoginId::parse(&export.requested_by().login)
            .map_err(|_| SourceError::Conditions("依頼した職員が見つかりません。".into()))?;
        let by = StaffAccounts::new(platform.table.clone(), platform.cipher.clone())
            .get(&login)
            .await?
            .ok_or_else(|| SourceError::Conditions("依頼した職員が見つかりません。".into()))?;
        Ok(Self {
            desk: ReportDesk::new(platform),
            filter,
            by,
            cursor: Some(None),
        })
    }

    /// The receipt number of the report this one duplicates (its id if it is gone).
    async fn receipt_of(&self, id: &str) -> String {
        match self.desk.get(id).await {
            Ok(original) => original.receipt().to_string(),
            Err(_) => id.to_owned(),
        }
    }
}

#[async_trait]
impl RowSource for ReportRows {
    fn header(&self) -> Vec<String> {
        [
            "受付番号",
            "受付日時",
            "種類",
            "担当課",
            "緊急",
            "状況",
            "地区",
            "緯度",
            "経度",
            "場所",
            "内容",
            "写真枚数",
            "担当者",
            "重複元",
            "受付経路",
            "最終更新",
        ]
        .map(String::from)
        .to_vec()
    }

    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        let Some(cursor) = self.cursor.take() else {
            return Ok(None);
        };
        let (reports, next) = self
            .desk
            .list_page(&self.filter, &self.by, cursor)
            .await
            .map_err(|e| SourceError::Read(e.to_string()))?;
        self.cursor = next.map(Some);
        let mut rows = Vec::with_capacity(reports.len());
        for r in &reports {
            let original = match r.duplicate_of() {
                Some(id) => self.receipt_of(id).await,
                None => String::new(),
            };
            rows.push(row(r, original));
        }
        Ok(Some(rows))
    }
}

fn row(r: &Report, original: String) -> Vec<String> {
    let p = r.position();
    vec![
        r.receipt().to_string(),
        format_jst(r.filed_at()),
        r.category().name.clone(),
        r.category().department.clone(),
        if r.category().urgent { "緊急" } else { "" }.to_string(),
        r.status().label().to_string(),
        r.district().unwrap_or("未設定").to_string(),
        format!("{:.6}", p.lat()),
        format!("{:.6}", p.lng()),
        r.place_note().unwrap_or("").to_string(),
        r.details().to_string(),
        r.photos().len().to_string(),
        r.assignee().map_or(String::new(), |a| a.name.clone()),
        original,
        r.channel().label().to_string(),
        format_jst(r.updated_at()),
    ]
}
