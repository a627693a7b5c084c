//! The staff's side: the list (scoped to the departments an account covers), the possible
//! duplicates, and every change, each one conditional write of the domain's rule. A change the
//! citizen must hear of is published on the bus ([`crate::REPORT_STATUS_CHANGED`]).

use super::{Change, DeskError, ReportDesk};
use crate::{ReportStatusChanged, REPORT_STATUS_CHANGED};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use tayori_domain::report::{
    possible_duplicates, CategoryId, Report, ReportError, ReportStatus, DUPLICATE_WINDOW_DAYS,
};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_domain::time::jst;
use tayori_ports::{Cursor, Event};

/// What the staff list is narrowed to; every field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportFilter {
    pub category: Option<CategoryId>,
    pub status: Option<ReportStatus>,
    /// A 居住地区 choice key.
    pub district: Option<String>,
    /// Filed on or after this JST date.
    pub from: Option<NaiveDate>,
    /// Filed on or before this JST date.
    pub to: Option<NaiveDate>,
    /// One department (課); the account's scope applies anyway.
    pub department: Option<String>,
}

/// The start of a JST day, as UTC.
fn jst_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN)
        .and_local_timezone(jst())
        .single()
        .expect("a fixed offset has one local time")
        .with_timezone(&Utc)
}

impl ReportFilter {
    fn admits(&self, report: &Report) -> bool {
        let c = report.category();
        self.category.as_ref().is_none_or(|id| &c.id == id)
            && self.status.is_none_or(|s| report.status() == s)
            && self
                .district
                .as_deref()
                .is_none_or(|d| report.district() == Some(d))
            && self.department.as_deref().is_none_or(|d| c.department == d)
    }
}

impl ReportDesk {
    /// The reports `by` may handle that `filter` admits: urgent open ones first (a bear
    /// sighting must not sink under last week's potholes), then newest first.
    pub async fn list(
        &self,
        filter: &ReportFilter,
        by: &StaffAccount,
    ) -> Result<Vec<Report>, DeskError> {
        if !by.may(Permission::ReportsHandle) {
            return Err(ReportError::NoPermission.into());
        }
        let from = filter.from.map(jst_midnight);
        let until = filter.to.and_then(|d| d.succ_opt()).map(jst_midnight);
        let mut found = Vec::new();
        self.reports
            .each_filed_between(from, until, |r| {
                if filter.admits(&r)
                    && by.may_in(Permission::ReportsHandle, &r.category().department)
                {
                    found.push(r);
                }
            })
            .await?;
        // Stable: each group stays newest first.
        found.sort_by_key(|r| !r.is_urgent_and_open());
        Ok(found)
    }

    /// One page of the reports `by` may handle that `filter` admits, newest first (no urgent
    /// ones first: a file is sorted by whoever opens it), with the cursor of the next page: an
    /// export writes each page before it reads the next. A page may be empty while more follow.
    pub async fn list_page(
        &self,
        filter: &ReportFilter,
        by: &StaffAccount,
        after: Option<Cursor>,
    ) -> Result<(Vec<Report>, Option<Cursor>), DeskError> {
        if !by.may(Permission::ReportsHandle) {
            return Err(ReportError::NoPermission.into());
        }
        let from = filter.from.map(jst_midnight);
        let until = filter.to.and_then(|d| d.succ_opt()).map(jst_midnight);
        let (reports, next) = self.reports.filed_between(from, until, after).await?;
        let found = reports
            .into_iter()
            .filter(|r| {
                filter.admits(r) && by.may_in(Permission::ReportsHandle, &r.category().department)
            })
            .collect();
        Ok((found, next))
    }

    /// A report for `by`, who must be able to handle it.
    pub async fn get_for(&self, id: &str, by: &StaffAccount) -> Result<Report, DeskError> {
        let report = self.get(id).await?;
        report.check_handler(by)?;
        Ok(report)
    }

    /// Reports that may be the same as `report` (same category, within 50 m, filed within 7
    /// days of it), nearest first.
    pub async fn possible_duplicates(&self, report: &Report) -> Result<Vec<Report>, DeskError> {
        let window = Duration::days(DUPLICATE_WINDOW_DAYS);
        let mut around = Vec::new();
        self.reports
            .each_filed_between(
                Some(report.filed_at() - window),
                Some(report.filed_at() + window + Duration::milliseconds(1)),
                |r| {
                    if r.category().id == report.category().id {
                        around.push(r)
                    }
                },
            )
            .await?;
        let summaries: Vec<_> = around.iter().map(Report::summary).collect();
        let of = report.summary();
        let ids: Vec<String> = possible_duplicates(&of, &summaries)
            .into_iter()
            .map(|s| s.id.clone())
            .collect();
        Ok(ids
            .iter()
            .filter_map(|id| around.iter().find(|r| r.id() == id).cloned())
            .collect())
    }

