//! The JMA poll (`scheduler.jma-poll`, every minute from template.yaml's `JmaPollSchedule`;
//! the local run's ticker polls a feed folder instead): reads JMA's feeds and acts on what
//! they say for 小浜市 through `tayori_disaster::Poller`. What the poller cannot read it logs
//! and skips; only a failure to read the rules fails the run.

use async_trait::async_trait;
use std::sync::Arc;
use tayori_disaster::{FeedSource, Poller};
use tayori_ports::{Event, EventHandler, HandlerError, Platform};

/// Detail type of the every-minute JMA poll (scheduler job `jma-poll`).
pub const JMA_POLL: &str = "scheduler.jma-poll";

pub struct JmaPoll {
    poller: Poller,
}

impl JmaPoll {
    pub fn new(platform: Platform, source: Arc<dyn FeedSource>) -> Self {
        Self {
            poller: Poller::new(platform, source),
        }
    }

    /// One poll; its report logged.
    pub async fn run(&self) -> Result<tayori_disaster::PollReport, tayori_disaster::DisasterError> {
        let report = self.poller.poll().await?;
        if report != tayori_disaster::PollReport::default() {
            tracing::info!(?report, "JMA poll");
        }
        Ok(report)
    }
}

#[async_trait]
impl EventHandler for JmaPoll {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        self.run()
            .await
            .map(|_| ())
            .map_err(|e| HandlerError::failed(&event, e))
    }
}
