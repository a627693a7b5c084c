//! The console's error: what a page could not do, turned into the page the clerk sees. Page
//! handlers return `Result<Response, ConsoleError>` and use `?`; the details go to the log,
//! never to the page.

use crate::ui;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use tayori_ports::ObjectError;
use tayori_records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// What the address names does not exist (or no longer does).
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Object(#[from] ObjectError),
    #[error(transparent)]
    Line(#[from] tayori_line::LineError),
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::NotFound => ui::not_found(),
            other => unavailable(&other),
        }
    }
}

/// The page for a failure the clerk cannot fix: 503, try again later. The one place it is
/// written; `ui::unavailable` renders it for pages not yet returning a [`ConsoleError`].
pub(crate) fn unavailable(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "console request failed");
    ui::plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "一時的に処理できませんでした",
        html! { p { "時間をおいて、もう一度お試しください。続く場合はシステム管理者に連絡してください。" } },
    )
}

/// What a console page handler returns.
pub type PageResult = Result<Response, ConsoleError>;
