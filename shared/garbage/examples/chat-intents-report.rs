//! Accuracy and per-message latency of the garbage chat intents on the citizen messages of
//! `tests/fixtures/` (the tuned set and the held-out one), on the shipped SAMPLE calendar.
//!
//! ```sh
//! cargo run --release -p tayori-garbage --example chat-intents-report
//! ```
//!
//! Latency is one message through the recogniser and into a question (folding, slot words,
//! scoring every phrase), as the webhook runs it; building the domain from the calendar and
//! dictionary, which the webhook does once per message too, is timed apart.

#[path = "../tests/support/chat_intents.rs"]
mod chat_intents;

use std::time::{Duration, Instant};

use chat_intents::{accuracy, miss, run, FIXTURE, HELD_OUT};
use tayori_garbage::intent::GarbageIntents;

/// Each message is run this many times; its latency is the median.
const ROUNDS: usize = 21;

fn main() {
    let sample = tayori_garbage::obama_sample();
    let (calendar, dictionary) = (&sample.calendar, &sample.dictionary);
    let mut builds: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let intents = GarbageIntents::new(calendar, dictionary);
            let took = started.elapsed();
            drop(intents);
            took
        })
        .collect();
    builds.sort();
    let intents = GarbageIntents::new(calendar, dictionary);
    println!(
        "building the garbage domain ({} kinds, {} dictionary entries): median {:.2} ms",
        calendar.kinds.len(),
        dictionary.entries.len(),
        ms(builds[ROUNDS / 2])
    );
    println!();
    println!("| messages | count | accuracy | latency p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    let mut all_misses = Vec::new();
    for (name, path) in [
        ("tuned (chat-intents.tsv)", FIXTURE),
        ("held out (chat-intents-heldout.tsv)", HELD_OUT),
    ] {
        let first = run(path, &intents, calendar, dictionary);
        // Each message's median over the rounds, the first run included.
        let mut per_message: Vec<Vec<Duration>> = first.iter().map(|o| vec![o.latency]).collect();
        for _ in 1..ROUNDS {
            for (i, o) in run(path, &intents, calendar, dictionary)
                .into_iter()
                .enumerate()
            {
                per_message[i].push(o.latency);
            }
        }
        let mut latencies: Vec<Duration> = per_message
            .into_iter()
            .map(|mut l| {
                l.sort();
                l[l.len() / 2]
            })
            .collect();
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
        let correct = first.iter().filter(|o| o.correct).count();
        println!(
            "| {name} | {} | {:.1}% ({correct}/{}) | {:.3} | {:.3} | {:.3} | {:.3} |",
            first.len(),
            accuracy(&first) * 100.0,
            first.len(),
            ms(at(0.5)),
            ms(at(0.95)),
            ms(at(0.99)),
            ms(at(1.0)),
        );
        all_misses.extend(
            first
                .iter()
                .filter(|o| !o.correct)
                .map(|o| format!("{name} {}", miss(o))),
        );
    }
    println!();
    println!("misses:");
    for m in all_misses {
        println!("- {m}");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
