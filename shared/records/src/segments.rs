//! Segment items (セグメント項目) staff edit, and each citizen's place in the chat questionnaire.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::segment::SegmentItems;
use tayori_ports::{Condition, FieldCipher, Item, Platform, TableStore, Write};

const SETTINGS_PK: &str = "SETTINGS";
const ITEMS_SK: &str = "SEGMENTITEMS";

/// The city's segment items, one record with an optimistic version: two clerks editing at once
/// both get their change, applied one after the other.
#[derive(Clone)]
pub struct SegmentItemsRecord {
    table: Arc<dyn TableStore>,
}

impl SegmentItemsRecord {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// The saved items, or 小浜市's defaults until staff change them.
    pub async fn get(&self) -> Result<SegmentItems, RecordError> {
        match self.table.get(SETTINGS_PK, ITEMS_SK).await? {
            Some(item) => decode(&item),
            None => Ok(SegmentItems::obama_defaults()),
        }
    }

    /// Applies `change` to the current items and saves them. The change is tried again on the
    /// fresh items when another writer saved first; a refusal (`Err(E)`) saves nothing.
    pub async fn update<E>(
        &self,
        change: impl Fn(&mut SegmentItems) -> Result<(), E>,
    ) -> Result<Result<SegmentItems, E>, RecordError> {
        let mut attempts = Attempts::new(&format!("{SETTINGS_PK}/{ITEMS_SK}"));
        loop {
            let current = self.table.get(SETTINGS_PK, ITEMS_SK).await?;
            let (mut items, condition, version) = match &current {
                Some(item) => (
                    decode::<SegmentItems>(item)?,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (SegmentItems::obama_defaults(), Condition::IfAbsent, 1),
            };
            if let Err(refused) = change(&mut items) {
                return Ok(Err(refused));
            }
            let item = Item::new(SETTINGS_PK, ITEMS_SK, encode(&items)).with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(Ok(items));
            }
        }
    }
}

/// Where a citizen is in the chat questionnaire (登録): the answers so far, kept until the last
/// question, so that an abandoned questionnaire changes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationProgress {
    /// The item asked now.
    pub current: String,
    /// Answers to the items already asked (skipped ones absent).
    #[serde(default)]
    pub answers: BTreeMap<String, Vec<String>>,
    /// Choices toggled on so far for a many-answer question.
    #[serde(default)]
    pub selected: Vec<String>,
}

fn progress_pk(user_id: &str) -> String {
    format!("REGISTRATION#{user_id}")
}
const PROGRESS_SK: &str = "PROGRESS";
/// A questionnaire left for a day is forgotten: the citizen starts again with 「登録」.
pub const PROGRESS_TTL_HOURS: i64 = 24;

/// Where a citizen's questionnaire in progress is kept, so that removing a friend's data
/// removes this too.
pub(crate) fn progress_key(user_id: &str) -> (String, &'static str) {
    (progress_pk(user_id), PROGRESS_SK)
}

/// The answers so far are as personal as the finished registration: stored sealed, bound to
/// the citizen.
fn progress_context(user_id: &str) -> String {
    format!("registration/{user_id}/progress")
}

/// A progress record as stored. Records written before field encryption hold the progress
/// itself in plain text; they are read as before and live a day at most.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum StoredProgress {
    Sealed { sealed: String },
    Plain(RegistrationProgress),
}

#[derive(Clone)]
pub struct RegistrationProgresses {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
}

impl RegistrationProgresses {
    pub fn new(platform: &Platform) -> Self {
        Self {
            table: platform.table.clone(),
            cipher: platform.cipher.clone(),
        }
    }

    pub async fn get(&self, user_id: &str) -> Result<Option<RegistrationProgress>, RecordError> {
        let Some(item) = self.table.get(&progress_pk(user_id), PROGRESS_SK).await? else {
            return Ok(None);
        };
        match decode::<StoredProgress>(&item)? {
            StoredProgress::Plain(progress) => Ok(Some(progress)),
            StoredProgress::Sealed { sealed } => {
                let json = self
                    .cipher
                    .open(&sealed, &progress_context(user_id))
                    .await?;
                serde_json::from_str(&json)
                    .map(Some)
                    .map_err(|e| RecordError::Corrupt(progress_pk(user_id), e.to_string()))
            }
        }
    }

