//! Envelope encryption of personal-data fields (names, addresses, phone numbers, free text),
//! so that a table export or backup alone reveals nothing.
//!
//! Each sealed value carries its wrapped data key: `enc:v1:<wrapped key>:<nonce>:<ciphertext>`
//! (URL-safe base64). AES-256-GCM with a random 96-bit nonce; the field's context (for example
//! `friend/U123/phone`) is the associated data, so a value copied into another field or record
//! does not open. Data keys are cached for a bounded time so that KMS is not called per field,
//! and a key is never used for encryption longer than that.
//!
//! The cipher also keeps the process's unwrapped index keys (see [`crate::index_key`]): one
//! key-service call per process and rotation, not one per friend.

use crate::index_key::{IndexKey, IndexKeys, WrappedIndexKey, WrappedIndexKeys};
use crate::{Clock, KeyError, KeyService};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

const PREFIX: &str = "enc:v1:";
/// How long a data key is used for encryption, and kept in memory for decryption.
pub const KEY_LIFETIME: Duration = Duration::minutes(5);
/// How many unwrapped keys are kept at most.
const MAX_CACHED_KEYS: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("not a sealed value")]
    Malformed,
    #[error("the value does not open with its key and context")]
    Tampered,
    #[error(transparent)]
    Key(#[from] KeyError),
}

struct CachedKey {
    plaintext: Zeroizing<[u8; 32]>,
    since: DateTime<Utc>,
}

struct Current {
    wrapped: Vec<u8>,
    key: CachedKey,
}

/// The index keys as last read from the table, and when.
struct CachedIndexKeys {
    stored: WrappedIndexKeys,
    keys: Arc<IndexKeys>,
    read: DateTime<Utc>,
}

pub struct FieldCipher {
    keys: Arc<dyn KeyService>,
    clock: Arc<dyn Clock>,
    current: Mutex<Option<Current>>,
    unwrapped: Mutex<HashMap<Vec<u8>, CachedKey>>,
    index: Mutex<Option<CachedIndexKeys>>,
}