    async fn change(
        &self,
        id: &str,
        change: impl Fn(&mut Report) -> Result<(), ReportError>,
    ) -> Result<Change, DeskError> {
        let (before, after) = self
            .reports
            .update_seen(id, |r| change(r).map_err(DeskError::from))
            .await?
            .ok_or(DeskError::NotFound)?;
        let change = Change { before, after };
        // Each status change adds one history entry; publish the new ones the citizen must hear.
        let told: Vec<Event> = (change.before.history().len()..change.after.history().len())
            .filter(|&index| change.after.history()[index].tell_citizen)
            .map(|index| {
                let detail = ReportStatusChanged {
                    report_id: id.to_string(),
                    change_index: index,
                };
                Event::new(
                    REPORT_STATUS_CHANGED,
                    serde_json::to_value(detail).expect("the detail serialises"),
                )
            })
            .collect();
        if !told.is_empty() {
            if let Err(e) = self.bus.publish(told).await {
                return Err(DeskError::NotPublished(Box::new(change), e));
            }
        }
        Ok(change)
    }

    /// Moves the report to `to` with an optional public comment (told to the citizen).
    pub async fn change_status(
        &self,
        id: &str,
        to: ReportStatus,
        public_comment: Option<&str>,
        by: &StaffAccount,
    ) -> Result<Change, DeskError> {
        let now = self.now();
        self.change(id, |r| {
            r.change_status(to, public_comment, by, now).map(|_| ())
        })
        .await
    }

    /// Marks the report a duplicate of `original` (an existing report's id).
    pub async fn mark_duplicate(
        &self,
        id: &str,
        original: &str,
        public_comment: Option<&str>,
        by: &StaffAccount,
    ) -> Result<Change, DeskError> {
        if original != id && self.reports.get(original).await?.is_none() {
            return Err(DeskError::OriginalNotFound);
        }
        let now = self.now();
        self.change(id, |r| {
            r.mark_duplicate(original, public_comment, by, now)
                .map(|_| ())
        })
        .await
    }

    /// Gives the report to `to`, or takes it back (`None`).
    pub async fn assign(
        &self,
        id: &str,
        to: Option<&StaffAccount>,
        by: &StaffAccount,
    ) -> Result<Change, DeskError> {
        let now = self.now();
        self.change(id, |r| r.assign(to, by, now)).await
    }

    pub async fn add_note(
        &self,
        id: &str,
        text: &str,
        by: &StaffAccount,
    ) -> Result<Change, DeskError> {
        let now = self.now();
        self.change(id, |r| r.add_note(text, by, now)).await
    }

    pub async fn set_district(
        &self,
        id: &str,
        district: Option<String>,
        by: &StaffAccount,
    ) -> Result<Change, DeskError> {
        let now = self.now();
        self.change(id, |r| r.set_district(district.clone(), by, now))
            .await
    }

    /// Records the delivery draft made from a verified sighting.
    pub async fn link_alert(
        &self,
        id: &str,
        delivery_id: &str,
        by: &StaffAccount,
    ) -> Result<Change, DeskError> {
        let now = self.now();
        self.change(id, |r| r.link_alert(delivery_id, by, now))
            .await
    }

    /// The push for history entry `index` went out; `false` when it already had (a
    /// redelivered event), so the handler pushes once.
    pub async fn record_told(&self, id: &str, index: usize) -> Result<bool, DeskError> {
        let now = self.now();
        let changed = self
            .reports
            .update_seen(id, |r| {
                r.record_told(index, now)
                    .map(|_| ())
                    .map_err(DeskError::from)
            })
            .await?
            .ok_or(DeskError::NotFound)?;
        Ok(changed.0.history()[index].told_at.is_none())
    }

    /// The push for history entry `index` was not sent: the citizen had blocked the account.
    /// `false` when the entry was already settled.
    pub async fn record_not_sent(&self, id: &str, index: usize) -> Result<bool, DeskError> {
        let now = self.now();
        let (before, _) = self
            .reports
            .update_seen(id, |r| {
                r.record_not_sent(index, now)
                    .map(|_| ())
                    .map_err(DeskError::from)
            })
            .await?
            .ok_or(DeskError::NotFound)?;
        let entry = &before.history()[index];
        Ok(entry.told_at.is_none() && entry.not_sent_at.is_none())
    }
}
