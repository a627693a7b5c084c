//! Every integration test of this crate in one binary: each file beside this one is a
//! module, so the crate and its dependencies are linked once rather than once per file
//! (a fresh build's disk and link time).

mod account;
mod childcare;
mod console;
mod consultations;
mod content_security;
mod day_one;
mod deliveries_list;
mod delivery_audit;
mod delivery_composer;
mod delivery_confirmations;
mod delivery_images;
mod disaster;
mod disaster_rules;
mod faq;
mod forms;
mod friend_kit;
mod garbage;
mod greetings;
mod lambda;
mod reports;
mod segments;
mod sessions;
mod shelters;
mod support;
mod testers;
mod truthful;
mod usage_monthly;
