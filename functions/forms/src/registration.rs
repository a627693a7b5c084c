//! `/api/registration`: the LIFF form's view of a citizen's registration (属性登録).

use crate::auth::Citizen;
use crate::ApiError;
use crate::FormsState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::segment::{Answer, SegmentItems};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_records::{Friends, Occasion, RegistrationProgresses, SegmentItemsRecord, UsageEvents};

/// An item as the form shows it: only open items with open choices.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FormItem {
    pub id: String,
    pub label: String,
    pub question: String,
    /// `one` (radio buttons) or `many` (check boxes).
    pub answer: Answer,
    pub choices: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RegistrationView {
    pub items: Vec<FormItem>,
    /// What the citizen has registered for those items.
    pub values: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct Submitted {
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
}

fn view(items: &SegmentItems, attributes: &BTreeMap<String, Vec<String>>) -> RegistrationView {
    let form: Vec<FormItem> = items
        .open_items()
        .filter(|i| i.open_choices().next().is_some())
        .map(|i| FormItem {
            id: i.id.clone(),
            label: i.label.clone(),
            question: i.question.clone(),
            answer: i.answer,
            choices: i.open_choices().map(|c| c.value.clone()).collect(),
        })
        .collect();
    let values = attributes
        .iter()
        .filter(|(id, _)| form.iter().any(|f| &f.id == *id))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    RegistrationView {
        items: form,
        values,
    }
}

pub async fn show(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
) -> Result<Json<RegistrationView>, ApiError> {
    let items = SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await?;
    let attributes = Friends::new(&state.platform)
        .get(&user_id)
        .await?
        .map(|f| f.attributes)
        .unwrap_or_default();
    Ok(Json(view(&items, &attributes)))
}

pub async fn save(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
    body: Result<Json<Submitted>, JsonRejection>,
) -> Result<Json<RegistrationView>, ApiError> {
    let Json(submitted) = body.map_err(|e| ApiError::UnreadableBody(e.body_text()))?;
    let items = SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await?;
    let answers = items.check_registration(&submitted.values)?;
    let now = state.platform.clock.now();
    let friend = Friends::new(&state.platform)
        .update(&user_id, now, |f| {
            f.seen(now);
            f.attributes = items.apply_registration(&f.attributes, &answers);
        })
        .await?;
    // A questionnaire half-answered in the chat would otherwise overwrite this later.
    RegistrationProgresses::new(&state.platform)
        .clear(&user_id)
        .await?;
    UsageEvents::new(state.platform.table.clone())
        .record_quietly(
            &Occasion::each_time(),
            &UsageEvent::one(UsageKind::SegmentRegistration, now)
                .with_attributes(friend.attributes.clone()),
        )
        .await;
    Ok(Json(view(&items, &friend.attributes)))
}

pub async fn delete(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
) -> Result<Json<serde_json::Value>, ApiError> {
    let now = state.platform.clock.now();
    let friends = Friends::new(&state.platform);
    // Someone who never registered has nothing to delete; no record is made for them.
    if friends.exists(&user_id).await? {
        friends
            .update(&user_id, now, |f| {
                f.seen(now);
                f.attributes.clear();
            })
            .await?;
    }
    RegistrationProgresses::new(&state.platform)
        .clear(&user_id)
        .await?;
    Ok(Json(serde_json::json!({
        "deleted": true,
        "message": "登録内容をすべて削除しました。"
    })))
}
