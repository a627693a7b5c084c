//! What must hold once a crashed delivery has been resumed, and the ways it can fail to.

use super::store::Population;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use tayori_domain::delivery::{DeliveryStatus, Totals};
use tayori_domain::time::to_jst;
use tayori_domain::usage::UsageKind;
use tayori_fake_line::FakeLine;
use tayori_ports::TableStore;
use tayori_records::{RecordError, UsageEvents};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// An intended recipient got nothing.
    Lost { user: String },
    /// An intended recipient got the message more than once.
    Doubled { user: String, copies: usize },
    /// A friend the delivery was not for (blocked, or outside the segment) got it.
    Stranger { user: String, copies: usize },
    /// LINE delivered to users the harness never seeded, or more copies than it can account for.
    Unaccounted { recipients: u64, copies: u64 },
    /// The delivery did not end `Sent` (`None`: it is gone).
    NotSent { status: Option<DeliveryStatus> },
    /// It ended `Sent` with totals that do not say every intended recipient got it.
    Totals { totals: Totals, intended: u64 },
    /// The usage report counts the delivery other than once.
    Usage {
        kind: UsageKind,
        expected: u64,
        counted: u64,
    },
    /// A process that did not die answered an error (a live sender must not fail here).
    SenderFailed { process: usize, error: String },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Lost { user } => write!(f, "{user} got nothing"),
            Violation::Doubled { user, copies } => write!(f, "{user} got {copies} copies"),
            Violation::Stranger { user, copies } => {
                write!(f, "{user}, not a recipient, got {copies}")
            }
            Violation::Unaccounted { recipients, copies } => write!(
                f,
                "LINE delivered {copies} copies to {recipients} users in all"
            ),
            Violation::NotSent { status } => write!(f, "the delivery ended {status:?}"),
            Violation::Totals { totals, intended } => {
                write!(f, "totals {totals:?} for {intended} intended recipients")
            }
            Violation::Usage {
                kind,
                expected,
                counted,
            } => write!(f, "usage {kind:?} counted {counted}, not {expected}"),
            Violation::SenderFailed { process, error } => {
                write!(f, "process {process} (alive) failed: {error}")
            }
        }
    }
}

/// Every seeded friend's inbox: the intended ones hold `text` once, the others not at all.
/// The fake LINE is fresh for each point, so its tally covers this delivery only.
pub fn inboxes(
    fake: &FakeLine,
    text: &str,
    population: &Population,
    intended: &BTreeSet<String>,
) -> Vec<Violation> {
    let mut found = Vec::new();
    for friend in &population.friends {
        let user = &friend.user_id;
        let copies = fake
            .sent_messages_to(user)
            .iter()
            .filter(|m| m["text"] == text)
            .count();
        match (intended.contains(user), copies) {
            (true, 1) | (false, 0) => {}
            (true, 0) => found.push(Violation::Lost { user: user.clone() }),
            (true, copies) => found.push(Violation::Doubled {
                user: user.clone(),
                copies,
            }),
            (false, copies) => found.push(Violation::Stranger {
                user: user.clone(),
                copies,
            }),
        }
    }
    let tally = fake.delivery_tally();
    let n = intended.len() as u64;
    if found.is_empty() && (tally.recipients, tally.copies) != (n, n) {
        found.push(Violation::Unaccounted {
            recipients: tally.recipients,
            copies: tally.copies,
        });
    }
    found
}

/// The delivery's record: `Sent`, every intended recipient counted as reached.
pub fn record(end: Option<(DeliveryStatus, Totals)>, intended: usize) -> Vec<Violation> {
    let intended = intended as u64;
    match end {
        Some((DeliveryStatus::Sent, totals)) => {
            let expected = Totals {
                recipients: intended,
                succeeded: intended,
                ..Totals::default()
            };
            if totals == expected {
                Vec::new()
            } else {
                vec![Violation::Totals { totals, intended }]
            }
        }
        other => vec![Violation::NotSent {
            status: other.map(|(status, _)| status),
        }],
    }
}

/// The delivery counts of the usage report around one point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsageTally {
    deliveries: u64,
    succeeded: u64,
    failed: u64,
}

impl UsageTally {
    /// Delivery events of the JST days from `from` to a day after it: a point moves the
    /// clock by hours, never by days.
    pub async fn read(
        table: Arc<dyn TableStore>,
        from: DateTime<Utc>,
    ) -> Result<UsageTally, RecordError> {
        let first = to_jst(from).date_naive();
        let last = to_jst(from + Duration::days(1)).date_naive();
        let mut tally = UsageTally::default();
        UsageEvents::new(table)
            .each_between(first, last, |e| match e.kind {
                UsageKind::Delivery => tally.deliveries += e.count,
                UsageKind::DeliverySuccess => tally.succeeded += e.count,
                UsageKind::DeliveryFailure => tally.failed += e.count,
                _ => {}
            })
            .await?;
        Ok(tally)
    }

    /// The delivery is counted once, with every intended recipient a success.
    pub fn check(before: UsageTally, after: UsageTally, intended: usize) -> Vec<Violation> {
        [
            (UsageKind::Delivery, 1, after.deliveries - before.deliveries),
            (
                UsageKind::DeliverySuccess,
                intended as u64,
                after.succeeded - before.succeeded,
            ),
            (UsageKind::DeliveryFailure, 0, after.failed - before.failed),
        ]
        .into_iter()
        .filter(|(_, expected, counted)| expected != counted)
        .map(|(kind, expected, counted)| Violation::Usage {
            kind,
            expected,
            counted,
        })
        .collect()
    }
}
