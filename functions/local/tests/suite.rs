//! Every integration test of this crate in one binary: each file beside this one is a
//! module, so the crate and its dependencies are linked once rather than once per file
//! (a fresh build's disk and link time).

mod childcare;
mod deliveries;
mod forms;
mod friend_kit;
mod garbage;
mod jma;
mod local_run;
mod registration;
mod reports;
mod security_headers;
mod shelters;
mod simulator;
mod support;
