//! The composer's posts: a new draft or a saved one, and what the clerk pressed after writing
//! it (count, add a bubble, test send, submit). A save and a submission are one write.

use super::composer::{composer, Draft};
use super::form::{self, Post};
use super::irreversible::Irreversible;
use super::test_send::test_send;
use super::workflow::{ask, submitted};
use super::{audit_target, back, desk, refused, segment_items, target_words};
use crate::audit::{self, Actor};
use crate::error::PageResult;
use crate::pages::disaster::templates;
use crate::ui::form::Problems;
use crate::ui::{redirect_with, FlashKind, Page};
use crate::AdminState;
use axum::extract::{Path, Query, State};
use std::sync::Arc;
use tayori_deliveries::composer::Composed;
use tayori_deliveries::{Saved, Then};
use tayori_domain::delivery::changes::{changes, summary};
use tayori_domain::delivery::{Bubble, Delivery, DeliveryStatus};
use tayori_domain::staff::Permission;

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

/// The new draft page's address: `?template=level4` starts it from a ひな形.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NewDraft {
    #[serde(default)]
    template: String,
}

pub async fn new_form(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Query(query): Query<NewDraft>,
) -> PageResult {
    let blank = desk(&state).blank(String::new(), &actor.login_id());
    let items = segment_items(&state).await?;
    let shown = Draft {
        id: blank.id(),
        bubbles: blank.bubbles(),
        stored: false,
        city: &state.config.city,
    };
    let form = match templates::find(&query.template) {
        Some(t) => form::from_template(t),
        None => Composed::from_delivery(&blank),
    };
    Ok(composer(&page, shown, &form, &items, &Problems::default()))
}

pub async fn create(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    post: Post,
) -> PageResult {
    let form = match form::read(post).await {
        Ok(f) => f,
        Err(e) => {
            return Ok(redirect_with(
                "/admin/deliveries/new",
                FlashKind::Error,
                e.to_string(),
                state.config.secure_cookies,
            ))
        }
    };
    // A first save that was refused stored its pictures under the id the form carries.
    let carried = Some(form.get("draft_id")).filter(|id| is_generated_id(id));
    let desk = desk(&state);
    let id = desk.new_draft_id(carried).await?;
    let blank = desk.blank(id, &actor.login_id());
    save(&state, &page, &actor, blank, form, true).await
}

pub async fn update(
    State(state): State<Arc<AdminState>>,
    page: Page,
    actor: Actor,
    Path(id): Path<String>,
    post: Post,
) -> PageResult {
    let d = desk(&state).get(&id).await?;
    if d.status() != DeliveryStatus::Draft {
        return Ok(back(
            &state,
            &id,
            FlashKind::Error,
            format!(
                "「{}」の配信は編集できません。複製して新しい下書きにしてください。",
                d.status().label()
            ),
        ));
    }
    match form::read(post).await {
        Ok(form) => save(&state, &page, &actor, d, form, false).await,
        Err(e) => Ok(back(&state, &id, FlashKind::Error, e.to_string())),
    }
}

/// Saves the form over draft `d` (a `new` blank one, or a stored one) and does what the clerk
/// pressed.
async fn save(
    state: &AdminState,
    page: &Page,
    actor: &Actor,
    d: Delivery,
    mut form: Composed,
    new: bool,
) -> PageResult {
    let items = segment_items(state).await?;
    let mut problems = Problems::default();
    let applied = form::apply(state, &d, &mut form, &items, &mut problems).await?;
    let city = state.config.city.as_str();
    // Nothing the delivery may not hold is stored (the form says why beside each field); the
    // form keeps what was typed and the pictures chosen (stored under the draft's id).
    if applied.refused {
        let shown = Draft {
            id: d.id(),
            bubbles: &applied.composition.bubbles,
            stored: !new,
            city,
        };
        return Ok(composer(page, shown, &form, &items, &problems));
    }
    let action = form.get("action");
    // A ひな形 goes out only once the clerk has filled in every 【placeholder】 it had.
    if action == "submit" {
        for (n, bubble) in applied.composition.bubbles.iter().enumerate() {
            if let Bubble::Text { text } = bubble {
                let left = templates::placeholders_in(text);
                if !left.is_empty() {
                    problems.add(
                        &format!("text-{n}"),
                        format!(
                            "{}つ目の吹き出しに、ひな形の記入欄 {} が残っています。実際の内容に書き換えてから配信してください。",
                            n + 1,
                            left.join("")
                        ),
                    );
                }
            }
        }
    }
    let may_send = page.may(Permission::DeliverySend);
    // One who may send confirms first; one who may not asks for approval with this very save,
    // unless the form has a problem to mend first.
    let then = if action == "submit" && !may_send && problems.is_empty() {
        Then::Submit { may_send }
    } else {
        Then::Keep
    };
    let (desk, by) = (desk(state), actor.login_id());
    let saved = if new {
        desk.create_draft(d.id().into(), &by, applied.composition, then)
            .await
    } else {
        desk.save_draft(d.id(), &by, applied.composition, then)
            .await
    };
    let saved = match saved {
        Ok(saved) => saved,
        Err(e) => return refused(state, d.id(), e),
    };
    audit_saved(state, actor, &saved, &items).await;
    let after = &saved.change.after;
    if matches!(action.as_str(), "submit" | "test") {
        if let Err(e) = after.validate() {
            problems.add("delivery", e.to_string());
        }
    }
    let shown = Draft {
        id: after.id(),
        bubbles: after.bubbles(),
        stored: true,
        city,
    };
    if !problems.is_empty() {
        return Ok(composer(page, shown, &form, &items, &problems));
    }
    match action.as_str() {
        "count" => {
            let reach = desk.count(after.target()).await?;
            let text = format!(
                "{}：{reach} 人（ブロック中の友だちを除く）",
                after.target().describe(&items)
            );
            Ok(back(state, after.id(), FlashKind::Success, text))
        }
        // Shown again with one more bubble open; the draft is stored, so nothing typed is lost.
        "add" => Ok(composer(page, shown, &form, &items, &problems)),
        "test" => test_send(state, actor, after).await,
        "submit" if may_send => ask(state, page, actor, after.id(), Irreversible::Send).await,
        "submit" => match saved.not_submitted {
            Some(e) => Ok(back(state, after.id(), FlashKind::Error, e.to_string())),
            None => Ok(submitted(state, actor, &saved.change, may_send).await),
        },
        _ => Ok(back(
            state,
            after.id(),
            FlashKind::Success,
            "下書きを保存しました。",
        )),
    }
}

/// The audit log's entry for a save: a new draft in full, a saved one by what changed.
async fn audit_saved(
    state: &AdminState,
    actor: &Actor,
    saved: &Saved,
    items: &tayori_domain::segment::SegmentItems,
) {
    let (before, after) = (&saved.change.before, &saved.change.after);
    let words = target_words(items);
    if saved.created {
        let created = summary(after, &words);
        audit::record(
            state,
            actor,
            "配信の下書きを作成",
            &audit_target(after.id()),
            created,
        )
        .await;
        return;
    }
    let changed = changes(before, after, &words);
    if !changed.is_empty() {
        audit::record(
            state,
            actor,
            "配信の下書きを保存",
            &audit_target(after.id()),
            format!("「{}」 {}", after.title(), changed.join("、")),
        )
        .await;
    }
}
