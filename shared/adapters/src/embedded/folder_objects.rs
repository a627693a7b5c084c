//! `ObjectStore` on a folder. Each key segment maps to a path segment with a suffix that says
//! what it is (`<segment>.d` for a folder, `<segment>.obj` for the bytes, `<segment>.type` for
//! the content type), so that keys `a` and `a/b` can both exist, as they can in S3, and no key
//! can name a temporary or sidecar file. Writes go to a temporary file that is synced and then
//! renamed over the target, so a reader sees the old object or the new one, never half of one.

use super::local_key_file::secret_file;
use super::object_urls::{Grant, UrlSigner, SIGNING_KEY_FILE};
use super::EmbeddedError;
use async_trait::async_trait;
use std::fs::{self, File};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tayori_ports::object::{check_presigned_life, MAX_OBJECT_BYTES};
use tayori_ports::{
    Clock, ObjectError, ObjectKey, ObjectStore, ObjectUpload, PresignedUpload, StoredObject,
};

const FOLDER: &str = ".d";
const BYTES: &str = ".obj";
const CONTENT_TYPE: &str = ".type";
/// Content type of an object whose sidecar is missing (a crash between the two renames).
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

pub struct FolderObjects {
    root: PathBuf,
    /// Set by `served_at`: without an origin serving `objects_router`, no URL can be signed.
    signer: Option<UrlSigner>,
}

impl FolderObjects {
    /// Uses `root` as the store, creating it if needed.
    pub fn open(root: PathBuf) -> Result<Self, EmbeddedError> {
        fs::create_dir_all(&root).map_err(|source| EmbeddedError::Io {
            path: root.clone(),
            source,
        })?;
        Ok(Self { root, signer: None })
    }

    /// Signs presigned URLs on `base_url` (`http://127.0.0.1:<port>`), where the local run
    /// serves [`super::objects_router`] for this store. The signing key is random per data
    /// folder, kept in the objects folder (mode 0600) and never logged, so URLs stay valid
    /// across restarts until they expire, and no other data folder's URL is accepted.
    pub fn served_at(self, base_url: &str, clock: Arc<dyn Clock>) -> Result<Self, EmbeddedError> {
        let key = secret_file(
            &self.root.join(SIGNING_KEY_FILE),
            "the object URL signing key",
        )?;
        Ok(Self {
            signer: Some(UrlSigner::new(base_url, key, clock)),
            ..self
        })
    }

    pub(super) fn signer(&self) -> Option<&UrlSigner> {
        self.signer.as_ref()
    }

    /// The signer and the expiry (unix seconds) of a URL living `expires_in` from now.
    fn signing(&self, expires_in: Duration) -> Result<(&UrlSigner, i64), ObjectError> {
        check_presigned_life(expires_in)?;
        let signer = self.signer.as_ref().ok_or(ObjectError::NotServed)?;
        Ok((signer, signer.now_unix() + expires_in.as_secs() as i64))
    }

    /// The bytes file and the content-type sidecar of a key.
    fn paths(&self, key: &ObjectKey) -> (PathBuf, PathBuf) {
        let mut segments: Vec<&str> = key.as_str().split('/').collect();
        let name = segments.pop().expect("a key has at least one segment");
        let mut folder = self.root.clone();
        for segment in segments {
            folder.push(format!("{segment}{FOLDER}"));
        }
        (
            folder.join(format!("{name}{BYTES}")),
            folder.join(format!("{name}{CONTENT_TYPE}")),
        )
    }
}

