//! Child-rearing messages by the child's age (子育て情報の配信) have one owner: this crate.
//! The domain (`tayori_domain::childcare`) keeps the rules (what a child and a stage may be,
//! when a child reaches a stage); this crate holds the use cases over the records
//! (`tayori_records::ChildcareRecords`), the audit log and the deliveries:
//!
//! | file | holds |
//! |---|---|
//! | `desk.rs` | [`ChildcareDesk`]: a citizen's children and opt-out; staff's schedule and send time (audited) |
//! | `messages.rs` | [`StageMessages`]: the sender's daily run, one delivery per stage to the parents of the children who reached it |
//! | `error.rs` | [`ChildcareError`] |
//!
//! Staff keep the schedule on the console's 子育て情報 page (配信の送信 permission); citizens
//! register in the chat (`functions/webhook/src/childcare.rs`), offered once the schedule has a
//! stage. The schedule is empty until staff build one, so the daily run sends nothing before.

mod desk;
mod error;
mod messages;

pub use desk::{ChildcareDesk, Clerk, SCHEDULE_PERMISSION};
pub use error::ChildcareError;
pub use messages::{delivery_id, StageMessages, CATEGORY, CREATED_BY};
