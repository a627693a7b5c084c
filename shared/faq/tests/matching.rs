//! The index on the sample FAQs: synonyms, the threshold, and accuracy on the held-aside
//! questions (a regression guard; the figures per n-gram choice are in docs/benchmarks.md).

use tayori_faq::csv::{CsvError, Table};
use tayori_faq::{FaqEntry, FaqIndex, Grams, IndexOptions, Synonyms};

const FAQS: &str = include_str!("../data/sample-faqs.csv");
const SYNONYMS: &str = include_str!("../data/synonyms.csv");
const HELD_ASIDE: &str = include_str!("../data/held-aside.csv");

fn sample_index(options: IndexOptions) -> FaqIndex {
    FaqIndex::new(
        FaqEntry::parse_csv(FAQS).unwrap(),
        Synonyms::parse_csv(SYNONYMS).unwrap(),
        options,
    )
}

fn entry(id: &str, question: &str, phrasings: &[&str]) -> FaqEntry {
    FaqEntry {
        id: id.to_owned(),
        question: question.to_owned(),
        phrasings: phrasings.iter().map(|p| (*p).to_owned()).collect(),
        answer_id: format!("ans-{id}"),
        category: "テスト".to_owned(),
    }
}

fn top(index: &FaqIndex, question: &str) -> Option<String> {
    index
        .answer(question, 1)
        .first()
        .map(|m| m.entry.id.clone())
}

#[test]
fn the_sample_faqs_are_read_with_their_phrasings() {
    let entries = FaqEntry::parse_csv(FAQS).unwrap();
    assert_eq!(entries.len(), 66);
    let first = &entries[0];
    assert_eq!(first.id, "gomi-01");
    assert_eq!(first.category, "ごみ");
    assert_eq!(first.answer_id, "ans-gomi-01");
    assert_eq!(first.phrasings.len(), 4);
    assert_eq!(first.phrasings[1], "大きな家具を捨てたい");
}

#[test]
fn a_file_without_a_needed_column_is_refused_by_name() {
    let error = FaqEntry::parse_csv("id,question,phrasings,answer_id\na,b,c,d\n").unwrap_err();
    assert_eq!(
        error,
        CsvError::MissingColumn {
            column: "category".to_owned()
        }
    );
    assert_eq!(
        error.to_string(),
        "CSV の見出し行に「category」の列がありません"
    );
}

#[test]
fn quoted_fields_keep_commas_quotes_and_line_breaks() {
    let table = Table::parse("a,b\n\"x, \"\"y\"\"\",\"1\n2\"\r\nlast,row\n").unwrap();
    let rows: Vec<Vec<&str>> = table.records().collect();
    assert_eq!(rows, vec![vec!["x, \"y\"", "1\n2"], vec!["last", "row"]]);
    assert_eq!(
        Table::parse("a,b\n\"open,x\n").err(),
        Some(CsvError::UnclosedQuote { line: 2 })
    );
    assert_eq!(
        Table::parse("a,b\n1,2,3\n").err(),
        Some(CsvError::WrongFieldCount {
            line: 2,
            found: 3,
            expected: 2
        })
    );
}

#[test]
fn synonyms_lead_a_question_to_an_faq_written_with_the_other_word() {
    let entries = vec![
        entry("sodai", "粗大ごみの出し方", &[]),
        entry("hoiku", "保育園の入園申込", &[]),
        entry("kodomo", "子どもの医療費助成", &[]),
    ];
    let synonyms = Synonyms::new([
        vec!["粗大ごみ", "大型ごみ"],
        vec!["保育園", "保育所"],
        vec!["子ども", "子供", "こども"],
    ]);
    let with = FaqIndex::new(entries.clone(), synonyms, IndexOptions::default());
    let without = FaqIndex::new(entries, Synonyms::default(), IndexOptions::default());
    for (question, id) in [
        ("大型ゴミを出したい", "sodai"),
        ("保育所に申し込みたい", "hoiku"),
        ("子供の医療費", "kodomo"),
        ("こどもの医療費", "kodomo"),
    ] {
        let found = with.answer(question, 3);
        assert_eq!(found[0].entry.id, id, "{question}");
        let plain = without
            .answer(question, 3)
            .into_iter()
            .find(|m| m.entry.id == id)
            .map_or(0.0, |m| m.score);
        assert!(
            found[0].score > plain,
            "{question}: synonyms should raise the score ({} ≤ {plain})",
            found[0].score
        );
    }
}

