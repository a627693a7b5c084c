//! The port conformance suite: one contract per port, run against the embedded adapter (SQLite,
//! a folder, the in-process bus, a local key file) and the AWS adapter (DynamoDB, S3, EventBridge,
//! KMS on moto). Whatever a function relies on in the local run must hold on AWS, and the other
//! way round; a difference between the adapters shows up here as a failing `aws` or `embedded`
//! case of the same contract.

use async_trait::async_trait;
use aws_config::SdkConfig;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tayori_adapters::aws::{self, DynamoTable, EventBridgeBus, KmsKeys, S3Objects};
use tayori_adapters::embedded::{FolderObjects, InProcessBus, LocalKeyFile, SqliteTable};
use tayori_ports::{
    BusError, CipherError, Condition, Event, EventBus, EventHandler, FieldCipher, Item, KeyError,
    KeyRange, KeyService, ManualClock, ObjectKey, ObjectStore, Query, StoreError, TableStore,
    Write,
};
use tayori_tests::{moto, unique_name};
use tempfile::TempDir;

/// Runs one contract against both adapters, as two tests named after the adapter.
macro_rules! on_both_adapters {
    ($contract:ident, $subject:ident) => {
        mod $contract {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                let subject = super::$subject::embedded().await;
                super::$contract(&subject).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn aws() {
                if let Some(subject) = super::$subject::aws().await {
                    super::$contract(&subject).await;
                }
            }
        }
    };
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T06:30:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

// ---------------------------------------------------------------------------------------------
// Table store

struct Tables {
    store: Arc<dyn TableStore>,
    clock: Arc<ManualClock>,
    _dir: Option<TempDir>,
}

impl Tables {
    async fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let store = SqliteTable::open(dir.path(), clock.clone()).unwrap();
        Self {
            store: Arc::new(store),
            clock,
            _dir: Some(dir),
        }
    }

    async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let client = aws_sdk_dynamodb::Client::new(&sdk);
        let name = unique_name("tayori");
        aws::create_table(&client, &name).await.unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        Some(Self {
            store: Arc::new(DynamoTable::new(client, name, clock.clone())),
            clock,
            _dir: None,
        })
    }
}

fn item(pk: &str, sk: &str) -> Item {
    Item::new(pk, sk, json!({ "name": "小浜 太郎", "sk": sk }))
}

async fn all_pages(store: &dyn TableStore, query: Query) -> (Vec<Item>, usize) {
    let limit = query.limit;
    let mut items = Vec::new();
    let mut pages = 0;
    let mut cursor = None;
    loop {
        let page = store.query(query.clone().after(cursor)).await.unwrap();
        assert!(page.items.len() <= limit, "a page holds at most its limit");
        pages += 1;
        items.extend(page.items);
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
        assert!(pages < 100, "pagination does not end");
    }
    (items, pages)
}

fn sort_keys(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.sk.clone()).collect()
}

fn is_condition_failed<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::ConditionFailed))
}

fn is_invalid<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Invalid(_)))
}

async fn a_stored_item_reads_back_as_written_and_conditions_guard_puts(t: &Tables) {
    let store = &*t.store;
    assert!(store.get("friend#U1", "profile").await.unwrap().is_none());

    let written = item("friend#U1", "profile")
        .with_gsi1("district#雲浜", "2026-12-01")
        .expiring_at(start().timestamp() + 3600)
        .with_version(1);
    store
        .put(written.clone(), Condition::IfAbsent)
        .await
        .unwrap();
    assert_eq!(
        store.get("friend#U1", "profile").await.unwrap(),
        Some(written)
    );

    assert!(
        is_condition_failed(
            store
                .put(item("friend#U1", "profile"), Condition::IfAbsent)
                .await
        ),
        "a second IfAbsent put must fail"
    );

    let v2 = item("friend#U1", "profile").with_version(2);
    store
        .put(v2.clone(), Condition::IfVersion(1))
        .await
        .unwrap();
    assert!(
        is_condition_failed(store.put(v2.clone(), Condition::IfVersion(1)).await),
        "a stale version must fail"
    );
    assert_eq!(store.get("friend#U1", "profile").await.unwrap(), Some(v2));

    assert!(is_condition_failed(
        store
            .put(item("friend#U2", "profile"), Condition::IfExists)
            .await
    ));
    assert!(is_condition_failed(
        store
            .put(item("friend#U2", "profile"), Condition::IfVersion(0))
            .await
    ));
    assert!(store.get("friend#U2", "profile").await.unwrap().is_none());

    let overwritten = Item::new("friend#U1", "profile", json!({"n": 3})).with_version(3);
    store
        .put(overwritten.clone(), Condition::Always)
        .await
        .unwrap();
    assert_eq!(
        store.get("friend#U1", "profile").await.unwrap(),
        Some(overwritten)
    );
}
on_both_adapters!(
    a_stored_item_reads_back_as_written_and_conditions_guard_puts,
    Tables
);

async fn deletes_honour_their_condition(t: &Tables) {
    let store = &*t.store;
    store
        .delete("report#R1", "meta", Condition::Always)
        .await
        .unwrap();
    assert!(is_condition_failed(
        store.delete("report#R1", "meta", Condition::IfExists).await
    ));

    store
        .put(item("report#R1", "meta").with_version(4), Condition::Always)
        .await
        .unwrap();
    assert!(is_condition_failed(
        store
            .delete("report#R1", "meta", Condition::IfVersion(3))
            .await
    ));
    assert!(store.get("report#R1", "meta").await.unwrap().is_some());
    store
        .delete("report#R1", "meta", Condition::IfVersion(4))
        .await
        .unwrap();
    assert!(store.get("report#R1", "meta").await.unwrap().is_none());
}
on_both_adapters!(deletes_honour_their_condition, Tables);

