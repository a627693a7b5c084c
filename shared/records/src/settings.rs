//! Settings staff edit in the console.

use crate::{decode, encode, RecordError};
use std::sync::Arc;
use tayori_domain::usage::Programmes;
use tayori_domain::Greetings;
use tayori_ports::{Condition, Item, TableStore};

const PK: &str = "SETTINGS";
const GREETINGS: &str = "GREETINGS";
const PROGRAMMES: &str = "USAGE_PROGRAMMES";

#[derive(Clone)]
pub struct Settings {
    table: Arc<dyn TableStore>,
    city: String,
}

impl Settings {
    pub fn new(table: Arc<dyn TableStore>, city: impl Into<String>) -> Self {
        Self {
            table,
            city: city.into(),
        }
    }

    /// The saved greetings, or the defaults for the city until staff save their own.
    pub async fn greetings(&self) -> Result<Greetings, RecordError> {
        match self.table.get(PK, GREETINGS).await? {
            Some(item) => decode(&item),
            None => Ok(Greetings::defaults_for(&self.city)),
        }
    }

    pub async fn save_greetings(&self, greetings: &Greetings) -> Result<(), RecordError> {
        let item = Item::new(PK, GREETINGS, encode(greetings));
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    /// The 事業 the usage report groups services into; none until staff add one.
    pub async fn programmes(&self) -> Result<Programmes, RecordError> {
        match self.table.get(PK, PROGRAMMES).await? {
            Some(item) => decode(&item),
            None => Ok(Programmes::default()),
        }
    }

    pub async fn save_programmes(&self, programmes: &Programmes) -> Result<(), RecordError> {
        let item = Item::new(PK, PROGRAMMES, encode(programmes));
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }
}
