//! 相談 (permission 相談対応, scoped by department): the inbox of consultations citizens opened
//! from LINE (open first, those waiting too long for a reply marked), one conversation with the
//! citizen's messages and images, staff replies (a push, counted against the month's quota
//! shown beside the box), templates, internal notes, assignment and closing with a category.
//!
//! The handlers parse, call the [`ConsultationDesk`](tayori_consultations::ConsultationDesk)
//! and render what it answers; the desk audits every change and every read of a conversation.

pub mod settings;

use crate::audit::Actor;
use crate::error::PageResult;
use crate::pages::staff::all_accounts;
use crate::ui::form_data::FormData;
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use maud::{html, Markup};
use std::sync::Arc;
use tayori_consultations::{Clerk, ConsultationDeskError, Conversation, InboxRow, Quota};
use tayori_domain::consultation::{Closing, ConsultationError, Message, MAX_TEXT_CHARS};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_domain::time::format_jst;

pub const PATH: &str = "/admin/consultations";
pub const MANUAL: &str = "consultations";

pub fn case_path(id: &str) -> String {
    format!("{PATH}/{id}")
}

/// The signed-in account (every route here is behind sign-in).
fn account(page: &Page) -> Result<&StaffAccount, crate::ConsoleError> {
    page.signed
        .as_ref()
        .map(|s| &s.account)
        .ok_or(crate::ConsoleError::NotFound)
}

/// The clerk as the desk audits them.
fn clerk<'a>(account: &'a StaffAccount, ip: &'a str) -> Clerk<'a> {
    Clerk { account, ip }
}

fn ip_of(actor: &Actor) -> String {
    actor
        .ip
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "-".into())
}

/// Whether a refusal is about who may touch the case at all.
fn is_outside(e: &ConsultationDeskError) -> bool {
    matches!(
        e,
        ConsultationDeskError::Case(
            ConsultationError::OtherDepartment(_) | ConsultationError::NoPermission
        )
    )
}

/// The desk refused the clerk the case itself: a 403 page that says why, nothing of it shown.
fn not_yours(e: &ConsultationDeskError) -> Response {
    ui::plain(
        StatusCode::FORBIDDEN,
        "この相談は担当外です",
        html! {
            p { (e.to_string()) }
            p { a href=(PATH) { "相談の一覧に戻る" } }
        },
    )
}

fn state_words(row: &InboxRow) -> String {
    match row.case.closed() {
        Some(closed) => format!("終了（{}）", closed.closing.label()),
        None => "対応中".into(),
    }
}

