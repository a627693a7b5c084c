//! The child-rearing desk (子育て情報の窓口): a citizen's children and opt-out, and the schedule
//! staff keep.

use crate::ChildcareError;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::sync::Arc;
use tayori_domain::childcare::{
    Birth, Child, ChildcareSubscription, Stage, StageError, StageSchedule, YearMonth,
};
use tayori_domain::staff::{Permission, StaffAccount};
use tayori_domain::time::to_jst;
use tayori_ports::{Clock, Platform};
use tayori_records::children::ChildcareSettings;
use tayori_records::{AuditEntry, AuditLog, ChildcareRecords};

/// Who may change the schedule: its messages go out to citizens unreviewed, as a delivery
/// released by someone who may send.
pub const SCHEDULE_PERMISSION: Permission = Permission::DeliverySend;

/// The staff member acting, and where from: what the audit log records beside each change.
#[derive(Clone, Copy, Debug)]
pub struct Clerk<'a> {
    pub account: &'a StaffAccount,
    /// The request's address, or `-` when there is none.
    pub ip: &'a str,
}

pub struct ChildcareDesk {
    records: ChildcareRecords,
    audit: AuditLog,
    clock: Arc<dyn Clock>,
}

impl ChildcareDesk {
    pub fn new(platform: &Platform) -> Self {
        Self {
            records: ChildcareRecords::new(platform),
            audit: AuditLog::new(platform.table.clone()),
            clock: platform.clock.clone(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn today(&self) -> NaiveDate {
        to_jst(self.now()).date_naive()
    }

    // ---- the citizen -------------------------------------------------------------------------

    /// The citizen's children and whether they stopped the messages.
    pub async fn subscription(
        &self,
        user_id: &str,
    ) -> Result<ChildcareSubscription, ChildcareError> {
        Ok(self.records.subscription(user_id).await?)
    }

    /// Registers a child by birth month or due date; answers the child as registered.
    pub async fn register_child(
        &self,
        user_id: &str,
        birth: Birth,
        nickname: Option<&str>,
    ) -> Result<Child, ChildcareError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let child = Child::new(id, birth, nickname, self.today())?;
        self.records
            .update(user_id, |s| s.add(child.clone()))
            .await??;
        Ok(child)
    }

    /// The child was born: ages count from `month` from now on.
    pub async fn record_birth(
        &self,
        user_id: &str,
        child_id: &str,
        month: YearMonth,
    ) -> Result<(), ChildcareError> {
        let today = self.today();
        self.records
            .update(user_id, |s| s.record_birth(child_id, month, today))
            .await??;
        Ok(())
    }

    /// Removes a child; nothing more is sent for them.
    pub async fn remove_child(&self, user_id: &str, child_id: &str) -> Result<(), ChildcareError> {
        self.records
            .update(user_id, |s| s.remove(child_id).map(|_| ()))
            .await??;
        Ok(())
    }

    /// Stops the messages (配信停止) until the citizen asks for them again; the children stay.
    pub async fn opt_out(&self, user_id: &str) -> Result<(), ChildcareError> {
        self.records
            .update(user_id, |s| {
                s.opt_out();
                Ok::<_, ChildcareError>(())
            })
            .await??;
        Ok(())
    }

    pub async fn opt_in(&self, user_id: &str) -> Result<(), ChildcareError> {
        self.records
            .update(user_id, |s| {
                s.opt_in();
                Ok::<_, ChildcareError>(())
            })
            .await??;
        Ok(())
    }

    // ---- staff -------------------------------------------------------------------------------

    /// The schedule and send time (an empty schedule at 10:00 until staff save one).
    pub async fn settings(&self) -> Result<ChildcareSettings, ChildcareError> {
        Ok(self.records.settings().await?)
    }

    /// Saves the schedule and the send time (JST), in the audit log.
    pub async fn save_settings(
        &self,
        clerk: Clerk<'_>,
        schedule: StageSchedule,
        send_at: NaiveTime,
    ) -> Result<(), ChildcareError> {
        let (before, after) = self
            .change(clerk, |settings| {
                settings.schedule = schedule.clone();
                settings.send_at = send_at;
                Ok(())
            })
            .await?;
        self.audit(clerk, &before, &after, None).await
    }

    /// Adds a stage to the schedule.
    pub async fn add_stage(&self, clerk: Clerk<'_>, stage: Stage) -> Result<(), ChildcareError> {
        let what = format!("追加「{}」{}", stage.id(), stage.title());
        let (before, after) = self
            .change(clerk, |settings| settings.schedule.add(stage.clone()))
            .await?;
        self.audit(clerk, &before, &after, Some(what)).await
    }

    /// Puts `stage` in place of the stage with its id.
    pub async fn replace_stage(
        &self,
        clerk: Clerk<'_>,
        stage: Stage,
    ) -> Result<(), ChildcareError> {
        let what = format!("変更「{}」{}", stage.id(), stage.title());
        let (before, after) = self
            .change(clerk, |settings| settings.schedule.replace(stage.clone()))
            .await?;
        self.audit(clerk, &before, &after, Some(what)).await
    }

    /// Takes a stage out of the schedule; answers it.
    pub async fn remove_stage(&self, clerk: Clerk<'_>, id: &str) -> Result<Stage, ChildcareError> {
        let (before, after) = self
            .change(clerk, |settings| settings.schedule.remove(id).map(|_| ()))
            .await?;
        let removed = before
            .schedule
            .stage(id)
            .cloned()
            .ok_or(StageError::NotFound)?;
        let what = format!("削除「{}」{}", removed.id(), removed.title());
        self.audit(clerk, &before, &after, Some(what)).await?;
        Ok(removed)
    }

    /// Changes the time of day (JST) the stages are sent at.
    pub async fn set_send_time(
        &self,
        clerk: Clerk<'_>,
        send_at: NaiveTime,
    ) -> Result<(), ChildcareError> {
        let (before, after) = self
            .change(clerk, |settings| {
                settings.send_at = send_at;
                Ok(())
            })
            .await?;
        self.audit(clerk, &before, &after, None).await
    }

    /// Every change to the settings passes here: the permission, then the change applied to
    /// the settings as stored (again, if another clerk saved first). Answers before and after.
    async fn change(
        &self,
        clerk: Clerk<'_>,
        change: impl Fn(&mut ChildcareSettings) -> Result<(), StageError>,
    ) -> Result<(ChildcareSettings, ChildcareSettings), ChildcareError> {
        if !clerk.account.may(SCHEDULE_PERMISSION) {
            return Err(ChildcareError::NotAllowed);
        }
        Ok(self.records.update_settings(change).await??)
    }

    /// The audit entry of a change: the stage changed, when one was, and the totals.
    async fn audit(
        &self,
        clerk: Clerk<'_>,
        before: &ChildcareSettings,
        after: &ChildcareSettings,
        what: Option<String>,
    ) -> Result<(), ChildcareError> {
        let totals = format!(
            "段階 {}件 → {}件、配信時刻 {} → {}",
            before.schedule.stages().len(),
            after.schedule.stages().len(),
            before.send_at.format("%H:%M"),
            after.send_at.format("%H:%M"),
        );
        let entry = AuditEntry {
            at: self.now(),
            actor: clerk.account.login_id.to_string(),
            ip: clerk.ip.to_string(),
            action: "子育て情報の配信スケジュールを保存".into(),
            target: "childcare:schedule".into(),
            summary: match what {
                Some(what) => format!("{what}。{totals}"),
                None => totals,
            },
        };
        self.audit.append(&entry).await?;
        Ok(())
    }
}
