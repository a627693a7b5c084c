//! The list (`/admin/reports`) and the map (`/admin/reports/map`) of the reports a clerk may
//! handle, with the same filters: urgent open ones first and highlighted. The map's list under
//! it says everything the markers do, so the page works where GSI's tiles cannot load.

use super::{
    account, departments_for, district_words, districts, report_path, FilterQuery, MANUAL,
    MAP_PATH, PATH, TILES, TILES_ATTRIBUTION_URL,
};
use crate::error::PageResult;
use crate::ui::form::ErrorSummary;
use crate::ui::Page;
use crate::AdminState;
use axum::extract::{Query, State};
use chrono::Duration;
use maud::{html, Markup};
use std::collections::BTreeSet;
use std::sync::Arc;
use tayori_domain::report::{
    possible_duplicates, Category, Report, ReportStatus, DUPLICATE_WINDOW_DAYS,
};
use tayori_domain::time::format_jst;

/// What the list and the map both show.
struct Listed {
    reports: Vec<Report>,
    /// Ids of listed reports that may duplicate another (same category, 50 m, 7 days).
    doubtful: BTreeSet<String>,
    categories: Vec<Category>,
    districts: Vec<String>,
    departments: Vec<String>,
    problem: Option<String>,
}

async fn listed(
    state: &AdminState,
    page: &Page,
    q: &FilterQuery,
) -> Result<Listed, crate::ConsoleError> {
    let by = account(page)?;
    // Only the categories of the departments the clerk covers are worth filtering by.
    let mut categories = state.reports.categories().await?;
    categories.retain(|c| {
        by.may_in(
            tayori_domain::staff::Permission::ReportsHandle,
            c.department(),
        )
    });
    let (filter, problem) = match q.filter() {
        Ok(f) => (f, None),
        Err(e) => (
            FilterQuery {
                from: String::new(),
                to: String::new(),
                ..q.clone()
            }
            .filter()
            .unwrap_or_default(),
            Some(e.to_string()),
        ),
    };
    let reports = state.reports.list(&filter, by).await?;
    let doubtful = doubtful(state, &reports).await?;
    Ok(Listed {
        departments: departments_for(&categories, by),
        districts: districts(state).await?,
        categories,
        reports,
        doubtful,
        problem,
    })
}

/// The listed reports that may duplicate another filed around them, whether or not the other
/// is listed: one read of the period the list covers, widened by the duplicate window.
async fn doubtful(
    state: &AdminState,
    reports: &[Report],
) -> Result<BTreeSet<String>, crate::ConsoleError> {
    let (Some(first), Some(last)) = (
        reports.iter().map(Report::filed_at).min(),
        reports.iter().map(Report::filed_at).max(),
    ) else {
        return Ok(BTreeSet::new());
    };
    let window = Duration::days(DUPLICATE_WINDOW_DAYS);
    let mut around = Vec::new();
    state
        .reports
        .each_filed_between(
            Some(first - window),
            Some(last + window + Duration::milliseconds(1)),
            |r| around.push(r.summary()),
        )
        .await?;
    Ok(reports
        .iter()
        .filter(|r| !possible_duplicates(&r.summary(), &around).is_empty())
        .map(|r| r.id().to_string())
        .collect())
}

/// The filter form, its fields with stable ids (`f-category`…) for the browser test.
fn filters(action: &str, q: &FilterQuery, l: &Listed) -> Markup {
    html! {
        form.inline #report-filters method="get" action=(action) role="search" {
            label for="f-category" { "種類" }
            select #f-category name="category" {
                option value="" { "すべて" }
                @for c in &l.categories {
                    option value=(c.id().as_str()) selected[q.category == c.id().as_str()] { (c.name()) }
                }
            }
            label for="f-status" { "状況" }
            select #f-status name="status" {
                option value="" { "すべて" }
                @for s in ReportStatus::ALL {
                    option value=(s.code()) selected[q.status == s.code()] { (s.label()) }
                }
            }
            label for="f-district" { "地区" }
            select #f-district name="district" {
                option value="" { "すべて" }
                @for d in &l.districts {
                    option value=(d) selected[&q.district == d] { (d) }
                }
            }
            label for="f-department" { "担当課" }
            select #f-department name="department" {
                option value="" { "担当するすべての課" }
                @for d in &l.departments {
                    option value=(d) selected[&q.department == d] { (d) }
                }
            }
            label for="f-from" { "受付日" }
            input #f-from type="date" name="from" value=(q.from);
            span { "〜" }
            input #f-to type="date" name="to" value=(q.to) aria-label="受付日（終わり）";
            button type="submit" { "絞り込む" }
        }
    }
}

fn toolbar(q: &FilterQuery, page: &Page) -> Markup {
    let query = q.query_string();
    let with = |path: &str| {
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    };
    html! {
        p.toolbar {
            a.button #to-list href=(with(PATH)) { "一覧" }
            a.button #to-map href=(with(MAP_PATH)) { "地図" }
            a.button href=(super::templates::PATH) { "定型文" }
            @if page.may(tayori_domain::staff::Permission::ReportsHandle) {
                a.button href=(super::categories::PATH) { "通報の種類" }
            }
        }
        form.toolbar method="post" action=(super::export::PATH) aria-label="通報のCSV" {
            (page.csrf_field())
            @for (name, value) in [
                ("category", &q.category),
                ("status", &q.status),
                ("district", &q.district),
                ("from", &q.from),
                ("to", &q.to),
                ("department", &q.department),
            ] {
                input type="hidden" name=(name) value=(value);
            }
            (crate::pages::exports::encoding_choice())
        }
    }
}

