//! セグメント配信: compose (up to five bubbles, phone preview), choose who receives it with a
//! live count, send now or reserve a minute in JST, approve, cancel, stop, duplicate, test-send,
//! and the log with its CSV (6.2.1.4–6.2.1.9). Every change to a delivery is audited with what
//! changed (6.2.1.6).
//!
//! The handlers parse the form, call the [`DeliveryDesk`] and render what it answers; the
//! rules are the domain's, the use cases the desk's (docs/architecture.md).

mod compose;
mod composer;
mod form;
mod irreversible;
mod log;
mod media;
mod show;
mod test_send;
mod workflow;

pub use compose::{composer_of, create, new_form, update, TOO_LARGE};
pub use log::{list, request_csv, LogQuery, EXPORT_PATH};
pub use media::media;
pub use show::show;
pub use workflow::{approve, cancel, duplicate, return_to_draft, send, stop};

use crate::error::PageResult;
use crate::ui::{redirect_with, FlashKind};
use crate::AdminState;
use axum::response::Response;
use tayori_deliveries::{DeliveryDesk, DeskError};
use tayori_domain::delivery::Delivery;
use tayori_domain::segment::{SegmentItems, Target};
use tayori_records::{RecordError, SegmentItemsRecord};

fn desk(state: &AdminState) -> DeliveryDesk {
    DeliveryDesk::new(&state.platform)
}

async fn segment_items(state: &AdminState) -> Result<SegmentItems, RecordError> {
    SegmentItemsRecord::new(state.platform.table.clone())
        .get()
        .await
}

/// Back to delivery `id`'s page with a message.
fn back(state: &AdminState, id: &str, kind: FlashKind, text: impl Into<String>) -> Response {
    redirect_with(
        &format!("/admin/deliveries/{id}"),
        kind,
        text,
        state.config.secure_cookies,
    )
}

/// Back to delivery `id`'s page saying why the desk refused, when the clerk can act on it;
/// any other failure is the console's error page.
fn refused(state: &AdminState, id: &str, e: DeskError) -> PageResult {
    if e.is_refusal() {
        Ok(back(state, id, FlashKind::Error, e.to_string()))
    } else {
        Err(e.into())
    }
}

fn audit_target(id: &str) -> String {
    format!("delivery:{id}")
}

/// A target in the words staff chose it in.
fn target_words(items: &SegmentItems) -> impl Fn(&Target) -> String + '_ {
    |target| target.describe(items)
}

/// The target as staff chose it: in the words fixed at submission, or as it reads now.
fn described_target(d: &Delivery, items: &SegmentItems) -> String {
    d.described_target(items)
}
