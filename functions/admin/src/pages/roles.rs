//! 役割のひな形: named permission sets that new accounts start from. Staff copy and edit them;
//! changing a preset never changes the accounts made from it. Only permissions with pages today
//! are shown and offered; a stored preset holding another keeps it through an edit.

use super::permission_advice::{advice, warnings};
use crate::audit::{self, Actor};
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::staff::{Permission, PermissionSet, RolePreset};

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let presets = state.staff.presets().await?;
    Ok(page.render(
        "役割のひな形",
        &[("ホーム", "/admin"), ("役割のひな形", "/admin/roles")],
        "roles",
        html! {
            p { "職員を追加するときに、権限の組み合わせをひな形から選べます。ひな形を変えても、作成済みのアカウントの権限は変わりません。" }
            table {
                thead { tr { th { "名前" } th { "説明" } th { "権限" } th { "操作" } } }
                tbody {
                    @for (i, p) in presets.iter().enumerate() {
                        tr {
                            td { a href=(format!("/admin/roles/{i}")) { (p.name) } }
                            td { (p.description) }
                            td { (p.permissions.live().map(|x| x.label()).collect::<Vec<_>>().join("、")) }
                            td { a href=(format!("/admin/roles/new?from={i}")) { "コピーして作成" } }
                        }
                    }
                }
            }
            a.button.primary href="/admin/roles/new" { "ひな形を追加" }
        },
    ))
}

fn form_page(
    page: &Page,
    title: &str,
    action: &str,
    preset: &RolePreset,
    problems: &Problems,
    deletable: bool,
) -> Response {
    page.render(
        title,
        &[("ホーム", "/admin"), ("役割のひな形", "/admin/roles"), (title, "")],
        "roles",
        html! {
            (problems.summary())
            (warnings(&advice(&preset.permissions.iter().collect::<Vec<_>>(), None)))
            form method="post" action=(action) {
                (page.csrf_field())
                (text_field("name", "名前", &preset.name, problems, None))
                (text_field("description", "説明", &preset.description, problems, None))
                fieldset {
                    legend { "権限" }
                    div.checks {
                        @for p in Permission::offered() {
                            label.check { input type="checkbox" name="perm" value=(p.code()) checked[preset.permissions.contains(p)]; (p.label()) }
                        }
                    }
                    @for p in preset.permissions.not_yet_live() {
                        input type="hidden" name="perm" value=(p.code());
                    }
                }
                button.primary type="submit" { "保存" }
            }
            @if deletable {
                form method="post" action=(format!("{action}/delete")) {
                    (page.csrf_field())
                    button.danger type="submit" { "このひな形を削除" }
                }
            }
        },
    )
}

#[derive(Deserialize, Default)]
pub struct FromQuery {
    from: Option<usize>,
}

pub async fn new_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Query(q): Query<FromQuery>,
) -> PageResult {
    let presets = state.staff.presets().await?;
    let preset = match q.from.and_then(|i| presets.get(i)) {
        Some(p) => RolePreset {
            name: format!("{}のコピー", p.name),
            ..p.clone()
        },
        None => RolePreset {
            name: String::new(),
            description: String::new(),
            permissions: PermissionSet::default(),
        },
    };
    Ok(form_page(
        &page,
        "ひな形を追加",
        "/admin/roles",
        &preset,
        &Problems::default(),
        false,
    ))
}

fn parse(body: &Bytes, problems: &mut Problems) -> RolePreset {
    let form = FormData::parse(body);
    let preset = RolePreset {
        name: form.get("name"),
        description: form.get("description"),
        permissions: form
            .all("perm")
            .iter()
            .filter_map(|c| Permission::from_code(c))
            .collect(),
    };
    if preset.name.is_empty() || preset.name.chars().count() > 40 {
        problems.add("name", "名前を40文字以内で入力してください。");
    }
    preset
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let mut all = state.staff.presets().await?;
    let mut problems = Problems::default();
    let preset = parse(&body, &mut problems);
    if all.iter().any(|p| p.name == preset.name) {
        problems.add("name", "同じ名前のひな形があります。");
    }
    if !problems.is_empty() {
        return Ok(form_page(
            &page,
            "ひな形を追加",
            "/admin/roles",
            &preset,
            &problems,
            false,
        ));
    }
    all.push(preset.clone());
    save(&state, &actor, &all, "役割のひな形を追加", &preset.name).await
}

async fn save(
    state: &AdminState,
    actor: &Actor,
    all: &[RolePreset],
    action: &str,
    name: &str,
) -> PageResult {
    state.staff.save_presets(all).await?;
    audit::record(state, actor, action, &format!("role:{name}"), "").await;
    Ok(redirect_with(
        "/admin/roles",
        FlashKind::Success,
        format!("「{name}」を保存しました。"),
        state.config.secure_cookies,
    ))
}

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(i): Path<usize>,
) -> PageResult {
    Ok(match state.staff.presets().await?.get(i) {
        Some(p) => form_page(
            &page,
            &p.name.clone(),
            &format!("/admin/roles/{i}"),
            p,
            &Problems::default(),
            true,
        ),
        None => return Err(ConsoleError::NotFound),
    })
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(i): Path<usize>,
    body: Bytes,
) -> PageResult {
    let mut all = state.staff.presets().await?;
    if i >= all.len() {
        return Err(ConsoleError::NotFound);
    }
    let mut problems = Problems::default();
    let preset = parse(&body, &mut problems);
    if all
        .iter()
        .enumerate()
        .any(|(j, p)| j != i && p.name == preset.name)
    {
        problems.add("name", "同じ名前のひな形があります。");
    }
    if !problems.is_empty() {
        return Ok(form_page(
            &page,
            &all[i].name.clone(),
            &format!("/admin/roles/{i}"),
            &preset,
            &problems,
            true,
        ));
    }
    all[i] = preset.clone();
    save(&state, &actor, &all, "役割のひな形を変更", &preset.name).await
}

pub async fn delete(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(i): Path<usize>,
) -> PageResult {
    let mut all = state.staff.presets().await?;
    if i >= all.len() {
        return Err(ConsoleError::NotFound);
    }
    let removed = all.remove(i);
    state.staff.save_presets(&all).await?;
    audit::record(
        &state,
        &actor,
        "役割のひな形を削除",
        &format!("role:{}", removed.name),
        "",
    )
    .await;
    Ok(redirect_with(
        "/admin/roles",
        FlashKind::Success,
        format!("「{}」を削除しました。", removed.name),
        state.config.secure_cookies,
    ))
}