#[test]
fn synonyms_name_only_the_words_a_text_does_not_already_have() {
    let synonyms = Synonyms::new([vec!["子ども", "子供", "こども"], vec!["ゴミ", "ごみ"]]);
    let found: Vec<&str> = synonyms.expansions("子供の医療費").collect();
    assert_eq!(found.len(), 2);
    assert!(found.contains(&"子ども") && found.contains(&"こども"));
    // ゴミ and ごみ fold alike: nothing is left of the group.
    assert_eq!(synonyms.expansions("ごみの日").count(), 0);
}

#[test]
fn below_the_threshold_a_question_is_unanswered() {
    let index = sample_index(IndexOptions::default());
    for question in ["明日の天気は？", "ありがとう", "市長の名前を教えて", ""]
    {
        assert_eq!(index.answer(question, 3), vec![], "{question}");
    }
    let found = index.answer("粗大ごみを出したい", 3);
    assert_eq!(found[0].entry.id, "gomi-01");
    assert!(found
        .iter()
        .all(|m| m.score >= IndexOptions::default().threshold));
    assert!(found.windows(2).all(|w| w[0].score >= w[1].score));

    // The same question with no threshold gets an answer, however poor: the threshold is
    // what says "none".
    let open = sample_index(IndexOptions {
        threshold: 0.0,
        ..IndexOptions::default()
    });
    assert!(!open.answer("明日の天気は？", 3).is_empty());
    // No score reaches BM25's K1 + 1 = 2.2 (each n-gram adds less than idf · 2.2).
    let strict = sample_index(IndexOptions {
        threshold: 2.2,
        ..IndexOptions::default()
    });
    assert_eq!(strict.answer("粗大ごみを出したい", 3), vec![]);
}

#[test]
fn at_most_k_matches_are_given() {
    let index = sample_index(IndexOptions {
        threshold: 0.0,
        ..IndexOptions::default()
    });
    assert_eq!(index.answer("ごみ", 3).len(), 3);
    assert_eq!(index.answer("ごみ", 1).len(), 1);
    assert_eq!(index.answer("ごみ", 0).len(), 0);
}

#[test]
fn citizens_spellings_reach_the_same_faq() {
    let index = sample_index(IndexOptions::default());
    for question in ["ｺﾞﾐの収集日", "ゴミの収集日", "ごみの収集日"] {
        assert_eq!(
            top(&index, question).as_deref(),
            Some("gomi-03"),
            "{question}"
        );
    }
    for question in [
        "マイナンバーカードの申請",
        "まいなんばーかーど申請",
        "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ 申請",
    ] {
        assert_eq!(
            top(&index, question).as_deref(),
            Some("my-01"),
            "{question}"
        );
    }
}

/// Top-1 on the held-aside questions with the default options: measured 87%. The floor is a
/// little under it, so a change that makes matching worse fails here.
const TOP1_FLOOR: usize = 85;

#[test]
fn top1_on_the_held_aside_questions_stays_above_the_floor() {
    let index = sample_index(IndexOptions::default());
    let table = Table::parse(HELD_ASIDE).unwrap();
    let (question, expected) = (
        table.column("question").unwrap(),
        table.column("expected").unwrap(),
    );
    let mut total = 0;
    let mut hits = 0;
    for row in table.records() {
        total += 1;
        let top = top(&index, row[question]);
        hits += usize::from(top.as_deref().unwrap_or("none") == row[expected]);
    }
    assert_eq!(total, 100);
    assert!(hits >= TOP1_FLOOR, "top-1 {hits}% is under {TOP1_FLOOR}%");
}

#[test]
fn every_n_gram_choice_finds_an_exact_question() {
    for grams in Grams::ALL {
        let index = sample_index(IndexOptions {
            grams,
            ..IndexOptions::default()
        });
        assert_eq!(
            top(&index, "児童手当について").as_deref(),
            Some("kosodate-02"),
            "{}",
            grams.label()
        );
    }
}