async fn queries_select_by_prefix_and_range_in_sort_key_order(t: &Tables) {
    let store = &*t.store;
    for sk in ["a#03", "b#01", "a#01", "a#05", "b#02", "a#02", "a#04"] {
        store
            .put(item("delivery#D1", sk), Condition::Always)
            .await
            .unwrap();
    }
    store
        .put(item("delivery#D2", "a#01"), Condition::Always)
        .await
        .unwrap();

    let everything = store.query(Query::partition("delivery#D1")).await.unwrap();
    assert_eq!(
        sort_keys(&everything.items),
        ["a#01", "a#02", "a#03", "a#04", "a#05", "b#01", "b#02"]
    );
    assert!(everything.cursor.is_none());

    let prefixed = store
        .query(Query::partition("delivery#D1").range(KeyRange::BeginsWith("b#".into())))
        .await
        .unwrap();
    assert_eq!(sort_keys(&prefixed.items), ["b#01", "b#02"]);

    let between = store
        .query(
            Query::partition("delivery#D1").range(KeyRange::Between("a#02".into(), "a#04".into())),
        )
        .await
        .unwrap();
    assert_eq!(
        sort_keys(&between.items),
        ["a#02", "a#03", "a#04"],
        "BETWEEN is inclusive on both ends"
    );

    let newest_first = store
        .query(
            Query::partition("delivery#D1")
                .range(KeyRange::BeginsWith("a#".into()))
                .descending(),
        )
        .await
        .unwrap();
    assert_eq!(
        sort_keys(&newest_first.items),
        ["a#05", "a#04", "a#03", "a#02", "a#01"]
    );

    let nothing = store.query(Query::partition("delivery#D9")).await.unwrap();
    assert!(nothing.items.is_empty() && nothing.cursor.is_none());
}
on_both_adapters!(queries_select_by_prefix_and_range_in_sort_key_order, Tables);

async fn pagination_returns_every_item_once_in_order(t: &Tables) {
    let store = &*t.store;
    let expected: Vec<String> = (0..25).map(|n| format!("batch#{n:04}")).collect();
    for sk in expected.iter().rev() {
        store
            .put(item("delivery#D3", sk), Condition::Always)
            .await
            .unwrap();
    }

    let (items, pages) = all_pages(store, Query::partition("delivery#D3").limit(10)).await;
    assert_eq!(sort_keys(&items), expected);
    assert!(pages >= 3, "25 items at 10 a page need at least 3 pages");

    let (items, _) = all_pages(store, Query::partition("delivery#D3").limit(7).descending()).await;
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(sort_keys(&items), reversed);
}
on_both_adapters!(pagination_returns_every_item_once_in_order, Tables);

async fn the_secondary_index_pages_stably_through_equal_sort_keys(t: &Tables) {
    let store = &*t.store;
    // Twelve reports, four per day: equal index sort keys must still page without loss.
    for n in 0..12 {
        let day = ["2026-11-01", "2026-11-02", "2026-11-03"][n % 3];
        store
            .put(
                item(&format!("report#R{n:02}"), "meta").with_gsi1("reports#受付", day),
                Condition::Always,
            )
            .await
            .unwrap();
    }
    store
        .put(item("report#X", "meta"), Condition::Always)
        .await
        .unwrap();
    store
        .put(
            item("report#Y", "meta").with_gsi1("reports#対応済", "2026-11-01"),
            Condition::Always,
        )
        .await
        .unwrap();

    let (items, _) = all_pages(store, Query::gsi1("reports#受付").limit(5)).await;
    let pks: Vec<String> = items.iter().map(|i| i.pk.clone()).collect();
    assert_eq!(pks.len(), 12, "every indexed report, no other: {pks:?}");
    assert_eq!(
        pks.iter().collect::<HashSet<_>>().len(),
        12,
        "no duplicates: {pks:?}"
    );
    let days: Vec<String> = items
        .iter()
        .map(|i| i.gsi1.as_ref().unwrap().sk.clone())
        .collect();
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted, "ordered by the index sort key");

    let (second_day, _) = all_pages(
        store,
        Query::gsi1("reports#受付")
            .range(KeyRange::BeginsWith("2026-11-02".into()))
            .limit(3),
    )
    .await;
    assert_eq!(second_day.len(), 4);
}
on_both_adapters!(
    the_secondary_index_pages_stably_through_equal_sort_keys,
    Tables
);

async fn a_transaction_applies_every_write_or_none(t: &Tables) {
    let store = &*t.store;
    let failing = vec![
        Write::Put {
            item: item("form#F1", "answer#1"),
            condition: Condition::IfAbsent,
        },
        Write::Put {
            item: item("form#F1", "count"),
            condition: Condition::Always,
        },
        Write::Delete {
            pk: "form#F1".into(),
            sk: "lock".into(),
            condition: Condition::IfExists,
        },
    ];
    assert!(is_condition_failed(store.transact(failing.clone()).await));
    assert!(store.get("form#F1", "answer#1").await.unwrap().is_none());
    assert!(store.get("form#F1", "count").await.unwrap().is_none());

    store
        .put(item("form#F1", "lock"), Condition::Always)
        .await
        .unwrap();
    store.transact(failing).await.unwrap();
    assert!(store.get("form#F1", "answer#1").await.unwrap().is_some());
    assert!(store.get("form#F1", "count").await.unwrap().is_some());
    assert!(store.get("form#F1", "lock").await.unwrap().is_none());
}
on_both_adapters!(a_transaction_applies_every_write_or_none, Tables);

