//! 相談の設定: office hours (weekly, JST, and closed dates), after how many hours without a
//! reply a case is marked, how often the after-hours reply may repeat, and the reply templates.
//! The desk audits each save.

use super::{account, clerk, ip_of, MANUAL, PATH as CONSULTATIONS};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::ui::form::Problems;
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_consultations::ConsultationDeskError;
use tayori_domain::consultation::{ConsultationSettings, DaySpan, OfficeHours, MAX_TEXT_CHARS};
use tayori_domain::report::ResponseTemplate;

pub const PATH: &str = "/admin/consultations/settings";
pub const TEMPLATES_PATH: &str = "/admin/consultations/templates";

/// The form as typed: seven (opens, closes) pairs, the closed dates, the two numbers.
#[derive(Clone, Debug, Default)]
struct Typed {
    week: Vec<(String, String)>,
    closed_dates: String,
    reply_wait_hours: String,
    auto_reply_minutes: String,
}

impl Typed {
    fn of(settings: &ConsultationSettings) -> Self {
        let hours = settings.office_hours();
        Self {
            week: hours
                .week()
                .iter()
                .map(|day| match day {
                    Some(span) => (
                        span.opens().format("%H:%M").to_string(),
                        span.closes().format("%H:%M").to_string(),
                    ),
                    None => (String::new(), String::new()),
                })
                .collect(),
            closed_dates: hours
                .closed_dates()
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            reply_wait_hours: settings.reply_wait_hours().to_string(),
            auto_reply_minutes: settings.auto_reply_every_minutes().to_string(),
        }
    }

    fn from_form(form: &FormData) -> Self {
        Self {
            week: (0..7)
                .map(|i| {
                    (
                        form.get(&format!("opens{i}")),
                        form.get(&format!("closes{i}")),
                    )
                })
                .collect(),
            closed_dates: form.get("closed_dates"),
            reply_wait_hours: form.get("reply_wait_hours"),
            auto_reply_minutes: form.get("auto_reply_minutes"),
        }
    }

    /// The settings, or the problems tied to their fields.
    fn settings(&self) -> Result<ConsultationSettings, Problems> {
        let mut problems = Problems::default();
        let mut week = [None; 7];
        for (i, (opens, closes)) in self.week.iter().enumerate() {
            match DaySpan::parse(OfficeHours::weekday_label(i), opens, closes) {
                Ok(span) => week[i] = span,
                Err(e) => problems.add(&format!("opens{i}"), e.to_string()),
            }
        }
        let closed = OfficeHours::parse_closed_dates(&self.closed_dates).unwrap_or_else(|e| {
            problems.add("closed_dates", e.to_string());
            Default::default()
        });
        let number = |raw: &str| raw.parse::<u32>().unwrap_or(0);
        let settings = ConsultationSettings::new(
            OfficeHours::new(week, closed),
            number(&self.reply_wait_hours),
            number(&self.auto_reply_minutes),
        );
        match settings {
            Ok(s) if problems.is_empty() => Ok(s),
            Ok(_) => Err(problems),
            Err(e) => {
                let field = match e {
                    tayori_domain::consultation::SettingsError::ReplyWait => "reply_wait_hours",
                    tayori_domain::consultation::SettingsError::AutoReplyInterval => {
                        "auto_reply_minutes"
                    }
                };
                problems.add(field, e.to_string());
                Err(problems)
            }
        }
    }
}

