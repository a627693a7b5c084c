use tayori_deliveries::DeskError;
use tayori_domain::childcare::{ChildError, StageError};
use tayori_records::RecordError;

/// What the desk answers when it cannot do what was asked. The words are for the citizen or
/// the clerk; the cause of a failure is logged by whoever meets it.
#[derive(Debug, thiserror::Error)]
pub enum ChildcareError {
    #[error(transparent)]
    Child(#[from] ChildError),
    #[error(transparent)]
    Stage(#[from] StageError),
    #[error("この操作をする権限がありません。")]
    NotAllowed,
    #[error("ただいま処理できませんでした。時間をおいてもう一度お試しください。")]
    Record(#[from] RecordError),
    #[error("子育て情報の配信 {0} を送信に回せませんでした: {1}")]
    NotReleased(String, DeskError),
}
