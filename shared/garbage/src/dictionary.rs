//! The sorting dictionary (分別辞典, 5374 `target.csv`): which kind an item is, and how to put
//! it out. Lookups fold Japanese spelling (see [`crate::normalize`]) and rank the matches.

use serde::{Deserialize, Serialize};

use crate::normalize::{fold, fold_query};

/// Quick replies offered when a lookup is ambiguous.
pub const MAX_CANDIDATES: usize = 5;

/// One item (5374 `target.csv`: type,name,notice,furigana).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The kind's label as the dictionary writes it (5374 `type`).
    pub kind: String,
    pub name: String,
    /// How to put it out (注意事項); may be empty.
    pub notice: String,
    /// Reading in hiragana; some cities give only the index letter (あ, い …).
    pub furigana: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dictionary {
    pub entries: Vec<Entry>,
}

/// The answer to a lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// One entry matches the whole query.
    Exact(&'a Entry),
    /// Best partial (or several exact) matches, best first, at most [`MAX_CANDIDATES`].
    Candidates(Vec<&'a Entry>),
    None,
}

/// How well a key matched, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    Exact,
    Prefix,
    Contains,
    /// The item's name appears inside a longer query ("使い終わった乾電池").
    InsideQuery,
}

impl Dictionary {
    pub fn new(entries: Vec<Entry>) -> Self {
        Self { entries }
    }

    /// Looks up an item as a citizen asks for it ("ペットボトルは何ごみ？", "かんでんち").
    pub fn lookup(&self, query: &str) -> Lookup<'_> {
        let query = fold_query(query);
        if query.is_empty() {
            return Lookup::None;
        }
        let mut ranked: Vec<(Match, usize, usize, &Entry)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| best_match(e, &query).map(|m| (m, e.name.chars().count(), i, e)))
            .collect();
        ranked.sort_by_key(|(m, len, i, _)| (*m, *len, *i));
        let exact: Vec<&Entry> = ranked
            .iter()
            .filter(|r| r.0 == Match::Exact)
            .map(|r| r.3)
            .collect();
        match exact.as_slice() {
            [one] => Lookup::Exact(one),
            _ if ranked.is_empty() => Lookup::None,
            _ => Lookup::Candidates(
                ranked
                    .into_iter()
                    .take(MAX_CANDIDATES)
                    .map(|r| r.3)
                    .collect(),
            ),
        }
    }
}

/// The names an entry is found by, as written: its name, its name without the bracketed note
/// ("乾電池（アルカリ）" → "乾電池"), and its reading when it is more than an index letter.
pub fn names(entry: &Entry) -> Vec<String> {
    let mut names = vec![entry.name.clone()];
    let base = entry.name.split(['（', '(']).next().unwrap_or_default();
    if base != entry.name {
        names.push(base.to_owned());
    }
    if entry.furigana.chars().count() > 1 {
        names.push(entry.furigana.clone());
    }
    names
}

/// [`names`], folded.
fn keys(entry: &Entry) -> Vec<String> {
    let mut keys: Vec<String> = names(entry).iter().map(|n| fold(n)).collect();
    keys.retain(|k| !k.is_empty());
    keys
}

fn best_match(entry: &Entry, query: &str) -> Option<Match> {
    keys(entry)
        .iter()
        .filter_map(|key| {
            if key == query {
                Some(Match::Exact)
            } else if query.chars().count() < 2 {
                // One kana starts or sits in half the dictionary's readings.
                None
            } else if key.starts_with(query) {
                Some(Match::Prefix)
            } else if key.contains(query) {
                Some(Match::Contains)
            } else if key.chars().count() >= 2 && query.contains(key.as_str()) {
                Some(Match::InsideQuery)
            } else {
                None
            }
        })
        .min()
}
