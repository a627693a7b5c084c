//! Embedded adapters: everything the functions need, in one data folder on this machine. The
//! local run and most tests use them; the conformance suite holds them to the AWS contract.

mod cursor;
mod folder_mailer;
mod folder_objects;
mod in_process_bus;
mod local_key_file;
mod memory_mailer;
mod object_urls;
mod sqlite_table;

pub use folder_mailer::{FolderMailer, LOCAL_MAIL_FROM};
pub use folder_objects::FolderObjects;
pub use in_process_bus::{DeadLetter, InProcessBus};
pub use local_key_file::LocalKeyFile;
pub use memory_mailer::MemoryMailer;
pub use object_urls::{objects_router, OBJECTS_PATH};
pub use sqlite_table::SqliteTable;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tayori_ports::{Clock, FieldCipher, MailAddress, Platform};

/// File name of the table inside the data folder.
pub const TABLE_FILE: &str = "tayori.sqlite3";
/// Folder of the object store inside the data folder.
pub const OBJECTS_DIR: &str = "objects";
/// The master key, relative to the data folder.
pub const MASTER_KEY_FILE: &str = "keys/master.key";
/// Folder of the mails the local run "sends", one `.eml` file each, inside the data folder.
pub const MAIL_DIR: &str = "mail";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Database {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the master key file {path} is not usable: {reason}")]
    KeyFile { path: PathBuf, reason: String },
}

/// Builds the local platform on a data folder: the table in `tayori.sqlite3`, objects under
/// `objects/`, the master key in `keys/master.key` (created on first use), mails as `.eml` files
/// under `mail/`, and an in-process bus that the caller subscribes handlers to. Its object store
/// signs no URLs (see [`platform_at`]).
pub fn platform(
    dir: &Path,
    clock: Arc<dyn Clock>,
) -> Result<(Platform, Arc<InProcessBus>), EmbeddedError> {
    let objects = FolderObjects::open(dir.join(OBJECTS_DIR))?;
    assemble(dir, clock, Arc::new(objects))
}

/// The local platform of [`platform`] whose object store signs presigned URLs on `base_url`,
/// with the router that answers them (`/_objects/…`), to be served on that origin.
pub fn platform_at(
    dir: &Path,
    clock: Arc<dyn Clock>,
    base_url: &str,
) -> Result<(Platform, Arc<InProcessBus>, axum::Router), EmbeddedError> {
    let objects =
        Arc::new(FolderObjects::open(dir.join(OBJECTS_DIR))?.served_at(base_url, clock.clone())?);
    let router = objects_router(objects.clone());
    let (platform, bus) = assemble(dir, clock, objects)?;
    Ok((platform, bus, router))
}

fn assemble(
    dir: &Path,
    clock: Arc<dyn Clock>,
    objects: Arc<FolderObjects>,
) -> Result<(Platform, Arc<InProcessBus>), EmbeddedError> {
    let table = SqliteTable::open(dir, clock.clone())?;
    let keys = LocalKeyFile::open_or_create(&dir.join(MASTER_KEY_FILE))?;
    let bus = Arc::new(InProcessBus::new());
    let from = MailAddress::parse(LOCAL_MAIL_FROM).expect("the local sender is an address");
    let mailer = FolderMailer::open(dir.join(MAIL_DIR), from, clock.clone())?;
    let platform = Platform {
        table: Arc::new(table),
        objects,
        bus: bus.clone(),
        cipher: Arc::new(FieldCipher::new(Arc::new(keys), clock.clone())),
        clock,
        mailer: Arc::new(mailer),
    };
    Ok((platform, bus))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_ports::{Condition, Item, SystemClock};

    #[tokio::test]
    async fn a_platform_keeps_its_data_and_key_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let sealed = {
            let (platform, _bus) = platform(dir.path(), Arc::new(SystemClock)).unwrap();
            platform
                .table
                .put(
                    Item::new("p", "s", serde_json::json!({"n": 1})),
                    Condition::Always,
                )
                .await
                .unwrap();
            platform.cipher.seal("小浜市", "test").await.unwrap()
        };
        let (platform, _bus) = platform(dir.path(), Arc::new(SystemClock)).unwrap();
        assert!(platform.table.get("p", "s").await.unwrap().is_some());
        assert_eq!(
            platform.cipher.open(&sealed, "test").await.unwrap(),
            "小浜市"
        );
    }
}
