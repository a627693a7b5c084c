//! A slot's vocabulary: the words naming its values (「燃えるごみ」「可燃」 → the burnable kind),
//! found in folded text.

use std::collections::HashMap;

use crate::normalize::Normalizer;

/// Where a slot value is named in folded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// Folded character range.
    pub start: usize,
    pub end: usize,
    /// The value the domain gave the word.
    pub value: String,
    /// Found as part of a longer word (the whole message 「電池」 inside 「乾電池」).
    pub partial: bool,
}

impl Mention {
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// Folded words by their first character: (word, value index).
    by_first: HashMap<char, Vec<(Vec<char>, usize)>>,
    values: Vec<String>,
    /// A whole message that is part of a word (at least this long) names the word's value.
    partial_from: Option<usize>,
}

impl Vocabulary {
    /// `words`: (word as written, value). Words folding to nothing are ignored.
    pub fn new(
        normalizer: &Normalizer,
        words: impl IntoIterator<Item = (String, String)>,
        partial_from: Option<usize>,
    ) -> Self {
        let mut vocabulary = Vocabulary {
            partial_from,
            ..Default::default()
        };
        let mut value_ids: HashMap<String, usize> = HashMap::new();
        for (word, value) in words {
            let key = normalizer.key(&word);
            let Some(&first) = key.first() else { continue };
            let id = *value_ids.entry(value.clone()).or_insert_with(|| {
                vocabulary.values.push(value);
                vocabulary.values.len() - 1
            });
            let list = vocabulary.by_first.entry(first).or_default();
            if !list.iter().any(|(k, v)| *k == key && *v == id) {
                list.push((key, id));
            }
        }
        vocabulary
    }

    /// Every place a word of the vocabulary occurs in `text` (several values may share a word),
    /// and, when the vocabulary allows it, the whole text as part of a word.
    pub fn find(&self, text: &[char]) -> Vec<Mention> {
        let mut found = Vec::new();
        for start in 0..text.len() {
            let Some(words) = self.by_first.get(&text[start]) else {
                continue;
            };
            for (word, value) in words {
                if text[start..].starts_with(word) {
                    found.push(Mention {
                        start,
                        end: start + word.len(),
                        value: self.values[*value].clone(),
                        partial: false,
                    });
                }
            }
        }
        let whole = found.iter().any(|m| m.start == 0 && m.end == text.len());
        if !whole && self.partial_from.is_some_and(|min| text.len() >= min) {
            let mut values: Vec<usize> = self
                .by_first
                .values()
                .flatten()
                .filter(|(word, _)| word.len() > text.len() && contains(word, text))
                .map(|(_, v)| *v)
                .collect();
            values.sort_unstable();
            values.dedup();
            found.extend(values.into_iter().map(|v| Mention {
                start: 0,
                end: text.len(),
                value: self.values[v].clone(),
                partial: true,
            }));
        }
        found
    }
}

fn contains(haystack: &[char], needle: &[char]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(partial: Option<usize>) -> (Normalizer, Vocabulary) {
        let n = Normalizer::default();
        let words = [
            ("燃えるごみ", "burnable"),
            ("可燃", "burnable"),
            ("乾電池", "battery"),
            ("ボタン電池", "button"),
        ]
        .map(|(w, v)| (w.to_string(), v.to_string()));
        let v = Vocabulary::new(&n, words, partial);
        (n, v)
    }

    #[test]
    fn every_occurrence_of_a_word_is_found_with_its_value() {
        let (n, v) = vocabulary(None);
        let text = n.key("可燃ゴミと燃えるごみ");
        let found: Vec<(usize, String)> = v
            .find(&text)
            .into_iter()
            .map(|m| (m.start, m.value))
            .collect();
        assert_eq!(
            found,
            [(0, "burnable".to_string()), (5, "burnable".to_string())]
        );
    }

    #[test]
    fn a_whole_message_inside_longer_words_is_a_partial_mention_of_each() {
        let (n, v) = vocabulary(Some(2));
        let found = v.find(&n.key("でんち"));
        assert!(found.is_empty(), "kana does not meet kanji: {found:?}");
        let found = v.find(&n.key("電池"));
        let values: Vec<&str> = found.iter().map(|m| m.value.as_str()).collect();
        assert_eq!(values, ["battery", "button"]);
        assert!(found.iter().all(|m| m.partial));
        let (n, exact_only) = vocabulary(None);
        assert!(exact_only.find(&n.key("電池")).is_empty());
    }
}
