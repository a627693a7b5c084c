//! Every integration test of this crate in one binary: each file beside this one is a
//! module, so the crate and its dependencies are linked once rather than once per file
//! (a fresh build's disk and link time).

mod chat_intents;
mod childcare;
mod consultations;
mod faq;
mod garbage;
mod lambda;
mod no_work_after_the_answer;
mod redelivery_writes;
mod registration;
mod replay;
mod shelters;
mod support;
mod testers;
mod usage_counts;
mod webhook;
