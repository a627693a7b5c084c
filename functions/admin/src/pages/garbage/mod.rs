//! ごみカレンダー: the garbage calendar clerks keep, in five tabs, one module each: the month
//! view, the rule editor, suspensions (収集中止), 5374 import/export with the holiday CSV, and
//! the notice settings. The calendar itself, its engine and its checks live in
//! `tayori-garbage`; its records in `tayori_records::GarbageRecords`.

pub mod calendar_view;
mod districts;
pub mod import_export;
pub mod notices;
pub mod rules;
pub mod suspensions;

use crate::audit::Actor;
use crate::ui::{Crumb, Page};
use crate::AdminState;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Weekday};
use maud::{html, Markup};
use tayori_domain::time::to_jst;
use tayori_garbage::{SampleCalendar, SAMPLE_NOTICE};
use tayori_records::{Change, GarbageRecords, StoredCalendar};

pub const BASE: &str = "/admin/garbage";
const MANUAL: &str = "garbage";
const TITLE: &str = "ごみカレンダー";

fn records(state: &AdminState) -> GarbageRecords {
    GarbageRecords::new(state.platform.table.clone())
}

/// Today in Japan, which is what "this month" and "current suspensions" mean to a clerk.
fn today(state: &AdminState) -> NaiveDate {
    to_jst(state.platform.clock.now()).date_naive()
}

fn change(state: &AdminState, actor: &Actor, what: &str) -> Change {
    Change {
        by: actor.login_id(),
        at: state.platform.clock.now(),
        what: what.into(),
    }
}

const TABS: [(&str, &str); 5] = [
    ("カレンダー表示", ""),
    ("ルール編集", "/rules"),
    ("収集中止", "/suspensions"),
    ("取込・書出", "/data"),
    ("お知らせ設定", "/notices"),
];

/// The page shell of every tab: breadcrumbs, the tab links, the sample banner.
fn render(
    page: &Page,
    tab: &str,
    stored: &StoredCalendar,
    sample_calendar: SampleCalendar,
    status: StatusCode,
    body: Markup,
) -> Response {
    let crumbs: Vec<Crumb> = if tab == TABS[0].0 {
        vec![("ホーム", "/admin"), (TITLE, BASE)]
    } else {
        vec![("ホーム", "/admin"), (TITLE, BASE), (tab, "")]
    };
    let title = if tab == TABS[0].0 {
        TITLE.to_string()
    } else {
        format!("{TITLE}：{tab}")
    };
    let mut response = page.render(
        &title,
        &crumbs,
        MANUAL,
        html! {
            // These pages' own stylesheet, and the script that paints each kind's chips in its
            // colour (the colours come with the calendar; no inline style is allowed).
            link rel="stylesheet" href="/admin/static/garbage.css";
            script src="/admin/static/garbage.js" defer {}
            nav.garbage-tabs aria-label="ごみカレンダーの機能" {
                ul {
                    @for (label, suffix) in TABS {
                        li { a href=(format!("{BASE}{suffix}")) aria-current=[(label == tab).then_some("page")] { (label) } }
                    }
                }
            }
            @if stored.sample {
                (sample_banner(sample_calendar))
            }
            (body)
        },
    );
    *response.status_mut() = status;
    response
}

/// What the sample means for citizens in this run, and what to do about it.
fn sample_banner(sample_calendar: SampleCalendar) -> Markup {
    html! {
        div.sample-banner role="note" {
            p { strong { "サンプル" } " " (SAMPLE_NOTICE) }
            @match sample_calendar {
                SampleCalendar::Withheld => p {
                    "市民には使っていません：ごみ収集日のお知らせは送らず、トークでのごみの質問には「準備中」と答えています。"
                    a href=(format!("{BASE}/data")) { "取込・書出" }
                    "タブで市のカレンダー（5374形式のCSV）を取り込むと、お知らせと回答が始まります。"
                },
                SampleCalendar::Demonstrate => p {
                    "このローカル実行では動作確認のため、サンプルのままお知らせとトークでの回答を行います（文面に「サンプル」と明記します）。"
                },
            }
        }
    }
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Sun,
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
];