impl FieldCipher {
    pub fn new(keys: Arc<dyn KeyService>, clock: Arc<dyn Clock>) -> Self {
        Self {
            keys,
            clock,
            current: Mutex::new(None),
            unwrapped: Mutex::new(HashMap::new()),
            index: Mutex::new(None),
        }
    }

    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(PREFIX)
    }

    pub async fn seal(&self, plaintext: &str, context: &str) -> Result<String, CipherError> {
        let now = self.clock.now();
        let (wrapped, key) = {
            let mut current = self.current.lock().await;
            let fresh = current
                .as_ref()
                .is_some_and(|c| now - c.key.since < KEY_LIFETIME && c.key.since <= now);
            if !fresh {
                let dk = self.keys.generate_data_key().await?;
                *current = Some(Current {
                    wrapped: dk.wrapped,
                    key: CachedKey {
                        plaintext: dk.plaintext,
                        since: now,
                    },
                });
            }
            let c = current.as_ref().expect("set above");
            (c.wrapped.clone(), c.key.plaintext.clone())
        };
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key");
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CipherError::Malformed)?;
        Ok(format!(
            "{PREFIX}{}:{}:{}",
            B64.encode(&wrapped),
            B64.encode(nonce),
            B64.encode(sealed)
        ))
    }

    pub async fn open(&self, sealed: &str, context: &str) -> Result<String, CipherError> {
        let rest = sealed.strip_prefix(PREFIX).ok_or(CipherError::Malformed)?;
        let mut parts = rest.split(':');
        let (Some(w), Some(n), Some(c), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CipherError::Malformed);
        };
        let wrapped = B64.decode(w).map_err(|_| CipherError::Malformed)?;
        let nonce = B64.decode(n).map_err(|_| CipherError::Malformed)?;
        let ciphertext = B64.decode(c).map_err(|_| CipherError::Malformed)?;
        if nonce.len() != 12 {
            return Err(CipherError::Malformed);
        }
        let key = self.unwrap_cached(&wrapped).await?;
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key");
        let plain = cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CipherError::Tampered)?;
        String::from_utf8(plain).map_err(|_| CipherError::Tampered)
    }

    /// The index keys this process read from the table less than [`KEY_LIFETIME`] ago. Within
    /// that time a rotation made elsewhere goes unseen, which is harmless: the rotated record
    /// keeps the previous key in force for longer than that.
    pub async fn cached_index_keys(&self) -> Option<Arc<IndexKeys>> {
        let now = self.clock.now();
        let cache = self.index.lock().await;
        cache
            .as_ref()
            .filter(|c| now - c.read < KEY_LIFETIME && c.read <= now)
            .map(|c| c.keys.clone())
    }

    /// The index keys `stored` stands for, now cached for [`KEY_LIFETIME`]. The key service is
    /// asked only when the stored keys differ from the cached ones (a cold start, a rotation).
    pub async fn open_index_keys(
        &self,
        stored: &WrappedIndexKeys,
    ) -> Result<Arc<IndexKeys>, CipherError> {
        let now = self.clock.now();
        let mut cache = self.index.lock().await;
        if let Some(c) = cache.as_mut().filter(|c| c.stored == *stored) {
            c.read = now;
            return Ok(c.keys.clone());
        }
        let current = self.unwrap_index_key(&stored.current).await?;
        let previous = match &stored.previous {
            Some(p) => Some(self.unwrap_index_key(p).await?),
            None => None,
        };
        let keys = Arc::new(IndexKeys::new(current, previous));
        *cache = Some(CachedIndexKeys {
            stored: stored.clone(),
            keys: keys.clone(),
            read: now,
        });
        Ok(keys)
    }

    /// A new index key of `generation`, wrapped by the key service, for the table.
    pub async fn new_index_key(&self, generation: u32) -> Result<WrappedIndexKey, CipherError> {
        let key = self.keys.generate_data_key().await?;
        Ok(WrappedIndexKey::from_bytes(generation, &key.wrapped))
    }

    async fn unwrap_index_key(&self, stored: &WrappedIndexKey) -> Result<IndexKey, CipherError> {
        let wrapped = stored.wrapped_bytes().ok_or(CipherError::Malformed)?;
        let key = self.keys.unwrap_data_key(&wrapped).await?;
        Ok(IndexKey::new(stored.generation, key))
    }

    async fn unwrap_cached(&self, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>, CipherError> {
        let now = self.clock.now();
        {
            let mut cache = self.unwrapped.lock().await;
            cache.retain(|_, k| now - k.since < KEY_LIFETIME && k.since <= now);
            if let Some(k) = cache.get(wrapped) {
                return Ok(k.plaintext.clone());
            }
        }
        let plaintext = self.keys.unwrap_data_key(wrapped).await?;
        let mut cache = self.unwrapped.lock().await;
        if cache.len() >= MAX_CACHED_KEYS {
            if let Some(oldest) = cache
                .iter()
                .min_by_key(|(_, k)| k.since)
                .map(|(w, _)| w.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            wrapped.to_vec(),
            CachedKey {
                plaintext: plaintext.clone(),
                since: now,
            },
        );
        Ok(plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataKey, ManualClock};
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A key service that wraps by XOR with a fixed pad and counts its calls.
    #[derive(Default)]
    struct CountingKeys {
        generated: AtomicUsize,
        unwrapped: AtomicUsize,
    }

    #[async_trait]
    impl KeyService for CountingKeys {
        async fn generate_data_key(&self) -> Result<DataKey, KeyError> {
            self.generated.fetch_add(1, Ordering::SeqCst);
            let mut k = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut k);
            Ok(DataKey {
                wrapped: k.iter().map(|b| b ^ 0x5a).collect(),
                plaintext: Zeroizing::new(k),
            })
        }
        async fn unwrap_data_key(&self, wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError> {
            self.unwrapped.fetch_add(1, Ordering::SeqCst);
            let mut k = [0u8; 32];
            if wrapped.len() != 32 {
                return Err(KeyError::Unwrap);
            }
            for (o, w) in k.iter_mut().zip(wrapped) {
                *o = w ^ 0x5a;
            }
            Ok(Zeroizing::new(k))
        }
    }

    fn setup() -> (Arc<CountingKeys>, Arc<ManualClock>, FieldCipher) {
        let keys = Arc::new(CountingKeys::default());
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let cipher = FieldCipher::new(keys.clone(), clock.clone());
        (keys, clock, cipher)
    }

    #[tokio::test]
    async fn a_sealed_field_opens_only_in_its_own_context() {
        let (_, _, cipher) = setup();
        let sealed = cipher
            .seal("若狭 太郎 090-0000-0000", "friend/U1/name")
            .await
            .unwrap();
        assert!(FieldCipher::is_sealed(&sealed));
        assert!(!sealed.contains("若狭"));
        assert_eq!(
            cipher.open(&sealed, "friend/U1/name").await.unwrap(),
            "若狭 太郎 090-0000-0000"
        );
        assert!(matches!(
            cipher.open(&sealed, "friend/U2/name").await,
            Err(CipherError::Tampered)
        ));
    }

    #[tokio::test]
    async fn a_changed_byte_is_detected() {
        let (_, _, cipher) = setup();
        let sealed = cipher.seal("秘密", "ctx").await.unwrap();
        let (head, tail) = sealed.rsplit_once(':').unwrap();
        let mut ct = B64.decode(tail).unwrap();
        ct[0] ^= 1;
        let forged = format!("{head}:{}", B64.encode(ct));
        assert!(matches!(
            cipher.open(&forged, "ctx").await,
            Err(CipherError::Tampered)
        ));
        assert!(matches!(
            cipher.open("plain text", "ctx").await,
            Err(CipherError::Malformed)
        ));
    }

    #[tokio::test]
    async fn data_keys_are_reused_only_within_their_lifetime() {
        let (keys, clock, cipher) = setup();
        let a = cipher.seal("a", "c").await.unwrap();
        let b = cipher.seal("b", "c").await.unwrap();
        assert_eq!(keys.generated.load(Ordering::SeqCst), 1);
        assert_eq!(a.split(':').nth(2), b.split(':').nth(2), "same wrapped key");
        clock.advance(KEY_LIFETIME + Duration::seconds(1));
        let c = cipher.seal("c", "c").await.unwrap();
        assert_eq!(keys.generated.load(Ordering::SeqCst), 2);
        assert_ne!(a.split(':').nth(2), c.split(':').nth(2));
    }

    #[tokio::test]
    async fn index_keys_are_unwrapped_once_and_again_only_when_the_stored_keys_change() {
        let (keys, clock, cipher) = setup();
        assert!(
            cipher.cached_index_keys().await.is_none(),
            "a cold start has none"
        );
        let stored = WrappedIndexKeys {
            current: cipher.new_index_key(1).await.unwrap(),
            previous: None,
            rotated_at: None,
        };
        let first = cipher.open_index_keys(&stored).await.unwrap();
        let again = cipher.open_index_keys(&stored).await.unwrap();
        assert_eq!(keys.unwrapped.load(Ordering::SeqCst), 1);
        assert_eq!(
            first.current().segment_key("district", "雲浜"),
            again.current().segment_key("district", "雲浜")
        );
        assert!(cipher.cached_index_keys().await.is_some());

        // After its lifetime the cache asks to be refreshed from the table; the same stored
        // keys cost no key-service call, rotated ones do.
        clock.advance(KEY_LIFETIME);
        assert!(cipher.cached_index_keys().await.is_none());
        cipher.open_index_keys(&stored).await.unwrap();
        assert_eq!(keys.unwrapped.load(Ordering::SeqCst), 1);
        let rotated = WrappedIndexKeys {
            current: cipher.new_index_key(2).await.unwrap(),
            previous: Some(stored.current.clone()),
            rotated_at: Some(clock.now()),
        };
        let both = cipher.open_index_keys(&rotated).await.unwrap();
        assert_eq!(keys.unwrapped.load(Ordering::SeqCst), 3);
        assert_eq!(both.current().generation(), 2);
        assert_eq!(
            both.by_generation(1)
                .unwrap()
                .segment_key("district", "雲浜"),
            first.current().segment_key("district", "雲浜")
        );
    }

    #[tokio::test]
    async fn unwrapped_keys_are_cached_for_a_bounded_time() {
        let (keys, clock, cipher) = setup();
        let sealed = cipher.seal("x", "c").await.unwrap();
        cipher.open(&sealed, "c").await.unwrap();
        cipher.open(&sealed, "c").await.unwrap();
        assert_eq!(keys.unwrapped.load(Ordering::SeqCst), 1);
        clock.advance(KEY_LIFETIME + Duration::seconds(1));
        cipher.open(&sealed, "c").await.unwrap();
        assert_eq!(keys.unwrapped.load(Ordering::SeqCst), 2);
    }
}
