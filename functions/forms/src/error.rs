//! The LIFF APIs' error: what a call could not do, answered as
//! `{"error": {"code": "<stable code>", "message": "<Japanese for the citizen>"}}` with its
//! status. The page shows `message`; `code` is for scripts and logs. A form's answer refused
//! field by field also carries `fields: [{"field": "<id>", "message": "<what to do>"}]`, so the
//! page puts each message under its field. Causes the citizen cannot act on go to the log,
//! never into the answer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tayori_domain::form::FormError;
use tayori_domain::segment::AnswerError;
use tayori_formdesk::FormDeskError;

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。")]
    NoToken,
    #[error("LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。")]
    InvalidToken,
    /// The body is not the JSON the API takes (axum's reason, in English, in brackets).
    #[error("送信内容を読み取れませんでした（{0}）。")]
    UnreadableBody(String),
    /// The answers were read but refused: an unknown item or choice, too many answers.
    #[error(transparent)]
    Refused(#[from] AnswerError),
    /// The form desk refused or failed (a form's answer, draft or cancellation).
    #[error(transparent)]
    Form(FormDeskError),
    #[error("郵便番号「{0}」の住所が見つかりませんでした。住所を入力してください。")]
    UnknownPostalCode(String),
    /// A place's add-friend QR whose place staff removed (or a kit not set up).
    #[error("このQRコードの受付は終了しました。LINEアプリの「友だち追加」から検索して追加してください。")]
    PlaceEnded,
    /// Storage or LINE trouble: the citizen can only try again.
    #[error("ただいま処理できません。時間をおいて、もう一度お試しください。")]
    Unavailable(Cause),
}

impl From<FormDeskError> for ApiError {
    fn from(e: FormDeskError) -> Self {
        match e {
            // Storage trouble says nothing the citizen can act on.
            FormDeskError::Record(_)
            | FormDeskError::NoSuchVersion(_)
            | FormDeskError::Objects(_) => ApiError::Unavailable(e.into()),
            e => ApiError::Form(e),
        }
    }
}

impl From<FormError> for ApiError {
    fn from(e: FormError) -> Self {
        ApiError::Form(e.into())
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NoToken | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::UnreadableBody(_) | ApiError::Refused(_) => StatusCode::BAD_REQUEST,
            ApiError::UnknownPostalCode(_) | ApiError::PlaceEnded => StatusCode::NOT_FOUND,
            ApiError::Form(e) => match e {
                FormDeskError::NotFound | FormDeskError::AnswerNotFound => StatusCode::NOT_FOUND,
                // Taken by others meanwhile, or the form changed: the request itself was fine.
                FormDeskError::Refused(_) | FormDeskError::Form(FormError::Unavailable(_)) => {
                    StatusCode::CONFLICT
                }
                FormDeskError::NotPublished(..) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            },
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NoToken => "no_token",
            ApiError::InvalidToken => "invalid_token",
            ApiError::UnreadableBody(_) => "unreadable_body",
            ApiError::Refused(_) => "refused",
            ApiError::UnknownPostalCode(_) => "unknown_postal_code",
            ApiError::PlaceEnded => "place_ended",
            ApiError::Form(e) => match e {
                FormDeskError::NotFound | FormDeskError::AnswerNotFound => "not_found",
                FormDeskError::Values(_) => "invalid_values",
                FormDeskError::Form(FormError::Unavailable(_)) => "not_accepting",
                FormDeskError::NotPublished(..) => "stored_not_told",
                _ => "refused",
            },
            ApiError::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Unavailable(cause) => {
                tracing::error!(cause = %cause, "LIFF API request failed")
            }
            ApiError::Form(e @ FormDeskError::NotPublished(answer, _)) => {
                tracing::error!(cause = ?std::error::Error::source(e), answer_id = answer.id(), "form answer stored but its receipt not asked for")
            }
            _ => {}
        }
        let mut error = json!({"code": self.code(), "message": self.to_string()});
        match &self {
            ApiError::Form(FormDeskError::Values(errors)) => {
                let fields: Vec<_> = errors
                    .iter()
                    .map(|e| json!({"field": e.field, "message": e.problem.to_string()}))
                    .collect();
                error["fields"] = json!(fields);
            }
            // The place goes with the slot picker.
            ApiError::Form(FormDeskError::Form(
                e @ (FormError::SlotRequired
                | FormError::UnknownSlot
                | FormError::SlotFull
                | FormError::SlotStarted
                | FormError::BadSlotId(_)),
            )) => {
                error["fields"] = json!([{"field": "slot", "message": e.to_string()}]);
            }
            ApiError::Form(FormDeskError::Refused(
                e @ tayori_records::forms::Refusal::SlotFull,
            )) => {
                error["fields"] = json!([{"field": "slot", "message": e.to_string()}]);
            }
            // Stored: the citizen keeps its number even though LINE was not asked.
            ApiError::Form(FormDeskError::NotPublished(answer, _)) => {
                error["receiptNumber"] = json!(answer.receipt());
            }
            _ => {}
        }
        (self.status(), Json(json!({ "error": error }))).into_response()
    }
}

impl From<tayori_records::RecordError> for ApiError {
    fn from(e: tayori_records::RecordError) -> Self {
        ApiError::Unavailable(e.into())
    }
}

impl From<tayori_line::LineError> for ApiError {
    fn from(e: tayori_line::LineError) -> Self {
        ApiError::Unavailable(e.into())
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
    async fn each_error_answers_its_status_code_and_japanese_message() {
        let login =
            "LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。";
        let cases = [
            (
                ApiError::NoToken,
                StatusCode::UNAUTHORIZED,
                "no_token",
                login.to_string(),
            ),
            (
                ApiError::InvalidToken,
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                login.to_string(),
            ),
            (
                ApiError::UnreadableBody("expected an object".into()),
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "送信内容を読み取れませんでした（expected an object）。".to_string(),
            ),
            (
                ApiError::Refused(AnswerError::UnknownItem("blood_type".into())),
                StatusCode::BAD_REQUEST,
                "refused",
                "「blood_type」という登録項目はありません。".to_string(),
            ),
        ];
        for (error, status, code, message) in cases {
            assert_eq!(
                rendered(error).await,
                (status, json!({"error": {"code": code, "message": message}}))
            );
        }
    }

    #[tokio::test]
    async fn storage_trouble_is_503_and_its_cause_stays_out_of_the_answer() {
        let cause = tayori_records::RecordError::Contended("friend: secret detail".into());
        let (status, body) = rendered(cause.into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "unavailable");
        assert_eq!(
            body["error"]["message"],
            "ただいま処理できません。時間をおいて、もう一度お試しください。"
        );
        assert!(!body.to_string().contains("secret detail"));
    }
}
