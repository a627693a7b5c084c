//! `TableStore` on SQLite: one row per item in a WAL-journalled database with synchronous=FULL,
//! so an acknowledged write survives a crash or power cut of the machine running the local
//! system. Calls run on tokio's blocking pool over one connection behind a mutex; SQLite
//! serialises writers anyway, and the mutex keeps each transaction's read-check-write atomic.

use super::cursor::Position;
use super::{EmbeddedError, TABLE_FILE};
use crate::range::validate_range;
use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tayori_ports::table::{condition_holds, validate_query, validate_transaction};
use tayori_ports::{
    Clock, Condition, Index, IndexKey, Item, KeyRange, Page, Query, StoreError, TableStore, Write,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    gsi1pk TEXT,
    gsi1sk TEXT,
    expires_at INTEGER,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk);
CREATE INDEX IF NOT EXISTS items_expiry ON items (expires_at) WHERE expires_at IS NOT NULL;
";

const COLUMNS: &str = "pk, sk, gsi1pk, gsi1sk, expires_at, version, body";
/// Expired rows are invisible at once; they are physically removed at open and every this many
/// writes, which keeps the file from growing with dead de-duplication and session items.
const PURGE_EVERY_WRITES: u64 = 500;
/// Another process (a second local run on the same folder) may hold the write lock briefly.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteTable {
    conn: Arc<Mutex<Connection>>,
    clock: Arc<dyn Clock>,
    writes: AtomicU64,
}

impl SqliteTable {
    /// Opens (or creates) `tayori.sqlite3` in `dir`, creating the folder if needed.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> Result<Self, EmbeddedError> {
        std::fs::create_dir_all(dir).map_err(|source| EmbeddedError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(TABLE_FILE);
        let database = |source| EmbeddedError::Database {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(database)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(database)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(database)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(database(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode stayed {mode}"
            ))));
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(database)?;
        conn.execute_batch(SCHEMA).map_err(database)?;
        purge_expired(&conn, clock.now().timestamp()).map_err(database)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            clock,
            writes: AtomicU64::new(0),
        })
    }

    /// Runs `f` on the connection on the blocking pool.
    async fn with_conn<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic inside a transaction rolls it back when the transaction is dropped, so the
            // connection is still consistent after a poisoned lock.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("table task failed: {e}")))?
    }

    async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let now = self.clock.now().timestamp();
        let purge = self.writes.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY_WRITES
            == PURGE_EVERY_WRITES - 1;
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            // Keys are unique within a batch (validated), so checking each condition just before
            // its write sees the same state as checking them all first.
            for write in &writes {
                apply(&tx, write, now)?;
            }
            tx.commit().map_err(unavailable)?;
            if purge {
                if let Err(e) = purge_expired(conn, now) {
                    tracing::warn!(error = %e, "expired items were not purged");
                }
            }
            Ok(())
        })
        .await
    }
}

#[async_trait]
impl TableStore for SqliteTable {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        validate_key(pk, sk)?;
        let (pk, sk) = (pk.to_owned(), sk.to_owned());
        let now = self.clock.now().timestamp();
        self.with_conn(move |conn| live_item(conn, &pk, &sk, now))
            .await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        item.validate()?;
        self.write(vec![Write::Put { item, condition }]).await
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        validate_key(pk, sk)?;
        self.write(vec![Write::Delete {
            pk: pk.to_owned(),
            sk: sk.to_owned(),
            condition,
        }])
        .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        validate_query(&query)?;
        validate_range(&query.range)?;
        let after = query
            .cursor
            .as_ref()
            .map(|c| Position::decode(c, query.index))
            .transpose()?;
        let now = self.clock.now().timestamp();
        self.with_conn(move |conn| query_page(conn, &query, after, now))
            .await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_transaction(&writes)?;
        for write in &writes {
            if let Write::Delete { pk, sk, .. } = write {
                validate_key(pk, sk)?;
            }
        }
        self.write(writes).await
    }
}

fn validate_key(pk: &str, sk: &str) -> Result<(), StoreError> {
    if pk.is_empty() || sk.is_empty() {
        return Err(StoreError::Invalid("pk and sk must not be empty".into()));
    }
    Ok(())
}

fn unavailable(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn purge_expired(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM items WHERE expires_at <= ?1", params![now])
}

fn live_item(conn: &Connection, pk: &str, sk: &str, now: i64) -> Result<Option<Item>, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM items
             WHERE pk = ?1 AND sk = ?2 AND (expires_at IS NULL OR expires_at > ?3)"
        ),
        params![pk, sk, now],
        read_item,
    )
    .optional()
    .map_err(unavailable)
}

fn apply(conn: &Connection, write: &Write, now: i64) -> Result<(), StoreError> {
    let (pk, sk, condition) = match write {
        Write::Put { item, condition } => (&item.pk, &item.sk, condition),
        Write::Delete { pk, sk, condition } => (pk, sk, condition),
    };
    if *condition != Condition::Always {
        let current = live_item(conn, pk, sk, now)?;
        if !condition_holds(condition, current.as_ref()) {
            return Err(StoreError::ConditionFailed);
        }
    }
    match write {
        Write::Put { item, .. } => {
            let version = i64::try_from(item.version)
                .map_err(|_| StoreError::Invalid("version is too large".into()))?;
            conn.execute(
                &format!(
                    "INSERT OR REPLACE INTO items ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                ),
                params![
                    item.pk,
                    item.sk,
                    item.gsi1.as_ref().map(|g| &g.pk),
                    item.gsi1.as_ref().map(|g| &g.sk),
                    item.expires_at,
                    version,
                    item.body.to_string(),
                ],
            )
            .map_err(unavailable)?;
        }
        Write::Delete { pk, sk, .. } => {
            conn.execute(
                "DELETE FROM items WHERE pk = ?1 AND sk = ?2",
                params![pk, sk],
            )
            .map_err(unavailable)?;
        }
    }
    Ok(())
}

fn read_item(row: &Row<'_>) -> rusqlite::Result<Item> {
    let gsi1pk: Option<String> = row.get(2)?;
    let gsi1sk: Option<String> = row.get(3)?;
    let version: i64 = row.get(5)?;
    let body: String = row.get(6)?;
    let body = serde_json::from_str(&body).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Item {
        pk: row.get(0)?,
        sk: row.get(1)?,
        gsi1: gsi1pk.zip(gsi1sk).map(|(pk, sk)| IndexKey { pk, sk }),
        expires_at: row.get(4)?,
        version: u64::try_from(version).unwrap_or_default(),
        body,
    })
}

