//! In-process answer time of the FAQ matcher for 2,000 FAQs (issue 16: p99 ≤ 5 ms).
//!
//! `cargo bench -p tayori-faq --bench faq_answer [-- N …]` (default N = 66 and 2000). The N
//! FAQs are made from the 66 sample FAQs, each copied with a place name in front and its
//! phrasings rotated, so the generated FAQs share their words as a large city's FAQ list
//! would (the slow case: long posting lists). Every held-aside question is asked 20 times,
//! each call timed alone; prints one Markdown table row per N and n-gram choice.

use std::time::{Duration, Instant};

use tayori_faq::csv::Table;
use tayori_faq::{FaqEntry, FaqIndex, Grams, IndexOptions, Synonyms};

const FAQS: &str = include_str!("../data/sample-faqs.csv");
const SYNONYMS: &str = include_str!("../data/synonyms.csv");
const HELD_ASIDE: &str = include_str!("../data/held-aside.csv");

/// Place names in 小浜市, to make variants of the sample FAQs.
const PLACES: &[&str] = &[
    "小浜",
    "雲浜",
    "西津",
    "今富",
    "国富",
    "宮川",
    "松永",
    "遠敷",
    "中名田",
    "口名田",
    "加斗",
    "内外海",
    "田烏",
    "阿納",
    "甲ヶ崎",
    "青井",
    "後瀬",
    "水取",
    "多田",
    "太良庄",
    "竹原",
    "府中",
    "羽賀",
    "生守",
    "平野",
    "金屋",
    "相生",
    "湯岡",
    "飯盛",
    "上野",
    "和久里",
];

const ROUNDS: usize = 20;

fn main() -> Result<(), tayori_faq::csv::CsvError> {
    let sample = FaqEntry::parse_csv(FAQS)?;
    let synonyms = Synonyms::parse_csv(SYNONYMS)?;
    let table = Table::parse(HELD_ASIDE)?;
    let question = table.column("question")?;
    let questions: Vec<String> = table.records().map(|r| r[question].to_owned()).collect();
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![66, 2000]
    } else {
        sizes
    };

    println!("| FAQs | n-gram | index built in | p50 | p99 | max | calls |");
    println!("|---|---|---|---|---|---|---|");
    for n in sizes {
        let entries = generate(&sample, n);
        for grams in Grams::ALL {
            let options = IndexOptions {
                grams,
                ..IndexOptions::default()
            };
            let started = Instant::now();
            let index = FaqIndex::new(entries.clone(), synonyms.clone(), options);
            let built = started.elapsed();
            let mut times = Vec::with_capacity(ROUNDS * questions.len());
            let mut answered = 0;
            for _ in 0..ROUNDS {
                for q in &questions {
                    let started = Instant::now();
                    let found = index.answer(q, 4);
                    times.push(started.elapsed());
                    answered += found.len();
                }
            }
            // Keeps the calls from being optimised away and shows the index answers.
            assert!(answered > 0, "no question was answered");
            times.sort_unstable();
            println!(
                "| {n} | {} | {} | {} | {} | {} | {} |",
                grams.label(),
                ms(built),
                ms(percentile(&times, 50)),
                ms(percentile(&times, 99)),
                ms(*times.last().unwrap_or(&Duration::ZERO)),
                times.len()
            );
        }
    }
    Ok(())
}

/// `n` FAQs: the sample first, then copies with a place name in front of the question and the
/// phrasings rotated, place after place.
fn generate(sample: &[FaqEntry], n: usize) -> Vec<FaqEntry> {
    (0..n)
        .map(|i| {
            let base = &sample[i % sample.len()];
            let round = i / sample.len();
            if round == 0 {
                return base.clone();
            }
            let place = PLACES[(round - 1) % PLACES.len()];
            let mut phrasings = base.phrasings.clone();
            if !phrasings.is_empty() {
                let by = round % phrasings.len();
                phrasings.rotate_left(by);
                phrasings.truncate(phrasings.len().max(2) - 1);
            }
            FaqEntry {
                id: format!("{}-{round}", base.id),
                question: format!("{place}地区の{}", base.question),
                phrasings,
                answer_id: format!("{}-{round}", base.answer_id),
                category: base.category.clone(),
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
