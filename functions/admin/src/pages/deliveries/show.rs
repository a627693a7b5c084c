//! One delivery's page: its draft in the composer for who writes it, otherwise its facts, its
//! preview and the steps the viewer's permissions allow.

use super::composer::{self, composer, preview, Draft};
use super::irreversible::Irreversible;
use super::{described_target, desk, segment_items};
use crate::error::PageResult;
use crate::ui::form::Problems;
use crate::ui::Page;
use crate::AdminState;
use axum::extract::{Path, State};
use maud::html;
use std::sync::Arc;
use tayori_deliveries::composer::Composed;
use tayori_domain::delivery::{Delivery, DeliveryStatus, Stamp};
use tayori_domain::staff::{LoginId, Permission};
use tayori_domain::time::format_jst;
use tayori_records::RecordError;

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let d = desk(&state).get(&id).await?;
    let items = segment_items(&state).await?;
    let city = state.config.city.as_str();
    if d.status() == DeliveryStatus::Draft && page.may(Permission::DeliveryDraft) {
        let form = Composed::from_delivery(&d);
        let shown = Draft {
            id: d.id(),
            bubbles: d.bubbles(),
            stored: true,
            city,
        };
        return Ok(composer(&page, shown, &form, &items, &Problems::default()));
    }
    let names = staff_names(&state, &d).await?;
    let stamp = |s: Option<&Stamp>| {
        s.map(|s| format!("{}（{}）", names.of(&s.by), format_jst(s.at)))
            .unwrap_or_else(|| "—".into())
    };
    let action = |path: &str, label: &str, class: &str| {
        html! {
            form.inline method="post" action=(format!("/admin/deliveries/{id}/{path}")) {
                (page.csrf_field())
                button class=(class) type="submit" { (label) }
            }
        }
    };
    // An approver who does not write deliveries comes from, and goes back to, the queue.
    let list = if page.may(Permission::DeliveryDraft) {
        ("配信", "/admin/deliveries")
    } else {
        ("承認待ちの配信", crate::pages::approvals::PATH)
    };
    let (status, totals) = (d.status(), d.totals());
    Ok(page.render(
        d.title(),
        &[("ホーム", "/admin"), list, (d.title(), &format!("/admin/deliveries/{id}"))],
        "deliveries",
        html! {
            div.composer {
                div {
                    dl.facts {
                        dt { "状態" } dd { (status.label()) @if d.is_test() { "（テスト配信）" } }
                        dt { "分類" } dd { (d.category()) }
                        dt { "配信先" } dd { (described_target(&d, &items)) }
                        dt { "配信日時" } dd { (d.started_at().or(d.send_at()).map(format_jst).unwrap_or_else(|| "確定後すぐ".into())) }
                        dt { "作成" } dd { (stamp(Some(d.created()))) }
                        dt { "承認依頼・確定" } dd { (stamp(d.submitted())) }
                        dt { "承認" } dd { (stamp(d.approved())) }
                        dt { "停止" } dd { (stamp(d.stop_requested())) }
                        dt { "取消" } dd { (stamp(d.cancelled())) }
                        dt { "対象数" } dd { (totals.recipients) " 人" }
                        dt { "成功" } dd { (totals.succeeded) " 通" }
                        dt { "失敗" } dd { (totals.failed) " 通" }
                        dt { "未送信（停止）" } dd { (totals.not_sent) " 通" }
                        dt { "LINEのエラー" } dd { @if d.errors().is_empty() { "なし" } @else { ul { @for e in d.errors() { li { (e) } } } } }
                    }
                    div.actions {
                        @if status == DeliveryStatus::AwaitingApproval && page.may(Permission::DeliveryApprove) {
                            (action(Irreversible::Approve.path(), Irreversible::Approve.button(), "primary"))
                            (action("return", "差し戻す", ""))
                        }
                        @if matches!(status, DeliveryStatus::AwaitingApproval | DeliveryStatus::Scheduled) && page.may(Permission::DeliverySend) {
                            (action(Irreversible::Cancel.path(), Irreversible::Cancel.button(), "danger"))
                        }
                        @if status == DeliveryStatus::Sending && d.stop_requested().is_none() && page.may(Permission::DeliverySend) {
                            (action(Irreversible::Stop.path(), Irreversible::Stop.button(), "danger"))
                        }
                        @if page.may(Permission::DeliveryDraft) {
                            (action("duplicate", "複製して編集", ""))
                        }
                    }
                }
                (preview(d.bubbles(), city))
            }
            link rel="stylesheet" href=(composer::STYLE);
        },
    ))
}

/// Staff's names by login id, for the people a delivery's details name.
struct StaffNames(Vec<(String, String)>);

impl StaffNames {
    /// The name of the staff member `by`; what was stored when no account has it (Tayori's own
    /// notices, an account since removed).
    fn of<'a>(&'a self, by: &'a str) -> &'a str {
        self.0
            .iter()
            .find(|(login, _)| login == by)
            .map_or(by, |(_, name)| name.as_str())
    }
}

async fn staff_names(state: &AdminState, d: &Delivery) -> Result<StaffNames, RecordError> {
    let stamps = [
        Some(d.created()),
        d.submitted(),
        d.approved(),
        d.stop_requested(),
        d.cancelled(),
    ];
    let mut names = Vec::new();
    for stamp in stamps.into_iter().flatten() {
        let Ok(login) = LoginId::parse(&stamp.by) else {
            continue;
        };
        if let Some(account) = state.staff.get(&login).await? {
            names.push((stamp.by.clone(), account.profile().display_name.clone()));
        }
    }
    Ok(StaffNames(names))
}
