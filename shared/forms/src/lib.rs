//! Forms (申請・アンケート・予約, 仕様書 3.2.6 / 6.2.2) have one owner: this crate. The domain
//! type (`tayori_domain::form`) keeps the rules (what a form may hold, which answer is accepted,
//! who may move an answer where); this crate holds the use cases over the records
//! (`tayori_records::Forms`), the audit log and the bus. The forms function (LIFF), the console
//! pages and the export function only parse, call and render (docs/architecture.md).

pub mod desk;

pub use desk::{
    AnswerDetail, AnswerFilter, AnswerRows, AnswersPage, BulkOutcome, CitizenAnswer, CitizenForm,
    CitizenView, Clerk, FileUpload, FormDesk, FormDeskError, FormListing, OpenForm, PersonalValues,
    Receipt, UploadedFile, FORM_FILE_PREFIX, FORM_UPLOAD_PREFIX, PERSONAL_LEFT_OUT,
};

use serde::{Deserialize, Serialize};

/// A citizen's answer was stored; the forms function pushes the receipt message to them.
/// Detail: [`FormAnswered`].
pub const FORM_ANSWERED: &str = "form.answered";

/// An answer's status changed (staff moved it, or the citizen cancelled); the forms function
/// tells the citizen what they must hear of. Detail: [`FormAnswerStatusChanged`].
pub const FORM_ANSWER_STATUS_CHANGED: &str = "form.answer-status-changed";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormAnswered {
    pub form_id: String,
    pub answer_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormAnswerStatusChanged {
    pub form_id: String,
    pub answer_id: String,
    /// The index of the change in the answer's history.
    pub change_index: usize,
}
