//! 「CSVを作成」 on the reports list: the list's filters, as a file made by the export function
//! (出力ファイル). The citizen's sealed contact is not in it: a file travels further than a page.

use super::FilterQuery;
use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::exports;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind};
use crate::AdminState;
use axum::extract::State;
use bytes::Bytes;
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind};

pub const PATH: &str = "/admin/reports/export";

pub async fn request_csv(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let q = FilterQuery {
        category: form.get("category"),
        status: form.get("status"),
        district: form.get("district"),
        from: form.get("from"),
        to: form.get("to"),
        department: form.get("department"),
    };
    let list = match q.query_string() {
        query if query.is_empty() => super::PATH.to_string(),
        query => format!("{}?{query}", super::PATH),
    };
    let filter = match q.filter() {
        Ok(filter) => filter,
        Err(e) => {
            return Ok(redirect_with(
                &list,
                FlashKind::Error,
                e.to_string(),
                state.config.secure_cookies,
            ))
        }
    };
    let mut described = Vec::new();
    if let Some(id) = &filter.category {
        let categories = state.reports.categories().await?;
        if let Some(c) = categories.iter().find(|c| c.id() == id) {
            described.push(format!("種類：{}", c.name()));
        }
    }
    if let Some(status) = filter.status {
        described.push(format!("状況：{}", status.label()));
    }
    if let Some(district) = &filter.district {
        described.push(format!("地区：{district}"));
    }
    if let Some(department) = &filter.department {
        described.push(format!("担当課：{department}"));
    }
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%Y年%-m月%-d日").to_string())
            .unwrap_or_default()
    };
    if filter.from.is_some() || filter.to.is_some() {
        described.push(format!("受付日：{}〜{}", day(filter.from), day(filter.to)));
    }
    let described = if described.is_empty() {
        "担当するすべての通報".to_string()
    } else {
        described.join("、")
    };
    let conditions = ExportConditions::new(
        [
            ("category", q.category.trim()),
            ("status", q.status.trim()),
            ("district", q.district.trim()),
            ("from", q.from.trim()),
            ("to", q.to.trim()),
            ("department", q.department.trim()),
        ],
        described,
    );
    let encoding = CsvEncoding::from_param(Some(&form.get("encoding")));
    exports::request(&state, &actor, ExportKind::Reports, conditions, encoding).await
}
