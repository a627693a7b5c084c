//! 利用状況レポート: counts per service for a period, broken down by a registered attribute,
//! as a table, a bar chart (server-side SVG, [`tayori_web::chart`]) and a CSV asked of the
//! export function. Only the services that
//! record their use are listed ([`UsageKind::recorded`]).

pub mod monthly;

pub use monthly::PATH as MONTHLY_PATH;

use crate::audit::Actor;
use crate::pages::{exports, programmes};
use crate::ui::form::ErrorSummary;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Query, State};
use bytes::Bytes;
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind};
use tayori_domain::time::to_jst;
use tayori_domain::usage::{UsageKind, UsageReport, DIMENSIONS};
use tayori_records::{Settings, UsageEvents};
use tayori_web::chart::bar_chart;

pub const EXPORT_PATH: &str = "/admin/usage/export";

/// A year at most, so that one report reads at most 366 daily partitions.
const MAX_DAYS: i64 = 366;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

struct Period {
    from: NaiveDate,
    to: NaiveDate,
    by: Option<&'static str>,
}

/// A period the report cannot cover; renders as the sentence the form shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
enum PeriodError {
    #[error("日付は「2026-11-01」の形で入力してください。")]
    NotADate,
    #[error("開始日は終了日より前にしてください。")]
    Reversed,
    #[error("期間は1年以内にしてください。")]
    TooLong,
}

fn period(state: &AdminState, q: &ReportQuery) -> Result<Period, PeriodError> {
    let today = to_jst(state.platform.clock.now()).date_naive();
    let parse =
        |s: &Option<String>, default: NaiveDate| match s.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| PeriodError::NotADate),
            None => Ok(default),
        };
    let from = parse(&q.from, today.with_day(1).expect("the first exists"))?;
    let to = parse(&q.to, today)?;
    if from > to {
        return Err(PeriodError::Reversed);
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(PeriodError::TooLong);
    }
    let by = q.by.as_deref().and_then(|b| {
        DIMENSIONS
            .iter()
            .find(|(id, _)| *id == b)
            .map(|(id, _)| *id)
    });
    Ok(Period { from, to, by })
}

async fn build(state: &AdminState, p: &Period) -> Result<UsageReport, tayori_records::RecordError> {
    let mut events = Vec::new();
    UsageEvents::new(state.platform.table.clone())
        .each_between(p.from, p.to, |e| events.push(e))
        .await?;
    Ok(UsageReport::build(&events, p.by))
}

/// One bar per service that records its use, used or not, in the table's order.
fn chart(report: &UsageReport) -> Markup {
    let bars: Vec<(&str, u64)> = UsageKind::recorded()
        .map(|kind| (kind.label(), report.total(kind)))
        .collect();
    bar_chart("サービス別の件数", &bars)
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let (p, error) = match period(&state, &q) {
        Ok(p) => (p, None),
        Err(e) => {
            let today = to_jst(state.platform.clock.now()).date_naive();
            (
                Period {
                    from: today.with_day(1).expect("first"),
                    to: today,
                    by: None,
                },
                Some(e),
            )
        }
    };
    let report = build(&state, &p).await?;
    let quota = month_quota(&state).await;
    let programmes = Settings::new(state.platform.table.clone(), state.config.city.clone())
        .programmes()
        .await?;
    let (reports_by_category, reports_by_district) =
        crate::pages::reports::usage::counted(&state, p.from, p.to).await?;
    let by_label =
        p.by.and_then(|b| DIMENSIONS.iter().find(|(id, _)| *id == b))
            .map(|(_, l)| *l);
    let error_shown = error.is_some();
    Ok(page.render(
        "利用状況レポート",
        &[("ホーム", "/admin"), ("利用状況レポート", "/admin/usage")],
        "usage",
        html! {
            @if let Some(e) = error { (ErrorSummary::default().field("from", e.to_string())) }
            form.toolbar method="get" action="/admin/usage" {
                label for="from" { "期間" }
                input #from type="date" aria-invalid=[error_shown.then_some("true")] name="from" value=(p.from.to_string());
                span { "〜" }
                input #to type="date" name="to" value=(p.to.to_string()) aria-label="終了日";
                label for="by" { "内訳" }
                select #by name="by" {
                    option value="" selected[p.by.is_none()] { "なし（合計のみ）" }
                    @for (id, label) in DIMENSIONS { option value=(id) selected[p.by == Some(id)] { (label) "別" } }
                }
                button.primary type="submit" { "集計" }
            }
            form.toolbar method="post" action=(EXPORT_PATH) {
                (page.csrf_field())
                input type="hidden" name="from" value=(p.from.to_string());
                input type="hidden" name="to" value=(p.to.to_string());
                input type="hidden" name="by" value=(p.by.unwrap_or_default());
                (exports::encoding_choice())
            }
            p #quota { (quota) }
            (chart(&report))
            table {
                caption { (p.from.format("%Y年%-m月%-d日")) "〜" (p.to.format("%Y年%-m月%-d日")) @if let Some(l) = by_label { "（" (l) "別）" } }
                thead { tr { th { "サービス" } @for c in &report.columns { th.num { (c) } } th.num { "合計" } } }
                tbody {
                    @for kind in UsageKind::recorded() {
                        tr { th { (kind.label()) } @for c in &report.columns { td.num { @match report.cell(kind, c) { Some(n) => (n), None => "–" } } } td.num { (report.total(kind)) } }
                    }
                }
            }
            h2 { "月次レポート" }
            form.toolbar method="get" action=(monthly::PATH) {
                label for="month" { "月" }
                select #month name="month" {
                    @for month in monthly::finished_months(to_jst(state.platform.clock.now()).date_naive()) {
                        option value=(monthly::code(month)) { (month.format("%Y年%-m月")) }
                    }
                }
                button type="submit" { "PDFを作成" }
            }
            form.toolbar method="post" action=(EXPORT_PATH) {
                (page.csrf_field())
                input type="hidden" name="by" value="district";
                input type="hidden" name="encoding" value=(CsvEncoding::Utf8Bom.code());
                label for="csv-month" { "CSVの月" }
                select #csv-month name="month" {
                    @for month in monthly::finished_months(to_jst(state.platform.clock.now()).date_naive()) {
                        option value=(monthly::code(month)) { (month.format("%Y年%-m月")) }
                    }
                }
                button type="submit" { "地区別のCSVを作成" }
            }
            p.hint { "終わった月の利用状況を、そのまま上司に渡せるPDF（A4）と、地区別のCSV（Excel用、UTF-8）にします。前月の分は毎月1日から作れます。CSVは「出力ファイル」からダウンロードします。" }
            h2 { "事業別" }
            @if programmes.list().is_empty() {
                p { "事業ごとの件数は、" a href=(programmes::PATH) { "事業の設定" } "で事業と関係するサービスを登録すると表示されます。" }
            } @else {
                table {
                    caption { "事業別（含めるサービスの件数の合計）" }
                    thead { tr { th { "事業" } @for c in &report.columns { th.num { (c) } } th.num { "合計" } } }
                    tbody {
                        @for programme in programmes.list() {
                            tr { th { (programme.name()) } @for c in &report.columns { td.num { @match programme.cell(&report, c) { Some(n) => (n), None => "–" } } } td.num { (programme.total(&report)) } }
                        }
                    }
                }
                p { a href=(programmes::PATH) { "事業の設定" } }
            }
            @if p.by == Some("interests") { p.note { "関心は複数選べるため、内訳の合計は全体の件数を超えることがあります。" } }
            @if p.by.is_some_and(|b| UsageKind::Delivery.counts_by(b)) { p.note { "配信成功・配信失敗は、受け取った友だちが登録した地区・年代の別に1通ずつ数えます。配信（回）は、届けた相手の地区・年代のそれぞれに1回と数えるため、内訳の合計が全体を超えることがあります。" } }
            @if p.by.is_some_and(|b| !UsageKind::Delivery.counts_by(b)) { p.note { "配信は地区・年代の別にのみ数えるため、この内訳では「–」と表示します（合計は数えています）。" } }
            (crate::pages::reports::usage::section(&reports_by_category, &reports_by_district))
        },
    ))
}

