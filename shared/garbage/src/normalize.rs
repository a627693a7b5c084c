//! Japanese text folding for garbage questions: what a citizen types and what the calendar and
//! the dictionary list must meet however either was written (ﾍﾟｯﾄﾎﾞﾄﾙ, ペットボトル,
//! ぺっとぼとる, ペットボトール; 瓶 and びん; 燃えるゴミ and もえるごみ).
//!
//! The folding itself is the chat's ([`tayori_intents::normalize`]); this module adds the
//! garbage words citizens write both in kanji and in kana ([`VARIANTS`]).

use std::sync::OnceLock;

use tayori_intents::Normalizer;

/// Garbage words written in kanji or in kana (表記ゆれ), and the one spelling they fold to.
/// Only single words: a compound (乾電池) would no longer contain its parts (電池), and the
/// dictionary's readings (furigana) already meet kana queries for compounds.
pub const VARIANTS: &[(&str, &str)] = &[
    // Kinds and how citizens name them.
    ("燃え", "もえ"),
    ("燃や", "もや"),
    ("可燃", "かねん"),
    ("不燃", "ふねん"),
    ("粗大", "そだい"),
    ("資源", "しげん"),
    ("有害", "ゆうがい"),
    ("危険", "きけん"),
    ("古紙", "こし"),
    ("古布", "こふ"),
    ("古着", "ふるぎ"),
    ("缶", "かん"),
    ("瓶", "びん"),
    ("空き", "あき"),
    ("空缶", "あきかん"),
    ("空瓶", "あきびん"),
    ("家電", "かでん"),
    ("小型", "こがた"),
    ("大型", "おおがた"),
    ("容器", "ようき"),
    ("包装", "ほうそう"),
    ("物", "もの"),
    // Asking about days.
    ("収集", "しゅうしゅう"),
    ("回収", "かいしゅう"),
    ("分別", "ぶんべつ"),
    ("通知", "つうち"),
    ("捨て", "すて"),
    ("方", "かた"),
    ("出し", "だし"),
    ("出す", "だす"),
    ("出せ", "だせ"),
    ("出そ", "だそ"),
    ("次回", "じかい"),
    ("次", "つぎ"),
    ("今度", "こんど"),
    ("本日", "ほんじつ"),
    ("今日", "きょう"),
    ("今朝", "けさ"),
    ("明後日", "あさって"),
    ("明日", "あした"),
    ("昨日", "きのう"),
    ("今週", "こんしゅう"),
    ("来週", "らいしゅう"),
    ("曜日", "ようび"),
    ("の日", "のひ"),
    ("月曜日", "げつようび"),
    ("火曜日", "かようび"),
    ("水曜日", "すいようび"),
    ("木曜日", "もくようび"),
    ("金曜日", "きんようび"),
    ("土曜日", "どようび"),
    ("日曜日", "にちようび"),
    ("月曜", "げつよう"),
    ("火曜", "かよう"),
    ("水曜", "すいよう"),
    ("木曜", "もくよう"),
    ("金曜", "きんよう"),
    ("土曜", "どよう"),
    ("日曜", "にちよう"),
    // Things citizens throw away, often written in kana.
    ("傘", "かさ"),
    ("布団", "ふとん"),
    ("蒲団", "ふとん"),
    ("椅子", "いす"),
    ("茶碗", "ちゃわん"),
    ("茶わん", "ちゃわん"),
    ("箪笥", "たんす"),
    ("鍋", "なべ"),
    ("薬缶", "やかん"),
    ("包丁", "ほうちょう"),
    ("庖丁", "ほうちょう"),
    ("鏡", "かがみ"),
    ("靴", "くつ"),
    ("鞄", "かばん"),
    ("玩具", "おもちゃ"),
    ("眼鏡", "めがね"),
    ("硝子", "がらす"),
    ("電池", "でんち"),
    ("電球", "でんきゅう"),
    ("蛍光灯", "けいこうとう"),
    ("蛍光管", "けいこうかん"),
    ("携帯", "けいたい"),
    ("電話", "でんわ"),
    ("自転車", "じてんしゃ"),
    ("新聞", "しんぶん"),
    ("雑誌", "ざっし"),
    ("段ボール", "だんぼーる"),
    ("牛乳", "ぎゅうにゅう"),
    ("卵", "たまご"),
    ("玉子", "たまご"),
    ("袋", "ふくろ"),
    ("生ごみ", "なまごみ"),
    ("生ゴミ", "なまごみ"),
    ("吸い殻", "すいがら"),
    ("吸殻", "すいがら"),
    ("煙草", "たばこ"),
    ("写真", "しゃしん"),
    ("落ち葉", "おちば"),
    ("落葉", "おちば"),
    ("枝", "えだ"),
    ("油", "あぶら"),
    ("天ぷら", "てんぷら"),
    ("衣類", "いるい"),
    ("陶器", "とうき"),
    ("食器", "しょっき"),
    ("瀬戸物", "せともの"),
    ("缶詰", "かんづめ"),
    ("化粧品", "けしょうひん"),
    ("菓子", "かし"),
    ("発泡", "はっぽう"),
    ("麺", "めん"),
    ("体温計", "たいおんけい"),
    ("電卓", "でんたく"),
    ("絨毯", "じゅうたん"),
    ("座布団", "ざぶとん"),
    ("机", "つくえ"),
    ("棚", "たな"),
    ("冷蔵庫", "れいぞうこ"),
    ("洗濯機", "せんたくき"),
    ("掃除機", "そうじき"),
    ("炊飯器", "すいはんき"),
    ("扇風機", "せんぷうき"),
    ("時計", "とけい"),
    ("鉛筆", "えんぴつ"),
    ("植木鉢", "うえきばち"),
    ("割れた", "われた"),
    ("金属", "きんぞく"),
    ("家具", "かぐ"),
    ("毛布", "もうふ"),
    ("枕", "まくら"),
    ("箱", "はこ"),
    ("紙", "かみ"),
];

