//! Helpers shared by the integration tests and the examples.
#![allow(dead_code)] // each test binary uses its own part

pub mod chat_intents;
