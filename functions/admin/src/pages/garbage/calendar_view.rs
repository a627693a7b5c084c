//! カレンダー表示: one district's month as the city's printed calendars show it — 日〜土
//! columns, a coloured chip per kind, holidays named, suspended days marked, moved collections
//! said to be moved.

use super::{
    chip, date_ja, districts, last_change, records, render, today, weekday_ja, BASE, TABS, WEEKDAYS,
};
use crate::ui::Page;
use crate::{AdminState, PageResult};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate, Weekday};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;
use tayori_garbage::{Calendar, GridDay, MonthGrid, Origin};
use tayori_records::StoredHolidays;

#[derive(Debug, Default, Deserialize)]
pub struct ViewQuery {
    district: Option<String>,
    /// `2027-01`; this JST month when absent or unreadable.
    month: Option<String>,
}

/// Reads `YYYY-MM` into the first of that month.
fn month_start(text: &str) -> Option<NaiveDate> {
    let (y, m) = text.split_once('-')?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

fn month_param(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

fn shift_month(first: NaiveDate, by: i32) -> NaiveDate {
    let index = first.year() * 12 + first.month0() as i32 + by;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(first)
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(query): Query<ViewQuery>,
) -> PageResult {
    let records = records(&state);
    let (stored, holidays) = tokio::try_join!(records.calendar(), records.holidays())?;
    let calendar = &stored.calendar;
    let mismatch = districts::mismatch_warning(&state, calendar).await?;
    let district = query
        .district
        .filter(|d| calendar.district(d).is_some())
        .or_else(|| calendar.districts.first().map(|d| d.name.clone()))
        .unwrap_or_default();
    let this_month = today(&state).with_day(1).expect("day 1 exists");
    let first = query
        .month
        .as_deref()
        .and_then(month_start)
        .unwrap_or(this_month);
    let grid = calendar.month_grid(&district, first.year(), first.month(), &holidays.holidays);
    let district_q: String = form_urlencoded::byte_serialize(district.as_bytes()).collect();
    let link = |to: NaiveDate| format!("{BASE}?district={district_q}&month={}", month_param(to));
    let body = html! {
        (mismatch)
        form.inline method="get" action=(BASE) {
            label for="f-district" { "地区" }
            select #f-district name="district" {
                @for d in &calendar.districts {
                    option value=(d.name) selected[d.name == district] { (d.name) }
                }
            }
            label for="f-month" { "月" }
            input #f-month type="month" name="month" value=(month_param(first));
            button type="submit" { "表示" }
        }
        div.pager {
            a href=(link(shift_month(first, -1))) { "← 前の月" }
            a href=(link(this_month)) { "今月" }
            a href=(link(shift_month(first, 1))) { "次の月 →" }
        }
        @if calendar.districts.is_empty() {
            p { "地区がありません。「取込・書出」から市のカレンダーを取り込んでください。" }
        }
        @if let Some(grid) = &grid {
            (month_table(calendar, grid))
        }
        (legend(calendar))
        (attribution(&stored, &holidays))
    };
    Ok(render(
        &page,
        TABS[0].0,
        &stored,
        state.config.sample_calendar,
        StatusCode::OK,
        body,
    ))
}

fn month_table(calendar: &Calendar, grid: &MonthGrid) -> Markup {
    let first = grid.days.first().map(|d| d.date);
    let leading = first.map_or(0, |d| d.weekday().num_days_from_sunday() as usize);
    let mut cells: Vec<Option<&GridDay>> = vec![None; leading];
    cells.extend(grid.days.iter().map(Some));
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    html! {
        table.month aria-label=(format!("{}地区 {}年{}月のごみ収集日", grid.district, grid.year, grid.month)) {
            caption { (grid.district) "地区　" (grid.year) "年" (grid.month) "月" }
            thead {
                tr {
                    @for w in WEEKDAYS {
                        th.sun[w == Weekday::Sun] .sat[w == Weekday::Sat] scope="col" { (weekday_ja(w)) }
                    }
                }
            }
            tbody {
                @for week in cells.chunks(7) {
                    tr {
                        @for cell in week {
                            @match cell {
                                Some(day) => (day_cell(calendar, day)),
                                None => td.other {},
                            }
                        }
                    }
                }
            }
        }
    }
}

fn day_cell(calendar: &Calendar, day: &GridDay) -> Markup {
    let weekday = day.date.weekday();
    html! {
        td id=(format!("day-{}", day.date))
            .sun[weekday == Weekday::Sun] .sat[weekday == Weekday::Sat]
            .holiday[day.holiday.is_some()] .suspended[day.suspension.is_some()] {
            span.daynum { (day.date.day()) }
            @if let Some(holiday) = &day.holiday {
                " " span.holiday-name { (holiday.name) @if holiday.provisional { "（見込み）" } }
            }
            @if let Some(reason) = &day.suspension {
                span.stop { "収集中止" } span.note { "（" (reason) "）" }
            }
            @for c in &day.collections {
                @let kind = calendar.kind(&c.kind);
                (chip(
                    kind.map_or(c.kind.as_str(), |k| k.name.as_str()),
                    kind.map_or("#808080", |k| k.display_colour()),
                    &c.kind,
                    origin_note(&c.origin),
                ))
            }
        }
    }
}

/// Why a collection is on this day when it is not its regular day.
fn origin_note(origin: &Origin) -> Markup {
    html! {
        @match origin {
            Origin::Regular => {},
            Origin::MovedFromHoliday { holiday } => span.moved { "振替（" (date_ja(*holiday)) "の祝日分）" },
            Origin::YearEndSubstitute => span.moved { "年末年始の振替" },
            Origin::SuspensionSubstitute { reason } => span.moved { "振替（" (reason) "の中止分）" },
            Origin::Extra => span.moved { "臨時収集" },
        }
    }
}

fn legend(calendar: &Calendar) -> Markup {
    html! {
        h2 { "凡例" }
        ul.legend aria-label="ごみの種類と色" {
            @for kind in calendar.kinds.iter().filter(|k| k.scheduled) {
                li { (chip(&kind.name, kind.display_colour(), &kind.id, html! {})) }
            }
        }
        p.note { "「振替」は祝日・年末年始・収集中止のため、いつもと違う日に収集する日です。「臨時収集」は追加で収集する日です。" }
    }
}

fn attribution(stored: &tayori_records::StoredCalendar, holidays: &StoredHolidays) -> Markup {
    let last = holidays.holidays.last_date();
    html! {
        div.attribution {
            p { "収集日：" (last_change(stored)) }
            p {
                "祝日：出典：内閣府ホームページ（国民の祝日について）「syukujitsu.csv」"
                @match &holidays.updated {
                    Some(c) => { "（" (super::format_change(c)) "に取込）" }
                    None => { "（システムに同梱の版）" }
                }
                @if let Some(last) = last {
                    "。" (last.year()) "年" (date_ja(last)) "まで収録。"
                    "それより後の祝日は法律の規定から計算しています（春分の日・秋分の日は内閣府の公表まで「見込み」）。"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_across_the_year_end() {
        let dec = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            shift_month(dec, 1),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        assert_eq!(
            shift_month(shift_month(dec, 1), -1),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(month_start("2027-13"), None);
        assert_eq!(month_start("2027-02"), NaiveDate::from_ymd_opt(2027, 2, 1));
    }
}
