//! Every citizen action the webhook sees is counted in the usage report once, with the
//! citizen's registered attributes of that moment: follows, blocks, menu taps, garbage
//! questions in words and by button, FAQ answers and misses, shelter lookups and registrations.
//! Once means once however often LINE delivers the event, and also when a first handling
//! failed after counting and LINE's redelivery handles it again.

use crate::support::Harness;

use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tayori_domain::faq::FaqDraft;
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_domain::usage::UsageKind;
use tayori_faq::desk::FaqDesk;
use tayori_garbage::SampleCalendar;
use tayori_ports::{Clock, Condition, Item, Page, Query, StoreError, TableStore, Write};
use tayori_records::audit::Clerk;
use tayori_records::{Friends, UsageEvents};

const CITIZEN: &str = "U00000000000000000000000000c0de1";

fn start() -> DateTime<Utc> {
    // A Monday morning: the sample calendar collects in 雲浜 this week.
    DateTime::parse_from_rfc3339("2026-12-07T08:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

/// The embedded table, refusing reads of the greetings while `failing` holds, as a store that
/// is briefly unreachable would: the follow is counted, then its handling fails.
struct GreetingsUnreadable {
    inner: Arc<dyn TableStore>,
    failing: Arc<AtomicBool>,
}

#[async_trait]
impl TableStore for GreetingsUnreadable {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        if (pk, sk) == ("SETTINGS", "GREETINGS") && self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the table did not answer".into()));
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

async fn harness(failing: Arc<AtomicBool>) -> Harness {
    Harness::built(
        start(),
        move |inner| Arc::new(GreetingsUnreadable { inner, failing }),
        |state| state.with_sample_calendar(SampleCalendar::Demonstrate),
    )
    .await
}

/// Each kind counted, with the attributes each count carries.
async fn counted(h: &Harness) -> BTreeMap<UsageKind, Vec<BTreeMap<String, Vec<String>>>> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let mut counts: BTreeMap<UsageKind, Vec<_>> = BTreeMap::new();
    UsageEvents::new(h.platform.table.clone())
        .each_between(day, day, |e| {
            for _ in 0..e.count {
                counts.entry(e.kind).or_default().push(e.attributes.clone());
            }
        })
        .await
        .unwrap();
    counts
}

fn again(events: &[Value]) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e["deliveryContext"]["isRedelivery"] = json!(true);
            e
        })
        .collect()
}

async fn with_an_faq(h: &Harness) {
    let account = StaffAccount::new(
        LoginId::parse("shimin").unwrap(),
        StaffProfile {
            display_name: "市民 花子".into(),
            department: "市民課".into(),
            permissions: [Permission::Faq].into_iter().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        start(),
    );
    let clerk = Clerk {
        account: &account,
        ip: "-",
    };
    let draft = FaqDraft {
        category: "手続き".into(),
        department: "市民課".into(),
        question: "住民票の写しの取り方".into(),
        phrasings: "住民票がほしい|住民票の取り方".into(),
        answer: "住民票の写しは市民課の窓口とコンビニで取れます。".into(),
        published: true,
        ..FaqDraft::default()
    };
    FaqDesk::new(&h.platform)
        .create(clerk, &draft)
        .await
        .unwrap();
}

#[tokio::test]
async fn each_action_counts_once_with_the_attributes_of_that_moment_however_often_it_arrives() {
    let h = harness(Arc::new(AtomicBool::new(false))).await;
    with_an_faq(&h).await;
    let u = CITIZEN;
    let follow = h.event(
        u,
        "follow",
        "01COUNT0",
        json!({"follow": {"isUnblocked": false}}),
    );
    assert_eq!(h.deliver(vec![follow.clone()]).await, StatusCode::OK);
    // Registered after following: the follow counted without a district, what follows with one.
    let at = h.clock.now();
    Friends::new(&h.platform)
        .update(u, at, |f| {
            f.attributes.insert("district".into(), vec!["雲浜".into()]);
            f.attributes.insert("age_group".into(), vec!["30代".into()]);
        })
        .await
        .unwrap();
    let text = |id: &str, text: &str| {
        h.event(
            u,
            "message",
            id,
            json!({"message": {"type": "text", "id": id, "quoteToken": "q", "text": text}}),
        )
    };
    let events = vec![
        text("01COUNT1", "今日のごみは？"),
        h.event(u, "postback", "01COUNT2", json!({"postback": {"data": "garbage:tomorrow"}})),
        text("01COUNT3", "住民票がほしい"),
        text("01COUNT4", "ぱぴぷぺぽ"),
        h.event(
            u,
            "message",
            "01COUNT5",
            json!({"message": {"type": "location", "id": "m5", "latitude": 35.4955, "longitude": 135.7466, "address": "福井県小浜市大手町"}}),
        ),
        h.event(u, "postback", "01COUNT6", json!({"postback": {"data": "reg:show"}})),
        h.event(u, "unfollow", "01COUNT7", json!({})),
    ];
    assert_eq!(h.deliver(events.clone()).await, StatusCode::OK);
    h.bus.settle().await;
    let first = counted(&h).await;

    // LINE delivers everything again, the follow too, in another order.
    let mut everything = again(&events);
    everything.reverse();
    everything.extend(again(&[follow]));
    assert_eq!(h.deliver(everything).await, StatusCode::OK);
    h.bus.settle().await;
    assert_eq!(
        counted(&h).await,
        first,
        "a redelivery counts nothing again"
    );

    let kumohama_30s: BTreeMap<String, Vec<String>> = [
        ("age_group".to_string(), vec!["30代".to_string()]),
        ("district".to_string(), vec!["雲浜".to_string()]),
    ]
    .into();
    let expected: BTreeMap<UsageKind, Vec<BTreeMap<String, Vec<String>>>> = [
        (UsageKind::FriendAdded, vec![BTreeMap::new()]),
        // The word and the button.
        (UsageKind::GarbageQuestion, vec![kumohama_30s.clone(); 2]),
        (UsageKind::FaqAnswer, vec![kumohama_30s.clone()]),
        (UsageKind::FaqUnanswered, vec![kumohama_30s.clone()]),
        (UsageKind::ShelterLookup, vec![kumohama_30s.clone()]),
        // The garbage button and 登録内容.
        (UsageKind::MenuTap, vec![kumohama_30s.clone(); 2]),
        (UsageKind::FriendBlocked, vec![kumohama_30s]),
    ]
    .into();
    assert_eq!(first, expected);
}

#[tokio::test]
async fn a_follow_whose_handling_failed_after_it_was_counted_counts_once_when_handled_again() {
    let failing = Arc::new(AtomicBool::new(true));
    let h = harness(failing.clone()).await;
    let follow = h.event(
        CITIZEN,
        "follow",
        "01FAILEDONCE",
        json!({"follow": {"isUnblocked": false}}),
    );
    let status = h.deliver(vec![follow.clone()]).await;
    assert_ne!(
        status,
        StatusCode::OK,
        "a failed handling asks LINE to redeliver"
    );
    assert!(h.replies().is_empty(), "no welcome yet");
    assert_eq!(
        counted(&h).await[&UsageKind::FriendAdded].len(),
        1,
        "counted before the greetings could not be read"
    );

    failing.store(false, Ordering::SeqCst);
    assert_eq!(h.deliver(again(&[follow])).await, StatusCode::OK);
    assert_eq!(h.replies().len(), 1, "welcomed on the redelivery");
    assert_eq!(counted(&h).await[&UsageKind::FriendAdded].len(), 1);
}
