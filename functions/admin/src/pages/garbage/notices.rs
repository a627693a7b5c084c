//! お知らせ設定: whether garbage-day notices go out, at what JST times (当日朝, 前日夜), and for
//! each scheduled kind whether it is announced and in what words.

use super::{districts, records, render, TABS};
use crate::audit::{self, Actor};
use crate::ui::form::Problems;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveTime;
use maud::{html, Markup};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_garbage::{Calendar, KindNotice, NoticeSettings};
use tayori_records::StoredCalendar;

const PATH: &str = "/admin/garbage/notices";
/// One line of a LINE message; the whole notice stays far below LINE's 5,000 characters.
const MAX_WORDING_CHARS: usize = 200;

/// The form as typed.
#[derive(Clone, Debug, Default)]
struct NoticeForm {
    enabled: bool,
    morning_at: String,
    evening_at: String,
    /// Per kind id: on, wording.
    kinds: BTreeMap<String, (bool, String)>,
}

/// Form field names carry the kind's position, not its id: ids are the city's labels and
/// may hold any character.
fn kind_field(prefix: &str, index: usize) -> String {
    format!("{prefix}-{index}")
}

impl NoticeForm {
    fn from_settings(settings: &NoticeSettings, calendar: &Calendar) -> Self {
        NoticeForm {
            enabled: settings.enabled,
            morning_at: settings.morning_at.format("%H:%M").to_string(),
            evening_at: settings.evening_at.format("%H:%M").to_string(),
            kinds: scheduled(calendar)
                .map(|(_, k)| {
                    let n = settings.kind(calendar, &k.id);
                    (k.id.clone(), (n.on, n.wording))
                })
                .collect(),
        }
    }

    fn from_post(form: &FormData, calendar: &Calendar) -> Self {
        NoticeForm {
            enabled: form.get("enabled") != "off",
            morning_at: form.get("morning_at"),
            evening_at: form.get("evening_at"),
            kinds: scheduled(calendar)
                .map(|(i, k)| {
                    (
                        k.id.clone(),
                        (
                            form.has(&kind_field("on", i)),
                            form.get(&kind_field("wording", i)),
                        ),
                    )
                })
                .collect(),
        }
    }