async fn an_expired_item_is_absent_before_it_is_removed(t: &Tables) {
    let store = &*t.store;
    let expires = t.clock.now_unix() + 60;
    store
        .put(
            item("dedupe#E1", "event").expiring_at(expires),
            Condition::IfAbsent,
        )
        .await
        .unwrap();
    assert!(store.get("dedupe#E1", "event").await.unwrap().is_some());

    t.clock.advance(Duration::seconds(59));
    assert!(store.get("dedupe#E1", "event").await.unwrap().is_some());

    t.clock.advance(Duration::seconds(1));
    assert!(
        store.get("dedupe#E1", "event").await.unwrap().is_none(),
        "an item expiring at now is gone"
    );
    let page = store.query(Query::partition("dedupe#E1")).await.unwrap();
    assert!(page.items.is_empty());
    assert!(is_condition_failed(
        store
            .put(item("dedupe#E1", "event"), Condition::IfExists)
            .await
    ));
    store
        .put(item("dedupe#E1", "event"), Condition::IfAbsent)
        .await
        .expect("an expired item counts as absent");
    assert!(store.get("dedupe#E1", "event").await.unwrap().is_some());
}
on_both_adapters!(an_expired_item_is_absent_before_it_is_removed, Tables);

async fn requests_outside_the_limits_are_refused_as_invalid(t: &Tables) {
    let store = &*t.store;
    assert!(is_invalid(store.get("", "x").await));
    assert!(is_invalid(
        store.put(item("", "x"), Condition::Always).await
    ));
    assert!(is_invalid(
        store.put(item("p", ""), Condition::Always).await
    ));
    assert!(is_invalid(store.query(Query::partition("")).await));
    assert!(is_invalid(
        store.query(Query::partition("p").limit(0)).await
    ));
    let big = Item::new("p", "big", json!({ "text": "あ".repeat(200_000) }));
    assert!(is_invalid(store.put(big, Condition::Always).await));
    assert!(is_invalid(store.transact(vec![]).await));
    let too_many = (0..101)
        .map(|n| Write::Put {
            item: item("p", &format!("{n}")),
            condition: Condition::Always,
        })
        .collect();
    assert!(is_invalid(store.transact(too_many).await));
    let twice = vec![
        Write::Put {
            item: item("p", "same"),
            condition: Condition::Always,
        },
        Write::Delete {
            pk: "p".into(),
            sk: "same".into(),
            condition: Condition::Always,
        },
    ];
    assert!(is_invalid(store.transact(twice).await));
    assert!(
        store.get("p", "0").await.unwrap().is_none(),
        "nothing written"
    );
}
on_both_adapters!(requests_outside_the_limits_are_refused_as_invalid, Tables);

trait NowUnix {
    fn now_unix(&self) -> i64;
}

impl NowUnix for ManualClock {
    fn now_unix(&self) -> i64 {
        tayori_ports::Clock::now(self).timestamp()
    }
}

// ---------------------------------------------------------------------------------------------
// Object store

struct Objects {
    store: Arc<dyn ObjectStore>,
    /// The S3 client and bucket, to check what only S3 can show (encryption at rest).
    s3: Option<(aws_sdk_s3::Client, String, String)>,
    _dir: Option<TempDir>,
    /// The local origin serving the folder store's presigned URLs.
    _server: Option<tokio::task::JoinHandle<()>>,
}

impl Objects {
    async fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let store = Arc::new(
            FolderObjects::open(dir.path().join("objects"))
                .unwrap()
                .served_at(&base, Arc::new(tayori_ports::SystemClock))
                .unwrap(),
        );
        let router = tayori_adapters::embedded::objects_router(store.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            store,
            s3: None,
            _dir: Some(dir),
            _server: Some(server),
        }
    }

    async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let client = aws::s3_client(&sdk);
        let bucket = unique_name("tayori");
        client
            .create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::ApNortheast1)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let key_id = kms_key(&sdk).await;
        Some(Self {
            store: Arc::new(S3Objects::new(client.clone(), &bucket, &key_id)),
            s3: Some((client, bucket, key_id)),
            _dir: None,
            _server: None,
        })
    }
}

impl Objects {
    /// moto serves a presigned URL without checking its signature or its expiry (AWS checks
    /// both), so what only a signature can refuse is tested on the embedded store; on S3 the
    /// signed headers and the expiry are checked in the URL instead.
    fn verifies_signatures(&self) -> bool {
        self.s3.is_none()
    }
}

fn key(k: &str) -> ObjectKey {
    ObjectKey::new(k).unwrap()
}

async fn objects_round_trip_with_their_content_type(o: &Objects) {
    let store = &*o.store;
    let photo = key("reports/2026/11/R1-1.jpg");
    assert!(store.get(&photo).await.unwrap().is_none());

    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store
        .put(&photo, bytes.clone(), "image/jpeg")
        .await
        .unwrap();
    let stored = store.get(&photo).await.unwrap().unwrap();
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.content_type, "image/jpeg");

    store
        .put(&photo, b"second".to_vec(), "image/png")
        .await
        .unwrap();
    let stored = store.get(&photo).await.unwrap().unwrap();
    assert_eq!(
        (stored.bytes.as_slice(), stored.content_type.as_str()),
        (&b"second"[..], "image/png")
    );

    store.delete(&photo).await.unwrap();
    assert!(store.get(&photo).await.unwrap().is_none());
    store
        .delete(&photo)
        .await
        .expect("deleting an absent object is not an error");

    if let Some((client, bucket, key_id)) = &o.s3 {
        store
            .put(&photo, b"at rest".to_vec(), "image/jpeg")
            .await
            .unwrap();
        let head = client
            .head_object()
            .bucket(bucket)
            .key(photo.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(
            head.server_side_encryption(),
            Some(&aws_sdk_s3::types::ServerSideEncryption::AwsKms),
            "objects are encrypted with KMS"
        );
        assert!(
            head.ssekms_key_id()
                .is_some_and(|k| k.contains(key_id.as_str())),
            "with the configured key: {:?}",
            head.ssekms_key_id()
        );
    }
}
on_both_adapters!(objects_round_trip_with_their_content_type, Objects);