    pub async fn save(
        &self,
        user_id: &str,
        progress: &RegistrationProgress,
        now: DateTime<Utc>,
    ) -> Result<(), RecordError> {
        let json = serde_json::to_string(progress).expect("progress serialises to JSON");
        let sealed = StoredProgress::Sealed {
            sealed: self.cipher.seal(&json, &progress_context(user_id)).await?,
        };
        let expires = now + Duration::hours(PROGRESS_TTL_HOURS);
        let item = Item::new(progress_pk(user_id), PROGRESS_SK, encode(&sealed))
            .expiring_at(expires.timestamp());
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    pub async fn clear(&self, user_id: &str) -> Result<(), RecordError> {
        self.table
            .delete(&progress_pk(user_id), PROGRESS_SK, Condition::Always)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_domain::segment::{Answer, SegmentEditError};
    use tayori_ports::{Clock, ManualClock, SystemClock};

    fn table(dir: &tempfile::TempDir, clock: Arc<dyn Clock>) -> Arc<dyn TableStore> {
        Arc::new(SqliteTable::open(dir.path(), clock).unwrap())
    }

    #[tokio::test]
    async fn until_staff_save_the_items_are_obamas_defaults_and_saved_changes_persist() {
        let dir = tempfile::tempdir().unwrap();
        let record = SegmentItemsRecord::new(table(&dir, Arc::new(SystemClock)));
        assert_eq!(record.get().await.unwrap(), SegmentItems::obama_defaults());
        record
            .update(|items| {
                items
                    .add_item("職業", "ご職業は？", Answer::One)
                    .map(|_| ())
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.get().await.unwrap().items.len(), 5);
        let refused = record
            .update(|items| {
                items
                    .add_item("職業", "ご職業は？", Answer::One)
                    .map(|_| ())
            })
            .await
            .unwrap();
        assert_eq!(
            refused,
            Err(SegmentEditError::DuplicateLabel("職業".into()))
        );
        assert_eq!(record.get().await.unwrap().items.len(), 5);
    }

    #[tokio::test]
    async fn concurrent_edits_of_the_items_all_count() {
        let dir = tempfile::tempdir().unwrap();
        let record = SegmentItemsRecord::new(table(&dir, Arc::new(SystemClock)));
        let mut tasks = Vec::new();
        for n in 0..8 {
            let record = record.clone();
            tasks.push(tokio::spawn(async move {
                record
                    .update(|items| items.add_choice("interests", &format!("分野{n}")))
                    .await
            }));
        }
        let mut added = 0;
        for t in tasks {
            if t.await.unwrap().unwrap().is_ok() {
                added += 1;
            }
        }
        // 6 defaults + 5 more reach the 11 open choices a many-answer question may have.
        assert_eq!(added, 5);
        let interests = record.get().await.unwrap();
        assert_eq!(interests.get("interests").unwrap().choices.len(), 11);
    }

    #[tokio::test]
    async fn a_questionnaire_in_progress_is_stored_sealed_and_one_from_before_sealing_still_reads()
    {
        let dir = tempfile::tempdir().unwrap();
        let (platform, _bus) =
            tayori_adapters::embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
        let progresses = RegistrationProgresses::new(&platform);
        let progress = RegistrationProgress {
            current: "district".into(),
            answers: [("age_group".to_string(), vec!["30代".to_string()])].into(),
            selected: vec![],
        };
        progresses.save("U1", &progress, Utc::now()).await.unwrap();
        let raw = platform
            .table
            .get("REGISTRATION#U1", PROGRESS_SK)
            .await
            .unwrap()
            .unwrap();
        assert!(!raw.body.to_string().contains("30代"), "{}", raw.body);
        assert_eq!(progresses.get("U1").await.unwrap(), Some(progress.clone()));

        let before = Item::new("REGISTRATION#U2", PROGRESS_SK, encode(&progress));
        platform.table.put(before, Condition::Always).await.unwrap();
        assert_eq!(progresses.get("U2").await.unwrap(), Some(progress));
    }

    #[tokio::test]
    async fn a_questionnaire_left_for_a_day_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let start = Utc::now();
        let clock = Arc::new(ManualClock::new(start));
        let (platform, _bus) =
            tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
        let progresses = RegistrationProgresses::new(&platform);
        let progress = RegistrationProgress {
            current: "gender".into(),
            answers: [("age_group".to_string(), vec!["30代".to_string()])].into(),
            selected: vec![],
        };
        progresses.save("U1", &progress, start).await.unwrap();
        assert_eq!(progresses.get("U1").await.unwrap(), Some(progress));
        clock.advance(Duration::hours(PROGRESS_TTL_HOURS));
        assert_eq!(progresses.get("U1").await.unwrap(), None);
    }
}
