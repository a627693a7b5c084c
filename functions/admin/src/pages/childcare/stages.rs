//! One stage of the schedule: new, edit, delete. A refused save keeps what was typed and shows
//! the reason beside its field. A stage's number (id) is fixed once saved: the records of which
//! children were sent the stage use it.

use super::{clerk, stage_crumbs, stage_path, MANUAL, PATH as SCHEDULE};
use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::confirm::{is_confirmed, Confirmation, CONFIRMED};
use crate::pages::forms::ip_of;
use crate::ui::form::{field, text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_childcare::ChildcareError;
use tayori_domain::childcare::{
    Stage, StageError, StageTiming, TimingKind, MAX_STAGE_TEXT, MAX_TITLE_CHARS,
};

pub const PATH: &str = "/admin/childcare/stages";
pub const NEW_PATH: &str = "/admin/childcare/stages/new";

/// The form as typed.
#[derive(Clone, Debug, Default)]
struct Typed {
    id: String,
    title: String,
    kind: String,
    days: String,
    weeks: String,
    years: String,
    months: String,
    text: String,
    link: String,
}

impl Typed {
    fn of(stage: &Stage) -> Self {
        let timing = stage.timing();
        let mut typed = Self {
            id: stage.id().to_owned(),
            title: stage.title().to_owned(),
            kind: timing.kind().code().to_owned(),
            text: stage.text().to_owned(),
            link: stage.link().unwrap_or_default().to_owned(),
            ..Self::default()
        };
        match timing {
            StageTiming::AfterPregnancyRegistered { days } => typed.days = days.to_string(),
            StageTiming::BeforeDue { weeks } => typed.weeks = weeks.to_string(),
            StageTiming::Age { years, months } => {
                typed.years = years.to_string();
                typed.months = months.to_string();
            }
        }
        typed
    }

    fn from_form(form: &FormData) -> Self {
        let text = |name: &str| form.get(name).replace("\r\n", "\n");
        Self {
            id: text("id").trim().to_owned(),
            title: text("title"),
            kind: text("kind"),
            days: text("days"),
            weeks: text("weeks"),
            years: text("years"),
            months: text("months"),
            text: text("text"),
            link: text("link"),
        }
    }

    /// The stage `id` as typed (the id is the path's when editing).
    fn stage(&self, id: &str) -> Result<Stage, StageError> {
        let kind = TimingKind::parse(&self.kind)?;
        let count = match kind {
            TimingKind::AfterPregnancyRegistered => &self.days,
            TimingKind::BeforeDue => &self.weeks,
            TimingKind::Age => &self.years,
        };
        let timing = StageTiming::from_parts(kind, count, &self.months)?;
        Stage::new(id, &self.title, timing, &self.text, Some(&self.link))
    }
}

fn problems_of(e: &StageError) -> Problems {
    let mut problems = Problems::default();
    problems.add(e.field(), e.to_string());
    problems
}

pub async fn new_form(page: Page) -> PageResult {
    let typed = Typed {
        kind: TimingKind::Age.code().to_owned(),
        ..Typed::default()
    };
    Ok(form_page(&page, None, &typed, &Problems::default()))
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let typed = Typed::from_form(&FormData::parse(&body));
    let ip = ip_of(&actor);
    let refused = match typed.stage(&typed.id) {
        Ok(stage) => {
            let title = stage.title().to_owned();
            match state.childcare.add_stage(clerk(&page, &ip)?, stage).await {
                Ok(()) => {
                    return Ok(redirect_with(
                        SCHEDULE,
                        FlashKind::Success,
                        format!("「{title}」を追加しました。"),
                        state.config.secure_cookies,
                    ))
                }
                Err(ChildcareError::Stage(e)) => e,
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => e,
    };
    Ok(unprocessable(form_page(
        &page,
        None,
        &typed,
        &problems_of(&refused),
    )))
}

/// The stage `id` of the saved schedule, or the not-found page.
async fn saved(state: &AdminState, id: &str) -> Result<Stage, ConsoleError> {
    let settings = state.childcare.settings().await?;
    settings
        .schedule
        .stage(id)
        .cloned()
        .ok_or(ConsoleError::NotFound)
}

pub async fn edit_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let stage = saved(&state, &id).await?;
    Ok(form_page(
        &page,
        Some(&id),
        &Typed::of(&stage),
        &Problems::default(),
    ))
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    saved(&state, &id).await?;
    let typed = Typed {
        id: id.clone(),
        ..Typed::from_form(&FormData::parse(&body))
    };
    let ip = ip_of(&actor);
    let refused = match typed.stage(&id) {
        Ok(stage) => match state
            .childcare
            .replace_stage(clerk(&page, &ip)?, stage)
            .await
        {
            Ok(()) => {
                return Ok(redirect_with(
                    SCHEDULE,
                    FlashKind::Success,
                    format!("「{}」を保存しました。", typed.title.trim()),
                    state.config.secure_cookies,
                ))
            }
            Err(ChildcareError::Stage(e)) => e,
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    Ok(unprocessable(form_page(
        &page,
        Some(&id),
        &typed,
        &problems_of(&refused),
    )))
}

/// Deletes after the confirmation page (which this same post shows without `confirmed`).
pub async fn delete(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let stage = saved(&state, &id).await?;
    if !is_confirmed(&FormData::parse(&body).get(CONFIRMED)) {
        let action = format!("{}/delete", stage_path(&id));
        return Ok(Confirmation {
            title: "段階の削除",
            facts: vec![
                ("番号", stage.id().to_owned()),
                ("いつ", stage.timing().label()),
                ("見出し", stage.title().to_owned()),
            ],
            warning: "削除すると、これからその時期になるお子さんの保護者にこの案内は送られません。送った記録は配信ログに残ります。".into(),
            action: action.clone(),
            fields: Vec::new(),
            button: "削除する",
            back: SCHEDULE.to_owned(),
        }
        .render(&page, &stage_crumbs("段階の削除", &action), MANUAL));
    }
    let ip = ip_of(&actor);
    let removed = state
        .childcare
        .remove_stage(clerk(&page, &ip)?, &id)
        .await?;
    Ok(redirect_with(
        SCHEDULE,
        FlashKind::Success,
        format!("「{}」を削除しました。", removed.title()),
        state.config.secure_cookies,
    ))
}

fn unprocessable(mut response: Response) -> Response {
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// The stage's form: new when `id` is `None`.
fn form_page(page: &Page, id: Option<&str>, typed: &Typed, problems: &Problems) -> Response {
    let (title, path) = match id {
        Some(id) => (format!("段階「{id}」の編集"), stage_path(id)),
        None => ("段階を追加".to_owned(), NEW_PATH.to_owned()),
    };
    let post_to = match id {
        Some(_) => path.clone(),
        None => PATH.to_owned(),
    };
    let invalid = |name: &str| problems.get(name).map(|_| "true");
    let number = |name: &'static str, value: &str| {
        html! {
            input type="text" inputmode="numeric" id=(format!("f-{name}")) name=(name) value=(value) size="4"
                aria-invalid=[invalid(name)] aria-describedby=(format!("h-{name}"));
        }
    };
    page.render(
        &title,
        &stage_crumbs(&title, &path),
        MANUAL,
        html! {
            (problems.summary())
            form #stage-form method="post" action=(post_to) {
                (page.csrf_field())
                @if let Some(id) = id {
                    p { "番号：" code #stage-id { (id) } "（送った記録に使うため、変えられません）" }
                } @else {
                    (text_field("id", "番号", &typed.id, problems, Some("半角の英小文字・数字・ハイフン（例：vaccine-2m）。保存した後は変えられません。")))
                }
                (text_field("title", "見出し", &typed.title, problems, Some(&format!("一覧で見分けるための名前です（{MAX_TITLE_CHARS}文字まで。例：生後2か月 予防接種）。"))))
                fieldset #f-kind aria-describedby="h-kind" {
                    legend { "いつ送るか" }
                    @for kind in TimingKind::ALL {
                        div {
                            label {
                                input type="radio" name="kind" value=(kind.code()) checked[typed.kind == kind.code()];
                                " " (kind.label())
                            }
                        }
                    }
                    div.hint #h-kind {
                        @if let Some(p) = problems.get("kind") { span.problem { (p) } " " }
                        "選んだ種類の欄だけを使います。"
                    }
                }
                (field("days", "妊娠届出後の日数（妊娠届出後N日）", problems, Some("0なら登録した日。お子さんを出産予定日で登録した保護者に送ります。"), number("days", &typed.days)))
                (field("weeks", "出産予定日の何週前か（出産予定日のN週前）", problems, Some("1〜40週。"), number("weeks", &typed.weeks)))
                (field("years", "年齢の歳（生後・年齢）", problems, Some("生後2か月なら空欄か0。"), number("years", &typed.years)))
                (field("months", "年齢のか月（生後・年齢）", problems, Some("0〜11。生まれた月から数え、その月の1日に届きます。"), number("months", &typed.months)))
                (field("text", "本文", problems, Some(&format!("LINEで保護者に送る文章です（{MAX_STAGE_TEXT}文字まで）。")), html! {
                    textarea #f-text name="text" rows="8" maxlength=(MAX_STAGE_TEXT) aria-describedby="h-text" aria-invalid=[invalid("text")] { (typed.text) }
                }))
                (text_field("link", "リンク（任意）", &typed.link, problems, Some("本文の後の行に添えるURL。https:// で始まるもの。")))
                button type="submit" { @if id.is_some() { "保存" } @else { "追加" } }
            }
            p { a href=(SCHEDULE) { "子育て情報の一覧に戻る" } }
        },
    )
}