async fn listing_gives_the_keys_under_a_prefix_in_order(o: &Objects) {
    let store = &*o.store;
    for k in [
        "exports/2026-12/c.csv",
        "exports/2026-11/b.csv",
        "exports/2026-11/a.csv",
        "images/x.png",
    ] {
        store.put(&key(k), b"x".to_vec(), "text/csv").await.unwrap();
    }
    let listed: Vec<String> = store
        .list("exports/")
        .await
        .unwrap()
        .iter()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(
        listed,
        [
            "exports/2026-11/a.csv",
            "exports/2026-11/b.csv",
            "exports/2026-12/c.csv"
        ]
    );
    assert!(store.list("nothing/").await.unwrap().is_empty());
}
on_both_adapters!(listing_gives_the_keys_under_a_prefix_in_order, Objects);

async fn a_presigned_get_reads_the_object_until_it_expires(o: &Objects) {
    let store = &*o.store;
    let photo = key("reports/R1/photo-1.jpg");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(50_000).collect();
    store
        .put(&photo, bytes.clone(), "image/jpeg")
        .await
        .unwrap();
    let http = reqwest::Client::new();

    let url = store
        .presign_get(&photo, std::time::Duration::from_secs(300))
        .await
        .unwrap();
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 200, "{url}");
    assert_eq!(answer.headers()["content-type"], "image/jpeg");
    assert_eq!(answer.bytes().await.unwrap().to_vec(), bytes);

    if o.verifies_signatures() {
        let tampered = url.replace("photo-1.jpg", "photo-2.jpg");
        store
            .put(
                &key("reports/R1/photo-2.jpg"),
                b"other".to_vec(),
                "image/jpeg",
            )
            .await
            .unwrap();
        assert_eq!(
            http.get(&tampered).send().await.unwrap().status(),
            403,
            "a URL signed for one object does not read another"
        );
    }

    let short = store
        .presign_get(&photo, std::time::Duration::from_secs(1))
        .await
        .unwrap();
    if o.verifies_signatures() {
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        assert_eq!(
            http.get(&short).send().await.unwrap().status(),
            403,
            "an expired URL reads nothing"
        );
    } else {
        assert_eq!(query_value(&short, "X-Amz-Expires").as_deref(), Some("1"));
    }
}

/// A query parameter of a URL, as it is written there.
fn query_value(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
}
on_both_adapters!(a_presigned_get_reads_the_object_until_it_expires, Objects);

