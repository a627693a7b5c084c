//! Crash points, drawn from a seed: where each process dies and how.

use super::failing_table::{Death, When};
use super::rng::Rng;
use std::fmt;
use tayori_fake_line::MishapKind;

/// What a clean send of the scenario's delivery does: the range crash points are drawn from.
#[derive(Clone, Copy, Debug)]
pub struct Calibration {
    pub store_calls: usize,
    pub multicasts: usize,
}

/// How a process is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `Sender::send(id)`: staff pressed 送信.
    Send,
    /// `Sender::send_due()`: the scheduler's tick.
    SendDue,
}

/// What goes wrong in one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The process dies at its `call`-th store call.
    Store { call: usize, when: When },
    /// LINE mishandles the process's `nth` multicast; the process dies with it (at its next
    /// store call) or carries on, its LINE client retrying.
    Line {
        nth: usize,
        mishap: MishapKind,
        dies: bool,
    },
}

/// One run of the scenario: the first process enters as `entry`; process i suffers
/// `failures[i]`; every later process (a `send_due` tick each) runs clean.
#[derive(Clone, Debug)]
pub struct Point {
    /// The seed it was drawn from; none for a point of a sweep.
    pub seed: Option<u64>,
    pub entry: Entry,
    pub failures: Vec<Failure>,
    pub death: Death,
}

impl Point {
    /// A point from its seed. A quarter of failures hit LINE rather than the store: a store
    /// call is ten times likelier to be drawn, but LINE's mishaps are the ones a retry key
    /// must absorb.
    pub fn draw(seed: u64, calibration: Calibration) -> Point {
        let mut rng = Rng::new(seed);
        let entry = if rng.chance(1, 2) {
            Entry::Send
        } else {
            Entry::SendDue
        };
        let death = if rng.chance(1, 2) {
            Death::Errors
        } else {
            Death::Hangs
        };
        // A third of the points kill the process that resumes, too.
        let processes = if rng.chance(1, 3) { 2 } else { 1 };
        let failures = (0..processes)
            .map(|_| {
                if calibration.multicasts > 0 && rng.chance(1, 4) {
                    Failure::Line {
                        nth: rng.one_to(calibration.multicasts),
                        mishap: if rng.chance(1, 2) {
                            MishapKind::AnswerLost
                        } else {
                            MishapKind::Status(500)
                        },
                        dies: rng.chance(1, 2),
                    }
                } else {
                    Failure::Store {
                        call: rng.one_to(calibration.store_calls),
                        when: if rng.chance(1, 2) {
                            When::Before
                        } else {
                            When::After
                        },
                    }
                }
            })
            .collect();
        Point {
            seed: Some(seed),
            entry,
            failures,
            death,
        }
    }

    /// Every single failure of the first process in turn: each store call before and after,
    /// each multicast with each mishap, dying or not.
    pub fn sweep(calibration: Calibration, death: Death) -> Vec<Point> {
        let store = (1..=calibration.store_calls)
            .flat_map(|call| [When::Before, When::After].map(|when| Failure::Store { call, when }));
        let line = (1..=calibration.multicasts).flat_map(|nth| {
            [MishapKind::AnswerLost, MishapKind::Status(500)]
                .into_iter()
                .flat_map(move |mishap| {
                    [true, false].map(|dies| Failure::Line { nth, mishap, dies })
                })
        });
        store
            .chain(line)
            .map(|failure| Point {
                seed: None,
                entry: Entry::Send,
                failures: vec![failure],
                death,
            })
            .collect()
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seed {
            Some(seed) => write!(f, "seed {seed}")?,
            None => write!(f, "swept")?,
        }
        write!(f, " ({:?}, dead calls {:?}):", self.entry, self.death)?;
        for (i, failure) in self.failures.iter().enumerate() {
            let process = i + 1;
            match failure {
                Failure::Store { call, when } => {
                    write!(f, " process {process} dies {when:?} store call {call};")?
                }
                Failure::Line { nth, mishap, dies } => write!(
                    f,
                    " process {process}: multicast {nth} {mishap:?}{};",
                    if *dies { ", and it dies" } else { "" }
                )?,
            }
        }
        Ok(())
    }
}

/// The seeds of a run: `count` of them from `base`, each naming one point.
pub fn seeds(base: u64, count: usize) -> Vec<u64> {
    let mut rng = Rng::new(base);
    (0..count).map(|_| rng.next_u64()).collect()
}
