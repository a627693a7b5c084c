//! What a citizen's chat message asks for (意図の判定), pure: no I/O, no clock.
//!
//! The chat answers several kinds of questions, each kind owned by its own crate: garbage
//! collection days and sorting (`tayori-garbage`), and later the FAQ. Each contributes a
//! [`Domain`]: its **intents** (what can be asked) with example **phrases**, the **slots** those
//! phrases leave open (「{kind}はいつ」) with the words naming each slot's values (synonym
//! tables, a sorting dictionary), and its **spelling variants**. A [`Recognizer`] over the
//! built domains ([`DomainIndex`]) tells, for a message, either the one intent it is confident
//! of, with its slots, or the nearest candidates, for a fallback that offers them as buttons.
//!
//! # How a message is matched
//!
//! 1. The message is folded ([`normalize`]): NFKC, hiragana, loosened long vowels, the domain's
//!    spelling variants, greetings and polite endings removed.
//! 2. The words of each slot are found in it ([`vocabulary`]), and replaced by the slot's
//!    marker, longest first: 「明日は燃えるゴミの日？」 reads 「{day}は{kind}のひ」 for the intents
//!    that use those slots. Each group of intents sharing the same slots sees its own reading,
//!    so 「ペットボトル」 can be a kind for one intent and an item for another.
//! 3. A phrase with an **open** slot (`{item*}は何ごみ`) also takes whatever stands where the
//!    slot is, when the rest of the message is the rest of the phrase: 「宇宙船は何ごみ」 fills
//!    `item` with 宇宙船 although no vocabulary names it.
//! 4. The reading is compared with every phrase of those intents by a weighted Dice
//!    coefficient over character unigrams and bigrams (with start and end marks), each n-gram
//!    weighted by its inverse document frequency among the domain's phrases; n-grams no phrase
//!    has weigh [`UNKNOWN_WEIGHT`] × the largest weight, so a message about something else
//!    scores low even when it shares a slot (「明日の天気」). A phrase's score is multiplied by
//!    its weight (a bare 「{item}」 is a weaker sign than 「{item*}は何ごみ」).
//! 5. The best phrase of each intent is that intent's score. The message is **understood**
//!    when the best intent scores at least [`Thresholds::understood`], its slots are exactly
//!    those of its phrase (no slot missing, none left over), and no other intent comes within
//!    [`Thresholds::margin`]. Otherwise the intents scoring at least
//!    [`Thresholds::candidate`] are the candidates, best first, if the message is on the
//!    domain's topic ([`Domain::topic`]).
//!
//! # Adding a domain (the FAQ)
//!
//! Another domain plugs in beside garbage, not as a second matcher: one intent per question
//! (`faq:<id>`), its question and other wordings as phrases (no slots), its own spelling
//! variants. Build it once per change ([`Domain::build`] gives an immutable [`DomainIndex`] a
//! process can keep in an `Arc`), and pass it to [`Recognizer::new`] beside the garbage
//! domain; scores of every domain are on the same 0–1 scale, so a garbage question and an FAQ
//! question compete fairly and the fallback can offer both. Matching only visits the phrases
//! sharing an n-gram with the message (an inverted index per group), so thousands of
//! questions stay cheap. A domain may also bring its own scorer behind the same [`Match`]
//! output ([`Intents`]): the FAQ does, with BM25 over its questions and synonyms
//! (`tayori-faq`; its accuracy on held-aside questions is in docs/benchmarks.md).

pub mod normalize;
pub mod vocabulary;

use std::collections::HashMap;

pub use normalize::{fold_exact, Folded, Normalizer};
pub use vocabulary::{Mention, Vocabulary};

/// Weight of an n-gram no phrase has, as a share of the largest weight of a known n-gram.
pub const UNKNOWN_WEIGHT: f32 = 0.8;

/// A phrase read with a slot taking words no vocabulary knows is weaker evidence than one whose
/// slots the domain's words fill: its score is multiplied by this.
pub const CAPTURED_WEIGHT: f32 = 0.95;

/// First marker character standing for a slot (private use area).
const FIRST_MARKER: u32 = 0xE000;
const START: char = '\u{2}';
const END: char = '\u{3}';