async fn a_presigned_put_stores_what_the_browser_sends_as_put_would(o: &Objects) {
    let store = &*o.store;
    let photo = key("uploads/liff/U1/photo-1.jpg");
    let upload = store
        .presign_put(
            &photo,
            "image/jpeg",
            1024 * 1024,
            std::time::Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert_eq!(upload.method, "PUT");
    assert!(
        upload
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "image/jpeg"),
        "{:?}",
        upload.headers
    );
    let http = reqwest::Client::new();
    let send = |body: Vec<u8>, content_type: &str| {
        let mut request = http.put(&upload.url).body(body);
        for (name, value) in &upload.headers {
            let value = if name.eq_ignore_ascii_case("content-type") {
                content_type
            } else {
                value
            };
            request = request.header(name, value);
        }
        request.send()
    };

    if o.verifies_signatures() {
        let other_type = send(b"<html>".to_vec(), "text/html").await.unwrap();
        assert!(
            [403, 415].contains(&other_type.status().as_u16()),
            "another content type is refused: {}",
            other_type.status()
        );
        assert!(store.get(&photo).await.unwrap().is_none());
    }

    let answer = send(b"jpeg bytes".to_vec(), "image/jpeg").await.unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    let stored = store.get(&photo).await.unwrap().unwrap();
    assert_eq!(
        (stored.bytes.as_slice(), stored.content_type.as_str()),
        (&b"jpeg bytes"[..], "image/jpeg")
    );

    if let Some((client, bucket, key_id)) = &o.s3 {
        let signed = query_value(&upload.url, "X-Amz-SignedHeaders")
            .unwrap_or_default()
            .replace("%3B", ";");
        for header in [
            "content-type",
            "x-amz-server-side-encryption",
            "x-amz-server-side-encryption-aws-kms-key-id",
        ] {
            assert!(
                signed.split(';').any(|h| h == header),
                "{header} is signed: {signed}"
            );
        }
        let head = client
            .head_object()
            .bucket(bucket)
            .key(photo.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(
            head.server_side_encryption(),
            Some(&aws_sdk_s3::types::ServerSideEncryption::AwsKms),
            "an upload is encrypted with KMS as a put is"
        );
        assert!(head
            .ssekms_key_id()
            .is_some_and(|k| k.contains(key_id.as_str())));
    }

    let short = store
        .presign_put(
            &photo,
            "image/jpeg",
            1024,
            std::time::Duration::from_secs(1),
        )
        .await
        .unwrap();
    if !o.verifies_signatures() {
        assert_eq!(
            query_value(&short.url, "X-Amz-Expires").as_deref(),
            Some("1")
        );
        return;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let mut late = http.put(&short.url).body(b"late".to_vec());
    for (name, value) in &short.headers {
        late = late.header(name, value);
    }
    assert_eq!(late.send().await.unwrap().status(), 403);
    assert_eq!(
        store.get(&photo).await.unwrap().unwrap().bytes,
        b"jpeg bytes",
        "an expired upload changes nothing"
    );
}
on_both_adapters!(
    a_presigned_put_stores_what_the_browser_sends_as_put_would,
    Objects
);

async fn a_presigned_url_living_over_an_hour_is_refused(o: &Objects) {
    let store = &*o.store;
    let photo = key("reports/R1/photo-1.jpg");
    let too_long = tayori_ports::object::MAX_PRESIGNED_LIFE + std::time::Duration::from_secs(1);
    assert!(matches!(
        store.presign_get(&photo, too_long).await,
        Err(tayori_ports::ObjectError::PresignedLife(_))
    ));
    assert!(matches!(
        store
            .presign_put(&photo, "image/jpeg", 1024, too_long)
            .await,
        Err(tayori_ports::ObjectError::PresignedLife(_))
    ));
    assert!(store
        .presign_get(&photo, tayori_ports::object::MAX_PRESIGNED_LIFE)
        .await
        .is_ok());
}
on_both_adapters!(a_presigned_url_living_over_an_hour_is_refused, Objects);

// ---------------------------------------------------------------------------------------------
// Event bus

/// The bus under test and a way to see what it delivered.
struct Buses {
    bus: Arc<dyn EventBus>,
    delivered: Delivered,
}

enum Delivered {
    /// Handlers subscribed on the in-process bus record what they get.
    InProcess(Arc<InProcessBus>, Arc<Recorder>),
    /// A rule on the EventBridge bus forwards every Tayori event to an SQS queue.
    Queue(aws_sdk_sqs::Client, String),
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

#[async_trait]
impl EventHandler for Recorder {
    async fn handle(&self, event: Event) -> Result<(), tayori_ports::HandlerError> {
        self.0.lock().unwrap().push(event);
        Ok(())
    }
}

impl Buses {
    async fn embedded() -> Self {
        let bus = Arc::new(InProcessBus::new());
        let recorder = Arc::new(Recorder::default());
        bus.subscribe("menu.switch-requested", recorder.clone());
        bus.subscribe("delivery.requested", recorder.clone());
        Self {
            bus: bus.clone(),
            delivered: Delivered::InProcess(bus, recorder),
        }
    }

    async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let events = aws_sdk_eventbridge::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let name = unique_name("tayori");
        events.create_event_bus().name(&name).send().await.unwrap();
        let queue_url = sqs
            .create_queue()
            .queue_name(&name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
            .clone();
        events
            .put_rule()
            .name("all-tayori-events")
            .event_bus_name(&name)
            .event_pattern(json!({ "source": [tayori_ports::bus::EVENT_SOURCE] }).to_string())
            .send()
            .await
            .unwrap();
        events
            .put_targets()
            .rule("all-tayori-events")
            .event_bus_name(&name)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("queue")
                    .arn(queue_arn)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        Some(Self {
            bus: Arc::new(EventBridgeBus::new(events, name)),
            delivered: Delivered::Queue(sqs, queue_url),
        })
    }

    /// Every event delivered so far, as (detail type, detail), in any order.
    async fn delivered(&self, expected: usize) -> Vec<(String, serde_json::Value)> {
        match &self.delivered {
            Delivered::InProcess(bus, recorder) => {
                bus.settle().await;
                recorder
                    .0
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|e| (e.detail_type.clone(), e.detail.clone()))
                    .collect()
            }
            Delivered::Queue(sqs, url) => {
                let mut got = Vec::new();
                for _ in 0..20 {
                    let out = sqs
                        .receive_message()
                        .queue_url(url)
                        .max_number_of_messages(10)
                        .wait_time_seconds(1)
                        .send()
                        .await
                        .unwrap();
                    for message in out.messages() {
                        let envelope: serde_json::Value =
                            serde_json::from_str(message.body().unwrap()).unwrap();
                        assert_eq!(envelope["source"], tayori_ports::bus::EVENT_SOURCE);
                        got.push((
                            envelope["detail-type"].as_str().unwrap().to_owned(),
                            envelope["detail"].clone(),
                        ));
                    }
                    if got.len() >= expected {
                        break;
                    }
                }
                got
            }
        }
    }
}

async fn published_events_reach_their_subscribers(b: &Buses) {
    b.bus
        .publish(vec![
            Event::new(
                "menu.switch-requested",
                json!({ "to": "緊急", "reason": "大雨特別警報" }),
            ),
            Event::new("delivery.requested", json!({ "deliveryId": "D1" })),
        ])
        .await
        .unwrap();
    let mut delivered = b.delivered(2).await;
    delivered.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        delivered,
        vec![
            ("delivery.requested".into(), json!({ "deliveryId": "D1" })),
            (
                "menu.switch-requested".into(),
                json!({ "to": "緊急", "reason": "大雨特別警報" })
            ),
        ]
    );
}
on_both_adapters!(published_events_reach_their_subscribers, Buses);

async fn events_outside_the_limits_are_refused_and_nothing_is_sent(b: &Buses) {
    let not_an_object = Event::new("delivery.requested", json!(["x"]));
    let good = Event::new("delivery.requested", json!({ "deliveryId": "D2" }));
    assert!(matches!(
        b.bus.publish(vec![good.clone(), not_an_object]).await,
        Err(BusError::Invalid(_))
    ));
    assert!(matches!(
        b.bus.publish(vec![Event::new("", json!({}))]).await,
        Err(BusError::Invalid(_))
    ));
    assert!(matches!(
        b.bus.publish(vec![good.clone(); 11]).await,
        Err(BusError::Invalid(_))
    ));
    let huge = Event::new("delivery.requested", json!({ "x": "あ".repeat(90_000) }));
    assert!(matches!(
        b.bus.publish(vec![huge]).await,
        Err(BusError::Invalid(_))
    ));
    b.bus
        .publish(vec![Event::new("menu.switch-requested", json!({ "n": 1 }))])
        .await
        .unwrap();
    let delivered = b.delivered(1).await;
    assert_eq!(
        delivered,
        vec![("menu.switch-requested".into(), json!({ "n": 1 }))],
        "only the valid publish went out"
    );
}
on_both_adapters!(
    events_outside_the_limits_are_refused_and_nothing_is_sent,
    Buses
);

// ---------------------------------------------------------------------------------------------
// Key service and field cipher

struct Keys {
    keys: Arc<dyn KeyService>,
    _dir: Option<TempDir>,
}

async fn kms_key(sdk: &SdkConfig) -> String {
    aws_sdk_kms::Client::new(sdk)
        .create_key()
        .description("tayori conformance")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id
}

impl Keys {
    async fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keys = LocalKeyFile::open_or_create(&dir.path().join("keys/master.key")).unwrap();
        Self {
            keys: Arc::new(keys),
            _dir: Some(dir),
        }
    }

    async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let key_id = kms_key(&sdk).await;
        Some(Self {
            keys: Arc::new(KmsKeys::new(aws_sdk_kms::Client::new(&sdk), key_id)),
            _dir: None,
        })
    }
}

