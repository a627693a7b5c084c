//! `/api/forms/…`: the LIFF forms' JSON API (申請・アンケート・予約). Each handler parses, asks
//! the form desk (`tayori_formdesk::FormDesk`) and renders; the rules (whether the form takes
//! answers, which values are accepted, who may cancel) are the desk's and the domain's.

use crate::auth::Citizen;
use crate::{ApiError, FormsState};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::form::{Availability, Field, FormId, PerCitizen, SlotAvailability, Submitted};
use tayori_domain::time::format_jst;
use tayori_formdesk::{CitizenForm, CitizenView, FormDesk, Receipt, UploadedFile};
use tayori_records::Friends;
use tayori_web::UploadView;

fn desk(state: &FormsState) -> FormDesk {
    FormDesk::new(&state.platform)
}

fn form_id(raw: &str) -> Result<FormId, ApiError> {
    FormId::parse(raw).map_err(|_| ApiError::Form(tayori_formdesk::FormDeskError::NotFound))
}

/// Whether the form takes answers, and if not what the page says instead of the form.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AvailabilityView {
    pub open: bool,
    pub label: String,
    pub message: String,
}

impl From<Availability> for AvailabilityView {
    fn from(a: Availability) -> Self {
        Self {
            open: a.is_open(),
            label: a.label().to_string(),
            message: a.message(),
        }
    }
}

/// A form as the citizen's page shows it: only the fields citizens answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormView {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub description: String,
    /// `application`, `questionnaire` or `reservation`.
    pub kind: String,
    pub kind_label: String,
    pub once_per_citizen: bool,
    pub period: String,
    /// The domain's fields as stored (`kind.type` says what input to show).
    pub fields: Vec<Field>,
}

