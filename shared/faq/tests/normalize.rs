//! Folding: the ways citizens write the same words come out alike.

use tayori_faq::normalize;

#[test]
fn half_width_katakana_and_hiragana_fold_alike() {
    assert_eq!(normalize("ｺﾞﾐ"), "ごみ");
    assert_eq!(normalize("ゴミ"), "ごみ");
    assert_eq!(normalize("ごみ"), "ごみ");
    assert_eq!(normalize("ﾍﾟｯﾄﾎﾞﾄﾙ"), normalize("ペットボトル"));
}

#[test]
fn full_width_latin_and_digits_become_ascii_lower_case() {
    assert_eq!(normalize("ＰＤＦ"), "pdf");
    assert_eq!(normalize("３歳児健診"), "3歳児健診");
    assert_eq!(normalize("PayPay"), "paypay");
}

#[test]
fn long_vowel_marks_and_small_kana_do_not_matter() {
    assert_eq!(normalize("マイナンバーカード"), "まいなんばかど");
    assert_eq!(normalize("まいなんばー"), "まいなんば");
    assert!(normalize("マイナンバーカード").starts_with(&normalize("まいなんばー")));
    assert_eq!(normalize("きっず"), normalize("キズ"));
    assert_eq!(normalize("ファミサポ"), "ふあみさぽ");
    assert_eq!(normalize("しょうがっこう"), normalize("しようがこう"));
    assert_eq!(normalize("1歳6ヶ月"), "1歳6か月");
    assert_eq!(normalize("１歳６カ月"), normalize("1歳6ヵ月"));
}

#[test]
fn punctuation_spaces_and_brackets_are_dropped() {
    // Read as the chat reads a message: the dangling は of a question goes too.
    assert_eq!(normalize("「粗大ごみ」の 出し方は？！"), "粗大ごみの出し方");
    assert_eq!(
        normalize("住民票・戸籍（謄本）、 抄本。"),
        "住民票戸籍謄本抄本"
    );
    assert_eq!(normalize("ごみ　の日\n"), "ごみの日");
    assert_eq!(normalize("🙇‍♀️ありがとう〜"), normalize("ありがとう"));
}

#[test]
fn kanji_are_kept_as_written() {
    // Kanji and kana spellings of a word (子供, こども) meet through synonyms, not folding.
    assert_eq!(normalize("子供"), "子供");
    assert_ne!(normalize("子供"), normalize("こども"));
}
