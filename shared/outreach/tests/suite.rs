//! Every integration test of this crate in one binary: each file beside this one is a
//! module, so the crate and its dependencies are linked once rather than once per file.

mod basic_id;
mod invitation;
mod layout;
mod pdf;
mod report;
mod support;
mod svg;
