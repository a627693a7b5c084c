//! The composer's form (配信の作成画面) without the console around it: what the clerk typed
//! and chose, read from the multipart post, and the composition it makes. The console stores
//! the uploaded pictures and renders the page; everything here is pure, so that it can be
//! tested and fuzzed without the AWS SDKs (docs/fuzzing.md).

mod apply;
mod form;

pub use apply::{apply, field_id, Applied, FieldProblem, SlotKind, SlotPicture};
pub use form::{read, ComposeFailure, Composed};