/// When a message counts as understood.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Least score of an understood intent.
    pub understood: f32,
    /// Least lead over the best other intent.
    pub margin: f32,
    /// Least score of a candidate offered in the fallback.
    pub candidate: f32,
    /// Most candidates given back.
    pub max_candidates: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            understood: 0.6,
            margin: 0.04,
            candidate: 0.3,
            max_candidates: 6,
        }
    }
}

/// A domain as its crate describes it; [`Domain::build`] makes it matchable.
#[derive(Clone, Debug, Default)]
pub struct Domain {
    name: String,
    variants: Vec<(String, String)>,
    topic: Vec<String>,
    slots: Vec<SlotDefinition>,
    intents: Vec<(String, Vec<(String, f32)>)>,
}

#[derive(Clone, Debug)]
struct SlotDefinition {
    name: String,
    words: Vec<(String, String)>,
    partial_from: Option<usize>,
}

impl Domain {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Default::default()
        }
    }

    /// A spelling citizens use (`variant`) and the one the domain writes (`spelling`).
    pub fn variant(&mut self, variant: &str, spelling: &str) -> &mut Self {
        self.variants
            .push((variant.to_owned(), spelling.to_owned()));
        self
    }

    /// Words that show a message is about this domain (ごみ, 分別 …). A domain with topic words
    /// offers its intents as fallback candidates only to messages holding one of them or a
    /// word of a slot marked [`Domain::topical`], so 「次のイベントはいつ？」 is not offered
    /// 「次の収集日」 for sharing 「次の…はいつ」.
    pub fn topic<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.topic.extend(words.into_iter().map(str::to_owned));
        self
    }

    /// Makes the words of slot `name` topic words too (a kind of garbage, an item).
    pub fn topical(&mut self, name: &str) -> &mut Self {
        if let Some(slot) = self.slots.iter().find(|s| s.name == name) {
            let words: Vec<String> = slot.words.iter().map(|(w, _)| w.clone()).collect();
            self.topic.extend(words);
        }
        self
    }

    /// A slot, with the words naming its values: (word, value). The same value may have many
    /// words (synonyms) and a word several values.
    pub fn slot(
        &mut self,
        name: &str,
        words: impl IntoIterator<Item = (String, String)>,
    ) -> &mut Self {
        self.add_slot(name, words, None)
    }

    /// A slot whose values a whole message may name in part, as 「電池」 names 「乾電池」 and
    /// 「ボタン電池」 (at least `min_chars` folded characters, and not a word of the domain's
    /// own phrases, so 「ごみ」 alone names no item).
    pub fn slot_named_in_part(
        &mut self,
        name: &str,
        words: impl IntoIterator<Item = (String, String)>,
        min_chars: usize,
    ) -> &mut Self {
        self.add_slot(name, words, Some(min_chars))
    }

    fn add_slot(
        &mut self,
        name: &str,
        words: impl IntoIterator<Item = (String, String)>,
        partial_from: Option<usize>,
    ) -> &mut Self {
        let words = words.into_iter().collect();
        match self.slots.iter_mut().find(|s| s.name == name) {
            Some(slot) => slot.words.extend::<Vec<_>>(words),
            None => self.slots.push(SlotDefinition {
                name: name.to_owned(),
                words,
                partial_from,
            }),
        }
        self
    }

    /// An intent and its phrases. A phrase names a slot as `{name}`, or `{name*}` when the slot
    /// may also be filled by words no vocabulary knows (see the crate documentation).
    pub fn intent<'a>(
        &mut self,
        id: &str,
        phrases: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        self.weighted(id, phrases.into_iter().map(|p| (p, 1.0)))
    }

    /// As [`Domain::intent`], each phrase with a weight (1.0 is a full sign of the intent).
    pub fn weighted<'a>(
        &mut self,
        id: &str,
        phrases: impl IntoIterator<Item = (&'a str, f32)>,
    ) -> &mut Self {
        let phrases = phrases.into_iter().map(|(p, w)| (p.to_owned(), w));
        match self.intents.iter_mut().find(|(i, _)| i == id) {
            Some((_, list)) => list.extend(phrases),
            None => self.intents.push((id.to_owned(), phrases.collect())),
        }
        self
    }

    /// Folds every phrase and word and indexes the phrases.
    pub fn build(&self) -> DomainIndex {
        DomainIndex::new(self)
    }
}

/// A slot of a match: its name, the value the domain gave the words, and the words as the
/// citizen wrote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub name: String,
    pub value: String,
    pub text: String,
}