/// GET: the inbox.
pub async fn list(State(state): State<Arc<AdminState>>, page: Page, actor: Actor) -> PageResult {
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let rows = state.consultations.inbox(clerk(by, &ip)).await?;
    let hours = state.consultations.settings().await?.reply_wait_hours();
    let waiting = rows.iter().filter(|r| r.waiting_too_long).count();
    Ok(page.render(
        "相談",
        &[("ホーム", "/admin"), ("相談", PATH)],
        MANUAL,
        html! {
            p {
                a href=(settings::PATH) { "受付時間・定型文の設定" }
            }
            @if waiting > 0 {
                p.problem #waiting { (hours) "時間以上返信していない相談が" (waiting) "件あります。" }
            }
            @if rows.is_empty() {
                p { "相談はまだありません。" }
            } @else {
                table #consultations {
                    thead { tr {
                        th { "状態" } th { "相談の種類" } th { "担当課" } th { "開始" }
                        th { "最終更新" } th { "担当者" } th { "返信待ち" }
                    } }
                    tbody {
                        @for row in &rows {
                            tr class=[row.waiting_too_long.then_some("overdue")] {
                                td { a href=(case_path(row.case.id())) { (state_words(row)) } }
                                td { (row.case.topic().label()) }
                                td { (row.case.department()) }
                                td { (format_jst(row.case.opened_at())) }
                                td { (format_jst(row.case.updated_at())) }
                                td { (row.case.assignee().map(|a| a.name.as_str()).unwrap_or("—")) }
                                td {
                                    @if row.waiting_too_long {
                                        strong { (hours) "時間以上返信なし" }
                                    } @else if let Some(since) = row.case.awaiting_since() {
                                        (format_jst(since)) "から"
                                    } @else {
                                        "—"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The reply box as the clerk left it (after a template fill or a refusal).
#[derive(Clone, Debug, Default)]
struct Shown {
    reply: String,
    template: String,
    problem: Option<String>,
}

fn quota_words(quota: Option<Quota>) -> String {
    match quota {
        Some(Quota {
            used,
            limit: Some(limit),
        }) => format!("今月の送信数: {used}通 / 上限 {limit}通（返信は1通として数えます）"),
        Some(Quota { used, limit: None }) => {
            format!("今月の送信数: {used}通（上限の設定なし。返信は1通として数えます）")
        }
        None => "今月の送信数をLINEから取得できませんでした。".into(),
    }
}

fn message_markup(conversation: &Conversation, message: &Message) -> Markup {
    html! {
        @match message {
            Message::CitizenText { at, text } => {
                li.citizen {
                    div.meta { "市民 " (format_jst(*at)) }
                    p.text { (text) }
                }
            }
            Message::CitizenImage { at, image } => {
                li.citizen {
                    div.meta { "市民（画像） " (format_jst(*at)) }
                    @match conversation.image_links.get(&image.key) {
                        Some(url) => img src=(url) alt="市民が送った画像" width="240";
                        None => p { "画像を表示できません。" }
                    }
                }
            }
            Message::Reply { at, by, text } => {
                li.reply {
                    div.meta { "返信 " (by.name) " " (format_jst(*at)) }
                    p.text { (text) }
                }
            }
            Message::Note { at, by, text } => {
                li.note {
                    div.meta { "内部メモ（市民には送られません） " (by.name) " " (format_jst(*at)) }
                    p.text { (text) }
                }
            }
        }
    }
}

async fn render(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    id: &str,
    shown: Shown,
) -> PageResult {
    let by = account(page)?;
    let ip = ip_of(actor);
    let conversation = match state.consultations.conversation(clerk(by, &ip), id).await {
        Ok(c) => c,
        Err(e) if is_outside(&e) => return Ok(not_yours(&e)),
        Err(e) => return Err(e.into()),
    };
    let case = &conversation.case;
    let templates = state.consultations.templates(clerk(by, &ip)).await?;
    let quota = match state.consultations.quota(clerk(by, &ip)).await {
        Ok(q) => Some(q),
        Err(e) => {
            tracing::warn!(error = %e, "the month's quota could not be read");
            None
        }
    };
    let assignable: Vec<StaffAccount> = all_accounts(state)
        .await?
        .into_iter()
        .filter(|a| !a.is_disabled() && a.may_in(Permission::Consultations, case.department()))
        .collect();
    let here = case_path(id);
    let title = format!("相談（{}）", case.topic().label());
    Ok(page.render(
        &title,
        &[("ホーム", "/admin"), ("相談", PATH), (&title, &here)],
        MANUAL,
        html! {
            dl.summary {
                dt { "担当課" } dd { (case.department()) }
                dt { "開始" } dd { (format_jst(case.opened_at())) }
                dt { "状態" } dd {
                    @match case.closed() {
                        Some(closed) => { "終了（" (closed.closing.label()) "） " (format_jst(closed.at)) }
                        None => "対応中",
                    }
                }
                dt { "担当者" } dd { (case.assignee().map(|a| a.name.as_str()).unwrap_or("—")) }
            }
            h2 { "会話" }
            @if conversation.messages.is_empty() {
                p { "まだメッセージはありません。" }
            } @else {
                ol.conversation #conversation {
                    @for message in &conversation.messages {
                        (message_markup(&conversation, message))
                    }
                }
            }
            @if case.is_open() {
                h2 { "返信" }
                p #quota { (quota_words(quota)) }
                form #reply-form method="post" action=(format!("{here}/reply")) {
                    (page.csrf_field())
                    @if !templates.is_empty() {
                        div.field {
                            label for="f-template" { "定型文" }
                            select #f-template name="template" {
                                @for t in &templates {
                                    option value=(t.id()) selected[shown.template == t.id()] { (t.name()) }
                                }
                            }
                            button type="submit" name="action" value="fill" { "定型文を返信欄に入れる" }
                        }
                    }
                    div.field {
                        label for="f-reply" { "返信（LINEで市民に送られます）" }
                        textarea #f-reply name="reply" rows="5" maxlength=(MAX_TEXT_CHARS)
                            aria-invalid=[shown.problem.as_ref().map(|_| "true")] { (shown.reply) }
                        @if let Some(p) = &shown.problem {
                            div.hint { span.problem { (p) } }
                        }
                    }
                    button.primary type="submit" name="action" value="send" { "返信を送る" }
                }
            }
            h2 { "内部メモ" }
            form #note-form method="post" action=(format!("{here}/note")) {
                (page.csrf_field())
                div.field {
                    label for="f-note" { "メモ（職員だけが見ます）" }
                    textarea #f-note name="note" rows="3" maxlength=(MAX_TEXT_CHARS) {}
                }
                button type="submit" { "メモを追加" }
            }
            @if case.is_open() {
                h2 { "担当者" }
                form #assign-form method="post" action=(format!("{here}/assign")) {
                    (page.csrf_field())
                    div.field {
                        label for="f-assignee" { "担当者" }
                        select #f-assignee name="assignee" {
                            option value="" { "（なし）" }
                            @for a in &assignable {
                                option value=(a.login_id.as_str())
                                    selected[case.assignee().is_some_and(|x| x.login_id == a.login_id)] {
                                    (a.profile().display_name)
                                }
                            }
                        }
                    }
                    button type="submit" { "担当者を変更" }
                }
                h2 { "相談を終了" }
                form #close-form method="post" action=(format!("{here}/close")) {
                    (page.csrf_field())
                    div.field {
                        label for="f-closing" { "終了区分" }
                        select #f-closing name="closing" {
                            @for c in Closing::FOR_STAFF {
                                option value=(c.code()) { (c.label()) }
                            }
                        }
                    }
                    button.danger type="submit" { "終了する" }
                }
            }
        },
    ))
}

/// GET: one conversation (the read is audited by the desk).
pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    render(&state, &page, &actor, &id, Shown::default()).await
}

/// Back to the case with a message, or the 403 page, or the error page.
fn answered(
    state: &AdminState,
    id: &str,
    result: Result<(), ConsultationDeskError>,
    done: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(redirect_with(
            &case_path(id),
            FlashKind::Success,
            done,
            state.config.secure_cookies,
        )),
        Err(e) if is_outside(&e) => Ok(not_yours(&e)),
        Err(e) if e.is_refusal() || matches!(e, ConsultationDeskError::NotSent(_)) => {
            if let ConsultationDeskError::NotSent(cause) = &e {
                tracing::error!(error = %cause, case = id, "a consultation reply could not be sent");
            }
            Ok(redirect_with(
                &case_path(id),
                FlashKind::Error,
                e.to_string(),
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// POST: fill a template into the box, or send the reply.
pub async fn reply(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let mut shown = Shown {
        reply: form.secret("reply"),
        template: form.get("template"),
        problem: None,
    };
    if form.get("action") == "fill" {
        let templates = state.consultations.templates(clerk(by, &ip)).await?;
        match templates.iter().find(|t| t.id() == shown.template) {
            Some(t) => shown.reply = t.text().to_string(),
            None => shown.problem = Some("定型文を選んでください。".into()),
        }
        return render(&state, &page, &actor, &id, shown).await;
    }
    let result = state
        .consultations
        .reply(clerk(by, &ip), &id, &shown.reply)
        .await;
    match result {
        // What the clerk typed stays beside the box when the text itself was refused.
        Err(ConsultationDeskError::Case(
            e @ (ConsultationError::EmptyText | ConsultationError::TextTooLong),
        )) => {
            shown.problem = Some(e.to_string());
            render(&state, &page, &actor, &id, shown).await
        }
        other => answered(&state, &id, other.map(|_| ()), "返信を送りました。"),
    }
}

pub async fn note(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let result = state
        .consultations
        .note(clerk(by, &ip), &id, &form.secret("note"))
        .await;
    answered(&state, &id, result.map(|_| ()), "内部メモを追加しました。")
}

pub async fn assign(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let assignee = Some(form.get("assignee")).filter(|a| !a.is_empty());
    let result = state
        .consultations
        .assign(clerk(by, &ip), &id, assignee.as_deref())
        .await;
    answered(&state, &id, result.map(|_| ()), "担当者を変更しました。")
}

pub async fn close(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let by = account(&page)?;
    let ip = ip_of(&actor);
    let Some(closing) = Closing::from_code(&form.get("closing")) else {
        return Ok(redirect_with(
            &case_path(&id),
            FlashKind::Error,
            "終了区分を選んでください。",
            state.config.secure_cookies,
        ));
    };
    let result = state
        .consultations
        .close(clerk(by, &ip), &id, closing)
        .await;
    answered(&state, &id, result.map(|_| ()), "相談を終了しました。")
}
