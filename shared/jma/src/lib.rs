//! JMA 防災情報XML, read into one typed [`Bulletin`]: the Atom feeds that announce messages
//! (`extra.xml`, `eqvol.xml`) and the messages Tayori can act on (VPWW53/54 and the
//! level-based VPWW55–61, VTSE41, VXSE53, VXWW50, VXKO). Pure: bytes in, values out.
//!
//! What is not understood is said so, never guessed: a message of another type is
//! [`Parsed::Unsupported`], a kind code not in [`codes`] goes to [`Bulletin::unknown_codes`],
//! and a document that is not well-formed or lacks what its type requires is a [`ParseError`].

pub mod codes;
mod feed;
mod message;
mod tree;

pub use codes::{Family, MessageType};
pub use feed::{parse_feed, type_code_in_link, FeedEntry};
pub use message::{
    parse, AreaReport, Bulletin, InfoType, Intensity, Parsed, ReportStatus, Warning, WarningStatus,
};

/// Why a feed or message could not be read. Logged by the poller, which skips the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("XMLとして読めません: {0}")]
    Malformed(String),
    #[error("{0}がありません")]
    Missing(&'static str),
    #[error("{field}の値「{value}」は想定外です")]
    Unexpected { field: &'static str, value: String },
}
