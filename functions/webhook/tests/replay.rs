//! Replay exactly once: LINE redelivers an event whose answer it did not hear (the same
//! `webhookEventId`, `deliveryContext.isRedelivery` true), possibly while the first copy is
//! still being handled. The same events are sent twice over: once plainly, in order, one batch
//! at a time; and once with 30% of them delivered again, in batches of 1–10 mixed in random
//! order, four bodies at a time. The second run must come to exactly what the first did: one
//! reply per event, the same usage counts (each follow, menu tap and unanswered question
//! counted once), the same friends.
//!
//! `TAYORI_REPLAY_EVENTS` sets the size (2,000 by default; the 10,000 with
//! `TAYORI_REPLAY_EVENTS=10000`); on DynamoDB (moto) a tenth of it.

use crate::support::Harness;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_adapters::aws;
use tayori_ports::{Clock, ManualClock, TableStore};
use tayori_records::{Friends, UsageEvents};

const DEFAULT_EVENTS: usize = 2_000;
const SEED: u64 = 0x5EED_2026_1203;

/// SplitMix64: the same events and order for a seed, on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

fn size() -> usize {
    std::env::var("TAYORI_REPLAY_EVENTS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_EVENTS)
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T12:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

/// `n` events of citizens who follow, ask something nothing answers, ask for today's garbage,
/// tap 登録内容 and, some of them, block the account: whose effects do not depend on the order
/// in which a citizen's events are handled.
fn events(h: &Harness, n: usize) -> Vec<Value> {
    let mut out = Vec::with_capacity(n);
    let mut citizen = 0;
    while out.len() < n {
        let user = format!("U{citizen:032x}");
        let id = |step: usize| format!("01REPLAY{citizen:08}{step}");
        let mut steps = vec![
            h.event(&user, "follow", &id(0), json!({"follow": {"isUnblocked": false}})),
            h.event(
                &user,
                "message",
                &id(1),
                json!({"message": {"type": "text", "id": id(1), "quoteToken": "q", "text": "ぱぴぷぺぽ"}}),
            ),
            h.event(
                &user,
                "message",
                &id(2),
                json!({"message": {"type": "text", "id": id(2), "quoteToken": "q", "text": "今日のごみ"}}),
            ),
            h.event(&user, "postback", &id(3), json!({"postback": {"data": "reg:show"}})),
        ];
        if citizen % 4 == 3 {
            let mut unfollow = h.event(&user, "unfollow", &id(4), json!({}));
            unfollow.as_object_mut().unwrap().remove("replyToken");
            steps.push(unfollow);
        }
        out.extend(steps);
        citizen += 1;
    }
    out.truncate(n);
    out
}

fn redelivered(event: &Value) -> Value {
    let mut again = event.clone();
    again["deliveryContext"]["isRedelivery"] = json!(true);
    again
}

/// What the events came to: replies per reply token, usage counted per kind, friends listed.
#[derive(Debug, PartialEq)]
struct Effects {
    replies: BTreeMap<String, usize>,
    usage: BTreeMap<String, u64>,
    friends: usize,
    blocked: usize,
}

async fn effects(h: &Harness, users: &[String]) -> Effects {
    h.bus.settle().await;
    let mut replies = BTreeMap::new();
    for request in h.fake.requests() {
        if request.path == "/v2/bot/message/reply" {
            let token = request.body["replyToken"].as_str().unwrap_or_default();
            *replies.entry(token.to_string()).or_insert(0) += 1;
        }
    }
    let mut usage = BTreeMap::new();
    let day = tayori_domain::time::to_jst(h.clock.now()).date_naive();
    UsageEvents::new(h.platform.table.clone())
        .each_between(day, day, |e| {
            *usage.entry(format!("{:?}", e.kind)).or_insert(0) += e.count;
        })
        .await
        .unwrap();
    let friends = Friends::new(&h.platform);
    let (mut listed, mut blocked) = (0, 0);
    for user in users {
        if let Some(friend) = friends.listed(user).await.unwrap() {
            listed += 1;
            if !friend.can_receive_messages() {
                blocked += 1;
            }
        }
    }
    Effects {
        replies,
        usage,
        friends: listed,
        blocked,
    }
}

fn users(events: &[Value]) -> Vec<String> {
    let mut users: Vec<String> = events
        .iter()
        .map(|e| e["source"]["userId"].as_str().unwrap().to_string())
        .collect();
    users.dedup();
    users
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redelivered_events_in_any_order_and_at_once_take_effect_exactly_once() {
    let n = size();
    replay(n, Harness::at(start()).await, Harness::at(start()).await).await;
}

/// The same on DynamoDB (moto), where the claim of an event is a conditional put on the
/// table; a tenth of the size, as moto answers each call in milliseconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redelivered_events_take_effect_exactly_once_on_dynamodb_too() {
    let Some(sdk) = tayori_tests::moto().await else {
        return;
    };
    let on_moto = || async {
        let name = tayori_tests::unique_name("tayori-replay");
        let client = aws_sdk_dynamodb::Client::new(&sdk);
        aws::create_table(&client, &name).await.unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        Harness::on_table(start(), move |_| {
            Arc::new(aws::DynamoTable::new(client, name, clock)) as Arc<dyn TableStore>
        })
        .await
    };
    replay((size() / 10).max(50), on_moto().await, on_moto().await).await;
}

/// Sends `n` events to `plain` once each, then to `replayed` with 30% of them again, and
/// compares what they came to.
async fn replay(n: usize, plain: Harness, replayed: Harness) {
    // Once plainly: what each event comes to.
    let sent = events(&plain, n);
    let users = users(&sent);
    for batch in sent.chunks(5) {
        assert_eq!(plain.deliver(batch.to_vec()).await, StatusCode::OK);
    }
    let expected = effects(&plain, &users).await;
    let with_token = sent
        .iter()
        .filter(|e| e.get("replyToken").is_some())
        .count();
    assert_eq!(expected.replies.len(), with_token, "one reply per event");
    assert!(expected.replies.values().all(|&n| n == 1));
    assert!(expected.usage.get("FriendAdded").is_some_and(|&c| c > 0));
    assert!(expected.usage.get("MenuTap").is_some_and(|&c| c > 0));
    assert!(expected.blocked > 0);

    // Again, with 30% delivered twice, shuffled into batches of 1–10, four bodies at a time.
    let mut rng = Rng(SEED);
    let mut deliveries: Vec<Value> = events(&replayed, n);
    let again: Vec<Value> = deliveries
        .iter()
        .filter(|_| rng.below(10) < 3)
        .map(redelivered)
        .collect();
    let copies = again.len();
    deliveries.extend(again);
    rng.shuffle(&mut deliveries);
    let mut batches = Vec::new();
    let mut rest = deliveries.as_slice();
    while !rest.is_empty() {
        let take = (1 + rng.below(10)).min(rest.len());
        batches.push(rest[..take].to_vec());
        rest = &rest[take..];
    }
    for group in batches.chunks(4) {
        let answers = join_all(group.iter().map(|b| replayed.deliver(b.clone()))).await;
        assert!(answers.iter().all(|s| *s == StatusCode::OK), "{answers:?}");
    }
    let actual = effects(&replayed, &users).await;
    eprintln!(
        "replay: {n} events, {copies} delivered again, {} bodies; usage {:?}",
        batches.len(),
        actual.usage
    );
    assert_eq!(actual.replies.len(), expected.replies.len());
    let doubled: Vec<_> = actual.replies.iter().filter(|(_, &n)| n != 1).collect();
    assert!(doubled.is_empty(), "replied more than once: {doubled:?}");
    assert_eq!(actual.usage, expected.usage);
    assert_eq!(actual.friends, expected.friends);
    // Who is blocked at the end depends on the order of a citizen's follow and block, which
    // the shuffle changes; that every block was counted once is in the usage above.
    assert_eq!(actual.friends, users.len());
}
