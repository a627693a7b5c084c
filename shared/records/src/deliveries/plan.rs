//! A delivery's send plan, built a page at a time while earlier batches are already going out.
//!
//! The plan reads its recipients from *sources*: the friend index shards (each friend is listed
//! in exactly one, in user-id order), or for a test delivery the testers. [`Plan`] records,
//! per source, how far it has been read (the store's cursor after the last page taken), the
//! recipients read but not yet in a batch (the *carry*, fewer than [`BATCH_SIZE`] after every
//! cut), and how many batches were cut. A page moves its source's cursor on and its recipients
//! into the carry in the same step, and the sender writes the cut batches and the plan in one
//! transaction, conditional on the plan's version: so every stored plan accounts for each page
//! read up to its cursors exactly once, either in a stored batch or in its carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tayori_domain::delivery::BATCH_SIZE;
use tayori_domain::usage::{Profile, RecipientTally};
use tayori_ports::Cursor;

/// How far one source has been read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "read", rename_all = "snake_case")]
enum Progress {
    Nothing,
    UpTo { cursor: Cursor },
    All,
}

/// A recipient read but not yet in a batch, with what the tally needs of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    user_id: String,
    #[serde(default)]
    profile: Profile,
}

impl Recipient {
    pub fn new(user_id: String, profile: Profile) -> Self {
        Self { user_id, profile }
    }
}

/// One page read from a source, from where the plan stood (`from`) to `next` (`None`: the
/// source is read to its end).
pub struct SourcePage {
    pub source: usize,
    pub from: Option<Cursor>,
    pub recipients: Vec<Recipient>,
    pub next: Option<Cursor>,
}

/// A page that does not start where its source stands: taking it would skip or repeat
/// recipients, so it is refused.
#[derive(Debug, thiserror::Error)]
#[error("a page of plan source {index} was not read from where the plan stands")]
pub struct OutOfStep {
    index: usize,
}

/// How far a delivery's planning has got (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    batches: u32,
    recipients: u64,
    /// Absent from plans written whole before plans were streamed.
    #[serde(default)]
    sources: Vec<Progress>,
    #[serde(default)]
    carry: Vec<Recipient>,
    /// A plan written whole (before plans were streamed) says nothing of it: it was complete.
    #[serde(default = "written_whole")]
    complete: bool,
    /// The stored item's version, which the next step must find unchanged.
    #[serde(skip)]
    pub(super) version: u64,
}

fn written_whole() -> bool {
    true
}

impl Plan {
    /// A plan with nothing read yet from `sources` sources.
    pub fn new(sources: usize) -> Self {
        Self {
            batches: 0,
            recipients: 0,
            sources: vec![Progress::Nothing; sources],
            carry: Vec::new(),
            complete: false,
            version: 0,
        }
    }

    /// Batches cut so far, numbered `0..batches`.
    pub fn batches(&self) -> u32 {
        self.batches
    }

    /// Recipients in those batches.
    pub fn recipients(&self) -> u64 {
        self.recipients
    }

    /// Every source read and every recipient in a batch.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The sources still to read, each with the cursor to read its next page from.
    pub fn unread(&self) -> Vec<(usize, Option<Cursor>)> {
        self.sources
            .iter()
            .enumerate()
            .filter_map(|(source, progress)| match progress {
                Progress::Nothing => Some((source, None)),
                Progress::UpTo { cursor } => Some((source, Some(cursor.clone()))),
                Progress::All => None,
            })
            .collect()
    }

    /// Recipients read and not yet in a batch.
    pub fn carried(&self) -> usize {
        self.carry.len()
    }

    /// Takes a page: its source moves on to `next` and its recipients join the carry.
    pub fn take(&mut self, page: SourcePage) -> Result<(), OutOfStep> {
        let out_of_step = OutOfStep { index: page.source };
        let Some(progress) = self.sources.get_mut(page.source) else {
            return Err(out_of_step);
        };
        let stands_at = match progress {
            Progress::Nothing => None,
            Progress::UpTo { cursor } => Some(&*cursor),
            Progress::All => return Err(out_of_step),
        };
        if stands_at != page.from.as_ref() {
            return Err(out_of_step);
        }
        *progress = match page.next {
            Some(cursor) => Progress::UpTo { cursor },
            None => Progress::All,
        };
        self.carry.extend(page.recipients);
        Ok(())
    }

