//! Folding chat text so that the ways citizens write the same words meet: ｺﾞﾐ, ゴミ and ごみ;
//! ＰＥＴ and pet; ペットボトール and ぺっとぼとる; 「明日のごみは？」 and 「明日のごみ」.
//!
//! Every string the recogniser compares (a citizen's message, a domain's phrases and synonyms)
//! goes through the same [`Normalizer`], in this order:
//!
//! 1. NFKC (full-width Latin and digits, half-width katakana and their voicing marks), then
//!    lower case.
//! 2. Katakana folded to hiragana; anything that is not a letter, a digit or a long-vowel mark
//!    (spaces, punctuation, brackets, emoji) dropped.
//! 3. Spelling variants (表記ゆれ) replaced by one spelling, longest first: the generic ones of
//!    [`GENERIC_VARIANTS`] (何 → なに …) and those of the domains (燃える → もえる, 瓶 → びん …).
//! 4. Loosened, so that slips in long vowels and small kana do not matter: ー and っ dropped, a
//!    vowel that only lengthens the kana before it dropped (とおる, とーる and とうる all read
//!    とる; せんせい reads せんせ; but not a second い, see [`loosen`]), small kana written large
//!    (ゃ → や, ぃ → い).
//! 5. For messages (not synonyms), greetings in front (すみません、…) and polite or question
//!    endings behind (…ですか, …を教えてください, a dangling は of 「明日のごみは？」) are removed,
//!    as long as something of at least two characters is left.
//!
//! Step 4 loses distinctions Japanese makes (おばさん and おばあさん fold alike); a chat about
//! city services does not need them, and the matcher ranks by similarity anyway.
//!
//! [`Folded`] remembers which characters of the citizen's text each folded character came from,
//! so a part recognised in the folded text (an item name) can be quoted as the citizen wrote it.

use std::collections::HashMap;
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// Spelling variants every domain shares: question words and verbs citizens write in kanji or
/// kana. Domains add their own words (see [`crate::Domain::variant`]).
pub const GENERIC_VARIANTS: &[(&str, &str)] = &[
    ("何", "なに"),
    ("なんの", "なにの"),
    ("なんよう", "なによう"),
    ("なんごみ", "なにごみ"),
    ("教え", "おしえ"),
    ("下さい", "ください"),
    ("分か", "わか"),
    ("判ら", "わから"),
    ("解ら", "わから"),
    ("欲し", "ほし"),
    ("良い", "いい"),
    ("よい", "いい"),
    ("出来", "でき"),
    ("知り", "しり"),
    ("知ら", "しら"),
    ("仕方", "しかた"),
    ("方法", "ほうほう"),
    ("事", "こと"),
    ("頂", "いただ"),
    ("致", "いた"),
];

/// Greetings and fillers before the question (removed from messages only).
const OPENINGS: &[&str] = &[
    "すみません",
    "すいません",
    "こんにちは",
    "こんにちわ",
    "こんばんは",
    "こんばんわ",
    "おはようございます",
    "おはよう",
    "質問です",
    "質問",
    "教えてください",
    "教えて",
    "ちょっと",
    "えっと",
    "えーと",
    "あの",
    "ねえ",
    "ところで",
    "それと",
    "じゃあ",
];

/// Polite and question endings after the question (removed from messages only), tried longest
/// first and again until none is left: 「明日のごみは何ですか？」 → 「明日のごみは何」.
/// Single-character particles are only those that never end a noun a citizen would ask about.
const ENDINGS: &[&str] = &[
    "を教えてもらえますか",
    "を教えてください",
    "教えてください",
    "を教えてほしい",
    "を教えて",
    "教えて",
    "を知りたいです",
    "を知りたい",
    "が知りたいです",
    "が知りたい",
    "知りたい",
    "でしょうか",
    "でしたっけ",
    "ですかね",
    "ですか",
    "ますか",
    "だっけ",
    "っけ",
    "かしら",
    "ください",
    "お願いします",
    "よろしく",
    "なんですか",
    "なの",
    "です",
    "だよね",
    "だよ",
    "は",
    "を",
    "が",
];

/// Leaves at least this many characters when removing openings and endings.
const MIN_LEFT: usize = 2;

/// Text folded for matching, and where each folded character came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folded {
    /// The citizen's text after NFKC.
    source: Vec<char>,
    chars: Vec<char>,
    /// For each folded character, the source characters it stands for.
    origin: Vec<Range<usize>>,
}

