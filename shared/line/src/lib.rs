//! LINE Messaging API: webhook and message models, signature check, validation, client.
//!
//! - [`signature`]: the `x-line-signature` check on raw webhook bytes;
//! - [`webhook`]: tolerant parsing of webhook bodies into events;
//! - [`message`], [`richmenu`], [`profile`]: what is sent to and read from LINE;
//! - [`validate`]: LINE's limits, checked before anything is sent;
//! - [`client`]: the HTTP client (retries, retry keys, multicast pacing);
//! - [`retry_key`]: retry keys persisted before a send, so a crash cannot send twice.

pub mod client;
pub mod error;
pub mod message;
pub mod profile;
pub mod retry_key;
pub mod richmenu;
pub mod signature;
pub mod validate;
pub mod webhook;

pub use client::{Followers, LineClient, LineConfig, MessageQuota, SendOutcome};
pub use error::LineError;
pub use retry_key::{RetryKey, RetryKeys};
