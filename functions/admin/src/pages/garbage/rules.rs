//! ルール編集: when one kind is collected in one district, as a form a clerk fills in without
//! knowing the 5374 cell syntax: 毎週 weekdays, 第n曜日, 隔週 with its first day, months, extra
//! and cancelled days, and what happens on national holidays. Saved only when the whole
//! calendar still passes `Calendar::validate`; otherwise the form comes back as typed.

use super::{
    parse_date, parse_date_lines, records, render, weekday_code, weekday_from_code, weekday_ja,
    TABS, WEEKDAYS,
};
use crate::audit::{self, Actor};
use crate::ui::form::Problems;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use chrono::{NaiveDate, Weekday};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tayori_garbage::{Calendar, CalendarError, HolidayAction, HolidayPolicy, Rule, Schedule};
use tayori_records::StoredCalendar;

const PATH: &str = "/admin/garbage/rules";

#[derive(Debug, Default, Deserialize)]
pub struct RuleQuery {
    district: Option<String>,
    kind: Option<String>,
}

/// The editor's fields as text, so a refused form comes back exactly as typed.
#[derive(Clone, Debug, Default, PartialEq)]
struct RuleForm {
    district: String,
    kind: String,
    weekly: BTreeSet<String>,
    /// `wed-2` for 第2水曜.
    nth: BTreeSet<String>,
    biweekly: BTreeSet<String>,
    biweekly_start: String,
    months: BTreeSet<u32>,
    extra_dates: String,
    cancelled_dates: String,
    on_holiday: String,
    /// `祝日 振替日` per line.
    holiday_moves: String,
}

fn action_code(action: HolidayAction) -> &'static str {
    match action {
        HolidayAction::Collect => "collect",
        HolidayAction::Skip => "skip",
        HolidayAction::NextWorkingDay => "next_working_day",
    }
}

