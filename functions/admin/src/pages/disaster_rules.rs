//! JMA自動切替ルール: the rules that let a JMA message open an emergency, switch the menu and
//! post a first message by itself. Shipped rules come disabled; a clerk reads each and turns
//! it on here, and every change is in the audit log.

use crate::audit::{self, Actor};
use crate::ui::form_data::FormData;
use crate::ui::Crumb;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::{Path, State};
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_disaster::RuleDesk;
use tayori_domain::emergency_rule::{area, EmergencyRule};
use tayori_domain::time::format_jst;

const CRUMBS: [Crumb<'static>; 2] = [
    ("ホーム", "/admin"),
    ("JMA自動切替ルール", "/admin/disaster/rules"),
];

fn desk(state: &AdminState) -> RuleDesk {
    RuleDesk::new(state.platform.table.clone(), state.platform.clock.clone())
}

fn areas(rule: &EmergencyRule) -> String {
    rule.areas()
        .iter()
        .map(|c| area(c).map_or(c.clone(), |a| a.name.to_owned()))
        .collect::<Vec<_>>()
        .join("、")
}

fn actions(rule: &EmergencyRule) -> Vec<String> {
    let mut done = Vec::new();
    if rule.open_emergency() {
        let hazards: Vec<&str> = rule.hazards().iter().map(|h| h.label()).collect();
        done.push(format!("災害対応を開始（{}）", hazards.join("・")));
    }
    if rule.switch_menu() {
        done.push("緊急メニューに切替".into());
    }
    done.push(format!(
        "最初のメッセージ：{}",
        rule.first_message().label()
    ));
    done
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let rules = desk(&state).list().await?;
    Ok(page.render(
        "JMA自動切替ルール",
        &CRUMBS,
        "emergency",
        html! {
            p.note { "気象庁の防災情報XML（1分ごとに取得）が、有効なルールの条件に合うと、Tayoriが自動で動きます。訓練・試験の電文、取消、継続・解除は動きません。解除は職員へのお知らせだけで、メニューは戻しません。" }
            p { a href="/admin/disaster/log" { "自動実行の記録を見る" } }
            table {
                thead { tr { th { "ルール" } th { "条件" } th { "地域" } th { "動作" } th { "状態" } } }
                tbody {
                    @for rule in &rules {
                        tr {
                            td { (rule.name()) br; small { "更新：" (format_jst(rule.updated_at())) "　" (rule.updated_by()) } }
                            td { (rule.trigger().describe()) }
                            td { (areas(rule)) }
                            td {
                                ul { @for a in actions(rule) { li { (a) } } }
                                @if let Some(text) = rule.first_message().text() {
                                    details { summary { "本文" } p { (text) } }
                                }
                            }
                            td {
                                form method="post" action=(format!("/admin/disaster/rules/{}/enabled", rule.id())) {
                                    (page.csrf_field())
                                    @if rule.enabled() {
                                        strong { "有効" } " "
                                        input type="hidden" name="enabled" value="no";
                                        button.secondary type="submit" { "無効にする" }
                                    } @else {
                                        span { "無効" } " "
                                        input type="hidden" name="enabled" value="yes";
                                        button.primary type="submit" { "有効にする" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn set_enabled(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let enabled = form.get("enabled") == "yes";
    let secure = state.config.secure_cookies;
    match desk(&state)
        .set_enabled(&id, enabled, &actor.login_id())
        .await
    {
        Ok(change) => {
            let word = if enabled { "有効" } else { "無効" };
            audit::record(
                &state,
                &actor,
                &format!("JMA自動切替ルールを{word}に"),
                &format!("jma-rule:{id}"),
                change.after.name().to_owned(),
            )
            .await;
            Ok(redirect_with(
                "/admin/disaster/rules",
                FlashKind::Success,
                format!("「{}」を{word}にしました。", change.after.name()),
                secure,
            ))
        }
        Err(e) if e.is_refusal() => Ok(redirect_with(
            "/admin/disaster/rules",
            FlashKind::Error,
            e.to_string(),
            secure,
        )),
        Err(e) => Err(e.into()),
    }
}
