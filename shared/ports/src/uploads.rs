//! Citizens' uploads straight from a LIFF page to storage (report photos, form files): the
//! browser PUTs to a presigned URL under a key the server made for that citizen, and later names
//! the key when it files. The key's folder is a keyed hash of the citizen's LINE user id (the
//! city's index key, as segment keys are), so a key copied from another citizen's upload does
//! not pass, and nothing about the user id can be read from it.

use crate::{IndexKeys, ObjectKey};

/// One place citizens upload to: its prefix (which the bucket's lifecycle rule empties after a
/// day) and the item name the folders are hashed under, which keeps places apart from each
/// other and from segment keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CitizenUploads {
    prefix: &'static str,
    owner_item: &'static str,
}

/// Longest upload name: a simple UUID.
const MAX_NAME_CHARS: usize = 32;

impl CitizenUploads {
    /// `prefix` ends with `/`.
    pub const fn new(prefix: &'static str, owner_item: &'static str) -> Self {
        Self { prefix, owner_item }
    }

    pub fn prefix(&self) -> &'static str {
        self.prefix
    }

    /// The folder of `user_id`'s uploads under the current index key.
    fn folder(&self, keys: &IndexKeys, user_id: &str) -> String {
        keys.current().segment_key(self.owner_item, user_id)
    }

    /// A key for one new upload of `user_id`; `name` is fresh hex (a simple UUID).
    pub fn key_for(&self, keys: &IndexKeys, user_id: &str, name: &str) -> String {
        format!("{}{}/{name}", self.prefix, self.folder(keys, user_id))
    }

    /// `key` as an object key when it is one of `user_id`'s upload keys (under the current
    /// index key or, during a rotation, the previous one).
    pub fn owned(&self, keys: &IndexKeys, user_id: &str, key: &str) -> Option<ObjectKey> {
        let rest = key.strip_prefix(self.prefix)?;
        let (folder, name) = rest.split_once('/')?;
        let named = !name.is_empty()
            && name.len() <= MAX_NAME_CHARS
            && name.bytes().all(|b| b.is_ascii_hexdigit());
        let theirs = keys
            .all()
            .any(|k| k.segment_key(self.owner_item, user_id) == folder);
        (named && theirs)
            .then(|| ObjectKey::new(key).ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index_key::IndexKey;

    const PHOTOS: CitizenUploads = CitizenUploads::new("uploads/reports/", "report-upload-owner");
    const FILES: CitizenUploads = CitizenUploads::new("uploads/forms/", "form-upload-owner");
    const NAME: &str = "0123456789abcdef0123456789abcdef";

    fn key(generation: u32) -> IndexKey {
        IndexKey::new(generation, [generation as u8; 32].into())
    }

    #[test]
    fn an_upload_key_is_accepted_only_from_the_citizen_and_place_it_was_made_for() {
        let keys = IndexKeys::new(key(1), None);
        let mine = PHOTOS.key_for(&keys, "Ua", NAME);
        let cases = [
            ("Ua", mine.clone(), true),
            ("Ub", mine.clone(), false),
            (
                "Ua",
                mine.replace("uploads/reports/", "reports/photos/"),
                false,
            ),
            ("Ua", format!("{mine}/../x"), false),
            (
                "Ua",
                mine.replace("0123456789abcdef", "not-hex-at-all!!"),
                false,
            ),
            ("Ua", PHOTOS.key_for(&keys, "Ua", ""), false),
        ];
        for (user, key, accepted) in cases {
            assert_eq!(
                PHOTOS.owned(&keys, user, &key).is_some(),
                accepted,
                "{user} {key}"
            );
        }
        assert!(
            !mine.contains("Ua"),
            "the user id is not readable in the key"
        );
        // The same citizen's folder differs between places: a report key is no form key.
        let moved = mine.replace("uploads/reports/", "uploads/forms/");
        assert!(FILES.owned(&keys, "Ua", &moved).is_none());
        assert!(FILES
            .owned(&keys, "Ua", &FILES.key_for(&keys, "Ua", NAME))
            .is_some());
    }

    #[test]
    fn an_upload_made_before_a_rotation_is_still_the_citizens() {
        let before = IndexKeys::new(key(1), None);
        let name = PHOTOS.key_for(&before, "Ua", NAME);
        let rotated = IndexKeys::new(key(2), Some(key(1)));
        assert!(PHOTOS.owned(&rotated, "Ua", &name).is_some());
        let retired = IndexKeys::new(key(2), None);
        assert!(PHOTOS.owned(&retired, "Ua", &name).is_none());
    }
}
