//! 月次レポート: a finished month's usage as a PDF a clerk hands their manager as is (friends
//! added and blocked, each service against the month before, by 地区, 事業別, the QR reads of
//! each place, friends day by day), drawn on the server ([`tayori_outreach::report_pdf`]).
//! A month is there from its next month's first day: it is made when asked, from the same
//! usage events as the report page, so there is nothing to schedule and nothing to go stale.

use super::month_quota;
use crate::pages::friend_kit;
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::time::to_jst;
use tayori_domain::usage::{Programmes, UsageKind, UsageReport};
use tayori_outreach::{report_pdf, Report, Table};
use tayori_records::{FriendKit, Settings, UsageEvents};

pub const PATH: &str = "/admin/usage/monthly";
/// How many finished months the page offers (usage events are kept three years).
pub const MONTHS_OFFERED: u32 = 12;

/// `month` as the form and the address carry it (`2026-11`).
pub fn code(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

#[derive(Deserialize)]
pub struct MonthQuery {
    /// Last month when not given.
    month: Option<String>,
}

/// The first days of the finished months offered, newest first: last month first from the
/// first of this month.
pub fn finished_months(today: NaiveDate) -> Vec<NaiveDate> {
    let this_month = today.with_day(1).expect("the first exists");
    (1..=MONTHS_OFFERED)
        .filter_map(|n| this_month.checked_sub_months(Months::new(n)))
        .collect()
}

fn last_day(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .expect("dates within range")
}

async fn report_of(
    state: &AdminState,
    first: NaiveDate,
    by: Option<&str>,
) -> Result<UsageReport, ConsoleError> {
    let mut events = Vec::new();
    UsageEvents::new(state.platform.table.clone())
        .each_between(first, last_day(first), |e| events.push(e))
        .await?;
    Ok(UsageReport::build(&events, by))
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn change(now: u64, before: u64) -> String {
    signed(now as i64 - before as i64)
}

/// The first and last day of `month` (`2026-11`) when it is one of the finished months
/// offered on `today`.
pub fn offered_month(month: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    finished_months(today)
        .contains(&first)
        .then(|| (first, last_day(first)))
}

/// `month`'s PDF (`2026-11`, last month when not given); a month not finished yet, or older
/// than those offered, is not there.
pub async fn pdf(
    State(state): State<Arc<AdminState>>,
    Query(MonthQuery { month }): Query<MonthQuery>,
) -> PageResult {
    let today = to_jst(state.platform.clock.now()).date_naive();
    let first = match month {
        Some(month) => {
            offered_month(&month, today)
                .ok_or(ConsoleError::NotFound)?
                .0
        }
        None => finished_months(today)[0],
    };
    let month = code(first);
    let previous = first
        .checked_sub_months(Months::new(1))
        .expect("dates within range");
    let this = report_of(&state, first, Some("district")).await?;
    let before = report_of(&state, previous, None).await?;
    let programmes = Settings::new(state.platform.table.clone(), state.config.city.clone())
        .programmes()
        .await?;
    let kit = FriendKit::new(state.platform.table.clone());
    let places = kit.get().await?;
    let reads = kit.reads_between(first, last_day(first)).await?;
    let trend = friend_kit::trend(&state, first, last_day(first), None).await?;

    let mut report = Report::new(
        &format!("{} LINE公式アカウント 利用状況報告", state.config.city),
        &format!(
            "{}（{}〜{}）　作成 {}",
            first.format("%Y年%-m月"),
            first.format("%-m月%-d日"),
            last_day(first).format("%-m月%-d日"),
            today.format("%Y年%-m月%-d日")
        ),
    );

    let added = this.total(UsageKind::FriendAdded);
    let blocked = this.total(UsageKind::FriendBlocked);
    report.heading("友だち");
    report.paragraph(&format!(
        "友だち追加 {added}人、ブロック {blocked}人、差し引き {}人（前月は友だち追加 {}人、ブロック {}人）。",
        signed(added as i64 - blocked as i64),
        before.total(UsageKind::FriendAdded),
        before.total(UsageKind::FriendBlocked),
    ));

    report.heading("サービス別の件数");
    let mut services = Table::new(
        "今月・前月・増減",
        ["サービス", "今月", "前月", "増減"]
            .map(String::from)
            .to_vec(),
    );
    for kind in UsageKind::recorded() {
        let (now, then) = (this.total(kind), before.total(kind));
        services.row(vec![
            kind.label().to_string(),
            now.to_string(),
            then.to_string(),
            change(now, then),
        ]);
    }
    report.table(services);
    report.paragraph(
        "市民の1回の操作は1回だけ数えます（LINEの再送や処理のやり直しでは数え直しません）。配信成功・配信失敗・子育て情報は通数、配信は回数です。",
    );

    if !this.columns.is_empty() {
        report.heading("地区別の件数");
        let mut head = vec!["サービス".to_string()];
        head.extend(this.columns.iter().cloned());
        let mut districts = Table::new("地区別（その時点で登録されていた地区）", head);
        for kind in UsageKind::recorded() {
            let mut row = vec![kind.label().to_string()];
            row.extend(this.columns.iter().map(|c| {
                this.cell(kind, c)
                    .map_or_else(|| "–".to_string(), |n| n.to_string())
            }));
            districts.row(row);
        }
        report.table(districts);
    }

    programmes_section(&mut report, &programmes, &this, &before);

    if !places.places().is_empty() {
        report.heading("ポスター・チラシのQRコード");
        let mut table = Table::new(
            "配る場所別の読み取り回数",
            ["配る場所", "読み取り回数"].map(String::from).to_vec(),
        );
        for place in places.places() {
            let n = reads.get(place.code()).copied().unwrap_or(0);
            table.row(vec![place.name().to_string(), n.to_string()]);
        }
        report.table(table);
    }

    report.heading("日別の友だち追加・ブロック");
    let mut days = Table::new(
        "日別",
        ["日付", "友だち追加", "ブロック", "差し引き"]
            .map(String::from)
            .to_vec(),
    );
    for (day, added, blocked) in trend.days() {
        days.row(vec![
            day.format("%-m月%-d日").to_string(),
            added.to_string(),
            blocked.to_string(),
            change(*added, *blocked),
        ]);
    }
    report.table(days);
    if first.checked_add_months(Months::new(1)) == today.with_day(1) {
        // LINE tells this month's count only: on the report of the month just ended it is
        // said as what it is, never as that month's.
        report.paragraph(&format!(
            "参考（作成日時点）: {}",
            month_quota(&state).await
        ));
    }

    let bytes = report_pdf(&report)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"usage-{month}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn programmes_section(
    report: &mut Report,
    programmes: &Programmes,
    this: &UsageReport,
    before: &UsageReport,
) {
    if programmes.list().is_empty() {
        return;
    }
    report.heading("事業別の件数");
    let mut table = Table::new(
        "事業別（含めるサービスの件数の合計）",
        ["事業", "今月", "前月", "増減"].map(String::from).to_vec(),
    );
    for p in programmes.list() {
        let (now, then) = (p.total(this), p.total(before));
        table.row(vec![
            p.name().to_string(),
            now.to_string(),
            then.to_string(),
            change(now, then),
        ]);
    }
    report.table(table);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_month_is_offered_from_the_first_and_this_month_never() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let offered = finished_months(day(2026, 12, 1));
        assert_eq!(offered[0], day(2026, 11, 1));
        assert_eq!(offered[1], day(2026, 10, 1));
        assert_eq!(offered.len(), MONTHS_OFFERED as usize);
        assert!(!offered.contains(&day(2026, 12, 1)));
        assert_eq!(last_day(day(2026, 2, 1)), day(2026, 2, 28));
        assert_eq!(code(day(2026, 11, 1)), "2026-11");
    }
}
