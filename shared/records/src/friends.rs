//! Friends (友だち) by LINE user id.
//!
//! What a friend registered (their attributes) is personal data: it is sealed with the field
//! cipher whenever a friend is written, and opened whenever one is read, here and nowhere else,
//! so no handler can forget. Deliveries and counts match friends by segment keys (keyed hashes
//! of each registered value, see `tayori_ports::index_key`) without opening anything.

mod listing;
mod stored;

pub use listing::{ListedFriend, ProfileReader, TargetMatcher};

use crate::index_keys::IndexKeyRecord;
use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use stored::{Opened, StoredFriend};
use tayori_domain::segment::Target;
use tayori_domain::Friend;
use tayori_ports::{
    Condition, Cursor, FieldCipher, IndexKeys, Item, Platform, Query, StoreError, TableStore, Write,
};

#[derive(Clone)]
pub struct Friends {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
    index: IndexKeyRecord,
}

fn pk(user_id: &str) -> String {
    format!("FRIEND#{user_id}")
}
const SK: &str = "PROFILE";

/// Friends are listed through the index in this many partitions, so that a city-wide delivery
/// reads them in parallel and no single index partition carries every friend.
pub const FRIEND_SHARDS: u32 = 16;

fn shard_of(user_id: &str) -> u32 {
    // FNV-1a: stable across processes and releases, unlike the std hasher.
    let hash = user_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % FRIEND_SHARDS
}

fn shard_pk(shard: u32) -> String {
    format!("FRIENDS#{shard:02}")
}

