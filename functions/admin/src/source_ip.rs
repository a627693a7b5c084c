//! The IP allow-list (仕様書 9.1.1). The WAF in front of the admin API already blocks every
//! address outside the city's networks; the function checks again, so that a misconfigured or
//! bypassed WAF does not open the console to the internet.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use std::net::IpAddr;
use std::sync::Arc;

/// The address a request came from, put into the request's extensions by the entry point
/// (tayori-web's Lambda glue in AWS, the socket's peer locally).
pub use tayori_web::SourceIp;

/// An entry of the allow-list that is neither an address nor a CIDR range.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an address or CIDR range: {0}")]
pub struct NotAnAddress(pub String);

#[derive(Clone, Debug, Default)]
pub struct AllowList {
    networks: Vec<IpNet>,
    loopback: bool,
}

impl AllowList {
    /// Parses `203.0.113.0/24, 198.51.100.7/32` (the template's `AdminAllowedCidrs`). A bare
    /// address means that address only.
    pub fn parse(list: &str) -> Result<Self, NotAnAddress> {
        let mut networks = Vec::new();
        for entry in list
            .split([',', '\n', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| NotAnAddress(entry.to_string()))?;
            networks.push(net);
        }
        Ok(Self {
            networks,
            loopback: false,
        })
    }

    /// The local run: the clerk's own machine.
    pub fn with_loopback(mut self) -> Self {
        self.loopback = true;
        self
    }

    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        (self.loopback && ip.is_loopback()) || self.networks.iter().any(|n| n.contains(&ip))
    }
}

pub async fn enforce(State(list): State<Arc<AllowList>>, request: Request, next: Next) -> Response {
    let ip = request.extensions().get::<SourceIp>().map(|s| s.0);
    match ip {
        Some(ip) if list.allows(ip) => next.run(request).await,
        _ => {
            tracing::warn!(source_ip = ?ip, path = %request.uri().path(), "console request from outside the allow-list refused");
            crate::ui::refused_by_network().into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_inside_the_listed_ranges_are_allowed_and_others_are_not() {
        let list = AllowList::parse("203.0.113.0/24, 198.51.100.7").unwrap();
        assert!(list.allows("203.0.113.200".parse().unwrap()));
        assert!(list.allows("198.51.100.7".parse().unwrap()));
        assert!(!list.allows("198.51.100.8".parse().unwrap()));
        assert!(!list.allows("127.0.0.1".parse().unwrap()));
        assert!(list.allows("::ffff:203.0.113.9".parse().unwrap()));
        assert!(list
            .clone()
            .with_loopback()
            .allows("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn a_malformed_list_is_refused_with_the_bad_entry() {
        let err = AllowList::parse("203.0.113.0/24, office").unwrap_err();
        assert_eq!(err.to_string(), "not an address or CIDR range: office");
    }
}