impl Folded {
    /// Already folded characters, standing for themselves.
    pub fn plain(chars: &[char]) -> Folded {
        Folded {
            source: chars.to_vec(),
            chars: chars.to_vec(),
            origin: (0..chars.len()).map(|i| i..i + 1).collect(),
        }
    }

    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn as_string(&self) -> String {
        self.chars.iter().collect()
    }

    /// The citizen's words behind folded characters `range`, as typed (after NFKC), trimmed.
    pub fn source_of(&self, range: Range<usize>) -> String {
        let (Some(first), Some(last)) = (
            self.origin.get(range.start),
            range.end.checked_sub(1).and_then(|e| self.origin.get(e)),
        ) else {
            return String::new();
        };
        if range.is_empty() {
            return String::new();
        }
        self.source[first.start..last.end.max(first.start)]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned()
    }

    /// The folded characters `range` only (the source is kept whole).
    pub fn sub(&self, range: Range<usize>) -> Folded {
        Folded {
            source: self.source.clone(),
            chars: self.chars[range.clone()].to_vec(),
            origin: self.origin[range].to_vec(),
        }
    }
}

/// A spelling and the one it is replaced by, folded.
type Variant = (Vec<char>, Vec<char>);

/// Folds text the same way for every side of a comparison (see the module documentation).
#[derive(Clone, Debug)]
pub struct Normalizer {
    /// Variant spellings after step 2, by their first character, longest first.
    variants: HashMap<char, Vec<Variant>>,
    openings: Vec<Vec<char>>,
    endings: Vec<Vec<char>>,
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::new(&[])
    }
}

impl Normalizer {
    /// The generic rules plus a domain's spelling `variants` (variant, spelling used).
    pub fn new(variants: &[(String, String)]) -> Self {
        let mut normalizer = Normalizer {
            variants: HashMap::new(),
            openings: Vec::new(),
            endings: Vec::new(),
        };
        let generic = GENERIC_VARIANTS
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()));
        for (from, to) in generic.chain(variants.iter().cloned()) {
            let from: Vec<char> = kana_form(&from).into_iter().map(|(c, _)| c).collect();
            let to: Vec<char> = kana_form(&to).into_iter().map(|(c, _)| c).collect();
            if let Some(&first) = from.first() {
                if from != to {
                    normalizer
                        .variants
                        .entry(first)
                        .or_default()
                        .push((from, to));
                }
            }
        }
        for list in normalizer.variants.values_mut() {
            list.sort_by_key(|v| std::cmp::Reverse(v.0.len()));
            list.dedup_by(|a, b| a.0 == b.0);
        }
        let keys = |words: &[&str], n: &Normalizer| {
            let mut keys: Vec<Vec<char>> = words.iter().map(|w| n.key(w)).collect();
            keys.retain(|k| !k.is_empty());
            keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
            keys
        };
        // An opening folding to one character (ねえ → ね) would cut the start of words.
        normalizer.openings = keys(OPENINGS, &normalizer)
            .into_iter()
            .filter(|k| k.len() >= 2)
            .collect();
        normalizer.endings = keys(ENDINGS, &normalizer);
        normalizer
    }

    /// Steps 1–4: how a synonym or a phrase is compared.
    pub fn fold(&self, text: &str) -> Folded {
        let source: Vec<char> = text.nfkc().collect();
        let kana: Vec<(char, Range<usize>)> = source
            .iter()
            .enumerate()
            .flat_map(|(i, c)| kana_chars(*c).map(move |k| (k, i..i + 1)))
            .collect();
        let varied = self.replace_variants(&kana);
        let (chars, origin) = loosen(&varied).into_iter().unzip();
        Folded {
            source,
            chars,
            origin,
        }
    }

    /// The folded characters of `text` (steps 1–4), for keys.
    pub fn key(&self, text: &str) -> Vec<char> {
        self.fold(text).chars
    }

    /// Steps 1–5: how a citizen's message is compared.
    pub fn message(&self, text: &str) -> Folded {
        self.trim(self.fold(text))
    }

    /// Step 5 on folded text.
    pub fn trim(&self, folded: Folded) -> Folded {
        let range = self.trim_range(folded.chars());
        folded.sub(range)
    }

    /// The part of folded `chars` step 5 keeps.
    pub fn trim_range(&self, chars: &[char]) -> Range<usize> {
        let mut range = 0..chars.len();
        loop {
            let part = &chars[range.clone()];
            let opening = self
                .openings
                .iter()
                .find(|o| part.starts_with(o) && part.len() >= o.len() + MIN_LEFT);
            if let Some(o) = opening {
                range.start += o.len();
                continue;
            }
            let ending = self
                .endings
                .iter()
                .find(|e| part.ends_with(e) && part.len() >= e.len() + MIN_LEFT);
            if let Some(e) = ending {
                range.end -= e.len();
                continue;
            }
            return range;
        }
    }

    fn replace_variants(&self, kana: &[(char, Range<usize>)]) -> Vec<(char, Range<usize>)> {
        let mut out = Vec::with_capacity(kana.len());
        let mut i = 0;
        while i < kana.len() {
            let found = self.variants.get(&kana[i].0).and_then(|list| {
                list.iter().find(|(from, _)| {
                    kana.len() - i >= from.len()
                        && kana[i..i + from.len()]
                            .iter()
                            .zip(from)
                            .all(|((c, _), f)| c == f)
                })
            });
            match found {
                Some((from, to)) => {
                    let span = kana[i].1.start..kana[i + from.len() - 1].1.end;
                    out.extend(to.iter().map(|c| (*c, span.clone())));
                    i += from.len();
                }
                None => {
                    out.push(kana[i].clone());
                    i += 1;
                }
            }
        }
        out
    }
}

