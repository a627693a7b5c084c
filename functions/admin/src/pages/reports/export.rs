//! `GET /admin/reports.csv`: the reports of the list's filters, through the shared writer
//! (UTF-8 with BOM, or CP932 for older Excel), audited. The citizen's sealed contact is not in
//! it: a file travels further than a page.

use super::{account, district_words, FilterQuery};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::ui::Page;
use crate::AdminState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use std::sync::Arc;
use tayori_csv::{CsvEncoding, CsvWriter};
use tayori_domain::report::Report;
use tayori_domain::time::format_jst;

pub const HEADER: [&str; 16] = [
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
];

fn row(r: &Report, receipt_of: impl Fn(&str) -> String) -> Vec<String> {
    let p = r.position();
    vec![
        r.receipt().to_string(),
        format_jst(r.filed_at()),
        r.category().name.clone(),
        r.category().department.clone(),
        if r.category().urgent { "緊急" } else { "" }.to_string(),
        r.status().label().to_string(),
        district_words(r.district()).to_string(),
        format!("{:.6}", p.lat()),
        format!("{:.6}", p.lng()),
        r.place_note().unwrap_or("").to_string(),
        r.details().to_string(),
        r.photos().len().to_string(),
        r.assignee().map_or(String::new(), |a| a.name.clone()),
        r.duplicate_of().map_or(String::new(), receipt_of),
        r.channel().label().to_string(),
        format_jst(r.updated_at()),
    ]
}

pub async fn export(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Query(q): Query<FilterQuery>,
) -> PageResult {
    let by = account(&page)?;
    let filter = match q.filter() {
        Ok(f) => f,
        Err(e) => return Ok((StatusCode::BAD_REQUEST, e.to_string()).into_response()),
    };
    let reports = state.reports.list(&filter, by).await?;
    audit::record(
        &state,
        &actor,
        "通報をCSV出力",
        "reports",
        format!("{}件 条件[{}]", reports.len(), q.query_string()),
    )
    .await;
    let writer = CsvWriter::new(CsvEncoding::from_param(q.encoding.as_deref()));
    let mut out = writer.start();
    out.extend(writer.row(&HEADER));
    for r in &reports {
        // The original is usually listed too; otherwise its id stands in for its number.
        let receipt_of = |id: &str| {
            reports
                .iter()
                .find(|o| o.id() == id)
                .map_or_else(|| id.to_string(), |o| o.receipt().to_string())
        };
        out.extend(writer.row(&row(r, receipt_of)));
    }
    let today = tayori_domain::time::to_jst(state.platform.clock.now()).format("%Y%m%d");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                writer.encoding().content_type().to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"reports-{today}.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}
