//! Every integration test of this crate in one binary: each file beside this one is a
//! module, so the crate and its dependencies are linked once rather than once per file
//! (a fresh build's disk and link time).

mod composer;
mod crash;
mod sender;
mod service;
mod support;