async fn a_data_key_unwraps_to_itself_and_a_tampered_one_does_not(k: &Keys) {
    let first = k.keys.generate_data_key().await.unwrap();
    let second = k.keys.generate_data_key().await.unwrap();
    assert_ne!(*first.plaintext, *second.plaintext, "each data key is new");
    assert!(
        !first
            .wrapped
            .windows(32)
            .any(|w| w == first.plaintext.as_slice()),
        "the wrapped key does not carry the plaintext"
    );
    assert_eq!(
        *k.keys.unwrap_data_key(&first.wrapped).await.unwrap(),
        *first.plaintext
    );

    let mut tampered = first.wrapped.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    assert!(matches!(
        k.keys.unwrap_data_key(&tampered).await,
        Err(KeyError::Unwrap)
    ));
}
on_both_adapters!(
    a_data_key_unwraps_to_itself_and_a_tampered_one_does_not,
    Keys
);

async fn sealed_personal_data_opens_only_with_its_context(k: &Keys) {
    let cipher = FieldCipher::new(k.keys.clone(), Arc::new(ManualClock::new(start())));
    let phone = "0770-53-1111";
    let sealed = cipher.seal(phone, "friend#U1/phone").await.unwrap();
    assert!(FieldCipher::is_sealed(&sealed));
    assert!(!sealed.contains(phone));
    assert_eq!(
        cipher.open(&sealed, "friend#U1/phone").await.unwrap(),
        phone
    );
    assert!(matches!(
        cipher.open(&sealed, "friend#U2/phone").await,
        Err(CipherError::Tampered)
    ));

    // A fresh cipher (a new cold start, no cached key) still opens it.
    let cold = FieldCipher::new(k.keys.clone(), Arc::new(ManualClock::new(start())));
    assert_eq!(cold.open(&sealed, "friend#U1/phone").await.unwrap(), phone);
}
on_both_adapters!(sealed_personal_data_opens_only_with_its_context, Keys);

// ---------------------------------------------------------------------------------------------
// Citizens' registrations, sealed through the repositories

struct Platforms {
    platform: tayori_ports::Platform,
    /// A second process over the same table and key (another cold start).
    other: tayori_ports::Platform,
    /// The clock both processes read.
    clock: Arc<ManualClock>,
    _dir: Option<TempDir>,
}

impl Platforms {
    async fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let (platform, _bus) =
            tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
        let (other, _bus) = tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
        Self {
            platform,
            other,
            clock,
            _dir: Some(dir),
        }
    }

    async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let table = unique_name("tayori");
        aws::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table)
            .await
            .unwrap();
        let config = aws::AwsConfig {
            table_name: table,
            bucket_name: unique_name("tayori"),
            kms_key_id: kms_key(&sdk).await,
            event_bus_name: unique_name("tayori"),
            mail_from: None,
        };
        let clock = Arc::new(ManualClock::new(start()));
        Some(Self {
            platform: aws::platform(&sdk, &config, clock.clone()),
            other: aws::platform(&sdk, &config, clock.clone()),
            clock,
            _dir: None,
        })
    }
}

fn registered(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(item, value)| (item.to_string(), vec![value.to_string()]))
        .collect()
}

fn thirties_in_kumohama() -> tayori_domain::segment::Target {
    use tayori_domain::segment::{Match, SegmentCondition, Target};
    let condition = |item: &str, value: &str| SegmentCondition {
        item: item.into(),
        matching: Match::AnyOf,
        values: vec![value.into()],
    };
    Target::Segment {
        conditions: vec![
            condition("age_group", "30代"),
            condition("district", "雲浜"),
        ],
    }
}

/// A citizen's registration, written through the Friends repository, is stored sealed: the
/// raw item holds none of the values; a delivery's target still finds the citizen.
async fn a_registration_is_stored_sealed_and_still_targeted(p: &Platforms) {
    use tayori_records::Friends;
    let friends = Friends::new(&p.platform);
    let at = start();
    let answers = registered(&[
        ("age_group", "30代"),
        ("district", "雲浜"),
        ("interests", "子育て"),
    ]);
    friends
        .update("U-kumohama", at, |f| {
            f.followed(at);
            f.attributes = answers.clone();
        })
        .await
        .unwrap();
    friends
        .update("U-nishizu", at, |f| {
            f.followed(at);
            f.attributes = registered(&[("age_group", "30代"), ("district", "西津")]);
        })
        .await
        .unwrap();

    let raw = p
        .platform
        .table
        .get("FRIEND#U-kumohama", "PROFILE")
        .await
        .unwrap()
        .expect("the friend is stored")
        .body
        .to_string();
    for plain in ["雲浜", "30代", "子育て"] {
        assert!(
            !raw.contains(plain),
            "{plain} is stored in plain text: {raw}"
        );
    }
    assert_eq!(
        friends.get("U-kumohama").await.unwrap().unwrap().attributes,
        answers,
        "the repository opens what it sealed"
    );

    assert_eq!(
        friends.recipients(&thirties_in_kumohama()).await.unwrap(),
        ["U-kumohama"],
        "a delivery to 30代 × 雲浜 still finds them"
    );
    assert_eq!(friends.count(&thirties_in_kumohama()).await.unwrap(), 1);
}
on_both_adapters!(
    a_registration_is_stored_sealed_and_still_targeted,
    Platforms
);

