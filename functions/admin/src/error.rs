//! The console's error: what a page could not do, turned into the page the clerk sees. Page
//! handlers return `Result<Response, ConsoleError>` and use `?`; the details go to the log,
//! never to the page.

use crate::ui;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use tayori_deliveries::DeskError;
use tayori_facilities::FacilityError;
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
    /// The facility registry failed; a refusal the clerk can act on is shown on the page
    /// before it gets here.
    #[error(transparent)]
    Facilities(#[from] FacilityError),
    /// The JMA rules or their action log could not be read or written; a refusal the clerk
    /// can act on is shown on the rules page before it gets here.
    #[error(transparent)]
    Disaster(#[from] tayori_disaster::DisasterError),
    /// A report's use case failed; a refusal the clerk can act on is shown on the report's page
    /// before it gets here.
    #[error(transparent)]
    Reports(#[from] tayori_reporting::DeskError),
    /// A form's use case failed; a refusal the clerk can act on is shown on the form's page
    /// before it gets here.
    #[error(transparent)]
    Forms(#[from] tayori_formdesk::FormDeskError),
    /// An export's use case failed; a refusal is shown on 出力ファイル before it gets here.
    #[error(transparent)]
    Exports(#[from] tayori_exports::DeskError),
    /// The FAQ's use case failed; a refusal the clerk can act on is shown on the FAQ pages
    /// before it gets here.
    #[error(transparent)]
    Faq(#[from] tayori_faq::desk::FaqDeskError),
    /// A consultation's use case failed; a refusal the clerk can act on is shown on the case's
    /// page before it gets here.
    #[error(transparent)]
    Consultations(#[from] tayori_consultations::ConsultationDeskError),
    /// The child-rearing schedule's use case failed; a refusal the clerk can act on is shown on
    /// the schedule's pages before it gets here.
    #[error(transparent)]
    Childcare(#[from] tayori_childcare::ChildcareError),
    /// A printed report could not be drawn (a character its font lacks).
    #[error(transparent)]
    Print(#[from] tayori_outreach::ReportError),
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::NotFound
            | ConsoleError::Deliveries(DeskError::NotFound)
            | ConsoleError::Facilities(FacilityError::NotFound)
            | ConsoleError::Disaster(tayori_disaster::DisasterError::NotFound)
            | ConsoleError::Disaster(tayori_disaster::DisasterError::EmergencyNotFound)
            | ConsoleError::Reports(
                tayori_reporting::DeskError::NotFound
                | tayori_reporting::DeskError::CategoryNotFound
                | tayori_reporting::DeskError::TemplateNotFound,
            )
            | ConsoleError::Forms(
                tayori_formdesk::FormDeskError::NotFound
                | tayori_formdesk::FormDeskError::AnswerNotFound,
            )
            | ConsoleError::Consultations(
                tayori_consultations::ConsultationDeskError::NotFound
                | tayori_consultations::ConsultationDeskError::TemplateNotFound,
            )
            | ConsoleError::Childcare(tayori_childcare::ChildcareError::Stage(
                tayori_domain::childcare::StageError::NotFound,
            ))
            | ConsoleError::Faq(tayori_faq::desk::FaqDeskError::NotFound) => ui::not_found(),
            ConsoleError::Faq(tayori_faq::desk::FaqDeskError::NotAllowed) => {
                ui::forbidden(&[tayori_domain::staff::Permission::Faq])
            }
            ConsoleError::Childcare(tayori_childcare::ChildcareError::NotAllowed) => {
                ui::forbidden(&[tayori_childcare::SCHEDULE_PERMISSION])
            }
            other => unavailable(&other),
        }
    }
}

/// The page for a failure the clerk cannot fix: 503, try again later.
fn unavailable(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "console request failed");
    ui::plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "一時的に処理できませんでした",
        html! { p { "時間をおいて、もう一度お試しください。続く場合はシステム管理者に連絡してください。" } },
    )
}

/// What a console page handler returns.
pub type PageResult = Result<Response, ConsoleError>;

#[cfg(test)]
mod tests {
    use super::*;

    async fn rendered(error: ConsoleError) -> (StatusCode, String) {
        let response = error.into_response();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn what_does_not_exist_is_the_not_found_page() {
        let (status, page) = rendered(ConsoleError::NotFound).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("<h1>ページが見つかりません</h1>"), "{page}");
    }

    #[tokio::test]
    async fn a_schedule_change_refused_by_the_desk_is_the_forbidden_page_naming_the_permission() {
        let refused = tayori_childcare::ChildcareError::NotAllowed;
        let (status, page) = rendered(refused.into()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(page.contains("「配信の送信」の権限が必要です"), "{page}");
    }

    #[tokio::test]
    async fn a_storage_failure_is_the_try_again_page_without_its_detail() {
        let cause = tayori_records::RecordError::Contended("staff: secret detail".into());
        let (status, page) = rendered(cause.into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            page.contains("<h1>一時的に処理できませんでした</h1>"),
            "{page}"
        );
        assert!(!page.contains("secret detail"));
    }
}
