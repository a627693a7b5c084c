//! 収集中止: staff stop collection (heavy snow, a road closed …) for some or all districts and
//! kinds, on one day or a range, optionally with a substitute day, and write what citizens are
//! told. Current and future suspensions are listed with a 取消 button.
//!
//! The message is pre-filled from the choices. Pages work without JavaScript, so the form
//! remembers the text it generated: if the clerk did not edit it, it is written again from
//! what was finally chosen, and an edited message is kept as typed.

use super::{date_ja, parse_date, records, render, today, TABS};
use crate::audit::{self, Actor};
use crate::ui::form::Problems;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveDate;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_garbage::{Calendar, DateRange, Districts, Suspension};
use tayori_records::StoredCalendar;

const PATH: &str = "/admin/garbage/suspensions";
/// A suspension longer than this is surely a typo in the year.
const MAX_DAYS: i64 = 62;
const MAX_MESSAGE_CHARS: usize = 500;

/// The form as typed.
#[derive(Clone, Debug, Default)]
struct SuspensionForm {
    all_districts: bool,
    districts: Vec<String>,
    all_kinds: bool,
    kinds: Vec<String>,
    from: String,
    to: String,
    reason: String,
    substitute: String,
    message: String,
    /// The message as last generated, to tell whether the clerk edited it.
    generated: String,
}

impl SuspensionForm {
    fn fresh(today: NaiveDate) -> Self {
        let mut form = SuspensionForm {
            all_districts: false,
            all_kinds: true,
            from: today.to_string(),
            reason: "大雪".into(),
            ..Default::default()
        };
        form.message = message_for(&form, None);
        form.generated = form.message.clone();
        form
    }

    fn from_post(form: &FormData) -> Self {
        SuspensionForm {
            all_districts: form.get("districts_mode") == "all",
            districts: form.all("district"),
            all_kinds: form.get("kinds_mode") != "some",
            kinds: form.all("kind"),
            from: form.get("from"),
            to: form.get("to"),
            reason: form.get("reason"),
            substitute: form.get("substitute"),
            message: form.get("message"),
            generated: form.get("generated"),
        }
    }

    /// The suspension the form describes, or what is wrong per field.
    fn parse(&self, calendar: &Calendar) -> Result<Suspension, Problems> {
        let mut problems = Problems::default();
        let districts = if self.all_districts {
            Districts::All
        } else {
            if self.districts.is_empty() {
                problems.add(
                    "districts",
                    "地区を1つ以上選ぶか、「すべての地区」を選んでください。",
                );
            }
            for d in self
                .districts
                .iter()
                .filter(|d| calendar.district(d).is_none())
            {
                problems.add("districts", format!("地区「{d}」はありません。"));
            }
            Districts::Only(self.districts.clone())
        };
        let kinds = if self.all_kinds {
            None
        } else {
            if self.kinds.is_empty() {
                problems.add(
                    "kinds",
                    "ごみの種類を1つ以上選ぶか、「すべての種類」を選んでください。",
                );
            }
            for k in self.kinds.iter().filter(|k| calendar.kind(k).is_none()) {
                problems.add("kinds", format!("ごみの種類「{k}」はありません。"));
            }
            Some(self.kinds.clone())
        };
        let from = parse_date(&self.from);
        if from.is_none() {
            problems.add("from", "中止する日（例：2027-01-05）を入力してください。");
        }
        let to = if self.to.trim().is_empty() {
            from
        } else {
            let to = parse_date(&self.to);
            if to.is_none() {
                problems.add(
                    "to",
                    "終わりの日が日付として読めません（1日だけなら空欄にしてください）。",
                );
            }
            to
        };
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                problems.add("to", "終わりの日が始まりの日より前です。");
            } else if (to - from).num_days() >= MAX_DAYS {
                problems.add(
                    "to",
                    format!("中止の期間は{MAX_DAYS}日以内にしてください。"),
                );
            }
        }
        let substitute = if self.substitute.trim().is_empty() {
            None
        } else {
            let day = parse_date(&self.substitute);
            match (day, from, to) {
                (None, _, _) => problems.add("substitute", "振替日が日付として読めません。"),
                (Some(d), Some(from), Some(to)) if from <= d && d <= to => {
                    problems.add("substitute", "振替日は中止する期間の外の日にしてください。")
                }
                _ => {}
            }
            day
        };
        if self.reason.trim().is_empty() {
            problems.add("reason", "理由（例：大雪）を入力してください。");
        }
        let message = self.final_message(calendar);
        if message.trim().is_empty() {
            problems.add("message", "市民に送る文面を入力してください。");
        } else if message.chars().count() > MAX_MESSAGE_CHARS {
            problems.add(
                "message",
                format!("文面は{MAX_MESSAGE_CHARS}文字以内にしてください。"),
            );
        }
        match (from, to) {
            (Some(from), Some(to)) if problems.is_empty() => Ok(Suspension {
                districts,
                kinds,
                range: DateRange { from, to },
                reason: self.reason.trim().to_string(),
                substitute,
                message,
            }),
            _ => Err(problems),
        }
    }

    /// The message to save: as typed, or regenerated when the clerk left the generated one.
    fn final_message(&self, calendar: &Calendar) -> String {
        if self.message.trim() == self.generated.trim() {
            message_for(self, Some(calendar))
        } else {
            self.message.trim().to_string()
        }
    }
}

