//! Spaces requests out to a rate: each caller gets the next free slot, `1/rate` after the
//! previous one, and sleeps until it. Concurrent callers queue in slot order, so N requests
//! take at least (N-1)/rate seconds however many tasks send them.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// `0` means unpaced.
    pub fn per_second(rate: u32) -> Pacer {
        Pacer {
            interval: (rate > 0).then(|| Duration::from_secs(1) / rate),
            next: Mutex::new(None),
        }
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            // A poisoned lock only means another sender panicked; the slot is still valid.
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ten_paced_calls_at_50_per_second_take_at_least_180_ms() {
        let pacer = Pacer::per_second(50);
        let start = std::time::Instant::now();
        for _ in 0..10 {
            pacer.wait().await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(180),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn an_unpaced_pacer_does_not_wait() {
        let pacer = Pacer::per_second(0);
        let start = std::time::Instant::now();
        for _ in 0..1000 {
            pacer.wait().await;
        }
        assert!(start.elapsed() < Duration::from_millis(100));
    }
}