impl Friends {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
            index: IndexKeyRecord::new(platform),
        }
    }

    /// The index keys segment keys are made with (cached per process).
    pub async fn index_keys(&self) -> Result<Arc<IndexKeys>, RecordError> {
        self.index.keys().await
    }

    async fn read(&self, user_id: &str) -> Result<Option<(Opened, u64)>, RecordError> {
        match self.table.get(&pk(user_id), SK).await? {
            Some(item) => {
                let stored: StoredFriend = decode(&item)?;
                Ok(Some((stored.open(&self.cipher).await?, item.version)))
            }
            None => Ok(None),
        }
    }

    pub async fn get(&self, user_id: &str) -> Result<Option<Friend>, RecordError> {
        Ok(self.read(user_id).await?.map(|(opened, _)| opened.friend))
    }

    /// The friend as a listing sees them (status and segment keys), without opening anything:
    /// for a delivery to named citizens.
    pub async fn listed(&self, user_id: &str) -> Result<Option<ListedFriend>, RecordError> {
        let Some(item) = self.table.get(&pk(user_id), SK).await? else {
            return Ok(None);
        };
        let keys = self.index_keys().await?;
        let mut friend: ListedFriend = decode(&item)?;
        friend.version = item.version;
        friend.hash_legacy_attributes(&keys);
        Ok(Some(friend))
    }

    /// Whether a record exists for `user_id`, without opening it.
    pub async fn exists(&self, user_id: &str) -> Result<bool, RecordError> {
        Ok(self.table.get(&pk(user_id), SK).await?.is_some())
    }

    /// The item `friend` is stored as, sealed, at `version`: for writers that seed friends in
    /// bulk (the fan-out benchmark) and must use the real layout.
    pub async fn item(&self, friend: &Friend, version: u64) -> Result<Item, RecordError> {
        let keys = self.index_keys().await?;
        let stored = StoredFriend::seal(friend, None, &self.cipher, &keys).await?;
        Ok(Item::new(pk(&friend.user_id), SK, encode(&stored))
            .with_gsi1(shard_pk(shard_of(&friend.user_id)), friend.user_id.clone())
            .with_version(version))
    }

    /// Applies `change` to the friend's record (created on first sight at `at`), with optimistic
    /// concurrency so that two events of the same friend handled at once both count.
    pub async fn update(
        &self,
        user_id: &str,
        at: DateTime<Utc>,
        change: impl Fn(&mut Friend),
    ) -> Result<Friend, RecordError> {
        self.write(user_id, Some(at), change)
            .await?
            .ok_or_else(|| RecordError::Contended(pk(user_id)))
    }

    /// Writes the friend back as they are, sealed and hashed with the current keys: a record
    /// from before field encryption, or one hashed with a rotated index key. Answers whether
    /// there was a record.
    pub async fn reseal(&self, user_id: &str) -> Result<bool, RecordError> {
        Ok(self.write(user_id, None, |_| {}).await?.is_some())
    }

    /// Reads, changes and writes back under a version condition; `create_at` makes an absent
    /// friend (else an absent friend is left absent and `None` answered).
    async fn write(
        &self,
        user_id: &str,
        create_at: Option<DateTime<Utc>>,
        change: impl Fn(&mut Friend),
    ) -> Result<Option<Friend>, RecordError> {
        let keys = self.index_keys().await?;
        let mut attempts = Attempts::new(&pk(user_id));
        loop {
            let (opened, condition, version) = match self.read(user_id).await? {
                Some((opened, v)) => (opened, Condition::IfVersion(v), v + 1),
                None => match create_at {
                    Some(at) => (
                        Opened {
                            friend: Friend::first_seen(user_id, at),
                            stored_as: None,
                        },
                        Condition::IfAbsent,
                        1,
                    ),
                    None => return Ok(None),
                },
            };
            let mut friend = opened.friend.clone();
            change(&mut friend);
            let stored =
                StoredFriend::seal(&friend, opened.stored_as.as_ref(), &self.cipher, &keys).await?;
            let item = Item::new(pk(user_id), SK, encode(&stored))
                .with_gsi1(shard_pk(shard_of(user_id)), user_id)
                .with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(Some(friend));
            }
        }
    }

    /// Removes everything kept under the friend's user id (their record, a questionnaire in
    /// progress, wrong tester codes counted, their children registered for child-rearing
    /// messages) if their record is still at `listed.version`:
    /// a friend who followed again since they were listed is kept. Answers whether removed.
    pub async fn remove(&self, listed: &ListedFriend) -> Result<bool, RecordError> {
        let user_id = &listed.user_id;
        let (progress_pk, progress_sk) = crate::segments::progress_key(user_id);
        let (tries_pk, tries_sk) = crate::testers::tries_key(user_id);
        let keys = self.index_keys().await?;
        let mut writes = vec![
            Write::Delete {
                pk: pk(user_id),
                sk: SK.into(),
                condition: Condition::IfVersion(listed.version),
            },
            Write::Delete {
                pk: progress_pk,
                sk: progress_sk.into(),
                condition: Condition::Always,
            },
            Write::Delete {
                pk: tries_pk,
                sk: tries_sk.into(),
                condition: Condition::Always,
            },
        ];
        for (pk, sk) in crate::children::parent_keys(user_id, &keys) {
            writes.push(Write::Delete {
                pk,
                sk: sk.into(),
                condition: Condition::Always,
            });
        }
        match self.table.transact(writes).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// One page of the friends in `shard` (0..FRIEND_SHARDS), in user-id order; pass the
    /// returned cursor back for the next page until it is `None`.
    pub async fn page(
        &self,
        shard: u32,
        after: Option<Cursor>,
    ) -> Result<(Vec<ListedFriend>, Option<Cursor>), RecordError> {
        let keys = self.index_keys().await?;
        self.page_with(shard, after, &keys).await
    }

    async fn page_with(
        &self,
        shard: u32,
        after: Option<Cursor>,
        keys: &IndexKeys,
    ) -> Result<(Vec<ListedFriend>, Option<Cursor>), RecordError> {
        let page = self
            .table
            .query(Query::gsi1(shard_pk(shard)).limit(1000).after(after))
            .await?;
        let friends = page
            .items
            .iter()
            .map(|item| {
                let mut friend: ListedFriend = decode(item)?;
                friend.version = item.version;
                friend.hash_legacy_attributes(keys);
                Ok(friend)
            })
            .collect::<Result<_, RecordError>>()?;
        Ok((friends, page.cursor))
    }

    /// Every friend, shard by shard, handed to `each` a page at a time (a city has tens of
    /// thousands; nothing holds them all at once unless the caller does).
    pub async fn for_each_page(
        &self,
        mut each: impl FnMut(Vec<ListedFriend>),
    ) -> Result<(), RecordError> {
        let keys = self.index_keys().await?;
        for shard in 0..FRIEND_SHARDS {
            let mut cursor = None;
            loop {
                let (friends, next) = self.page_with(shard, cursor, &keys).await?;
                each(friends);
                match next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
        }
        Ok(())
    }

    /// Reads every shard at the same time, keeping from each page what `pick` takes: on
    /// DynamoDB every page is a round trip and a million friends are a thousand pages; on the
    /// embedded store it overlaps decoding with the next query (docs/benchmarks.md).
    async fn scan_all_shards<T: Send>(
        &self,
        pick: impl Fn(Vec<ListedFriend>, &mut Vec<T>) + Sync,
    ) -> Result<Vec<T>, RecordError> {
        let keys = self.index_keys().await?;
        let (keys, pick) = (&keys, &pick);
        let shards: Vec<Result<Vec<T>, RecordError>> = stream::iter(0..FRIEND_SHARDS)
            .map(|shard| async move {
                let mut kept = Vec::new();
                let mut cursor = None;
                loop {
                    let (page, next) = self.page_with(shard, cursor, keys).await?;
                    pick(page, &mut kept);
                    match next {
                        Some(c) => cursor = Some(c),
                        None => return Ok(kept),
                    }
                }
            })
            .buffer_unordered(FRIEND_SHARDS as usize)
            .collect()
            .await;
        let mut all = Vec::new();
        for shard in shards {
            all.append(&mut shard?);
        }
        Ok(all)
    }

    /// A matcher for `target` under the index keys in force.
    pub async fn matcher(&self, target: &Target) -> Result<TargetMatcher, RecordError> {
        Ok(TargetMatcher::new(target, &*self.index_keys().await?))
    }

    /// A reader of friends' 年代 and 地区 under the segment items and index keys in force.
    pub async fn profile_reader(&self) -> Result<ProfileReader, RecordError> {
        let items = crate::SegmentItemsRecord::new(self.table.clone())
            .get()
            .await?;
        Ok(ProfileReader::new(&items, &*self.index_keys().await?))
    }

    /// The user ids of the friends `target` reaches now: following (or not known to have
    /// blocked) and matching. In no particular order.
    pub async fn recipients(&self, target: &Target) -> Result<Vec<String>, RecordError> {
        let matcher = self.matcher(target).await?;
        self.scan_all_shards(|page, kept| {
            kept.extend(
                page.into_iter()
                    .filter(|f| f.can_receive_messages() && matcher.matches(f))
                    .map(|f| f.user_id),
            )
        })
        .await
    }

    /// How many friends `target` reaches now (the console's live count).
    pub async fn count(&self, target: &Target) -> Result<u64, RecordError> {
        let matcher = self.matcher(target).await?;
        let per_page = self
            .scan_all_shards(|page, kept| {
                kept.push(
                    page.iter()
                        .filter(|f| f.can_receive_messages() && matcher.matches(f))
                        .count() as u64,
                )
            })
            .await?;
        Ok(per_page.into_iter().sum())
    }

    /// For each of `targets`, whether it reaches at least one friend now.
    pub async fn reached(&self, targets: &[Target]) -> Result<Vec<bool>, RecordError> {
        let keys = self.index_keys().await?;
        let matchers: Vec<TargetMatcher> = targets
            .iter()
            .map(|t| TargetMatcher::new(t, &keys))
            .collect();
        let mut reached = vec![false; targets.len()];
        self.for_each_page(|page| {
            for friend in page.iter().filter(|f| f.can_receive_messages()) {
                for (n, matcher) in matchers.iter().enumerate() {
                    if !reached[n] && matcher.matches(friend) {
                        reached[n] = true;
                    }
                }
            }
        })
        .await?;
        Ok(reached)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index_keys::{Rotation, PREVIOUS_KEY_GRACE};
    use crate::{RegistrationProgress, RegistrationProgresses};
    use std::collections::BTreeMap;
    use tayori_adapters::embedded;
    use tayori_domain::segment::{Match, SegmentCondition};
    use tayori_domain::FriendStatus;
    use tayori_ports::{Clock, ManualClock, SystemClock};

    fn platform(dir: &tempfile::TempDir, clock: Arc<dyn Clock>) -> Platform {
        embedded::platform(dir.path(), clock).unwrap().0
    }

    fn registered(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect()
    }

    fn in_district(district: &str) -> Target {
        Target::Segment {
            conditions: vec![SegmentCondition {
                item: "district".into(),
                matching: Match::AnyOf,
                values: vec![district.into()],
            }],
        }
    }

    async fn follow(friends: &Friends, user_id: &str, attributes: BTreeMap<String, Vec<String>>) {
        let at = Utc::now();
        friends
            .update(user_id, at, |f| {
                f.followed(at);
                f.attributes = attributes.clone();
            })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn concurrent_updates_of_one_friend_all_count() {
        let dir = tempfile::tempdir().unwrap();
        let friends = Friends::new(&platform(&dir, Arc::new(SystemClock)));
        let base = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let friends = friends.clone();
            tasks.push(tokio::spawn(async move {
                let at = base + chrono::Duration::seconds(i);
                friends.update("U1", at, |f| f.seen(at)).await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let f = friends.get("U1").await.unwrap().unwrap();
        assert_eq!(f.first_seen, base);
        assert_eq!(f.last_active, base + chrono::Duration::seconds(15));
        assert_eq!(f.status, FriendStatus::Unknown);
    }

    #[tokio::test]
    async fn every_friend_is_listed_once_across_the_shards() {
        let dir = tempfile::tempdir().unwrap();
        let friends = Friends::new(&platform(&dir, Arc::new(SystemClock)));
        let at = Utc::now();
        for n in 0..2500 {
            friends
                .update(&format!("U{n:032x}"), at, |f| f.followed(at))
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        friends
            .for_each_page(|page| seen.extend(page.into_iter().map(|f| f.user_id)))
            .await
            .unwrap();
        let unique: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (2500, 2500));
        let used: std::collections::HashSet<_> = seen.iter().map(|u| shard_of(u)).collect();
        assert_eq!(
            used.len(),
            FRIEND_SHARDS as usize,
            "spread over every shard"
        );
        assert_eq!(friends.count(&Target::All).await.unwrap(), 2500);
    }

    #[tokio::test]
    async fn a_friend_stored_before_field_encryption_still_reads_and_is_targeted_and_is_sealed_on_the_next_write(
    ) {
        let dir = tempfile::tempdir().unwrap();
        let platform = platform(&dir, Arc::new(SystemClock));
        let friends = Friends::new(&platform);
        // The layout written before field encryption: the domain's friend as it serialises.
        let at = Utc::now();
        let mut old = Friend::first_seen("Uold", at);
        old.followed(at);
        old.attributes = registered(&[("district", "雲浜"), ("age_group", "30代")]);
        let legacy = Item::new(pk("Uold"), SK, serde_json::to_value(&old).unwrap())
            .with_gsi1(shard_pk(shard_of("Uold")), "Uold")
            .with_version(1);
        platform
            .table
            .put(legacy, Condition::IfAbsent)
            .await
            .unwrap();

        assert_eq!(friends.get("Uold").await.unwrap(), Some(old.clone()));
        assert_eq!(
            friends.recipients(&in_district("雲浜")).await.unwrap(),
            ["Uold"]
        );
        assert!(friends
            .recipients(&in_district("西津"))
            .await
            .unwrap()
            .is_empty());
        let keys = friends.index_keys().await.unwrap();
        let mut listed = Vec::new();
        friends.for_each_page(|p| listed.extend(p)).await.unwrap();
        assert!(listed[0].needs_resealing(&keys));

        // Any write seals it, even one that changes nothing registered.
        let later = at + chrono::Duration::minutes(1);
        friends
            .update("Uold", later, |f| f.seen(later))
            .await
            .unwrap();
        let raw = platform.table.get(&pk("Uold"), SK).await.unwrap().unwrap();
        let body = raw.body.to_string();
        assert!(!body.contains("雲浜") && !body.contains("30代"), "{body}");
        assert_eq!(
            friends.get("Uold").await.unwrap().unwrap().attributes,
            old.attributes
        );
        assert_eq!(
            friends.recipients(&in_district("雲浜")).await.unwrap(),
            ["Uold"]
        );
        let mut listed = Vec::new();
        friends.for_each_page(|p| listed.extend(p)).await.unwrap();
        assert!(!listed[0].needs_resealing(&keys));
    }

    #[tokio::test]
    async fn a_write_that_leaves_the_registration_alone_keeps_its_sealed_form() {
        let dir = tempfile::tempdir().unwrap();
        let platform = platform(&dir, Arc::new(SystemClock));
        let friends = Friends::new(&platform);
        follow(&friends, "U1", registered(&[("district", "雲浜")])).await;
        let sealed = |item: Item| item.body["sealed_attributes"].clone();
        let before = sealed(platform.table.get(&pk("U1"), SK).await.unwrap().unwrap());
        assert!(before.is_string());
        let at = Utc::now();
        friends.update("U1", at, |f| f.seen(at)).await.unwrap();
        let after = sealed(platform.table.get(&pk("U1"), SK).await.unwrap().unwrap());
        assert_eq!(before, after, "no new seal, no key-service call");
        friends
            .update("U1", at, |f| f.attributes.clear())
            .await
            .unwrap();
        let cleared = platform.table.get(&pk("U1"), SK).await.unwrap().unwrap();
        assert!(cleared.body.get("sealed_attributes").is_none());
        assert!(cleared.body.get("segment_keys").is_none());
    }

    #[tokio::test]
    async fn sealed_attributes_copied_into_another_friend_do_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let platform = platform(&dir, Arc::new(SystemClock));
        let friends = Friends::new(&platform);
        follow(&friends, "U1", registered(&[("district", "雲浜")])).await;
        follow(&friends, "U2", registered(&[("district", "西津")])).await;
        let one = platform.table.get(&pk("U1"), SK).await.unwrap().unwrap();
        let mut two = platform.table.get(&pk("U2"), SK).await.unwrap().unwrap();
        two.body["sealed_attributes"] = one.body["sealed_attributes"].clone();
        platform.table.put(two, Condition::Always).await.unwrap();
        assert!(matches!(
            friends.get("U2").await,
            Err(RecordError::Cipher(tayori_ports::CipherError::Tampered))
        ));
    }

    #[tokio::test]
    async fn after_an_index_key_rotation_friends_are_found_before_and_after_they_are_rehashed() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let platform = platform(&dir, clock.clone());
        let friends = Friends::new(&platform);
        let index = IndexKeyRecord::new(&platform);
        follow(&friends, "U1", registered(&[("district", "雲浜")])).await;
        follow(&friends, "U2", registered(&[("district", "西津")])).await;

        assert_eq!(
            index.rotate(clock.now()).await.unwrap(),
            Rotation::Rotated(2)
        );
        assert_eq!(
            index.rotate(clock.now()).await.unwrap(),
            Rotation::StillRotating
        );
        // Not re-hashed yet: matched with the previous key.
        assert_eq!(
            friends.recipients(&in_district("雲浜")).await.unwrap(),
            ["U1"]
        );
        let keys = friends.index_keys().await.unwrap();
        let mut stale = Vec::new();
        friends
            .for_each_page(|p| {
                stale.extend(
                    p.into_iter()
                        .filter(|f| f.needs_resealing(&keys))
                        .map(|f| f.user_id),
                )
            })
            .await
            .unwrap();
        stale.sort();
        assert_eq!(stale, ["U1", "U2"]);
        for id in &stale {
            assert!(friends.reseal(id).await.unwrap());
        }
        assert!(
            !friends.reseal("Unobody").await.unwrap(),
            "nobody is created"
        );
        assert!(!friends.exists("Unobody").await.unwrap());

        // Too soon after the rotation, the previous key stays; after the grace period it goes,
        // and the re-hashed friends are still found.
        assert!(!index.retire_previous(clock.now(), true).await.unwrap());
        clock.advance(PREVIOUS_KEY_GRACE);
        assert!(!index.retire_previous(clock.now(), false).await.unwrap());
        assert!(index.retire_previous(clock.now(), true).await.unwrap());
        assert!(friends.index_keys().await.unwrap().previous().is_none());
        assert_eq!(
            friends.recipients(&in_district("雲浜")).await.unwrap(),
            ["U1"]
        );
        assert_eq!(
            friends.get("U2").await.unwrap().unwrap().attributes["district"],
            ["西津"]
        );
    }

    #[tokio::test]
    async fn removing_a_friend_removes_what_is_kept_under_their_id_unless_they_changed_since() {
        let dir = tempfile::tempdir().unwrap();
        let platform = platform(&dir, Arc::new(SystemClock));
        let friends = Friends::new(&platform);
        let progresses = RegistrationProgresses::new(&platform);
        follow(&friends, "U1", registered(&[("district", "雲浜")])).await;
        follow(&friends, "U2", registered(&[("district", "西津")])).await;
        for id in ["U1", "U2"] {
            progresses
                .save(id, &RegistrationProgress::default(), Utc::now())
                .await
                .unwrap();
        }
        let mut listed = Vec::new();
        friends.for_each_page(|p| listed.extend(p)).await.unwrap();
        listed.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        // U2 writes again after being listed: not removed.
        let at = Utc::now();
        friends.update("U2", at, |f| f.seen(at)).await.unwrap();

        let children = crate::ChildcareRecords::new(&platform);
        for id in ["U1", "U2"] {
            children
                .update(id, |s| {
                    s.opt_out();
                    Ok::<_, ()>(())
                })
                .await
                .unwrap()
                .unwrap();
        }

        assert!(friends.remove(&listed[0]).await.unwrap());
        assert!(!friends.remove(&listed[1]).await.unwrap());
        assert!(!friends.exists("U1").await.unwrap());
        assert_eq!(progresses.get("U1").await.unwrap(), None);
        assert!(children.subscription("U1").await.unwrap().is_empty());
        assert!(children.subscription("U2").await.unwrap().is_opted_out());
        assert!(friends.exists("U2").await.unwrap());
        assert!(progresses.get("U2").await.unwrap().is_some());
    }
}
