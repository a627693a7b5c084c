//! Appending to the audit log from a console action.

use crate::session::Signed;
use crate::source_ip::SourceIp;
use crate::AdminState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;
use tayori_records::AuditEntry;

/// Who is acting and from where, for the audit log.
#[derive(Clone, Debug)]
pub struct Actor {
    pub signed: Option<Signed>,
    pub ip: Option<std::net::IpAddr>,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            signed: parts.extensions.get::<Signed>().cloned(),
            ip: parts.extensions.get::<SourceIp>().map(|s| s.0),
        })
    }
}

impl Actor {
    pub fn login_id(&self) -> String {
        self.signed
            .as_ref()
            .map(|s| s.account.login_id.to_string())
            .unwrap_or_else(|| "-".into())
    }
}

/// Records what a staff member did. A failure to write is logged loudly; the action itself has
/// already happened and is not undone.
pub async fn record(
    state: &AdminState,
    actor: &Actor,
    action: &str,
    target: &str,
    summary: impl Into<String>,
) {
    record_as(state, &actor.login_id(), actor.ip, action, target, summary).await
}

/// The same, for actions before sign-in where the actor is the login id that was tried.
pub async fn record_as(
    state: &AdminState,
    actor: &str,
    ip: Option<std::net::IpAddr>,
    action: &str,
    target: &str,
    summary: impl Into<String>,
) {
    let entry = AuditEntry {
        at: state.platform.clock.now(),
        actor: actor.into(),
        ip: ip.map(|ip| ip.to_string()).unwrap_or_else(|| "-".into()),
        action: action.into(),
        target: target.into(),
        summary: summary.into(),
    };
    if let Err(e) = state.audit.append(&entry).await {
        tracing::error!(error = %e, action, target, "audit entry could not be written");
    }
}
