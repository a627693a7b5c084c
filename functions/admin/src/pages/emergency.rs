//! 緊急メニュー切替: one button each way, with the reason recorded (6.2.3.1). Switching changes
//! every friend's menu at once, so it is confirmed on a page that names the menu and how many
//! friends see it change.

use crate::audit::{self, Actor};
use crate::pages::confirm::{is_confirmed, Confirmation, CONFIRMED};
use crate::ui::form_data::FormData;
use crate::ui::Crumb;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::State;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_domain::richmenu::MenuMode;
use tayori_domain::segment::Target;
use tayori_domain::time::format_jst;
use tayori_menus::{describe_line_error, PublishError, SwitchOutcome};
use tayori_records::{Friends, RecordError, RichMenus};

const CRUMBS: [Crumb<'static>; 2] = [
    ("ホーム", "/admin"),
    ("緊急メニュー切替", "/admin/emergency"),
];

/// A designated menu's name and whether it is published.
async fn described(menus: &RichMenus, id: Option<&str>) -> Option<(String, bool)> {
    let menu = menus.get(id?).await.ok().flatten()?;
    Some((menu.draft.name, menu.line_id.is_some()))
}

pub async fn show(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let menus = RichMenus::new(state.platform.table.clone());
    let designation = menus.designation().await?;
    let normal = described(&menus, designation.normal.as_deref()).await;
    let emergency = described(&menus, designation.emergency.as_deref()).await;
    let mode = designation.mode();
    let target = match mode {
        MenuMode::Normal => MenuMode::Emergency,
        MenuMode::Emergency => MenuMode::Normal,
    };
    Ok(page.render(
        "緊急メニュー切替",
        &CRUMBS,
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
                input type="hidden" name="mode" value=(code(target));
                div.field {
                    label for="f-reason" { "切り替える理由（必須）" }
                    input #f-reason type="text" name="reason" aria-describedby="h-reason";
                    small.hint #h-reason { (match target { MenuMode::Emergency => "例：大雨警報の発表", MenuMode::Normal => "例：警報の解除" }) }
                }
                @match target {
                    MenuMode::Emergency => button.danger.filled type="submit" { "緊急メニューに切り替える" },
                    MenuMode::Normal => button.primary type="submit" { "通常メニューに戻す" },
                }
            }
            p.note { "切り替えると、友だち全員のメニューがすぐに変わります（個別に設定したメニューも解除されます）。切替はすべて操作ログに記録されます。" }
            h2 { "災害対応" }
            p {
                "避難所の開設状況の入力や、全ページの「災害対応中」の表示は、"
                a href=(crate::pages::disaster::PATH) { "災害対応" }
                "の開始で始まります（メニューの切替とは別の操作です）。"
            }
        },
    ))
}

/// The mode's word in a form.
fn code(mode: MenuMode) -> &'static str {
    match mode {
        MenuMode::Emergency => "emergency",
        MenuMode::Normal => "normal",
    }
}

/// What switching to `mode` will do: which menu every friend will see, and how many friends.
async fn confirmation(
    state: &AdminState,
    mode: MenuMode,
    reason: String,
) -> Result<Confirmation<'static>, RecordError> {
    let menus = RichMenus::new(state.platform.table.clone());
    let designation = menus.designation().await?;
    let designated = match mode {
        MenuMode::Emergency => designation.emergency,
        MenuMode::Normal => designation.normal,
    };
    let menu = match described(&menus, designated.as_deref()).await {
        Some((name, true)) => format!("「{name}」"),
        Some((name, false)) => format!("「{name}」（未公開のため、切り替えられません）"),
        None => "未指定（切り替えられません）".into(),
    };
    let friends = Friends::new(&state.platform).count(&Target::All).await?;
    Ok(Confirmation {
        title: match mode {
            MenuMode::Emergency => "緊急メニューへの切替の確認",
            MenuMode::Normal => "通常メニューへの切替の確認",
        },
        facts: vec![
            ("切替先", format!("{}メニュー {menu}", mode.label())),
            ("対象", format!("友だち全員（現在 {friends} 人）")),
            ("理由", reason.clone()),
        ],
        warning: "押すとすぐに、友だち全員のメニューが変わります（個別に設定したメニューも解除されます）。".into(),
        action: "/admin/emergency".into(),
        fields: vec![("mode", code(mode).into()), ("reason", reason)],
        button: match mode {
            MenuMode::Emergency => "緊急メニューに切り替える",
            MenuMode::Normal => "通常メニューに戻す",
        },
        back: "/admin/emergency".into(),
    })
}

pub async fn switch(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let mode = if form.get("mode") == "emergency" {
        MenuMode::Emergency
    } else {
        MenuMode::Normal
    };
    let reason = form.get("reason");
    let secure = state.config.secure_cookies;
    if reason.is_empty() {
        return Ok(redirect_with(
            "/admin/emergency",
            FlashKind::Error,
            "切り替える理由を入力してください。",
            secure,
        ));
    }
    if !is_confirmed(&form.get(CONFIRMED)) {
        let confirm = confirmation(&state, mode, reason).await?;
        return Ok(confirm.render(&page, &CRUMBS, "emergency"));
    }
    Ok(
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
            Err(PublishError::Storage(e)) => return Err(e.into()),
            Err(e) => redirect_with("/admin/emergency", FlashKind::Error, e.to_string(), secure),
        },
    )
}
