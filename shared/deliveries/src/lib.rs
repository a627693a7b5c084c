//! Deliveries (配信) have one owner: this crate. The domain type (`tayori_domain::delivery`)
//! makes every status change itself; this crate holds the use cases over the records and the
//! LINE port, and the sender that fans a delivery out. Console pages and the broadcast function
//! only parse, call and render (docs/architecture.md).

pub mod composer;
pub mod desk;
pub mod messages;
pub mod sender;

pub use desk::{Change, DeliveryDesk, DeskError, Duplicate, Saved, Step, TestSent, Then};
pub use sender::{Outcome, SendError, Sender};
