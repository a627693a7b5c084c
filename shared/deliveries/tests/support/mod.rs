//! The crash harness behind tests/crash.rs: a delivery is sent by processes that die at seeded
//! points (a store call, before or after it takes effect, or a LINE request that fails or
//! loses its answer), each replaced by a new one once the dead one's lease has run out; then
//! LINE's inboxes, the delivery's record and the usage report are checked against what was
//! seeded. It drives the sender through its public API only and injects every failure at the
//! ports (the table store, the fake LINE), so it outlives rewrites of the sender.

pub mod checks;
pub mod delivery;
pub mod failing_table;
pub mod harness;
pub mod line;
pub mod points;
pub mod rng;
pub mod scenario;
pub mod settings;
pub mod store;

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Embedded(#[from] tayori_adapters::embedded::EmbeddedError),
    #[error(transparent)]
    Store(#[from] tayori_ports::StoreError),
    #[error(transparent)]
    Record(#[from] tayori_records::RecordError),
}
