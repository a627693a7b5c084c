//! `KeyService` for the local run: a 32-byte master key in a file readable only by its owner.
//! Data keys are random and wrapped with AES-256-GCM under the master key (`nonce ‖ ciphertext`),
//! the way KMS wraps them under a customer managed key, so the data folder's table alone does
//! not open sealed fields.

use super::EmbeddedError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use rand::RngCore;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use tayori_ports::{DataKey, KeyError, KeyService};
use zeroize::Zeroizing;

const NONCE_BYTES: usize = 12;
/// Binds a wrapped key to its purpose, so no other AES-GCM output under the master key unwraps.
const WRAP_CONTEXT: &[u8] = b"tayori/local-data-key/v1";

pub struct LocalKeyFile {
    master: Aes256Gcm,
}

impl LocalKeyFile {
    /// Reads the master key at `path`, or creates it (mode 0600, parent folders 0700) when absent.
    pub fn open_or_create(path: &Path) -> Result<Self, EmbeddedError> {
        let key = secret_file(path, "the master key file")?;
        Ok(Self {
            master: Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key"),
        })
    }
}

/// Reads the 32-byte secret at `path`, or creates a random one (mode 0600, parent folders 0700)
/// when absent. `what` names the file in the warning about loose permissions.
pub(super) fn secret_file(path: &Path, what: &str) -> Result<Zeroizing<[u8; 32]>, EmbeddedError> {
    let io = |source| EmbeddedError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(folder) = path.parent() {
        if !folder.exists() {
            fs::create_dir_all(folder).map_err(io)?;
            fs::set_permissions(folder, fs::Permissions::from_mode(0o700)).map_err(io)?;
        }
    }
    let mut key = Zeroizing::new([0u8; 32]);
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            rand::rngs::OsRng.fill_bytes(key.as_mut());
            file.write_all(key.as_ref()).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        // Already there (or created by a concurrent start a moment ago): use it.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let mut file = fs::File::open(path).map_err(io)?;
            let mut bytes = Zeroizing::new(Vec::new());
            file.read_to_end(&mut bytes).map_err(io)?;
            if bytes.len() != key.len() {
                return Err(EmbeddedError::KeyFile {
                    path: path.to_path_buf(),
                    reason: format!("it holds {} bytes, not 32", bytes.len()),
                });
            }
            key.copy_from_slice(&bytes);
            let mode = file.metadata().map_err(io)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "{what} is readable by others");
            }
        }
        Err(e) => return Err(io(e)),
    }
    Ok(key)
}

#[async_trait]
impl KeyService for LocalKeyFile {
    async fn generate_data_key(&self) -> Result<DataKey, KeyError> {
        let mut plaintext = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(plaintext.as_mut());
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .master
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_ref(),
                    aad: WRAP_CONTEXT,
                },
            )
            .map_err(|_| KeyError::Unavailable("the data key could not be wrapped".into()))?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend_from_slice(&ciphertext);
        Ok(DataKey { plaintext, wrapped })
    }

    async fn unwrap_data_key(&self, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        if wrapped.len() <= NONCE_BYTES {
            return Err(KeyError::Unwrap);
        }
        let (nonce, ciphertext) = wrapped.split_at(NONCE_BYTES);
        let plain = Zeroizing::new(
            self.master
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: WRAP_CONTEXT,
                    },
                )
                .map_err(|_| KeyError::Unwrap)?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if plain.len() != key.len() {
            return Err(KeyError::Unwrap);
        }
        key.copy_from_slice(&plain);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_master_key_file_is_readable_only_by_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        LocalKeyFile::open_or_create(&path).unwrap();
        let metadata = fs::metadata(&path).unwrap();
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
        assert_eq!(metadata.len(), 32);
    }

    #[tokio::test]
    async fn a_reopened_key_file_unwraps_keys_wrapped_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = LocalKeyFile::open_or_create(&path)
            .unwrap()
            .generate_data_key()
            .await
            .unwrap();
        let reopened = LocalKeyFile::open_or_create(&path).unwrap();
        let plain = reopened.unwrap_data_key(&key.wrapped).await.unwrap();
        assert_eq!(*plain, *key.plaintext);
    }

    #[tokio::test]
    async fn another_master_key_cannot_unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let a = LocalKeyFile::open_or_create(&dir.path().join("a.key")).unwrap();
        let b = LocalKeyFile::open_or_create(&dir.path().join("b.key")).unwrap();
        let key = a.generate_data_key().await.unwrap();
        assert!(matches!(
            b.unwrap_data_key(&key.wrapped).await,
            Err(KeyError::Unwrap)
        ));
    }

    #[test]
    fn a_truncated_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        fs::write(&path, [1u8; 16]).unwrap();
        assert!(matches!(
            LocalKeyFile::open_or_create(&path),
            Err(EmbeddedError::KeyFile { .. })
        ));
    }
}