/// Question endings removed from a sorting query ("ペットボトルは何ごみ？" → "ペットボトル"),
/// longest first.
const QUESTION_SUFFIXES: &[&str] = &[
    "はどうやって捨てればいいですか",
    "はどうやって捨てればいい",
    "はどうやって捨てる",
    "はどう捨てればいい",
    "はどう捨てる",
    "の捨て方を教えて",
    "の処分方法",
    "の処分",
    "を処分したい",
    "の捨て方",
    "捨て方",
    "の出し方",
    "の分別",
    "は何ごみですか",
    "は何ごみ",
    "って何ごみ",
    "何ごみ",
    "は何の日",
    "を捨てたい",
    "捨てたい",
    "は何曜日",
    "は",
];

/// The folding every garbage word goes through: the chat's, with [`VARIANTS`].
pub fn normalizer() -> &'static Normalizer {
    static NORMALIZER: OnceLock<Normalizer> = OnceLock::new();
    NORMALIZER.get_or_init(|| {
        let variants: Vec<(String, String)> = VARIANTS
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Normalizer::new(&variants)
    })
}

/// The folded key of a word: NFKC, hiragana, loosened long vowels and small kana, garbage
/// spelling variants, nothing but letters and digits.
pub fn fold(text: &str) -> String {
    normalizer().key(text).into_iter().collect()
}

/// [`fold`] a citizen's question and strip its question ending.
pub fn fold_query(query: &str) -> String {
    let mut folded = normalizer().message(query).as_string();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_katakana_and_hiragana_fold_to_the_same_key() {
        assert_eq!(fold("ﾍﾟｯﾄﾎﾞﾄﾙ"), fold("ぺっとぼとる"));
        assert_eq!(fold("ペットボトル"), fold("ぺっとぼとる"));
    }

    #[test]
    fn a_long_vowel_mark_matches_the_spelled_out_vowel() {
        assert_eq!(fold("ボールペン"), fold("ぼおるぺん"));
        assert_eq!(fold("ティッシュペーパー"), fold("ティッシュペーパ"));
    }

    #[test]
    fn kanji_and_kana_spellings_of_garbage_words_meet() {
        assert_eq!(fold("一升瓶"), fold("一升びん"));
        assert_eq!(fold("燃えるゴミ"), fold("もえるごみ"));
        assert_eq!(fold("傘"), fold("かさ"));
        assert_eq!(fold("茶碗"), fold("茶わん"));
    }

    #[test]
    fn question_endings_and_punctuation_are_removed() {
        assert_eq!(fold_query("ペットボトルは何ごみ？"), fold("ペットボトル"));
        assert_eq!(fold_query("乾電池の捨て方"), fold("乾電池"));
        assert_eq!(fold_query(" 傘 は どうやって捨てる？"), fold("傘"));
        assert_eq!(fold_query("携帯電話の処分方法"), fold("携帯電話"));
    }
}
