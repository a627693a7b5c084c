//! セグメント配信: compose (up to five bubbles, phone preview), choose who receives it with a
//! live count, send now or reserve a minute in JST, approve, cancel, stop, duplicate, test-send,
//! and the log with its CSV (6.2.1.4–6.2.1.9). Every change to a delivery is audited with what
//! changed (6.2.1.6).

mod composer;
mod form;
mod irreversible;
mod log;

pub use log::{export, list, LogQuery};

use crate::audit::{self, Actor};
use crate::pages::confirm::{is_confirmed, CONFIRMED};
use crate::ui::form::Problems;
use crate::ui::form_data::FormData;
use crate::ui::{self, redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use composer::{composer, preview};
use form::Composed;
use irreversible::Irreversible;
use maud::html;
use std::sync::Arc;
use tayori_domain::delivery::changes::{changes, status_change, summary};
use tayori_domain::delivery::{Delivery, DeliveryError, DeliveryStatus, Stamp, DELIVERY_REQUESTED};
use tayori_domain::segment::{SegmentItems, Target};
use tayori_domain::staff::{LoginId, Permission};
use tayori_domain::time::format_jst;
use tayori_ports::{Event, ObjectKey};
use tayori_records::{Deliveries, Friends, RecordError, SegmentItemsRecord};

fn deliveries(state: &AdminState) -> Deliveries {
    Deliveries::new(state.platform.table.clone())
}

async fn segment_items(state: &AdminState) -> Result<SegmentItems, RecordError> {
    SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await
}

#[derive(Debug)]
enum Failure {
    Rule(DeliveryError),
    Record(RecordError),
}

impl From<RecordError> for Failure {
    fn from(e: RecordError) -> Self {
        Failure::Record(e)
    }
}

fn rule(e: DeliveryError) -> Failure {
    Failure::Rule(e)
}

fn back(state: &AdminState, id: &str, kind: FlashKind, text: impl Into<String>) -> Response {
    redirect_with(
        &format!("/admin/deliveries/{id}"),
        kind,
        text,
        state.config.secure_cookies,
    )
}

fn outcome(
    state: &AdminState,
    id: &str,
    result: Result<Delivery, Failure>,
    done: &str,
) -> Response {
    match result {
        Ok(_) => back(state, id, FlashKind::Success, done),
        Err(Failure::Rule(e)) => back(state, id, FlashKind::Error, e.to_string()),
        Err(Failure::Record(e)) => ui::unavailable(&e),
    }
}

fn audit_target(id: &str) -> String {
    format!("delivery:{id}")
}

/// A target in the words staff chose it in.
fn target_words(items: &SegmentItems) -> impl Fn(&Target) -> String + '_ {
    |target| target.describe(items)
}

// ------------------------------------------------------------------------------- composer

/// Why a composer post larger than the console takes was not saved (the file's size is not
/// known to the page without JavaScript, so the limit is said beside the field too).
pub const TOO_LARGE: &str = "送信された内容が大きすぎるため、保存できませんでした（1回に送れるのは合計4.5MBまで）。画像は4MB以内のものを1枚ずつ選んでください。下書きは前回保存したときのままです。";

/// The composer a post to `path` came from, for sending the clerk back to it.
pub fn composer_of(path: &str) -> Option<String> {
    if path == "/admin/deliveries" {
        return Some("/admin/deliveries/new".into());
    }
    let id = path.strip_prefix("/admin/deliveries/")?;
    is_generated_id(id).then(|| path.to_string())
}

/// Whether `id` is one the console makes for a delivery (32 lowercase hex digits).
fn is_generated_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub async fn new_form(State(state): State<Arc<AdminState>>, page: Page, actor: Actor) -> Response {
    let draft = Delivery::draft(String::new(), &actor.login_id(), state.platform.clock.now());
    match segment_items(&state).await {
        Ok(items) => composer(
            &page,
            &draft,
            &Composed::from_delivery(&draft),
            false,
            &items,
            &Problems::default(),
        ),
        Err(e) => ui::unavailable(&e),
    }
}

