//! Console sessions, server-side. The cookie carries a random token; the table keeps only its
//! SHA-256, so a copy of the table cannot be used to take over a session.

use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tayori_domain::staff::{LoginId, SessionPolicy};
use tayori_ports::{Condition, Item, TableStore};

const SK: &str = "SESSION";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub login_id: LoginId,
    /// Sent in every form; a post whose token differs is refused (CSRF).
    pub csrf_token: String,
    pub started: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// The password was right but the TOTP code is still to come.
    pub awaiting_second_factor: bool,
}

fn pk(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("SESSION#{hex}")
}

#[derive(Clone)]
pub struct Sessions {
    table: Arc<dyn TableStore>,
    policy: SessionPolicy,
}

impl Sessions {
    pub fn new(table: Arc<dyn TableStore>, policy: SessionPolicy) -> Self {
        Self { table, policy }
    }

    pub async fn save(&self, token: &str, session: &Session) -> Result<(), RecordError> {
        let expires = self.policy.expires_at(session.started, session.last_seen);
        let item = Item::new(pk(token), SK, encode(session)).expiring_at(expires.timestamp());
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    /// The live session for a cookie's token; an expired one is removed and not returned.
    pub async fn find(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, RecordError> {
        let Some(item) = self.table.get(&pk(token), SK).await? else {
            return Ok(None);
        };
        let session: Session = decode(&item)?;
        if !self
            .policy
            .is_alive(session.started, session.last_seen, now)
        {
            self.end(token).await?;
            return Ok(None);
        }
        Ok(Some(session))
    }

    pub async fn end(&self, token: &str) -> Result<(), RecordError> {
        self.table.delete(&pk(token), SK, Condition::Always).await?;
        Ok(())
    }
}