    fn parse(&self, calendar: &Calendar, problems: &mut Problems) -> Option<NoticeSettings> {
        let time = |name: &str, text: &str, problems: &mut Problems| {
            // Some browsers send seconds too (06:30:00).
            let parsed = NaiveTime::parse_from_str(text.trim(), "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(text.trim(), "%H:%M:%S"))
                .ok();
            if parsed.is_none() {
                problems.add(
                    name,
                    "時刻は「06:30」のように、時と分を「:」で区切って入力してください。",
                );
            }
            parsed
        };
        let morning = time("morning_at", &self.morning_at, problems);
        let evening = time("evening_at", &self.evening_at, problems);
        let mut kinds = BTreeMap::new();
        for (i, kind) in scheduled(calendar) {
            let (on, wording) = self.kinds.get(&kind.id).cloned().unwrap_or_default();
            let field = kind_field("wording", i);
            if on && wording.trim().is_empty() {
                problems.add(
                    &field,
                    format!("「{}」の文面を入力してください。", kind.name),
                );
            } else if wording.chars().count() > MAX_WORDING_CHARS {
                problems.add(
                    &field,
                    format!(
                        "「{}」の文面は{MAX_WORDING_CHARS}文字以内にしてください。",
                        kind.name
                    ),
                );
            }
            kinds.insert(
                kind.id.clone(),
                KindNotice {
                    on,
                    wording: wording.trim().to_string(),
                },
            );
        }
        Some(NoticeSettings {
            enabled: self.enabled,
            morning_at: morning?,
            evening_at: evening?,
            kinds,
        })
        .filter(|_| problems.is_empty())
    }
}

fn scheduled(calendar: &Calendar) -> impl Iterator<Item = (usize, &tayori_garbage::Kind)> {
    calendar.kinds.iter().filter(|k| k.scheduled).enumerate()
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let records = records(&state);
    let (stored, settings) = tokio::try_join!(records.calendar(), records.notices())?;
    let form = NoticeForm::from_settings(&settings, &stored.calendar);
    let mismatch = districts::mismatch_warning(&state, &stored.calendar).await?;
    Ok(screen(
        &state,
        &page,
        &stored,
        &form,
        &Problems::default(),
        mismatch,
    ))
}

fn screen(
    state: &AdminState,
    page: &Page,
    stored: &StoredCalendar,
    form: &NoticeForm,
    problems: &Problems,
    mismatch: Markup,
) -> Response {
    let invalid = |name: &str| problems.get(name).map(|_| "true");
    let problem = |name: &str| html! { @if let Some(p) = problems.get(name) { p.problem { (p) } } };
    let body = html! {
        (problems.summary())
        (mismatch)
        p { "ごみ収集日のお知らせを受け取ると登録した市民に、登録した地区の収集日を知らせます。市民は「当日朝」か「前日夜」を選べます。"
            "収集のない日、その地区には送りません。収集中止の日は、中止の文面を送ります。" }
        form #notices-form method="post" action=(PATH) {
            (page.csrf_field())
            fieldset {
                legend { "お知らせの配信" }
                label.check { input type="radio" name="enabled" value="on" checked[form.enabled]; "配信する" }
                label.check { input type="radio" name="enabled" value="off" checked[!form.enabled]; "配信しない" }
            }
            div.actions {
                div.field {
                    label for="f-morning_at" { "当日朝の時刻" }
                    input #f-morning_at type="time" name="morning_at" value=(form.morning_at) aria-invalid=[invalid("morning_at")];
                    (problem("morning_at"))
                }
                div.field {
                    label for="f-evening_at" { "前日夜の時刻" }
                    input #f-evening_at type="time" name="evening_at" value=(form.evening_at) aria-invalid=[invalid("evening_at")];
                    (problem("evening_at"))
                }
            }
            table #kind-notices {
                caption { "ごみの種類ごとの設定（時刻は日本時間）" }
                thead { tr { th { "ごみの種類" } th { "知らせる" } th { "文面" } } }
                tbody {
                    @for (i, kind) in scheduled(&stored.calendar) {
                        @let (on, wording) = form.kinds.get(&kind.id).cloned().unwrap_or_default();
                        @let wording_field = kind_field("wording", i);
                        tr {
                            th scope="row" { (kind.name) }
                            td { label.check { input type="checkbox" name=(kind_field("on", i)) value="1" checked[on]; "知らせる" } }
                            td {
                                input.wide type="text" id=(format!("f-{wording_field}")) name=(wording_field) value=(wording) aria-label=(format!("{}の文面", kind.name))
                                    aria-invalid=[invalid(&wording_field)];
                                (problem(&wording_field))
                            }
                        }
                    }
                }
            }
            button.primary type="submit" { "保存" }
        }
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        page,
        TABS[4].0,
        stored,
        state.config.sample_calendar,
        status,
        body,
    )
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let records = records(&state);
    let stored = records.calendar().await?;
    let form = NoticeForm::from_post(&FormData::parse(&body), &stored.calendar);
    let mut problems = Problems::default();
    let Some(settings) = form.parse(&stored.calendar, &mut problems) else {
        return Ok(screen(&state, &page, &stored, &form, &problems, html! {}));
    };
    records.save_notices(&settings).await?;
    let off: Vec<&str> = scheduled(&stored.calendar)
        .filter(|(_, k)| settings.kinds.get(&k.id).is_some_and(|n| !n.on))
        .map(|(_, k)| k.name.as_str())
        .collect();
    let summary = format!(
        "{}、当日朝{}、前日夜{}{}",
        if settings.enabled {
            "配信する"
        } else {
            "配信しない"
        },
        settings.morning_at.format("%H:%M"),
        settings.evening_at.format("%H:%M"),
        if off.is_empty() {
            String::new()
        } else {
            format!("、知らせない種類：{}", off.join("・"))
        }
    );
    audit::record(
        &state,
        &actor,
        "ごみ収集のお知らせ設定を変更",
        "garbage:notices",
        summary.clone(),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("お知らせ設定を保存しました：{summary}"),
        state.config.secure_cookies,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_a_colon_and_an_empty_wording_of_an_announced_kind_are_refused() {
        let calendar = Calendar::obama_sample();
        let mut form = NoticeForm::from_settings(&NoticeSettings::default(), &calendar);
        form.morning_at = "630".into();
        let first = calendar.kinds.iter().find(|k| k.scheduled).unwrap();
        form.kinds.insert(first.id.clone(), (true, " ".into()));
        let mut problems = Problems::default();
        assert!(form.parse(&calendar, &mut problems).is_none());
        assert!(problems.get("morning_at").is_some());
        assert!(problems.get("wording-0").is_some());
    }

    #[test]
    fn the_defaults_read_back_unchanged_through_the_form() {
        let calendar = Calendar::obama_sample();
        let form = NoticeForm::from_settings(&NoticeSettings::default(), &calendar);
        let mut problems = Problems::default();
        let settings = form.parse(&calendar, &mut problems).unwrap();
        assert_eq!(settings.morning_at.format("%H:%M").to_string(), "06:30");
        assert_eq!(settings.evening_at.format("%H:%M").to_string(), "19:00");
        assert!(settings.kinds.values().all(|k| k.on));
    }
}