fn lines(dates: impl IntoIterator<Item = NaiveDate>) -> String {
    dates
        .into_iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl RuleForm {
    fn from_rule(district: &str, kind: &str, rule: Option<&Rule>) -> Self {
        let mut form = RuleForm {
            district: district.into(),
            kind: kind.into(),
            months: (1..=12).collect(),
            on_holiday: action_code(HolidayAction::Collect).into(),
            ..Default::default()
        };
        let Some(rule) = rule else {
            return form;
        };
        for schedule in &rule.schedules {
            match schedule {
                Schedule::Weekly { weekdays } => {
                    form.weekly
                        .extend(weekdays.iter().map(|w| weekday_code(*w).to_string()));
                }
                Schedule::NthWeekday { weekday, nths } => {
                    form.nth.extend(
                        nths.iter()
                            .map(|n| format!("{}-{n}", weekday_code(*weekday))),
                    );
                }
                Schedule::EveryOtherWeek { weekdays, start } => {
                    form.biweekly
                        .extend(weekdays.iter().map(|w| weekday_code(*w).to_string()));
                    if form.biweekly_start.is_empty() {
                        form.biweekly_start = start.to_string();
                    }
                }
            }
        }
        if let Some(months) = &rule.months {
            form.months = months.clone();
        }
        form.extra_dates = lines(rule.extra_dates.iter().copied());
        form.cancelled_dates = lines(rule.cancelled_dates.iter().copied());
        form.on_holiday = action_code(rule.on_holiday.default).into();
        form.holiday_moves = rule
            .on_holiday
            .moves
            .iter()
            .map(|(from, to)| format!("{from} {to}"))
            .collect::<Vec<_>>()
            .join("\n");
        form
    }

    fn from_post(form: &FormData) -> Self {
        let set = |name: &str| form.all(name).into_iter().collect::<BTreeSet<_>>();
        RuleForm {
            district: form.get("district"),
            kind: form.get("kind"),
            weekly: set("weekly"),
            nth: set("nth"),
            biweekly: set("biweekly"),
            biweekly_start: form.get("biweekly_start"),
            months: form
                .all("month")
                .iter()
                .filter_map(|m| m.parse().ok())
                .collect(),
            extra_dates: form.get("extra_dates"),
            cancelled_dates: form.get("cancelled_dates"),
            on_holiday: form.get("on_holiday"),
            holiday_moves: form.get("holiday_moves"),
        }
    }

    /// The rule the form describes (its notes kept from `old`), or what is wrong per field.
    /// `None` when the form is empty: the district then has no collection of that kind.
    fn parse(&self, old: Option<&Rule>) -> Result<Option<Rule>, Problems> {
        let mut problems = Problems::default();
        let weekdays = |codes: &BTreeSet<String>| -> Vec<Weekday> {
            WEEKDAYS
                .into_iter()
                .filter(|w| codes.contains(weekday_code(*w)))
                .collect()
        };
        let mut schedules = Vec::new();
        let weekly = weekdays(&self.weekly);
        if !weekly.is_empty() {
            schedules.push(Schedule::Weekly { weekdays: weekly });
        }
        let mut nths: BTreeMap<u8, (Weekday, Vec<u32>)> = BTreeMap::new();
        for value in &self.nth {
            let parsed = value
                .split_once('-')
                .and_then(|(w, n)| Some((weekday_from_code(w)?, n.parse::<u32>().ok()?)));
            match parsed {
                Some((w, n)) => {
                    let key = w.num_days_from_sunday() as u8;
                    nths.entry(key).or_insert((w, Vec::new())).1.push(n);
                }
                None => problems.add("nth", "第n曜日の指定が読めません。"),
            }
        }
        schedules.extend(
            nths.into_values()
                .map(|(weekday, nths)| Schedule::NthWeekday { weekday, nths }),
        );
        let biweekly = weekdays(&self.biweekly);
        if !biweekly.is_empty() {
            match parse_date(&self.biweekly_start) {
                Some(start) => schedules.push(Schedule::EveryOtherWeek {
                    weekdays: biweekly,
                    start,
                }),
                None => problems.add(
                    "biweekly_start",
                    "隔週の起算日（最初の収集日、例：2027-01-05）を入力してください。",
                ),
            }
        }
        if self.months.is_empty() {
            problems.add("months", "収集する月を1つ以上選んでください。");
        }
        let months = (self.months.len() < 12).then(|| self.months.clone());
        let mut dates = |name: &str, text: &str| -> BTreeSet<NaiveDate> {
            match parse_date_lines(text) {
                Ok(d) => d.into_iter().collect(),
                Err(bad) => {
                    problems.add(
                        name,
                        format!(
                            "日付として読めない行があります：{}（例：2027-01-05 または 2027/1/5）",
                            bad.join("、")
                        ),
                    );
                    BTreeSet::new()
                }
            }
        };
        let extra_dates = dates("extra_dates", &self.extra_dates);
        let cancelled_dates = dates("cancelled_dates", &self.cancelled_dates);
        let default = match self.on_holiday.as_str() {
            "skip" => HolidayAction::Skip,
            "next_working_day" => HolidayAction::NextWorkingDay,
            _ => HolidayAction::Collect,
        };
        let mut moves = BTreeMap::new();
        for line in self
            .holiday_moves
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let pair: Vec<&str> = line
                .split([' ', '　', '→', ',', '、', '\t'])
                .filter(|s| !s.is_empty())
                .collect();
            match pair.as_slice() {
                [from, to] => match (parse_date(from), parse_date(to)) {
                    (Some(from), Some(to)) => {
                        moves.insert(from, to);
                    }
                    _ => problems.add(
                        "holiday_moves",
                        format!("「{line}」の日付が読めません（例：2027-01-11 2027-01-12）。"),
                    ),
                },
                _ => problems.add(
                    "holiday_moves",
                    format!("「{line}」は「祝日 振替日」の2つの日付で書いてください。"),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if schedules.is_empty() && extra_dates.is_empty() {
            return Ok(None);
        }
        Ok(Some(Rule {
            district: self.district.clone(),
            kind: self.kind.clone(),
            schedules,
            months,
            extra_dates,
            cancelled_dates,
            on_holiday: HolidayPolicy { default, moves },
            notes: old.map(|r| r.notes.clone()).unwrap_or_default(),
        }))
    }
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(query): Query<RuleQuery>,
) -> PageResult {
    let stored = records(&state).calendar().await?;
    let calendar = &stored.calendar;
    let district = query
        .district
        .filter(|d| calendar.district(d).is_some())
        .or_else(|| calendar.districts.first().map(|d| d.name.clone()))
        .unwrap_or_default();
    let kind = query
        .kind
        .filter(|k| calendar.kind(k).is_some_and(|k| k.scheduled))
        .or_else(|| {
            calendar
                .kinds
                .iter()
                .find(|k| k.scheduled)
                .map(|k| k.id.clone())
        })
        .unwrap_or_default();
    let form = RuleForm::from_rule(&district, &kind, calendar.rule(&district, &kind));
    Ok(editor(
        &state,
        &page,
        &stored,
        &form,
        &Problems::default(),
        &[],
    ))
}

fn editor(
    state: &AdminState,
    page: &Page,
    stored: &StoredCalendar,
    form: &RuleForm,
    problems: &Problems,
    calendar_errors: &[CalendarError],
) -> Response {
    let calendar = &stored.calendar;
    let kind_name = calendar
        .kind(&form.kind)
        .map_or(form.kind.as_str(), |k| k.name.as_str());
    let refused = !problems.is_empty() || !calendar_errors.is_empty();
    let problem = |name: &str| -> Markup {
        html! { @if let Some(p) = problems.get(name) { p.problem id=(format!("p-{name}")) { (p) } } }
    };
    let body = html! {
        form.inline method="get" action=(PATH) {
            label for="f-pick-district" { "地区" }
            select #f-pick-district name="district" {
                @for d in &calendar.districts { option value=(d.name) selected[d.name == form.district] { (d.name) } }
            }
            label for="f-pick-kind" { "ごみの種類" }
            select #f-pick-kind name="kind" {
                @for k in calendar.kinds.iter().filter(|k| k.scheduled) { option value=(k.id) selected[k.id == form.kind] { (k.name) } }
            }
            button type="submit" { "この組み合わせを編集" }
        }
        @if calendar.district(&form.district).is_none() || calendar.kind(&form.kind).is_none() {
            p { "地区とごみの種類を選んでください。" }
        } @else {
            h2 { (form.district) "地区の「" (kind_name) "」" }
            @if refused {
                div.flash.err role="alert" {
                    p { "保存できませんでした。入力内容を確認してください。" }
                    ul {
                        @for e in calendar_errors { li { (e.to_string()) } }
                        @for name in ["nth", "biweekly_start", "months", "extra_dates", "cancelled_dates", "holiday_moves"] {
                            @if let Some(p) = problems.get(name) { li { (p) } }
                        }
                    }
                }
            }
            form #rule-form method="post" action=(PATH) {
                (page.csrf_field())
                input type="hidden" name="district" value=(form.district);
                input type="hidden" name="kind" value=(form.kind);
                fieldset {
                    legend { "毎週（曜日）" }
                    @for w in WEEKDAYS {
                        label.check { input type="checkbox" name="weekly" value=(weekday_code(w)) checked[form.weekly.contains(weekday_code(w))]; (weekday_ja(w)) "曜日" }
                    }
                }
                fieldset {
                    legend { "第n曜日（例：第2・第4水曜日）" }
                    (problem("nth"))
                    table.wd-grid {
                        thead { tr { th { "曜日" } @for n in 1..=5u32 { th scope="col" { "第" (n) } } } }
                        tbody {
                            @for w in WEEKDAYS {
                                tr {
                                    th scope="row" { (weekday_ja(w)) "曜日" }
                                    @for n in 1..=5u32 {
                                        @let value = format!("{}-{n}", weekday_code(w));
                                        td { input type="checkbox" name="nth" value=(value)
                                            aria-label=(format!("第{n}{}曜日", weekday_ja(w)))
                                            checked[form.nth.contains(&value)]; }
                                    }
                                }
                            }
                        }
                    }
                    p.hint { "第5は、その曜日が5回ある月だけ収集します。" }
                }
                fieldset {
                    legend { "隔週（2週に1回）" }
                    @for w in WEEKDAYS {
                        label.check { input type="checkbox" name="biweekly" value=(weekday_code(w)) checked[form.biweekly.contains(weekday_code(w))]; (weekday_ja(w)) "曜日" }
                    }
                    div.field {
                        label for="f-biweekly_start" { "起算日（最初の収集日）" }
                        input #f-biweekly_start type="text" name="biweekly_start" value=(form.biweekly_start) placeholder="2027-01-05"
                            aria-invalid=[problems.get("biweekly_start").map(|_| "true")];
                        (problem("biweekly_start"))
                    }
                }
                fieldset {
                    legend { "収集する月（すべて選ぶと毎月）" }
                    (problem("months"))
                    @for m in 1..=12u32 {
                        label.check { input type="checkbox" name="month" value=(m) checked[form.months.contains(&m)]; (m) "月" }
                    }
                }
                div.field {
                    label for="f-extra_dates" { "追加で収集する日（1行に1日、例：2027-01-05 または 2027/1/5）" }
                    textarea #f-extra_dates name="extra_dates" aria-invalid=[problems.get("extra_dates").map(|_| "true")] { (form.extra_dates) }
                    (problem("extra_dates"))
                }
                div.field {
                    label for="f-cancelled_dates" { "収集しない日（1行に1日）" }
                    textarea #f-cancelled_dates name="cancelled_dates" aria-invalid=[problems.get("cancelled_dates").map(|_| "true")] { (form.cancelled_dates) }
                    (problem("cancelled_dates"))
                }
                fieldset {
                    legend { "祝日に当たったとき" }
                    @for (code, label) in [("collect", "収集する"), ("skip", "収集しない"), ("next_working_day", "次の平日（日曜・祝日でない日）に振替")] {
                        label.check { input type="radio" name="on_holiday" value=(code) checked[form.on_holiday == code]; (label) }
                    }
                    div.field {
                        label for="f-holiday_moves" { "祝日ごとの振替日（1行に「祝日 振替日」、例：2027-01-11 2027-01-12）" }
                        textarea #f-holiday_moves name="holiday_moves" aria-invalid=[problems.get("holiday_moves").map(|_| "true")] { (form.holiday_moves) }
                        (problem("holiday_moves"))
                        p.hint { "ここに書いた祝日は、上の選択より優先して書いた日に振り替えます。" }
                    }
                }
                p.note { "すべて空にして保存すると、この地区ではこの種類を収集しない設定になります。" }
                button.primary type="submit" { "保存" }
            }
        }
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        page,
        TABS[1].0,
        stored,
        state.config.sample_calendar,
        status,
        body,
    )
}

