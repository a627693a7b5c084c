//! Runs points: releases a delivery, sends it through processes that die as the point says,
//! resumes it until a process runs to its end, and checks what came of it.

use super::checks::{self, UsageTally, Violation};
use super::delivery;
use super::failing_table::{Death, FailingTable, Trigger};
use super::line::{Line, MULTICAST};
use super::points::{self, Calibration, Entry, Failure, Point};
use super::scenario::Scenario;
use super::settings::Settings;
use super::store::{Population, Store};
use super::HarnessError;
use chrono::Duration;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tayori_deliveries::{SendError, Sender};
use tayori_domain::delivery::DeliveryStatus;
use tayori_fake_line::Mishap;
use tayori_ports::{Clock, TableStore};

const MEDIA: &str = "https://tayori.example.jp";

/// How far the clock moves after a process died, so that its lease has run out for the next:
/// far beyond any lease a sender takes (five minutes today), far short of anything else
/// expiring (a sent batch keeps its recipients for a month; LINE a retry key for a day).
pub const LEASE_OUTLIVED: Duration = Duration::hours(1);

/// Ticks that may return with the delivery still open before that counts as lost: the
/// broadcast tick runs every minute, so a process that returns early (it found the lease or the
/// plan taken, say) is followed by another, and only a delivery that stays open is lost.
const OPEN_RETURNS_ALLOWED: usize = 2;

/// A process that neither finishes nor dies within this is stuck (Lambda would have killed
/// it long before; the long run on moto plans 20,000 friends in well under it).
const PROCESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// What one point came to.
#[derive(Debug, Default)]
pub struct Run {
    pub violations: Vec<Violation>,
    /// Where each process that died did so.
    pub deaths: Vec<String>,
    /// Store calls of the first process, and multicasts LINE received in all.
    pub first_process_calls: usize,
    pub multicasts: usize,
    /// Multicasts answered 409: resent under a retry key LINE had already accepted.
    pub already_accepted: usize,
    /// Processes that returned with the delivery still open, each with what it answered.
    pub open_returns: Vec<String>,
}

pub struct Harness {
    store: Store,
    /// What processes reach the store through (under their failing table): the store's own
    /// table, or a deliberately broken one over it to prove the checks catch it.
    table: Arc<dyn TableStore>,
    scenario: Scenario,
    population: Population,
    intended: BTreeSet<String>,
    deliveries: AtomicUsize,
}

impl Harness {
    pub async fn new(
        store: Store,
        scenario: Scenario,
        friends: usize,
    ) -> Result<Harness, HarnessError> {
        let population = store.seed(friends).await?;
        let intended = scenario.intended(&population);
        Ok(Harness {
            table: store.table.clone(),
            store,
            scenario,
            population,
            intended,
            deliveries: AtomicUsize::new(0),
        })
    }

    /// Processes reach the store through `wrap` from now on.
    pub fn through(
        mut self,
        wrap: impl FnOnce(Arc<dyn TableStore>) -> Arc<dyn TableStore>,
    ) -> Harness {
        self.table = wrap(self.store.table.clone());
        self
    }

    pub fn intended(&self) -> usize {
        self.intended.len()
    }

    /// A clean send: checked like any point, and measured to draw points from.
    pub async fn calibrate(&self) -> Result<(Calibration, Run), HarnessError> {
        let run = self.run(None).await?;
        let calibration = Calibration {
            store_calls: run.first_process_calls,
            multicasts: run.multicasts,
        };
        Ok((calibration, run))
    }

    /// One delivery, sent through the processes `point` kills (none: a clean send).
    pub async fn run(&self, point: Option<&Point>) -> Result<Run, HarnessError> {
        let number = self.deliveries.fetch_add(1, Ordering::Relaxed);
        let id = format!("C{number:04}");
        let text = format!("{id}: 年末年始のごみ収集はお休みです");
        let started = self.store.clock.now();
        let before = UsageTally::read(self.store.table.clone(), started).await?;
        delivery::release(
            self.store.table.clone(),
            &id,
            self.scenario.target(),
            &text,
            started,
        )
        .await?;
        let line = Line::start().await;
        // One client for the point's processes: building one costs tens of milliseconds
        // (TLS roots) and it keeps nothing a dead process could pass on but idle connections.
        let client = line.client();
        let failures = point.map(|p| p.failures.as_slice()).unwrap_or_default();
        let death = point.map_or(Death::Errors, |p| p.death);
        let mut run = Run::default();
        for process in 1.. {
            line.fake.reset_controls();
            let trigger = self.arm(&line, failures.get(process - 1));
            let table = FailingTable::new(self.table.clone(), trigger, death);
            let sender = Sender::new(
                self.store.platform(table.clone()),
                client.clone(),
                MEDIA.into(),
            );
            let entry = match (process, point) {
                (1, Some(p)) => p.entry,
                (1, None) => Entry::Send,
                _ => Entry::SendDue,
            };
            let ended = drive(&sender, &table, entry, &id).await;
            if process == 1 {
                run.first_process_calls = table.calls();
            }
            if table.is_dead() {
                run.deaths.push(table.fatal_call().unwrap_or_default());
                self.store.clock.advance(LEASE_OUTLIVED);
                continue;
            }
            match ended {
                Ended::Returned(Ok(answer)) => {
                    let status = delivery::end(self.store.table.clone(), &id)
                        .await?
                        .map(|(status, _)| status);
                    let open = matches!(
                        status,
                        Some(DeliveryStatus::Sending | DeliveryStatus::Scheduled)
                    );
                    if open && run.open_returns.len() < OPEN_RETURNS_ALLOWED {
                        let note = format!(
                            "process {process} answered {answer} with {id} still {status:?}"
                        );
                        eprintln!("{note}; the next tick resumes it");
                        run.open_returns.push(note);
                        self.store.clock.advance(LEASE_OUTLIVED);
                        continue;
                    }
                }
                Ended::Returned(Err(e)) => run.violations.push(Violation::SenderFailed {
                    process,
                    error: e.to_string(),
                }),
                Ended::Stuck => run.violations.push(Violation::SenderFailed {
                    process,
                    error: format!("neither finished nor died in {PROCESS_TIMEOUT:?}"),
                }),
            }
            break;
        }
        run.multicasts = line.multicasts();
        run.already_accepted = line.answered(Some(409));
        run.violations.extend(checks::inboxes(
            &line.fake,
            &text,
            &self.population,
            &self.intended,
        ));
        let end = delivery::end(self.store.table.clone(), &id).await?;
        run.violations
            .extend(checks::record(end, self.intended.len()));
        let after = UsageTally::read(self.store.table.clone(), started).await?;
        run.violations
            .extend(UsageTally::check(before, after, self.intended.len()));
        self.store.forget_delivery(&id).await?;
        Ok(run)
    }

