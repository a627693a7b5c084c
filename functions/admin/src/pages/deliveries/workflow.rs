//! The steps staff take on a delivery's page: send (submit or reserve), approve, return to
//! draft, cancel, stop, duplicate. The irreversible ones are asked first on a confirmation
//! page; each is audited with the status before and after.

use super::irreversible::Irreversible;
use super::{audit_target, back, described_target, desk, refused, segment_items};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::pages::confirm::{is_confirmed, CONFIRMED};
use crate::ui::form_data::FormData;
use crate::ui::{FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use std::sync::Arc;
use tayori_deliveries::{Change, DeskError};
use tayori_domain::delivery::changes::status_change;
use tayori_domain::staff::Permission;
use tayori_domain::time::format_jst;

/// Whether a posted form confirms an irreversible action.
fn confirmed(body: &Bytes) -> bool {
    is_confirmed(&FormData::parse(body).get(CONFIRMED))
}

/// The confirmation page for `action` on delivery `id`, or back to the delivery with why it
/// cannot be done now (the desk tries the rule on a copy first).
pub(super) async fn ask(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    id: &str,
    action: Irreversible,
) -> PageResult {
    let desk = desk(state);
    let d = match desk.check(id, action.step(), &actor.login_id()).await {
        Ok(d) => d,
        Err(e) => return refused(state, id, e),
    };
    let items = segment_items(state).await?;
    let reach = match action {
        Irreversible::Stop => d.totals().recipients,
        _ => desk.count(d.target()).await?,
    };
    let path = format!("/admin/deliveries/{id}");
    Ok(action
        .confirmation(&d, described_target(&d, &items), reach)
        .render(
            page,
            &[
                ("ホーム", "/admin"),
                ("配信", "/admin/deliveries"),
                (d.title(), &path),
            ],
            "deliveries",
        ))
}

/// The audit entry and the message for a submission: released (now or for its time) by one
/// who may send, or waiting for approval.
pub(super) async fn submitted(
    state: &AdminState,
    actor: &Actor,
    change: &Change,
    may_send: bool,
) -> Response {
    let d = &change.after;
    let when = d.send_at().map(format_jst);
    let what = format!(
        "{} 配信先「{}」 配信日時「{}」",
        status_change(&change.before, d),
        d.target_description(),
        when.as_deref().unwrap_or("すぐ")
    );
    let (action, done) = match (may_send, when) {
        (true, None) => (
            "配信を確定",
            "配信を開始しました。結果はこの画面に表示されます。".to_string(),
        ),
        (true, Some(at)) => ("配信を確定", format!("{at} に配信を予約しました。")),
        (false, _) => (
            "配信の承認を依頼",
            "承認を依頼しました。承認されると配信されます。".to_string(),
        ),
    };
    audit::record(state, actor, action, &audit_target(d.id()), what).await;
    back(state, d.id(), FlashKind::Success, done)
}

/// 配信する, from its confirmation page.
pub async fn send(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Send).await;
    }
    let may_send = page.may(Permission::DeliverySend);
    match desk(&state).submit(&id, &actor.login_id(), may_send).await {
        Ok(change) => Ok(submitted(&state, &actor, &change, may_send).await),
        Err(e) => refused(&state, &id, e),
    }
}

/// A step's outcome: audited with the status before and after, and said on the delivery's page.
async fn stepped(
    state: &AdminState,
    actor: &Actor,
    id: &str,
    result: Result<Change, DeskError>,
    action: &str,
    done: &str,
) -> PageResult {
    let change = match result {
        Ok(change) => change,
        Err(e) => return refused(state, id, e),
    };
    let what = status_change(&change.before, &change.after);
    audit::record(state, actor, action, &audit_target(id), what).await;
    Ok(back(state, id, FlashKind::Success, done))
}

pub async fn approve(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Approve).await;
    }
    let result = desk(&state).approve(&id, &actor.login_id()).await;
    stepped(&state, &actor, &id, result, "配信を承認", "承認しました。").await
}

pub async fn return_to_draft(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let result = desk(&state).return_to_draft(&id, &actor.login_id()).await;
    let done = "下書きに戻しました。";
    stepped(&state, &actor, &id, result, "配信を差し戻し", done).await
}

pub async fn cancel(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Cancel).await;
    }
    let result = desk(&state).cancel(&id, &actor.login_id()).await;
    let done = "配信を取り消しました。";
    stepped(&state, &actor, &id, result, "配信を取消", done).await
}

pub async fn stop(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Stop).await;
    }
    let result = desk(&state).stop(&id, &actor.login_id()).await;
    let done = "停止を指示しました。送信中の分が終わりしだい止まります。";
    stepped(&state, &actor, &id, result, "配信を停止", done).await
}

pub async fn duplicate(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let duplicate = desk(&state).duplicate(&id, &actor.login_id()).await?;
    let (original, copy) = (&duplicate.original, &duplicate.copy);
    audit::record(
        &state,
        &actor,
        "配信を複製",
        &audit_target(original.id()),
        format!(
            "「{}」を新しい下書き {} に複製",
            original.title(),
            audit_target(copy.id())
        ),
    )
    .await;
    Ok(back(
        &state,
        copy.id(),
        FlashKind::Success,
        "複製しました。内容を確認して配信してください。",
    ))
}
