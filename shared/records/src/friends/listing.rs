//! Friends as a delivery, the console's count and the daily upkeep see them: id, status and
//! segment keys, decoded from the stored record without opening the sealed attributes (a city's
//! friends were sealed with many data keys over time; opening them all would cost a key-service
//! call per key).

use super::stored::segment_keys;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use tayori_domain::segment::{SegmentItems, Target};
use tayori_domain::usage::{Profile, AGE_GROUP_ITEM, DELIVERY_DIMENSIONS};
use tayori_domain::FriendStatus;
use tayori_ports::IndexKeys;

/// One friend in a listing. The registered values stay sealed; their segment keys say which
/// targets the friend is in.
#[derive(Clone, Debug, Deserialize)]
pub struct ListedFriend {
    pub user_id: String,
    pub status: FriendStatus,
    pub blocked_at: Option<DateTime<Utc>>,
    /// Plain text, only in records written before field encryption; hashed when listed.
    #[serde(default)]
    attributes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    segment_keys: Vec<String>,
    #[serde(default)]
    index_generation: Option<u32>,
    /// The stored record's version, so that a removal can make sure nothing changed since.
    #[serde(skip)]
    pub(super) version: u64,
    #[serde(skip)]
    legacy: bool,
}

impl ListedFriend {
    pub fn can_receive_messages(&self) -> bool {
        self.status != FriendStatus::Blocked
    }

    /// Gives a record from before field encryption the segment keys it will have once sealed.
    pub(super) fn hash_legacy_attributes(&mut self, keys: &IndexKeys) {
        if !self.attributes.is_empty() {
            self.segment_keys = segment_keys(&self.attributes, keys);
            self.index_generation = Some(keys.current().generation());
            self.attributes.clear();
            self.legacy = true;
        }
    }

    /// Stored in plain text or hashed with a key that is no longer current: the next write
    /// seals and hashes it afresh (the daily upkeep makes sure there is one).
    pub fn needs_resealing(&self, keys: &IndexKeys) -> bool {
        self.legacy
            || self
                .index_generation
                .is_some_and(|g| g != keys.current().generation())
    }

    /// Hashed with this generation of the index key, if the friend registered anything.
    pub fn index_generation(&self) -> Option<u32> {
        self.index_generation
    }
}

/// (item, value, segment key) for each value a target names, under one index key.
type HashedValues = Vec<(String, String, String)>;

/// A target turned into segment keys once, under every index key in force, so that deciding
/// whether a friend is in it compares a few short strings.
pub struct TargetMatcher {
    target: Target,
    /// Per index key generation in force, the current one first.
    by_generation: Vec<(u32, HashedValues)>,
}

impl TargetMatcher {
    pub fn new(target: &Target, keys: &IndexKeys) -> Self {
        let named: Vec<(&str, &str)> = match target {
            Target::All => Vec::new(),
            Target::Segment { conditions } => conditions
                .iter()
                .flat_map(|c| c.values.iter().map(|v| (c.item.as_str(), v.as_str())))
                .collect(),
        };
        let by_generation = keys
            .all()
            .map(|key| {
                let hashed = named
                    .iter()
                    .map(|(item, value)| {
                        (
                            item.to_string(),
                            value.to_string(),
                            key.segment_key(item, value),
                        )
                    })
                    .collect();
                (key.generation(), hashed)
            })
            .collect();
        Self {
            target: target.clone(),
            by_generation,
        }
    }

    /// Whether the target reaches `friend` (blocked or not: callers decide that).
    pub fn matches(&self, friend: &ListedFriend) -> bool {
        let generation = friend
            .index_generation
            .or_else(|| self.by_generation.first().map(|(g, _)| *g));
        // Keys of a generation no longer in force cannot be matched; the upkeep re-hashes such
        // a friend (a rotation keeps the previous key until none is left).
        let Some((_, hashed)) = self
            .by_generation
            .iter()
            .find(|(g, _)| Some(*g) == generation)
        else {
            return matches!(self.target, Target::All);
        };
        self.target.matches_by(|item, value| {
            hashed
                .iter()
                .find(|(i, v, _)| i == item && v == value)
                .is_some_and(|(_, _, key)| friend.segment_keys.iter().any(|k| k == key))
        })
    }
}

/// Reads a listed friend's 年代 and 地区 off their segment keys, for a delivery's tally, without
/// opening anything: every choice of the two items (retired ones too), hashed under every index
/// key in force, is mapped back to its value. It reads no more than a target could match.
pub struct ProfileReader {
    /// Per index key generation in force: segment key → (item, value).
    by_generation: Vec<(u32, ValuesByKey)>,
}

type ValuesByKey = HashMap<String, (&'static str, String)>;

impl ProfileReader {
    pub fn new(items: &SegmentItems, keys: &IndexKeys) -> Self {
        let choices: Vec<(&'static str, &str)> = DELIVERY_DIMENSIONS
            .iter()
            .filter_map(|id| items.get(id).map(|item| (*id, item)))
            .flat_map(|(id, item)| item.choices.iter().map(move |c| (id, c.value.as_str())))
            .collect();
        let by_generation = keys
            .all()
            .map(|key| {
                let values = choices
                    .iter()
                    .map(|(item, value)| (key.segment_key(item, value), (*item, value.to_string())))
                    .collect();
                (key.generation(), values)
            })
            .collect();
        Self { by_generation }
    }

    /// The friend's 年代 and 地区, each `None` when not registered (or hashed with a key no
    /// longer in force, which the daily upkeep re-hashes).
    pub fn profile(&self, friend: &ListedFriend) -> Profile {
        let (mut age_group, mut district) = (None, None);
        let values = friend.index_generation.and_then(|g| {
            self.by_generation
                .iter()
                .find(|(generation, _)| *generation == g)
        });
        if let Some((_, values)) = values {
            for (item, value) in friend.segment_keys.iter().filter_map(|k| values.get(k)) {
                if *item == AGE_GROUP_ITEM {
                    age_group = Some(value.clone());
                } else {
                    district = Some(value.clone());
                }
            }
        }
        Profile::new(age_group, district)
    }
}
