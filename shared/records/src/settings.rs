//! Settings staff edit in the console.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use std::sync::Arc;
use tayori_domain::usage::Programmes;
use tayori_domain::Greetings;
use tayori_ports::{Condition, Item, TableStore, Write};

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

    /// Applies `change` to the 事業 under a version condition, tried again on the fresh ones
    /// when another clerk saved first; a refusal writes nothing. Answers what `change` answered.
    pub async fn update_programmes<T, E>(
        &self,
        change: impl Fn(&mut Programmes) -> Result<T, E>,
    ) -> Result<Result<T, E>, RecordError> {
        let mut attempts = Attempts::new(PROGRAMMES);
        loop {
            let (mut programmes, condition, version) = match self.table.get(PK, PROGRAMMES).await? {
                Some(item) => (
                    decode::<Programmes>(&item)?,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (Programmes::default(), Condition::IfAbsent, 1),
            };
            let answer = match change(&mut programmes) {
                Ok(answer) => answer,
                Err(refused) => return Ok(Err(refused)),
            };
            let item = Item::new(PK, PROGRAMMES, encode(&programmes)).with_version(version);
            let writes = vec![Write::Put { item, condition }];
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Ok(answer));
            }
        }
    }
}