impl From<&CitizenForm> for FormView {
    fn from(f: &CitizenForm) -> Self {
        Self {
            id: f.id.to_string(),
            version: f.version,
            title: f.title.clone(),
            description: f.description.clone(),
            kind: f.kind.code().to_string(),
            kind_label: f.kind.label().to_string(),
            once_per_citizen: f.per_citizen == PerCitizen::Once,
            period: f.period.clone(),
            fields: f.fields.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    pub id: String,
    /// 「2026年12月1日(火) 10:00〜10:30」.
    pub label: String,
    pub remaining: u32,
    pub bookable: bool,
    /// 「残り3」「満席」「受付終了」.
    pub state: String,
}

impl From<&SlotAvailability> for SlotView {
    fn from(s: &SlotAvailability) -> Self {
        Self {
            id: s.slot.id.to_string(),
            label: s.slot.label(),
            remaining: s.remaining,
            bookable: s.bookable(),
            state: s.label(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    pub values: BTreeMap<String, Vec<String>>,
    pub slot: Option<String>,
    /// JST, when it was last kept.
    pub saved: String,
}

/// `GET /api/forms/{id}`: everything the page needs before the citizen types anything.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CitizenFormView {
    pub form: FormView,
    pub availability: AvailabilityView,
    pub slots: Vec<SlotView>,
    pub draft: Option<DraftView>,
    pub already_answered: bool,
}

impl From<&CitizenView> for CitizenFormView {
    fn from(v: &CitizenView) -> Self {
        Self {
            form: FormView::from(&v.form),
            availability: v.availability.into(),
            slots: v.slots.iter().map(SlotView::from).collect(),
            draft: v.draft.as_ref().map(|d| DraftView {
                values: d.values().clone(),
                slot: d.slot().map(ToString::to_string),
                saved: format_jst(d.updated_at()),
            }),
            already_answered: v.already_answered,
        }
    }
}

/// `GET /api/forms`: the published forms that have not ended.
pub async fn open_forms(
    State(state): State<Arc<FormsState>>,
    Citizen(_): Citizen,
) -> Result<Json<Value>, ApiError> {
    let now = state.platform.clock.now();
    let forms = desk(&state).open_forms(now).await?;
    let listed: Vec<Value> = forms
        .iter()
        .map(|o| {
            json!({
                "id": o.form.id.to_string(),
                "title": o.form.title,
                "description": o.form.description,
                "kindLabel": o.form.kind.label(),
                "period": o.form.period,
                "availability": AvailabilityView::from(o.availability),
            })
        })
        .collect();
    Ok(Json(json!({ "forms": listed })))
}

/// `GET /api/forms/{id}`.
pub async fn show(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
    Path(id): Path<String>,
) -> Result<Json<CitizenFormView>, ApiError> {
    let now = state.platform.clock.now();
    let view = desk(&state)
        .for_citizen(&form_id(&id)?, &user_id, now)
        .await?;
    Ok(Json(CitizenFormView::from(&view)))
}

/// What the page sends for a draft and for the answer: field id → the raw strings, the slot
/// for a reservation and, with the answer, each photo/file field's uploads (the draft keeps
/// their references among its values).
#[derive(Debug, Deserialize)]
pub struct Answered {
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub slot: Option<String>,
    #[serde(default)]
    pub files: BTreeMap<String, Vec<UploadedFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadAsked {
    pub field: String,
    pub content_type: String,
    pub bytes: u64,
}

/// `POST /api/forms/{id}/uploads`: a presigned PUT for one file of a photo/file field; the
/// field's types and size limit are checked first (a refusal is the field's error).
pub async fn upload(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
    Path(id): Path<String>,
    body: Result<Json<UploadAsked>, JsonRejection>,
) -> Result<Json<UploadView>, ApiError> {
    let Json(asked) = body.map_err(|e| ApiError::UnreadableBody(e.body_text()))?;
    let given = desk(&state)
        .presign_file(
            &form_id(&id)?,
            &asked.field,
            &user_id,
            &asked.content_type,
            asked.bytes,
        )
        .await?;
    Ok(Json(UploadView::new(given.key, given.upload)))
}

/// `PUT /api/forms/{id}/draft`: kept while the citizen types (the page debounces).
pub async fn save_draft(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
    Path(id): Path<String>,
    body: Result<Json<Answered>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(answered) = body.map_err(|e| ApiError::UnreadableBody(e.body_text()))?;
    let now = state.platform.clock.now();
    let draft = desk(&state)
        .save_draft(
            &form_id(&id)?,
            &user_id,
            answered.values,
            answered.slot.as_deref(),
            now,
        )
        .await?;
    Ok(Json(json!({
        "saved": format_jst(draft.updated_at()),
        "message": "入力途中の内容を保存しました。",
    })))
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptView {
    pub answer_id: String,
    pub receipt_number: String,
    pub lines: Vec<String>,
}

impl From<Receipt> for ReceiptView {
    fn from(r: Receipt) -> Self {
        Self {
            answer_id: r.answer_id,
            receipt_number: r.number,
            lines: r.lines,
        }
    }
}

/// `POST /api/forms/{id}/answers`: the answer; the receipt number in return (and pushed in
/// LINE by [`crate::notices::ReceiptHandler`]).
pub async fn submit(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
    Path(id): Path<String>,
    body: Result<Json<Answered>, JsonRejection>,
) -> Result<Json<ReceiptView>, ApiError> {
    let Json(answered) = body.map_err(|e| ApiError::UnreadableBody(e.body_text()))?;
    let id = form_id(&id)?;
    let now = state.platform.clock.now();
    // Kept with the answer for cross-tabulation (年代 × 地区 …): what is registered now.
    let attributes = Friends::new(&state.platform)
        .get(&user_id)
        .await?
        .map(|f| f.attributes)
        .unwrap_or_default();
    let submitted = Submitted {
        values: answered.values,
        files: BTreeMap::new(),
    };
    let receipt = desk(&state)
        .submit_uploaded(
            &id,
            &user_id,
            &submitted,
            &answered.files,
            answered.slot.as_deref(),
            attributes,
            now,
        )
        .await?;
    Ok(Json(receipt.into()))
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MyAnswer {
    pub answer_id: String,
    pub form_title: String,
    pub receipt_number: String,
    pub status: String,
    /// JST.
    pub submitted: String,
    pub lines: Vec<String>,
    /// A reservation the citizen may still cancel (before its slot starts): the page offers
    /// 「キャンセルする」.
    pub cancellable: bool,
}

/// `GET /api/forms/answers`: 「これまでの回答」, newest first.
pub async fn my_answers(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
) -> Result<Json<Value>, ApiError> {
    let now = state.platform.clock.now();
    let mine = desk(&state).my_answers(&user_id, now).await?;
    let listed: Vec<MyAnswer> = mine
        .into_iter()
        .map(|a| MyAnswer {
            answer_id: a.answer_id,
            form_title: a.form.title,
            receipt_number: a.receipt,
            status: a.status.label().to_string(),
            submitted: format_jst(a.submitted_at),
            cancellable: a.cancellable,
            lines: a.lines,
        })
        .collect();
    Ok(Json(json!({ "answers": listed })))
}

/// `POST /api/forms/answers/{answer_id}/cancel`: the citizen cancels their reservation.
pub async fn cancel(
    State(state): State<Arc<FormsState>>,
    Citizen(user_id): Citizen,
    Path(answer_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let now = state.platform.clock.now();
    let answer = desk(&state).cancel(&user_id, &answer_id, now).await?;
    Ok(Json(json!({
        "status": answer.status().label(),
        "message": format!("受付番号 {} の予約をキャンセルしました。", answer.receipt()),
    })))
}

/// `GET /api/forms/postal/{code}`: the address a postal code fills in (福井県's table).
pub async fn postal(
    Citizen(_): Citizen,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let address = tayori_domain::postal::lookup(&code)
        .ok_or_else(|| ApiError::UnknownPostalCode(code.chars().take(16).collect()))?;
    Ok(Json(json!({
        "code": address.code,
        "address": address.text(),
    })))
}
