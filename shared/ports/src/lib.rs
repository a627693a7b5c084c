//! Ports: the traits Tayori's functions use to reach storage, the event bus, the key service and
//! the clock. Each has an AWS adapter and an embedded adapter in `tayori-adapters`; one
//! conformance suite (`tests/`) holds both to the same contract.

pub mod bus;
pub mod cipher;
pub mod clock;
pub mod index_key;
pub mod keys;
pub mod object;
pub mod platform;
pub mod table;

pub use bus::{BusError, Event, EventBus, EventHandler, HandlerError};
pub use cipher::{CipherError, FieldCipher};
pub use clock::{Clock, ManualClock, SystemClock};
pub use index_key::{IndexKeys, WrappedIndexKey, WrappedIndexKeys};
pub use keys::{DataKey, KeyError, KeyService};
pub use object::{
    ObjectError, ObjectKey, ObjectStore, ObjectUpload, PresignedUpload, StoredObject,
};
pub use platform::Platform;
pub use table::{
    Condition, Cursor, Index, IndexKey, Item, KeyRange, Page, Query, StoreError, TableStore, Write,
};

pub mod mail;
pub use mail::{Mail, MailAddress, MailAddressError, MailContentError, MailError, Mailer};
pub mod uploads;
pub use uploads::CitizenUploads;
