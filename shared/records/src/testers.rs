//! Testers (テスト配信の受信者): staff's own LINE accounts that receive test deliveries.
//!
//! A clerk cannot know their LINE user id, so the console shows a short-lived code and the clerk
//! sends 「テスター登録 <code>」 to the account from their own LINE; the webhook redeems it.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_ports::{Condition, Item, StoreError, TableStore};

const PK: &str = "SETTINGS";
const SK: &str = "TESTERS";
/// How long a registration code stays valid.
pub const CODE_MINUTES: i64 = 10;

fn code_pk(code: &str) -> String {
    format!("TESTERCODE#{code}")
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tester {
    pub user_id: String,
    /// The staff member who registered this account.
    pub staff: String,
    pub added_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Testers {
    table: Arc<dyn TableStore>,
}

impl Testers {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn get(&self) -> Result<Vec<Tester>, RecordError> {
        Ok(self.load().await?.0)
    }

    async fn load(&self) -> Result<(Vec<Tester>, Condition, u64), RecordError> {
        Ok(match self.table.get(PK, SK).await? {
            Some(item) => (
                decode(&item)?,
                Condition::IfVersion(item.version),
                item.version + 1,
            ),
            None => (Vec::new(), Condition::IfAbsent, 1),
        })
    }

    async fn change(&self, f: impl Fn(&mut Vec<Tester>)) -> Result<Vec<Tester>, RecordError> {
        for attempt in 0..crate::MAX_UPDATE_ATTEMPTS {
            let (mut testers, condition, version) = self.load().await?;
            f(&mut testers);
            let item = Item::new(PK, SK, encode(&testers)).with_version(version);
            match self.table.put(item, condition).await {
                Ok(()) => return Ok(testers),
                Err(StoreError::ConditionFailed) => crate::backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RecordError::Contended(format!("{PK}/{SK}")))
    }

    pub async fn remove(&self, user_id: &str) -> Result<Vec<Tester>, RecordError> {
        self.change(|t| t.retain(|x| x.user_id != user_id)).await
    }

    /// A 6-digit code for `staff`, valid for [`CODE_MINUTES`].
    pub async fn issue_code(&self, staff: &str, now: DateTime<Utc>) -> Result<String, RecordError> {
        loop {
            let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
            let item = Item::new(
                code_pk(&code),
                "CODE",
                serde_json::json!({ "staff": staff }),
            )
            .expiring_at((now + Duration::minutes(CODE_MINUTES)).timestamp());
            match self.table.put(item, Condition::IfAbsent).await {
                Ok(()) => return Ok(code),
                Err(StoreError::ConditionFailed) => continue, // in use: draw again
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Registers `user_id` as a tester of the staff member the code was issued to; `None` for
    /// an unknown or expired code. A code works once.
    pub async fn redeem(
        &self,
        code: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Tester>, RecordError> {
        let Some(item) = self.table.get(&code_pk(code), "CODE").await? else {
            return Ok(None);
        };
        match self
            .table
            .delete(&code_pk(code), "CODE", Condition::IfVersion(item.version))
            .await
        {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        let tester = Tester {
            user_id: user_id.into(),
            staff: item.body["staff"].as_str().unwrap_or_default().into(),
            added_at: now,
        };
        let added = tester.clone();
        self.change(move |t| {
            t.retain(|x| x.user_id != added.user_id);
            t.push(added.clone());
        })
        .await?;
        Ok(Some(tester))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_ports::{Clock, ManualClock};

    #[tokio::test]
    async fn a_code_registers_the_sender_once_and_expires() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let table = Arc::new(SqliteTable::open(dir.path(), clock.clone()).unwrap());
        let testers = Testers::new(table);
        let now = clock.now();
        let code = testers.issue_code("tanaka", now).await.unwrap();
        assert_eq!(code.len(), 6);
        let added = testers.redeem(&code, "Uclerk", now).await.unwrap().unwrap();
        assert_eq!(added.staff, "tanaka");
        assert!(testers
            .redeem(&code, "Uother", now)
            .await
            .unwrap()
            .is_none());
        assert_eq!(testers.get().await.unwrap().len(), 1);

        let late = testers.issue_code("suzuki", now).await.unwrap();
        clock.advance(Duration::minutes(CODE_MINUTES));
        assert!(testers
            .redeem(&late, "Ulate", clock.now())
            .await
            .unwrap()
            .is_none());

        testers.remove("Uclerk").await.unwrap();
        assert!(testers.get().await.unwrap().is_empty());
    }
}
