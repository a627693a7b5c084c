//! The retention policy for friends who blocked the account (保存期間), one record staff set in
//! the console; the daily upkeep applies it.

use crate::{decode, encode, RecordError};
use std::sync::Arc;
use tayori_domain::Retention;
use tayori_ports::{Condition, Item, TableStore};

const PK: &str = "SETTINGS";
const SK: &str = "FRIENDRETENTION";

#[derive(Clone)]
pub struct RetentionRecord {
    table: Arc<dyn TableStore>,
}

impl RetentionRecord {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    /// The saved policy, or [`Retention::default`] until staff set one.
    pub async fn get(&self) -> Result<Retention, RecordError> {
        match self.table.get(PK, SK).await? {
            Some(item) => decode(&item),
            None => Ok(Retention::default()),
        }
    }

    pub async fn set(&self, retention: Retention) -> Result<(), RecordError> {
        let item = Item::new(PK, SK, encode(&retention));
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }
}
