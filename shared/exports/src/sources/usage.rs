//! 利用状況: counts per service for a period, optionally broken down by a registered attribute.
//! One row per service: the whole report is a handful of rows, read at once.

use super::date;
use crate::csv::{RowSource, SourceError};
use async_trait::async_trait;
use tayori_domain::export::ExportConditions;
use tayori_domain::usage::{Programmes, UsageKind, UsageReport, DIMENSIONS};
use tayori_ports::Platform;
use tayori_records::{Settings, UsageEvents};

pub struct UsageRows {
    report: UsageReport,
    programmes: Programmes,
    done: bool,
}

impl UsageRows {
    /// Conditions: `from` and `to` (JST dates, required) and `by` (a breakdown of
    /// [`DIMENSIONS`], or none).
    pub async fn read(
        platform: &Platform,
        conditions: &ExportConditions,
    ) -> Result<Self, SourceError> {
        let (from, to) = (date(conditions, "from")?, date(conditions, "to")?);
        let by = conditions
            .get("by")
            .and_then(|b| DIMENSIONS.iter().find(|(id, _)| *id == b))
            .map(|(id, _)| *id);
        let mut events = Vec::new();
        UsageEvents::new(platform.table.clone())
            .each_between(from, to, |e| events.push(e))
            .await?;
        // The city name only shapes default greetings, which are not read here.
        let programmes = Settings::new(platform.table.clone(), "")
            .programmes()
            .await?;
        Ok(Self {
            report: UsageReport::build(&events, by),
            programmes,
            done: false,
        })
    }
}

#[async_trait]
impl RowSource for UsageRows {
    fn header(&self) -> Vec<String> {
        let mut head = vec!["サービス".to_string()];
        head.extend(self.report.columns.iter().cloned());
        head.push("合計".into());
        head
    }

    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        if std::mem::replace(&mut self.done, true) {
            return Ok(None);
        }
        let report = &self.report;
        let row = |name: String, cell: &dyn Fn(&str) -> Option<u64>, total: u64| {
            let mut row = vec![name];
            // Blank where the kind is not counted by this breakdown (a delivery by 性別).
            row.extend(
                report
                    .columns
                    .iter()
                    .map(|c| cell(c).map_or(String::new(), |n| n.to_string())),
            );
            row.push(total.to_string());
            row
        };
        let services = UsageKind::recorded().map(|kind| {
            row(
                kind.label().to_string(),
                &|c| report.cell(kind, c),
                report.total(kind),
            )
        });
        // 事業 after the services, named so that a sum down the column is not mistaken.
        let programmes = self.programmes.list().iter().map(|p| {
            row(
                format!("事業: {}", p.name()),
                &|c| p.cell(report, c),
                p.total(report),
            )
        });
        Ok(Some(services.chain(programmes).collect()))
    }
}
