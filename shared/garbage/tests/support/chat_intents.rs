//! Scores the garbage chat intents on `tests/fixtures/chat-intents.tsv` (see its header): shared
//! by the accuracy test and the `chat-intents-report` example.

use std::time::{Duration, Instant};

use chrono::Weekday;
use tayori_garbage::intent::{DayRef, From, GarbageIntents, Question};
use tayori_garbage::{Calendar, Dictionary, Lookup};
use tayori_intents::Recognition;

/// The messages the rules are measured and tuned on.
pub const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/chat-intents.tsv"
);
/// Messages written after tuning, never tuned on.
pub const HELD_OUT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/chat-intents-heldout.tsv"
);

/// One line of the fixture.
pub struct Case {
    pub line: usize,
    pub message: String,
    pub intent: String,
    pub slots: Vec<(String, String)>,
}

pub struct Outcome {
    pub case: Case,
    /// What the chat understood, written like the fixture.
    pub got: String,
    pub correct: bool,
    pub latency: Duration,
}

pub fn cases(path: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(path).expect("the fixture is readable");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let mut cols = l.split('\t');
            let message = cols.next().unwrap_or_default().to_owned();
            let intent = cols.next().unwrap_or_default().trim().to_owned();
            let slots = cols
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            Case {
                line: i + 1,
                message,
                intent,
                slots,
            }
        })
        .collect()
}

/// Every case of the file at `path` answered by `intents`, with its time.
pub fn run(
    path: &str,
    intents: &GarbageIntents,
    calendar: &Calendar,
    dictionary: &Dictionary,
) -> Vec<Outcome> {
    cases(path)
        .into_iter()
        .map(|case| {
            let started = Instant::now();
            let recognition = intents.recognize(&case.message);
            let question = match &recognition {
                Recognition::Understood(m) => intents.question(m),
                Recognition::Unsure(_) => None,
            };
            let latency = started.elapsed();
            let got = describe(&recognition, question.as_ref(), calendar, dictionary);
            let correct = matches(&case, question.as_ref(), &recognition, calendar, dictionary);
            Outcome {
                case,
                got,
                correct,
                latency,
            }
        })
        .collect()
}

fn kind_names(calendar: &Calendar, kinds: &[String]) -> String {
    kinds
        .iter()
        .map(|k| calendar.kind(k).map_or(k.clone(), |k| k.name.clone()))
        .collect::<Vec<_>>()
        .join(",")
}

fn day_text(day: DayRef) -> String {
    const W: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    let w = |d: Weekday| W[d.num_days_from_monday() as usize];
    match day {
        DayRef::Offset(n) => format!("{n:+}"),
        DayRef::Coming(d) => w(d).to_owned(),
        DayRef::ThisWeek(d) => format!("今週{}", w(d)),
        DayRef::NextWeek(d) => format!("来週{}", w(d)),
    }
}

fn item_text(dictionary: &Dictionary, item: &str) -> String {
    match dictionary.lookup(item) {
        Lookup::Exact(e) => e.name.clone(),
        Lookup::Candidates(c) => c
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join("|"),
        Lookup::None => "-".into(),
    }
}

fn describe(
    recognition: &Recognition,
    question: Option<&Question>,
    calendar: &Calendar,
    dictionary: &Dictionary,
) -> String {
    let Recognition::Understood(m) = recognition else {
        return "fallback".into();
    };
    let slots = match question {
        None => "(no question)".to_owned(),
        Some(Question::Day { day, kinds }) if kinds.is_empty() => format!("day={}", day_text(*day)),
        Some(Question::Day { day, kinds }) => {
            format!(
                "day={} kind={}",
                day_text(*day),
                kind_names(calendar, kinds)
            )
        }
        Some(Question::Next { kinds, from }) => {
            let from = match from {
                From::Today => "",
                From::ThisWeek => " from=今週",
                From::NextWeek => " from=来週",
            };
            format!("kind={}{from}", kind_names(calendar, kinds))
        }
        Some(Question::Week(w)) => format!("week={}", w.label()),
        Some(Question::Sort(item)) => format!("item={} ({item})", item_text(dictionary, item)),
        Some(_) => String::new(),
    };
    format!("{} {slots} [{:.2}]", m.intent, m.score)
}

fn matches(
    case: &Case,
    question: Option<&Question>,
    recognition: &Recognition,
    calendar: &Calendar,
    dictionary: &Dictionary,
) -> bool {
    let want = |key: &str| {
        case.slots
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    match (recognition, question) {
        (Recognition::Unsure(_), _) => case.intent == "fallback",
        (Recognition::Understood(_), None) => false,
        (Recognition::Understood(m), Some(q)) => {
            if m.intent != case.intent {
                return false;
            }
            match q {
                Question::Day { day, kinds } => {
                    want("day") == Some(day_text(*day).as_str())
                        && want("kind").unwrap_or_default() == kind_names(calendar, kinds)
                }
                Question::Next { kinds, from } => {
                    let from_ok = match from {
                        From::Today => want("from").is_none(),
                        From::ThisWeek => want("from") == Some("今週"),
                        From::NextWeek => want("from") == Some("来週"),
                    };
                    from_ok && want("kind") == Some(kind_names(calendar, kinds).as_str())
                }
                Question::Week(w) => want("week") == Some(w.label()),
                Question::Sort(item) => {
                    let Some(expected) = want("item") else {
                        return false;
                    };
                    match (expected, dictionary.lookup(item)) {
                        ("-", Lookup::None) => true,
                        (name, Lookup::Exact(e)) => e.name == name,
                        (names, Lookup::Candidates(c)) if names.contains('|') => {
                            names.split('|').all(|n| c.iter().any(|e| e.name == n))
                        }
                        (name, Lookup::Candidates(c)) => c.len() == 1 && c[0].name == name,
                        _ => false,
                    }
                }
                Question::NextAny | Question::HowToSort | Question::Notice => case.slots.is_empty(),
            }
        }
    }
}

/// Accuracy as a share of cases.
pub fn accuracy(outcomes: &[Outcome]) -> f64 {
    let correct = outcomes.iter().filter(|o| o.correct).count();
    correct as f64 / outcomes.len().max(1) as f64
}

/// A miss, for a report: line, message, what was wanted and what was understood.
pub fn miss(o: &Outcome) -> String {
    let want = o
        .case
        .slots
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "line {}: 「{}」 wanted {} {want}, got {}",
        o.case.line, o.case.message, o.case.intent, o.got
    )
}
