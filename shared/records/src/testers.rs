//! Testers (テスト配信の受信者): staff's own LINE accounts that receive test deliveries.
//!
//! A clerk cannot know their LINE user id, so the console shows a short-lived code and the clerk
//! sends 「テスター登録 <code>」 to the account from their own LINE; the webhook redeems it.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_ports::{Condition, Item, StoreError, TableStore, Write};

const PK: &str = "SETTINGS";
const SK: &str = "TESTERS";
/// How long a registration code stays valid.
pub const CODE_MINUTES: i64 = 10;

/// Wrong codes one LINE account may send within [`LOCKOUT_MINUTES`] of its first.
pub const MAX_WRONG_CODES: u64 = 5;
pub const LOCKOUT_MINUTES: i64 = 60;

fn code_pk(code: &str) -> String {
    format!("TESTERCODE#{code}")
}

fn tries_pk(user_id: &str) -> String {
    format!("TESTERTRIES#{user_id}")
}

/// Where the wrong codes a LINE account sent are counted, so that removing a friend's data
/// removes this too.
pub(crate) fn tries_key(user_id: &str) -> (String, &'static str) {
    (tries_pk(user_id), "TRIES")
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
        let mut attempts = Attempts::new(&format!("{PK}/{SK}"));
        loop {
            let (mut testers, condition, version) = self.load().await?;
            f(&mut testers);
            let item = Item::new(PK, SK, encode(&testers)).with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(testers);
            }
        }
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

    /// Registers `user_id` as a tester of the staff member the code was issued to. A code works
    /// once; an account that sent [`MAX_WRONG_CODES`] wrong codes is refused until its
    /// [`LOCKOUT_MINUTES`] window ends, so nobody can guess their way in from LINE.
    pub async fn redeem(
        &self,
        code: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Redemption, RecordError> {
        if self.wrong_codes(user_id).await? >= MAX_WRONG_CODES {
            return Ok(Redemption::TooManyWrongCodes);
        }
        let claimed = match self.table.get(&code_pk(code), "CODE").await? {
            Some(item) => match self
                .table
                .delete(&code_pk(code), "CODE", Condition::IfVersion(item.version))
                .await
            {
                Ok(()) => Some(item),
                Err(StoreError::ConditionFailed) => None, // redeemed a moment ago
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let Some(item) = claimed else {
            self.count_wrong_code(user_id, now).await?;
            return Ok(Redemption::WrongOrExpired);
        };
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
        Ok(Redemption::Registered(tester))
    }

    async fn wrong_codes(&self, user_id: &str) -> Result<u64, RecordError> {
        Ok(self
            .table
            .get(&tries_pk(user_id), "TRIES")
            .await?
            .and_then(|item| item.body["count"].as_u64())
            .unwrap_or(0))
    }

    /// Counts a wrong code in the window that the account's first wrong code opened.
    async fn count_wrong_code(&self, user_id: &str, now: DateTime<Utc>) -> Result<(), RecordError> {
        let pk = tries_pk(user_id);
        let mut attempts = Attempts::new(&pk);
        loop {
            let (count, ends, condition, version) = match self.table.get(&pk, "TRIES").await? {
                Some(item) => (
                    item.body["count"].as_u64().unwrap_or(0),
                    item.expires_at,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (0, None, Condition::IfAbsent, 1),
            };
            let ends =
                ends.unwrap_or_else(|| (now + Duration::minutes(LOCKOUT_MINUTES)).timestamp());
            let item = Item::new(
                pk.clone(),
                "TRIES",
                serde_json::json!({ "count": count + 1 }),
            )
            .with_version(version)
            .expiring_at(ends);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(());
            }
        }
    }
}

/// What became of a 「テスター登録」 code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redemption {
    Registered(Tester),
    /// Unknown, already used or expired.
    WrongOrExpired,
    /// The account sent too many wrong codes lately; the code was not even looked up.
    TooManyWrongCodes,
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
        let Redemption::Registered(added) = testers.redeem(&code, "Uclerk", now).await.unwrap()
        else {
            panic!("a fresh code registers");
        };
        assert_eq!(added.staff, "tanaka");
        assert_eq!(
            testers.redeem(&code, "Uother", now).await.unwrap(),
            Redemption::WrongOrExpired
        );
        assert_eq!(testers.get().await.unwrap().len(), 1);

        let late = testers.issue_code("suzuki", now).await.unwrap();
        clock.advance(Duration::minutes(CODE_MINUTES));
        assert_eq!(
            testers.redeem(&late, "Ulate", clock.now()).await.unwrap(),
            Redemption::WrongOrExpired
        );

        testers.remove("Uclerk").await.unwrap();
        assert!(testers.get().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_account_that_keeps_sending_wrong_codes_is_refused_for_an_hour() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let table = Arc::new(SqliteTable::open(dir.path(), clock.clone()).unwrap());
        let testers = Testers::new(table);
        let code = testers.issue_code("tanaka", clock.now()).await.unwrap();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for _ in 0..MAX_WRONG_CODES {
            clock.advance(Duration::seconds(30));
            assert_eq!(
                testers.redeem(wrong, "Uguess", clock.now()).await.unwrap(),
                Redemption::WrongOrExpired
            );
        }
        // Even the right code is refused now, and stays valid for its clerk.
        assert_eq!(
            testers.redeem(&code, "Uguess", clock.now()).await.unwrap(),
            Redemption::TooManyWrongCodes
        );
        assert!(matches!(
            testers.redeem(&code, "Uclerk", clock.now()).await.unwrap(),
            Redemption::Registered(_)
        ));

        // The window opened with the first wrong code, 30 s in: it ends an hour after that.
        let first_wrong = Duration::seconds(30 * (MAX_WRONG_CODES as i64 - 1));
        clock.advance(Duration::minutes(LOCKOUT_MINUTES) - first_wrong - Duration::seconds(1));
        assert_eq!(
            testers.redeem(wrong, "Uguess", clock.now()).await.unwrap(),
            Redemption::TooManyWrongCodes
        );
        clock.advance(Duration::seconds(1));
        let fresh = testers.issue_code("tanaka", clock.now()).await.unwrap();
        assert!(matches!(
            testers.redeem(&fresh, "Uguess", clock.now()).await.unwrap(),
            Redemption::Registered(_)
        ));
    }
}
