//! The home page: a card for every function the signed-in clerk may use, from the same table as
//! the left menu (`ui::MENU`), so that the two never disagree. A clerk who may use none is told
//! who can grant them, by name.

use super::staff::all_accounts;
use crate::ui::{menu_for, Page, HOME};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::State;
use maud::html;
use std::sync::Arc;
use tayori_domain::staff::Permission;

pub async fn home(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let Some(signed) = page.signed.as_ref() else {
        return Err(ConsoleError::NotFound);
    };
    let cards: Vec<_> = menu_for(signed).filter(|i| i.href != HOME).collect();
    let (functions, own): (Vec<_>, Vec<_>) =
        cards.into_iter().partition(|i| i.permission.is_some());
    // Only read when needed: an account with nothing to use must learn whom to ask.
    let managers = if functions.is_empty() {
        all_accounts(&state)
            .await?
            .into_iter()
            .filter(|a| !a.is_disabled() && a.may(Permission::StaffManagement))
            .map(|a| format!("{}（{}）", a.profile().display_name, a.profile().department))
            .collect()
    } else {
        Vec::new()
    };
    let name = &signed.account.profile().display_name;
    let reports = if signed.account.may(Permission::ReportsHandle) {
        Some(crate::pages::reports::open_counts(&state, &signed.account).await?)
    } else {
        None
    };
    Ok(page.render(
        "ホーム",
        &[("ホーム", HOME)],
        "home",
        html! {
            @if functions.is_empty() {
                p { (name) "さん、お疲れさまです。" }
                div.flash.err role="status" #no-permission {
                    p { "このアカウントには、まだ使える機能（権限）が設定されていません。" }
                    p {
                        "仕事に必要な機能を、職員アカウントを管理する職員に伝えて、権限を追加してもらってください。"
                        @if !managers.is_empty() { "管理している職員：" (managers.join("、")) }
                    }
                }
            } @else {
                p { (name) "さん、お疲れさまです。使える機能は次のとおりです。" }
            }
            @if let Some((open, urgent)) = reports {
                section.tile #reports-tile aria-label="通報" {
                    a href=(crate::pages::reports::PATH) {
                        strong { "対応中の通報 " (open) " 件" }
                        @if urgent > 0 { " " span.badge { "うち緊急 " (urgent) " 件" } }
                    }
                }
            }
            @if signed.account.may(Permission::FormsViewAnswers) {
                section.tile #forms-tile aria-label="フォーム" {
                    a href=(crate::pages::forms::PATH) {
                        strong { "フォームの新着回答 " (page.forms_new) " 件" }
                    }
                }
            }
            ul.cards {
                @for item in functions.iter().chain(own.iter()) {
                    li { a href=(item.href) { strong { (item.label) } span { (item.purpose) } } }
                }
                // Last, as in the menu: for staff who may ask for any CSV.
                @if page.exports_ready.is_some() {
                    li { a href=(crate::pages::exports::PATH) { strong { "出力ファイル" } span { "「CSVを作成」で依頼したCSVの状態を確かめ、ダウンロードします。" } } }
                }
            }
        },
    ))
}
