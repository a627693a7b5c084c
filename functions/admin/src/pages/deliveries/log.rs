//! The delivery list and log (配信ログ, 6.2.1.6 / 6.3.2): one period at a time (JST dates of
//! creation, last month and this one unless staff choose), filtered by status, kind and words,
//! 50 to a page with links to the newer and older pages, the whole filtered period's total, and
//! its CSV with the same filters (asked of the export function).

use super::{described_target, desk, segment_items};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::exports;
use crate::ui::form::Problems;
use crate::ui::form_data::FormData;
use crate::ui::Page;
use crate::AdminState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use tayori_deliveries::DeskError;
use tayori_domain::delivery::log::{
    default_from, FilterError, LogFilter, LogPage, LogPager, PageMark, PeriodTotals,
};
use tayori_domain::delivery::{Delivery, DeliveryKind, DeliveryStatus};
use tayori_domain::export::{CsvEncoding, ExportConditions, ExportKind};
use tayori_domain::segment::SegmentItems;
use tayori_domain::time::{format_jst, to_jst};

const PATH: &str = "/admin/deliveries";
pub const EXPORT_PATH: &str = "/admin/deliveries/export";

/// The list's query string, as the filter form and the page links send it.
#[derive(Deserialize, Default)]
pub struct LogQuery {
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    /// The page of deliveries older than this place in the log.
    before: Option<String>,
}

impl LogQuery {
    fn today(state: &AdminState) -> NaiveDate {
        to_jst(state.platform.clock.now()).date_naive()
    }

    fn filter(&self, today: NaiveDate) -> Result<LogFilter, FilterError> {
        let (from, to) = LogFilter::period(self.from.as_deref(), self.to.as_deref(), today)?;
        Ok(LogFilter {
            from,
            to,
            // A value the form does not offer is no filter.
            status: self.status.as_deref().and_then(DeliveryStatus::from_code),
            kind: self.kind.as_deref().and_then(DeliveryKind::from_code),
            search: self.q.clone().unwrap_or_default().trim().to_string(),
        })
    }

    /// The period's first day as the form shows it: what was typed, or the default.
    fn first_day_field(&self, today: NaiveDate) -> String {
        self.from
            .clone()
            .unwrap_or_else(|| default_from(today).format("%Y-%m-%d").to_string())
    }

    /// The filters as fields: the page links' query and the CSV's conditions. `from` and
    /// `to` are always sent (an empty one is no bound), the others only when chosen.
    fn fields(&self, today: NaiveDate) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("from", self.first_day_field(today)),
            ("to", self.to.clone().unwrap_or_default()),
        ];
        for (name, value) in [
            ("status", &self.status),
            ("kind", &self.kind),
            ("q", &self.q),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                fields.push((name, value.to_owned()));
            }
        }
        fields
    }

    /// The filters as a query string, for the page links.
    fn query_string(&self, today: NaiveDate, before: Option<&str>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.fields(today) {
            query.append_pair(name, &value);
        }
        if let Some(before) = before {
            query.append_pair("before", before);
        }
        query.finish()
    }
}

/// Reads the filtered period, newest first, into a page and its total.
async fn read_page(
    state: &AdminState,
    filter: LogFilter,
    before: Option<String>,
) -> Result<LogPage, DeskError> {
    let (from, until) = filter.created_between();
    let mut pager = LogPager::new(filter, before);
    desk(state)
        .each_created_between(from, until, |d| pager.push(d))
        .await?;
    Ok(pager.finish())
}

pub async fn list(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(query): Query<LogQuery>,
) -> PageResult {
    let today = LogQuery::today(&state);
    let items = segment_items(&state).await?;
    let mut problems = Problems::default();
    let shown = match query.filter(today) {
        Ok(filter) => {
            let totalled = if filter.kind == Some(DeliveryKind::Test) {
                "テスト配信"
            } else {
                "テスト配信を除く"
            };
            let before = query.before.clone().filter(|b| !b.is_empty());
            let log = read_page(&state, filter.clone(), before).await?;
            Some((filter, log, totalled))
        }
        Err(e) => {
            problems.add(e.field(), e.to_string());
            None
        }
    };
    let link = |mark: &PageMark| {
        let before = match mark {
            PageMark::First => None,
            PageMark::Before(key) => Some(key.as_str()),
        };
        format!("{PATH}?{}", query.query_string(today, before))
    };
    Ok(page.render(
        "配信",
        &[("ホーム", "/admin"), ("配信", PATH)],
        "deliveries",
        html! {
            div.toolbar {
                a.button.primary href="/admin/deliveries/new" { "新しい配信を作成" }
                a.button href="/admin/deliveries/testers" { "テスト配信の受信者" }
            }
            (filter_form(&query, today, &problems))
            @if shown.is_some() {
                form.toolbar method="post" action=(EXPORT_PATH) aria-label="配信ログのCSV" {
                    (page.csrf_field())
                    @for (name, value) in query.fields(today) {
                        input type="hidden" name=(name) value=(value);
                    }
                    (exports::encoding_choice())
                }
            }
            @if let Some((filter, log, totalled)) = &shown {
                p { (period_words(filter)) }
                (totals(totalled, &log.totals))
                (table(&log.deliveries, &items))
                nav.pager aria-label="ページ" {
                    @if let Some(mark) = &log.newer { a rel="prev" href=(link(mark)) { "← 新しい配信" } }
                    @if let Some(mark) = &log.older { a rel="next" href=(link(mark)) { "古い配信 →" } }
                }
            }
        },
    ))
}

