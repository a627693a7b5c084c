//! The rules' use cases: list, create, revise, turn on and off, and the shipped rules installed
//! once. Each change is one conditional write and answers the rule before and after, for the
//! console's audit log.

use crate::store::DisasterRecords;
use crate::DisasterError;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::emergency_rule::{EmergencyRule, RuleSettings};
use tayori_ports::{Clock, StoreError, TableStore};

/// A rule as it was before a change and as it is after it.
#[derive(Clone, Debug)]
pub struct RuleChange {
    pub before: Option<EmergencyRule>,
    pub after: EmergencyRule,
}

#[derive(Clone)]
pub struct RuleDesk {
    records: DisasterRecords,
    clock: Arc<dyn Clock>,
}

impl RuleDesk {
    pub fn new(table: Arc<dyn TableStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            records: DisasterRecords::new(table),
            clock,
        }
    }

    /// Every rule, by name; the shipped ones are installed on the first call.
    pub async fn list(&self) -> Result<Vec<EmergencyRule>, DisasterError> {
        self.install_defaults().await?;
        let mut rules = self.records.rules().await?;
        rules.sort_by(|a, b| a.name().cmp(b.name()).then(a.id().cmp(b.id())));
        Ok(rules)
    }

    pub async fn get(&self, id: &str) -> Result<EmergencyRule, DisasterError> {
        Ok(self
            .records
            .rule(id)
            .await?
            .ok_or(DisasterError::NotFound)?
            .0)
    }

    /// Adds the shipped rules (disabled) the first time; never again, so a rule staff
    /// changed stays as they left it.
    pub async fn install_defaults(&self) -> Result<usize, DisasterError> {
        let now = self.clock.now();
        if !self.records.claim_defaults(now).await? {
            return Ok(0);
        }
        let mut added = 0;
        for rule in EmergencyRule::defaults(now) {
            match self.records.put_rule(&rule, None).await {
                Ok(()) => added += 1,
                Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(added)
    }

    /// A new rule, disabled until a clerk turns it on.
    pub async fn create(
        &self,
        settings: RuleSettings,
        by: &str,
    ) -> Result<RuleChange, DisasterError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let rule = EmergencyRule::create(id, settings, by, self.clock.now())?;
        self.records.put_rule(&rule, None).await?;
        Ok(RuleChange {
            before: None,
            after: rule,
        })
    }

    pub async fn revise(
        &self,
        id: &str,
        settings: RuleSettings,
        by: &str,
    ) -> Result<RuleChange, DisasterError> {
        let now = self.clock.now();
        self.change(id, |rule| {
            rule.revise(settings.clone(), by, now)?;
            Ok(())
        })
        .await
    }

    /// The same, from a form opened when the rule was last changed at `seen`: a rule changed
    /// since (by another clerk, or turned on or off) is refused as [`DisasterError::Conflict`]
    /// rather than overwritten with what the form showed.
    pub async fn revise_seen(
        &self,
        id: &str,
        settings: RuleSettings,
        by: &str,
        seen: DateTime<Utc>,
    ) -> Result<RuleChange, DisasterError> {
        let now = self.clock.now();
        self.change(id, |rule| {
            if rule.updated_at() != seen {
                return Err(DisasterError::Conflict);
            }
            rule.revise(settings.clone(), by, now)?;
            Ok(())
        })
        .await
    }

    pub async fn set_enabled(
        &self,
        id: &str,
        enabled: bool,
        by: &str,
    ) -> Result<RuleChange, DisasterError> {
        let now = self.clock.now();
        self.change(id, |rule| {
            rule.set_enabled(enabled, by, now);
            Ok(())
        })
        .await
    }

    /// One write at the version read; a clerk who lost a race is told to reload.
    async fn change(
        &self,
        id: &str,
        apply: impl Fn(&mut EmergencyRule) -> Result<(), DisasterError>,
    ) -> Result<RuleChange, DisasterError> {
        let (before, version) = self
            .records
            .rule(id)
            .await?
            .ok_or(DisasterError::NotFound)?;
        let mut after = before.clone();
        apply(&mut after)?;
        match self.records.put_rule(&after, Some(version)).await {
            Ok(()) => Ok(RuleChange {
                before: Some(before),
                after,
            }),
            Err(StoreError::ConditionFailed) => Err(DisasterError::Conflict),
            Err(e) => Err(e.into()),
        }
    }
}
