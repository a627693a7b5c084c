//! プレビュー: the saved form as a citizen sees it, drawn here in a 390 px phone frame (the LIFF
//! page's width): the title, description, period, each field a citizen answers with its kind's
//! input, and the slots of a reservation. Staff-only fields are not in it, as they are not on the
//! citizen's page; fields shown under a condition say so. Nothing in it posts.

use super::{account, preview_path, tabs, visible, MANUAL, PATH};
use crate::error::PageResult;
use crate::ui::Page;
use crate::AdminState;
use axum::extract::{Path, State};
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::form::{format_bytes, Field, FieldKind, Form};

/// `GET /admin/forms/{id}/preview`.
pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let by = account(&page)?;
    let listing = match visible(&state, by, &id).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let form = &listing.form;
    let here = preview_path(&id);
    let title = format!("{} のプレビュー", form.title());
    Ok(page.render(
        &title,
        &[
            ("ホーム", "/admin"),
            ("フォーム", PATH),
            (form.title(), &super::form_path(&id)),
            ("プレビュー", &here),
        ],
        MANUAL,
        html! {
            (tabs(&page, form, &here))
            p.note { "保存されている内容を、市民のスマートフォン（幅390px）での見え方で表示しています。管理者用の項目は表示されません。ここからは送信できません。" }
            div.phone-frame #phone-preview role="region" aria-label="スマートフォンでの表示" {
                (citizen_view(form))
            }
        },
    ))
}

/// The citizen's page for `form`, inputs disabled.
pub fn citizen_view(form: &Form) -> Markup {
    html! {
        div.phone-screen {
            h2.phone-title { (form.title()) }
            @if !form.description().is_empty() { p.phone-description { (form.description()) } }
            p.phone-period { "受付期間：" (form.period_label()) }
            @if !form.slots().is_empty() {
                fieldset.phone-field {
                    legend { "予約枠" span.required { "必須" } }
                    @for slot in form.slots() {
                        label.phone-choice { input type="radio" name="slot" disabled; (slot.label()) "（定員" (slot.capacity) "）" }
                    }
                }
            }
            @for field in form.citizen_fields() {
                (citizen_field(form, field))
            }
            p { button.phone-submit type="button" disabled { "確認画面へ" } }
        }
    }
}

fn condition_note(form: &Form, field: &Field) -> Markup {
    html! {
        @if let Some(c) = &field.show_when {
            @let on = form.field(&c.field).map_or(c.field.as_str(), |f| f.label.as_str());
            p.phone-condition { "「" (on) "」が「" (condition_value(&c.equals)) "」のときに表示" }
        }
    }
}

fn condition_value(value: &str) -> &str {
    match value {
        tayori_domain::form::field::CONSENT_GIVEN => "同意する",
        tayori_domain::form::field::CONSENT_NOT_GIVEN => "同意しない",
        v => v,
    }
}

fn citizen_field(form: &Form, f: &Field) -> Markup {
    let id = format!("preview-{}", f.id);
    let label = html! {
        (f.label) @if f.required { " " span.required { "必須" } } @if f.personal { " " span.personal { "個人情報" } }
    };
    let help = html! { @if !f.help.is_empty() { p.phone-help { (f.help) } } };
    html! {
        div.phone-field {
            (condition_note(form, f))
            @match &f.kind {
                FieldKind::Heading => { h3 { (f.label) } }
                FieldKind::Description { text } => { h3 { (f.label) } p { (text) } }
                FieldKind::SingleChoice { choices } | FieldKind::MultipleChoice { choices, .. } => {
                    fieldset {
                        legend { (label) }
                        (help)
                        @let kind = if matches!(f.kind, FieldKind::SingleChoice { .. }) { "radio" } else { "checkbox" };
                        @for c in choices {
                            label.phone-choice { input type=(kind) name=(id) disabled; (c) }
                        }
                    }
                }
                FieldKind::Consent { text } => {
                    fieldset {
                        legend { (label) }
                        p.phone-consent { (text) }
                        label.phone-choice { input type="checkbox" disabled; "同意する" }
                    }
                }
                kind => {
                    label for=(id) { (label) }
                    (help)
                    (citizen_input(&id, kind))
                }
            }
        }
    }
}

fn citizen_input(id: &str, kind: &FieldKind) -> Markup {
    html! {
        @match kind {
            FieldKind::LongText { .. } => { textarea id=(id) rows="4" disabled {} }
            FieldKind::Dropdown { choices } => {
                select id=(id) disabled {
                    option { "選んでください" }
                    @for c in choices { option { (c) } }
                }
            }
            FieldKind::File { types, max_bytes, max_files } => {
                input id=(id) type="file" disabled;
                p.phone-help {
                    (types.iter().map(|t| t.label()).collect::<Vec<_>>().join("・"))
                    "、1ファイル" (format_bytes(*max_bytes)) "まで、" (max_files) "ファイルまで"
                }
            }
            FieldKind::Number { .. } => { input id=(id) type="text" inputmode="decimal" disabled; }
            FieldKind::Email => { input id=(id) type="email" disabled; }
            FieldKind::Phone => { input id=(id) type="tel" disabled; }
            FieldKind::PostalCode => { input id=(id) type="text" inputmode="numeric" placeholder="917-8585" disabled; }
            FieldKind::Date { .. } => { input id=(id) type="date" disabled; }
            FieldKind::Time => { input id=(id) type="time" disabled; }
            _ => { input id=(id) type="text" disabled; }
        }
    }
}
