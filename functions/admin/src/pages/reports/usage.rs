//! The usage report's 通報 section: the reports filed in the period, by category and by
//! district, each counted by status. Read from the report desk (one pass over the period).

use crate::AdminState;
use chrono::{NaiveDate, NaiveTime, Utc};
use maud::{html, Markup};
use std::collections::BTreeMap;
use tayori_domain::report::ReportStatus;
use tayori_domain::time::jst;

/// Counts by a row label (category or district) and status, in first-seen row order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ByStatus {
    rows: Vec<String>,
    counts: BTreeMap<(String, ReportStatus), u64>,
}

impl ByStatus {
    fn add(&mut self, row: &str, status: ReportStatus) {
        if !self.rows.iter().any(|r| r == row) {
            self.rows.push(row.to_string());
        }
        *self.counts.entry((row.to_string(), status)).or_default() += 1;
    }

    pub fn count(&self, row: &str, status: ReportStatus) -> u64 {
        self.counts
            .get(&(row.to_string(), status))
            .copied()
            .unwrap_or(0)
    }

    pub fn total(&self, row: &str) -> u64 {
        ReportStatus::ALL.iter().map(|s| self.count(row, *s)).sum()
    }

    fn table(&self, id: &str, caption: &str, head: &str) -> Markup {
        html! {
            table id=(id) {
                caption { (caption) }
                thead { tr { th { (head) } @for s in ReportStatus::ALL { th.num { (s.label()) } } th.num { "合計" } } }
                tbody {
                    @for row in &self.rows {
                        tr { th { (row) } @for s in ReportStatus::ALL { td.num { (self.count(row, s)) } } td.num { (self.total(row)) } }
                    }
                }
            }
        }
    }
}

fn start(day: NaiveDate) -> chrono::DateTime<Utc> {
    day.and_time(NaiveTime::MIN)
        .and_local_timezone(jst())
        .single()
        .expect("a fixed offset has one local time")
        .with_timezone(&Utc)
}

/// The reports filed on the JST days `from..=to`, by category and by district.
pub async fn counted(
    state: &AdminState,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(ByStatus, ByStatus), tayori_reporting::DeskError> {
    let (mut by_category, mut by_district) = (ByStatus::default(), ByStatus::default());
    let until = to.succ_opt().map(start);
    state
        .reports
        .each_filed_between(Some(start(from)), until, |r| {
            by_category.add(&r.category().name, r.status());
            by_district.add(super::district_words(r.district()), r.status());
        })
        .await?;
    by_district.rows.sort();
    Ok((by_category, by_district))
}

/// The section under the usage table.
pub fn section(by_category: &ByStatus, by_district: &ByStatus) -> Markup {
    html! {
        h2 #usage-reports { "通報（種類別・地区別の対応状況）" }
        @if by_category.rows.is_empty() {
            p { "この期間に受け付けた通報はありません。" }
        } @else {
            (by_category.table("usage-reports-category", "種類別", "種類"))
            (by_district.table("usage-reports-district", "地区別（通報した市民の登録地区）", "地区"))
        }
    }
}