/// 「大雪のため、12月15日（火）の雲浜地区のごみ収集は中止します。」 from the choices.
fn message_for(form: &SuspensionForm, calendar: Option<&Calendar>) -> String {
    let from = parse_date(&form.from);
    let to = parse_date(&form.to).filter(|to| from.is_some_and(|f| f < *to));
    let when = match (from, to) {
        (Some(f), Some(t)) => format!("{}から{}まで", date_ja(f), date_ja(t)),
        (Some(f), None) => date_ja(f),
        _ => "○月○日".into(),
    };
    let where_ = if form.all_districts {
        "全地区".to_string()
    } else if form.districts.is_empty() {
        "○○地区".to_string()
    } else {
        form.districts
            .iter()
            .map(|d| format!("{d}地区"))
            .collect::<Vec<_>>()
            .join("・")
    };
    let what = if form.all_kinds || form.kinds.is_empty() {
        "ごみ".to_string()
    } else {
        form.kinds
            .iter()
            .map(|k| {
                calendar
                    .and_then(|c| c.kind(k))
                    .map_or(k.clone(), |k| k.name.clone())
            })
            .collect::<Vec<_>>()
            .join("・")
            + "の"
    };
    let reason = if form.reason.trim().is_empty() {
        "○○"
    } else {
        form.reason.trim()
    };
    let mut message = format!("{reason}のため、{when}の{where_}の{what}収集は中止します。");
    if let Some(day) = parse_date(&form.substitute) {
        message.push_str(&format!("{}に振り替えて収集します。", date_ja(day)));
    }
    message
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let stored = records(&state).calendar().await?;
    let form = SuspensionForm::fresh(today(&state));
    Ok(screen(
        &state,
        &page,
        &stored,
        &form,
        &Problems::default(),
        StatusCode::OK,
    ))
}

fn field_problem(problems: &Problems, name: &str) -> Markup {
    html! { @if let Some(p) = problems.get(name) { p.problem id=(format!("p-{name}")) { (p) } } }
}