/// Why a save was refused, shown beside the form.
enum Refused {
    Fields(Problems),
    Calendar(Vec<CalendarError>),
    Unknown,
}

fn apply(calendar: &mut Calendar, form: &RuleForm) -> Result<(), Refused> {
    if calendar.district(&form.district).is_none() || calendar.kind(&form.kind).is_none() {
        return Err(Refused::Unknown);
    }
    let old = calendar.rule(&form.district, &form.kind).cloned();
    let rule = form.parse(old.as_ref()).map_err(Refused::Fields)?;
    calendar
        .rules
        .retain(|r| !(r.district == form.district && r.kind == form.kind));
    if let Some(rule) = rule {
        calendar.rules.push(rule);
    }
    calendar.validate().map_err(Refused::Calendar)
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = RuleForm::from_post(&FormData::parse(&body));
    let records = records(&state);
    let now = state.platform.clock.now();
    let what = format!("ルール編集（{}・{}）", form.district, form.kind);
    Ok(
        match records
            .update_calendar(&actor.login_id(), now, &what, |c| apply(c, &form))
            .await?
        {
            Ok(_) => {
                audit::record(
                    &state,
                    &actor,
                    "ごみ収集ルールを変更",
                    &format!("garbage:rule:{}:{}", form.district, form.kind),
                    summary(&form),
                )
                .await;
                let query: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("district", &form.district)
                    .append_pair("kind", &form.kind)
                    .finish();
                redirect_with(
                    &format!("{PATH}?{query}"),
                    FlashKind::Success,
                    format!(
                        "{}地区の「{}」の収集日を保存しました。",
                        form.district, form.kind
                    ),
                    state.config.secure_cookies,
                )
            }
            Err(refused) => {
                let stored = records.calendar().await?;
                let (problems, errors) = match refused {
                    Refused::Fields(p) => (p, Vec::new()),
                    Refused::Calendar(e) => (Problems::default(), e),
                    Refused::Unknown => {
                        let mut p = Problems::default();
                        p.add(
                            "district",
                            "地区またはごみの種類がありません。選び直してください。",
                        );
                        return Ok(redirect_with(
                            PATH,
                            FlashKind::Error,
                            p.get("district").unwrap_or_default(),
                            state.config.secure_cookies,
                        ));
                    }
                };
                editor(&state, &page, &stored, &form, &problems, &errors)
            }
        },
    )
}

