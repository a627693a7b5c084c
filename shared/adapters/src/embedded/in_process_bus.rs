//! `EventBus` in one process: each published event goes to every handler subscribed to its
//! detail type, on its own tokio task, so `publish` returns as soon as the events are accepted,
//! as PutEvents does. A failing handler is retried a few times with a growing pause, like
//! EventBridge's asynchronous retries; an event that still fails is logged and kept as a dead
//! letter, never dropped silently.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tayori_ports::bus::validate_event;
use tayori_ports::{BusError, Event, EventBus, EventHandler, HandlerError};
use tokio::sync::Notify;

/// PutEvents accepts at most this many entries per call; the local bus refuses more too, so a
/// caller that would fail in AWS fails here first.
pub const MAX_EVENTS_PER_PUBLISH: usize = 10;
const DEFAULT_ATTEMPTS: u32 = 3;
const DEFAULT_BACKOFF: Duration = Duration::from_millis(200);

/// An event a handler kept failing on, with the last error as it was logged.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadLetter {
    pub event: Event,
    pub error: String,
}

type Handlers = HashMap<String, Vec<Arc<dyn EventHandler>>>;

pub struct InProcessBus {
    handlers: RwLock<Handlers>,
    in_flight: Arc<InFlight>,
    dead_letters: Arc<Mutex<Vec<DeadLetter>>>,
    attempts: u32,
    backoff: Duration,
}

/// Deliveries not yet finished, and a signal for `settle` when none are left.
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// Held by each delivery task; released on drop so that even a cancelled task is counted out.
struct Ticket(Arc<InFlight>);

