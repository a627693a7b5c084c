//! Emergencies (災害対応): each one's record, and a pointer to the one open now, so that every
//! page's banner and every shelter lookup read one item. Opening writes both in one
//! transaction on the condition that no pointer exists: two warnings arriving together, or a
//! clerk and a JMA rule at once, open one emergency, and the other learns which.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use std::sync::Arc;
use tayori_domain::emergency::Emergency;
use tayori_ports::{Condition, Item, Query, TableStore, Write};

const SK: &str = "EVENT";
const LIST: &str = "EMERGENCIES";
const OPEN_PK: &str = "SETTINGS";
const OPEN_SK: &str = "EMERGENCYOPEN";

fn pk(id: &str) -> String {
    format!("EMERGENCY#{id}")
}

fn item(emergency: &Emergency, version: u64) -> Item {
    Item::new(pk(emergency.id()), SK, encode(emergency))
        .with_gsi1(
            LIST,
            format!("{}#{}", emergency.opened_at().to_rfc3339(), emergency.id()),
        )
        .with_version(version)
}

/// What asking to open an emergency came to.
#[derive(Clone, Debug, PartialEq)]
pub enum Opened {
    Opened(Emergency),
    /// One was open already; nothing was written.
    AlreadyOpen(Emergency),
}

#[derive(Clone)]
pub struct Emergencies {
    table: Arc<dyn TableStore>,
}

impl Emergencies {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn get(&self, id: &str) -> Result<Option<Emergency>, RecordError> {
        Ok(self.read(id).await?.map(|(emergency, _version)| emergency))
    }

    async fn read(&self, id: &str) -> Result<Option<(Emergency, u64)>, RecordError> {
        match self.table.get(&pk(id), SK).await? {
            Some(item) => Ok(Some((decode(&item)?, item.version))),
            None => Ok(None),
        }
    }

    /// The emergency open now, if any.
    pub async fn current(&self) -> Result<Option<Emergency>, RecordError> {
        let Some(pointer) = self.table.get(OPEN_PK, OPEN_SK).await? else {
            return Ok(None);
        };
        let id: String = decode(&pointer)?;
        // The pointer and the record are written and removed together; a pointer to a closed
        // or missing record would be a bug, and is read as "none open".
        Ok(self.get(&id).await?.filter(Emergency::is_open))
    }

    /// Stores a newly opened emergency unless one is open already.
    pub async fn open(&self, emergency: Emergency) -> Result<Opened, RecordError> {
        let mut attempts = Attempts::new(OPEN_SK);
        loop {
            let writes = vec![
                Write::Put {
                    item: item(&emergency, 1),
                    condition: Condition::IfAbsent,
                },
                Write::Put {
                    item: Item::new(OPEN_PK, OPEN_SK, encode(&emergency.id())),
                    condition: Condition::IfAbsent,
                },
            ];
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Opened::Opened(emergency));
            }
            if let Some(open) = self.current().await? {
                return Ok(Opened::AlreadyOpen(open));
            }
            // Closed between the two reads: try again.
        }
    }

    /// Applies `change` to the stored emergency at the version read (closing it removes the
    /// pointer in the same write). `None` when there is no such emergency; the change's own
    /// refusal is passed back untouched.
    pub async fn update<E>(
        &self,
        id: &str,
        change: impl Fn(&mut Emergency) -> Result<(), E>,
    ) -> Result<Option<Result<Emergency, E>>, RecordError> {
        let mut attempts = Attempts::new(&pk(id));
        loop {
            let Some((mut emergency, version)) = self.read(id).await? else {
                return Ok(None);
            };
            let was_open = emergency.is_open();
            if let Err(refused) = change(&mut emergency) {
                return Ok(Some(Err(refused)));
            }
            let mut writes = vec![Write::Put {
                item: item(&emergency, version + 1),
                condition: Condition::IfVersion(version),
            }];
            if was_open && !emergency.is_open() {
                writes.push(Write::Delete {
                    pk: OPEN_PK.into(),
                    sk: OPEN_SK.into(),
                    condition: Condition::Always,
                });
            }
            if attempts.written(self.table.as_ref(), writes).await? {
                return Ok(Some(Ok(emergency)));
            }
        }
    }

    /// The latest emergencies, newest first.
    pub async fn recent(&self, limit: usize) -> Result<Vec<Emergency>, RecordError> {
        let page = self
            .table
            .query(Query::gsi1(LIST).descending().limit(limit.max(1)))
            .await?;
        page.items.iter().map(decode).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use tayori_domain::emergency::{Cause, EmergencyError};
    use tayori_domain::hazard::Hazard;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + minutes * 60, 0).unwrap()
    }

    fn emergency(id: &str, minutes: i64) -> Emergency {
        let cause = Cause::Staff {
            by: "tanaka".into(),
        };
        Emergency::open(id, "大雨", &[Hazard::Flood], cause, at(minutes)).unwrap()
    }

    fn records() -> (Emergencies, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(tayori_ports::SystemClock);
        let table = tayori_adapters::embedded::SqliteTable::open(dir.path(), clock).unwrap();
        (Emergencies::new(Arc::new(table)), dir)
    }

    #[tokio::test]
    async fn one_emergency_is_open_at_a_time() {
        let (records, _dir) = records();
        assert_eq!(records.current().await.unwrap(), None);
        let first = emergency("e1", 0);
        assert_eq!(
            records.open(first.clone()).await.unwrap(),
            Opened::Opened(first.clone())
        );
        assert_eq!(
            records.open(emergency("e2", 1)).await.unwrap(),
            Opened::AlreadyOpen(first.clone())
        );
        assert_eq!(records.get("e2").await.unwrap(), None);
        assert_eq!(records.current().await.unwrap(), Some(first));
    }

    #[tokio::test]
    async fn closing_removes_it_from_now_and_keeps_it_in_the_history() {
        let (records, _dir) = records();
        records.open(emergency("e1", 0)).await.unwrap();
        let closed = records
            .update("e1", |e| e.close("sato", at(30)))
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(!closed.is_open());
        assert_eq!(records.current().await.unwrap(), None);
        let again = records
            .update("e1", |e| e.close("sato", at(31)))
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(again, Err(EmergencyError::AlreadyClosed(_))));
        assert_eq!(
            records
                .update("nope", |e| e.close("x", at(1)))
                .await
                .unwrap(),
            None
        );

        records.open(emergency("e2", 60)).await.unwrap();
        let ids: Vec<_> = records
            .recent(10)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id().to_owned())
            .collect();
        assert_eq!(ids, ["e2", "e1"]);
    }

    #[tokio::test]
    async fn widening_an_open_emergency_keeps_it_open() {
        let (records, _dir) = records();
        records.open(emergency("e1", 0)).await.unwrap();
        let widened = records
            .update("e1", |e| {
                e.widen(&[Hazard::Landslide]);
                Ok::<_, EmergencyError>(())
            })
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(widened.hazards(), &[Hazard::Flood, Hazard::Landslide]);
        assert_eq!(records.current().await.unwrap(), Some(widened));
    }
}
