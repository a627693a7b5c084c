//! Facilities and shelters (施設・避難所) have one owner: this crate. The domain type
//! (`tayori_domain::facility`) makes every change itself; this crate holds the imports (GSI's
//! lists, staff's CSV of other kinds), the desk over the records, the nearest-site index and
//! the LINE replies. The shelters function, the webhook and the console pages only parse, call
//! and render (docs/architecture.md).

pub mod chat;
pub mod data;
pub mod desk;
pub mod error;
pub mod import;
pub mod index;
pub mod nearby;

pub use chat::ChatRequest;
pub use desk::{Change, FacilityDesk, Imported};
pub use error::FacilityError;
pub use import::{ImportReport, LineError, Problem};
pub use index::SiteIndex;
pub use nearby::{NearbyAnswer, NearbyQuery, NearbySite, OpenEmergency, SiteStatus};
