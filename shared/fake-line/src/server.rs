//! The fake server's handle: cheap to clone, shared by the router, the tests and the simulator.

use crate::api;
use crate::controls::{Controls, Fault, Latency, Mishap, MishapKind};
use crate::record::RecordedRequest;
use crate::world::{Image, World};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A fake LINE Platform (api.line.me and api-data.line.me on one origin).
#[derive(Clone, Default)]
pub struct FakeLine {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: AtomicU64,
    /// Request bodies are recorded as their size only (see [`FakeLine::tally_only`]).
    tally_only: AtomicBool,
    records: Mutex<Vec<RecordedRequest>>,
    controls: Mutex<Controls>,
    world: Mutex<World>,
}

/// A poisoned lock only means a test panicked mid-request; the data is still the best we have.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl std::fmt::Debug for FakeLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeLine")
            .field("requests", &lock(&self.inner.records).len())
            .finish()
    }
}

impl FakeLine {
    pub fn new() -> FakeLine {
        FakeLine::default()
    }

    /// A fake that counts rather than keeps, for benchmarks at a million recipients: request
    /// bodies are recorded as `{"bytes": n}` and sends are only counted per user
    /// ([`FakeLine::delivery_tally`]), so `sent_messages_to` stays empty. Kept in full, 1M
    /// recipients would cost a copy of the messages per recipient plus every request's JSON.
    pub fn tally_only() -> FakeLine {
        let fake = FakeLine::default();
        fake.inner.tally_only.store(true, Ordering::Relaxed);
        fake.world().tally_only = true;
        fake
    }

    /// LINE's endpoints plus the `/_line/*` control routes, to serve alone or merge into
    /// another router at its root.
    pub fn router(&self) -> axum::Router {
        api::router(self.clone())
    }

