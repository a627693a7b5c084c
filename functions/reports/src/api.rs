//! The report form's JSON API. Each handler parses, asks the report desk and renders; the
//! rules (what a report must hold, which uploads are the citizen's) are the desk's.

use crate::error::{ApiError, FormField};
use crate::ReportsState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::facility::Position;
use tayori_domain::report::{
    Category, CategoryId, Channel, Contact, Report, ReportForm, Reporter, MAX_DETAILS_CHARS,
    MAX_PHOTOS,
};
use tayori_domain::time::format_jst;
use tayori_images::MAX_REPORT_PHOTO_BYTES;
use tayori_reporting::UploadedReport;
use tayori_web::{LiffCitizen, UploadView};

/// A category as the form offers it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub urgent: bool,
    pub photo_required: bool,
    pub anonymous_allowed: bool,
    pub questions: Vec<QuestionView>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct QuestionView {
    pub label: String,
    pub required: bool,
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> Self {
        Self {
            id: c.id().to_string(),
            name: c.name().to_string(),
            description: c.description().to_string(),
            urgent: c.is_urgent(),
            photo_required: c.photo_required(),
            anonymous_allowed: c.anonymous_allowed(),
            questions: c
                .questions()
                .iter()
                .map(|q| QuestionView {
                    label: q.label.clone(),
                    required: q.required,
                })
                .collect(),
        }
    }
}

/// `GET /api/reports/categories`: the categories offered now and the form's limits.
pub async fn categories(
    State(state): State<Arc<ReportsState>>,
    LiffCitizen(_): LiffCitizen,
) -> Result<Json<serde_json::Value>, ApiError> {
    let offered = state.desk.offered_categories().await?;
    let views: Vec<CategoryView> = offered.iter().map(CategoryView::from).collect();
    Ok(Json(serde_json::json!({
        "categories": views,
        "limits": {
            "photos": MAX_PHOTOS,
            "photoBytes": MAX_REPORT_PHOTO_BYTES,
            "details": MAX_DETAILS_CHARS,
        },
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadAsked {
    pub content_type: String,
    pub bytes: usize,
}

/// `POST /api/reports/uploads`.
pub async fn upload(
    State(state): State<Arc<ReportsState>>,
    LiffCitizen(user_id): LiffCitizen,
    body: Result<Json<UploadAsked>, JsonRejection>,
) -> Result<Json<UploadView>, ApiError> {
    let Json(asked) = body.map_err(|e| ApiError::UnreadableBody(e.body_text()))?;
    let given = state
        .desk
        .presign_upload(&user_id, &asked.content_type, asked.bytes)
        .await?;
    Ok(Json(UploadView::new(given.key, given.upload)))
}

#[derive(Debug, Deserialize)]
pub struct ContactGiven {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Deserialize)]
pub struct Filed {
    pub category: String,
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default)]
    pub details: String,
    /// In the category's question order; empty for an optional question left blank.
    #[serde(default)]
    pub answers: Vec<String>,
    #[serde(default)]
    pub contact: Option<ContactGiven>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FiledView {
    pub receipt_number: String,
    pub category: String,
    /// JST, `2026年12月1日 10:00`.
    pub filed: String,
}

/// `POST /api/reports`: the answer is the receipt number.
pub async fn file(
    State(state): State<Arc<ReportsState>>,
    LiffCitizen(user_id): LiffCitizen,
    body: Result<Json<Filed>, JsonRejection>,
) -> Result<Json<FiledView>, ApiError> {
    let Json(filed) = body.map_err(|e| ApiError::UnreadableBody(e.body_text()))?;
    let category = CategoryId::parse(&filed.category)
        .map_err(|_| ApiError::refused(FormField::Category, "種類を選んでください。"))?;
    let position = Position::new(filed.latitude, filed.longitude)
        .map_err(|e| ApiError::refused(FormField::Location, e))?;
    // A contact left entirely blank is no contact; the category says whether one is needed.
    let contact = match filed.contact {
        Some(c) if !(c.name.trim().is_empty() && c.phone.trim().is_empty()) => Some(
            Contact::new(&c.name, &c.phone)
                .map_err(|p| ApiError::refused(FormField::Contact, p))?,
        ),
        _ => None,
    };
    let report = UploadedReport {
        category,
        form: ReportForm {
            position,
            place_note: None,
            photos: Vec::new(),
            details: filed.details,
            answers: filed.answers,
            reporter: Reporter {
                user_id: user_id.clone(),
                contact,
            },
            channel: Channel::Liff,
        },
        uploads: filed.photos,
    };
    let report = state.desk.file_uploaded(&user_id, report).await?;
    Ok(Json(FiledView {
        receipt_number: report.receipt().to_string(),
        category: report.category().name.clone(),
        filed: format_jst(report.filed_at()),
    }))
}

/// One of the citizen's reports as 「通報履歴」 lists it.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MyReport {
    pub receipt_number: String,
    pub category: String,
    pub status: String,
    /// JST, `2026年12月1日 10:00`.
    pub filed: String,
}

impl From<&Report> for MyReport {
    fn from(r: &Report) -> Self {
        Self {
            receipt_number: r.receipt().to_string(),
            category: r.category().name.clone(),
            status: r.status().label().to_string(),
            filed: format_jst(r.filed_at()),
        }
    }
}

/// `GET /api/reports/mine`: newest first.
pub async fn mine(
    State(state): State<Arc<ReportsState>>,
    LiffCitizen(user_id): LiffCitizen,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reports = state.desk.history(&user_id).await?;
    let views: Vec<MyReport> = reports.iter().map(MyReport::from).collect();
    Ok(Json(serde_json::json!({ "reports": views })))
}
