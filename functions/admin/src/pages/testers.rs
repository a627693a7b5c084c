//! テスト配信の受信者: staff link their own LINE accounts as receivers of test deliveries
//! (6.2.1.4, 7.2.3). The console issues a short-lived code; the clerk sends
//! 「テスター登録 <code>」 from their LINE and the webhook links the account. The list shows who
//! receives test deliveries and who registered each; a receiver can be removed.
//!
//! Same permission as the test send itself (composing a delivery): whoever may test-send may
//! choose who receives it.

use crate::audit::{self, Actor};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, PageResult};
use axum::extract::State;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_domain::staff::LoginId;
use tayori_domain::time::format_jst;
use tayori_records::testers::CODE_MINUTES;
use tayori_records::{Tester, Testers};

pub const PATH: &str = "/admin/deliveries/testers";

/// The text the clerk sends from LINE; the webhook reads the same keyword.
pub fn registration_text(code: &str) -> String {
    format!("テスター登録 {code}")
}

fn testers(state: &AdminState) -> Testers {
    Testers::new(state.platform.table.clone())
}

/// A receiver as the list shows it: LINE's display name (asked of LINE, which knows it; the
/// account keeps none) and the staff member's name.
struct Shown {
    tester: Tester,
    line_name: Option<String>,
    staff_name: String,
}

async fn shown(state: &AdminState, tester: Tester) -> Shown {
    let line_name = match state.line.profile(&tester.user_id).await {
        Ok(p) => Some(p.display_name),
        Err(e) => {
            tracing::warn!(error = %e, "tester's LINE profile not available");
            None
        }
    };
    let staff_name = match LoginId::parse(&tester.staff) {
        Ok(id) => match state.staff.get(&id).await {
            Ok(Some(account)) => format!("{}（{}）", account.profile().display_name, tester.staff),
            _ => tester.staff.clone(),
        },
        Err(_) => tester.staff.clone(),
    };
    Shown {
        tester,
        line_name,
        staff_name,
    }
}

/// The end of a user id: enough to tell two receivers apart without showing the whole id.
fn short_id(user_id: &str) -> String {
    let tail: String = user_id
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    render(&state, &page, None).await
}

/// The page, with the code just issued when there is one.
async fn render(
    state: &AdminState,
    page: &Page,
    issued: Option<(String, DateTime<Utc>)>,
) -> PageResult {
    let list = testers(state).get().await?;
    let mut receivers = join_all(list.into_iter().map(|t| shown(state, t))).await;
    receivers.sort_by_key(|r| r.tester.added_at);
    Ok(page.render(
        "テスト配信の受信者",
        &[
            ("ホーム", "/admin"),
            ("配信", "/admin/deliveries"),
            ("テスト配信の受信者", PATH),
        ],
        "deliveries",
        html! {
            p { "「テスト配信」は、ここに登録したLINEアカウントにだけ届きます。自分のスマートフォンのLINEを登録してください。" }
            @if let Some((code, expires)) = &issued {
                (issued_box(code, *expires))
            }
            form.narrow method="post" action=(format!("{PATH}/code")) {
                (page.csrf_field())
                button.primary type="submit" { "登録用コードを発行する" }
            }
            h2 { "登録済みの受信者" }
            table {
                thead { tr { th { "LINEの名前" } th { "登録日時" } th { "登録したスタッフ" } th { "操作" } } }
                tbody {
                    @for r in &receivers {
                        tr {
                            td { (r.line_name.clone().unwrap_or_else(|| "（名前を取得できません）".into())) " " span.small { (short_id(&r.tester.user_id)) } }
                            td { (format_jst(r.tester.added_at)) }
                            td { (r.staff_name) }
                            td {
                                form method="post" action=(format!("{PATH}/remove")) {
                                    (page.csrf_field())
                                    input type="hidden" name="user_id" value=(r.tester.user_id);
                                    button.danger type="submit" { "登録を解除" }
                                }
                            }
                        }
                    }
                    @if receivers.is_empty() { tr { td colspan="4" { "受信者はまだ登録されていません。" } } }
                }
            }
        },
    ))
}

fn issued_box(code: &str, expires: DateTime<Utc>) -> Markup {
    html! {
        section.issued-code role="status" aria-live="polite" {
            h2 { "登録用コード" }
            p.code { strong #tester-code { (code) } }
            p { "有効期限：" strong #tester-code-expires { (format_jst(expires)) } " まで（" (CODE_MINUTES) "分間・1回だけ使えます）" }
            p { "自分のLINEから、この公式アカウントに次のとおり送ってください：" }
            p { code #tester-code-text { (registration_text(code)) } }
            p.note { "「テスト配信の受信者に登録しました」と返事が届いたら、このページを再読み込みすると一覧に表示されます。" }
        }
    }
}

pub async fn issue_code(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
) -> PageResult {
    let now = state.platform.clock.now();
    let code = testers(&state).issue_code(&actor.login_id(), now).await?;
    // The code itself stays out of the audit log: it would let a reader of the log register.
    audit::record(
        &state,
        &actor,
        "テスト配信の受信者の登録コードを発行",
        "testers",
        format!(
            "有効期限 {}",
            format_jst(now + Duration::minutes(CODE_MINUTES))
        ),
    )
    .await;
    // Shown on this answer rather than after a redirect: the code must not travel in a URL or a
    // cookie.
    render(
        &state,
        &page,
        Some((code, now + Duration::minutes(CODE_MINUTES))),
    )
    .await
}

pub async fn remove(State(state): State<Arc<AdminState>>, actor: Actor, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let user_id = form.get("user_id");
    let secure = state.config.secure_cookies;
    let before = testers(&state).get().await?;
    let Some(removed) = before.into_iter().find(|t| t.user_id == user_id) else {
        return Ok(redirect_with(
            PATH,
            FlashKind::Error,
            "その受信者は登録されていません（すでに解除されています）。",
            secure,
        ));
    };
    testers(&state).remove(&user_id).await?;
    audit::record(
        &state,
        &actor,
        "テスト配信の受信者を解除",
        &format!("tester:{}", short_id(&removed.user_id)),
        format!("登録したスタッフ {}", removed.staff),
    )
    .await;
    Ok(redirect_with(
        PATH,
        FlashKind::Success,
        "受信者の登録を解除しました。",
        secure,
    ))
}