/// Two processes starting at once, neither finding an index key, agree on one: what one
/// hashes, the other matches.
async fn two_cold_starts_agree_on_one_index_key(p: &Platforms) {
    use tayori_records::index_keys::IndexKeyRecord;
    let (first, second) = (
        IndexKeyRecord::new(&p.platform),
        IndexKeyRecord::new(&p.other),
    );
    let (one, two) = tokio::join!(first.keys(), second.keys());
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(
        one.current().segment_key("district", "雲浜"),
        two.current().segment_key("district", "雲浜")
    );
    let at = start();
    tayori_records::Friends::new(&p.platform)
        .update("U1", at, |f| {
            f.followed(at);
            f.attributes = registered(&[("age_group", "30代"), ("district", "雲浜")]);
        })
        .await
        .unwrap();
    assert_eq!(
        tayori_records::Friends::new(&p.other)
            .recipients(&thirties_in_kumohama())
            .await
            .unwrap(),
        ["U1"]
    );
}
on_both_adapters!(two_cold_starts_agree_on_one_index_key, Platforms);

// ---------------------------------------------------------------------------------------------
// Citizens' reports (通報), sealed through their repository

fn a_report(id: &str, user_id: &str, filed_at: DateTime<Utc>) -> tayori_domain::report::Report {
    use tayori_domain::facility::Position;
    use tayori_domain::report::{
        Category, Channel, Contact, Filing, PhotoRef, Report, ReportForm, Reporter,
    };
    let dumping = &Category::defaults()[4];
    Report::file(
        dumping,
        ReportForm {
            position: Position::new(35.4953, 135.7466).unwrap(),
            place_note: Some("市役所裏の空き地".into()),
            photos: vec![PhotoRef {
                key: format!("reports/photos/{id}.jpg"),
                thumbnail_key: format!("media/reports/{id}.jpg"),
                width: 800,
                height: 600,
            }],
            details: "冷蔵庫が捨てられています".into(),
            answers: vec![],
            reporter: Reporter {
                user_id: user_id.into(),
                contact: Some(Contact::new("小浜 花子", "0770-53-1111").unwrap()),
            },
            channel: Channel::Chat,
        },
        Filing {
            id: id.into(),
            receipt: format!("2612-{id}"),
            district: Some("雲浜".into()),
        },
        filed_at,
    )
    .unwrap()
}

/// A report is stored with its reporter sealed and found by its citizen through a keyed hash:
/// the raw table names neither the citizen nor their contact; the staff list reads a period
/// newest first; a change is a conditional write that loses nothing to a concurrent one.
async fn a_report_is_stored_sealed_listed_and_found_by_its_citizen(p: &Platforms) {
    use tayori_domain::report::ReportError;
    use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
    use tayori_records::Reports;
    let reports = Reports::new(&p.platform);
    let at = start();
    let citizen = "U-reporter-kumohama";
    for (id, user, minutes) in [
        ("0001", citizen, 0),
        ("0002", "U-other", 1),
        ("0003", citizen, 2),
    ] {
        reports
            .create(&a_report(id, user, at + Duration::minutes(minutes)), None)
            .await
            .unwrap();
    }
    let mut raw = String::new();
    let mut cursor = None;
    loop {
        let page = p
            .platform
            .table
            .query(tayori_ports::Query::partition("REPORT#0001").after(cursor))
            .await
            .unwrap();
        raw.push_str(&format!("{:?}", page.items));
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert!(raw.contains("冷蔵庫"), "the report itself is there: {raw}");
    for plain in [citizen, "小浜 花子", "0770-53-1111"] {
        assert!(
            !raw.contains(plain),
            "{plain} is stored in plain text: {raw}"
        );
    }
    let got = reports.get("0001").await.unwrap().unwrap();
    assert_eq!(got, a_report("0001", citizen, at));

    // Another process finds the citizen's reports, newest first, and only theirs.
    let theirs = Reports::new(&p.other)
        .of_citizen(citizen, 10)
        .await
        .unwrap();
    let ids: Vec<_> = theirs.iter().map(|r| r.id()).collect();
    assert_eq!(ids, ["0003", "0001"]);
    assert_eq!(reports.of_citizen(citizen, 1).await.unwrap().len(), 1);
    assert!(reports.of_citizen("U-nobody", 10).await.unwrap().is_empty());

    let mut listed = Vec::new();
    reports
        .each_filed_between(Some(at + Duration::minutes(1)), None, |r| {
            listed.push(r.id().to_string())
        })
        .await
        .unwrap();
    assert_eq!(listed, ["0003", "0002"]);
    let mut all = Vec::new();
    reports
        .each_filed_between(None, Some(at + Duration::minutes(2)), |r| {
            all.push(r.id().to_string())
        })
        .await
        .unwrap();
    assert_eq!(all, ["0002", "0001"]);

    let clerk = StaffAccount::new(
        LoginId::parse("kankyo").unwrap(),
        StaffProfile {
            display_name: "環境 一郎".into(),
            department: "環境衛生課".into(),
            permissions: [Permission::ReportsHandle].into_iter().collect(),
            scope: DepartmentScope::Only(["環境衛生課".to_string()].into_iter().collect()),
        },
        "hash".into(),
        at,
    );
    let note = |text: &'static str| {
        let (reports, clerk) = (reports.clone(), clerk.clone());
        async move {
            reports
                .update_seen::<RecordOrRule>("0001", |r| {
                    r.add_note(text, &clerk, at).map_err(Into::into)
                })
                .await
        }
    };
    let (a, b) = tokio::join!(note("一つ目"), note("二つ目"));
    assert!(a.unwrap().is_some() && b.unwrap().is_some());
    assert_eq!(reports.get("0001").await.unwrap().unwrap().notes().len(), 2);
    let refused: Result<_, ReportError> = reports
        .update_seen("0001", |r| r.add_note(" ", &clerk, at).map_err(Into::into))
        .await
        .map_err(|e: RecordOrRule| match e {
            RecordOrRule::Rule(r) => r,
            RecordOrRule::Record(e) => panic!("{e}"),
        });
    assert_eq!(refused, Err(ReportError::EmptyNote));
    assert!(reports
        .update_seen::<RecordOrRule>("9999", |_| Ok(()))
        .await
        .unwrap()
        .is_none());
}
on_both_adapters!(
    a_report_is_stored_sealed_listed_and_found_by_its_citizen,
    Platforms
);