/// Steps 1–2 for a string (for variant keys).
fn kana_form(text: &str) -> Vec<(char, Range<usize>)> {
    let source: Vec<char> = text.nfkc().collect();
    source
        .iter()
        .enumerate()
        .flat_map(|(i, c)| kana_chars(*c).map(move |k| (k, i..i + 1)))
        .collect()
}

/// Step 2 for one NFKC character: lower case, hiragana, and only what carries meaning.
fn kana_chars(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase()
        .map(to_hiragana)
        .filter(|c| c.is_alphanumeric() || is_long_mark(*c) || is_marker(*c))
}

/// The characters a domain's phrase uses for its slots (private use area), kept by folding.
pub(crate) fn is_marker(c: char) -> bool {
    ('\u{E000}'..='\u{E0FF}').contains(&c)
}

fn is_long_mark(c: char) -> bool {
    matches!(c, 'ー' | '〜' | '~' | '～' | '－')
}

fn to_hiragana(c: char) -> char {
    match c {
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        'ヷ' => 'わ',
        _ => c,
    }
}

/// Step 4. A dropped character's source is given to the character before it, so that quoting
///「ライター」 keeps its ー.
fn loosen(chars: &[(char, Range<usize>)]) -> Vec<(char, Range<usize>)> {
    let mut out: Vec<(char, Range<usize>)> = Vec::with_capacity(chars.len());
    for (c, span) in chars {
        let previous = out.last().and_then(|(p, _)| vowel_of(*p));
        // A repeated い is left alone: 「ごみいつ」 is ごみ + いつ far more often than a long い,
        // which katakana writes with ー anyway.
        let drop = is_long_mark(*c)
            || *c == 'っ'
            || vowel(*c).is_some_and(|v| {
                (previous == Some(v) && v != 'い')
                    || (!is_small(*c)
                        && ((v == 'い' && previous == Some('え'))
                            || (v == 'う' && previous == Some('お'))))
            });
        if drop {
            if let Some((_, last)) = out.last_mut() {
                last.end = last.end.max(span.end);
            }
            continue;
        }
        out.push((large(*c), span.clone()));
    }
    out
}

/// The vowel a vowel kana (large or small) is.
fn vowel(c: char) -> Option<char> {
    match c {
        'あ' | 'ぁ' => Some('あ'),
        'い' | 'ぃ' => Some('い'),
        'う' | 'ぅ' => Some('う'),
        'え' | 'ぇ' => Some('え'),
        'お' | 'ぉ' => Some('お'),
        _ => None,
    }
}

fn is_small(c: char) -> bool {
    "ぁぃぅぇぉゃゅょゎ".contains(c)
}

fn large(c: char) -> char {
    match c {
        'ぁ' => 'あ',
        'ぃ' => 'い',
        'ぅ' => 'う',
        'ぇ' => 'え',
        'ぉ' => 'お',
        'ゃ' => 'や',
        'ゅ' => 'ゆ',
        'ょ' => 'よ',
        'ゎ' => 'わ',
        'ゕ' => 'か',
        'ゖ' => 'け',
        _ => c,
    }
}

