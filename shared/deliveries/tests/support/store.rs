//! The store the crash points share: the embedded adapter (SQLite) or DynamoDB on moto, seeded
//! once with the friends, and the platform each new process builds over it.

use super::HarnessError;
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_adapters::aws::{create_table, DynamoTable};
use tayori_adapters::embedded::{
    FolderObjects, InProcessBus, LocalKeyFile, MemoryMailer, SqliteTable,
};
use tayori_domain::Friend;
use tayori_ports::table::MAX_TRANSACTION_WRITES;
use tayori_ports::{
    Clock, Condition, EventBus, FieldCipher, KeyService, ManualClock, ObjectStore, Platform, Query,
    TableStore, Write,
};
use tayori_records::Friends;

pub struct Store {
    /// The table itself; processes reach it only through a `FailingTable`.
    pub table: Arc<dyn TableStore>,
    backend: Backend,
    pub clock: Arc<ManualClock>,
    keys: Arc<dyn KeyService>,
    objects: Arc<dyn ObjectStore>,
    bus: Arc<dyn EventBus>,
    /// Holds the SQLite file, the master key and the objects folder.
    _dir: tempfile::TempDir,
}

enum Backend {
    Embedded,
    Moto {
        client: aws_sdk_dynamodb::Client,
        name: String,
    },
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
        Store::around(Arc::new(table), Backend::Embedded, clock, dir)
    }

    /// A fresh table on moto. Only the table is DynamoDB: the harness is about the table's
    /// semantics (conditions, transactions, TTL, paging), not KMS or S3.
    pub async fn moto(sdk: &aws_config::SdkConfig) -> Result<Store, HarnessError> {
        let client = aws_sdk_dynamodb::Client::new(sdk);
        let name = tayori_tests::unique_name("crash");
        create_table(&client, &name).await?;
        let clock = Arc::new(ManualClock::new(start()));
        let table = DynamoTable::new(client.clone(), name.clone(), clock.clone());
        let backend = Backend::Moto { client, name };
        Store::around(Arc::new(table), backend, clock, tempfile::tempdir()?)
    }

    /// Drops the table on moto: moto copies every table it holds for each transaction, so a
    /// table left behind slows every later test that shares the server.
    pub async fn remove(&self) {
        if let Backend::Moto { client, name } = &self.backend {
            if let Err(e) = client.delete_table().table_name(name).send().await {
                eprintln!("the table {name} stays on moto: {e}");
            }
        }
    }

    /// Deletes a checked delivery's items (its record, plan, batches, lease), so the table
    /// stays the size of its friends however many points run: moto copies the whole table for
    /// every item of every transaction, and 500 user ids a batch add up. Knows the layout of
    /// `tayori_records::deliveries` (one partition per delivery).
    pub async fn forget_delivery(&self, id: &str) -> Result<(), HarnessError> {
        let pk = format!("DELIVERY#{id}");
        let page = self.table.query(Query::partition(&pk).limit(1000)).await?;
        for item in page.items {
            self.table.delete(&pk, &item.sk, Condition::Always).await?;
        }
        Ok(())
    }

    fn around(
        table: Arc<dyn TableStore>,
        backend: Backend,
        clock: Arc<ManualClock>,
        dir: tempfile::TempDir,
    ) -> Result<Store, HarnessError> {
        let keys = LocalKeyFile::open_or_create(&dir.path().join("keys/master.key"))?;
        let objects = FolderObjects::open(dir.path().join("objects"))?;
        Ok(Store {
            table,
            backend,
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
            mailer: Arc::new(MemoryMailer::new()),
        }
    }

    /// Writes `n` friends in the real layout, sealed as `Friends` seals them but written in
    /// bulk: `Friends::update` reads and fsyncs one friend at a time.
    pub async fn seed(&self, n: usize) -> Result<Population, HarnessError> {
        let platform = self.platform(self.table.clone());
        let friends = Friends::new(&platform);
        let at = self.clock.now();
        let population = Population::of(n);
        let mut items = Vec::with_capacity(n);
        for seeded in &population.friends {
            let mut friend = Friend::first_seen(&seeded.user_id, at);
            friend.followed(at);
            if !seeded.following {
                friend.blocked(at);
            }
            friend.attributes = seeded.attributes.clone();
            items.push(friends.item(&friend, 1).await?);
        }
        match self.backend {
            // SQLite: one fsync per 100 friends.
            Backend::Embedded => {
                for chunk in items.chunks(MAX_TRANSACTION_WRITES) {
                    let writes = chunk
                        .iter()
                        .map(|item| Write::Put {
                            item: item.clone(),
                            condition: Condition::IfAbsent,
                        })
                        .collect();
                    self.table.transact(writes).await?;
                }
            }
            // Moto: single puts, several at once; its transactions copy the whole table.
            Backend::Moto { .. } => {
                stream::iter(items)
                    .map(|item| self.table.put(item, Condition::IfAbsent))
                    .buffer_unordered(16)
                    .try_collect::<()>()
                    .await?;
            }
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
