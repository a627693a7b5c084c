//! The posts of a report's page: status with a public comment (or a response template filled
//! into the comment), assignee, internal note, district, duplicate of, and reading the sealed
//! contact. Each calls the desk and audits what it answered changed, before → after.

use super::show::{render, Shown};
use super::{account, answered, back, is_outside, not_yours};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::ui::form_data::FormData;
use crate::ui::{FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use bytes::Bytes;
use std::sync::Arc;
use tayori_domain::report::{Report, ReportStatus};
use tayori_domain::staff::LoginId;
use tayori_reporting::{Change, DeskError};

fn optional(text: &str) -> Option<&str> {
    Some(text).filter(|t| !t.is_empty())
}

fn or_none(value: Option<&str>) -> &str {
    value.unwrap_or("（なし）")
}

/// `受付 → 確認中、コメント「…」`.
fn status_words(c: &Change) -> String {
    let last = c.after.history().last();
    let comment = last
        .and_then(|h| h.public_comment.as_deref())
        .map(|t| format!("、コメント「{t}」"))
        .unwrap_or_default();
    format!(
        "状況：{} → {}{comment}",
        c.before.status().label(),
        c.after.status().label()
    )
}

/// `POST /admin/reports/{id}/status`: 「状況を変更する」, or 「定型文をコメントに入れる」, which
/// changes nothing and shows the page again with the template's text in the comment (no
/// script needed).
pub async fn change_status(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let mut shown = Shown {
        status: form.get("status"),
        comment: form.secret("comment").trim().to_string(),
        template: form.get("template"),
        ..Shown::default()
    };
    if form.get("action") == "fill" {
        let templates = state.reports.templates().await?;
        match templates.iter().find(|t| t.id() == shown.template) {
            Some(t) => shown.comment = t.text().to_string(),
            None => shown.problem = Some("定型文を選んでください。".into()),
        }
        return render(&state, &page, &id, shown).await;
    }
    let by = account(&page)?;
    let Some(to) = ReportStatus::from_code(&shown.status) else {
        shown.problem = Some("新しい状況を選んでください。".into());
        return render(&state, &page, &id, shown).await;
    };
    let result = state
        .reports
        .change_status(&id, to, optional(&shown.comment), by)
        .await;
    // A refusal of the rule keeps what the clerk typed, beside the form.
    if let Err(e) = &result {
        if e.is_refusal() && !is_outside(e) && !matches!(e, DeskError::NotPublished(..)) {
            shown.problem = Some(e.to_string());
            return render(&state, &page, &id, shown).await;
        }
    }
    answered(
        &state,
        &actor,
        &id,
        result,
        "通報の状況を変更",
        status_words,
        &format!("状況を「{}」にしました。", to.label()),
    )
    .await
}

pub async fn assign(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let form = FormData::parse(&body);
    let login = form.get("assignee");
    let to = if login.is_empty() {
        None
    } else {
        let found = match LoginId::parse(&login) {
            Ok(login_id) => state.staff.get(&login_id).await?,
            Err(_) => None,
        };
        match found {
            Some(account) => Some(account),
            None => {
                return Ok(back(
                    &state,
                    &id,
                    FlashKind::Error,
                    "その職員は登録されていません。",
                ))
            }
        }
    };
    let result = state.reports.assign(&id, to.as_ref(), by).await;
    let name = |r: &Report| r.assignee().map(|s| s.name.clone());
    answered(
        &state,
        &actor,
        &id,
        result,
        "通報の担当者を変更",
        |c| {
            format!(
                "担当者：{} → {}",
                or_none(name(&c.before).as_deref()),
                or_none(name(&c.after).as_deref())
            )
        },
        "担当者を設定しました。",
    )
    .await
}

pub async fn add_note(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let form = FormData::parse(&body);
    let text = form.secret("note");
    let result = state.reports.add_note(&id, &text, by).await;
    answered(
        &state,
        &actor,
        &id,
        result,
        "通報に内部メモを追加",
        |c| {
            let note = c.after.notes().last().map_or("", |n| n.text.as_str());
            format!(
                "内部メモ：{} 件 → {} 件「{note}」",
                c.before.notes().len(),
                c.after.notes().len()
            )
        },
        "内部メモを追加しました。",
    )
    .await
}

pub async fn set_district(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let form = FormData::parse(&body);
    let chosen = form.get("district");
    if !chosen.is_empty() && !super::districts(&state).await?.contains(&chosen) {
        return Ok(back(
            &state,
            &id,
            FlashKind::Error,
            "その地区は登録されていません。",
        ));
    }
    let result = state
        .reports
        .set_district(&id, optional(&chosen).map(String::from), by)
        .await;
    answered(
        &state,
        &actor,
        &id,
        result,
        "通報の地区を修正",
        |c| {
            format!(
                "地区：{} → {}",
                or_none(c.before.district()),
                or_none(c.after.district())
            )
        },
        "地区を修正しました。",
    )
    .await
}

/// 「重複として登録」: the original is named by its receipt number, as staff know it.
pub async fn mark_duplicate(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let by = account(&page)?;
    let form = FormData::parse(&body);
    let receipt = form.get("original");
    let comment = form.secret("comment").trim().to_string();
    let original = if receipt.is_empty() {
        String::new()
    } else {
        match state.reports.find_by_receipt(&receipt).await? {
            Some(r) => r.id().to_string(),
            None => {
                let e = DeskError::OriginalNotFound;
                return Ok(back(&state, &id, FlashKind::Error, e.to_string()));
            }
        }
    };
    let result = state
        .reports
        .mark_duplicate(&id, &original, optional(&comment), by)
        .await;
    answered(
        &state,
        &actor,
        &id,
        result,
        "通報を重複として登録",
        |c| format!("{}、重複元 {receipt}", status_words(c)),
        "重複として登録しました。",
    )
    .await
}

/// 「連絡先を表示」: the sealed contact, shown on this answer only and audited.
pub async fn show_contact(
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
    if report.reporter().contact.is_some() {
        audit::record(
            &state,
            &actor,
            "通報の連絡先を表示",
            &format!("report:{}", report.id()),
            format!("受付番号 {}", report.receipt()),
        )
        .await;
    }
    let shown = Shown {
        contact: true,
        ..Shown::default()
    };
    render(&state, &page, &id, shown).await
}
