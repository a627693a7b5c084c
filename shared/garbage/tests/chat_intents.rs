//! The garbage chat intents against the hand-written citizen messages of
//! `tests/fixtures/chat-intents.tsv`, on the shipped 小浜市 SAMPLE calendar and dictionary.
//! The same figures, with latencies, come from
//! `cargo run --release -p tayori-garbage --example chat-intents-report`.

use crate::support;

use support::chat_intents::{accuracy, cases, miss, run, FIXTURE};
use tayori_garbage::intent::GarbageIntents;

/// The accuracy the chat must keep (issue 11).
const REQUIRED: f64 = 0.95;

#[test]
fn the_fixture_holds_at_least_two_hundred_messages_of_every_intent() {
    let cases = cases(FIXTURE);
    assert!(cases.len() >= 200, "{} messages", cases.len());
    for intent in [
        "garbage.day",
        "garbage.next",
        "garbage.next_any",
        "garbage.week",
        "garbage.sort",
        "garbage.how_to_sort",
        "garbage.notice",
        "fallback",
    ] {
        assert!(cases.iter().any(|c| c.intent == intent), "{intent}");
    }
}

#[test]
fn citizens_messages_reach_the_intended_question_at_least_95_percent_of_the_time() {
    let sample = tayori_garbage::obama_sample();
    let intents = GarbageIntents::new(&sample.calendar, &sample.dictionary);
    let outcomes = run(FIXTURE, &intents, &sample.calendar, &sample.dictionary);
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.correct)
        .map(|o| format!("  {}", miss(o)))
        .collect();
    let accuracy = accuracy(&outcomes);
    println!(
        "accuracy {:.1}% ({} of {}); misses:\n{}",
        accuracy * 100.0,
        outcomes.len() - failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
    assert!(
        accuracy >= REQUIRED,
        "accuracy {:.1}% is below {:.0}%; misses:\n{}",
        accuracy * 100.0,
        REQUIRED * 100.0,
        failures.join("\n")
    );
}
