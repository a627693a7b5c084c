//! 承認待ちの配信: the deliveries waiting for approval, oldest request first, for staff who
//! approve. Each links to the delivery's page, where its content and preview are shown with
//! 承認して配信する and 差し戻す. An approver need not be able to write deliveries.

use super::staff::all_accounts;
use crate::ui::Page;
use crate::{AdminState, PageResult};
use axum::extract::State;
use maud::html;
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::delivery::log::LogFilter;
use tayori_domain::delivery::{Delivery, DeliveryStatus};
use tayori_domain::time::format_jst;
use tayori_records::{Deliveries, RecordError};

pub const PATH: &str = "/admin/approvals";

/// Every delivery waiting for approval, the longest waiting first. A request may be older than
/// any period the log shows by default, so the whole log is read (a city makes hundreds of
/// deliveries a year, not millions).
async fn waiting(state: &AdminState) -> Result<Vec<Delivery>, RecordError> {
    let filter = LogFilter {
        from: None,
        to: None,
        status: Some(DeliveryStatus::AwaitingApproval),
        kind: None,
        search: String::new(),
    };
    let mut found = Vec::new();
    Deliveries::new(state.platform.table.clone())
        .each_created_between(None, None, |d| {
            if filter.matches(&d) {
                found.push(d);
            }
        })
        .await?;
    found.sort_by_key(|d| d.submitted().map(|s| s.at));
    Ok(found)
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let (shown, accounts) = match (waiting(&state).await, all_accounts(&state).await) {
        (Ok(d), Ok(a)) => (d, a),
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let names: BTreeMap<String, String> = accounts
        .into_iter()
        .map(|a| (a.login_id.to_string(), a.profile().display_name.clone()))
        .collect();
    let name = |login: &str| names.get(login).cloned().unwrap_or_else(|| login.into());
    Ok(page.render(
        "承認待ちの配信",
        &[("ホーム", "/admin"), ("承認待ちの配信", PATH)],
        "deliveries",
        html! {
            p { "承認を依頼された配信です。タイトルを開くと、内容とプレビューを確認して「承認して配信する」か「差し戻す」を選べます。自分が依頼した配信は、ほかの職員が承認します。" }
            table {
                caption { (shown.len()) "件" }
                thead { tr { th { "依頼日時" } th { "タイトル" } th { "分類" } th { "配信先" } th { "配信日時" } th { "依頼した職員" } } }
                tbody {
                    @for d in &shown {
                        tr {
                            td { (d.submitted().map(|s| format_jst(s.at)).unwrap_or_default()) }
                            td { a href=(format!("/admin/deliveries/{}", d.id())) { (d.title()) } }
                            td { (d.category()) }
                            td { (d.target_description()) }
                            td { (d.send_at().map(format_jst).unwrap_or_else(|| "承認後すぐ".into())) }
                            td { (d.submitted().map(|s| name(&s.by)).unwrap_or_default()) }
                        }
                    }
                    @if shown.is_empty() { tr { td colspan="6" { "承認を待っている配信はありません。" } } }
                }
            }
        },
    ))
}
