//! 子育て情報: the schedule of child-rearing messages (予防接種・健診のご案内…) staff keep, and
//! the time of day they go out. Who may change it is who may send a delivery (配信の送信): the
//! messages go to parents unreviewed.
//!
//! The handlers parse, call the [`ChildcareDesk`](tayori_childcare::ChildcareDesk) and render;
//! the desk checks the permission and writes every change to the audit log.
//!
//! | file | holds |
//! |---|---|
//! | `childcare.rs` | paths, the list of stages and the send time |
//! | `childcare/stages.rs` | a stage: new, edit, delete |

pub mod stages;

use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::forms::{account, ip_of};
use crate::ui::form::{field, Problems};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::{AdminState, ConsoleError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use maud::html;
use std::sync::Arc;
use tayori_childcare::{ChildcareError, Clerk, CATEGORY};
use tayori_domain::childcare::{parse_send_time, Stage, CATCH_UP_DAYS};
use tayori_records::children::ChildcareSettings;

pub const PATH: &str = "/admin/childcare";
pub const SEND_TIME_PATH: &str = "/admin/childcare/send-time";
pub const MANUAL: &str = "childcare";
const TITLE: &str = "子育て情報";
/// How much of a stage's text the list shows.
const EXCERPT_CHARS: usize = 40;

pub fn crumbs() -> [(&'static str, &'static str); 2] {
    [("ホーム", "/admin"), (TITLE, PATH)]
}

pub fn stage_crumbs<'a>(title: &'a str, path: &'a str) -> [(&'a str, &'a str); 3] {
    [("ホーム", "/admin"), (TITLE, PATH), (title, path)]
}

/// The signed-in clerk from the request's address, as the desk records them.
pub fn clerk<'a>(page: &'a Page, ip: &'a str) -> Result<Clerk<'a>, ConsoleError> {
    Ok(Clerk {
        account: account(page)?,
        ip,
    })
}

pub fn stage_path(id: &str) -> String {
    format!("{}/{id}", stages::PATH)
}

/// The first characters of a stage's text, on one line.
fn excerpt(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > EXCERPT_CHARS {
        let cut: String = line.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else {
        line
    }
}

pub async fn list(State(state): State<Arc<AdminState>>, page: Page) -> PageResult {
    let settings = state.childcare.settings().await?;
    let typed = settings.send_at.format("%H:%M").to_string();
    Ok(render(&page, &settings, &typed, &Problems::default()))
}

pub async fn save_send_time(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    body: Bytes,
) -> PageResult {
    let typed = FormData::parse(&body).get("send_at");
    let ip = ip_of(&actor);
    let refused = match parse_send_time(&typed) {
        Ok(send_at) => match state
            .childcare
            .set_send_time(clerk(&page, &ip)?, send_at)
            .await
        {
            Ok(()) => {
                return Ok(redirect_with(
                    PATH,
                    FlashKind::Success,
                    format!("配信時刻を{}にしました。", send_at.format("%H:%M")),
                    state.config.secure_cookies,
                ))
            }
            Err(ChildcareError::Stage(e)) => e,
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    let mut problems = Problems::default();
    problems.add("send_at", refused.to_string());
    let settings = state.childcare.settings().await?;
    let mut response = render(&page, &settings, &typed, &problems);
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

fn render(
    page: &Page,
    settings: &ChildcareSettings,
    send_at_typed: &str,
    problems: &Problems,
) -> Response {
    let stages = settings.schedule.stages();
    page.render(
        TITLE,
        &crumbs(),
        MANUAL,
        html! {
            (problems.summary())
            p #how-it-is-sent {
                "登録されたお子さんの保護者に、各段階の案内を1回ずつ送ります。お子さんがその時期になった日の配信時刻（"
                (settings.send_at.format("%H:%M"))
                "）を過ぎた最初の配信処理で送り、送れなかったときは" (CATCH_UP_DAYS) "日後まで遅れて送ります。送った案内は配信ログに分類「" (CATEGORY) "」として残ります。"
            }
            section aria-labelledby="stages-title" {
                h2 #stages-title { "配信スケジュール（" (stages.len()) "件）" }
                p.actions { a.button href=(stages::NEW_PATH) { "段階を追加" } }
                @if stages.is_empty() {
                    p #no-stages { "段階はまだありません。段階がない間は、何も送られません。" }
                } @else {
                    table #childcare-stages {
                        thead { tr {
                            th scope="col" { "番号" } th scope="col" { "いつ" } th scope="col" { "見出し" }
                            th scope="col" { "本文" } th scope="col" { "リンク" } th scope="col" { "操作" }
                        } }
                        tbody {
                            @for stage in stages { (row(page, stage)) }
                        }
                    }
                }
            }
            section aria-labelledby="send-time-title" {
                h2 #send-time-title { "配信時刻" }
                form #send-time-form method="post" action=(SEND_TIME_PATH) {
                    (page.csrf_field())
                    (field("send_at", "毎日の配信時刻（日本時間）", problems, Some("例：10:00。保護者が読んで、その日のうちに保健センターへ問い合わせられる時刻にします。"), html! {
                        input #f-send_at type="time" name="send_at" value=(send_at_typed)
                            aria-describedby="h-send_at" aria-invalid=[problems.get("send_at").map(|_| "true")];
                    }))
                    button type="submit" { "配信時刻を保存" }
                }
            }
        },
    )
}

fn row(page: &Page, stage: &Stage) -> maud::Markup {
    let path = stage_path(stage.id());
    html! {
        tr {
            td { code { (stage.id()) } }
            td { (stage.timing().label()) }
            td { a href=(path) { (stage.title()) } }
            td { (excerpt(stage.text())) }
            td { @if let Some(link) = stage.link() { (link) } @else { "なし" } }
            td {
                a.button href=(path) { "編集" }
                " "
                form.inline method="post" action=(format!("{path}/delete")) {
                    (page.csrf_field())
                    button.danger type="submit" { "削除…" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn a_long_text_is_cut_to_an_excerpt_on_one_line() {
        assert_eq!(excerpt("短い本文"), "短い本文");
        let long = format!("{}\n{}", "あ".repeat(30), "い".repeat(30));
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 41);
        assert!(cut.ends_with('…'));
        assert!(!cut.contains('\n'));
    }
}
