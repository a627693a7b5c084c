//! Staff accounts and the role presets they are made from.
//!
//! The second-factor secrets are sealed here, on every write, with the envelope encryption of
//! `FieldCipher` (context `staff/<loginId>/totp`, and `…/totp-pending` for one being enrolled),
//! so that no page can store one in the clear and a copy of the table does not give away the
//! codes. They are opened only when a code is checked. An account saved before sealing holds
//! the base32 secret itself: it still works, and its next write seals it.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use std::sync::Arc;
use tayori_domain::staff::{HeldSecret, LoginId, RolePreset, StaffAccount};
use tayori_ports::{Condition, Cursor, FieldCipher, Item, Query, StoreError, TableStore, Write};
use zeroize::Zeroizing;

const SK: &str = "ACCOUNT";
/// Every account is also listed under this gsi1 partition, ordered by login id.
const LIST: &str = "STAFF";
const PRESETS_PK: &str = "SETTINGS";
const PRESETS_SK: &str = "ROLEPRESETS";
/// The stored fields that hold a second-factor secret, and the purpose named in each one's
/// sealing context.
const SEALED: [(&str, &str); 2] = [
    ("totp_secret", "totp"),
    ("pending_totp_secret", "totp-pending"),
];

fn pk(login_id: &LoginId) -> String {
    format!("STAFF#{login_id}")
}

fn context(login_id: &LoginId, purpose: &str) -> String {
    format!("staff/{login_id}/{purpose}")
}

/// What counting a sign-in attempt came to.
#[derive(Debug)]
pub enum Attempt {
    /// Counted: its password or code may now be checked once.
    Granted(StaffAccount),
    /// Locked: refused without a check.
    Locked(StaffAccount),
    UnknownAccount,
}

#[derive(Clone)]
pub struct StaffAccounts {
    table: Arc<dyn TableStore>,
    cipher: Arc<FieldCipher>,
}

impl StaffAccounts {
    pub fn new(table: Arc<dyn TableStore>, cipher: Arc<FieldCipher>) -> Self {
        Self { table, cipher }
    }

