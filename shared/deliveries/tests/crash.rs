//! Crash anywhere, lose nothing: the sender is killed at seeded random points, between any two
//! of its store or LINE calls, and resumed by a new process, and afterwards every friend the
//! delivery was for holds exactly one copy in the fake LINE's inboxes (nobody else any), the
//! delivery is `Sent` with `recipients == succeeded ==` the intended count and nothing failed,
//! and the usage report counts it once. On the embedded adapter (SQLite) and on DynamoDB
//! (moto), for a delivery to every friend and for a segment delivery.
//!
//! A point (drawn from its seed, see `support/points.rs`) kills one process, or the one that
//! resumes as well: at its k-th store call, before the call (the write never happens) or
//! after it (it happened, but the sender sees an error); or at a multicast that LINE answers
//! 500 or carries out and then loses the answer to, the process dying with it or its client
//! retrying. A dead process's store calls fail (the sender unwinds through its error paths)
//! or never return (it is dropped mid-flight, LINE requests included). The next process
//! starts after the dead one's lease ran out.
//!
//! Reproduce a failure: it prints each failing point's seed; run that point alone with
//! `TAYORI_CRASH_SEED=<seed> cargo nextest run -p tayori-deliveries --test crash <test>`.
//! The seed fixes the call number and the kind of failure; which call is the k-th can vary
//! between runs where the sender sends batches concurrently, so a failure names the call it
//! died at too. The long run (docs/testing.md):
//! `TAYORI_CRASH_POINTS=1000 TAYORI_CRASH_FRIENDS=20000 cargo nextest run -p tayori-deliveries
//! --test crash --run-ignored all crash_anywhere --no-capture`.
//!
//! The moto tests run under `scripts/test` (`TAYORI_TEST_AWS_ENDPOINT`, `TAYORI_REQUIRE_AWS=1`)
//! and skip with a message without moto.

use crate::support;

use std::sync::Arc;
use support::failing_table::Death;
use support::harness::{crash_anywhere, Harness};
use support::points::Point;
use support::scenario::Scenario;
use support::settings::Settings;
use support::store::Store;
use tayori_ports::{Condition, Item, Page, Query, StoreError, TableStore, Write};

/// Friends in CI on SQLite: four batches of 500 for everyone, three for the segment; every
/// friend index shard (16) read as its own page when planning.
const FRIENDS_EMBEDDED: usize = 2000;
const POINTS_EMBEDDED: usize = 100;
/// On moto, where a store call takes milliseconds, a transaction copies the whole table once
/// per item and a point takes seconds: two batches for everyone and for the segment, 50
/// points each, 100 in all. The long run makes up for the fewer friends.
const FRIENDS_MOTO: usize = 1000;
const POINTS_MOTO: usize = 50;

fn settings(points: usize, friends: usize) -> Settings {
    Settings::from_env(points, friends).expect("the crash settings are readable")
}

#[tokio::test]
async fn crash_anywhere_all_friends_embedded() {
    let store = Store::embedded().expect("an embedded store");
    crash_anywhere(
        store,
        Scenario::AllFriends,
        "crash_anywhere_all_friends_embedded",
        settings(POINTS_EMBEDDED, FRIENDS_EMBEDDED),
    )
    .await;
}

#[tokio::test]
async fn crash_anywhere_segment_embedded() {
    let store = Store::embedded().expect("an embedded store");
    crash_anywhere(
        store,
        Scenario::Segment,
        "crash_anywhere_segment_embedded",
        settings(POINTS_EMBEDDED, FRIENDS_EMBEDDED),
    )
    .await;
}

#[tokio::test]
async fn crash_anywhere_all_friends_moto() {
    let Some(sdk) = tayori_tests::moto().await else {
        return;
    };
    let store = Store::moto(&sdk).await.expect("a table on moto");
    crash_anywhere(
        store,
        Scenario::AllFriends,
        "crash_anywhere_all_friends_moto",
        settings(POINTS_MOTO, FRIENDS_MOTO),
    )
    .await;
}

#[tokio::test]
async fn crash_anywhere_segment_moto() {
    let Some(sdk) = tayori_tests::moto().await else {
        return;
    };
    let store = Store::moto(&sdk).await.expect("a table on moto");
    crash_anywhere(
        store,
        Scenario::Segment,
        "crash_anywhere_segment_moto",
        settings(POINTS_MOTO, FRIENDS_MOTO),
    )
    .await;
}