fn assignee(r: &Report) -> String {
    r.assignee().map_or_else(|| "—".into(), |a| a.name.clone())
}

pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(q): Query<FilterQuery>,
) -> PageResult {
    let l = listed(&state, &page, &q).await?;
    Ok(page.render(
        "通報",
        &[("ホーム", "/admin"), ("通報", PATH)],
        MANUAL,
        html! {
            @if let Some(p) = &l.problem { (ErrorSummary::default().field("f-from", p.clone())) }
            (toolbar(&q, &page))
            (filters(PATH, &q, &l))
            p #report-count { (l.reports.len()) " 件" @if l.reports.iter().any(Report::is_urgent_and_open) { "（緊急の通報を先頭に表示しています）" } }
            @if l.reports.is_empty() {
                p { "条件に合う通報はありません。" }
            } @else {
                table #reports {
                    thead { tr {
                        th { "受付番号" } th { "種類" } th { "状況" } th { "地区" } th { "受付日時" }
                        th { "担当者" } th.num { "写真" } th { "重複の可能性" }
                    } }
                    tbody {
                        @for r in &l.reports {
                            tr.urgent[r.is_urgent_and_open()] {
                                td {
                                    a href=(report_path(r.id())) { (r.receipt()) }
                                    @if r.is_urgent_and_open() { " " strong.badge { "緊急" } }
                                }
                                td { (r.category().name) }
                                td { (r.status().label()) }
                                td { (district_words(r.district())) }
                                td { (format_jst(r.filed_at())) }
                                td { (assignee(r)) }
                                td.num { (r.photos().len()) }
                                td { @if l.doubtful.contains(r.id()) { "あり" } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn map(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(q): Query<FilterQuery>,
) -> PageResult {
    let l = listed(&state, &page, &q).await?;
    Ok(page.render(
        "通報の地図",
        &[("ホーム", "/admin"), ("通報", PATH), ("地図", MAP_PATH)],
        MANUAL,
        html! {
            @if let Some(p) = &l.problem { (ErrorSummary::default().field("f-from", p.clone())) }
            (toolbar(&q, &page))
            (filters(MAP_PATH, &q, &l))
            (map_of(&l.reports))
        },
    ))
}

/// Leaflet's stylesheet and script, the map and, under it, the list of the same reports with
/// their positions (`reports-map.js` puts a marker per item, linking to the report).
pub fn map_of(reports: &[Report]) -> Markup {
    html! {
        link rel="stylesheet" href="/admin/static/leaflet/leaflet.css";
        div #report-map .report-map
            data-tiles=(TILES)
            data-tiles-attribution=(TILES_ATTRIBUTION_URL)
            data-leaflet-images="/admin/static/leaflet/images/"
            role="region" aria-label="通報の位置の地図" {}
        p.note { "地図：" a href=(TILES_ATTRIBUTION_URL) target="_blank" rel="noopener" { "地理院タイル" } "。地図が表示されないときも、下の一覧で同じ通報を確認できます。" }
        ol #map-reports {
            @for r in reports {
                @let p = r.position();
                li.urgent[r.is_urgent_and_open()]
                    data-lat=(format!("{:.6}", p.lat()))
                    data-lng=(format!("{:.6}", p.lng()))
                    data-href=(report_path(r.id()))
                    data-label=(format!("{} {}（{}）", r.receipt(), r.category().name, r.status().label())) {
                    a href=(report_path(r.id())) { (r.receipt()) }
                    " " (r.category().name) "（" (r.status().label()) "） "
                    (district_words(r.district())) " "
                    (format!("{:.5}, {:.5}", p.lat(), p.lng()))
                    @if r.is_urgent_and_open() { " " strong.badge { "緊急" } }
                }
            }
        }
        script src="/admin/static/leaflet/leaflet.js" defer {}
        script src="/admin/static/reports-map.js" defer {}
    }
}

/// `GET /admin/static/leaflet/{*file}`: Leaflet, the copy vendored for the simulator and the
/// shelters map (`functions/local/static/vendor/leaflet`, BSD-2-Clause), compiled in from
/// there: one copy in the repository.
pub async fn leaflet(
    axum::extract::Path(file): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    const JS: &str = "text/javascript; charset=utf-8";
    const CSS: &str = "text/css; charset=utf-8";
    let (body, content_type): (&[u8], &str) = match file.as_str() {
        "leaflet.js" => (
            include_bytes!("../../../../local/static/vendor/leaflet/leaflet.js"),
            JS,
        ),
        "leaflet.css" => (
            include_bytes!("../../../../local/static/vendor/leaflet/leaflet.css"),
            CSS,
        ),
        "images/marker-icon.png" => (
            include_bytes!("../../../../local/static/vendor/leaflet/images/marker-icon.png"),
            "image/png",
        ),
        "images/marker-icon-2x.png" => (
            include_bytes!("../../../../local/static/vendor/leaflet/images/marker-icon-2x.png"),
            "image/png",
        ),
        "images/marker-shadow.png" => (
            include_bytes!("../../../../local/static/vendor/leaflet/images/marker-shadow.png"),
            "image/png",
        ),
        _ => return crate::ui::not_found(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