/// One intent's best reading of a message.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub domain: String,
    pub intent: String,
    /// 0–1: how close the message is to the intent's nearest phrase.
    pub score: f32,
    /// The slots the message filled, in the order they appear in it.
    pub slots: Vec<Slot>,
    /// Whether the message fills exactly the slots of that phrase.
    pub complete: bool,
    /// Whether the message holds one of the domain's topic words (see [`Domain::topic`]).
    pub on_topic: bool,
}

impl Match {
    /// The values of slot `name`, in the message's order.
    pub fn values(&self, name: &str) -> impl Iterator<Item = &Slot> + '_ {
        let name = name.to_owned();
        self.slots.iter().filter(move |s| s.name == name)
    }

    pub fn value(&self, name: &str) -> Option<&Slot> {
        self.values(name).next()
    }
}

/// What the recogniser made of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Recognition {
    Understood(Match),
    /// Nothing confident: the nearest intents, best first (none for an unrelated message).
    Unsure(Vec<Match>),
}

type Feature = u64;

fn feature(a: char, b: Option<char>) -> Feature {
    (u64::from(u32::from(a)) << 32) | u64::from(b.map_or(0, u32::from))
}

/// Character unigrams and bigrams (with start and end marks), counted.
fn features(chars: &[char]) -> HashMap<Feature, u16> {
    let mut out: HashMap<Feature, u16> = HashMap::new();
    for &c in chars {
        *out.entry(feature(c, None)).or_default() += 1;
    }
    let padded: Vec<char> = std::iter::once(START)
        .chain(chars.iter().copied())
        .chain(std::iter::once(END))
        .collect();
    for pair in padded.windows(2) {
        *out.entry(feature(pair[0], Some(pair[1]))).or_default() += 1;
    }
    out
}

#[derive(Clone, Debug)]
struct SlotIndex {
    name: String,
    marker: char,
    vocabulary: Vocabulary,
}

#[derive(Clone, Debug)]
struct Phrase {
    intent: usize,
    weight: f32,
    chars: Vec<char>,
    /// The markers the phrase holds, sorted.
    markers: Vec<char>,
    /// For `{slot*}`: the open slot and the phrase before and after it.
    open: Option<(usize, Vec<char>, Vec<char>)>,
    norm: f32,
}

/// A phrase as written, before its group reads it.
#[derive(Clone, Debug)]
enum Part {
    Words(Vec<char>),
    Slot { slot: usize, open: bool },
}

/// A phrase and its casual forms: a topic は after a slot may be って or left out
/// (「{kind}はいつ」, 「{kind}っていつ」, 「{kind}いつ」). Not before another slot: 「{item*}は{kind}」
/// without は would take any item name ending in a kind's (ビールびん).
fn with_particles(text: &str) -> Vec<String> {
    let mut out = vec![text.to_owned()];
    let casual = text.contains("}は") && !text.contains("}は{") && !text.ends_with("}は");
    if casual {
        out.push(text.replace("}は", "}って"));
        out.push(text.replace("}は", "}"));
    }
    out
}

/// Intents reading the message with the same slots.
#[derive(Clone, Debug)]
struct Group {
    slots: Vec<usize>,
    phrases: Vec<usize>,
    postings: HashMap<Feature, Vec<(usize, u16)>>,
}

/// A built [`Domain`]: immutable, cheap to share.
#[derive(Clone, Debug)]
pub struct DomainIndex {
    name: String,
    normalizer: Normalizer,
    slots: Vec<SlotIndex>,
    intents: Vec<String>,
    phrases: Vec<Phrase>,
    groups: Vec<Group>,
    weights: HashMap<Feature, f32>,
    unknown_weight: f32,
    /// The literal parts of the phrases, folded: words the domain itself uses.
    literals: Vec<Vec<char>>,
    /// Folded topic words; empty: every message is on topic.
    topic: Vec<Vec<char>>,
}

/// A message read for one group: folded characters with slot words replaced by markers.
#[derive(Clone, Debug)]
struct Reading {
    chars: Vec<char>,
    /// For each character, the message's folded range it stands for.
    spans: Vec<(usize, usize)>,
    /// Each marker's position, its slot and what it stands for.
    slots: Vec<(usize, usize, Mention)>,
}

