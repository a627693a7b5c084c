//! 定型文 (response templates): public comments staff use often, picked on a report's status
//! form and edited there before sending. List, add, edit, delete; each audited.

use super::{MANUAL, PATH as REPORTS};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::report::template::MAX_TEMPLATE_NAME_CHARS;
use tayori_domain::report::{ResponseTemplate, TemplateError, MAX_COMMENT_CHARS};
use tayori_reporting::DeskError;

pub const PATH: &str = "/admin/reports/templates";

fn template_path(id: &str) -> String {
    format!("{PATH}/{id}")
}

fn form_of(
    page: &Page,
    action: &str,
    name: &str,
    text: &str,
    problems: &Problems,
    button: &str,
) -> maud::Markup {
    html! {
        form.narrow #template-form method="post" action=(action) {
            (page.csrf_field())
            (text_field("name", "名前（職員が選ぶときに見る）", name, problems, Some(&format!("{MAX_TEMPLATE_NAME_CHARS}文字以内"))))
            div.field {
                label for="f-text" { "本文（市民へのコメントに入ります）" }
                textarea #f-text name="text" rows="4" maxlength=(MAX_COMMENT_CHARS) aria-describedby="h-text"
                    aria-invalid=[problems.get("text").map(|_| "true")] { (text) }
                div.hint #h-text {
                    @if let Some(p) = problems.get("text") { span.problem { (p) } " " }
                    (MAX_COMMENT_CHARS) "文字以内"
                }
            }
            button.primary type="submit" { (button) }
        }
    }
}

fn list_page(
    page: &Page,
    all: &[ResponseTemplate],
    name: &str,
    text: &str,
    problems: &Problems,
) -> Response {
    page.render(
        "定型文",
        &[("ホーム", "/admin"), ("通報", REPORTS), ("定型文", PATH)],
        MANUAL,
        html! {
            (problems.summary())
            @if all.is_empty() {
                p { "定型文はまだありません。" }
            } @else {
                table #templates {
                    thead { tr { th { "名前" } th { "本文" } } }
                    tbody {
                        @for t in all {
                            tr { td { a href=(template_path(t.id())) { (t.name()) } } td { (t.text()) } }
                        }
                    }
                }
            }
            h2 { "定型文を追加" }
            (form_of(page, PATH, name, text, problems, "追加"))
        },
    )
}

fn problems_of(e: &TemplateError) -> Problems {
    let mut p = Problems::default();
    let field = match e {
        TemplateError::NoName | TemplateError::NameTooLong => "name",
        TemplateError::NoText | TemplateError::TextTooLong => "text",
    };
    p.add(field, e.to_string());
    p
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let all = state.reports.templates().await?;
    Ok(list_page(&page, &all, "", "", &Problems::default()))
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (name, text) = (form.get("name"), form.secret("text"));
    match state.reports.save_template(None, &name, &text).await {
        Ok(t) => {
            audit::record(
                &state,
                &actor,
                "定型文を追加",
                &format!("report-template:{}", t.id()),
                format!("（新規） → 「{}」{}", t.name(), t.text()),
            )
            .await;
            Ok(redirect_with(
                PATH,
                FlashKind::Success,
                format!("定型文「{}」を追加しました。", t.name()),
                state.config.secure_cookies,
            ))
        }
        Err(DeskError::Template(e)) => {
            let all = state.reports.templates().await?;
            Ok(list_page(&page, &all, &name, &text, &problems_of(&e)))
        }
        Err(e) => Err(e.into()),
    }
}

async fn existing(state: &AdminState, id: &str) -> Result<ResponseTemplate, crate::ConsoleError> {
    state
        .reports
        .templates()
        .await?
        .into_iter()
        .find(|t| t.id() == id)
        .ok_or(crate::ConsoleError::NotFound)
}

fn edit_page(
    page: &Page,
    t: &ResponseTemplate,
    name: &str,
    text: &str,
    problems: &Problems,
) -> Response {
    let here = template_path(t.id());
    page.render(
        &format!("定型文「{}」", t.name()),
        &[
            ("ホーム", "/admin"),
            ("通報", REPORTS),
            ("定型文", PATH),
            (t.name(), &here),
        ],
        MANUAL,
        html! {
            (problems.summary())
            (form_of(page, &here, name, text, problems, "保存"))
            form.inline method="post" action=(format!("{here}/delete")) {
                (page.csrf_field())
                button.danger type="submit" { "この定型文を削除" }
            }
        },
    )
}

pub async fn edit_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let t = existing(&state, &id).await?;
    Ok(edit_page(
        &page,
        &t,
        t.name(),
        t.text(),
        &Problems::default(),
    ))
}

pub async fn save(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let before = existing(&state, &id).await?;
    let form = FormData::parse(&body);
    let (name, text) = (form.get("name"), form.secret("text"));
    match state.reports.save_template(Some(&id), &name, &text).await {
        Ok(t) => {
            audit::record(
                &state,
                &actor,
                "定型文を変更",
                &format!("report-template:{id}"),
                format!(
                    "「{}」{} → 「{}」{}",
                    before.name(),
                    before.text(),
                    t.name(),
                    t.text()
                ),
            )
            .await;
            Ok(redirect_with(
                PATH,
                FlashKind::Success,
                format!("定型文「{}」を保存しました。", t.name()),
                state.config.secure_cookies,
            ))
        }
        Err(DeskError::Template(e)) => {
            Ok(edit_page(&page, &before, &name, &text, &problems_of(&e)))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let gone = state.reports.delete_template(&id).await?;
    audit::record(
        &state,
        &actor,
        "定型文を削除",
        &format!("report-template:{id}"),
        format!("「{}」{} → （削除）", gone.name(), gone.text()),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        format!("定型文「{}」を削除しました。", gone.name()),
        state.config.secure_cookies,
    ))
}