    /// What kills a process that suffers `failure`.
    fn arm(&self, line: &Line, failure: Option<&Failure>) -> Trigger {
        match failure {
            None => Trigger::Never,
            Some(Failure::Store { call, when }) => Trigger::Call {
                number: *call,
                when: *when,
            },
            Some(Failure::Line { nth, mishap, dies }) => {
                line.fake.schedule(Mishap {
                    path: MULTICAST.into(),
                    nth: *nth,
                    kind: *mishap,
                });
                if *dies {
                    let fake = line.fake.clone();
                    Trigger::Tripwire(Arc::new(move || fake.mishaps_happened() > 0))
                } else {
                    Trigger::Never
                }
            }
        }
    }
}

enum Ended {
    /// What the sender answered, in words.
    Returned(Result<String, SendError>),
    /// Dropped: it hung dead (the harness's `kill -9`) or alive (a violation).
    Stuck,
}

/// Runs one process until it returns, or until it is dead and hanging (then it is dropped with
/// everything it had in flight).
async fn drive(sender: &Sender, table: &FailingTable, entry: Entry, id: &str) -> Ended {
    let send = async {
        match entry {
            Entry::Send => sender.send(id).await.map(|outcome| format!("{outcome:?}")),
            Entry::SendDue => sender
                .send_due()
                .await
                .map(|outcomes| format!("{outcomes:?}")),
        }
    };
    tokio::select! {
        biased;
        () = table.died() => Ended::Stuck,
        ended = tokio::time::timeout(PROCESS_TIMEOUT, send) => match ended {
            Ok(result) => Ended::Returned(result),
            Err(_) => Ended::Stuck,
        },
    }
}

/// Runs the scenario's crash points and fails with every point that broke a rule, each with
/// the seed that re-runs it alone.
pub async fn crash_anywhere(store: Store, scenario: Scenario, test: &str, settings: Settings) {
    let clock = Instant::now();
    let harness = Harness::new(store, scenario, settings.friends)
        .await
        .expect("the friends are seeded");
    let seeded = clock.elapsed();
    let (calibration, clean) = harness.calibrate().await.expect("a clean send runs");
    assert!(
        clean.violations.is_empty(),
        "a clean send, no crash at all, already fails: {:?}",
        clean.violations
    );
    let points: Vec<Point> = match settings.seed {
        Some(seed) => vec![Point::draw(seed, calibration)],
        None => points::seeds(settings.base_seed ^ scenario as u64, settings.points)
            .into_iter()
            .map(|seed| Point::draw(seed, calibration))
            .collect(),
    };
    let report = harness.run_all(&points, test).await;
    harness.store.remove().await;
    eprintln!(
        "{test}: {} points over {} friends ({} intended, {} store calls and {} multicasts in a clean send): seeded in {seeded:.1?}, all in {:.1?}",
        points.len(),
        settings.friends,
        harness.intended(),
        calibration.store_calls,
        calibration.multicasts,
        clock.elapsed(),
    );
    report.assert_passed(points.len());
}

/// What a set of points came to.
#[derive(Default)]
pub struct Report {
    failed: usize,
    failures: String,
}

impl Report {
    pub fn assert_passed(&self, points: usize) {
        assert!(
            self.failed == 0,
            "{} of {points} crash points lost, doubled or miscounted:\n{}",
            self.failed,
            self.failures
        );
    }
}

impl Harness {
    /// Runs `points`, one delivery each.
    pub async fn run_all(&self, points: &[Point], test: &str) -> Report {
        let mut report = Report::default();
        for point in points {
            let run = self.run(Some(point)).await.expect("the point runs");
            if run.violations.is_empty() {
                continue;
            }
            report.failed += 1;
            describe(&mut report.failures, point, &run, test);
        }
        report
    }
}

fn describe(out: &mut String, point: &Point, run: &Run, test: &str) {
    let _ = writeln!(out, "- {point}");
    for death in &run.deaths {
        let _ = writeln!(out, "    died at {death}");
    }
    for note in &run.open_returns {
        let _ = writeln!(out, "    {note}");
    }
    for violation in run.violations.iter().take(5) {
        let _ = writeln!(out, "    {violation}");
    }
    if run.violations.len() > 5 {
        let _ = writeln!(out, "    … {} violations in all", run.violations.len());
    }
    if let Some(seed) = point.seed {
        let _ = writeln!(
            out,
            "    again: TAYORI_CRASH_SEED={seed} cargo nextest run -p tayori-deliveries --test crash {test}"
        );
    }
}
