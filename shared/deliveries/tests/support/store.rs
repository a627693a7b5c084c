//! The store the crash points share: the embedded adapter (SQLite) or DynamoDB on moto, seeded
//! once with the friends, and the platform each new process builds over it.

use super::HarnessError;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_adapters::aws::{create_table, DynamoTable};
use tayori_adapters::embedded::{FolderObjects, InProcessBus, LocalKeyFile, SqliteTable};
use tayori_domain::Friend;
use tayori_ports::table::MAX_TRANSACTION_WRITES;
use tayori_ports::{
    Clock, Condition, EventBus, FieldCipher, KeyService, ManualClock, ObjectStore, Platform, TableStore,
    Write,
};
use tayori_records::Friends;

pub struct Store {
    /// The table itself; processes reach it only through a `FailingTable`.
    pub table: Arc<dyn TableStore>,
    pub clock: Arc<ManualClock>,
    keys: Arc<dyn KeyService>,
    objects: Arc<dyn ObjectStore>,
    bus: Arc<dyn EventBus>,
    /// Holds the SQLite file, the master key and the objects folder.
    _dir: tempfile::TempDir,
}

pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
        .expect("a fixed time")
        .with_timezone(&Utc)
}

impl Store {
    pub fn embedded() -> Result<Store, HarnessError> {
        let dir = tempfile::tempdir()?;
        let clock = Arc::new(ManualClock::new(start()));
        let table = SqliteTable::open(dir.path(), clock.clone())?;
        Store::around(Arc::new(table), clock, dir)
    }

    /// A fresh table on moto. Only the table is DynamoDB: the harness is about the table's
    /// semantics (conditions, transactions, TTL, paging), not KMS or S3.
    pub async fn moto(sdk: &aws_config::SdkConfig) -> Result<Store, HarnessError> {
        let client = aws_sdk_dynamodb::Client::new(sdk);
        let name = tayori_tests::unique_name("crash");
        create_table(&client, &name).await?;
        let clock = Arc::new(ManualClock::new(start()));
        let table = DynamoTable::new(client, name, clock.clone());
        Store::around(Arc::new(table), clock, tempfile::tempdir()?)
    }

    fn around(
        table: Arc<dyn TableStore>,
        clock: Arc<ManualClock>,
        dir: tempfile::TempDir,
    ) -> Result<Store, HarnessError> {
        let keys = LocalKeyFile::open_or_create(&dir.path().join("keys/master.key"))?;
        let objects = FolderObjects::open(dir.path().join("objects"))?;
        Ok(Store {
            table,
            clock,
            keys: Arc::new(keys),
            objects: Arc::new(objects),
            bus: Arc::new(InProcessBus::new()),
            _dir: dir,
        })
    }

    /// The platform a process starting now builds: its own field cipher (a new process has no
    /// keys cached) and the table through `table`.
    pub fn platform(&self, table: Arc<dyn TableStore>) -> Platform {
        Platform {
            table,
            objects: self.objects.clone(),
            bus: self.bus.clone(),
            cipher: Arc::new(FieldCipher::new(self.keys.clone(), self.clock.clone())),
            clock: self.clock.clone(),
        }
    }

    /// Writes `n` friends in the real layout, 100 to a transaction (one at a time through
    /// `Friends::update` would cost each CI run seconds on moto).
    pub async fn seed(&self, n: usize) -> Result<Population, HarnessError> {
        let platform = self.platform(self.table.clone());
        let friends = Friends::new(&platform);
        let at = self.clock.now();
        let population = Population::of(n);
        for chunk in population.friends.chunks(MAX_TRANSACTION_WRITES) {
            let mut writes = Vec::with_capacity(chunk.len());
            for seeded in chunk {
                let mut friend = Friend::first_seen(&seeded.user_id, at);
                friend.followed(at);
                if !seeded.following {
                    friend.blocked(at);
                }
                friend.attributes = seeded.attributes.clone();
                writes.push(Write::Put {
                    item: friends.item(&friend, 1).await?,
                    condition: Condition::IfAbsent,
                });
            }
            self.table.transact(writes).await?;
        }
        Ok(population)
    }
}

pub struct SeededFriend {
    pub user_id: String,
    pub following: bool,
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// The friends, as the harness wrote them: the oracle the checks compare LINE's inboxes with,
/// worked out here and not by the code under test.
pub struct Population {
    pub friends: Vec<SeededFriend>,
}

pub const AGE_GROUPS: [&str; 3] = ["20代", "30代", "40代"];

impl Population {
    /// Friend i: blocked the account when i % 50 == 7; never registered when i % 40 == 3;
    /// else in `AGE_GROUPS[i % 3]`, living in 今富 when i % 10 == 0 and else in 雲浜 or 西津.
    pub fn of(n: usize) -> Population {
        let friends = (0..n)
            .map(|i| {
                let mut attributes = BTreeMap::new();
                if i % 40 != 3 {
                    let district = match i % 10 {
                        0 => "今富",
                        d if d % 2 == 0 => "雲浜",
                        _ => "西津",
                    };
                    attributes.insert("age_group".to_string(), vec![AGE_GROUPS[i % 3].into()]);
                    attributes.insert("district".to_string(), vec![district.into()]);
                }
                SeededFriend {
                    user_id: format!("U{i:032x}"),
                    following: i % 50 != 7,
                    attributes,
                }
            })
            .collect();
        Population { friends }
    }
}