impl Reading {
    /// The markers it holds, sorted.
    fn markers(&self) -> Vec<char> {
        let mut markers: Vec<char> = self
            .slots
            .iter()
            .map(|(at, _, _)| self.chars[*at])
            .collect();
        markers.sort_unstable();
        markers
    }
}

impl DomainIndex {
    fn new(domain: &Domain) -> Self {
        let normalizer = Normalizer::new(&domain.variants);
        let slots: Vec<SlotIndex> = domain
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| SlotIndex {
                name: s.name.clone(),
                marker: marker(i),
                vocabulary: Vocabulary::new(&normalizer, s.words.clone(), s.partial_from),
            })
            .collect();
        let mut index = DomainIndex {
            name: domain.name.clone(),
            normalizer,
            slots,
            intents: domain.intents.iter().map(|(id, _)| id.clone()).collect(),
            phrases: Vec::new(),
            groups: Vec::new(),
            weights: HashMap::new(),
            unknown_weight: 1.0,
            literals: Vec::new(),
            topic: Vec::new(),
        };
        index.topic = domain
            .topic
            .iter()
            .map(|w| index.normalizer.key(w))
            .filter(|k| !k.is_empty())
            .collect();
        index.topic.sort();
        index.topic.dedup();
        let mut parsed: Vec<(usize, f32, Vec<Part>)> = Vec::new();
        for (intent, (_, phrases)) in domain.intents.iter().enumerate() {
            for (text, weight) in phrases {
                for text in with_particles(text) {
                    parsed.push((intent, *weight, index.parse(&text)));
                }
            }
        }
        // The slots each intent's phrases name: its group reads messages with them.
        let mut intent_slots: Vec<Vec<usize>> = vec![Vec::new(); index.intents.len()];
        for (intent, _, parts) in &parsed {
            for part in parts {
                if let Part::Slot { slot, .. } = part {
                    if !intent_slots[*intent].contains(slot) {
                        intent_slots[*intent].push(*slot);
                    }
                }
            }
        }
        for s in &mut intent_slots {
            s.sort_unstable();
        }
        let mut phrase_features = Vec::new();
        let mut seen: HashMap<(usize, Vec<char>), usize> = HashMap::new();
        for (intent, weight, parts) in parsed {
            for part in &parts {
                if let Part::Words(words) = part {
                    index.literals.push(words.clone());
                }
            }
            let phrase = index.assemble(intent, weight, &parts, &intent_slots[intent]);
            match seen.get(&(phrase.intent, phrase.chars.clone())) {
                Some(&i) => index.phrases[i].weight = index.phrases[i].weight.max(phrase.weight),
                None => {
                    seen.insert((phrase.intent, phrase.chars.clone()), index.phrases.len());
                    phrase_features.push(features(&phrase.chars));
                    index.phrases.push(phrase);
                }
            }
        }
        // Inverse document frequency over the domain's phrases.
        let mut df: HashMap<Feature, u32> = HashMap::new();
        for f in &phrase_features {
            for k in f.keys() {
                *df.entry(*k).or_default() += 1;
            }
        }
        let n = index.phrases.len().max(1) as f32;
        index.weights = df
            .into_iter()
            .map(|(f, d)| (f, (1.0 + n / d as f32).ln()))
            .collect();
        let max = index.weights.values().copied().fold(0.0_f32, f32::max);
        index.unknown_weight = (max * UNKNOWN_WEIGHT).max(0.1);
        for (i, f) in phrase_features.into_iter().enumerate() {
            let slots = &intent_slots[index.phrases[i].intent];
            let group = match index.groups.iter().position(|g| &g.slots == slots) {
                Some(g) => g,
                None => {
                    index.groups.push(Group {
                        slots: slots.clone(),
                        phrases: Vec::new(),
                        postings: HashMap::new(),
                    });
                    index.groups.len() - 1
                }
            };
            index.phrases[i].norm = index.norm(&f);
            index.groups[group].phrases.push(i);
            for (k, c) in f {
                index.groups[group]
                    .postings
                    .entry(k)
                    .or_default()
                    .push((i, c));
            }
        }
        index
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The domain's intent ids, in the order they were described.
    pub fn intents(&self) -> &[String] {
        &self.intents
    }

