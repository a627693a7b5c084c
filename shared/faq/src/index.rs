//! BM25 over character n-grams of the normalised texts.
//!
//! Japanese has no spaces between words, and the tokenizers with a dictionary do not build
//! offline here (see docs/benchmarks.md); overlapping character n-grams find the shared words
//! without knowing where words end (マイナンバー shares まい, いな, なん … with
//! まいなんばーかーど). Which n works best was measured on the held-aside questions
//! ([`Grams`]).

use std::collections::HashMap;

use crate::{normalize, FaqEntry, Synonyms};

/// Which character n-grams the texts are cut into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grams {
    /// Single characters and pairs (n = 1 + 2).
    OneTwo,
    /// Pairs only (n = 2).
    Two,
    /// Pairs and triples (n = 2 + 3).
    TwoThree,
}

impl Grams {
    /// Every choice, for measuring them side by side.
    pub const ALL: [Grams; 3] = [Grams::OneTwo, Grams::Two, Grams::TwoThree];

    fn sizes(self) -> &'static [usize] {
        match self {
            Grams::OneTwo => &[1, 2],
            Grams::Two => &[2],
            Grams::TwoThree => &[2, 3],
        }
    }

    /// How the choice is written in reports (n = 1+2 …).
    pub fn label(self) -> &'static str {
        match self {
            Grams::OneTwo => "n = 1+2",
            Grams::Two => "n = 2",
            Grams::TwoThree => "n = 2+3",
        }
    }
}

/// How the index cuts and scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexOptions {
    pub grams: Grams,
    /// Below this score (see [`Match::score`]) a question is unanswered.
    pub threshold: f32,
}

impl Default for IndexOptions {
    /// The choice that answered the held-aside questions best (docs/benchmarks.md).
    fn default() -> Self {
        Self {
            grams: Grams::OneTwo,
            threshold: 0.4,
        }
    }
}

/// BM25's usual constants: how fast repeated n-grams stop adding (K1) and how much a long
/// FAQ (many phrasings) is discounted (B).
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// An FAQ found for a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match<'a> {
    pub entry: &'a FaqEntry,
    /// BM25 divided by what the question's n-grams would score against an FAQ of average
    /// length containing each once: about 1 when everything the question says is in the FAQ,
    /// near 0 when little is, whatever the length of the question.
    pub score: f32,
}

/// An n-gram of up to three characters packed in one number (21 bits a character), which
/// hashes faster than a string. Normalised text has no NUL, so lengths cannot collide.
type Gram = u64;

/// The FAQs, indexed for [`FaqIndex::answer`].
#[derive(Debug, Clone)]
pub struct FaqIndex {
    entries: Vec<FaqEntry>,
    synonyms: Synonyms,
    options: IndexOptions,
    /// For each n-gram: its inverse document frequency and (FAQ, count) of the FAQs having it.
    postings: HashMap<Gram, (f32, Vec<(u32, f32)>)>,
    /// BM25's length factor of each FAQ: K1 · (1 − B + B · length / average length).
    length_factor: Vec<f32>,
    /// The inverse document frequency of an n-gram no FAQ has.
    unseen_idf: f32,
}

impl FaqIndex {
    /// Indexes `entries`: each FAQ's question and phrasings (each cut separately, so no
    /// n-gram spans two of them) and the synonyms they mention.
    pub fn new(entries: Vec<FaqEntry>, synonyms: Synonyms, options: IndexOptions) -> Self {
        let mut counts: HashMap<Gram, Vec<(u32, f32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(entries.len());
        for (doc, entry) in entries.iter().enumerate() {
            let mut grams = Vec::new();
            for text in std::iter::once(&entry.question).chain(&entry.phrasings) {
                grams.extend(text_grams(text, &synonyms, options.grams));
            }
            lengths.push(grams.len() as f32);
            grams.sort_unstable();
            for run in grams.chunk_by(|a, b| a == b) {
                counts
                    .entry(run[0])
                    .or_default()
                    .push((doc as u32, run.len() as f32));
            }
        }
        let n = entries.len() as f32;
        let average = (lengths.iter().sum::<f32>() / n.max(1.0)).max(1.0);
        let idf = |df: f32| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let postings = counts
            .into_iter()
            .map(|(gram, docs)| (gram, (idf(docs.len() as f32), docs)))
            .collect();
        Self {
            length_factor: lengths
                .iter()
                .map(|len| K1 * (1.0 - B + B * len / average))
                .collect(),
            unseen_idf: idf(0.0),
            entries,
            synonyms,
            options,
            postings,
        }
    }

    /// The FAQs indexed.
    pub fn entries(&self) -> &[FaqEntry] {
        &self.entries
    }

    /// Up to `k` FAQs that answer `question`, best first, each scoring at least the threshold;
    /// none when nothing does (the question is unanswered).
    pub fn answer(&self, question: &str, k: usize) -> Vec<Match<'_>> {
        self.ranked(question, k, self.options.threshold)
    }

