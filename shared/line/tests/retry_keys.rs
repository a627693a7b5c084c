//! Retry keys persisted before the send: a crash and a restart reuse the key, and LINE
//! answers the repeat with 409 instead of delivering twice.

use crate::common;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use common::{Line, USER};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tayori_line::message::Message;
use tayori_line::retry_key::RETRY_KEY_LIFETIME_SECONDS;
use tayori_line::{RetryKeys, SendOutcome};
use tayori_ports::table::condition_holds;
use tayori_ports::{
    Clock, Condition, Item, ManualClock, Page, Query, StoreError, TableStore, Write,
};

/// A table in memory, honouring conditions and expiry; enough of the contract for retry keys.
struct MemoryTable {
    items: Mutex<HashMap<(String, String), Item>>,
    clock: Arc<dyn Clock>,
}

impl MemoryTable {
    fn new(clock: Arc<dyn Clock>) -> MemoryTable {
        MemoryTable {
            items: Mutex::new(HashMap::new()),
            clock,
        }
    }

    fn live(&self, pk: &str, sk: &str) -> Option<Item> {
        let now = self.clock.now().timestamp();
        self.items
            .lock()
            .unwrap()
            .get(&(pk.to_string(), sk.to_string()))
            .filter(|item| !item.is_expired(now))
            .cloned()
    }
}

#[async_trait]
impl TableStore for MemoryTable {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        Ok(self.live(pk, sk))
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        item.validate()?;
        if !condition_holds(&condition, self.live(&item.pk, &item.sk).as_ref()) {
            return Err(StoreError::ConditionFailed);
        }
        self.items
            .lock()
            .unwrap()
            .insert((item.pk.clone(), item.sk.clone()), item);
        Ok(())
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        if !condition_holds(&condition, self.live(pk, sk).as_ref()) {
            return Err(StoreError::ConditionFailed);
        }
        self.items
            .lock()
            .unwrap()
            .remove(&(pk.to_string(), sk.to_string()));
        Ok(())
    }

    async fn query(&self, _query: Query) -> Result<Page, StoreError> {
        Err(StoreError::Invalid("retry keys never query".into()))
    }

    async fn transact(&self, _writes: Vec<Write>) -> Result<(), StoreError> {
        Err(StoreError::Invalid(
            "retry keys never use transactions".into(),
        ))
    }
}

/// Another process wins the race: the first read sees nothing, but by the time of the put
/// the other process's key is stored.
struct RacingTable {
    inner: MemoryTable,
    winner: Item,
    reads: AtomicUsize,
}

#[async_trait]
impl TableStore for RacingTable {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        if self.reads.fetch_add(1, Ordering::SeqCst) == 0 {
            self.inner
                .put(self.winner.clone(), Condition::Always)
                .await?;
            return Ok(None);
        }
        self.inner.get(pk, sk).await
    }
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.inner.put(item, condition).await
    }
    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        self.inner.delete(pk, sk, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.inner.transact(writes).await
    }
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T21:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn table_and_clock() -> (Arc<MemoryTable>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start()));
    (Arc::new(MemoryTable::new(clock.clone())), clock)
}

#[tokio::test]
async fn the_same_operation_gets_the_same_key_after_a_restart() {
    let (table, clock) = table_and_clock();
    let before_crash = RetryKeys::new(table.clone(), clock.clone())
        .key_for("broadcast/42/batch/3")
        .await
        .unwrap();
    // The process dies; a new one starts over the same table.
    let after_restart = RetryKeys::new(table.clone(), clock.clone());
    assert_eq!(
        after_restart.key_for("broadcast/42/batch/3").await.unwrap(),
        before_crash
    );
    assert_ne!(
        after_restart.key_for("broadcast/42/batch/4").await.unwrap(),
        before_crash
    );
}

#[tokio::test]
async fn the_key_is_stored_before_it_is_returned_and_expires_after_24_hours() {
    let (table, clock) = table_and_clock();
    let key = RetryKeys::new(table.clone(), clock.clone())
        .key_for("push/report-7/status")
        .await
        .unwrap();
    let item = table
        .get("RETRYKEY#push/report-7/status", "KEY")
        .await
        .unwrap()
        .expect("stored under RETRYKEY#<operation> / KEY");
    assert_eq!(item.body["key"], key.to_string());
    assert_eq!(
        item.expires_at,
        Some(start().timestamp() + RETRY_KEY_LIFETIME_SECONDS)
    );
    assert_eq!(RETRY_KEY_LIFETIME_SECONDS, 24 * 60 * 60);
}

#[tokio::test]
async fn after_24_hours_the_operation_gets_a_new_key() {
    let (table, clock) = table_and_clock();
    let keys = RetryKeys::new(table.clone(), clock.clone());
    let first = keys.key_for("broadcast/1").await.unwrap();
    clock.advance(Duration::hours(23));
    assert_eq!(keys.key_for("broadcast/1").await.unwrap(), first);
    clock.advance(Duration::hours(1));
    assert_ne!(keys.key_for("broadcast/1").await.unwrap(), first);
}

