//! 配信ログ: the deliveries created in a period (JST dates), filtered as the log page filters
//! them (status, kind, words), newest first.

use crate::csv::{RowSource, SourceError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tayori_domain::delivery::log::LogFilter;
use tayori_domain::delivery::{DeliveryKind, DeliveryStatus};
use tayori_domain::export::Export;
use tayori_domain::segment::SegmentItems;
use tayori_domain::time::{format_jst, to_jst};
use tayori_ports::{Cursor, Platform};
use tayori_records::{Deliveries, SegmentItemsRecord};

pub struct DeliveryRows {
    deliveries: Deliveries,
    items: SegmentItems,
    filter: LogFilter,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    /// `None` after the last page.
    cursor: Option<Option<Cursor>>,
}

impl DeliveryRows {
    /// Conditions as the log's filter form sends them: `from`, `to` (an empty one is no
    /// bound, a missing `from` the page's default period as of the day it was asked),
    /// `status`, `kind`, `q`.
    pub async fn read(platform: &Platform, export: &Export) -> Result<Self, SourceError> {
        let c = export.conditions();
        let asked_on = to_jst(export.requested_at()).date_naive();
        let (from, to) = LogFilter::period(c.get("from"), c.get("to"), asked_on)
            .map_err(|e| SourceError::Conditions(e.to_string()))?;
        let filter = LogFilter {
            from,
            to,
            // A value the form does not offer is no filter.
            status: c.get("status").and_then(DeliveryStatus::from_code),
            kind: c.get("kind").and_then(DeliveryKind::from_code),
            search: c.get("q").unwrap_or_default().trim().to_string(),
        };
        let (from, until) = filter.created_between();
        Ok(Self {
            deliveries: Deliveries::new(platform.table.clone()),
            items: SegmentItemsRecord::new(platform.table.clone())
                .get()
                .await?,
            filter,
            from,
            until,
            cursor: Some(None),
        })
    }
}

#[async_trait]
impl RowSource for DeliveryRows {
    fn header(&self) -> Vec<String> {
        [
            "配信ID",
            "作成日時",
            "タイトル",
            "分類",
            "種類",
            "対象",
            "状態",
            "配信開始",
            "配信終了",
            "対象数",
            "成功",
            "失敗",
            "未送信",
            "LINEのエラー",
            "作成者",
            "承認者",
            "送信者",
        ]
        .map(String::from)
        .to_vec()
    }

    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        let Some(cursor) = self.cursor.take() else {
            return Ok(None);
        };
        let (page, next) = self
            .deliveries
            .created_between(self.from, self.until, cursor)
            .await?;
        self.cursor = next.map(Some);
        let time = |t: Option<DateTime<Utc>>| t.map(format_jst).unwrap_or_default();
        Ok(Some(
            page.iter()
                .filter(|d| self.filter.matches(d))
                .map(|d| {
                    vec![
                        d.id().to_owned(),
                        format_jst(d.created().at),
                        d.title().to_owned(),
                        d.category().to_owned(),
                        d.kind().label().to_owned(),
                        d.described_target(&self.items),
                        d.status().label().to_owned(),
                        time(d.started_at()),
                        time(d.finished_at()),
                        d.totals().recipients.to_string(),
                        d.totals().succeeded.to_string(),
                        d.totals().failed.to_string(),
                        d.totals().not_sent.to_string(),
                        d.errors().join(" / "),
                        d.created().by.clone(),
                        d.approved().map_or(String::new(), |s| s.by.clone()),
                        d.released().map_or(String::new(), |s| s.by.clone()),
                    ]
                })
                .collect(),
        ))
    }
}