/// One page of a query. Fetches one row more than the limit to know whether another page
/// exists, so a cursor is only handed out when there is more to read.
fn query_page(
    conn: &Connection,
    query: &Query,
    after: Option<Position>,
    now: i64,
) -> Result<Page, StoreError> {
    let (pk_col, sk_col) = match query.index {
        Index::Primary => ("pk", "sk"),
        Index::Gsi1 => ("gsi1pk", "gsi1sk"),
    };
    let mut values: Vec<Value> = vec![Value::Text(query.pk.clone()), Value::Integer(now)];
    let mut sql = format!(
        "SELECT {COLUMNS} FROM items WHERE {pk_col} = ?1 AND (expires_at IS NULL OR expires_at > ?2)"
    );
    match &query.range {
        KeyRange::All => {}
        KeyRange::BeginsWith(prefix) => {
            let p = bind(prefix.clone(), &mut values);
            // The first comparison lets SQLite use the index; the second is the exact test.
            sql += &format!(" AND {sk_col} >= ?{p} AND substr({sk_col}, 1, length(?{p})) = ?{p}");
        }
        KeyRange::Between(low, high) => {
            let l = bind(low.clone(), &mut values);
            let h = bind(high.clone(), &mut values);
            sql += &format!(" AND {sk_col} BETWEEN ?{l} AND ?{h}");
        }
    }
    let (cmp, order) = if query.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    match after {
        None => {}
        Some(Position::Primary { sk }) => {
            let s = bind(sk, &mut values);
            sql += &format!(" AND sk {cmp} ?{s}");
        }
        Some(Position::Gsi1 { gsi1sk, pk, sk }) => {
            let g = bind(gsi1sk, &mut values);
            let p = bind(pk, &mut values);
            let s = bind(sk, &mut values);
            sql += &format!(" AND (gsi1sk, pk, sk) {cmp} (?{g}, ?{p}, ?{s})");
        }
    }
    sql += &match query.index {
        Index::Primary => format!(" ORDER BY sk {order}"),
        // Several items may share a gsi1 sort key: the table key makes the order total, so
        // pages neither repeat nor skip them.
        Index::Gsi1 => format!(" ORDER BY gsi1sk {order}, pk {order}, sk {order}"),
    };
    values.push(Value::Integer(query.limit as i64 + 1));
    sql += &format!(" LIMIT ?{}", values.len());

    let mut statement = conn.prepare(&sql).map_err(unavailable)?;
    let mut items = statement
        .query_map(rusqlite::params_from_iter(values), read_item)
        .map_err(unavailable)?
        .collect::<rusqlite::Result<Vec<Item>>>()
        .map_err(unavailable)?;
    let cursor = if items.len() > query.limit {
        items.truncate(query.limit);
        items
            .last()
            .map(|last| position_of(last, query.index).encode())
    } else {
        None
    };
    Ok(Page { items, cursor })
}

/// Adds a text parameter and returns its number for `?N`.
fn bind(value: String, values: &mut Vec<Value>) -> usize {
    values.push(Value::Text(value));
    values.len()
}

fn position_of(item: &Item, index: Index) -> Position {
    match index {
        Index::Primary => Position::Primary {
            sk: item.sk.clone(),
        },
        Index::Gsi1 => Position::Gsi1 {
            gsi1sk: item.gsi1.as_ref().map(|g| g.sk.clone()).unwrap_or_default(),
            pk: item.pk.clone(),
            sk: item.sk.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tayori_ports::SystemClock;

    #[tokio::test]
    async fn an_acknowledged_write_survives_closing_and_reopening_the_store() {
        let dir = tempfile::tempdir().unwrap();
        {
            let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
            let item = Item::new("friend#U1", "profile", json!({"name": "小浜 太郎"}))
                .with_gsi1("friends", "2026-11-25")
                .with_version(3);
            table.put(item, Condition::IfAbsent).await.unwrap();
        }
        let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
        let item = table.get("friend#U1", "profile").await.unwrap().unwrap();
        assert_eq!(item.body, json!({"name": "小浜 太郎"}));
        assert_eq!(item.version, 3);
        assert_eq!(item.gsi1.unwrap().sk, "2026-11-25");
    }

    #[tokio::test]
    async fn the_database_is_write_ahead_logged_and_fully_synchronous() {
        let dir = tempfile::tempdir().unwrap();
        let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
        let conn = table.conn.lock().unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "2 is FULL");
    }

    #[tokio::test]
    async fn expired_items_are_removed_from_the_file_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let past = chrono::Utc::now().timestamp() - 10;
        {
            let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
            let item = Item::new("dedup#1", "event", json!({})).expiring_at(past);
            table.put(item, Condition::Always).await.unwrap();
        }
        let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
        let rows: i64 = table
            .conn
            .lock()
            .unwrap()
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }
}