fn screen(
    state: &AdminState,
    page: &Page,
    stored: &StoredCalendar,
    form: &SuspensionForm,
    problems: &Problems,
    status: StatusCode,
) -> Response {
    let calendar = &stored.calendar;
    let today = today(state);
    let current: Vec<(usize, &Suspension)> = calendar
        .suspensions
        .iter()
        .enumerate()
        .filter(|(_, s)| s.range.to >= today)
        .collect();
    let past = calendar.suspensions.len() - current.len();
    let invalid = |name: &str| problems.get(name).map(|_| "true");
    let body = html! {
        (problems.summary())
        h2 { "設定中・予定の収集中止" }
        @if current.is_empty() {
            p #no-suspensions { "今日以降の収集中止はありません。" }
        } @else {
            table #suspensions {
                thead { tr { th { "期間" } th { "地区" } th { "種類" } th { "理由" } th { "振替日" } th { "市民への文面" } th { "操作" } } }
                tbody {
                    @for (index, s) in &current {
                        tr {
                            td { (range_ja(s.range)) }
                            td { (districts_ja(&s.districts)) }
                            td { (kinds_ja(calendar, s.kinds.as_deref())) }
                            td { (s.reason) }
                            td { (s.substitute.map(date_ja).unwrap_or_else(|| "なし".into())) }
                            td { (s.message) }
                            td {
                                form.inline method="post" action=(format!("{PATH}/{index}/remove")) {
                                    (page.csrf_field())
                                    input type="hidden" name="from" value=(s.range.from.to_string());
                                    input type="hidden" name="reason" value=(s.reason);
                                    button.danger type="submit" aria-label=(format!("{}（{}）の収集中止を取消", range_ja(s.range), s.reason)) { "取消" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if past > 0 { p.note { "終わった収集中止：" (past) "件（カレンダー表示で確認できます）" } }
        h2 #new { "収集を中止する" }
        form #suspension-form method="post" action=(PATH) {
            (page.csrf_field())
            fieldset {
                legend { "地区" }
                (field_problem(problems, "districts"))
                label.check { input #f-districts type="radio" name="districts_mode" value="all" checked[form.all_districts]; "すべての地区" }
                label.check { input type="radio" name="districts_mode" value="some" checked[!form.all_districts]; "次の地区だけ：" }
                div.checks {
                    @for d in &calendar.districts {
                        label.check { input type="checkbox" name="district" value=(d.name) checked[form.districts.contains(&d.name)]; (d.name) }
                    }
                }
            }
            fieldset {
                legend { "ごみの種類" }
                (field_problem(problems, "kinds"))
                label.check { input #f-kinds type="radio" name="kinds_mode" value="all" checked[form.all_kinds]; "すべての種類" }
                label.check { input type="radio" name="kinds_mode" value="some" checked[!form.all_kinds]; "次の種類だけ：" }
                div.checks {
                    @for k in calendar.kinds.iter().filter(|k| k.scheduled) {
                        label.check { input type="checkbox" name="kind" value=(k.id) checked[form.kinds.contains(&k.id)]; (k.name) }
                    }
                }
            }
            div.actions {
                div.field {
                    label for="f-from" { "中止する日（期間の始まり）" }
                    input #f-from type="date" name="from" value=(form.from) aria-invalid=[invalid("from")];
                    (field_problem(problems, "from"))
                }
                div.field {
                    label for="f-to" { "期間の終わり（1日だけなら空欄）" }
                    input #f-to type="date" name="to" value=(form.to) aria-invalid=[invalid("to")];
                    (field_problem(problems, "to"))
                }
                div.field {
                    label for="f-substitute" { "振替日（任意）" }
                    input #f-substitute type="date" name="substitute" value=(form.substitute) aria-invalid=[invalid("substitute")];
                    (field_problem(problems, "substitute"))
                }
            }
            div.field {
                label for="f-reason" { "理由" }
                input #f-reason type="text" name="reason" value=(form.reason) aria-invalid=[invalid("reason")];
                (field_problem(problems, "reason"))
            }
            div.field {
                label for="f-message" { "市民に送る文面" }
                textarea #f-message name="message" aria-invalid=[invalid("message")] aria-describedby="h-message" { (form.message) }
                input type="hidden" name="generated" value=(form.generated);
                div.hint #h-message {
                    "選んだ内容から自動で作ります。書き換えた場合は、書いたとおりに送ります。"
                    "「文面を作り直す」で、選んだ内容から作り直します。"
                }
                (field_problem(problems, "message"))
            }
            div.toolbar {
                button type="submit" name="step" value="preview" { "文面を作り直す" }
                button.primary.danger.filled type="submit" name="step" value="save" { "収集中止を設定" }
            }
        }
    };
    render(
        page,
        TABS[2].0,
        stored,
        state.config.sample_calendar,
        status,
        body,
    )
}

fn range_ja(range: DateRange) -> String {
    if range.from == range.to {
        date_ja(range.from)
    } else {
        format!("{}〜{}", date_ja(range.from), date_ja(range.to))
    }
}

fn districts_ja(districts: &Districts) -> String {
    match districts {
        Districts::All => "すべての地区".into(),
        Districts::Only(names) => names.join("・"),
    }
}

fn kinds_ja(calendar: &Calendar, kinds: Option<&[String]>) -> String {
    match kinds {
        None => "すべて".into(),
        Some(ids) => ids
            .iter()
            .map(|id| calendar.kind(id).map_or(id.as_str(), |k| k.name.as_str()))
            .collect::<Vec<_>>()
            .join("・"),
    }
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let data = FormData::parse(&body);
    let mut form = SuspensionForm::from_post(&data);
    let records = records(&state);
    let stored = records.calendar().await?;
    if data.get("step") == "preview" {
        form.message = message_for(&form, Some(&stored.calendar));
        form.generated = form.message.clone();
        return Ok(screen(
            &state,
            &page,
            &stored,
            &form,
            &Problems::default(),
            StatusCode::OK,
        ));
    }
    let now = state.platform.clock.now();
    let saved = records
        .update_calendar(&actor.login_id(), now, "収集中止を設定", |c| {
            let suspension = form.parse(c)?;
            c.suspensions.push(suspension);
            Ok::<_, Problems>(())
        })
        .await;
    Ok(match saved? {
        Err(problems) => screen(
            &state,
            &page,
            &stored,
            &form,
            &problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Ok(saved) => {
            let s = saved.calendar.suspensions.last().expect("just added");
            let summary = format!(
                "{}、{}、{}：{}",
                range_ja(s.range),
                districts_ja(&s.districts),
                kinds_ja(&saved.calendar, s.kinds.as_deref()),
                s.reason
            );
            audit::record(
                &state,
                &actor,
                "ごみ収集を中止",
                &format!("garbage:suspension:{}", s.range.from),
                summary.clone(),
            )
            .await;
            redirect_with(
                PATH,
                FlashKind::Success,
                format!("収集中止を設定しました：{summary}"),
                state.config.secure_cookies,
            )
        }
    })
}

/// Removes one suspension. The list's index alone could point at another suspension if a
/// colleague removed one meanwhile, so its first day and reason must match too.
pub async fn remove(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(index): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let Ok(index) = index.parse::<usize>() else {
        return Err(ConsoleError::NotFound);
    };
    let (from, reason) = (parse_date(&form.get("from")), form.get("reason"));
    let now = state.platform.clock.now();
    let removed = records(&state)
        .update_calendar(&actor.login_id(), now, "収集中止を取消", |c| {
            match c.suspensions.get(index) {
                Some(s) if Some(s.range.from) == from && s.reason == reason => {
                    Ok::<_, ()>(c.suspensions.remove(index))
                }
                _ => Err(()),
            }
            .map(|_| ())
        })
        .await;
    let secure = state.config.secure_cookies;
    Ok(match removed? {
        Err(()) => redirect_with(
            PATH,
            FlashKind::Error,
            "その収集中止は見つかりませんでした。ほかの職員が先に取り消した可能性があります。一覧を確認してください。",
            secure,
        ),
        Ok(_) => {
            let summary = format!(
                "{}（{}）",
                from.map(date_ja).unwrap_or_default(),
                reason
            );
            audit::record(
                &state,
                &actor,
                "ごみ収集の中止を取消",
                &format!("garbage:suspension:{}", form.get("from")),
                summary.clone(),
            )
            .await;
            redirect_with(
                PATH,
                FlashKind::Success,
                format!("収集中止を取り消しました：{summary}"),
                secure,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(districts: &[&str], from: &str, to: &str) -> SuspensionForm {
        SuspensionForm {
            districts: districts.iter().map(|d| d.to_string()).collect(),
            all_kinds: true,
            from: from.into(),
            to: to.into(),
            reason: "大雪".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_generated_message_reads_as_the_city_writes_it() {
        let f = form(&["雲浜"], "2026-12-15", "");
        assert_eq!(
            message_for(&f, None),
            "大雪のため、12月15日（火）の雲浜地区のごみ収集は中止します。"
        );
    }

    #[test]
    fn an_unedited_message_follows_the_final_choices_and_an_edited_one_is_kept() {
        let calendar = Calendar::obama_sample();
        let mut f = form(&["雲浜"], "2026-12-15", "");
        f.message = message_for(&f, None);
        f.generated = f.message.clone();
        f.districts.push("西津".into());
        let s = f.parse(&calendar).unwrap();
        assert!(s.message.contains("雲浜地区・西津地区"), "{}", s.message);
        f.message = "本日は大雪のため収集しません。".into();
        assert_eq!(
            f.parse(&calendar).unwrap().message,
            "本日は大雪のため収集しません。"
        );
    }

    #[test]
    fn a_range_ending_before_it_starts_and_an_unknown_district_are_refused() {
        let calendar = Calendar::obama_sample();
        let mut f = form(&["どこか"], "2026-12-15", "2026-12-14");
        f.message = "x".into();
        let problems = f.parse(&calendar).unwrap_err();
        assert!(problems.get("to").is_some());
        assert!(problems.get("districts").unwrap().contains("どこか"));
    }

    #[test]
    fn an_empty_message_is_refused() {
        let calendar = Calendar::obama_sample();
        let mut f = form(&["雲浜"], "2026-12-15", "");
        f.message = "  ".into();
        f.generated = "前の文面".into();
        assert!(f.parse(&calendar).unwrap_err().get("message").is_some());
    }
}
