//! Folding a citizen's question and the FAQ texts to one spelling, so that character n-grams of
//! the ways people write the same words meet: ｺﾞﾐ, ゴミ and ごみ; ＰＤＦ and pdf;
//! 「マイナンバーカード」 and まいなんばー.
//!
//! The FAQ reads a question exactly as the chat reads a message: the chat's folding
//! (`tayori_intents::Normalizer`: NFKC, lower case, hiragana, spelling variants, long vowels and
//! small kana loosened, greetings and polite endings trimmed), so that the FAQ can later take its
//! place among the chat's domains without a second idea of what two spellings have in common.

use std::sync::OnceLock;
use tayori_intents::Normalizer;

/// Spellings the FAQ's questions have and the chat's own list lacks: the counter ヶ/ヵ of
/// 1ヶ月, 3ヵ所 is read か (1か月).
const FAQ_VARIANTS: [(&str, &str); 2] = [("ヶ", "か"), ("ヵ", "か")];

/// The folded form of `text`: the chat's reading of a message, as a string.
pub fn normalize(text: &str) -> String {
    static FOLDING: OnceLock<Normalizer> = OnceLock::new();
    FOLDING
        .get_or_init(|| Normalizer::new(&FAQ_VARIANTS.map(|(a, b)| (a.into(), b.into()))))
        .message(text)
        .as_string()
}
