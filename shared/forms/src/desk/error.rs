//! What a use case on forms could not do, in words a clerk or a citizen can act on where they
//! can.

use tayori_domain::form::{Answer, AnswerError, DraftError, FieldErrors, FormError};
use tayori_ports::{BusError, ObjectError};
use tayori_records::forms::{Refusal, SubmitError};
use tayori_records::RecordError;

#[derive(Debug, thiserror::Error)]
pub enum FormDeskError {
    /// A rule of the form refused (who may edit it, what it must hold, whether it takes
    /// answers now, the slot chosen).
    #[error(transparent)]
    Form(#[from] FormError),
    /// A rule of the answer refused (who may handle it, where its status may move).
    #[error(transparent)]
    Answer(#[from] AnswerError),
    /// The submitted values, each problem tied to its field.
    #[error("入力内容を確かめてください。{0}")]
    Values(#[from] FieldErrors),
    #[error(transparent)]
    Draft(#[from] DraftError),
    /// The places or the citizen's one answer were taken when the answer was written.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("フォームが見つかりません。")]
    NotFound,
    #[error("回答が見つかりません。")]
    AnswerNotFound,
    #[error("フォームの第{0}版は保存されていません。")]
    NoSuchVersion(u32),
    #[error("「{0}」は登録項目にありません。")]
    UnknownAttribute(String),
    /// The answer is stored, but the receipt or status message could not be asked for.
    #[error("回答は保存しましたが、LINEへのお知らせを依頼できませんでした。")]
    NotPublished(Box<Answer>, #[source] BusError),
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Reading an upload or storing an answer's file failed: try again later.
    #[error("ファイルを受け取れませんでした。しばらくしてからもう一度お試しください。")]
    Objects(#[from] ObjectError),
}

impl From<SubmitError> for FormDeskError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::Refused(r) => FormDeskError::Refused(r),
            SubmitError::Record(r) => FormDeskError::Record(r),
        }
    }
}

impl FormDeskError {
    /// Whether the clerk or citizen can do something about it (shown as a message), rather
    /// than storage failing.
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            FormDeskError::Record(_) | FormDeskError::NotPublished(..) | FormDeskError::Objects(_)
        )
    }
}
