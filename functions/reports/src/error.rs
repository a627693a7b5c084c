//! The report form's API error, in the LIFF APIs' shape (`functions/forms/src/error.rs`):
//! `{"error": {"code", "message", "field"?}}` with its status. A refusal names the form's field
//! it is about (`field`, and the field's name at the start of `message`), so the page can show
//! it next to that field. Causes the citizen cannot act on go to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tayori_domain::report::{DraftError, InputProblem, ReportError};
use tayori_reporting::{DeskError, UploadError};
use tayori_web::LoginRefused;

type Cause = Box<dyn std::error::Error + Send + Sync>;

/// A field of the report form, as the page names its inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormField {
    Category,
    Location,
    Photos,
    Details,
    Answers,
    Contact,
}

impl FormField {
    pub fn code(self) -> &'static str {
        match self {
            FormField::Category => "category",
            FormField::Location => "location",
            FormField::Photos => "photos",
            FormField::Details => "details",
            FormField::Answers => "answers",
            FormField::Contact => "contact",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FormField::Category => "種類",
            FormField::Location => "場所",
            FormField::Photos => "写真",
            FormField::Details => "内容",
            FormField::Answers => "質問への回答",
            FormField::Contact => "連絡先",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。")]
    NoToken,
    #[error("LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。")]
    InvalidToken,
    /// The body is not the JSON the API takes (axum's reason, in English, in brackets).
    #[error("送信内容を読み取れませんでした（{0}）。")]
    UnreadableBody(String),
    /// The form was read but refused; the message names the field.
    #[error("{}：{message}", .field.label())]
    Refused { field: FormField, message: String },
    /// Storage or LINE trouble: the citizen can only try again.
    #[error("ただいま処理できません。時間をおいて、もう一度お試しください。")]
    Unavailable(Cause),
}

impl ApiError {
    pub fn refused(field: FormField, message: impl std::fmt::Display) -> Self {
        ApiError::Refused {
            field,
            message: message.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NoToken | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::UnreadableBody(_) | ApiError::Refused { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NoToken => "no_token",
            ApiError::InvalidToken => "invalid_token",
            ApiError::UnreadableBody(_) => "unreadable_body",
            ApiError::Refused { .. } => "refused",
            ApiError::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Unavailable(cause) = &self {
            tracing::error!(cause = %cause, "reports LIFF API request failed");
        }
        let mut error = json!({"code": self.code(), "message": self.to_string()});
        if let ApiError::Refused { field, .. } = &self {
            error["field"] = json!(field.code());
        }
        (self.status(), Json(json!({ "error": error }))).into_response()
    }
}

impl From<LoginRefused> for ApiError {
    fn from(refused: LoginRefused) -> Self {
        match refused {
            LoginRefused::NoToken => ApiError::NoToken,
            LoginRefused::InvalidToken => ApiError::InvalidToken,
            LoginRefused::Unavailable(e) => ApiError::Unavailable(e.into()),
        }
    }
}

/// The field an input problem is about.
fn field_of(problem: &InputProblem) -> FormField {
    use tayori_domain::report::Field;
    match problem {
        InputProblem::Empty(f) | InputProblem::TooLong { field: f, .. } => match f {
            Field::Details => FormField::Details,
            Field::PlaceNote => FormField::Location,
            Field::Answer => FormField::Answers,
            Field::ContactName => FormField::Contact,
        },
        InputProblem::BadPhone | InputProblem::ContactRequired => FormField::Contact,
        InputProblem::OutsideCity => FormField::Location,
        InputProblem::PhotoRequired | InputProblem::TooManyPhotos => FormField::Photos,
        InputProblem::AnswerRequired(_) => FormField::Answers,
        InputProblem::CategoryRetired => FormField::Category,
    }
}

impl From<DeskError> for ApiError {
    fn from(e: DeskError) -> Self {
        match e {
            DeskError::Rule(ReportError::Input(p)) | DeskError::Draft(DraftError::Input(p)) => {
                let field = field_of(&p);
                let message = match p {
                    // The chat's wording asks for LINE's location message; the form has a map.
                    InputProblem::OutsideCity => {
                        "市外の場所のようです。地図で市内の、通報したい場所を選んでください。"
                            .to_string()
                    }
                    other => other.to_string(),
                };
                ApiError::refused(field, message)
            }
            DeskError::CategoryNotFound => {
                ApiError::refused(FormField::Category, "その種類は登録されていません。")
            }
            DeskError::Upload(u) => ApiError::refused(FormField::Photos, u),
            DeskError::PhotoNotStored => ApiError::refused(FormField::Photos, e),
            other => ApiError::Unavailable(other.into()),
        }
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        ApiError::refused(FormField::Photos, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use serde_json::Value;

    async fn rendered(error: ApiError) -> (StatusCode, Value) {
        let response = error.into_response();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn each_refusal_names_its_field_in_code_and_words() {
        let cases: [(DeskError, &str, &str); 5] = [
            (
                DeskError::Rule(InputProblem::OutsideCity.into()),
                "location",
                "場所：市外の場所のようです。地図で市内の、通報したい場所を選んでください。",
            ),
            (
                DeskError::Rule(
                    InputProblem::TooLong {
                        field: tayori_domain::report::Field::Details,
                        length: 501,
                        limit: 500,
                    }
                    .into(),
                ),
                "details",
                "内容：内容は500文字以内で送ってください（いま501文字です）。",
            ),
            (
                DeskError::Rule(InputProblem::PhotoRequired.into()),
                "photos",
                "写真：この種類の通報には写真が1枚以上必要です。写真を送ってください。",
            ),
            (
                DeskError::Draft(InputProblem::CategoryRetired.into()),
                "category",
                "種類：選ばれた種類は現在受け付けていません。別の種類を選んでください。",
            ),
            (
                DeskError::Upload(UploadError::NotUploaded(2)),
                "photos",
                "写真：2枚目の写真を受け取れていません。写真を選び直してください。",
            ),
        ];
        for (error, field, message) in cases {
            assert_eq!(
                rendered(error.into()).await,
                (
                    StatusCode::BAD_REQUEST,
                    json!({"error": {"code": "refused", "field": field, "message": message}})
                )
            );
        }
    }

    #[tokio::test]
    async fn storage_trouble_is_503_and_its_cause_stays_out_of_the_answer() {
        let cause = tayori_records::RecordError::Contended("report: secret detail".into());
        let (status, body) = rendered(DeskError::Record(cause).into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "unavailable");
        assert!(!body.to_string().contains("secret detail"));
    }
}
