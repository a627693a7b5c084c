//! A friend as stored: what the service needs in the clear (id, status, dates), the registered
//! attributes sealed with the field cipher, and their segment keys for matching.
//!
//! Records written before field encryption carry the attributes in plain text under
//! `attributes`; they are read as before and sealed by their next write.

use crate::RecordError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tayori_domain::{Friend, FriendStatus};
use tayori_ports::{FieldCipher, IndexKeys};

type Attributes = BTreeMap<String, Vec<String>>;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct StoredFriend {
    user_id: String,
    status: FriendStatus,
    first_seen: DateTime<Utc>,
    last_active: DateTime<Utc>,
    followed_at: Option<DateTime<Utc>>,
    blocked_at: Option<DateTime<Utc>>,
    /// Only in records written before field encryption; never written now.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: Attributes,
    #[serde(flatten)]
    sealed: Sealed,
}

/// The sealed attributes and their segment keys; all absent for a friend who registered nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Sealed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_attributes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    segment_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index_generation: Option<u32>,
}

/// The sealed attributes are bound to their friend: copied into another record they do not open.
fn context(user_id: &str) -> String {
    format!("friend/{user_id}/attributes")
}

/// A friend's segment keys: one per registered (item, value), sorted.
pub(super) fn segment_keys(attributes: &Attributes, keys: &IndexKeys) -> Vec<String> {
    let key = keys.current();
    let mut hashed: Vec<String> = attributes
        .iter()
        .flat_map(|(item, values)| values.iter().map(|v| key.segment_key(item, v)))
        .collect();
    hashed.sort_unstable();
    hashed.dedup();
    hashed
}

/// A friend as read, and the sealed form of their attributes as stored, so that a write that
/// leaves the attributes as they were does not seal them again.
pub(super) struct Opened {
    pub friend: Friend,
    pub(super) stored_as: Option<(Attributes, Sealed)>,
}

impl StoredFriend {
    pub async fn open(self, cipher: &FieldCipher) -> Result<Opened, RecordError> {
        let attributes = match &self.sealed.sealed_attributes {
            Some(sealed) => {
                let json = cipher.open(sealed, &context(&self.user_id)).await?;
                serde_json::from_str(&json).map_err(|e| {
                    RecordError::Corrupt(format!("FRIEND#{}", self.user_id), e.to_string())
                })?
            }
            None => self.attributes,
        };
        // A legacy record's plain text is nothing worth keeping.
        let stored_as = self
            .sealed
            .sealed_attributes
            .is_some()
            .then(|| (attributes.clone(), self.sealed));
        Ok(Opened {
            friend: Friend {
                user_id: self.user_id,
                status: self.status,
                first_seen: self.first_seen,
                last_active: self.last_active,
                followed_at: self.followed_at,
                blocked_at: self.blocked_at,
                attributes,
            },
            stored_as,
        })
    }

    /// The record to write for `friend`. The attributes are sealed and hashed afresh unless
    /// they are what was read (`stored_as`), already sealed with segment keys of the current
    /// key.
    pub async fn seal(
        friend: &Friend,
        stored_as: Option<&(Attributes, Sealed)>,
        cipher: &FieldCipher,
        keys: &IndexKeys,
    ) -> Result<StoredFriend, RecordError> {
        let unchanged = stored_as
            .filter(|(attributes, sealed)| {
                *attributes == friend.attributes
                    && sealed.index_generation == Some(keys.current().generation())
            })
            .map(|(_, sealed)| sealed);
        let sealed = match unchanged {
            Some(sealed) => sealed.clone(),
            None if friend.attributes.is_empty() => Sealed::default(),
            None => {
                let json = serde_json::to_string(&friend.attributes)
                    .expect("attributes serialise to JSON");
                Sealed {
                    sealed_attributes: Some(cipher.seal(&json, &context(&friend.user_id)).await?),
                    segment_keys: segment_keys(&friend.attributes, keys),
                    index_generation: Some(keys.current().generation()),
                }
            }
        };
        Ok(StoredFriend {
            user_id: friend.user_id.clone(),
            status: friend.status,
            first_seen: friend.first_seen,
            last_active: friend.last_active,
            followed_at: friend.followed_at,
            blocked_at: friend.blocked_at,
            attributes: Attributes::new(),
            sealed,
        })
    }
}