#[async_trait]
impl ObjectStore for FolderObjects {
    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), ObjectError> {
        if bytes.len() > MAX_OBJECT_BYTES {
            return Err(ObjectError::TooLarge(bytes.len()));
        }
        let (data, sidecar) = self.paths(key);
        let content_type = content_type.to_owned();
        blocking(move || {
            let folder = data.parent().expect("under the root");
            fs::create_dir_all(folder)?;
            // The sidecar first: if the process dies between the renames, the old bytes keep a
            // content type, and the new bytes are not visible yet.
            write_atomically(&sidecar, content_type.as_bytes())?;
            write_atomically(&data, &bytes)?;
            sync_folder(folder)
        })
        .await
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<StoredObject>, ObjectError> {
        let (data, sidecar) = self.paths(key);
        blocking(move || {
            let bytes = match fs::read(&data) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            };
            let content_type = match fs::read_to_string(&sidecar) {
                Ok(t) => t,
                Err(e) if e.kind() == ErrorKind::NotFound => DEFAULT_CONTENT_TYPE.to_owned(),
                Err(e) => return Err(e),
            };
            Ok(Some(StoredObject {
                bytes,
                content_type,
            }))
        })
        .await
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), ObjectError> {
        let (data, sidecar) = self.paths(key);
        blocking(move || {
            for path in [&data, &sidecar] {
                match fs::remove_file(path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
        .await
    }

    async fn presign_get(
        &self,
        key: &ObjectKey,
        expires_in: Duration,
    ) -> Result<String, ObjectError> {
        let (signer, expires) = self.signing(expires_in)?;
        Ok(signer.url(key, expires, Grant::Read))
    }

    async fn presign_put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        max_bytes: usize,
        expires_in: Duration,
    ) -> Result<PresignedUpload, ObjectError> {
        if max_bytes > MAX_OBJECT_BYTES {
            return Err(ObjectError::TooLarge(max_bytes));
        }
        let (signer, expires) = self.signing(expires_in)?;
        let grant = Grant::Write {
            content_type,
            max_bytes,
        };
        Ok(PresignedUpload {
            url: signer.url(key, expires, grant),
            method: "PUT",
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
        })
    }

    async fn writer(
        &self,
        key: &ObjectKey,
        content_type: &str,
    ) -> Result<Box<dyn ObjectUpload>, ObjectError> {
        let (data, sidecar) = self.paths(key);
        let temporary = data.with_file_name(format!(".tmp-{}", uuid::Uuid::new_v4()));
        let file = {
            let temporary = temporary.clone();
            blocking(move || {
                fs::create_dir_all(temporary.parent().expect("under the root"))?;
                File::create(&temporary)
            })
            .await?
        };
        Ok(Box::new(FileUpload {
            file: Some(file),
            temporary,
            data,
            sidecar,
            content_type: content_type.to_owned(),
            written: 0,
        }))
    }

    async fn presign_download(
        &self,
        key: &ObjectKey,
        filename: &str,
        expires_in: Duration,
    ) -> Result<String, ObjectError> {
        let (signer, expires) = self.signing(expires_in)?;
        // An empty name would sign a plain read's text.
        let filename = if filename.is_empty() {
            "download"
        } else {
            filename
        };
        Ok(signer.url(key, expires, Grant::Download { filename }))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectKey>, ObjectError> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        blocking(move || {
            let mut keys = Vec::new();
            collect_keys(&root, "", &mut keys)?;
            let mut keys: Vec<ObjectKey> = keys
                .into_iter()
                .filter(|k| k.starts_with(&prefix))
                .filter_map(|k| ObjectKey::new(k).ok())
                .collect();
            keys.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            Ok(keys)
        })
        .await
    }
}

/// An object being written to a temporary file beside its target (a leading dot and no object
/// suffix: never listed, even if a crash leaves it), renamed over the target on `finish`, as
/// `put` does, so a reader sees the old object or the whole new one.
struct FileUpload {
    /// Taken while a blocking write has it.
    file: Option<File>,
    temporary: PathBuf,
    data: PathBuf,
    sidecar: PathBuf,
    content_type: String,
    written: u64,
}

impl FileUpload {
    fn take_file(&mut self) -> Result<File, ObjectError> {
        self.file
            .take()
            .ok_or_else(|| ObjectError::Unavailable("an earlier write failed".into()))
    }
}

#[async_trait]
impl ObjectUpload for FileUpload {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), ObjectError> {
        let mut file = self.take_file()?;
        let bytes = bytes.to_vec();
        let n = bytes.len() as u64;
        self.file = Some(
            blocking(move || {
                file.write_all(&bytes)?;
                Ok(file)
            })
            .await?,
        );
        self.written += n;
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<u64, ObjectError> {
        let file = self.take_file()?;
        let Self {
            temporary,
            data,
            sidecar,
            content_type,
            written,
            ..
        } = *self;
        let result = {
            let temporary = temporary.clone();
            blocking(move || {
                file.sync_all()?;
                drop(file);
                write_atomically(&sidecar, content_type.as_bytes())?;
                fs::rename(&temporary, &data)?;
                sync_folder(data.parent().expect("under the root"))
            })
            .await
        };
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result.map(|()| written)
    }

    async fn abort(self: Box<Self>) -> Result<(), ObjectError> {
        let temporary = self.temporary.clone();
        drop(self.file);
        blocking(move || match fs::remove_file(&temporary) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
        .await
    }
}

async fn blocking<T, F>(f: F) -> Result<T, ObjectError>
where
    T: Send + 'static,
    F: FnOnce() -> std::io::Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ObjectError::Unavailable(format!("object task failed: {e}")))?
        .map_err(|e| ObjectError::Unavailable(e.to_string()))
}

fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = target.parent().expect("under the root");
    // A leading dot and no known suffix: never mistaken for an object, even if left behind.
    let temporary = folder.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
    let result = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// Makes the renames themselves durable.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    File::open(folder)?.sync_all()
}

