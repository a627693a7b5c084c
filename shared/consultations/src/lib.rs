//! Consultations (相談, issue 16) have one owner: this crate. The domain type
//! (`tayori_domain::consultation`) keeps the rules (who may reply, when a case is closed, when
//! the desk is open); this crate holds the use cases over the records
//! (`tayori_records::consultations`), the audit log and LINE. The webhook and the console pages
//! only parse, call and render (docs/architecture.md).
//!
//! | file | holds |
//! |---|---|
//! | `desk.rs` | `ConsultationDesk`, `Clerk`, the audit helper |
//! | `desk/citizen.rs` | the LINE side: start a case, add to it, whether the bot stays silent, end it |
//! | `desk/handling.rs` | the staff's inbox: list, conversation (audited), reply (a push), note, assign, close, quota |
//! | `desk/setup.rs` | templates and settings (office hours, hours before a case is highlighted) |
//! | `desk/error.rs` | `ConsultationDeskError` |

pub mod desk;

pub use desk::{
    Clerk, ConsultationDesk, ConsultationDeskError, Conversation, InboxRow, Quota, Received,
    Started,
};
