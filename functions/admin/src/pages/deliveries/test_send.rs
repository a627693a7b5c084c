//! テスト配信: a copy of the draft, sent only to the testers and logged as a test.

use super::{audit_target, back, desk, refused};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::ui::FlashKind;
use crate::AdminState;
use tayori_domain::delivery::Delivery;

pub(super) async fn test_send(state: &AdminState, actor: &Actor, d: &Delivery) -> PageResult {
    let sent = match desk(state).test_send(d.id(), &actor.login_id()).await {
        Ok(sent) => sent,
        Err(e) => return refused(state, d.id(), e),
    };
    audit::record(
        state,
        actor,
        "テスト配信",
        &audit_target(sent.test.id()),
        format!(
            "「{}」（{} のテスト、{} 人）",
            d.title(),
            audit_target(d.id()),
            sent.testers
        ),
    )
    .await;
    Ok(back(
        state,
        d.id(),
        FlashKind::Success,
        format!("テスト配信を {} 人に送りました。", sent.testers),
    ))
}
