//! What a use case on reports could not do, in words a clerk or a citizen can act on where
//! they can.

use super::Change;
use tayori_domain::report::{CategoryError, DraftError, ReportError, TemplateError};
use tayori_facilities::FacilityError;
use tayori_ports::{BusError, ObjectError};
use tayori_records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// A rule of the report's refused (who may act, where the status may move, what a filed
    /// report must hold).
    #[error(transparent)]
    Rule(#[from] ReportError),
    /// The chat's draft refused the citizen's input (or has expired): renders what to send.
    #[error(transparent)]
    Draft(#[from] DraftError),
    #[error(transparent)]
    Category(#[from] CategoryError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("通報が見つかりません。")]
    NotFound,
    #[error("重複元の通報が見つかりません。受付番号を確かめてください。")]
    OriginalNotFound,
    #[error("その種類は登録されていません。")]
    CategoryNotFound,
    #[error("その定型文は登録されていません。")]
    TemplateNotFound,
    #[error("写真が保存されていません。もう一度写真を選んでください。")]
    PhotoNotStored,
    /// A LIFF form's photo upload that cannot be used (type, size, not this citizen's).
    #[error(transparent)]
    Upload(super::UploadError),
    #[error("入力中の通報はありません。メニューの「通報する」から始めてください。")]
    NoDraft,
    #[error("通報の情報を読み書きできませんでした。しばらくしてからもう一度お試しください。")]
    Facilities(#[source] FacilityError),
    /// The change is stored, but the citizen's push could not be asked for: the console still
    /// audits the change it carries and tells the clerk.
    #[error("変更は保存しましたが、市民への通知を依頼できませんでした。")]
    NotPublished(Box<Change>, #[source] BusError),
    /// The object store failed (reading an upload, storing a photo): try again later.
    #[error("写真を読み書きできませんでした。しばらくしてからもう一度お試しください。")]
    Objects(#[source] ObjectError),
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl From<FacilityError> for DeskError {
    fn from(e: FacilityError) -> Self {
        DeskError::Facilities(e)
    }
}

impl DeskError {
    /// Whether the clerk or citizen can do something about it (shown as a message), rather
    /// than storage failing.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            DeskError::Rule(_)
                | DeskError::Draft(_)
                | DeskError::Category(_)
                | DeskError::Template(_)
                | DeskError::NotFound
                | DeskError::OriginalNotFound
                | DeskError::CategoryNotFound
                | DeskError::TemplateNotFound
                | DeskError::NoDraft
                | DeskError::PhotoNotStored
                | DeskError::Upload(_)
        )
    }
}