/// The nasty LINE case is exercised, not just survived: an answer lost after LINE delivered
/// a batch makes the resend (the client's, or the next process's) a 409, and nobody gets two.
#[tokio::test]
async fn a_multicast_whose_answer_was_lost_is_resent_and_answered_409() {
    use support::points::{Entry, Failure};
    use tayori_fake_line::MishapKind;

    let store = Store::embedded().unwrap();
    let harness = Harness::new(store, Scenario::AllFriends, 1200)
        .await
        .unwrap();
    for dies in [false, true] {
        let point = Point {
            seed: None,
            entry: Entry::Send,
            failures: vec![Failure::Line {
                nth: 2,
                mishap: MishapKind::AnswerLost,
                dies,
            }],
            death: Death::Errors,
        };
        let run = harness.run(Some(&point)).await.unwrap();
        assert!(run.violations.is_empty(), "{:?}", run.violations);
        assert!(run.already_accepted >= 1, "dies: {dies}: no 409 in {run:?}");
        assert_eq!(run.deaths.len(), usize::from(dies));
    }
}

/// A table that silently drops the puts `forgets` picks: answers Ok, writes nothing.
struct Forgetful {
    inner: Arc<dyn TableStore>,
    forgets: fn(&Item) -> bool,
}

#[async_trait::async_trait]
impl TableStore for Forgetful {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.inner.get(pk, sk).await
    }
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        if (self.forgets)(&item) {
            return Ok(());
        }
        self.inner.put(item, condition).await
    }
    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        self.inner.delete(pk, sk, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let kept = writes
            .into_iter()
            .filter(|w| !matches!(w, Write::Put { item, .. } if (self.forgets)(item)))
            .collect();
        self.inner.transact(kept).await
    }
}

fn forgetting(
    forgets: fn(&Item) -> bool,
) -> impl FnOnce(Arc<dyn TableStore>) -> Arc<dyn TableStore> {
    move |inner| Arc::new(Forgetful { inner, forgets })
}

/// A batch as planned, before it is sent: `tayori_records::deliveries` writes it pending.
fn is_planned_batch(item: &Item) -> bool {
    item.sk.starts_with("BATCH#") && item.body["state"]["state"] == "pending"
}

/// The checks are not vacuous: a store that drops the batches as they are planned is harmless
/// while nothing crashes (the sender sends what it planned from memory), but a sender resumed
/// after planning moved on finds those recipients in no batch, and the harness says who was
/// never sent to.
#[tokio::test]
async fn the_checks_catch_a_store_that_drops_planned_batches() {
    let store = Store::embedded().unwrap();
    let harness = Harness::new(store, Scenario::AllFriends, 1200)
        .await
        .unwrap()
        .through(forgetting(is_planned_batch));
    let (calibration, clean) = harness.calibrate().await.unwrap();
    assert!(clean.violations.is_empty(), "{:?}", clean.violations);
    let mut lost = false;
    for point in Point::sweep(calibration, Death::Errors) {
        let run = harness.run(Some(&point)).await.unwrap();
        if run
            .violations
            .iter()
            .any(|v| matches!(v, support::checks::Violation::NotSent { .. }))
        {
            lost = true;
            break;
        }
    }
    assert!(lost, "no crash point lost a recipient");
}

/// …and a store that drops the plan: harmless while nothing crashes, but a sender resumed
/// after some batches went out plans again under new retry keys, and the harness finds the
/// friends who got two copies.
#[tokio::test]
async fn the_checks_catch_a_store_that_drops_the_plan() {
    let store = Store::embedded().unwrap();
    let harness = Harness::new(store, Scenario::AllFriends, 1200)
        .await
        .unwrap()
        .through(forgetting(|item| item.sk == "PLAN"));
    let (calibration, clean) = harness.calibrate().await.unwrap();
    assert!(clean.violations.is_empty(), "{:?}", clean.violations);
    let mut doubled = false;
    for point in Point::sweep(calibration, Death::Errors) {
        let run = harness.run(Some(&point)).await.unwrap();
        if run
            .violations
            .iter()
            .any(|v| matches!(v, support::checks::Violation::Doubled { .. }))
        {
            doubled = true;
            break;
        }
    }
    assert!(doubled, "no crash point doubled a recipient");
}

/// Every failure of the first process in turn (each store call before and after, each
/// multicast with each mishap), whatever the random points drew. Dying between counting the
/// delivery in the usage report and closing it once lost the counts (the resumed sender found
/// it `Sent` and skipped it); the sender now counts first, under keys fixed by the delivery.
#[tokio::test]
async fn every_single_failure_loses_nothing_and_counts_once() {
    let store = Store::embedded().unwrap();
    let harness = Harness::new(store, Scenario::AllFriends, 1200)
        .await
        .unwrap();
    let (calibration, _) = harness.calibrate().await.unwrap();
    let mut points = Point::sweep(calibration, Death::Errors);
    points.extend(Point::sweep(calibration, Death::Hangs));
    let test = "every_single_failure_loses_nothing_and_counts_once";
    harness
        .run_all(&points, test)
        .await
        .assert_passed(points.len());
}
