//! The nearby API's error, in the shape of every LIFF API's (`functions/forms/src/error.rs`):
//! `{"error": {"code", "message"}}` with its status. The page shows `message`; causes the
//! citizen cannot act on go to the log, never into the answer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `name` is the parameter's Japanese name (緯度, 経度).
    #[error("{0}が指定されていません。位置情報を送り直すか、「現在地を使う」を押してください。")]
    Missing(&'static str),
    #[error("{0}が正しくありません。位置情報を送り直すか、「現在地を使う」を押してください。")]
    NotACoordinate(&'static str),
    #[error("「{0}」という災害の種類はありません。")]
    UnknownHazard(String),
    #[error("「{0}」という施設の種類はありません。")]
    UnknownKind(String),
    /// Storage trouble: the citizen can only try again.
    #[error("ただいま検索できません。時間をおいて、もう一度お試しください。")]
    Unavailable(Cause),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Missing(_) => "missing_position",
            ApiError::NotACoordinate(_) => "invalid_position",
            ApiError::UnknownHazard(_) => "unknown_hazard",
            ApiError::UnknownKind(_) => "unknown_kind",
            ApiError::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Unavailable(cause) = &self {
            tracing::error!(cause = %cause, "shelters API request failed");
        }
        let body = json!({"error": {"code": self.code(), "message": self.to_string()}});
        (self.status(), Json(body)).into_response()
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
        let (status, body) = rendered(ApiError::NotACoordinate("緯度")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"error": {"code": "invalid_position", "message": "緯度が正しくありません。位置情報を送り直すか、「現在地を使う」を押してください。"}})
        );
        let (status, body) = rendered(ApiError::UnknownHazard("snow".into())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["error"]["message"],
            "「snow」という災害の種類はありません。"
        );
        let (status, body) = rendered(ApiError::Unavailable("table: secret detail".into())).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "unavailable");
        assert!(!body.to_string().contains("secret detail"));
    }
}