/// What changed, in words, for the audit log.
fn summary(form: &RuleForm) -> String {
    let days = |codes: &BTreeSet<String>| {
        WEEKDAYS
            .into_iter()
            .filter(|w| codes.contains(weekday_code(*w)))
            .map(weekday_ja)
            .collect::<Vec<_>>()
            .join("・")
    };
    let mut parts = Vec::new();
    if !form.weekly.is_empty() {
        parts.push(format!("毎週{}", days(&form.weekly)));
    }
    if !form.nth.is_empty() {
        parts.push(format!("第n曜日{}件", form.nth.len()));
    }
    if !form.biweekly.is_empty() {
        parts.push(format!(
            "隔週{}（{}から）",
            days(&form.biweekly),
            form.biweekly_start
        ));
    }
    if form.months.len() < 12 {
        parts.push(format!(
            "{}月のみ",
            form.months
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("・")
        ));
    }
    parts.push(format!("祝日：{}", form.on_holiday));
    format!("{}・{}：{}", form.district, form.kind, parts.join("、"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Calendar {
        Calendar::obama_sample()
    }

    #[test]
    fn every_sample_rule_survives_the_form_unchanged() {
        let calendar = sample();
        for rule in &calendar.rules {
            let form = RuleForm::from_rule(&rule.district, &rule.kind, Some(rule));
            let back = form.parse(Some(rule)).unwrap().unwrap();
            assert_eq!(back.schedules.len(), rule.schedules.len(), "{rule:?}");
            for s in &rule.schedules {
                assert!(back.schedules.contains(s), "{s:?} lost from {rule:?}");
            }
            assert_eq!(back.months, rule.months);
            assert_eq!(back.extra_dates, rule.extra_dates);
            assert_eq!(back.on_holiday, rule.on_holiday);
        }
    }

    #[test]
    fn a_biweekly_day_without_its_start_is_refused_beside_the_field() {
        let mut form = RuleForm::from_rule("小浜", "燃やすごみ", None);
        form.biweekly.insert("wed".into());
        let problems = form.parse(None).unwrap_err();
        assert!(problems.get("biweekly_start").is_some());
    }

    #[test]
    fn an_empty_form_means_no_collection_of_that_kind() {
        let form = RuleForm::from_rule("小浜", "燃やすごみ", None);
        assert_eq!(form.parse(None).unwrap(), None);
    }

    #[test]
    fn a_day_both_added_and_cancelled_is_refused_by_the_calendar_check() {
        let mut calendar = sample();
        let mut form =
            RuleForm::from_rule("小浜", "燃やすごみ", calendar.rule("小浜", "燃やすごみ"));
        form.extra_dates = "2027/1/5".into();
        form.cancelled_dates = "2027-01-05".into();
        match apply(&mut calendar, &form) {
            Err(Refused::Calendar(errors)) => {
                assert!(matches!(errors[0], CalendarError::ExtraAndCancelled { .. }))
            }
            _ => panic!("expected the calendar check to refuse"),
        }
    }
}
