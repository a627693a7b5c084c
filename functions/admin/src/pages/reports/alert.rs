//! 「出没情報の配信を作成」: a verified sighting of an urgent category (クマ…) becomes a delivery
//! DRAFT to the report's district (居住地区), with when and where, a GSI map link and what to do,
//! through the delivery desk. It then takes the normal approval from the delivery's page; the
//! report keeps a link to it.

use super::{account, back, district_words, gsi_map_link, is_outside, not_yours};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use std::sync::Arc;
use tayori_deliveries::{DeliveryDesk, Then};
use tayori_domain::delivery::{Bubble, Composition};
use tayori_domain::report::{Report, ReportStatus};
use tayori_domain::segment::{Match, SegmentCondition, Target, DISTRICT_ITEM};
use tayori_domain::time::to_jst;

/// What the citizens of the district are asked to do (the city's usual wording).
pub const SAFETY: &str = "見かけても近づかず、静かにその場を離れてください。外出の際は音の出るものを身に付け、生ごみや果実など餌になるものを屋外に置かないでください。危険を感じたときは110番に通報してください。";

/// A sighting staff have looked at: 確認中, 対応中 or 完了 (not declined, not a duplicate).
pub fn is_verified(r: &Report) -> bool {
    r.category().urgent
        && matches!(
            r.status(),
            ReportStatus::Checking | ReportStatus::InProgress | ReportStatus::Done
        )
}

/// The delivery's words for the report: when and where, the map, what to do.
pub fn alert_text(r: &Report, district: &str) -> String {
    let at = to_jst(r.filed_at()).format("%-m月%-d日 %-H時%M分");
    let place = r
        .place_note()
        .map(|p| format!("（{p}付近）"))
        .unwrap_or_default();
    format!(
        "【出没情報】{at}ごろ、{district}地区{place}で「{}」の通報がありました。\n地図：{}\n{SAFETY}",
        r.category().name,
        gsi_map_link(r)
    )
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    let by = account(&page)?;
    let report = match state.reports.get_for(&id, by).await {
        Ok(r) => r,
        Err(e) if is_outside(&e) => return Ok(not_yours(&e)),
        Err(e) => return Err(e.into()),
    };
    if !is_verified(&report) {
        return Ok(back(
            &state,
            &id,
            FlashKind::Error,
            "緊急の種類の通報で、状況が「確認中」以降のときだけ配信を作成できます。",
        ));
    }
    if report.alert_delivery_id().is_some() {
        return Ok(back(
            &state,
            &id,
            FlashKind::Error,
            "この通報からは、すでに配信を作成しています。",
        ));
    }
    let Some(district) = report.district().map(String::from) else {
        return Ok(back(
            &state,
            &id,
            FlashKind::Error,
            "地区が未設定のため、配信先を決められません。先に地区を設定してください。",
        ));
    };
    let composition = Composition {
        title: format!(
            "出没情報（{}地区・受付番号 {}）",
            district,
            report.receipt()
        ),
        category: "防災".into(),
        bubbles: vec![Bubble::Text {
            text: alert_text(&report, &district),
        }],
        target: Target::Segment {
            conditions: vec![SegmentCondition {
                item: DISTRICT_ITEM.into(),
                matching: Match::AnyOf,
                values: vec![district.clone()],
            }],
        },
        send_at: None,
    };
    let deliveries = DeliveryDesk::new(&state.platform);
    let login = actor.login_id();
    let delivery_id = deliveries.new_draft_id(None).await?;
    let saved = match deliveries
        .create_draft(delivery_id.clone(), &login, composition, Then::Keep)
        .await
    {
        Ok(saved) => saved,
        Err(e) if e.is_refusal() => return Ok(back(&state, &id, FlashKind::Error, e.to_string())),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &state,
        &actor,
        "出没情報の配信を作成",
        &format!("delivery:{delivery_id}"),
        format!(
            "受付番号 {} から「{}」（{}地区）",
            report.receipt(),
            saved.change.after.title(),
            district_words(Some(&district))
        ),
    )
    .await;
    match state.reports.link_alert(&id, &delivery_id, by).await {
        Ok(change) => {
            audit::record(
                &state,
                &actor,
                "通報を配信につなげる",
                &format!("report:{id}"),
                format!(
                    "受付番号 {} 配信：{} → {delivery_id}",
                    change.after.receipt(),
                    change.before.alert_delivery_id().unwrap_or("（なし）")
                ),
            )
            .await;
        }
        // The draft exists and is audited; the clerk finds it from the delivery list.
        Err(e) => {
            tracing::error!(error = %e, report = %id, delivery = %delivery_id, "the alert could not be linked to its report")
        }
    }
    Ok(redirect_with(
        &format!("/admin/deliveries/{delivery_id}"),
        FlashKind::Success,
        "出没情報の配信の下書きを作成しました。内容を確認して、承認を依頼してください。",
        state.config.secure_cookies,
    ))
}
