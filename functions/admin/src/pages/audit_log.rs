//! 操作ログ: a month of staff actions, filterable, exportable as CSV, with the retention setting.

use crate::audit::{self, Actor};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Datelike;
use maud::html;
use serde::Deserialize;
use std::sync::Arc;
use tayori_csv::{CsvEncoding, CsvWriter};
use tayori_domain::time::{format_jst, to_jst};
use tayori_records::AuditEntry;

const PAGE_SIZE: usize = 50;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    /// `2026-11`; the current JST month when absent.
    month: Option<String>,
    q: Option<String>,
    after: Option<String>,
    encoding: Option<String>,
}

fn month_of(state: &AdminState, q: &AuditQuery) -> (i32, u32) {
    q.month
        .as_deref()
        .and_then(|m| {
            let (y, mo) = m.split_once('-')?;
            let (y, mo) = (y.parse().ok()?, mo.parse().ok()?);
            (1..=12).contains(&mo).then_some((y, mo))
        })
        .unwrap_or_else(|| {
            let now = to_jst(state.platform.clock.now());
            (now.year(), now.month())
        })
}

fn matches(entry: &AuditEntry, q: &str) -> bool {
    q.is_empty()
        || entry.actor.contains(q)
        || entry.action.contains(q)
        || entry.target.contains(q)
        || entry.summary.contains(q)
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
        shown.extend(entries.into_iter().filter(|e| matches(e, &search)));
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
                a.button href=(format!("/admin/audit.csv?month={month_param}&q={q_param}")) { "CSV出力（UTF-8）" }
                a.button href=(format!("/admin/audit.csv?month={month_param}&q={q_param}&encoding=sjis")) { "CSV出力（Shift_JIS）" }
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

pub async fn export(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Query(q): Query<AuditQuery>,
) -> Response {
    let (year, month) = month_of(&state, &q);
    let search = q.q.clone().unwrap_or_default();
    let writer = CsvWriter::new(CsvEncoding::from_param(q.encoding.as_deref()));
    audit::record(
        &state,
        &actor,
        "操作ログをCSV出力",
        &format!("audit:{year:04}-{month:02}"),
        "",
    )
    .await;
    let header = {
        let mut b = writer.start();
        b.extend(writer.row(&["日時", "職員", "IPアドレス", "操作", "対象", "内容"]));
        Bytes::from(b)
    };
    // Streamed page by page: the response never holds more than one page of the log.
    let pages = futures::stream::unfold(Some(None), move |cursor| {
        let state = state.clone();
        let search = search.clone();
        async move {
            let cursor = cursor?;
            match state.audit.month(year, month, cursor, 500).await {
                Ok((entries, next)) => {
                    let mut chunk = Vec::new();
                    for e in entries.iter().filter(|e| matches(e, &search)) {
                        chunk.extend(writer.row(&[
                            format_jst(e.at),
                            e.actor.clone(),
                            e.ip.clone(),
                            e.action.clone(),
                            e.target.clone(),
                            e.summary.clone(),
                        ]));
                    }
                    Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), next.map(Some)))
                }
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    let body = futures::StreamExt::chain(
        futures::stream::once(async move { Ok::<_, std::io::Error>(header) }),
        pages,
    );
    (
        [
            (
                header::CONTENT_TYPE,
                writer.encoding().content_type().to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"audit-{year:04}-{month:02}.csv\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
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