    /// The folding this domain compares with (its spelling variants included).
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    fn weight(&self, f: &Feature) -> f32 {
        self.weights.get(f).copied().unwrap_or(self.unknown_weight)
    }

    fn norm(&self, f: &HashMap<Feature, u16>) -> f32 {
        f.iter().map(|(k, c)| self.weight(k) * f32::from(*c)).sum()
    }

    /// A phrase as written: its words, folded, and its slots.
    fn parse(&self, text: &str) -> Vec<Part> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find('{') {
            parts.push(Part::Words(self.normalizer.key(&rest[..at])));
            let close = rest[at..].find('}').map_or(rest.len(), |c| at + c);
            let name = &rest[at + 1..close];
            let (name, open) = match name.strip_suffix('*') {
                Some(n) => (n, true),
                None => (name, false),
            };
            let slot = self
                .slots
                .iter()
                .position(|s| s.name == name)
                .unwrap_or_else(|| panic!("phrase 「{text}」 names no slot {name}"));
            parts.push(Part::Slot { slot, open });
            rest = &rest[(close + 1).min(rest.len())..];
        }
        parts.push(Part::Words(self.normalizer.key(rest)));
        parts.retain(|p| !matches!(p, Part::Words(w) if w.is_empty()));
        parts
    }

    /// A phrase read as its group reads messages: its words naming one of the group's slots
    /// become that slot (「次の{kind}」 reads as 「{from}の{kind}」 where 次 names `from`), so
    /// that a phrase and a message saying the same thing read the same.
    fn assemble(&self, intent: usize, weight: f32, parts: &[Part], slots: &[usize]) -> Phrase {
        let mut chars = Vec::new();
        let mut open = None;
        for part in parts {
            match part {
                Part::Slot {
                    slot,
                    open: is_open,
                } => {
                    if *is_open {
                        open = Some((*slot, chars.len()));
                    }
                    chars.push(marker(*slot));
                }
                Part::Words(words) => {
                    let mentions: Vec<Vec<Mention>> = (0..self.slots.len())
                        .map(|s| {
                            if !slots.contains(&s) {
                                return Vec::new();
                            }
                            let mut found = self.slots[s].vocabulary.find(words);
                            found.retain(|m| !m.partial && m.len() >= 2);
                            found
                        })
                        .collect();
                    let folded = Folded::plain(words);
                    let reading = &read(&folded, &mentions, slots, &self.slots)[0];
                    chars.extend(&reading.chars);
                }
            }
        }
        // Phrases lose their endings as messages do.
        let kept = self.normalizer.trim_range(&chars);
        let open = open.and_then(|(slot, at)| {
            let at = at
                .checked_sub(kept.start)
                .filter(|at| kept.start + at < kept.end)?;
            let chars = &chars[kept.clone()];
            Some((slot, chars[..at].to_vec(), chars[at + 1..].to_vec()))
        });
        let chars: Vec<char> = chars[kept].to_vec();
        let mut markers: Vec<char> = chars
            .iter()
            .copied()
            .filter(|c| normalize::is_marker(*c))
            .collect();
        markers.sort_unstable();
        Phrase {
            intent,
            weight,
            chars,
            markers,
            // A bare `{item*}` would take any message: only phrases with words around the
            // slot may capture.
            open: open.filter(|(_, before, after)| !before.is_empty() || !after.is_empty()),
            norm: 0.0,
        }
    }

    /// Every intent's best reading of `text`, best first.
    pub fn matches(&self, text: &str) -> Vec<Match> {
        let message = self.normalizer.message(text);
        if message.is_empty() {
            return Vec::new();
        }
        let mentions: Vec<Vec<Mention>> = self
            .slots
            .iter()
            .map(|s| {
                let mut found = s.vocabulary.find(message.chars());
                found.retain(|m| !m.partial || !self.is_own_word(&message.chars()[m.start..m.end]));
                found
            })
            .collect();
        let mut readings: Vec<Reading> = Vec::new();
        // Per intent: (complete, score, phrase, reading).
        let mut best: Vec<Option<(bool, f32, usize, usize)>> = vec![None; self.intents.len()];
        for group in &self.groups {
            for reading in read(&message, &mentions, &group.slots, &self.slots) {
                let markers = reading.markers();
                let scores = self.score(group, &reading.chars);
                readings.push(reading);
                let r = readings.len() - 1;
                for (phrase, score) in scores {
                    let p = &self.phrases[phrase];
                    let complete = p.markers == markers;
                    keep_best(&mut best[p.intent], (complete, score * p.weight, phrase, r));
                }
            }
            // Open slots: the words where the slot stands, whatever they are, unless the
            // domain knows them as something else (a day is not an item; 「ごみ」 is no item).
            let elsewhere: Vec<&Mention> = (0..self.slots.len())
                .filter(|s| !group.slots.contains(s))
                .flat_map(|s| mentions[s].iter())
                .filter(|m| !m.partial)
                .collect();
            for &i in &group.phrases {
                let p = &self.phrases[i];
                let Some((open_slot, before, after)) = &p.open else {
                    continue;
                };
                let others: Vec<usize> = group
                    .slots
                    .iter()
                    .copied()
                    .filter(|s| s != open_slot)
                    .collect();
                for reading in read(&message, &mentions, &others, &self.slots) {
                    let Some(captured) = capture(&reading, before, after, *open_slot, &message)
                    else {
                        continue;
                    };
                    let Some((_, _, taken)) =
                        captured.slots.iter().find(|(_, s, _)| s == open_slot)
                    else {
                        continue;
                    };
                    let known_otherwise = elsewhere
                        .iter()
                        .any(|m| m.start >= taken.start && m.end <= taken.end)
                        || self.is_own_word(&message.chars()[taken.start..taken.end]);
                    if known_otherwise {
                        continue;
                    }
                    let complete = p.markers == captured.markers();
                    readings.push(captured);
                    let r = readings.len() - 1;
                    keep_best(
                        &mut best[p.intent],
                        (complete, p.weight * CAPTURED_WEIGHT, i, r),
                    );
                }
            }
        }
        let on_topic = self.topic.is_empty()
            || self
                .topic
                .iter()
                .any(|w| message.chars().windows(w.len()).any(|c| c == &w[..]));
        let mut all: Vec<Match> = best
            .into_iter()
            .flatten()
            .map(|(complete, score, phrase, r)| Match {
                domain: self.name.clone(),
                intent: self.intents[self.phrases[phrase].intent].clone(),
                score,
                slots: readings[r]
                    .slots
                    .iter()
                    .map(|(_, slot, mention)| Slot {
                        name: self.slots[*slot].name.clone(),
                        value: mention.value.clone(),
                        text: message.source_of(mention.start..mention.end),
                    })
                    .collect(),
                complete,
                on_topic,
            })
            .collect();
        all.sort_by(|a, b| b.score.total_cmp(&a.score));
        all
    }

    fn is_own_word(&self, word: &[char]) -> bool {
        self.literals
            .iter()
            .any(|l| l.windows(word.len()).any(|w| w == word))
    }

    /// Weighted Dice of `chars` with each phrase of `group` sharing an n-gram with it.
    fn score(&self, group: &Group, chars: &[char]) -> Vec<(usize, f32)> {
        let f = features(chars);
        let norm = self.norm(&f);
        let mut overlap: HashMap<usize, f32> = HashMap::new();
        for (k, c) in &f {
            let Some(postings) = group.postings.get(k) else {
                continue;
            };
            let w = self.weight(k);
            for (phrase, pc) in postings {
                *overlap.entry(*phrase).or_default() += w * f32::from((*c).min(*pc));
            }
        }
        overlap
            .into_iter()
            .map(|(p, o)| (p, 2.0 * o / (norm + self.phrases[p].norm)))
            .collect()
    }
}

