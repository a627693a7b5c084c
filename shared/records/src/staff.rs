//! Staff accounts and the role presets they are made from.

use crate::{decode, encode, RecordError};
use std::sync::Arc;
use tayori_domain::staff::{LoginId, RolePreset, StaffAccount};
use tayori_ports::{Condition, Cursor, Item, Query, StoreError, TableStore};

const SK: &str = "ACCOUNT";
/// Every account is also listed under this gsi1 partition, ordered by login id.
const LIST: &str = "STAFF";
const PRESETS_PK: &str = "SETTINGS";
const PRESETS_SK: &str = "ROLEPRESETS";

fn pk(login_id: &LoginId) -> String {
    format!("STAFF#{login_id}")
}

#[derive(Clone)]
pub struct StaffAccounts {
    table: Arc<dyn TableStore>,
}

impl StaffAccounts {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn get(&self, login_id: &LoginId) -> Result<Option<StaffAccount>, RecordError> {
        match self.table.get(&pk(login_id), SK).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    /// Adds a new account; `false` when the login id is taken.
    pub async fn create(&self, account: &StaffAccount) -> Result<bool, RecordError> {
        let item = Item::new(pk(&account.login_id), SK, encode(account))
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
        for attempt in 0..crate::MAX_UPDATE_ATTEMPTS {
            let Some(item) = self.table.get(&pk(login_id), SK).await? else {
                return Ok(None);
            };
            let mut account: StaffAccount = decode(&item)?;
            change(&mut account);
            let next = Item::new(pk(login_id), SK, encode(&account))
                .with_gsi1(LIST, login_id.as_str())
                .with_version(item.version + 1);
            match self
                .table
                .put(next, Condition::IfVersion(item.version))
                .await
            {
                Ok(()) => return Ok(Some(account)),
                Err(StoreError::ConditionFailed) => crate::backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(RecordError::Contended(pk(login_id)))
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
