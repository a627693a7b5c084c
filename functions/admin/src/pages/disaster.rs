//! 災害対応: staff open an emergency (its name and the hazards it is for), see the one open now
//! and the past ones, and close it. While one is open every console page shows a banner, the
//! field staff may set shelter statuses, and citizens see them.
//!
//! Opening and closing go through `tayori_disaster::EmergencyDesk`, the one owner the JMA
//! poller uses too; this page parses, calls, audits and renders.

pub mod templates;

use crate::audit::{self, Actor};
use crate::pages::confirm::{is_confirmed, Confirmation, CONFIRMED};
use crate::ui::form::{text_field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, Crumb, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Path, State};
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_disaster::{DisasterError, EmergencyDesk};
use tayori_domain::emergency::{Cause, Emergency, MAX_TITLE_CHARS};
use tayori_domain::hazard::Hazard;
use tayori_domain::time::format_jst;

pub const PATH: &str = "/admin/disaster";

const CRUMBS: [Crumb<'static>; 2] = [("ホーム", "/admin"), ("災害対応", PATH)];

/// How many past emergencies the page lists.
const HISTORY: usize = 20;

fn desk(state: &AdminState) -> EmergencyDesk {
    EmergencyDesk::new(state.platform.table.clone(), state.platform.clock.clone())
}

/// The hazards' words, or what an emergency without a GSI hazard is.
pub fn hazard_words(hazards: &[Hazard]) -> String {
    if hazards.is_empty() {
        "指定なし".into()
    } else {
        hazards
            .iter()
            .map(|h| h.label())
            .collect::<Vec<_>>()
            .join("・")
    }
}

fn cause_words(cause: &Cause) -> String {
    match cause {
        Cause::Staff { by } => format!("職員（{by}）"),
        Cause::Jma { rule, .. } => format!("気象庁の情報による自動開始（ルール {rule}）"),
    }
}

/// What was typed into the open form, kept when it is refused.
#[derive(Default)]
struct Draft {
    title: String,
    hazards: Vec<Hazard>,
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    render(&state, &page, Draft::default(), Problems::default()).await
}

async fn render(state: &AdminState, page: &Page, draft: Draft, problems: Problems) -> PageResult {
    let desk = desk(state);
    let current = desk.current().await?;
    let history = desk.recent(HISTORY).await?;
    Ok(page.render(
        "災害対応",
        &CRUMBS,
        "emergency",
        html! {
            (problems.summary())
            p { "気象庁の情報による自動開始：" a href="/admin/disaster/rules" { "JMA自動切替ルール" } "　" a href="/admin/disaster/log" { "自動実行の記録" } }
            @match &current {
                Some(open) => (open_section(page, open)),
                None => (open_form(page, &draft, &problems)),
            }
            p {
                a href="/admin/emergency" { "緊急メニュー切替" }
                "（友だち全員のメニューを緊急用に切り替えるのは、別の操作です）"
            }
            h2 { "これまでの災害対応" }
            @if history.is_empty() {
                p { "まだありません。" }
            } @else {
                table {
                    thead { tr { th { "名前" } th { "災害の種類" } th { "開始" } th { "終了" } th { "開始したのは" } } }
                    tbody {
                        @for e in &history {
                            tr {
                                td { (e.title()) }
                                td { (hazard_words(e.hazards())) }
                                td { (format_jst(e.opened_at())) }
                                td {
                                    @match e.closed_at() {
                                        Some(at) => { (format_jst(at)) "（" (e.closed_by().unwrap_or("-")) "）" },
                                        None => strong { "対応中" },
                                    }
                                }
                                td { (cause_words(e.cause())) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn open_section(page: &Page, open: &Emergency) -> Markup {
    html! {
        div.status-emergency role="status" { "災害対応中：" (open.title()) }
        dl.facts {
            dt { "災害の種類" } dd { (hazard_words(open.hazards())) }
            dt { "開始" } dd { (format_jst(open.opened_at())) }
            dt { "開始したのは" } dd { (cause_words(open.cause())) }
        }
        p {
            a href="/admin/shelters/status" { "避難所の開設状況を入力する" }
        }
        form.inline method="post" action=(format!("{PATH}/{}/close", open.id())) {
            (page.csrf_field())
            button.danger type="submit" { "この災害対応を終了する" }
        }
        p.note { "終了すると、避難所の開設状況の入力ができなくなり、市民への開設状況の表示も止まります。終了は操作ログに記録されます。" }
    }
}

fn open_form(page: &Page, draft: &Draft, problems: &Problems) -> Markup {
    html! {
        div.status-normal role="status" { "現在、開始している災害対応はありません" }
        h2 { "災害対応を開始する" }
        form.narrow method="post" action=(PATH) {
            (page.csrf_field())
            (text_field("title", "名前（必須）", &draft.title, problems, Some(&format!("例：令和8年7月大雨（{MAX_TITLE_CHARS}文字以内）"))))
            fieldset {
                legend { "災害の種類（避難所の案内で使います）" }
                div.checks {
                    @for (i, hazard) in Hazard::ALL.into_iter().enumerate() {
                        label.check {
                            input type="checkbox" name="hazard" value=(hazard.code())
                                id=[(i == 0).then_some("f-hazard")]
                                checked[draft.hazards.contains(&hazard)];
                            (hazard.label())
                        }
                    }
                }
            }
            button.danger.filled type="submit" { "災害対応を開始する" }
        }
        p.note { "開始すると、管理画面の全ページに「災害対応中」と表示され、避難所の開設状況を入力できるようになります。開始は操作ログに記録されます。" }
    }
}

pub async fn open(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let draft = Draft {
        title: form.get("title"),
        hazards: form
            .all("hazard")
            .iter()
            .filter_map(|code| Hazard::from_code(code))
            .collect(),
    };
    let secure = state.config.secure_cookies;
    match desk(&state)
        .open(&draft.title, &draft.hazards, &actor.login_id())
        .await
    {
        Ok(opened) => {
            audit::record(
                &state,
                &actor,
                "災害対応を開始",
                &format!("emergency:{}", opened.id()),
                format!(
                    "「{}」（{}）",
                    opened.title(),
                    hazard_words(opened.hazards())
                ),
            )
            .await;
            Ok(redirect_with(
                PATH,
                FlashKind::Success,
                format!("災害対応「{}」を開始しました。", opened.title()),
                secure,
            ))
        }
        Err(DisasterError::Emergency(e)) => {
            let mut problems = Problems::default();
            problems.add("title", e.to_string());
            render(&state, &page, draft, problems).await
        }
        Err(e) if e.is_refusal() => {
            Ok(redirect_with(PATH, FlashKind::Error, e.to_string(), secure))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn close(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let desk = desk(&state);
    let secure = state.config.secure_cookies;
    let emergency = match desk.get(&id).await {
        Ok(emergency) => emergency,
        Err(DisasterError::EmergencyNotFound) => return Err(crate::ConsoleError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let action = format!("{PATH}/{id}/close");
    if !is_confirmed(&form.get(CONFIRMED)) {
        let confirm = Confirmation {
            title: "災害対応の終了の確認",
            facts: vec![
                ("名前", emergency.title().to_owned()),
                ("災害の種類", hazard_words(emergency.hazards())),
                ("開始", format_jst(emergency.opened_at())),
            ],
            warning: "終了すると、避難所の開設状況の入力と市民への表示が止まります。緊急メニューは自動では戻りません（緊急メニュー切替で戻してください）。".into(),
            action,
            fields: vec![],
            button: "災害対応を終了する",
            back: PATH.into(),
        };
        return Ok(confirm.render(&page, &CRUMBS, "emergency"));
    }
    match desk.close(&id, &actor.login_id()).await {
        Ok(closed) => {
            audit::record(
                &state,
                &actor,
                "災害対応を終了",
                &format!("emergency:{}", closed.id()),
                format!(
                    "「{}」（{}〜{}）",
                    closed.title(),
                    format_jst(closed.opened_at()),
                    closed.closed_at().map(format_jst).unwrap_or_default()
                ),
            )
            .await;
            Ok(redirect_with(
                PATH,
                FlashKind::Success,
                format!("災害対応「{}」を終了しました。", closed.title()),
                secure,
            ))
        }
        Err(DisasterError::EmergencyNotFound) => Err(crate::ConsoleError::NotFound),
        Err(e) if e.is_refusal() => {
            Ok(redirect_with(PATH, FlashKind::Error, e.to_string(), secure))
        }
        Err(e) => Err(e.into()),
    }
}
