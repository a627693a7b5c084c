//! The console's error: what a page could not do, turned into the page the clerk sees. Page
//! handlers return `Result<Response, ConsoleError>` and use `?`; the details go to the log,
//! never to the page.

use crate::ui;
use axum::response::{IntoResponse, Response};
use tayori_deliveries::DeskError;
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
    /// A delivery's use case failed; a refusal the clerk can act on is shown on the delivery's
    /// page before it gets here.
    #[error(transparent)]
    Deliveries(#[from] DeskError),
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::NotFound | ConsoleError::Deliveries(DeskError::NotFound) => {
                ui::not_found()
            }
            other => ui::unavailable(&other),
        }
    }
}

/// What a console page handler returns.
pub type PageResult = Result<Response, ConsoleError>;
