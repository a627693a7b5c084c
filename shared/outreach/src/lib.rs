//! The add-friend kit (友だち追加キット): a poster (A4) and a flyer (A6) that invite citizens to
//! add the city's LINE account, printed by staff from the console and scanned with LINE.
//!
//! Pure and I/O-free: an [`Invitation`] says what the paper says, [`Layout::new`] places it on a
//! [`Paper`] with the embedded BIZ UDゴシック, and [`pdf`] and [`svg`] draw that same layout for
//! printing and for the console's preview.
//!
//! The same font and PDF writer print a [`Report`] (the month's usage report) over several A4
//! pages with [`report_pdf`].

mod basic_id;
mod font;
mod invitation;
mod kit;
mod layout;
mod paper;
mod pdf;
mod report;
mod shapes;
mod svg;
mod wrap;

pub use basic_id::{BasicId, BasicIdError};
pub use font::Weight;
pub use invitation::{Contact, Invitation, InvitationError};
pub use kit::{Kit, KitError, KitField, Place, MAX_PLACES};
pub use layout::{Layout, LayoutError};
pub use paper::Paper;
pub use pdf::pdf;
pub use report::{report_pdf, Report, ReportError, ReportLayout, ReportPage, Table};
pub use shapes::{Area, Block, Color, QrCode, TextRun, QUIET_ZONE};
pub use svg::svg;
