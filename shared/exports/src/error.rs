//! What a use case on exports could not do.

use crate::csv::SourceError;
use tayori_domain::export::ExportError;
use tayori_ports::{BusError, ObjectError};
use tayori_records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// A rule of the export's refused (who may ask or download, its state).
    #[error(transparent)]
    Rule(#[from] ExportError),
    /// The conditions cannot be exported (a period the page would refuse).
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("CSVファイルが見つかりません。")]
    NotFound,
    #[error("フォームが見つかりません。")]
    FormNotFound,
    /// The export is saved, but the export function could not be asked to make it: the hourly
    /// sweep does not retry it, so the clerk is told to ask again.
    #[error("CSVの作成を依頼できませんでした。しばらくしてからもう一度お試しください。")]
    NotPublished(#[source] BusError),
    #[error("CSVファイルを読み書きできませんでした。しばらくしてからもう一度お試しください。")]
    Objects(#[source] ObjectError),
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl DeskError {
    /// Whether the clerk can act on it (a refusal), as opposed to a failure of the system.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Rule(_) | Self::Source(_) | Self::NotFound | Self::FormNotFound
        )
    }
}
