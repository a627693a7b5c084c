//! 通報 (permission 通報対応, scoped by department): the list and the map of citizens' reports
//! with their filters, one report's page with every change staff make (status with a public
//! comment, assignee, internal note, duplicate of, district), the bear alert's delivery draft,
//! the categories, the response templates and the CSV. Every change is audited with before →
//! after.
//!
//! The handlers parse, call the [`ReportDesk`](tayori_reporting::ReportDesk) and render what it
//! answers; the rules (who may move a report where, which department's staff may touch it) are
//! the domain's (docs/architecture.md).

pub mod alert;
pub mod categories;
pub mod changes;
pub mod export;
pub mod list;
pub mod show;
pub mod templates;
pub mod usage;

use crate::error::PageResult;
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;
use tayori_domain::report::{Category, CategoryId, Report, ReportStatus};
use tayori_domain::segment::DISTRICT_ITEM;
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_domain::time::format_jst;
use tayori_records::SegmentItemsRecord;
use tayori_reporting::{Change, DeskError, ReportFilter};

pub const PATH: &str = "/admin/reports";
pub const MAP_PATH: &str = "/admin/reports/map";
pub const MANUAL: &str = "reports";

/// GSI's standard tiles and the page their terms ask the attribution to link to.
pub const TILES: &str = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png";
pub const TILES_ATTRIBUTION_URL: &str = "https://maps.gsi.go.jp/development/ichiran.html";

/// GSI's map (地理院地図) at a position, for a clerk to open in a new tab.
pub fn gsi_map_link(report: &Report) -> String {
    let p = report.position();
    format!("https://maps.gsi.go.jp/#17/{:.6}/{:.6}/", p.lat(), p.lng())
}

pub fn report_path(id: &str) -> String {
    format!("{PATH}/{id}")
}

fn audit_target(report: &Report) -> String {
    format!("report:{}", report.id())
}

/// The filters of the list, the map and the CSV, as the form sends them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub department: String,
}

/// A date in the filter that is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("日付は「2026-12-01」の形で入力してください。")]
pub struct NotADate;

impl FilterQuery {
    /// The desk's filter; a value the form does not offer is no filter, a malformed date is
    /// said.
    pub fn filter(&self) -> Result<ReportFilter, NotADate> {
        let date = |s: &str| match s.trim() {
            "" => Ok(None),
            t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| NotADate),
        };
        let text = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
        Ok(ReportFilter {
            category: CategoryId::parse(&self.category).ok(),
            status: ReportStatus::from_code(&self.status),
            district: text(&self.district),
            from: date(&self.from)?,
            to: date(&self.to)?,
            department: text(&self.department),
        })
    }

    /// The query string that reproduces these filters (for the map and list links).
    pub fn query_string(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("category", &self.category),
            ("status", &self.status),
            ("district", &self.district),
            ("from", &self.from),
            ("to", &self.to),
            ("department", &self.department),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.finish()
    }
}

/// The 居住地区 choices staff filter and correct by (the district segment item's).
pub async fn districts(state: &AdminState) -> Result<Vec<String>, tayori_records::RecordError> {
    let items = SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await?;
    Ok(items
        .get(DISTRICT_ITEM)
        .map(|item| item.open_choices().map(|c| c.value.clone()).collect())
        .unwrap_or_default())
}

/// The departments of the categories that `by` covers, in category order, each once.
pub fn departments_for(categories: &[Category], by: &StaffAccount) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for c in categories {
        let d = c.department();
        if by.may_in(Permission::ReportsHandle, d) && !seen.iter().any(|s| s == d) {
            seen.push(d.to_string());
        }
    }
    seen
}

/// The signed-in account (every route here is behind sign-in).
pub fn account(page: &Page) -> Result<&StaffAccount, crate::ConsoleError> {
    page.signed
        .as_ref()
        .map(|s| &s.account)
        .ok_or(crate::ConsoleError::NotFound)
}

/// The desk refused `by` the report itself (another department's, no 通報対応): a 403 page that
/// says why, so nothing of the report is shown.
pub fn not_yours(e: &DeskError) -> Response {
    ui::plain(
        StatusCode::FORBIDDEN,
        "この通報は担当外です",
        html! {
            p { (e.to_string()) }
            p { a href=(PATH) { "通報の一覧に戻る" } }
        },
    )
}

