//! Citizens' reports (通報) have one owner: this crate. The domain type
//! (`tayori_domain::report`) makes every change itself and keeps the rules (who may move a
//! report where, what the chat's draft takes at each step); this crate holds the use cases over
//! the records, the facilities (whether a place is in the city), the friends (the reporter's
//! district) and the bus. The webhook, the reports function and the console pages only parse,
//! call and render (docs/architecture.md).

pub mod chat;
pub mod desk;
pub mod photos;

pub use desk::{
    CategoryChange, Change, DeskError, PhotoUpload, ReportDesk, ReportFilter, UploadError,
    UploadedReport, UPLOAD_LIFE, UPLOAD_PREFIX, UPLOAD_TYPES,
};
pub use photos::{store_encoded, PhotoError};

use serde::{Deserialize, Serialize};

/// The webhook received a photo from a citizen with a report in progress; the reports function
/// downloads it from LINE (LINE keeps content only a short time), re-encodes and stores it, and
/// attaches it to the draft. Detail: [`ReportPhotoReceived`].
pub const REPORT_PHOTO_RECEIVED: &str = "report.photo-received";

/// A report's status changed in a way the citizen must hear of; the handler pushes it and
/// records it told. Detail: [`ReportStatusChanged`].
pub const REPORT_STATUS_CHANGED: &str = "report.status-changed";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportPhotoReceived {
    pub user_id: String,
    /// LINE's message id: the content API's key.
    pub message_id: String,
    pub reply_token: String,
    pub webhook_event_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportStatusChanged {
    pub report_id: String,
    /// The index of the change in the report's history.
    pub change_index: usize,
}