#[tokio::test]
async fn a_process_that_loses_the_race_uses_the_winners_key() {
    let clock = Arc::new(ManualClock::new(start()));
    let winner_key = "0d3b2c4e-8d1f-4c5a-9b7e-2f6a1c3d5e7f";
    let table = Arc::new(RacingTable {
        inner: MemoryTable::new(clock.clone()),
        winner: Item::new(
            "RETRYKEY#broadcast/9",
            "KEY",
            serde_json::json!({"key": winner_key}),
        ),
        reads: AtomicUsize::new(0),
    });
    let key = RetryKeys::new(table, clock)
        .key_for("broadcast/9")
        .await
        .unwrap();
    assert_eq!(key.to_string(), winner_key);
}

#[tokio::test]
async fn a_stored_item_without_a_key_is_an_error_not_a_new_key() {
    let (table, clock) = table_and_clock();
    table
        .put(
            Item::new(
                "RETRYKEY#broken",
                "KEY",
                serde_json::json!({"key": "nonsense"}),
            ),
            Condition::Always,
        )
        .await
        .unwrap();
    let result = RetryKeys::new(table, clock).key_for("broken").await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
}

#[tokio::test]
async fn a_send_repeated_after_a_crash_is_not_delivered_twice() {
    let line = Line::start().await;
    let (table, clock) = table_and_clock();
    let operation = "broadcast/2026-12-02-garbage/batch/0";
    let messages = || vec![Message::text("明日は燃えるごみの日です")];

    let first = {
        let keys = RetryKeys::new(table.clone(), clock.clone());
        let client = line.client();
        let key = keys.key_for(operation).await.unwrap();
        client.push(USER, messages(), key).await.unwrap()
        // The process crashes here, before it records that the batch went out.
    };
    assert!(matches!(first, SendOutcome::Accepted { .. }));

    let keys = RetryKeys::new(table.clone(), clock.clone());
    let client = line.client();
    let key = keys.key_for(operation).await.unwrap();
    let second = client.push(USER, messages(), key).await.unwrap();
    assert_eq!(
        second,
        SendOutcome::AlreadyAccepted {
            accepted_request_id: first.request_id().map(str::to_string)
        }
    );
    assert_eq!(line.fake.sent_messages_to(USER).len(), 1, "delivered once");
    let pushes = line.requests_to("/v2/bot/message/push");
    assert_eq!(pushes.len(), 2);
    assert_eq!(
        common::retry_key_of(&pushes[0]),
        common::retry_key_of(&pushes[1])
    );
    line.assert_no_schema_errors();
}

/// A bus handler answering a citizen ([`tayori_line::LineClient::reply_or_push`]): the reply
/// when the token works, one push when LINE refuses it, and no push when the refusal only
/// repeats a reply LINE delivered but whose answer was lost.
mod reply_or_push {
    use super::*;
    use tayori_fake_line::{Mishap, MishapKind};
    use tayori_line::client::Answered;

    async fn answer(line: &Line, keys: &RetryKeys, token: &str) -> Answered {
        line.client()
            .reply_or_push(
                keys,
                "shelters/01EVENT",
                USER,
                token,
                vec![Message::text("近くの避難所です")],
            )
            .await
            .unwrap()
    }

    fn keys() -> RetryKeys {
        let (table, clock) = table_and_clock();
        RetryKeys::new(table, clock)
    }

    #[tokio::test]
    async fn a_working_token_is_replied_and_nothing_is_pushed() {
        let line = Line::start().await;
        assert_eq!(answer(&line, &keys(), "token-1").await, Answered::Replied);
        assert_eq!(line.fake.replies_for("token-1").len(), 1);
        assert!(line.requests_to("/v2/bot/message/push").is_empty());
    }

    #[tokio::test]
    async fn a_token_refused_on_its_first_use_is_pushed_once_under_the_events_key() {
        let line = Line::start().await;
        let keys = keys();
        line.client()
            .reply("token-1", vec![Message::text("先の返信")])
            .await
            .unwrap();
        let pushed = answer(&line, &keys, "token-1").await;
        assert!(
            matches!(pushed, Answered::Pushed(SendOutcome::Accepted { .. })),
            "{pushed:?}"
        );
        // The bus retries the handler: the same key, and LINE takes it as the repeat it is.
        let again = answer(&line, &keys, "token-1").await;
        assert!(
            matches!(again, Answered::Pushed(SendOutcome::AlreadyAccepted { .. })),
            "{again:?}"
        );
        assert_eq!(line.fake.sent_messages_to(USER).len(), 1);
    }

    #[tokio::test]
    async fn a_reply_whose_answer_was_lost_is_not_pushed_again() {
        let line = Line::start().await;
        // LINE delivers the reply, then the connection drops before its answer: the client
        // tries again and LINE refuses the token, now used.
        line.fake.schedule(Mishap {
            path: "/v2/bot/message/reply".into(),
            nth: 1,
            kind: MishapKind::AnswerLost,
        });
        assert_eq!(
            answer(&line, &keys(), "token-1").await,
            Answered::RepliedByLostAttempt
        );
        let replies = line.requests_to("/v2/bot/message/reply");
        assert_eq!(replies.len(), 2, "the lost attempt and its refused repeat");
        assert_eq!(replies[1].status, 400);
        assert_eq!(line.fake.replies_for("token-1").len(), 1, "answered once");
        assert!(line.requests_to("/v2/bot/message/push").is_empty());
    }
}
