//! Finding a report by the number the citizen reads out (受付番号), for staff who mark one
//! report a duplicate of another: they know the original by its receipt, not its id.

use super::{DeskError, ReportDesk};
use chrono::{NaiveDate, NaiveTime, Utc};
use tayori_domain::report::Report;
use tayori_domain::time::jst;

impl ReportDesk {
    /// The report with receipt number `receipt` (`2612-0007`), if any. The number names its JST
    /// month, so only that month's filings are read.
    pub async fn find_by_receipt(&self, receipt: &str) -> Result<Option<Report>, DeskError> {
        let receipt = receipt.trim();
        let Some((from, until)) = month_of(receipt) else {
            return Ok(None);
        };
        let mut found = None;
        self.reports
            .each_filed_between(Some(from), Some(until), |r| {
                if r.receipt() == receipt {
                    found = Some(r);
                }
            })
            .await?;
        Ok(found)
    }
}

/// The UTC bounds of the JST month a receipt number (`YYMM-NNNN`) names.
fn month_of(receipt: &str) -> Option<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    let (month, sequence) = receipt.split_once('-')?;
    if month.len() != 4 || sequence.is_empty() || !sequence.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = 2000 + month[..2].parse::<i32>().ok()?;
    let month: u32 = month[2..].parse().ok()?;
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let start = |d: NaiveDate| {
        d.and_time(NaiveTime::MIN)
            .and_local_timezone(jst())
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((start(first)?, start(next)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_names_its_japanese_month() {
        let (from, until) = month_of("2612-0007").unwrap();
        assert_eq!(from.to_rfc3339(), "2026-11-30T15:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2026-12-31T15:00:00+00:00");
        for bad in [
            "",
            "2612",
            "26-0007",
            "2613-0001",
            "2612-",
            "2612-00a7",
            "abcd-0001",
        ] {
            assert_eq!(month_of(bad), None, "{bad}");
        }
    }
}