fn filter_form(query: &LogQuery, today: NaiveDate, problems: &Problems) -> Markup {
    let status = query.status.clone().unwrap_or_default();
    let kind = query.kind.clone().unwrap_or_default();
    html! {
        (problems.summary())
        form.toolbar method="get" action=(PATH) {
            label for="f-from" { "作成日（日本時間）" }
            input #f-from type="date" name="from" value=(query.first_day_field(today))
                aria-invalid=[problems.get("from").map(|_| "true")];
            span { "〜" }
            input #f-to type="date" name="to" value=(query.to.clone().unwrap_or_default()) aria-label="作成日の終わり"
                aria-invalid=[problems.get("to").map(|_| "true")];
            label for="f-status" { "状態" }
            select #f-status name="status" {
                option value="" selected[status.is_empty()] { "すべて" }
                @for s in DeliveryStatus::ALL { option value=(s.code()) selected[status == s.code()] { (s.label()) } }
            }
            label for="f-kind" { "種類" }
            select #f-kind name="kind" {
                option value="" selected[kind.is_empty()] { "すべて" }
                @for k in DeliveryKind::ALL { option value=(k.code()) selected[kind == k.code()] { (k.label()) } }
            }
            label for="q" { "検索" }
            input #q type="search" name="q" value=(query.q.clone().unwrap_or_default()) placeholder="タイトル・本文・分類";
            button type="submit" { "絞り込む" }
        }
    }
}

fn period_words(filter: &LogFilter) -> String {
    let day = |d: NaiveDate| d.format("%Y年%-m月%-d日").to_string();
    match (filter.from, filter.to) {
        (Some(from), Some(to)) => format!("期間：{}〜{}（作成日）", day(from), day(to)),
        (Some(from), None) => format!("期間：{}から今日まで（作成日）", day(from)),
        (None, Some(to)) => format!("期間：最初の配信から{}まで（作成日）", day(to)),
        (None, None) => "期間：すべての配信".into(),
    }
}

fn totals(totalled: &str, t: &PeriodTotals) -> Markup {
    html! {
        p.totals {
            "期間の合計（" (totalled) "）：配信 " (t.deliveries) " 件、対象 " (t.recipients)
            " 人、成功 " (t.succeeded) " 通、失敗 " (t.failed) " 通"
        }
    }
}

fn table(shown: &[Delivery], items: &SegmentItems) -> Markup {
    html! {
        table {
            thead { tr { th { "作成日時" } th { "タイトル" } th { "種類" } th { "分類" } th { "対象" } th { "状態" } th { "配信日時" } th.num { "対象数" } th.num { "成功" } th.num { "失敗" } } }
            tbody {
                @for d in shown {
                    tr {
                        td { (format_jst(d.created().at)) }
                        td { a href=(format!("/admin/deliveries/{}", d.id())) { (d.title()) } }
                        td { (d.kind().label()) }
                        td { (d.category()) }
                        td { (described_target(d, items)) }
                        td { (d.status().label()) }
                        td { (d.started_at().or(d.send_at()).map(format_jst).unwrap_or_default()) }
                        td.num { (d.totals().recipients) }
                        td.num { (d.totals().succeeded) }
                        td.num { (d.totals().failed) }
                    }
                }
                @if shown.is_empty() { tr { td colspan="10" { "この条件の配信はありません。" } } }
            }
        }
    }
}

/// 「CSVを作成」: the log's filters, as a file made by the export function. A period the list
/// refuses goes back to the list, which says what is wrong with it.
pub async fn request_csv(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let sent = |name: &str| form.has(name).then(|| form.get(name));
    let query = LogQuery {
        q: sent("q"),
        from: sent("from"),
        to: sent("to"),
        status: sent("status"),
        kind: sent("kind"),
        before: None,
    };
    let today = LogQuery::today(&state);
    let Ok(filter) = query.filter(today) else {
        return Ok(
            Redirect::to(&format!("{PATH}?{}", query.query_string(today, None))).into_response(),
        );
    };
    let mut described = vec![period_words(&filter)];
    if let Some(status) = filter.status {
        described.push(format!("状態：{}", status.label()));
    }
    if let Some(kind) = filter.kind {
        described.push(format!("種類：{}", kind.label()));
    }
    if !filter.search.is_empty() {
        described.push(format!("検索：「{}」", filter.search));
    }
    let conditions = ExportConditions::new(query.fields(today), described.join("、"));
    let encoding = CsvEncoding::from_param(Some(&form.get("encoding")));
    exports::request(
        &state,
        &actor,
        ExportKind::DeliveryLog,
        conditions,
        encoding,
    )
    .await
}
