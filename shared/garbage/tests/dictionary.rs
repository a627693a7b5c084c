//! Sorting lookups as citizens type them.

use tayori_garbage::{obama_sample, Dictionary, Entry, Lookup};

fn sample() -> Dictionary {
    obama_sample().dictionary
}

fn exact(dictionary: &Dictionary, query: &str) -> (String, String) {
    match dictionary.lookup(query) {
        Lookup::Exact(e) => (e.name.clone(), e.kind.clone()),
        other => panic!("{query}: expected one exact match, got {other:?}"),
    }
}

#[test]
fn a_question_about_pet_bottles_finds_the_entry_exactly() {
    assert_eq!(
        exact(&sample(), "ペットボトルは何ごみ？"),
        ("ペットボトル".into(), "ペットボトル".into())
    );
}

#[test]
fn an_item_typed_in_hiragana_is_found_by_its_reading() {
    assert_eq!(
        exact(&sample(), "かんでんち"),
        ("乾電池".into(), "有害ごみ".into())
    );
    assert_eq!(
        exact(&sample(), "乾電池の捨て方"),
        ("乾電池".into(), "有害ごみ".into())
    );
}

#[test]
fn half_width_katakana_is_folded() {
    assert_eq!(
        exact(&sample(), "ﾍﾟｯﾄﾎﾞﾄﾙ"),
        ("ペットボトル".into(), "ペットボトル".into())
    );
}

#[test]
fn an_item_listed_in_katakana_is_found_from_hiragana_with_long_vowels_spelled_out() {
    assert_eq!(
        exact(&sample(), "すぷれえかん"),
        ("スプレー缶".into(), "燃やさないごみ".into())
    );
}

#[test]
fn a_partial_name_offers_ranked_candidates_prefix_before_contains_then_shorter() {
    let dictionary = sample();
    let Lookup::Candidates(found) = dictionary.lookup("ペットボトルの") else {
        panic!()
    };
    let names: Vec<&str> = found.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ペットボトルのラベル",
            "ペットボトルのキャップ",
            "ペットボトル"
        ],
        "prefix matches first (shorter first), then the item whose name is inside the question"
    );

    let Lookup::Candidates(found) = dictionary.lookup("びん") else {
        panic!()
    };
    assert_eq!(found.len(), 5, "at most five quick replies");
    assert_eq!(
        found[0].name, "一升びん",
        "among names containing the query, the shortest comes first"
    );
}

#[test]
fn two_exact_matches_are_offered_as_candidates() {
    let dictionary = sample();
    let Lookup::Candidates(found) = dictionary.lookup("衣類") else {
        panic!()
    };
    let kinds: Vec<&str> = found.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        &kinds[..2],
        ["古紙・古布", "燃やすごみ"],
        "the plain 衣類 (shorter name) first"
    );
}

#[test]
fn nothing_matches_an_unknown_item_or_an_empty_question() {
    assert_eq!(sample().lookup("宇宙船"), Lookup::None);
    assert_eq!(sample().lookup("？"), Lookup::None);
}

#[test]
fn index_letter_readings_do_not_match_everything() {
    // 京丹後市's target.csv gives only the index letter (う) as furigana.
    let dictionary = Dictionary::new(vec![Entry {
        kind: "可燃ごみ".into(),
        name: "植木鉢".into(),
        notice: String::new(),
        furigana: "う".into(),
    }]);
    assert_eq!(dictionary.lookup("う"), Lookup::None);
    assert!(matches!(dictionary.lookup("植木鉢"), Lookup::Exact(_)));
}