    /// Cuts every full batch off the carry, and once every source is read the rest too (the
    /// plan is then complete). Each batch gets its retry key from `retry_key` now, so that it
    /// is stored with the batch and every attempt at it carries the same one.
    pub fn cut(&mut self, mut retry_key: impl FnMut() -> String) -> Vec<Batch> {
        let all_read = self.sources.iter().all(|p| *p == Progress::All);
        let full = self.carry.len() / BATCH_SIZE;
        let count = if all_read {
            self.carry.len().div_ceil(BATCH_SIZE)
        } else {
            full
        };
        let mut rest = std::mem::take(&mut self.carry).into_iter();
        let mut batches = Vec::with_capacity(count);
        for _ in 0..count {
            let mut recipients = Vec::with_capacity(BATCH_SIZE);
            let mut tally = RecipientTally::default();
            for r in rest.by_ref().take(BATCH_SIZE) {
                tally.add(&r.profile, 1);
                recipients.push(r.user_id);
            }
            self.recipients += recipients.len() as u64;
            batches.push(Batch {
                number: self.batches,
                recipients,
                retry_key: retry_key(),
                tally,
                state: BatchState::Pending,
                at: None,
            });
            self.batches += 1;
        }
        self.carry = rest.collect();
        self.complete = all_read;
        batches
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BatchState {
    Pending,
    /// LINE accepted it (now, or earlier under the same retry key).
    Sent {
        request_id: Option<String>,
    },
    /// LINE refused it or never answered; `error` is what LINE said, for the log.
    Failed {
        error: String,
    },
    /// Not sent because staff stopped the delivery.
    NotSent,
}

impl BatchState {
    pub fn is_pending(&self) -> bool {
        *self == BatchState::Pending
    }
}

/// Up to [`BATCH_SIZE`] recipients sent in one multicast.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    number: u32,
    recipients: Vec<String>,
    /// Chosen when the batch is planned, so every attempt at it (after a crash too) carries
    /// the same `X-Line-Retry-Key` and LINE delivers it at most once.
    retry_key: String,
    /// Its recipients by 年代 and 地区, for the usage report. Absent from batches planned
    /// before recipients were tallied.
    #[serde(default)]
    tally: RecipientTally,
    state: BatchState,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

impl Batch {
    pub fn number(&self) -> u32 {
        self.number
    }

    pub fn recipients(&self) -> &[String] {
        &self.recipients
    }

    pub fn retry_key(&self) -> &str {
        &self.retry_key
    }

    pub fn tally(&self) -> &RecipientTally {
        &self.tally
    }

    pub fn state(&self) -> &BatchState {
        &self.state
    }

    /// When its outcome was recorded.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.at
    }

    /// The batch with its outcome, reached at `at`.
    pub fn finished(self, state: BatchState, at: DateTime<Utc>) -> Batch {
        Batch {
            state,
            at: Some(at),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(source: usize, from: Option<&str>, ids: &[u32], next: Option<&str>) -> SourcePage {
        SourcePage {
            source,
            from: from.map(|c| Cursor(c.into())),
            recipients: ids
                .iter()
                .map(|n| Recipient::new(format!("U{n:032x}"), Profile::default()))
                .collect(),
            next: next.map(|c| Cursor(c.into())),
        }
    }

    fn keys() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("key-{n}")
        }
    }

    #[test]
    fn pages_from_several_sources_fill_batches_and_the_rest_waits_until_every_source_is_read() {
        let mut plan = Plan::new(2);
        plan.take(page(0, None, &(0..300).collect::<Vec<_>>(), Some("a")))
            .unwrap();
        assert!(plan.cut(keys()).is_empty(), "300 do not fill a batch");
        plan.take(page(1, None, &(300..700).collect::<Vec<_>>(), None))
            .unwrap();
        let first = plan.cut(keys());
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].recipients().len(), BATCH_SIZE);
        assert_eq!((plan.batches(), plan.carried()), (1, 200));
        assert!(!plan.is_complete());
        assert_eq!(plan.unread(), [(0, Some(Cursor("a".into())))]);

        plan.take(page(0, Some("a"), &(700..750).collect::<Vec<_>>(), None))
            .unwrap();
        let last = plan.cut(keys());
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].number(), 1);
        assert_eq!(last[0].recipients().len(), 250);
        assert!(plan.is_complete());
        assert_eq!(
            (plan.batches(), plan.recipients(), plan.carried()),
            (2, 750, 0)
        );
        let mut everyone: Vec<&String> = first
            .iter()
            .chain(&last)
            .flat_map(|b| b.recipients())
            .collect();
        everyone.sort();
        everyone.dedup();
        assert_eq!(everyone.len(), 750, "each recipient in exactly one batch");
    }

    #[test]
    fn a_page_not_read_from_where_its_source_stands_is_refused() {
        let mut plan = Plan::new(1);
        plan.take(page(0, None, &[1], Some("a"))).unwrap();
        let before = plan.clone();
        assert!(plan.take(page(0, None, &[1], Some("a"))).is_err(), "again");
        assert!(plan.take(page(0, Some("b"), &[2], None)).is_err(), "skips");
        assert!(
            plan.take(page(1, None, &[3], None)).is_err(),
            "no such source"
        );
        assert_eq!(plan, before);
        plan.take(page(0, Some("a"), &[2], None)).unwrap();
        assert!(plan.take(page(0, Some("a"), &[2], None)).is_err(), "read");
    }

    #[test]
    fn a_batch_tallies_its_recipients_by_profile() {
        let mut plan = Plan::new(1);
        let kumohama = Profile::new(Some("30代".into()), Some("雲浜".into()));
        plan.take(SourcePage {
            source: 0,
            from: None,
            recipients: vec![
                Recipient::new("U1".into(), kumohama.clone()),
                Recipient::new("U2".into(), kumohama.clone()),
                Recipient::new("U3".into(), Profile::default()),
            ],
            next: None,
        })
        .unwrap();
        let batches = plan.cut(keys());
        assert_eq!(batches[0].tally().count(&kumohama), 2);
        assert_eq!(batches[0].tally().count(&Profile::default()), 1);
    }

    #[test]
    fn a_plan_written_whole_before_plans_were_streamed_reads_as_complete() {
        let old: Plan =
            serde_json::from_value(serde_json::json!({ "batches": 3, "recipients": 1200 }))
                .unwrap();
        assert!(old.is_complete());
        assert!(old.unread().is_empty());
        assert_eq!((old.batches(), old.recipients()), (3, 1200));
    }
}
