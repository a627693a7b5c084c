//! Console sessions, server-side. The cookie carries a random token; the table keeps only its
//! SHA-256, so a copy of the table cannot be used to take over a session.
//!
//! Every save after the first is conditional on the version read: a request that was in flight
//! while the session was ended (a sign-out in another tab, an administrator's reset) cannot
//! write it back.

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tayori_domain::staff::{LoginId, SessionPolicy};
use tayori_ports::{Condition, Item, TableStore, Write};

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
    /// The account's session generation at sign-in; the session is over once the account's
    /// has moved on (see `StaffAccount::session_generation`).
    #[serde(default)]
    pub generation: u64,
}

/// A session as read from the table, with the version its next save must still find there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSession {
    pub session: Session,
    version: u64,
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

    /// Stores a new session under a fresh token.
    pub async fn start(&self, token: &str, session: Session) -> Result<LiveSession, RecordError> {
        let item = self.item(token, &session, 1);
        self.table.put(item, Condition::IfAbsent).await?;
        Ok(LiveSession {
            session,
            version: 1,
        })
    }

    /// The live session for a cookie's token; an expired one is removed and not returned.
    pub async fn find(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<LiveSession>, RecordError> {
        let Some(live) = self.read(token).await? else {
            return Ok(None);
        };
        if !self.is_alive(&live.session, now) {
            self.end(token).await?;
            return Ok(None);
        }
        Ok(Some(live))
    }

    /// Applies `change` to the session and saves it, but only while it is still stored: `None`
    /// when it was ended (or expired) since it was read. Another request of the same session
    /// saving first (two tabs at once) is no ending: `change` is applied to what that one saved.
    pub async fn save_if_live(
        &self,
        token: &str,
        live: &LiveSession,
        now: DateTime<Utc>,
        mut change: impl FnMut(&mut Session),
    ) -> Result<Option<LiveSession>, RecordError> {
        let mut base = live.clone();
        let mut attempts = Attempts::new(&pk(token));
        loop {
            let mut session = base.session.clone();
            change(&mut session);
            let version = base.version + 1;
            let write = Write::Put {
                item: self.item(token, &session, version),
                condition: Condition::IfVersion(base.version),
            };
            if attempts.written(self.table.as_ref(), vec![write]).await? {
                return Ok(Some(LiveSession { session, version }));
            }
            match self.read(token).await? {
                Some(current) if self.is_alive(&current.session, now) => base = current,
                _ => return Ok(None),
            }
        }
    }

    pub async fn end(&self, token: &str) -> Result<(), RecordError> {
        self.table.delete(&pk(token), SK, Condition::Always).await?;
        Ok(())
    }

    async fn read(&self, token: &str) -> Result<Option<LiveSession>, RecordError> {
        let Some(item) = self.table.get(&pk(token), SK).await? else {
            return Ok(None);
        };
        Ok(Some(LiveSession {
            session: decode(&item)?,
            version: item.version,
        }))
    }

    fn is_alive(&self, session: &Session, now: DateTime<Utc>) -> bool {
        self.policy
            .is_alive(session.started, session.last_seen, now)
    }

    fn item(&self, token: &str, session: &Session, version: u64) -> Item {
        let expires = self.policy.expires_at(session.started, session.last_seen);
        Item::new(pk(token), SK, encode(session))
            .expiring_at(expires.timestamp())
            .with_version(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_adapters::embedded::SqliteTable;
    use tayori_ports::{Clock, ManualClock};

    fn sessions() -> (tempfile::TempDir, Arc<ManualClock>, Sessions) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let table = Arc::new(SqliteTable::open(dir.path(), clock.clone()).unwrap());
        (dir, clock, Sessions::new(table, SessionPolicy::default()))
    }

    fn session(now: DateTime<Utc>) -> Session {
        Session {
            login_id: LoginId::parse("tanaka").unwrap(),
            csrf_token: "csrf".into(),
            started: now,
            last_seen: now,
            awaiting_second_factor: false,
            generation: 0,
        }
    }

    #[tokio::test]
    async fn a_save_does_not_bring_back_a_session_ended_since_it_was_read() {
        let (_dir, clock, sessions) = sessions();
        let now = clock.now();
        sessions.start("token", session(now)).await.unwrap();
        let read = sessions.find("token", now).await.unwrap().unwrap();
        sessions.end("token").await.unwrap();
        let saved = sessions
            .save_if_live("token", &read, now, |s| s.last_seen = now)
            .await
            .unwrap();
        assert_eq!(saved, None);
        assert_eq!(sessions.find("token", now).await.unwrap(), None);
    }

    #[tokio::test]
    async fn two_requests_of_one_session_both_keep_it() {
        let (_dir, clock, sessions) = sessions();
        let start = clock.now();
        sessions.start("token", session(start)).await.unwrap();
        let first = sessions.find("token", start).await.unwrap().unwrap();
        let second = sessions.find("token", start).await.unwrap().unwrap();
        clock.advance(chrono::Duration::minutes(1));
        let now = clock.now();
        let a = sessions
            .save_if_live("token", &first, now, |s| s.last_seen = now)
            .await
            .unwrap();
        let b = sessions
            .save_if_live("token", &second, now, |s| s.generation = 7)
            .await
            .unwrap()
            .expect("the session lives on");
        assert!(a.is_some());
        assert_eq!(b.session.last_seen, now, "the first save is kept");
        assert_eq!(b.session.generation, 7);
        let stored = sessions.find("token", now).await.unwrap().unwrap();
        assert_eq!(stored, b);
    }

    #[tokio::test]
    async fn an_idle_session_is_not_found_and_not_saved() {
        let (_dir, clock, sessions) = sessions();
        let start = clock.now();
        let live = sessions.start("token", session(start)).await.unwrap();
        clock.advance(SessionPolicy::default().idle);
        let now = clock.now();
        assert_eq!(sessions.find("token", now).await.unwrap(), None);
        let saved = sessions
            .save_if_live("token", &live, now, |s| s.last_seen = now)
            .await
            .unwrap();
        assert_eq!(saved, None);
    }
}
