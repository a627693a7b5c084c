//! Japanese text folding for the sorting lookup: what a citizen types and what the dictionary
//! lists must meet however either was written (ﾍﾟｯﾄﾎﾞﾄﾙ, ペットボトル, ぺっとぼとる).

use unicode_normalization::UnicodeNormalization;

/// Question endings removed from a query ("ペットボトルは何ごみ？" → "ペットボトル"), longest first.
const QUESTION_SUFFIXES: &[&str] = &[
    "はどうやって捨てればいいですか",
    "はどうやって捨てればいい",
    "はどうやって捨てる",
    "はどうやってすてる",
    "の捨て方を教えて",
    "の捨て方",
    "のすてかた",
    "の出し方",
    "のだしかた",
    "は何ごみですか",
    "は何ごみ",
    "はなにごみ",
    "って何ごみ",
    "ってなにごみ",
    "は何の日",
    "を捨てたい",
    "は何曜日",
    "は燃えるごみ",
    "は燃やすごみ",
    "は",
];

/// NFKC, katakana folded to hiragana, ー spelled as the vowel it lengthens, Latin lower-cased,
/// and everything that is not a letter or digit (spaces, punctuation, brackets) removed.
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfkc().flat_map(char::to_lowercase) {
        let c = to_hiragana(c);
        if c == 'ー' || c == '〜' || c == '~' {
            if let Some(vowel) = out.chars().last().and_then(vowel_of) {
                out.push(vowel);
            }
            continue;
        }
        if c.is_alphanumeric() {
            out.push(c);
        }
    }
    out
}

/// [`fold`] a citizen's question and strip its question ending.
pub fn fold_query(query: &str) -> String {
    let mut folded = fold(query);
    loop {
        let stripped = QUESTION_SUFFIXES
            .iter()
            .map(|s| fold(s))
            .find(|s| folded.len() > s.len() && folded.ends_with(s.as_str()));
        match stripped {
            Some(suffix) => folded.truncate(folded.len() - suffix.len()),
            None => return folded,
        }
    }
}

fn to_hiragana(c: char) -> char {
    match c {
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

fn vowel_of(kana: char) -> Option<char> {
    const ROWS: [(&str, char); 5] = [
        ("あかさたなはまやらわがざだばぱぁゃゎ", 'あ'),
        ("いきしちにひみりゐぎじぢびぴぃ", 'い'),
        ("うくすつぬふむゆるぐずづぶぷぅゅゔっ", 'う'),
        ("えけせてねへめれゑげぜでべぺぇ", 'え'),
        ("おこそとのほもよろをごぞどぼぽぉょ", 'お'),
    ];
    ROWS.iter()
        .find(|(row, _)| row.contains(kana))
        .map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_katakana_and_hiragana_fold_to_the_same_key() {
        assert_eq!(fold("ﾍﾟｯﾄﾎﾞﾄﾙ"), fold("ぺっとぼとる"));
        assert_eq!(fold("ペットボトル"), "ぺっとぼとる");
    }

    #[test]
    fn a_long_vowel_mark_matches_the_spelled_out_vowel() {
        assert_eq!(fold("ボールペン"), fold("ぼおるぺん"));
    }

    #[test]
    fn question_endings_and_punctuation_are_removed() {
        assert_eq!(fold_query("ペットボトルは何ごみ？"), "ぺっとぼとる");
        assert_eq!(fold_query("乾電池の捨て方"), "乾電池");
        assert_eq!(fold_query(" 傘 は どうやって捨てる？"), "傘");
    }
}
