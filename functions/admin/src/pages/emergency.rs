//! 緊急メニュー切替: one button each way, with the reason recorded (6.2.3.1).

use crate::audit::{self, Actor};
use crate::ui::form_data::FormData;
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::richmenu::MenuMode;
use tayori_domain::time::format_jst;
use tayori_menus::{describe_line_error, PublishError, SwitchOutcome};
use tayori_records::RichMenus;

/// A designated menu's name and whether it is published.
async fn described(menus: &RichMenus, id: Option<&str>) -> Option<(String, bool)> {
    let menu = menus.get(id?).await.ok().flatten()?;
    Some((menu.draft.name, menu.line_id.is_some()))
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> Response {
    let menus = RichMenus::new(state.platform.table.clone());
    let designation = match menus.designation().await {
        Ok(d) => d,
        Err(e) => return ui::unavailable(&e),
    };
    let normal = described(&menus, designation.normal.as_deref()).await;
    let emergency = described(&menus, designation.emergency.as_deref()).await;
    let mode = designation.mode();
    let target = match mode {
        MenuMode::Normal => MenuMode::Emergency,
        MenuMode::Emergency => MenuMode::Normal,
    };
    page.render(
        "緊急メニュー切替",
        &[("ホーム", "/admin"), ("緊急メニュー切替", "/admin/emergency")],
        "emergency",
        html! {
            @match mode {
                MenuMode::Emergency => div.status-emergency role="status" { "現在、緊急（災害時）メニューを表示しています" },
                MenuMode::Normal => div.status-normal role="status" { "現在、通常メニューを表示しています" },
            }
            @if let Some(at) = designation.switched_at {
                p { "最終切替：" (format_jst(at)) "　" (designation.switched_by.clone().unwrap_or_default()) "　理由：" (designation.reason.clone().unwrap_or_default()) }
            }
            dl.facts {
                dt { "通常用" } dd { @match &normal { Some((n, true)) => (n), Some((n, false)) => { (n) "（未公開）" }, None => "未指定" } }
                dt { "緊急用" } dd { @match &emergency { Some((n, true)) => (n), Some((n, false)) => { (n) "（未公開）" }, None => "未指定" } }
            }
            form.narrow method="post" action="/admin/emergency" {
                (page.csrf_field())
                input type="hidden" name="mode" value=(match target { MenuMode::Emergency => "emergency", MenuMode::Normal => "normal" });
                div.field {
                    label for="f-reason" { "切り替える理由（必須）" }
                    input #f-reason type="text" name="reason" placeholder=(match target { MenuMode::Emergency => "例：大雨警報の発表", MenuMode::Normal => "例：警報の解除" });
                }
                @match target {
                    MenuMode::Emergency => button.danger.filled type="submit" { "緊急メニューに切り替える" },
                    MenuMode::Normal => button.primary type="submit" { "通常メニューに戻す" },
                }
            }
            p.note { "切り替えると、友だち全員のメニューがすぐに変わります（個別に設定したメニューも解除されます）。切替はすべて操作ログに記録されます。" }
        },
    )
}

pub async fn switch(State(state): State<Arc<AdminState>>, actor: Actor, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    let mode = if form.get("mode") == "emergency" {
        MenuMode::Emergency
    } else {
        MenuMode::Normal
    };
    let reason = form.get("reason");
    let secure = state.config.secure_cookies;
    if reason.is_empty() {
        return redirect_with(
            "/admin/emergency",
            FlashKind::Error,
            "切り替える理由を入力してください。",
            secure,
        );
    }
    match tayori_menus::switch(
        &state.platform,
        &state.line,
        mode,
        &actor.login_id(),
        &reason,
    )
    .await
    {
        Ok(SwitchOutcome::Switched(_)) => {
            audit::record(
                &state,
                &actor,
                &format!("メニューを{}に切替", mode.label()),
                "richmenu:mode",
                reason,
            )
            .await;
            redirect_with(
                "/admin/emergency",
                FlashKind::Success,
                format!("{}メニューに切り替えました。", mode.label()),
                secure,
            )
        }
        Ok(SwitchOutcome::AlreadyInMode) => redirect_with(
            "/admin/emergency",
            FlashKind::Success,
            format!("すでに{}メニューです。", mode.label()),
            secure,
        ),
        Err(PublishError::Line(e)) => redirect_with(
            "/admin/emergency",
            FlashKind::Error,
            describe_line_error(&e),
            secure,
        ),
        Err(PublishError::Storage(e)) => ui::unavailable(&e),
        Err(e) => redirect_with("/admin/emergency", FlashKind::Error, e.to_string(), secure),
    }
}
