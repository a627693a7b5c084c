//! Settings staff edit in the console.

use crate::{decode, encode, RecordError};
use std::sync::Arc;
use tayori_domain::Greetings;
use tayori_ports::{Condition, Item, TableStore};

const PK: &str = "SETTINGS";
const GREETINGS: &str = "GREETINGS";

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
}