    pub async fn get(&self, login_id: &LoginId) -> Result<Option<StaffAccount>, RecordError> {
        match self.table.get(&pk(login_id), SK).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Adds a new account; `false` when the login id is taken.
    pub async fn create(&self, account: &StaffAccount) -> Result<bool, RecordError> {
        let item = Item::new(pk(&account.login_id), SK, self.sealed(account).await?)
            .with_gsi1(LIST, account.login_id.as_str())
            .with_version(1);
        match self.table.put(item, Condition::IfAbsent).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Applies `change` to the stored account with optimistic concurrency; `None` when absent.
    pub async fn update(
        &self,
        login_id: &LoginId,
        mut change: impl FnMut(&mut StaffAccount),
    ) -> Result<Option<StaffAccount>, RecordError> {
        let changed = self
            .change_if(login_id, |a| {
                change(a);
                true
            })
            .await?;
        Ok(changed.map(|(account, _)| account))
    }

    /// Counts an attempt before its password or code is checked (see
    /// `StaffAccount::reserve_attempt`). The write is conditional on the version read, so
    /// parallel attempts are counted one after another and at most `LOCKOUT_AFTER` are granted.
    pub async fn reserve_attempt(
        &self,
        login_id: &LoginId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Attempt, RecordError> {
        let reserved = self
            .change_if(login_id, |a| a.reserve_attempt(now).is_ok())
            .await?;
        Ok(match reserved {
            Some((account, true)) => Attempt::Granted(account),
            Some((account, false)) => Attempt::Locked(account),
            None => Attempt::UnknownAccount,
        })
    }

    /// Records a sign-in completed with a code of `step`, unless that step was accepted
    /// meanwhile (the same code sent twice at once signs in once). `None` when absent.
    pub async fn accept_code(
        &self,
        login_id: &LoginId,
        step: u64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<bool>, RecordError> {
        let accepted = self
            .change_if(login_id, |a| {
                let fresh = a.accept_code_step(step);
                if fresh {
                    a.record_success(now);
                }
                fresh
            })
            .await?;
        Ok(accepted.map(|(_, fresh)| fresh))
    }

    /// The base32 secret of the second factor in use, opened for a code check.
    pub async fn second_factor_secret(
        &self,
        account: &StaffAccount,
    ) -> Result<Option<Zeroizing<String>>, RecordError> {
        self.open(account, account.second_factor_secret(), SEALED[0].1)
            .await
    }

    /// The base32 secret being enrolled, opened to show it and to check its first code.
    pub async fn pending_second_factor_secret(
        &self,
        account: &StaffAccount,
    ) -> Result<Option<Zeroizing<String>>, RecordError> {
        self.open(account, account.pending_second_factor_secret(), SEALED[1].1)
            .await
    }

    async fn open(
        &self,
        account: &StaffAccount,
        held: Option<&HeldSecret>,
        purpose: &str,
    ) -> Result<Option<Zeroizing<String>>, RecordError> {
        let Some(held) = held else {
            return Ok(None);
        };
        if !FieldCipher::is_sealed(held.as_str()) {
            // Stored before secrets were sealed; the account's next write seals it.
            return Ok(Some(Zeroizing::new(held.as_str().to_string())));
        }
        let secret = self
            .cipher
            .open(held.as_str(), &context(&account.login_id, purpose))
            .await?;
        Ok(Some(Zeroizing::new(secret)))
    }

    /// The account as stored: every secret it holds in the clear is sealed first.
    async fn sealed(&self, account: &StaffAccount) -> Result<serde_json::Value, RecordError> {
        let mut body = encode(account);
        for (field, purpose) in SEALED {
            if let Some(serde_json::Value::String(held)) = body.get_mut(field) {
                if !FieldCipher::is_sealed(held) {
                    let plain = Zeroizing::new(std::mem::take(held));
                    *held = self
                        .cipher
                        .seal(&plain, &context(&account.login_id, purpose))
                        .await?;
                }
            }
        }
        Ok(body)
    }

    /// Applies `change` with optimistic concurrency, writing only when it answers `true`;
    /// answers the account (as changed, or as read) and what `change` answered. `None` when
    /// absent.
    async fn change_if(
        &self,
        login_id: &LoginId,
        mut change: impl FnMut(&mut StaffAccount) -> bool,
    ) -> Result<Option<(StaffAccount, bool)>, RecordError> {
        let mut attempts = Attempts::new(&pk(login_id));
        loop {
            let Some(item) = self.table.get(&pk(login_id), SK).await? else {
                return Ok(None);
            };
            let mut account: StaffAccount = decode(&item)?;
            if !change(&mut account) {
                return Ok(Some((account, false)));
            }
            let next = Item::new(pk(login_id), SK, self.sealed(&account).await?)
                .with_gsi1(LIST, login_id.as_str())
                .with_version(item.version + 1);
            if attempts
                .written(
                    self.table.as_ref(),
                    vec![Write::Put {
                        item: next,
                        condition: Condition::IfVersion(item.version),
                    }],
                )
                .await?
            {
                return Ok(Some((account, true)));
            }
        }
    }

    /// One page of accounts in login-id order.
    pub async fn list(
        &self,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<(Vec<StaffAccount>, Option<Cursor>), RecordError> {
        let page = self
            .table
            .query(Query::gsi1(LIST).limit(limit).after(after))
            .await?;
        let accounts = page.items.iter().map(decode).collect::<Result<_, _>>()?;
        Ok((accounts, page.cursor))
    }

    /// Whether any account exists (the one-time setup is closed once one does).
    pub async fn any(&self) -> Result<bool, RecordError> {
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(Query::gsi1(LIST).limit(1).after(cursor))
                .await?;
            if !page.items.is_empty() {
                return Ok(true);
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(false),
            }
        }
    }

    pub async fn presets(&self) -> Result<Vec<RolePreset>, RecordError> {
        match self.table.get(PRESETS_PK, PRESETS_SK).await? {
            Some(item) => decode(&item),
            None => Ok(RolePreset::defaults()),
        }
    }

    pub async fn save_presets(&self, presets: &[RolePreset]) -> Result<(), RecordError> {
        let item = Item::new(PRESETS_PK, PRESETS_SK, encode(&presets));
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use tayori_adapters::embedded;
    use tayori_domain::staff::{DepartmentScope, PermissionSet, StaffProfile, LOCKOUT_AFTER};
    use tayori_ports::{Platform, SystemClock};

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn platform() -> (tempfile::TempDir, Platform) {
        let dir = tempfile::tempdir().unwrap();
        let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
        (dir, platform)
    }

    fn tanaka() -> LoginId {
        LoginId::parse("tanaka").unwrap()
    }

    async fn added(platform: &Platform) -> StaffAccounts {
        let staff = StaffAccounts::new(platform.table.clone(), platform.cipher.clone());
        let profile = StaffProfile {
            display_name: "田中".into(),
            department: "環境衛生課".into(),
            permissions: PermissionSet::all(),
            scope: DepartmentScope::All,
        };
        let account = StaffAccount::new(tanaka(), profile, "hash".into(), Utc::now());
        assert!(staff.create(&account).await.unwrap());
        staff
    }

    async fn raw(platform: &Platform) -> Item {
        platform
            .table
            .get("STAFF#tanaka", SK)
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn a_second_factor_secret_is_stored_sealed_and_opens_for_its_account_only() {
        let (_dir, platform) = platform();
        let staff = added(&platform).await;
        staff
            .update(&tanaka(), |a| {
                a.begin_second_factor("PENDINGSECRETPENDINGSECRET".into());
                a.turn_on_second_factor(SECRET.into(), 1);
                a.begin_second_factor("PENDINGSECRETPENDINGSECRET".into());
            })
            .await
            .unwrap();
        let stored = raw(&platform).await;
        let text = stored.body.to_string();
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("PENDINGSECRET"), "{text}");
        for field in ["totp_secret", "pending_totp_secret"] {
            assert!(FieldCipher::is_sealed(stored.body[field].as_str().unwrap()));
        }

        let account = staff.get(&tanaka()).await.unwrap().unwrap();
        let opened = staff.second_factor_secret(&account).await.unwrap().unwrap();
        assert_eq!(opened.as_str(), SECRET);
        let pending = staff.pending_second_factor_secret(&account).await.unwrap();
        assert_eq!(pending.unwrap().as_str(), "PENDINGSECRETPENDINGSECRET");

        // Sealed for tanaka, the value does not open as another account's.
        let mut copied = stored.body.clone();
        copied["login_id"] = "sato".into();
        let sato: StaffAccount = serde_json::from_value(copied).unwrap();
        assert!(matches!(
            staff.second_factor_secret(&sato).await,
            Err(RecordError::Cipher(_))
        ));
    }

    #[tokio::test]
    async fn a_secret_stored_in_the_clear_before_sealing_opens_and_is_sealed_on_the_next_write() {
        let (_dir, platform) = platform();
        let staff = added(&platform).await;
        let mut before = raw(&platform).await;
        before.body["totp_secret"] = SECRET.into();
        before.version += 1;
        platform.table.put(before, Condition::Always).await.unwrap();

        let account = staff.get(&tanaka()).await.unwrap().unwrap();
        let opened = staff.second_factor_secret(&account).await.unwrap().unwrap();
        assert_eq!(opened.as_str(), SECRET);
        staff
            .update(&tanaka(), |a| a.record_success(Utc::now()))
            .await
            .unwrap();
        let stored = raw(&platform).await;
        assert!(!stored.body.to_string().contains(SECRET));
        let account = staff.get(&tanaka()).await.unwrap().unwrap();
        let opened = staff.second_factor_secret(&account).await.unwrap().unwrap();
        assert_eq!(opened.as_str(), SECRET);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_attempts_are_granted_no_more_often_than_the_lockout_allows() {
        let (_dir, platform) = platform();
        let staff = added(&platform).await;
        let now = Utc::now();
        let attempts: Vec<_> = (0..40)
            .map(|_| {
                let staff = staff.clone();
                tokio::spawn(async move { staff.reserve_attempt(&tanaka(), now).await })
            })
            .collect();
        let mut granted = 0;
        for attempt in attempts {
            match attempt.await.unwrap().unwrap() {
                Attempt::Granted(_) => granted += 1,
                Attempt::Locked(a) => assert!(a.is_locked(now)),
                Attempt::UnknownAccount => panic!("the account exists"),
            }
        }
        assert_eq!(granted, LOCKOUT_AFTER);
        let account = staff.get(&tanaka()).await.unwrap().unwrap();
        assert_eq!(account.failed_attempts(), LOCKOUT_AFTER);
        assert!(matches!(
            staff
                .reserve_attempt(&LoginId::parse("nobody").unwrap(), now)
                .await,
            Ok(Attempt::UnknownAccount)
        ));
    }

    #[tokio::test]
    async fn a_code_accepted_once_is_refused_the_second_time() {
        let (_dir, platform) = platform();
        let staff = added(&platform).await;
        let now = Utc::now();
        assert_eq!(
            staff.accept_code(&tanaka(), 42, now).await.unwrap(),
            Some(true)
        );
        assert_eq!(
            staff.accept_code(&tanaka(), 42, now).await.unwrap(),
            Some(false)
        );
        let account = staff.get(&tanaka()).await.unwrap().unwrap();
        assert_eq!(account.last_sign_in(), Some(now));
    }
}
