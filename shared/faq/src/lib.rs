//! Matching a citizen's question, written as they would type it in the chat, to the city's
//! frequently asked questions, without an external service (issue 16, part 1).
//!
//! - [`normalize`] folds the ways people write the same words to one spelling.
//! - [`Synonyms`] are groups of words the city uses for the same thing (粗大ごみ = 大型ごみ).
//! - [`FaqIndex`] scores FAQs against a question with BM25 over character n-grams (no
//!   dictionary needed, so it builds offline) and says "none" below a threshold, so that
//!   unanswered questions can be listed for staff.
//!
//! The matcher is pure: texts in, matches out. [`desk`] holds the FAQ's use cases over the
//! records (staff's FAQ管理, the chat's index and counts); how the chat replies is the webhook's.

pub mod csv;
pub mod desk;
mod index;
mod normalize;

pub use index::{FaqIndex, Grams, IndexOptions, Match, DOMAIN};
pub use normalize::normalize;

use csv::{CsvError, Table};

/// One frequently asked question as the matcher sees it: the question, other ways citizens
/// ask it, and the answer it leads to (several questions may share one answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqEntry {
    pub id: String,
    pub question: String,
    pub phrasings: Vec<String>,
    pub answer_id: String,
    pub category: String,
}

impl FaqEntry {
    /// Reads FAQs from CSV with the columns `id`, `category`, `question`, `phrasings`
    /// (alternatives separated by `|`) and `answer_id`; other columns (the answer's text, the
    /// 担当課) are for the people who read the file and are skipped here.
    pub fn parse_csv(text: &str) -> Result<Vec<FaqEntry>, CsvError> {
        let table = Table::parse(text)?;
        let id = table.column("id")?;
        let category = table.column("category")?;
        let question = table.column("question")?;
        let phrasings = table.column("phrasings")?;
        let answer_id = table.column("answer_id")?;
        Ok(table
            .records()
            .map(|row| FaqEntry {
                id: row[id].to_owned(),
                question: row[question].to_owned(),
                phrasings: row[phrasings]
                    .split('|')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
                answer_id: row[answer_id].to_owned(),
                category: row[category].to_owned(),
            })
            .collect())
    }
}

/// Groups of words that mean the same thing to the city (粗大ごみ = 大型ごみ, 子ども = 子供 =
/// こども), kept normalised. A text containing one word of a group is indexed, and a question
/// containing one is searched, as if it also contained the others.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
}

impl Synonyms {
    /// Groups from lists of words; words that normalise to nothing are left out, and a group
    /// with fewer than two words left says nothing and is dropped.
    pub fn new<G, W>(groups: G) -> Self
    where
        G: IntoIterator<Item = W>,
        W: IntoIterator,
        W::Item: AsRef<str>,
    {
        let groups = groups
            .into_iter()
            .map(|group| {
                let mut words: Vec<String> = group
                    .into_iter()
                    .map(|w| normalize(w.as_ref()))
                    .filter(|w| !w.is_empty())
                    .collect();
                words.sort_unstable();
                words.dedup();
                words
            })
            .filter(|words| words.len() > 1)
            .collect();
        Self { groups }
    }

    /// Reads one group per CSV row (any number of fields, each a word; no header).
    pub fn parse_csv(text: &str) -> Result<Self, CsvError> {
        Ok(Self::new(csv::rows(text)?.into_iter().map(|(_, row)| row)))
    }

    /// The words of every group that `normalized` (already [`normalize`]d) mentions, other
    /// than those it already contains.
    pub fn expansions<'a>(&'a self, normalized: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.groups
            .iter()
            .filter(move |group| group.iter().any(|w| normalized.contains(w.as_str())))
            .flat_map(move |group| {
                group
                    .iter()
                    .filter(move |w| !normalized.contains(w.as_str()))
                    .map(String::as_str)
            })
    }
}