fn marker(slot: usize) -> char {
    char::from_u32(FIRST_MARKER + slot as u32).expect("a private use character")
}

/// Keeps the better of two readings of an intent: one filling its phrase's slots exactly
/// over one that does not, then the higher score.
fn keep_best(best: &mut Option<(bool, f32, usize, usize)>, candidate: (bool, f32, usize, usize)) {
    let better = match best {
        None => true,
        Some(b) => (candidate.0 && !b.0) || (candidate.0 == b.0 && candidate.1 > b.1),
    };
    if better {
        *best = Some(candidate);
    }
}

/// Most readings of one message for one group (words naming several slots multiply them).
const MAX_READINGS: usize = 8;

/// The message with the words of `slots` replaced by their markers: longest words first, then
/// earliest; overlapping words give way. Words naming several slots (ペットボトル: a kind and
/// an item) give one reading for each.
fn read(
    message: &Folded,
    mentions: &[Vec<Mention>],
    slots: &[usize],
    defs: &[SlotIndex],
) -> Vec<Reading> {
    let mut all: Vec<(usize, &Mention)> = slots
        .iter()
        .flat_map(|s| mentions[*s].iter().map(move |m| (*s, m)))
        .collect();
    all.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1.start.cmp(&b.1.start)));
    // Each taken span with the slots naming it.
    let mut taken: Vec<Vec<(usize, &Mention)>> = Vec::new();
    for (slot, m) in all {
        let same = taken
            .iter_mut()
            .find(|a| a[0].1.start == m.start && a[0].1.end == m.end);
        if let Some(alternatives) = same {
            if !alternatives.iter().any(|(s, _)| *s == slot) {
                alternatives.push((slot, m));
            }
            continue;
        }
        if taken
            .iter()
            .all(|a| m.end <= a[0].1.start || m.start >= a[0].1.end)
        {
            taken.push(vec![(slot, m)]);
        }
    }
    taken.sort_by_key(|a| a[0].1.start);
    let mut combinations: Vec<Vec<(usize, &Mention)>> = vec![Vec::new()];
    for alternatives in &taken {
        let mut next = Vec::new();
        for combination in &combinations {
            for a in alternatives {
                if next.len() < MAX_READINGS {
                    let mut c = combination.clone();
                    c.push(*a);
                    next.push(c);
                }
            }
        }
        combinations = next;
    }
    combinations
        .into_iter()
        .map(|chosen| {
            let mut reading = Reading {
                chars: Vec::new(),
                spans: Vec::new(),
                slots: Vec::new(),
            };
            let mut at = 0;
            for (slot, m) in chosen {
                for i in at..m.start {
                    reading.chars.push(message.chars()[i]);
                    reading.spans.push((i, i + 1));
                }
                reading.slots.push((reading.chars.len(), slot, m.clone()));
                reading.chars.push(defs[slot].marker);
                reading.spans.push((m.start, m.end));
                at = m.end;
            }
            for i in at..message.len() {
                reading.chars.push(message.chars()[i]);
                reading.spans.push((i, i + 1));
            }
            reading
        })
        .collect()
}

