//! What a use case on deliveries could not do, in words a clerk can act on where they can.

use tayori_domain::delivery::DeliveryError;
use tayori_records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// A rule of the delivery's refused the change (wrong status, self-approval, unfinished).
    #[error(transparent)]
    Rule(#[from] DeliveryError),
    #[error("配信が見つかりません。")]
    NotFound,
    #[error("テスト配信の受信者が登録されていません。「テスト配信の受信者」で自分のLINEを登録してください。")]
    NoTesters,
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl DeskError {
    /// Whether the clerk can do something about it (shown on the delivery's page), rather than
    /// the storage failing (the console's "unavailable" page).
    pub fn is_refusal(&self) -> bool {
        matches!(self, DeskError::Rule(_) | DeskError::NoTesters)
    }
}
