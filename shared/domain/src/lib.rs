//! Tayori's domain: the city's concepts as pure types and rules. No I/O, no AWS, no HTTP: every
//! function here can be tested with plain values.

pub mod childcare;
pub mod consultation;
pub mod delivery;
pub mod emergency;
pub mod emergency_rule;
pub mod export;
pub mod facility;
pub mod faq;
pub mod form;
pub mod friend;
pub mod greeting;
pub mod hazard;
pub mod location;
pub mod postal;
pub mod report;
pub mod richmenu;
pub mod segment;
pub mod staff;
pub mod time;
pub mod usage;

pub use friend::{Friend, FriendStatus, Retention, RetentionError};
pub use greeting::Greetings;
