//! What a use case on consultations could not do, in words a clerk can act on where they can.

use tayori_domain::consultation::{ConsultationError, OfficeHoursError, SettingsError};
use tayori_domain::report::TemplateError;
use tayori_line::LineError;
use tayori_ports::ObjectError;
use tayori_records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum ConsultationDeskError {
    /// A rule of the case refused (who may handle it, whether it is still open, the text).
    #[error(transparent)]
    Case(#[from] ConsultationError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    OfficeHours(#[from] OfficeHoursError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("相談が見つかりません。")]
    NotFound,
    /// What the citizen sent as an image is not a JPEG or PNG picture, or is too large.
    #[error("画像を受け取れませんでした。JPEGかPNGの写真を送ってください。")]
    NotAPicture,
    #[error("定型文が見つかりません。")]
    TemplateNotFound,
    #[error("担当者「{0}」が見つかりません。")]
    NoSuchStaff(String),
    /// The reply was not sent (LINE refused or was unreachable): nothing was recorded.
    #[error("LINEに返信を送れませんでした。しばらくしてからもう一度お試しください。")]
    NotSent(#[source] LineError),
    /// The quota could not be read from LINE.
    #[error("LINEから今月の送信数を取得できませんでした。")]
    Quota(#[source] LineError),
    #[error("画像を表示できませんでした。")]
    Objects(#[from] ObjectError),
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl ConsultationDeskError {
    /// Whether the clerk can do something about it (shown as a message), rather than storage
    /// or LINE failing.
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            Self::Record(_) | Self::NotSent(_) | Self::Quota(_) | Self::Objects(_)
        )
    }
}