/// `reading` as `before` + open slot + `after`, when it has that shape and the slot's part has
/// some words of its own.
fn capture(
    reading: &Reading,
    before: &[char],
    after: &[char],
    slot: usize,
    message: &Folded,
) -> Option<Reading> {
    let chars = &reading.chars;
    if chars.len() <= before.len() + after.len()
        || !chars.starts_with(before)
        || !chars.ends_with(after)
    {
        return None;
    }
    let middle = before.len()..chars.len() - after.len();
    if chars[middle.clone()]
        .iter()
        .all(|c| normalize::is_marker(*c))
    {
        return None;
    }
    let start = reading.spans[middle.start].0;
    let end = reading.spans[middle.end - 1].1;
    let mention = Mention {
        start,
        end,
        value: message.source_of(start..end),
        partial: false,
    };
    let mut captured = Reading {
        chars: before.to_vec(),
        spans: reading.spans[..middle.start].to_vec(),
        slots: reading
            .slots
            .iter()
            .filter(|(at, _, _)| *at < middle.start)
            .cloned()
            .collect(),
    };
    captured.slots.push((captured.chars.len(), slot, mention));
    captured.chars.push(marker(slot));
    captured.spans.push((start, end));
    let shift = middle.end - middle.start - 1;
    captured.slots.extend(
        reading
            .slots
            .iter()
            .filter(|(at, _, _)| *at >= middle.end)
            .map(|(at, s, m)| (at - shift, *s, m.clone())),
    );
    captured.chars.extend(after);
    captured.spans.extend(&reading.spans[middle.end..]);
    Some(captured)
}

/// A domain as the recogniser asks it: the phrases-and-slots index every domain can build
/// ([`DomainIndex`]), or a domain's own scorer behind the same [`Match`] output (the FAQ ranks
/// its questions with BM25: `tayori-faq`).
pub trait Intents: Sync {
    /// The domain's intents for `text`, each once, scored 0–1.
    fn matches(&self, text: &str) -> Vec<Match>;
}

