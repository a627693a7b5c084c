//! CSV exports (出力ファイル), their one owner. Staff ask for a file from a console page
//! ([`ExportDesk::request`]); the export function makes it ([`ExportDesk::run`]), streaming rows
//! a page at a time from the kind's [`RowSource`] through [`write_csv`] into the object store;
//! the console lists the clerk's files ([`ExportDesk::mine`]) and hands out a presigned link of
//! a few minutes ([`ExportDesk::download_link`]); the hourly sweep deletes files after
//! [`tayori_domain::export::EXPORT_KEPT`] ([`ExportDesk::sweep`]).
//!
//! Each kind's rows are built in one place, [`sources`], which the console's CSV links used to
//! do themselves.

pub mod csv;
mod desk;
mod error;
pub mod sources;

pub use csv::{content_type, write_csv, RowSource, SourceError, WriteError};
pub use desk::{
    Clerk, ExportDesk, Sources, Swept, DOWNLOAD_LIFE, EXPORT_REQUESTED, LISTED, PERSONAL_VIEWED,
};
pub use error::DeskError;
pub use tayori_formdesk::PersonalValues;