fn render(
    page: &Page,
    typed: &Typed,
    problems: &Problems,
    templates: &[ResponseTemplate],
) -> axum::response::Response {
    let problem = |name: &str| problems.get(name).map(str::to_string);
    page.render(
        "相談の設定",
        &[("ホーム", "/admin"), ("相談", CONSULTATIONS), ("設定", PATH)],
        MANUAL,
        html! {
            (problems.summary())
            h2 { "受付時間" }
            form #hours-form method="post" action=(PATH) {
                (page.csrf_field())
                p.hint { "受付時間外に市民がメッセージを送ると、次に受付を始める日時を自動で返信します。休みの曜日は空欄にします。" }
                table {
                    thead { tr { th { "曜日" } th { "開始" } th { "終了" } } }
                    tbody {
                        @for (i, (opens, closes)) in typed.week.iter().enumerate() {
                            tr {
                                th { (OfficeHours::weekday_label(i)) }
                                td { input type="text" name=(format!("opens{i}")) id=(format!("f-opens{i}")) value=(opens) size="5" placeholder="8:30"
                                    aria-label=(format!("{}の開始", OfficeHours::weekday_label(i))); }
                                td { input type="text" name=(format!("closes{i}")) value=(closes) size="5" placeholder="17:15"
                                    aria-label=(format!("{}の終了", OfficeHours::weekday_label(i))); }
                            }
                            @if let Some(p) = problem(&format!("opens{i}")) {
                                tr { td colspan="3" { span.problem { (p) } } }
                            }
                        }
                    }
                }
                div.field {
                    label for="f-closed_dates" { "休業日（1行に1日、2026-12-29 の形）" }
                    textarea #f-closed_dates name="closed_dates" rows="5" { (typed.closed_dates) }
                    @if let Some(p) = problem("closed_dates") { div.hint { span.problem { (p) } } }
                }
                div.field {
                    label for="f-reply_wait_hours" { "返信がないまま何時間たった相談を強調するか（時間）" }
                    input #f-reply_wait_hours type="text" name="reply_wait_hours" value=(typed.reply_wait_hours) size="4";
                    @if let Some(p) = problem("reply_wait_hours") { div.hint { span.problem { (p) } } }
                }
                div.field {
                    label for="f-auto_reply_minutes" { "受付時間外の自動返信を同じ市民に再び送るまでの間隔（分）" }
                    input #f-auto_reply_minutes type="text" name="auto_reply_minutes" value=(typed.auto_reply_minutes) size="5";
                    @if let Some(p) = problem("auto_reply_minutes") { div.hint { span.problem { (p) } } }
                }
                button.primary type="submit" { "保存" }
            }
            h2 { "定型文" }
            @if templates.is_empty() {
                p { "定型文はまだありません。" }
            } @else {
                table #consultation-templates {
                    thead { tr { th { "名前" } th { "本文" } th {} } }
                    tbody {
                        @for t in templates {
                            tr {
                                td { (t.name()) }
                                td { (t.text()) }
                                td {
                                    form.inline method="post" action=(format!("{TEMPLATES_PATH}/{}/delete", t.id())) {
                                        (page.csrf_field())
                                        button.danger type="submit" { "削除" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form #template-form method="post" action=(TEMPLATES_PATH) {
                (page.csrf_field())
                div.field {
                    label for="f-name" { "名前" }
                    input #f-name type="text" name="name";
                }
                div.field {
                    label for="f-text" { "本文（返信欄に入ります）" }
                    textarea #f-text name="text" rows="3" maxlength=(MAX_TEXT_CHARS) {}
                }
                button type="submit" { "定型文を追加" }
            }
        },
    )
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page, actor: Actor) -> PageResult {
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let settings = state.consultations.settings().await?;
    let templates = state.consultations.templates(clerk(by, &ip)).await?;
    Ok(render(
        &page,
        &Typed::of(&settings),
        &Problems::default(),
        &templates,
    ))
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let typed = Typed::from_form(&FormData::parse(&body));
    match typed.settings() {
        Ok(settings) => {
            state
                .consultations
                .save_settings(clerk(by, &ip), &settings)
                .await?;
            Ok(redirect_with(
                PATH,
                FlashKind::Success,
                "相談の設定を保存しました。",
                state.config.secure_cookies,
            ))
        }
        Err(problems) => {
            let templates = state.consultations.templates(clerk(by, &ip)).await?;
            Ok(render(&page, &typed, &problems, &templates))
        }
    }
}

pub async fn add_template(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let form = FormData::parse(&body);
    let saved = state
        .consultations
        .save_template(
            clerk(by, &ip),
            None,
            &form.get("name"),
            &form.secret("text"),
        )
        .await;
    let (kind, text) = match saved {
        Ok(t) => (
            FlashKind::Success,
            format!("定型文「{}」を追加しました。", t.name()),
        ),
        Err(ConsultationDeskError::Template(e)) => (FlashKind::Error, e.to_string()),
        Err(e) => return Err(e.into()),
    };
    Ok(redirect_with(PATH, kind, text, state.config.secure_cookies))
}

pub async fn delete_template(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let by = account(&page)?;
    let ip = ip_of(&actor);
    state
        .consultations
        .delete_template(clerk(by, &ip), &id)
        .await?;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        "定型文を削除しました。",
        state.config.secure_cookies,
    ))
}