/// An id the composer made for a new draft whose first save was refused (its pictures are
/// stored under it), if it is one and no delivery has it yet.
async fn carried_id(state: &AdminState, form: &Composed) -> Result<Option<String>, RecordError> {
    let id = form.get("draft_id");
    if !is_generated_id(&id) {
        return Ok(None);
    }
    Ok(deliveries(state).get(&id).await?.is_none().then_some(id))
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    multipart: Multipart,
) -> Response {
    let form = match form::read(multipart).await {
        Ok(f) => f,
        Err(e) => {
            return redirect_with(
                "/admin/deliveries/new",
                FlashKind::Error,
                e.to_string(),
                state.config.secure_cookies,
            )
        }
    };
    let id = match carried_id(&state, &form).await {
        Ok(Some(id)) => id,
        Ok(None) => uuid::Uuid::new_v4().simple().to_string(),
        Err(e) => return ui::unavailable(&e),
    };
    let draft = Delivery::draft(id, &actor.login_id(), state.platform.clock.now());
    save(state, page, actor, draft, form, true).await
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Response {
    match deliveries(&state).get(&id).await {
        Ok(Some(d)) if d.status == DeliveryStatus::Draft => {
            let form = match form::read(multipart).await {
                Ok(f) => f,
                Err(e) => return back(&state, &d.id, FlashKind::Error, e.to_string()),
            };
            save(state, page, actor, d, form, false).await
        }
        Ok(Some(d)) => back(
            &state,
            &id,
            FlashKind::Error,
            format!(
                "「{}」の配信は編集できません。複製して新しい下書きにしてください。",
                d.status.label()
            ),
        ),
        Ok(None) => ui::not_found(),
        Err(e) => ui::unavailable(&e),
    }
}

async fn save(
    state: Arc<AdminState>,
    page: Page,
    actor: Actor,
    mut d: Delivery,
    mut form: Composed,
    new: bool,
) -> Response {
    let items = match segment_items(&state).await {
        Ok(i) => i,
        Err(e) => return ui::unavailable(&e),
    };
    let mut problems = Problems::default();
    let applied = match form::apply(&state, &mut d, &mut form, &items, &mut problems).await {
        Ok(applied) => applied,
        Err(e) => return ui::unavailable(&e),
    };
    // A link that is not an https:// page is never stored (the preview would draw it for
    // staff who may approve, and LINE would open it for citizens), nor a field LINE would
    // refuse, nor a bubble that would drop what was typed. The form keeps what was typed and
    // the pictures chosen (stored under the draft's id, which the form carries).
    if applied.refused || d.check_links().is_err() {
        return composer(&page, &d, &form, !new, &items, &problems);
    }
    let action = form.get("action");
    if matches!(action.as_str(), "submit" | "test") {
        if let Err(e) = d.validate() {
            problems.add("delivery", e.to_string());
        }
    }
    d.updated_at = state.platform.clock.now();
    let words = target_words(&items);
    if new {
        if let Err(e) = deliveries(&state).create(&d).await {
            return ui::unavailable(&e);
        }
        let created = summary(&d, &words);
        audit::record(
            &state,
            &actor,
            "配信の下書きを作成",
            &audit_target(&d.id),
            created,
        )
        .await;
    } else {
        let content = d.clone();
        let stored = deliveries(&state)
            .update_seen(&d.id, move |stored| {
                // Submitted meanwhile (another tab, another clerk): the submitted content stands.
                if stored.status != DeliveryStatus::Draft {
                    return Err(rule(DeliveryError::WrongStatus(stored.status.label())));
                }
                let keep = stored.clone();
                *stored = Delivery {
                    id: keep.id,
                    created: keep.created,
                    status: keep.status,
                    duplicated_from: keep.duplicated_from,
                    ..content.clone()
                };
                Ok(())
            })
            .await;
        match stored {
            Ok((before, after)) => {
                let changed = changes(&before, &after, &words);
                if !changed.is_empty() {
                    audit::record(
                        &state,
                        &actor,
                        "配信の下書きを保存",
                        &audit_target(&d.id),
                        format!("「{}」 {}", after.title, changed.join("、")),
                    )
                    .await;
                }
            }
            Err(Failure::Rule(e)) => return back(&state, &d.id, FlashKind::Error, e.to_string()),
            Err(Failure::Record(e)) => return ui::unavailable(&e),
        }
    }
    if !problems.is_empty() {
        return composer(&page, &d, &form, true, &items, &problems);
    }
    match action.as_str() {
        "count" => {
            let text = match count(&state, &d.target).await {
                Ok(n) => format!(
                    "{}：{} 人（ブロック中の友だちを除く）",
                    d.target.describe(&items),
                    n
                ),
                Err(e) => return ui::unavailable(&e),
            };
            back(&state, &d.id, FlashKind::Success, text)
        }
        // Shown again with one more bubble open; the draft is stored, so nothing typed is lost.
        "add" => composer(&page, &d, &form, true, &items, &problems),
        "test" => test_send(&state, &actor, &d).await,
        "submit" if page.may(Permission::DeliverySend) => {
            ask(&state, &page, &actor, &d.id, Irreversible::Send).await
        }
        "submit" => submit(&state, &page, &actor, &d.id, &items).await,
        _ => back(&state, &d.id, FlashKind::Success, "下書きを保存しました。"),
    }
}

/// How many friends the target reaches now.
async fn count(state: &AdminState, target: &Target) -> Result<u64, RecordError> {
    Friends::new(&state.platform).count(target).await
}

async fn request_send(state: &AdminState, id: &str) {
    // The next minute's tick sends it anyway; this only makes "send now" immediate.
    if let Err(e) = state
        .platform
        .bus
        .publish(vec![Event::new(
            DELIVERY_REQUESTED,
            serde_json::json!({ "id": id }),
        )])
        .await
    {
        tracing::warn!(error = %e, id, "delivery.requested not published; the next tick sends it");
    }
}

async fn submit(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    id: &str,
    items: &SegmentItems,
) -> Response {
    let may_send = page.may(Permission::DeliverySend);
    let by = actor.login_id();
    let now = state.platform.clock.now();
    let result = deliveries(state)
        .update_seen(id, |d| {
            let description = d.target.describe(items);
            d.submit(&by, may_send, description, now).map_err(rule)
        })
        .await;
    let (before, d) = match result {
        Ok(seen) => seen,
        Err(e) => return outcome(state, id, Err(e), ""),
    };
    let what = format!(
        "{} 配信先「{}」 配信日時「{}」",
        status_change(&before, &d),
        d.target_description,
        d.send_at.map(format_jst).unwrap_or_else(|| "すぐ".into())
    );
    if may_send {
        audit::record(state, actor, "配信を確定", &audit_target(id), what).await;
        if d.send_at.is_none() {
            request_send(state, id).await;
            return back(
                state,
                id,
                FlashKind::Success,
                "配信を開始しました。結果はこの画面に表示されます。",
            );
        }
        return back(
            state,
            id,
            FlashKind::Success,
            format!(
                "{} に配信を予約しました。",
                d.send_at.map(format_jst).unwrap_or_default()
            ),
        );
    }
    audit::record(state, actor, "配信の承認を依頼", &audit_target(id), what).await;
    back(
        state,
        id,
        FlashKind::Success,
        "承認を依頼しました。承認されると配信されます。",
    )
}

/// Whether a posted form confirms an irreversible action.
fn confirmed(body: &Bytes) -> bool {
    is_confirmed(&FormData::parse(body).get(CONFIRMED))
}

/// The confirmation page for `action` on delivery `id`, or back to the delivery with why it
/// cannot be done now: the rule is tried on a copy first, so the page never offers what would
/// then be refused.
async fn ask(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    id: &str,
    action: Irreversible,
) -> Response {
    let (d, items) = match (deliveries(state).get(id).await, segment_items(state).await) {
        (Ok(Some(d)), Ok(items)) => (d, items),
        (Ok(None), _) => return ui::not_found(),
        (Err(e), _) | (_, Err(e)) => return ui::unavailable(&e),
    };
    let mut trial = d.clone();
    let (by, now) = (actor.login_id(), state.platform.clock.now());
    let allowed = match action {
        Irreversible::Send => trial.submit(&by, true, String::new(), now),
        Irreversible::Approve => trial.approve(&by, now),
        Irreversible::Cancel => trial.cancel(&by, now),
        Irreversible::Stop => trial.request_stop(&by, now),
    };
    if let Err(e) = allowed {
        return back(state, id, FlashKind::Error, e.to_string());
    }
    let reach = match action {
        Irreversible::Stop => d.totals.recipients,
        _ => match count(state, &d.target).await {
            Ok(n) => n,
            Err(e) => return ui::unavailable(&e),
        },
    };
    let path = format!("/admin/deliveries/{id}");
    action
        .confirmation(&d, described_target(&d, &items), reach)
        .render(
            page,
            &[
                ("ホーム", "/admin"),
                ("配信", "/admin/deliveries"),
                (&d.title, &path),
            ],
            "deliveries",
        )
}

/// The target as staff chose it: in the words fixed at submission, or as it reads now.
fn described_target(d: &Delivery, items: &SegmentItems) -> String {
    if d.target_description.is_empty() {
        d.target.describe(items)
    } else {
        d.target_description.clone()
    }
}

/// 配信する, from its confirmation page.
pub async fn send(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Send).await;
    }
    match segment_items(&state).await {
        Ok(items) => submit(&state, &page, &actor, &id, &items).await,
        Err(e) => ui::unavailable(&e),
    }
}

