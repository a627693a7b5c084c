use crate::import::ImportReport;
use tayori_domain::facility::Refusal;
use tayori_records::RecordError;

/// What the facility desk refuses or fails with; shown to staff as it renders.
#[derive(Debug, thiserror::Error)]
pub enum FacilityError {
    /// The registry's rules said no (a bad value, a status outside an emergency…).
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("その施設は登録されていません。一覧から選び直してください。")]
    NotFound,
    /// An uploaded file had bad rows: nothing was imported.
    #[error(transparent)]
    Import(#[from] ImportReport),
    #[error("施設の情報を読み書きできませんでした。しばらくしてからもう一度お試しください。")]
    Record(#[source] RecordError),
}

impl From<RecordError> for FacilityError {
    fn from(e: RecordError) -> Self {
        FacilityError::Record(e)
    }
}

impl From<tayori_domain::facility::KindError> for FacilityError {
    fn from(e: tayori_domain::facility::KindError) -> Self {
        FacilityError::Refused(Refusal::Kind(e))
    }
}