#[derive(Debug)]
enum RecordOrRule {
    Record(tayori_records::RecordError),
    Rule(tayori_domain::report::ReportError),
}

impl From<tayori_records::RecordError> for RecordOrRule {
    fn from(e: tayori_records::RecordError) -> Self {
        Self::Record(e)
    }
}

impl From<tayori_domain::report::ReportError> for RecordOrRule {
    fn from(e: tayori_domain::report::ReportError) -> Self {
        Self::Rule(e)
    }
}

/// Receipt numbers count up once each within a JST month, even when reports are filed at the
/// same moment by two processes; each month starts at 1.
async fn receipt_numbers_are_counted_once_each_per_month(p: &Platforms) {
    use tayori_records::Reports;
    let (one, two) = (Reports::new(&p.platform), Reports::new(&p.other));
    let (a, b, c, d) = tokio::join!(
        one.next_receipt("2612"),
        two.next_receipt("2612"),
        one.next_receipt("2612"),
        two.next_receipt("2612"),
    );
    let mut numbers = vec![a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert_eq!(one.next_receipt("2701").await.unwrap(), 1);
    assert_eq!(two.next_receipt("2612").await.unwrap(), 5);
}
on_both_adapters!(receipt_numbers_are_counted_once_each_per_month, Platforms);

/// A draft is stored sealed, changed only at the version read, consumed by the one filing
/// that confirmed it, and gone a day after its last change.
async fn a_report_draft_is_sealed_consumed_once_and_expires(p: &Platforms) {
    use tayori_domain::facility::Position;
    use tayori_domain::report::{Category, ReportDraft};
    use tayori_records::reports::DRAFT_KEPT;
    use tayori_records::Reports;
    let reports = Reports::new(&p.platform);
    let at = start();
    let citizen = "U-draft-citizen";
    let mut draft = ReportDraft::start(citizen, Category::defaults()[4].clone(), at).unwrap();
    draft
        .locate(
            Position::new(35.4953, 135.7466).unwrap(),
            Some("雲浜一丁目".into()),
            true,
            at,
        )
        .unwrap();
    let stored = reports.replace_draft(&draft).await.unwrap();
    let raw = p
        .platform
        .table
        .get(&format!("REPORTDRAFT#{citizen}"), "DRAFT")
        .await
        .unwrap()
        .unwrap()
        .body
        .to_string();
    assert!(!raw.contains("雲浜一丁目"), "{raw}");
    assert_eq!(reports.draft(citizen).await.unwrap().unwrap(), stored);

    // A write at a version another write has moved past is not made.
    assert!(reports
        .save_draft(&draft, Some(stored.version + 7))
        .await
        .unwrap()
        .is_none());
    let changed = reports
        .update_draft::<tayori_records::RecordError>(citizen, |d| {
            d.photos_done(at).expect("photos are optional for 不法投棄");
            Ok(())
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.version, stored.version + 1);

    // Filing consumes the draft; a second filing from the same confirmation is refused whole.
    let report = a_report("0100", citizen, at);
    reports.create(&report, Some(&changed)).await.unwrap();
    assert!(reports.draft(citizen).await.unwrap().is_none());
    let again = a_report("0101", citizen, at);
    assert!(reports.create(&again, Some(&changed)).await.is_err());
    assert!(
        reports.get("0101").await.unwrap().is_none(),
        "nothing of a refused filing is written"
    );

    let kept = reports.replace_draft(&draft).await.unwrap();
    p.clock.advance(DRAFT_KEPT - Duration::seconds(1));
    assert_eq!(reports.draft(citizen).await.unwrap(), Some(kept));
    p.clock.advance(Duration::seconds(2));
    assert!(
        reports.draft(citizen).await.unwrap().is_none(),
        "gone a day after its last change"
    );
}
on_both_adapters!(
    a_report_draft_is_sealed_consumed_once_and_expires,
    Platforms
);

/// Two cold starts seeding the categories at once store one set; later edits are conditional.
async fn report_categories_are_seeded_once(p: &Platforms) {
    use tayori_domain::report::Category;
    use tayori_records::Reports;
    let (one, two) = (Reports::new(&p.platform), Reports::new(&p.other));
    assert!(one.categories().await.unwrap().is_none());
    let defaults = Category::defaults();
    let (a, b) = tokio::join!(
        one.seed_categories(&defaults),
        two.seed_categories(&defaults)
    );
    assert_eq!(a.unwrap(), defaults);
    assert_eq!(b.unwrap(), defaults);
    let retire = |reports: Reports, n: usize| async move {
        reports
            .update_categories::<tayori_records::RecordError>(|all| {
                all[n].retire();
                Ok(())
            })
            .await
    };
    let (x, y) = tokio::join!(retire(one.clone(), 0), retire(two.clone(), 6));
    x.unwrap();
    y.unwrap();
    let stored = one.categories().await.unwrap().unwrap();
    assert!(
        stored[0].is_retired() && stored[6].is_retired(),
        "both edits kept"
    );
    // The seed does not overwrite edits.
    assert_eq!(two.seed_categories(&defaults).await.unwrap(), stored);
}
on_both_adapters!(report_categories_are_seeded_once, Platforms);
