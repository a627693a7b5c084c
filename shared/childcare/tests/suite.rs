//! Every integration test of this crate in one binary (see tayori-formdesk's): each file beside
//! this one is a module, so the crate is linked once.

mod desk;
mod messages;
mod records;
mod support;
