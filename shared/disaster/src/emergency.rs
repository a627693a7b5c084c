//! The one owner of opening and closing the 災害対応 (emergency): staff in the console and the
//! poller for a rule both go through [`EmergencyDesk`], so "one open at a time" and what a
//! second opening does (refused for staff, widened for a rule) are decided here and nowhere
//! else. The record ([`tayori_records::Emergencies`]) holds the conditional writes.

use crate::DisasterError;
use std::sync::Arc;
use tayori_domain::emergency::{Cause, Emergency};
use tayori_domain::hazard::Hazard;
use tayori_ports::{Clock, TableStore};
use tayori_records::{Emergencies, Opened};

/// What a rule's opening did.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleOpening {
    /// No emergency was open: this one was opened for the rule.
    Opened(Emergency),
    /// One was open already: the rule's hazards were added to it.
    Widened(Emergency),
}

#[derive(Clone)]
pub struct EmergencyDesk {
    records: Emergencies,
    clock: Arc<dyn Clock>,
}

impl EmergencyDesk {
    pub fn new(table: Arc<dyn TableStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            records: Emergencies::new(table),
            clock,
        }
    }

    /// The emergency open now, if any.
    pub async fn current(&self) -> Result<Option<Emergency>, DisasterError> {
        Ok(self.records.current().await?)
    }

    /// The latest `limit` emergencies, open or closed, newest first.
    pub async fn recent(&self, limit: usize) -> Result<Vec<Emergency>, DisasterError> {
        Ok(self.records.recent(limit).await?)
    }

    pub async fn get(&self, id: &str) -> Result<Emergency, DisasterError> {
        self.records
            .get(id)
            .await?
            .ok_or(DisasterError::EmergencyNotFound)
    }

    /// Opens an emergency by a member of staff, unless one is open already: a clerk is told
    /// which, rather than having two at once.
    pub async fn open(
        &self,
        title: &str,
        hazards: &[Hazard],
        by: &str,
    ) -> Result<Emergency, DisasterError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let cause = Cause::Staff { by: by.to_owned() };
        let emergency = Emergency::open(id, title, hazards, cause, self.clock.now())?;
        match self.records.open(emergency).await? {
            Opened::Opened(emergency) => Ok(emergency),
            Opened::AlreadyOpen(open) => Err(DisasterError::AlreadyOpen(open.title().to_owned())),
        }
    }

    /// Opens the emergency `id` for a rule that matched JMA message `message`, or, when one
    /// is open already, adds the rule's hazards to it: a 津波警報 during a 大雨 response
    /// widens that response rather than being lost.
    pub async fn open_for_rule(
        &self,
        id: &str,
        title: &str,
        hazards: &[Hazard],
        rule: &str,
        message: &str,
    ) -> Result<RuleOpening, DisasterError> {
        let cause = Cause::Jma {
            rule: rule.into(),
            message: message.into(),
        };
        let opening = Emergency::open(id, title, hazards, cause, self.clock.now())?;
        match self.records.open(opening).await? {
            Opened::Opened(e) => Ok(RuleOpening::Opened(e)),
            Opened::AlreadyOpen(open) => {
                let widened = self
                    .records
                    .update(open.id(), |e| {
                        e.widen(hazards);
                        Ok::<_, DisasterError>(())
                    })
                    .await?;
                match widened {
                    Some(Ok(e)) => Ok(RuleOpening::Widened(e)),
                    Some(Err(e)) => Err(e),
                    // Closed between the two reads: it stays closed; the rule's next
                    // message opens a new one.
                    None => Ok(RuleOpening::Widened(open)),
                }
            }
        }
    }

    /// Closes the emergency `id` for `by`.
    pub async fn close(&self, id: &str, by: &str) -> Result<Emergency, DisasterError> {
        let now = self.clock.now();
        match self.records.update(id, |e| e.close(by, now)).await? {
            None => Err(DisasterError::EmergencyNotFound),
            Some(result) => Ok(result?),
        }
    }
}