/// This month's messages against the plan's limit, as LINE counts them (LINE tells only the
/// current month): what a clerk checks before a large delivery.
async fn month_quota(state: &AdminState) -> String {
    let (limit, used) = tokio::join!(
        state.line.message_quota(),
        state.line.message_quota_consumption()
    );
    match (limit, used) {
        (Ok(quota), Ok(used)) => match quota.limit {
            Some(limit) => format!(
                "今月のメッセージ送信数（LINEの集計）: {used}通 / プランの上限 {limit}通（残り {}通）",
                limit.saturating_sub(used)
            ),
            None => format!("今月のメッセージ送信数（LINEの集計）: {used}通（プランの上限なし）"),
        },
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "the month's quota could not be read");
            "今月のメッセージ送信数をLINEから取得できませんでした。時間をおいて表示し直してください。".into()
        }
    }
}

/// 「CSVを作成」: the period and breakdown shown, as a file made by the export function.
pub async fn request_csv(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let month = form.get("month");
    let q = if month.is_empty() {
        ReportQuery {
            from: Some(form.get("from")),
            to: Some(form.get("to")),
            by: Some(form.get("by")),
        }
    } else {
        // A finished month of the 月次レポート.
        let today = to_jst(state.platform.clock.now()).date_naive();
        let Some((from, to)) = monthly::offered_month(&month, today) else {
            return Ok(redirect_with(
                "/admin/usage",
                FlashKind::Error,
                "その月のCSVは作れません。一覧から月を選んでください。",
                state.config.secure_cookies,
            ));
        };
        ReportQuery {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            by: Some(form.get("by")),
        }
    };
    let p = match period(&state, &q) {
        Ok(p) => p,
        Err(e) => {
            return Ok(redirect_with(
                "/admin/usage",
                FlashKind::Error,
                e.to_string(),
                state.config.secure_cookies,
            ))
        }
    };
    let by_label =
        p.by.and_then(|b| DIMENSIONS.iter().find(|(id, _)| *id == b))
            .map(|(_, label)| format!("（{label}別）"))
            .unwrap_or_default();
    let described = format!(
        "{}〜{}{by_label}",
        p.from.format("%Y年%-m月%-d日"),
        p.to.format("%Y年%-m月%-d日")
    );
    let conditions = ExportConditions::new(
        [
            ("from", p.from.to_string()),
            ("to", p.to.to_string()),
            ("by", p.by.unwrap_or_default().to_string()),
        ],
        described,
    );
    let encoding = CsvEncoding::from_param(Some(&form.get("encoding")));
    exports::request(&state, &actor, ExportKind::Usage, conditions, encoding).await
}
