//! A fake LINE Messaging API server that checks every request against LINE's OpenAPI spec.
//!
//! Tests and the local run point the LINE client at it instead of api.line.me and
//! api-data.line.me. It keeps enough state to answer like LINE (rich menus, aliases, retry
//! keys, reply tokens), records every request it receives (refused ones included, with the
//! schema errors it found), and can be told to misbehave: injected error statuses, latency,
//! rate limits, and mishaps aimed at one request (an error, or an answer lost after LINE acted).

pub mod schema;
pub mod spec;

pub use spec::{Operation, RequestBody, Spec};

mod api;
mod controls;
mod errors;
mod gate;
pub mod image;
mod record;
mod server;
mod world;

pub use controls::{Fault, Mishap, MishapKind};
pub use record::RecordedRequest;
pub use server::{DeliveryTally, FakeLine};
