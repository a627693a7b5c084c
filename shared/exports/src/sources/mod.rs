//! Each kind's rows: the one place a console CSV's columns are decided. A source reads its
//! conditions with the fields the page's filter sends (`month`, `from`, `to` …) and pages
//! through the records as the page does.

mod audit;
mod deliveries;
mod faqs;
mod forms;
mod reports;
mod usage;

pub use audit::{mentions, parse_month, AuditRows};
pub use deliveries::DeliveryRows;
pub use faqs::FaqRows;
pub use forms::{answer_filter, personal_values, FormAnswerRows, PERSONAL};
pub use reports::ReportRows;
pub use usage::UsageRows;

use crate::csv::{RowSource, SourceError};
use crate::desk::Sources;
use async_trait::async_trait;
use chrono::NaiveDate;
use tayori_domain::export::{Export, ExportConditions, ExportKind};
use tayori_ports::Platform;
use tayori_records::RecordError;

/// The sources of every kind, over the city's records.
pub struct CitySources {
    platform: Platform,
}

impl CitySources {
    pub fn new(platform: &Platform) -> Self {
        Self {
            platform: platform.clone(),
        }
    }
}

#[async_trait]
impl Sources for CitySources {
    async fn open(&self, export: &Export) -> Result<Box<dyn RowSource>, SourceError> {
        let conditions = export.conditions();
        Ok(match export.kind() {
            ExportKind::AuditLog => Box::new(AuditRows::new(&self.platform, conditions)?),
            ExportKind::Usage => Box::new(UsageRows::read(&self.platform, conditions).await?),
            ExportKind::DeliveryLog => Box::new(DeliveryRows::read(&self.platform, export).await?),
            ExportKind::Reports => Box::new(ReportRows::read(&self.platform, export).await?),
            ExportKind::FormAnswers => {
                Box::new(FormAnswerRows::read(&self.platform, export).await?)
            }
            ExportKind::Faqs => Box::new(FaqRows::read(&self.platform).await?),
        })
    }
}

impl From<RecordError> for SourceError {
    fn from(e: RecordError) -> Self {
        SourceError::Read(e.to_string())
    }
}

/// A `YYYY-MM-DD` field the page sent.
fn date(conditions: &ExportConditions, name: &str) -> Result<NaiveDate, SourceError> {
    conditions
        .get(name)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| SourceError::Conditions(format!("期間（{name}）が読み取れません。")))
}