/// 日, 月 … as the city's calendars head their columns.
fn weekday_ja(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Sun => "日",
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
    }
}

/// The form value of a weekday (`mon` …).
fn weekday_code(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Sun => "sun",
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
    }
}

fn weekday_from_code(code: &str) -> Option<Weekday> {
    WEEKDAYS.into_iter().find(|w| weekday_code(*w) == code)
}

/// `12月15日（火）`, as notices and the city's leaflets write a day.
fn date_ja(date: NaiveDate) -> String {
    format!(
        "{}月{}日（{}）",
        date.month(),
        date.day(),
        weekday_ja(date.weekday())
    )
}

/// Reads a date as clerks type it: `2027-01-05`, `2027/1/5`, or with full-width digits.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let text: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '／' => '/',
            '－' | 'ー' => '-',
            _ => c,
        })
        .collect();
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// One date per line; returns the dates, or the lines that are not dates.
fn parse_date_lines(text: &str) -> Result<Vec<NaiveDate>, Vec<String>> {
    let mut dates = Vec::new();
    let mut bad = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match parse_date(line) {
            Some(d) => dates.push(d),
            None => bad.push(line.to_string()),
        }
    }
    if bad.is_empty() {
        Ok(dates)
    } else {
        Err(bad)
    }
}

/// Black or white text, whichever has the higher WCAG contrast on a kind's colour.
fn ink_on(colour: &str) -> &'static str {
    let hex = colour.trim_start_matches('#');
    let channel = |i: usize| {
        let c = hex
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.5, |v| f64::from(v) / 255.0);
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    let on_white = 1.05 / (luminance + 0.05);
    let on_black = (luminance + 0.05) / 0.05;
    if on_black > on_white {
        "#1a1a1a"
    } else {
        "#ffffff"
    }
}

/// A kind's name on its colour. The colour is painted by static/garbage.js from the data
/// attributes: the Content-Security-Policy applies no inline style, and a script's CSSOM is
/// allowed. Without scripts the chip still names the kind.
fn chip(name: &str, colour: &str, kind_id: &str, extra: Markup) -> Markup {
    html! {
        span.chip data-kind=(kind_id) data-colour=(colour) data-ink=(ink_on(colour)) {
            (name) (extra)
        }
    }
}

/// Who last changed the calendar, for the footers.
fn last_change(stored: &StoredCalendar) -> Markup {
    html! {
        @match &stored.updated {
            Some(c) => { "最終更新：" (format_change(c)) }
            None => { "最終更新：なし（出荷時のサンプルのまま）" }
        }
    }
}

fn format_change(change: &Change) -> String {
    format!(
        "{}（{}、{}）",
        tayori_domain::time::format_jst(change.at),
        change.by,
        change.what
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_clerks_type_them() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        assert_eq!(parse_date("2027-01-05"), Some(d));
        assert_eq!(parse_date("2027/1/5"), Some(d));
        assert_eq!(parse_date("２０２７／１／５"), Some(d));
        assert_eq!(parse_date("2027/2/30"), None);
        assert_eq!(parse_date("1月5日"), None);
    }

    #[test]
    fn lines_that_are_not_dates_are_named() {
        assert_eq!(
            parse_date_lines("2027/1/5\n\nあした\n2027-1-6"),
            Err(vec!["あした".to_string()])
        );
        assert_eq!(parse_date_lines("2027/1/5\n").unwrap().len(), 1);
    }

    #[test]
    fn dark_colours_get_white_text_and_light_ones_black() {
        assert_eq!(ink_on("#0b5394"), "#ffffff");
        assert_eq!(ink_on("#ffe680"), "#1a1a1a");
        // The sample's 燃やすごみ red: white text would be below 4.5:1.
        assert_eq!(ink_on("#e8503a"), "#1a1a1a");
    }

    #[test]
    fn a_day_is_written_with_its_weekday() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(date_ja(d), "12月15日（火）");
    }
}