fn collect_keys(folder: &Path, key_prefix: &str, keys: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let is_dir = entry.file_type()?.is_dir();
        if let (true, Some(segment)) = (is_dir, name.strip_suffix(FOLDER)) {
            collect_keys(&entry.path(), &format!("{key_prefix}{segment}/"), keys)?;
        } else if let (false, Some(segment)) = (is_dir, name.strip_suffix(BYTES)) {
            keys.push(format!("{key_prefix}{segment}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> ObjectKey {
        ObjectKey::new(k).unwrap()
    }

    #[tokio::test]
    async fn a_key_and_a_key_below_it_can_both_be_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderObjects::open(dir.path().to_path_buf()).unwrap();
        store
            .put(&key("a"), b"top".to_vec(), "text/plain")
            .await
            .unwrap();
        store
            .put(&key("a/b"), b"below".to_vec(), "text/plain")
            .await
            .unwrap();
        assert_eq!(store.get(&key("a")).await.unwrap().unwrap().bytes, b"top");
        assert_eq!(
            store.get(&key("a/b")).await.unwrap().unwrap().bytes,
            b"below"
        );
        assert_eq!(store.list("").await.unwrap(), vec![key("a"), key("a/b")]);
    }

    #[tokio::test]
    async fn a_key_that_looks_like_a_sidecar_is_its_own_object() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderObjects::open(dir.path().to_path_buf()).unwrap();
        store
            .put(&key("x"), b"x".to_vec(), "image/png")
            .await
            .unwrap();
        store
            .put(&key("x.type"), b"y".to_vec(), "text/plain")
            .await
            .unwrap();
        let x = store.get(&key("x")).await.unwrap().unwrap();
        assert_eq!(x.content_type, "image/png");
        assert_eq!(store.list("").await.unwrap(), vec![key("x"), key("x.type")]);
    }

    #[tokio::test]
    async fn an_object_over_the_size_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderObjects::open(dir.path().to_path_buf()).unwrap();
        let result = store
            .put(
                &key("big"),
                vec![0; MAX_OBJECT_BYTES + 1],
                "application/octet-stream",
            )
            .await;
        assert!(matches!(result, Err(ObjectError::TooLarge(_))));
    }

    #[tokio::test]
    async fn no_temporary_file_is_left_after_a_put() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderObjects::open(dir.path().to_path_buf()).unwrap();
        store
            .put(&key("r/p.jpg"), b"jpg".to_vec(), "image/jpeg")
            .await
            .unwrap();
        let names: Vec<String> = fs::read_dir(dir.path().join("r.d"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".tmp")), "{names:?}");
    }
}
