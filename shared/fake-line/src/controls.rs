//! The misbehaviour a test can ask for: injected errors, latency, rate limits.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The next `count` requests whose path starts with `path` are answered with `status` and
/// `body` (or a LINE-style error body for that status).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub path: String,
    pub status: u16,
    pub count: usize,
    #[serde(default)]
    pub body: Option<Value>,
}

/// One request further on that goes wrong on purpose: the `nth` (1 = the next) request whose
/// path starts with `path`, counted from when it is scheduled. Unlike a [`Fault`], it can hit
/// one request in the middle of a run (the third multicast, say) and it can lose an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mishap {
    pub path: String,
    pub nth: usize,
    pub kind: MishapKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MishapKind {
    /// Refused with this status and LINE's error body for it; LINE does nothing.
    Status(u16),
    /// LINE does what was asked, then the connection drops before any answer: the caller
    /// cannot tell that it took effect (resent under the same retry key, it is answered 409).
    AnswerLost,
}

#[derive(Debug)]
pub(crate) struct RateLimit {
    pub path: String,
    pub per_second: u32,
    accepted: VecDeque<Instant>,
}

/// How long the fake waits before handling each request: none by default; a fixed time, or a
/// time drawn anew for each request (LINE's answer times vary, and a fixed delay would make
/// every request of a burst finish together).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Latency {
    pub least: Duration,
    pub most: Duration,
}

impl Latency {
    pub fn pick(&self) -> Duration {
        if self.most <= self.least {
            return self.least;
        }
        let spread = (self.most - self.least).as_micros() as u64;
        self.least
            + Duration::from_micros(rand::Rng::gen_range(&mut rand::thread_rng(), 0..=spread))
    }
}

#[derive(Debug, Default)]
pub(crate) struct Controls {
    pub faults: Vec<Fault>,
    pub latency: Latency,
    pub limits: Vec<RateLimit>,
    /// Scheduled mishaps with the matching requests still to pass before each.
    pub mishaps: Vec<Mishap>,
    /// Mishaps that have happened since the last reset.
    pub mishaps_happened: usize,
}

impl Controls {
    /// Takes one use of the first fault matching `path`, if any.
    pub fn take_fault(&mut self, path: &str) -> Option<Fault> {
        let index = self
            .faults
            .iter()
            .position(|f| f.count > 0 && path.starts_with(&f.path))?;
        let fault = &mut self.faults[index];
        fault.count -= 1;
        let taken = fault.clone();
        if fault.count == 0 {
            self.faults.remove(index);
        }
        Some(taken)
    }

    /// Counts a request to `path` against every scheduled mishap it matches and answers the
    /// one it is due for. Two mishaps due at the same request: the first scheduled happens,
    /// the other is dropped (one request can go wrong only one way).
    pub fn take_mishap(&mut self, path: &str) -> Option<MishapKind> {
        let mut due = None;
        self.mishaps.retain_mut(|m| {
            if !path.starts_with(&m.path) {
                return true;
            }
            m.nth = m.nth.saturating_sub(1);
            if m.nth > 0 {
                return true;
            }
            due.get_or_insert(m.kind);
            false
        });
        if due.is_some() {
            self.mishaps_happened += 1;
        }
        due
    }

    pub fn limit(&mut self, path: &str, per_second: u32) {
        self.limits.retain(|l| l.path != path);
        self.limits.push(RateLimit {
            path: path.to_string(),
            per_second,
            accepted: VecDeque::new(),
        });
    }

    /// True when a request to `path` now would exceed a limit (a 1 s sliding window of the
    /// requests let through). A request let through counts against every limit it matches.
    pub fn over_limit(&mut self, path: &str, now: Instant) -> bool {
        let window = Duration::from_secs(1);
        let mut over = false;
        for limit in self.limits.iter_mut().filter(|l| path.starts_with(&l.path)) {
            while limit
                .accepted
                .front()
                .is_some_and(|&t| now.duration_since(t) >= window)
            {
                limit.accepted.pop_front();
            }
            if limit.accepted.len() >= limit.per_second as usize {
                over = true;
            }
        }
        if !over {
            for limit in self.limits.iter_mut().filter(|l| path.starts_with(&l.path)) {
                limit.accepted.push_back(now);
            }
        }
        over
    }

    pub fn reset(&mut self) {
        *self = Controls::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_used_up_after_count_matching_requests() {
        let mut controls = Controls::default();
        controls.faults.push(Fault {
            path: "/v2/bot/message".into(),
            status: 500,
            count: 2,
            body: None,
        });
        assert!(controls.take_fault("/v2/bot/profile/U1").is_none());
        assert_eq!(
            controls.take_fault("/v2/bot/message/push").unwrap().status,
            500
        );
        assert!(controls.take_fault("/v2/bot/message/multicast").is_some());
        assert!(controls.take_fault("/v2/bot/message/push").is_none());
    }

    #[test]
    fn a_mishap_hits_only_the_nth_matching_request() {
        let mut controls = Controls::default();
        controls.mishaps.push(Mishap {
            path: "/v2/bot/message/multicast".into(),
            nth: 2,
            kind: MishapKind::AnswerLost,
        });
        assert_eq!(controls.take_mishap("/v2/bot/profile/U1"), None);
        assert_eq!(controls.take_mishap("/v2/bot/message/multicast"), None);
        assert_eq!(controls.mishaps_happened, 0);
        assert_eq!(
            controls.take_mishap("/v2/bot/message/multicast"),
            Some(MishapKind::AnswerLost)
        );
        assert_eq!(controls.take_mishap("/v2/bot/message/multicast"), None);
        assert_eq!(controls.mishaps_happened, 1);
    }

    #[test]
    fn a_latency_range_is_drawn_within_its_bounds_and_varies() {
        let latency = Latency {
            least: Duration::from_millis(50),
            most: Duration::from_millis(300),
        };
        let picked: Vec<Duration> = (0..200).map(|_| latency.pick()).collect();
        assert!(picked
            .iter()
            .all(|d| (Duration::from_millis(50)..=Duration::from_millis(300)).contains(d)));
        assert!(picked.iter().any(|d| *d < Duration::from_millis(100)));
        assert!(picked.iter().any(|d| *d > Duration::from_millis(250)));
        assert_eq!(Latency::default().pick(), Duration::ZERO);
    }

    #[test]
    fn the_rate_limit_window_slides() {
        let mut controls = Controls::default();
        controls.limit("/v2/bot/message/multicast", 2);
        let t0 = Instant::now();
        let path = "/v2/bot/message/multicast";
        assert!(!controls.over_limit(path, t0));
        assert!(!controls.over_limit(path, t0 + Duration::from_millis(500)));
        assert!(controls.over_limit(path, t0 + Duration::from_millis(900)));
        assert!(!controls.over_limit("/v2/bot/message/push", t0 + Duration::from_millis(900)));
        // The first request leaves the window at t0 + 1 s.
        assert!(!controls.over_limit(path, t0 + Duration::from_millis(1000)));
        assert!(controls.over_limit(path, t0 + Duration::from_millis(1100)));
    }
}