/// A copy of the draft, sent only to the testers and logged as a test.
async fn test_send(state: &AdminState, actor: &Actor, d: &Delivery) -> Response {
    let testers = match tayori_records::Testers::new(state.platform.table.clone())
        .get()
        .await
    {
        Ok(t) => t,
        Err(e) => return ui::unavailable(&e),
    };
    if testers.is_empty() {
        return back(state, &d.id, FlashKind::Error, "テスト配信の受信者が登録されていません。「テスト配信の受信者」で自分のLINEを登録してください。");
    }
    let now = state.platform.clock.now();
    let mut test = d.duplicate(
        uuid::Uuid::new_v4().simple().to_string(),
        &actor.login_id(),
        now,
    );
    test.test = true;
    test.title = format!("【テスト】{}", d.title);
    let by = actor.login_id();
    let created = async {
        deliveries(state).create(&test).await?;
        deliveries(state)
            .update(&test.id, |t| {
                t.submit(&by, true, "テスト配信の受信者".into(), now)
                    .map_err(rule)
            })
            .await
    }
    .await;
    match created {
        Ok(t) => {
            audit::record(
                state,
                actor,
                "テスト配信",
                &audit_target(&t.id),
                format!(
                    "「{}」（{} のテスト、{} 人）",
                    d.title,
                    audit_target(&d.id),
                    testers.len()
                ),
            )
            .await;
            request_send(state, &t.id).await;
            back(
                state,
                &d.id,
                FlashKind::Success,
                format!("テスト配信を {} 人に送りました。", testers.len()),
            )
        }
        Err(Failure::Rule(e)) => back(state, &d.id, FlashKind::Error, e.to_string()),
        Err(Failure::Record(e)) => ui::unavailable(&e),
    }
}