    /// Up to `k` FAQs scoring at least `floor` for `question`, best first: with a floor under
    /// the threshold, the FAQs near enough to offer beside an answer.
    pub fn ranked(&self, question: &str, k: usize, floor: f32) -> Vec<Match<'_>> {
        let mut grams = text_grams(question, &self.synonyms, self.options.grams);
        grams.sort_unstable();
        let mut scores = vec![0.0f32; self.entries.len()];
        let mut best_possible = 0.0;
        for run in grams.chunk_by(|a, b| a == b) {
            let repeats = run.len() as f32;
            match self.postings.get(&run[0]) {
                Some((idf, docs)) => {
                    best_possible += repeats * idf;
                    for &(doc, tf) in docs {
                        let length = self.length_factor[doc as usize];
                        scores[doc as usize] += repeats * idf * tf * (K1 + 1.0) / (tf + length);
                    }
                }
                // An n-gram no FAQ has is something the question asks that no FAQ says.
                None => best_possible += repeats * self.unseen_idf,
            }
        }
        if best_possible == 0.0 {
            return Vec::new();
        }
        let mut found: Vec<(usize, f32)> = scores
            .into_iter()
            .enumerate()
            .map(|(doc, score)| (doc, score / best_possible))
            .filter(|&(_, score)| score >= floor)
            .collect();
        found.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found
            .into_iter()
            .take(k)
            .map(|(doc, score)| Match {
                entry: &self.entries[doc],
                score,
            })
            .collect()
    }
}

/// The n-grams of `text` once normalised, and of the synonyms it mentions, each cut separately.
fn text_grams(text: &str, synonyms: &Synonyms, grams: Grams) -> Vec<Gram> {
    let text = normalize(text);
    let mut out = Vec::new();
    cut(&text, grams, &mut out);
    for word in synonyms.expansions(&text) {
        cut(word, grams, &mut out);
    }
    out
}

/// Appends the n-grams of `text`. A text shorter than the smallest n gives itself whole, so a
/// one-character question (税) still finds something.
fn cut(text: &str, grams: Grams, out: &mut Vec<Gram>) {
    let chars: Vec<char> = text.chars().collect();
    let sizes = grams.sizes();
    if !chars.is_empty() && chars.len() < sizes[0] {
        out.push(pack(&chars));
        return;
    }
    for &n in sizes {
        out.extend(chars.windows(n).map(pack));
    }
}

fn pack(chars: &[char]) -> Gram {
    chars.iter().fold(0, |key, &c| (key << 21) | c as u64)
}

/// The domain name the FAQ's matches carry in the chat's intent layer.
pub const DOMAIN: &str = "faq";

/// Most FAQ matches handed to the recogniser: the answer, three alternatives, and room for the
/// other domains' candidates to compete.
const MAX_MATCHES: usize = 6;

/// The FAQ as one domain of the chat's intent layer: each FAQ an intent (its id), scored by
/// BM25 as [`FaqIndex::answer`] does, only those over the threshold.
impl tayori_intents::Intents for FaqIndex {
    fn matches(&self, text: &str) -> Vec<tayori_intents::Match> {
        self.answer(text, MAX_MATCHES)
            .into_iter()
            .map(|m| tayori_intents::Match {
                domain: DOMAIN.to_owned(),
                intent: m.entry.id.clone(),
                score: m.score,
                slots: Vec::new(),
                complete: true,
                on_topic: true,
            })
            .collect()
    }
}
