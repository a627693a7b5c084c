//! Segment keys: keyed hashes that stand for a citizen's registered values (年代: 30代, 地区: 雲浜)
//! wherever those values must be matched without being read, so that a delivery can find its
//! recipients without opening every friend's sealed registration.
//!
//! A segment key is HMAC-SHA256, under a secret *index key*, over the segment item's id and the
//! value, cut to 128 bits. Without the index key nobody can compute one, so a table export or a
//! backup cannot be tested against guesses ("is this friend 30代?"). What such a copy does show
//! is which friends share a value and how many values each registered; that is the price of
//! matching by equality, and it is why the keys are kept only on the friend record.
//!
//! The index key is an ordinary data key of the key service, stored wrapped (see
//! `tayori_records::index_keys`) and unwrapped once per process. Every key has a *generation*:
//! a friend record says which generation its segment keys were made with, so that after a
//! rotation the previous key still matches the friends not yet re-hashed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// A segment key keeps this many bytes of the HMAC: ample to tell apart every value of every
/// item, and small enough that a friend's keys stay a few hundred bytes.
pub const SEGMENT_KEY_BYTES: usize = 16;

/// One index key, unwrapped.
pub struct IndexKey {
    generation: u32,
    key: Zeroizing<[u8; 32]>,
}

impl IndexKey {
    pub fn new(generation: u32, key: Zeroizing<[u8; 32]>) -> Self {
        Self { generation, key }
    }

    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The segment key of `value` registered for `item`. The item id is length-prefixed so
    /// that no (item, value) pair hashes like another (`ab`+`c` against `a`+`bc`).
    pub fn segment_key(&self, item: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_ref())
            .expect("HMAC takes a key of any length");
        mac.update(&(item.len() as u32).to_be_bytes());
        mac.update(item.as_bytes());
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        B64.encode(&digest[..SEGMENT_KEY_BYTES])
    }
}

/// The index keys in force: the current one, which every write uses, and during a rotation the
/// previous one, which friends not yet re-hashed still carry.
pub struct IndexKeys {
    current: IndexKey,
    previous: Option<IndexKey>,
}

impl IndexKeys {
    pub fn new(current: IndexKey, previous: Option<IndexKey>) -> Self {
        Self { current, previous }
    }

    pub fn current(&self) -> &IndexKey {
        &self.current
    }

    pub fn previous(&self) -> Option<&IndexKey> {
        self.previous.as_ref()
    }

    /// The key a record hashed with `generation` needs, if it is still in force.
    pub fn by_generation(&self, generation: u32) -> Option<&IndexKey> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|k| k.generation == generation)
    }

    /// Every key in force, the current one first.
    pub fn all(&self) -> impl Iterator<Item = &IndexKey> {
        std::iter::once(&self.current).chain(self.previous.as_ref())
    }
}

/// One index key as stored: wrapped by the key service (URL-safe base64).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedIndexKey {
    pub generation: u32,
    pub wrapped: String,
}

/// The index keys as stored in the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedIndexKeys {
    pub current: WrappedIndexKey,
    #[serde(default)]
    pub previous: Option<WrappedIndexKey>,
    /// When the current key replaced the previous one; the previous key is retired only once
    /// every process has seen the rotation and every friend has been re-hashed.
    #[serde(default)]
    pub rotated_at: Option<DateTime<Utc>>,
}

impl WrappedIndexKey {
    pub(crate) fn wrapped_bytes(&self) -> Option<Vec<u8>> {
        B64.decode(&self.wrapped).ok()
    }

    pub(crate) fn from_bytes(generation: u32, wrapped: &[u8]) -> Self {
        Self {
            generation,
            wrapped: B64.encode(wrapped),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(generation: u32, byte: u8) -> IndexKey {
        IndexKey::new(generation, Zeroizing::new([byte; 32]))
    }

    #[test]
    fn a_segment_key_depends_on_the_item_the_value_and_the_key_and_shows_neither() {
        let k = key(1, 7);
        let kumohama = k.segment_key("district", "雲浜");
        assert_eq!(kumohama, k.segment_key("district", "雲浜"), "deterministic");
        assert_ne!(kumohama, k.segment_key("district", "西津"));
        assert_ne!(kumohama, k.segment_key("hometown", "雲浜"));
        assert_ne!(kumohama, key(2, 8).segment_key("district", "雲浜"));
        assert_ne!(
            k.segment_key("ab", "c"),
            k.segment_key("a", "bc"),
            "the item's boundary is part of the hash"
        );
        assert_eq!(B64.decode(&kumohama).unwrap().len(), SEGMENT_KEY_BYTES);
        assert!(!kumohama.contains("雲浜") && !kumohama.contains("district"));
    }

    #[test]
    fn during_a_rotation_both_generations_are_found() {
        let keys = IndexKeys::new(key(2, 2), Some(key(1, 1)));
        assert_eq!(keys.current().generation(), 2);
        assert_eq!(keys.by_generation(1).map(IndexKey::generation), Some(1));
        assert!(keys.by_generation(3).is_none());
        assert_eq!(keys.all().count(), 2);
    }
}
