//! Top-1 and top-3 accuracy of each n-gram choice on the held-aside questions, at several
//! thresholds: `cargo run -p tayori-faq --example faq_accuracy`. Prints Markdown table rows
//! (the figures in docs/benchmarks.md); `--misses` also lists the questions answered wrongly
//! by the default options.

use tayori_faq::csv::Table;
use tayori_faq::{FaqEntry, FaqIndex, Grams, IndexOptions, Synonyms};

const FAQS: &str = include_str!("../data/sample-faqs.csv");
const SYNONYMS: &str = include_str!("../data/synonyms.csv");
const HELD_ASIDE: &str = include_str!("../data/held-aside.csv");

fn main() -> Result<(), tayori_faq::csv::CsvError> {
    let entries = FaqEntry::parse_csv(FAQS)?;
    let synonyms = Synonyms::parse_csv(SYNONYMS)?;
    let table = Table::parse(HELD_ASIDE)?;
    let (question, expected) = (table.column("question")?, table.column("expected")?);
    let held: Vec<(String, String)> = table
        .records()
        .map(|row| (row[question].to_owned(), row[expected].to_owned()))
        .collect();
    println!("| n-gram | threshold | top-1 | top-3 | answered wrongly | none given to a question with an answer | answered a \"none\" |");
    println!("|---|---|---|---|---|---|---|");
    for grams in Grams::ALL {
        for threshold in [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4] {
            let index = FaqIndex::new(
                entries.clone(),
                synonyms.clone(),
                IndexOptions { grams, threshold },
            );
            let score = Score::of(&index, &held);
            println!(
                "| {} | {threshold:.2} | {}% | {}% | {} | {} | {} |",
                grams.label(),
                score.top1,
                score.top3,
                score.wrong,
                score.missed,
                score.false_answers
            );
        }
    }
    if std::env::args().any(|a| a == "--misses") {
        let index = FaqIndex::new(entries, synonyms, IndexOptions::default());
        for (question, expected) in &held {
            let found = index.answer(question, 3);
            let top = found.first().map_or("none", |m| m.entry.id.as_str());
            if top != expected {
                let list: Vec<String> = found
                    .iter()
                    .map(|m| format!("{} {:.2}", m.entry.id, m.score))
                    .collect();
                println!(
                    "{question} → expected {expected}, got [{}]",
                    list.join(", ")
                );
            }
        }
    }
    Ok(())
}

/// Counts out of the held-aside questions (there are 100, so counts are percentages).
struct Score {
    top1: usize,
    top3: usize,
    wrong: usize,
    missed: usize,
    false_answers: usize,
}

impl Score {
    fn of(index: &FaqIndex, held: &[(String, String)]) -> Score {
        let mut score = Score {
            top1: 0,
            top3: 0,
            wrong: 0,
            missed: 0,
            false_answers: 0,
        };
        for (question, expected) in held {
            let found = index.answer(question, 3);
            let ids: Vec<&str> = found.iter().map(|m| m.entry.id.as_str()).collect();
            let hit1 = ids.first().copied().unwrap_or("none") == expected;
            let hit3 = if expected == "none" {
                ids.is_empty()
            } else {
                ids.contains(&expected.as_str())
            };
            score.top1 += usize::from(hit1);
            score.top3 += usize::from(hit3);
            match (expected == "none", ids.is_empty()) {
                (true, false) => score.false_answers += 1,
                (false, true) => score.missed += 1,
                (false, false) if !hit1 => score.wrong += 1,
                _ => {}
            }
        }
        score
    }
}