// ------------------------------------------------------------------------------- one delivery

pub async fn show(
    State(state): State<Arc<AdminState>>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let d = match deliveries(&state).get(&id).await {
        Ok(Some(d)) => d,
        Ok(None) => return ui::not_found(),
        Err(e) => return ui::unavailable(&e),
    };
    let items = match segment_items(&state).await {
        Ok(i) => i,
        Err(e) => return ui::unavailable(&e),
    };
    if d.status == DeliveryStatus::Draft && page.may(Permission::DeliveryDraft) {
        let form = Composed::from_delivery(&d);
        return composer(&page, &d, &form, true, &items, &Problems::default());
    }
    let names = match staff_names(&state, &d).await {
        Ok(names) => names,
        Err(e) => return ui::unavailable(&e),
    };
    let stamp = |s: &Option<Stamp>| {
        s.as_ref()
            .map(|s| format!("{}（{}）", names.of(&s.by), format_jst(s.at)))
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
        ("承認待ちの配信", super::approvals::PATH)
    };
    page.render(
        &d.title,
        &[("ホーム", "/admin"), list, (&d.title, &format!("/admin/deliveries/{id}"))],
        "deliveries",
        html! {
            div.composer {
                div {
                    dl.facts {
                        dt { "状態" } dd { (d.status.label()) @if d.test { "（テスト配信）" } }
                        dt { "分類" } dd { (d.category) }
                        dt { "配信先" } dd { (described_target(&d, &items)) }
                        dt { "配信日時" } dd { (d.started_at.or(d.send_at).map(format_jst).unwrap_or_else(|| "確定後すぐ".into())) }
                        dt { "作成" } dd { (stamp(&Some(d.created.clone()))) }
                        dt { "承認依頼・確定" } dd { (stamp(&d.submitted)) }
                        dt { "承認" } dd { (stamp(&d.approved)) }
                        dt { "停止" } dd { (stamp(&d.stop_requested)) }
                        dt { "取消" } dd { (stamp(&d.cancelled)) }
                        dt { "対象数" } dd { (d.totals.recipients) " 人" }
                        dt { "成功" } dd { (d.totals.succeeded) " 通" }
                        dt { "失敗" } dd { (d.totals.failed) " 通" }
                        dt { "未送信（停止）" } dd { (d.totals.not_sent) " 通" }
                        dt { "LINEのエラー" } dd { @if d.errors.is_empty() { "なし" } @else { ul { @for e in &d.errors { li { (e) } } } } }
                    }
                    div.actions {
                        @if d.status == DeliveryStatus::AwaitingApproval && page.may(Permission::DeliveryApprove) {
                            (action(Irreversible::Approve.path(), Irreversible::Approve.button(), "primary"))
                            (action("return", "差し戻す", ""))
                        }
                        @if matches!(d.status, DeliveryStatus::AwaitingApproval | DeliveryStatus::Scheduled) && page.may(Permission::DeliverySend) {
                            (action(Irreversible::Cancel.path(), Irreversible::Cancel.button(), "danger"))
                        }
                        @if d.status == DeliveryStatus::Sending && d.stop_requested.is_none() && page.may(Permission::DeliverySend) {
                            (action(Irreversible::Stop.path(), Irreversible::Stop.button(), "danger"))
                        }
                        @if page.may(Permission::DeliveryDraft) {
                            (action("duplicate", "複製して編集", ""))
                        }
                    }
                }
                (preview(&d))
            }
            link rel="stylesheet" href=(composer::STYLE);
        },
    )
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
        Some(&d.created),
        d.submitted.as_ref(),
        d.approved.as_ref(),
        d.stop_requested.as_ref(),
        d.cancelled.as_ref(),
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

/// One staff action on a delivery's status: apply the rule and audit it with the status
/// before and after.
async fn change(
    state: &AdminState,
    actor: &Actor,
    id: &str,
    action: &str,
    rule_of: impl Fn(&mut Delivery, &str, DateTime<Utc>) -> Result<(), DeliveryError>,
) -> Result<Delivery, Failure> {
    let by = actor.login_id();
    let now = state.platform.clock.now();
    let (before, after) = deliveries(state)
        .update_seen(id, |d| rule_of(d, &by, now).map_err(rule))
        .await?;
    audit::record(
        state,
        actor,
        action,
        &audit_target(id),
        status_change(&before, &after),
    )
    .await;
    Ok(after)
}

pub async fn approve(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Approve).await;
    }
    let done = "承認しました。";
    let result = change(&state, &actor, &id, "配信を承認", |d, by, now| {
        d.approve(by, now)
    })
    .await;
    if result.as_ref().is_ok_and(|d| d.send_at.is_none()) {
        request_send(&state, &id).await;
    }
    outcome(&state, &id, result, done)
}

