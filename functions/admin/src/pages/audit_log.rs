//! 操作ログ: a month of staff actions, filterable, with the retention setting; its CSV is asked
//! of the export function (出力ファイル).

use crate::audit::{self, Actor};
use crate::pages::exports;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Query, State};
use bytes::Bytes;
use chrono::Datelike;
use maud::html;
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind};
use tayori_domain::time::{format_jst, to_jst};
use tayori_exports::sources::{mentions, parse_month};

const PAGE_SIZE: usize = 50;
pub const EXPORT_PATH: &str = "/admin/audit/export";

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    /// `2026-11`; the current JST month when absent.
    month: Option<String>,
    q: Option<String>,
    after: Option<String>,
}

fn month_of(state: &AdminState, q: &AuditQuery) -> (i32, u32) {
    q.month.as_deref().and_then(parse_month).unwrap_or_else(|| {
        let now = to_jst(state.platform.clock.now());
        (now.year(), now.month())
    })
}

pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let (year, month) = month_of(&state, &q);
    let search = q.q.clone().unwrap_or_default();
    // Filter while paging so that a page shows up to PAGE_SIZE matching entries.
    let mut shown = Vec::new();
    let mut cursor = q.after.clone().map(tayori_ports::Cursor);
    let mut next = None;
    loop {
        let (entries, c) = state
            .audit
            .month(year, month, cursor.clone(), PAGE_SIZE)
            .await?;
        shown.extend(entries.into_iter().filter(|e| mentions(e, &search)));
        match c {
            Some(c) if shown.len() < PAGE_SIZE => cursor = Some(c),
            Some(c) => {
                next = Some(c);
                break;
            }
            None => break,
        }
    }
    let retention = state
        .audit
        .retention_days()
        .await
        .unwrap_or(tayori_records::audit::DEFAULT_RETENTION_DAYS);
    let month_param = format!("{year:04}-{month:02}");
    let q_param: String = form_urlencoded::byte_serialize(search.as_bytes()).collect();
    Ok(page.render(
        "操作ログ",
        &[("ホーム", "/admin"), ("操作ログ", "/admin/audit")],
        "audit",
        html! {
            form.toolbar method="get" action="/admin/audit" role="search" {
                label for="month" { "月" }
                input #month type="month" name="month" value=(month_param);
                label for="q" { "絞り込み" }
                input #q type="search" name="q" value=(search) placeholder="職員・操作・対象";
                button type="submit" { "表示" }
            }
            form.toolbar method="post" action=(EXPORT_PATH) {
                (page.csrf_field())
                input type="hidden" name="month" value=(month_param);
                input type="hidden" name="q" value=(search);
                (exports::encoding_choice())
            }
            table {
                caption { (year) "年" (month) "月（新しい順）" }
                thead { tr { th { "日時" } th { "職員" } th { "IPアドレス" } th { "操作" } th { "対象" } th { "内容" } } }
                tbody {
                    @for e in &shown {
                        tr { td { (format_jst(e.at)) } td { (e.actor) } td { (e.ip) } td { (e.action) } td { (e.target) } td { (e.summary) } }
                    }
                    @if shown.is_empty() { tr { td colspan="6" { "該当する操作はありません。" } } }
                }
            }
            @if let Some(c) = next {
                nav.pager { a href=(format!("/admin/audit?month={month_param}&q={q_param}&after={}", form_urlencoded::byte_serialize(c.0.as_bytes()).collect::<String>())) { "さらに古い操作を表示" } }
            }
            h2 { "保存期間" }
            form.inline method="post" action="/admin/audit/retention" {
                (page.csrf_field())
                label for="days" { "操作ログを保存する日数" }
                input #days type="number" name="days" min="365" max="3650" value=(retention);
                button type="submit" { "保存" }
            }
            p.note { "変更後に記録される操作から適用されます（365〜3650日）。" }
        },
    ))
}

/// 「CSVを作成」: the month and words shown, as a file made by the export function.
pub async fn request_csv(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (year, month) = month_of(
        &state,
        &AuditQuery {
            month: Some(form.get("month")),
            ..AuditQuery::default()
        },
    );
    let search = form.get("q");
    let described = if search.is_empty() {
        format!("{year}年{month}月")
    } else {
        format!("{year}年{month}月、「{search}」を含む操作")
    };
    let conditions = ExportConditions::new(
        [("month", format!("{year:04}-{month:02}")), ("q", search)],
        described,
    );
    let encoding = CsvEncoding::from_param(Some(&form.get("encoding")));
    exports::request(&state, &actor, ExportKind::AuditLog, conditions, encoding).await
}

pub async fn set_retention(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let days: i64 = FormData::parse(&body).get("days").parse().unwrap_or(0);
    if !(365..=3650).contains(&days) {
        return Ok(redirect_with(
            "/admin/audit",
            FlashKind::Error,
            "保存期間は365〜3650日の範囲で入力してください。",
            state.config.secure_cookies,
        ));
    }
    let before = state.audit.retention_days().await.unwrap_or_default();
    state.audit.set_retention_days(days).await?;
    audit::record(
        &state,
        &actor,
        "操作ログの保存期間を変更",
        "settings:audit",
        format!("{before}日 → {days}日"),
    )
    .await;
    Ok(redirect_with(
        "/admin/audit",
        FlashKind::Success,
        format!("保存期間を{days}日にしました。"),
        state.config.secure_cookies,
    ))
}