    /// Serves [`FakeLine::router`] on 127.0.0.1 at a free port; answers the base URL
    /// (`http://127.0.0.1:<port>`) and the server task.
    pub async fn serve(&self) -> (String, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind 127.0.0.1:0 for the fake LINE server");
        let address = listener.local_addr().expect("bound address");
        let router = self.router();
        let handle = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "fake LINE server stopped");
            }
        });
        (format!("http://{address}"), handle)
    }

    /// Every request received, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        let mut records = lock(&self.inner.records).clone();
        // Recorded when answered; with latency, answers can finish out of order.
        records.sort_by_key(|r| r.id);
        records
    }

    /// Forgets the recorded requests (the channel's state, such as rich menus, stays).
    pub fn clear(&self) {
        lock(&self.inner.records).clear();
    }

    pub fn inject_faults(&self, fault: Fault) {
        lock(&self.inner.controls).faults.push(fault);
    }

    /// Makes one request further on go wrong (see [`Mishap`]).
    pub fn schedule(&self, mishap: Mishap) {
        lock(&self.inner.controls).mishaps.push(mishap);
    }

    /// How many scheduled mishaps have happened since the controls were last reset: a test
    /// that must act the moment LINE lost an answer watches this.
    pub fn mishaps_happened(&self) -> usize {
        lock(&self.inner.controls).mishaps_happened
    }

    /// Delay before every LINE request is handled.
    pub fn set_latency(&self, latency: Duration) {
        self.set_latency_between(latency, latency);
    }

    /// A delay drawn for each LINE request between `least` and `most` (uniformly), as LINE's
    /// answer times vary: load tests see requests overtake each other as they would in AWS.
    pub fn set_latency_between(&self, least: Duration, most: Duration) {
        lock(&self.inner.controls).latency = Latency {
            least,
            most: most.max(least),
        };
    }

    /// Requests whose path starts with `path` beyond `per_second` within any 1 s window are
    /// answered 429.
    pub fn enforce_rate_limit(&self, path: &str, per_second: u32) {
        lock(&self.inner.controls).limit(path, per_second);
    }

    /// Clears faults, mishaps, latency and rate limits.
    pub fn reset_controls(&self) {
        lock(&self.inner.controls).reset();
    }

    /// Registers a friend of the channel, so that the profile API knows them and broadcasts
    /// reach them.
    pub fn add_user(&self, user_id: &str, display_name: &str) {
        lock(&self.inner.world)
            .users
            .insert(user_id.to_string(), display_name.to_string());
    }

    /// Sets the month's target limit the quota API answers (`None`: no limit, LINE's
    /// `"type": "none"`). The consumption it answers is every send delivered so far.
    pub fn set_message_quota(&self, limit: Option<u64>) {
        lock(&self.inner.world).message_quota = limit;
    }

    /// What the insight API answers for followers: ever added, reachable by targeted
    /// messages, blocking.
    pub fn set_followers(&self, followers: u64, targeted_reaches: u64, blocks: u64) {
        lock(&self.inner.world).followers = Some((followers, targeted_reaches, blocks));
    }

    /// Friends of the channel: user id → display name.
    pub fn users(&self) -> Vec<(String, String)> {
        lock(&self.inner.world)
            .users
            .iter()
            .map(|(id, name)| (id.clone(), name.clone()))
            .collect()
    }

    /// What the content API answers for `message_id` (by default a small PNG): the simulator
    /// stores the image a citizen "sent" here, for the bot to fetch as LINE's content.
    pub fn put_content(
        &self,
        message_id: &str,
        bytes: impl Into<Bytes>,
        content_type: impl AsRef<str>,
    ) {
        lock(&self.inner.world).contents.insert(
            message_id.to_string(),
            Image {
                content_type: content_type.as_ref().to_string(),
                bytes: bytes.into(),
            },
        );
    }

    /// What [`FakeLine::put_content`] stored for `message_id`: its content type and bytes
    /// (`None` for a message nobody gave content, though the API answers a default PNG).
    pub fn content(&self, message_id: &str) -> Option<(String, Bytes)> {
        lock(&self.inner.world)
            .contents
            .get(message_id)
            .map(|image| (image.content_type.clone(), image.bytes.clone()))
    }

    /// The next `times` requests for `message_id`'s content are answered `status` with LINE's
    /// error body for it: 500 while LINE's content API is failing, 404 once LINE no longer
    /// keeps the content (it deletes what users sent after a while). Requests for other
    /// messages are not affected.
    pub fn fail_content(&self, message_id: &str, status: u16, times: usize) {
        self.inject_faults(Fault {
            path: content_path(message_id),
            status,
            count: times,
            body: None,
        });
    }

    /// Messages delivered to a user by push, multicast or broadcast (to registered users),
    /// oldest first.
    pub fn sent_messages_to(&self, user_id: &str) -> Vec<Value> {
        lock(&self.inner.world)
            .inboxes
            .get(user_id)
            .cloned()
            .unwrap_or_default()
    }

    /// How many users received sends (push, multicast, broadcast) and how many copies each got.
    pub fn delivery_tally(&self) -> DeliveryTally {
        let world = lock(&self.inner.world);
        DeliveryTally {
            recipients: world.sends_received.len() as u64,
            copies: world.sends_received.values().map(|&n| u64::from(n)).sum(),
            most_to_one_user: world.sends_received.values().copied().max().unwrap_or(0),
        }
    }

    /// Messages sent with a reply token.
    pub fn replies_for(&self, reply_token: &str) -> Vec<Value> {
        lock(&self.inner.world)
            .replies
            .get(reply_token)
            .cloned()
            .unwrap_or_default()
    }

    /// The rich menu linked to a user, or else the default one: what the user sees.
    pub fn rich_menu_of(&self, user_id: &str) -> Option<String> {
        let world = lock(&self.inner.world);
        world
            .links
            .get(user_id)
            .cloned()
            .or_else(|| world.default_menu.clone())
    }

    /// A rich menu as LINE keeps it: the body it was created from, with `richMenuId`.
    pub fn rich_menu(&self, id: &str) -> Option<Value> {
        lock(&self.inner.world)
            .menus
            .get(id)
            .map(|m| m.body.clone())
    }

    /// A rich menu's uploaded image: its content type and bytes.
    pub fn rich_menu_image(&self, id: &str) -> Option<(String, Bytes)> {
        let world = lock(&self.inner.world);
        let image = world.menus.get(id)?.image.as_ref()?;
        Some((image.content_type.clone(), image.bytes.clone()))
    }

    /// The rich menu an alias points at (what a tab switch shows).
    pub fn rich_menu_of_alias(&self, alias: &str) -> Option<String> {
        lock(&self.inner.world).aliases.get(alias).cloned()
    }

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.inner.world)
    }

    pub(crate) fn is_tally_only(&self) -> bool {
        self.inner.tally_only.load(Ordering::Relaxed)
    }

    pub(crate) fn next_request_id(&self) -> u64 {
        self.inner.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        lock(&self.inner.records).push(request);
    }

    /// The delay for the request at hand.
    pub(crate) fn latency(&self) -> Duration {
        let latency = lock(&self.inner.controls).latency;
        latency.pick()
    }

    pub(crate) fn take_fault(&self, path: &str) -> Option<Fault> {
        lock(&self.inner.controls).take_fault(path)
    }

    pub(crate) fn take_mishap(&self, path: &str) -> Option<MishapKind> {
        lock(&self.inner.controls).take_mishap(path)
    }

    pub(crate) fn over_rate_limit(&self, path: &str, now: Instant) -> bool {
        lock(&self.inner.controls).over_limit(path, now)
    }
}

/// The content API's path for a message; exact, so that a fault for message 42 does not
/// also hit message 420 (faults match by prefix).
fn content_path(message_id: &str) -> String {
    format!("/v2/bot/message/{message_id}/content")
}

/// Who received sends, in sum: `copies == recipients` and `most_to_one_user == 1` mean every
/// recipient got exactly one copy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryTally {
    /// Distinct users who received at least one send.
    pub recipients: u64,
    /// Sends received, summed over users (a multicast to 500 counts 500).
    pub copies: u64,
    /// The most sends any one user received.
    pub most_to_one_user: u32,
}
