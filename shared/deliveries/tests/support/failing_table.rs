//! A table store that kills its process: every call is counted, and at the chosen one it fails,
//! before doing the call (the write never happens) or after it (the write happened, but the
//! sender never learns it did). From then on the process is dead: every call fails or hangs,
//! until the harness starts a new process, a fresh `FailingTable` over the same inner table.

use async_trait::async_trait;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tayori_ports::{Condition, Item, Page, Query, StoreError, TableStore, Write};
use tokio::sync::Notify;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// The call is not made: the process died just before it.
    Before,
    /// The call is made, and the process dies before it sees the answer.
    After,
}

/// How a dead process's calls end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Death {
    /// They fail at once: the sender sees errors and unwinds through its own error paths.
    Errors,
    /// They never return: the harness drops the sender mid-flight, as `kill -9` would, with
    /// whatever else it had in flight (LINE requests included).
    Hangs,
}

/// Something else than a call number that kills the process: checked before every call, so
/// the process dies at its next store call once it holds (LINE lost an answer, say).
pub type Tripwire = Arc<dyn Fn() -> bool + Send + Sync>;

#[derive(Clone)]
pub enum Trigger {
    Never,
    Call { number: usize, when: When },
    Tripwire(Tripwire),
}

pub struct FailingTable {
    inner: Arc<dyn TableStore>,
    trigger: Trigger,
    death: Death,
    calls: AtomicUsize,
    dead: AtomicBool,
    died: Notify,
    fatal: Mutex<Option<String>>,
}

impl FailingTable {
    pub fn new(inner: Arc<dyn TableStore>, trigger: Trigger, death: Death) -> Arc<FailingTable> {
        Arc::new(FailingTable {
            inner,
            trigger,
            death,
            calls: AtomicUsize::new(0),
            dead: AtomicBool::new(false),
            died: Notify::new(),
            fatal: Mutex::new(None),
        })
    }

    /// Calls made while the process was alive (the fatal one included).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::SeqCst)
    }

    /// The call the process died at: its number and what it was.
    pub fn fatal_call(&self) -> Option<String> {
        self.fatal.lock().expect("fatal lock").clone()
    }

    /// Resolves once the process is dead.
    pub async fn died(&self) {
        loop {
            // Created before the check: `notify_waiters` reaches a `Notified` from its creation.
            let notified = self.died.notified();
            if self.is_dead() {
                return;
            }
            notified.await;
        }
    }

    fn die(&self, number: usize, when: When, what: String) {
        *self.fatal.lock().expect("fatal lock") = Some(format!("call {number} ({when:?}): {what}"));
        self.dead.store(true, Ordering::SeqCst);
        self.died.notify_waiters();
    }

    async fn dead_end<T>(&self) -> Result<T, StoreError> {
        match self.death {
            Death::Errors => Err(StoreError::Unavailable(
                "the process is dead (crash harness)".into(),
            )),
            Death::Hangs => std::future::pending().await,
        }
    }

    /// One call to the inner table, `call` not yet started.
    async fn call<T>(
        &self,
        what: impl FnOnce() -> String,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        if self.is_dead() {
            return self.dead_end().await;
        }
        let number = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let fatal = match &self.trigger {
            Trigger::Never => None,
            Trigger::Call { number: n, when } => (*n == number).then_some(*when),
            Trigger::Tripwire(tripped) => tripped().then_some(When::Before),
        };
        if fatal == Some(When::Before) {
            self.die(number, When::Before, what());
            return self.dead_end().await;
        }
        let description = fatal.map(|_| what());
        let answer = call.await;
        if let Some(what) = description {
            self.die(number, When::After, what);
        }
        // Also when another call killed the process while this one was under way: the call
        // took effect, but its answer reaches nobody.
        if self.is_dead() {
            return self.dead_end().await;
        }
        answer
    }
}

fn describe_write(write: &Write) -> String {
    match write {
        Write::Put { item, .. } => format!("put {}/{}", item.pk, item.sk),
        Write::Delete { pk, sk, .. } => format!("delete {pk}/{sk}"),
    }
}

#[async_trait]
impl TableStore for FailingTable {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.call(|| format!("get {pk}/{sk}"), self.inner.get(pk, sk))
            .await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        let what = format!("put {}/{} if {condition:?}", item.pk, item.sk);
        self.call(|| what, self.inner.put(item, condition)).await
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        let what = || format!("delete {pk}/{sk} if {condition:?}");
        self.call(what, self.inner.delete(pk, sk, condition.clone()))
            .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let what = format!("query {:?} {}", query.index, query.pk);
        self.call(|| what, self.inner.query(query)).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let what = format!(
            "transact [{}]",
            writes
                .iter()
                .map(describe_write)
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.call(|| what, self.inner.transact(writes)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_ports::SystemClock;

    fn inner() -> (Arc<dyn TableStore>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let table = SqliteTable::open(dir.path(), Arc::new(SystemClock)).unwrap();
        (Arc::new(table), dir)
    }

    fn item(sk: &str) -> Item {
        Item::new("P", sk, json!({}))
    }

    #[tokio::test]
    async fn dying_before_a_call_leaves_it_undone_and_after_it_done_but_unanswered() {
        for (when, written) in [(When::Before, false), (When::After, true)] {
            let (inner, _dir) = inner();
            let trigger = Trigger::Call { number: 2, when };
            let table = FailingTable::new(inner.clone(), trigger, Death::Errors);
            table.put(item("1"), Condition::Always).await.unwrap();
            assert!(table.put(item("2"), Condition::Always).await.is_err());
            assert!(table.is_dead());
            assert_eq!(inner.get("P", "2").await.unwrap().is_some(), written);
            assert!(table.get("P", "1").await.is_err(), "dead from then on");
            assert_eq!(table.calls(), 2);
            assert!(table.fatal_call().unwrap().contains("put P/2"));
        }
    }

    #[tokio::test]
    async fn a_hanging_death_never_answers_and_says_it_died() {
        let (inner, _dir) = inner();
        let trigger = Trigger::Call {
            number: 1,
            when: When::After,
        };
        let table = FailingTable::new(inner.clone(), trigger, Death::Hangs);
        let call = table.put(item("1"), Condition::Always);
        tokio::select! {
            _ = call => panic!("a dead process's call answered"),
            () = table.died() => {}
        }
        assert!(inner.get("P", "1").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_tripwire_kills_the_process_at_its_next_call() {
        let (inner, _dir) = inner();
        let tripped = Arc::new(AtomicBool::new(false));
        let wire = tripped.clone();
        let trigger = Trigger::Tripwire(Arc::new(move || wire.load(Ordering::SeqCst)));
        let table = FailingTable::new(inner, trigger, Death::Errors);
        table.put(item("1"), Condition::Always).await.unwrap();
        tripped.store(true, Ordering::SeqCst);
        assert!(table.put(item("2"), Condition::Always).await.is_err());
        assert!(table.is_dead());
    }
}