/// Whether a refusal is about who may touch the report at all (not what was asked of it).
pub fn is_outside(e: &DeskError) -> bool {
    use tayori_domain::report::ReportError;
    matches!(
        e,
        DeskError::Rule(ReportError::OtherDepartment(_) | ReportError::NoPermission)
    )
}

/// Back to report `id`'s page with a message.
pub fn back(state: &AdminState, id: &str, kind: FlashKind, text: impl Into<String>) -> Response {
    redirect_with(&report_path(id), kind, text, state.config.secure_cookies)
}

/// The answer to a change the desk was asked for: audited and back to the report with a
/// message when it was written (also when only the citizen's push could not be asked for); the
/// refusal as a message on the report's page; a storage failure as the error page.
pub async fn answered(
    state: &AdminState,
    actor: &crate::audit::Actor,
    id: &str,
    result: Result<Change, DeskError>,
    action: &str,
    summary: impl Fn(&Change) -> String,
    done: &str,
) -> PageResult {
    let (change, problem) = match result {
        Ok(change) => (change, None),
        Err(e) => {
            let message = e.to_string();
            match e {
                DeskError::NotPublished(change, cause) => {
                    tracing::error!(error = %cause, report = id, "the citizen's push could not be asked for");
                    (*change, Some(message))
                }
                e if is_outside(&e) => return Ok(not_yours(&e)),
                e if e.is_refusal() => return Ok(back(state, id, FlashKind::Error, message)),
                e => return Err(e.into()),
            }
        }
    };
    crate::audit::record(
        state,
        actor,
        action,
        &audit_target(&change.after),
        format!("受付番号 {} {}", change.after.receipt(), summary(&change)),
    )
    .await;
    Ok(match problem {
        Some(message) => back(state, id, FlashKind::Error, message),
        None => back(state, id, FlashKind::Success, done),
    })
}

/// The reports `by` handles that are still open, and how many of those are urgent (the home
/// page's tile).
pub async fn open_counts(
    state: &AdminState,
    by: &StaffAccount,
) -> Result<(usize, usize), crate::ConsoleError> {
    let all = state.reports.list(&ReportFilter::default(), by).await?;
    let open: Vec<&Report> = all.iter().filter(|r| !r.status().is_closed()).collect();
    let urgent = open.iter().filter(|r| r.is_urgent_and_open()).count();
    Ok((open.len(), urgent))
}

/// `2026年12月1日 9:05`-style JST, or a dash.
pub fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(format_jst).unwrap_or_else(|| "—".into())
}

/// A district in words (「未設定」 when unknown).
pub fn district_words(d: Option<&str>) -> &str {
    d.unwrap_or("未設定")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_parse_and_round_trip_through_the_query_string() {
        let q = FilterQuery {
            category: "road".into(),
            status: "checking".into(),
            district: "雲浜".into(),
            from: "2026-12-01".into(),
            to: "".into(),
            department: " 土木課 ".into(),
        };
        let f = q.filter().unwrap();
        assert_eq!(f.category.unwrap().as_str(), "road");
        assert_eq!(f.status, Some(ReportStatus::Checking));
        assert_eq!(f.district.as_deref(), Some("雲浜"));
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(f.to, None);
        assert_eq!(f.department.as_deref(), Some("土木課"));
        let back: FilterQuery = serde_urlencoded_like(&q.query_string());
        assert_eq!(back.filter().unwrap(), q.filter().unwrap());
    }

    #[test]
    fn a_value_the_form_does_not_offer_is_no_filter_and_a_bad_date_is_said() {
        let q = FilterQuery {
            category: "<script>".into(),
            status: "open".into(),
            ..FilterQuery::default()
        };
        assert_eq!(q.filter().unwrap(), ReportFilter::default());
        let bad = FilterQuery {
            from: "12/01".into(),
            ..FilterQuery::default()
        };
        assert_eq!(bad.filter(), Err(NotADate));
    }

    fn serde_urlencoded_like(query: &str) -> FilterQuery {
        let mut q = FilterQuery::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "category" => q.category = v,
                "status" => q.status = v,
                "district" => q.district = v,
                "from" => q.from = v,
                "to" => q.to = v,
                "department" => q.department = v,
                _ => {}
            }
        }
        q
    }
}