impl Ticket {
    fn take(in_flight: &Arc<InFlight>) -> Self {
        in_flight.count.fetch_add(1, Ordering::SeqCst);
        Self(in_flight.clone())
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcessBus {
    /// Three attempts per delivery, pausing 200 ms, then 400 ms between them.
    pub fn new() -> Self {
        Self::with_retries(DEFAULT_ATTEMPTS, DEFAULT_BACKOFF)
    }

    /// `attempts` deliveries at most (at least one), pausing `backoff × attempt` in between.
    pub fn with_retries(attempts: u32, backoff: Duration) -> Self {
        Self {
            handlers: RwLock::new(HashMap::new()),
            in_flight: Arc::new(InFlight::default()),
            dead_letters: Arc::new(Mutex::new(Vec::new())),
            attempts: attempts.max(1),
            backoff,
        }
    }

    /// Delivers every later event of `detail_type` to `handler` too.
    pub fn subscribe(&self, detail_type: &str, handler: Arc<dyn EventHandler>) {
        self.handlers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(detail_type.to_owned())
            .or_default()
            .push(handler);
    }

    /// Waits until every delivery has finished, including those of events that handlers
    /// published while handling.
    pub async fn settle(&self) {
        loop {
            let idle = self.in_flight.idle.notified();
            tokio::pin!(idle);
            // Registered before the count is read, so a delivery ending in between still wakes us.
            idle.as_mut().enable();
            if self.in_flight.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Events whose handler failed on every attempt, oldest first.
    pub fn dead_letters(&self) -> Vec<DeadLetter> {
        self.dead_letters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn handlers_for(&self, detail_type: &str) -> Vec<Arc<dyn EventHandler>> {
        self.handlers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(detail_type)
            .cloned()
            .unwrap_or_default()
    }
}

#[async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        if events.len() > MAX_EVENTS_PER_PUBLISH {
            return Err(BusError::Invalid(format!(
                "{} events in one publish; the limit is {MAX_EVENTS_PER_PUBLISH}",
                events.len()
            )));
        }
        for event in &events {
            validate_event(event)?;
        }
        for event in events {
            let handlers = self.handlers_for(&event.detail_type);
            if handlers.is_empty() {
                // Like an EventBridge event that no rule matches.
                tracing::debug!(detail_type = %event.detail_type, "no handler for event");
            }
            for handler in handlers {
                let delivery = Delivery {
                    handler,
                    event: event.clone(),
                    attempts: self.attempts,
                    backoff: self.backoff,
                    dead_letters: self.dead_letters.clone(),
                };
                let ticket = Ticket::take(&self.in_flight);
                tokio::spawn(async move {
                    let _ticket = ticket;
                    delivery.run().await;
                });
            }
        }
        Ok(())
    }
}

struct Delivery {
    handler: Arc<dyn EventHandler>,
    event: Event,
    attempts: u32,
    backoff: Duration,
    dead_letters: Arc<Mutex<Vec<DeadLetter>>>,
}

impl Delivery {
    async fn run(self) {
        for attempt in 1..=self.attempts {
            let handler = self.handler.clone();
            let event = self.event.clone();
            // Its own task, so a panicking handler counts as a failed attempt.
            let error = match tokio::spawn(async move { handler.handle(event).await }).await {
                Ok(Ok(())) => return,
                Ok(Err(error)) => error,
                Err(join) => HandlerError::failed(&self.event, format!("handler panicked: {join}")),
            };
            if attempt < self.attempts {
                tracing::warn!(detail_type = %self.event.detail_type, attempt, %error, "event handler failed; retrying");
                tokio::time::sleep(self.backoff * attempt).await;
            } else {
                tracing::error!(detail_type = %self.event.detail_type, attempts = self.attempts, %error, "event handler failed on every attempt; kept as a dead letter");
                self.dead_letters
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(DeadLetter {
                        event: self.event,
                        error: error.to_string(),
                    });
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Fails its first `failures` calls, then records the events it handles.
    struct Flaky {
        failures: AtomicUsize,
        calls: AtomicUsize,
        seen: Mutex<Vec<Event>>,
    }

    impl Flaky {
        fn new(failures: usize) -> Arc<Self> {
            Arc::new(Self {
                failures: AtomicUsize::new(failures),
                calls: AtomicUsize::new(0),
                seen: Mutex::new(Vec::new()),
            })
        }
    }

    #[async_trait]
    impl EventHandler for Flaky {
        async fn handle(&self, event: Event) -> Result<(), HandlerError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let left = self.failures.load(Ordering::SeqCst);
            if left > 0 {
                self.failures.store(left - 1, Ordering::SeqCst);
                return Err(HandlerError::failed(&event, "not yet"));
            }
            self.seen.lock().unwrap().push(event);
            Ok(())
        }
    }

    /// Publishes a follow-up event, as a function's handler may.
    struct Chain {
        bus: Arc<InProcessBus>,
    }

    #[async_trait]
    impl EventHandler for Chain {
        async fn handle(&self, event: Event) -> Result<(), HandlerError> {
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.bus
                .publish(vec![Event::new("second", json!({}))])
                .await
                .map_err(|e| HandlerError::failed(&event, e))
        }
    }

    struct Panics;

    #[async_trait]
    impl EventHandler for Panics {
        async fn handle(&self, _event: Event) -> Result<(), HandlerError> {
            panic!("handler bug");
        }
    }

    fn fast_bus() -> Arc<InProcessBus> {
        Arc::new(InProcessBus::with_retries(3, Duration::from_millis(1)))
    }

    #[tokio::test]
    async fn a_handler_that_fails_once_is_retried_and_the_event_is_handled() {
        let bus = fast_bus();
        let handler = Flaky::new(1);
        bus.subscribe("report.created", handler.clone());
        bus.publish(vec![Event::new("report.created", json!({"id": 1}))])
            .await
            .unwrap();
        bus.settle().await;
        assert_eq!(handler.calls.load(Ordering::SeqCst), 2);
        assert_eq!(handler.seen.lock().unwrap().len(), 1);
        assert!(bus.dead_letters().is_empty());
    }

    #[tokio::test]
    async fn an_event_that_fails_every_attempt_becomes_a_dead_letter() {
        let bus = fast_bus();
        let handler = Flaky::new(usize::MAX);
        bus.subscribe("report.created", handler.clone());
        let event = Event::new("report.created", json!({"id": 1}));
        bus.publish(vec![event.clone()]).await.unwrap();
        bus.settle().await;
        assert_eq!(handler.calls.load(Ordering::SeqCst), 3);
        assert_eq!(
            bus.dead_letters(),
            vec![DeadLetter {
                event,
                error: "report.created: not yet".into()
            }]
        );
    }

    #[tokio::test]
    async fn a_panicking_handler_neither_hangs_settle_nor_loses_the_event() {
        let bus = fast_bus();
        bus.subscribe("x", Arc::new(Panics));
        bus.publish(vec![Event::new("x", json!({}))]).await.unwrap();
        bus.settle().await;
        let dead = bus.dead_letters();
        assert_eq!(dead.len(), 1);
        assert!(
            dead[0].error.starts_with("x: handler panicked"),
            "{}",
            dead[0].error
        );
    }

    #[tokio::test]
    async fn settle_waits_for_events_published_by_handlers() {
        let bus = fast_bus();
        let second = Flaky::new(0);
        bus.subscribe("first", Arc::new(Chain { bus: bus.clone() }));
        bus.subscribe("second", second.clone());
        bus.publish(vec![Event::new("first", json!({}))])
            .await
            .unwrap();
        bus.settle().await;
        assert_eq!(second.seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn every_subscriber_of_a_detail_type_gets_the_event_and_others_do_not() {
        let bus = fast_bus();
        let (a, b, other) = (Flaky::new(0), Flaky::new(0), Flaky::new(0));
        bus.subscribe("t", a.clone());
        bus.subscribe("t", b.clone());
        bus.subscribe("u", other.clone());
        bus.publish(vec![Event::new("t", json!({}))]).await.unwrap();
        bus.settle().await;
        assert_eq!(a.seen.lock().unwrap().len(), 1);
        assert_eq!(b.seen.lock().unwrap().len(), 1);
        assert!(other.seen.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_batch_with_one_invalid_event_delivers_nothing() {
        let bus = fast_bus();
        let handler = Flaky::new(0);
        bus.subscribe("t", handler.clone());
        let result = bus
            .publish(vec![
                Event::new("t", json!({})),
                Event::new("t", json!("not an object")),
            ])
            .await;
        bus.settle().await;
        assert!(matches!(result, Err(BusError::Invalid(_))));
        assert_eq!(handler.calls.load(Ordering::SeqCst), 0);
    }
}