pub async fn return_to_draft(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> Response {
    let done = "下書きに戻しました。";
    let result = change(&state, &actor, &id, "配信を差し戻し", |d, _, now| {
        d.return_to_draft(now)
    })
    .await;
    outcome(&state, &id, result, done)
}

pub async fn cancel(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Cancel).await;
    }
    let done = "配信を取り消しました。";
    let result = change(&state, &actor, &id, "配信を取消", |d, by, now| {
        d.cancel(by, now)
    })
    .await;
    outcome(&state, &id, result, done)
}

pub async fn stop(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !confirmed(&body) {
        return ask(&state, &page, &actor, &id, Irreversible::Stop).await;
    }
    let done = "停止を指示しました。送信中の分が終わりしだい止まります。";
    let result = change(&state, &actor, &id, "配信を停止", |d, by, now| {
        d.request_stop(by, now)
    })
    .await;
    outcome(&state, &id, result, done)
}

pub async fn duplicate(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
) -> Response {
    let original = match deliveries(&state).get(&id).await {
        Ok(Some(d)) => d,
        Ok(None) => return ui::not_found(),
        Err(e) => return ui::unavailable(&e),
    };
    let copy = original.duplicate(
        uuid::Uuid::new_v4().simple().to_string(),
        &actor.login_id(),
        state.platform.clock.now(),
    );
    if let Err(e) = deliveries(&state).create(&copy).await {
        return ui::unavailable(&e);
    }
    audit::record(
        &state,
        &actor,
        "配信を複製",
        &audit_target(&original.id),
        format!(
            "「{}」を新しい下書き {} に複製",
            original.title,
            audit_target(&copy.id)
        ),
    )
    .await;
    back(
        &state,
        &copy.id,
        FlashKind::Success,
        "複製しました。内容を確認して配信してください。",
    )
}

/// Delivery images for the preview (staff only; LINE reads them from the public media route).
pub async fn media(State(state): State<Arc<AdminState>>, Path(key): Path<String>) -> Response {
    // Only delivery media: the route must not become a way to read other objects.
    let Ok(key) = ObjectKey::new(format!("media/{key}")) else {
        return ui::not_found();
    };
    match state.platform.objects.get(&key).await {
        Ok(Some(object)) => {
            ([(header::CONTENT_TYPE, object.content_type)], object.bytes).into_response()
        }
        Ok(None) => ui::not_found(),
        Err(e) => ui::unavailable(&e),
    }
}
