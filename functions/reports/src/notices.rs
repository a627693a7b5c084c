//! `report.status-changed` from the bus: staff moved a report in a way its citizen must hear
//! of. The notice (`tayori_reporting::chat::status_notice`) is pushed under the retry key
//! `report/<id>/<change>`, so a retried event never pushes twice, and the report records that
//! it was told (a redelivered event after that pushes nothing). A citizen who blocked the
//! account is not pushed; the report's history records that the notice was not sent.

use async_trait::async_trait;
use std::sync::Arc;
use tayori_line::{LineClient, RetryKeys};
use tayori_ports::{Event, EventHandler, HandlerError, Platform};
use tayori_records::Friends;
use tayori_reporting::chat::status_notice;
use tayori_reporting::{DeskError, ReportDesk, ReportStatusChanged};

pub struct StatusNoticeHandler {
    pub platform: Platform,
    pub desk: Arc<ReportDesk>,
    pub line: Arc<LineClient>,
    /// Where `/media/` is served over https: the notice's thumbnail.
    pub media_base_url: String,
}

impl StatusNoticeHandler {
    pub fn new(platform: Platform, line: Arc<LineClient>, media_base_url: String) -> Self {
        Self {
            desk: Arc::new(ReportDesk::new(&platform)),
            platform,
            line,
            media_base_url,
        }
    }
}

#[async_trait]
impl EventHandler for StatusNoticeHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let changed: ReportStatusChanged = serde_json::from_value(event.detail.clone())
            .map_err(|e| HandlerError::malformed(&event, e))?;
        let report = match self.desk.get(&changed.report_id).await {
            Ok(report) => report,
            Err(DeskError::NotFound) => {
                return Err(HandlerError::malformed(&event, "no such report"))
            }
            Err(e) => return Err(HandlerError::failed(&event, e)),
        };
        let index = changed.change_index;
        let Some(entry) = report.history().get(index).filter(|e| e.tell_citizen) else {
            return Err(HandlerError::malformed(&event, "not a change to tell"));
        };
        if entry.told_at.is_some() || entry.not_sent_at.is_some() {
            tracing::info!(
                report_id = report.id(),
                index,
                "status notice already settled"
            );
            return Ok(());
        }
        let user_id = report.reporter().user_id.clone();
        let friend = Friends::new(&self.platform)
            .get(&user_id)
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        if friend.is_some_and(|f| !f.can_receive_messages()) {
            self.desk
                .record_not_sent(report.id(), index)
                .await
                .map_err(|e| HandlerError::failed(&event, e))?;
            tracing::info!(
                report_id = report.id(),
                index,
                "citizen blocked the account; status notice not sent"
            );
            return Ok(());
        }
        let Some(notice) = status_notice(&report, index, &self.media_base_url) else {
            return Err(HandlerError::malformed(&event, "not a change to tell"));
        };
        let keys = RetryKeys::new(self.platform.table.clone(), self.platform.clock.clone());
        let key = keys
            .key_for(&format!("report/{}/{index}", report.id()))
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        self.line
            .push(&user_id, vec![notice], key)
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        self.desk
            .record_told(report.id(), index)
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        tracing::info!(report_id = report.id(), index, "status notice pushed");
        Ok(())
    }
}