impl Intents for DomainIndex {
    fn matches(&self, text: &str) -> Vec<Match> {
        DomainIndex::matches(self, text)
    }
}

/// Recognises messages over one or more domains.
#[derive(Clone)]
pub struct Recognizer<'a> {
    domains: Vec<&'a dyn Intents>,
    thresholds: Thresholds,
}

impl<'a> Recognizer<'a> {
    pub fn new(domains: Vec<&'a dyn Intents>) -> Self {
        Self {
            domains,
            thresholds: Thresholds::default(),
        }
    }

    pub fn with_thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// Every domain's intents for `text`, best first.
    pub fn matches(&self, text: &str) -> Vec<Match> {
        let mut all: Vec<Match> = self.domains.iter().flat_map(|d| d.matches(text)).collect();
        all.sort_by(|a, b| b.score.total_cmp(&a.score));
        all
    }

    pub fn recognize(&self, text: &str) -> Recognition {
        let t = self.thresholds;
        let all = self.matches(text);
        let best = all.iter().find(|m| m.complete);
        if let Some(best) = best {
            let rival = all
                .iter()
                .filter(|m| m.complete && (m.domain != best.domain || m.intent != best.intent))
                .map(|m| m.score)
                .fold(0.0_f32, f32::max);
            if best.score >= t.understood && best.score - rival >= t.margin {
                return Recognition::Understood(best.clone());
            }
        }
        Recognition::Unsure(
            all.into_iter()
                .filter(|m| m.on_topic && m.score >= t.candidate)
                .take(t.max_candidates)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(w, v)| (w.to_string(), v.to_string()))
            .collect()
    }

    fn pets() -> DomainIndex {
        let mut d = Domain::new("pets");
        d.slot(
            "animal",
            words(&[("犬", "dog"), ("いぬ", "dog"), ("猫", "cat")]),
        );
        // A slot only open phrases fill: no words of its own.
        d.slot("food", Vec::new());
        d.intent("pets.walk", ["{animal}の散歩はいつ", "{animal}の散歩"]);
        d.intent(
            "pets.food",
            ["{food*}を食べてもいい", "{food*}は食べられる"],
        );
        d.topic(["ペット"]).topical("animal");
        d.build()
    }

    /// An FAQ as it would plug in: one intent per question, its wordings as phrases.
    fn faq() -> DomainIndex {
        let mut d = Domain::new("faq");
        d.intent("faq:1", ["住民票の取り方", "住民票がほしい"]);
        d.intent("faq:2", ["図書館の開館時間", "図書館は何時から"]);
        d.build()
    }

    #[test]
    fn slots_are_filled_by_their_words_and_an_open_slot_by_whatever_stands_there() {
        let pets = pets();
        let r = Recognizer::new(vec![&pets]);
        let Recognition::Understood(m) = r.recognize("イヌの散歩はいつ？") else {
            panic!()
        };
        assert_eq!(m.intent, "pets.walk");
        assert_eq!(m.value("animal").unwrap().value, "dog");
        let Recognition::Understood(m) = r.recognize("ﾁｮｺﾚｰﾄを食べてもいいですか")
        else {
            panic!()
        };
        assert_eq!(m.intent, "pets.food");
        assert_eq!(m.value("food").unwrap().text, "チョコレート");
    }

    #[test]
    fn a_message_about_something_else_has_no_candidates_even_if_it_looks_alike() {
        let pets = pets();
        let r = Recognizer::new(vec![&pets]);
        assert_eq!(r.recognize("公園の散歩"), Recognition::Unsure(Vec::new()));
        let unsure = r.recognize("猫の爪切り");
        let Recognition::Unsure(near) = unsure else {
            panic!("{unsure:?}")
        };
        assert_eq!(near[0].intent, "pets.walk", "{near:?}");
    }

    #[test]
    fn another_domain_plugs_in_beside_the_first_and_competes_on_the_same_scale() {
        let (pets, faq) = (pets(), faq());
        let r = Recognizer::new(vec![&pets, &faq]);
        let Recognition::Understood(m) = r.recognize("住民票の取り方を教えてください")
        else {
            panic!()
        };
        assert_eq!((m.domain.as_str(), m.intent.as_str()), ("faq", "faq:1"));
        let Recognition::Understood(m) = r.recognize("犬の散歩") else {
            panic!()
        };
        assert_eq!(m.domain, "pets");
    }
}