/// The vowel a kana ends on (after [`large`]).
fn vowel_of(kana: char) -> Option<char> {
    const ROWS: [(&str, char); 5] = [
        ("あかさたなはまやらわがざだばぱ", 'あ'),
        ("いきしちにひみりゐぎじぢびぴ", 'い'),
        ("うくすつぬふむゆるぐずづぶぷゔ", 'う'),
        ("えけせてねへめれゑげぜでべぺ", 'え'),
        ("おこそとのほもよろをごぞどぼぽ", 'お'),
    ];
    ROWS.iter()
        .find(|(row, _)| row.contains(kana))
        .map(|(_, v)| *v)
}

/// NFKC, lower case, hiragana, long-vowel marks spelled as the vowel they lengthen, and
/// nothing but letters and digits: the exact spelling of a word, for lookups that must not be
/// loosened (a dictionary's exact match).
pub fn fold_exact(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfkc().flat_map(char::to_lowercase).map(to_hiragana) {
        if is_long_mark(c) {
            if let Some(v) = out.chars().last().map(large).and_then(vowel_of) {
                out.push(v);
            }
            continue;
        }
        if c.is_alphanumeric() {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> String {
        Normalizer::default().key(text).into_iter().collect()
    }

    fn message(text: &str) -> String {
        Normalizer::default().message(text).as_string()
    }

    #[test]
    fn half_width_katakana_full_width_latin_and_hiragana_fold_alike() {
        assert_eq!(key("ｺﾞﾐ"), key("ごみ"));
        assert_eq!(key("ゴミ"), "ごみ");
        assert_eq!(key("ﾍﾟｯﾄﾎﾞﾄﾙ"), key("ぺっとぼとる"));
        assert_eq!(key("ＰＥＴ"), "pet");
    }

    #[test]
    fn long_vowels_written_any_way_or_forgotten_fold_alike() {
        let want = key("ボールペン");
        for typed in ["ぼおるぺん", "ぼーるぺん", "ボルペン", "ﾎﾞｰﾙﾍﾟﾝ"]
        {
            assert_eq!(key(typed), want, "{typed}");
        }
        assert_eq!(key("ほうちょう"), key("ホーチョー"));
        assert_eq!(key("スプレー缶"), key("スプレイ缶"));
        assert_eq!(
            key("ペットボトル"),
            key("ペトボトル"),
            "a forgotten small っ"
        );
    }

    #[test]
    fn small_kana_are_written_large_but_are_not_taken_for_long_vowels() {
        assert_eq!(key("ティッシュ"), "ていしゆ");
        assert_eq!(key("ねぇ"), key("ねえ"));
    }

    #[test]
    fn punctuation_spaces_and_emoji_are_dropped() {
        assert_eq!(key("缶・びん"), key("缶びん"));
        assert_eq!(key(" 燃える ゴミ！？😊"), key("燃えるごみ"));
        assert!(key("😊？").is_empty());
    }

    #[test]
    fn greetings_and_polite_or_question_endings_are_removed_from_messages() {
        assert_eq!(message("明日のごみは？"), message("明日のごみ"));
        assert_eq!(message("明日のごみは何ですか？"), key("明日のごみは何"));
        assert_eq!(message("すみません、収集日を教えてください"), key("収集日"));
        assert_eq!(
            message("燃えるごみって何曜日でしたっけ"),
            key("燃えるごみって何曜日")
        );
    }

    #[test]
    fn removing_endings_leaves_at_least_two_characters() {
        assert_eq!(message("歯は"), key("歯は"));
        assert_eq!(message("です"), key("です"));
    }

    #[test]
    fn spelling_variants_meet_before_loosening() {
        assert_eq!(key("何ごみ"), key("なにごみ"));
        assert_eq!(key("なんごみ"), key("なにごみ"));
        let domain = Normalizer::new(&[("瓶".into(), "びん".into())]);
        assert_eq!(domain.key("一升瓶"), domain.key("一升びん"));
    }

    #[test]
    fn the_citizens_words_behind_folded_text_are_quoted_as_typed() {
        let folded = Normalizer::default().fold("ﾗｲﾀｰは何ごみ？");
        // らいたはなにごみ: the item is the first three folded characters.
        assert_eq!(folded.source_of(0..3), "ライター");
    }

    #[test]
    fn the_exact_fold_spells_long_vowels_out() {
        assert_eq!(fold_exact("ボールペン"), "ぼおるぺん");
        assert_eq!(fold_exact("ﾍﾟｯﾄﾎﾞﾄﾙ"), "ぺっとぼとる");
    }
}
