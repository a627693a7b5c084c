//! よくある質問 (FAQ) as staff write them for the chat (仕様書 3.2.5): a question, the other ways
//! citizens ask it, and the answer (text, an optional link, an optional picture), with its
//! category and 担当課. Every value is checked when it is saved, so the chat never meets an
//! answer LINE would refuse.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// LINE's limits and ours, in characters.
pub const MAX_QUESTION_CHARS: usize = 200;
pub const MAX_PHRASINGS: usize = 30;
/// A text message holds 5,000 characters; an answer read on a phone should be far shorter.
pub const MAX_ANSWER_CHARS: usize = 2_000;
pub const MAX_CATEGORY_CHARS: usize = 30;
pub const MAX_DEPARTMENT_CHARS: usize = 30;
/// A URI action's label: LINE allows 20 characters in a button.
pub const MAX_LINK_LABEL_CHARS: usize = 20;
pub const MAX_URL_CHARS: usize = 1_000;
pub const MAX_ID_CHARS: usize = 40;
pub const MAX_SYNONYM_GROUPS: usize = 500;
pub const MAX_SYNONYM_CHARS: usize = 30;

/// An FAQ's id: letters, digits, `-` and `_` (so it fits a postback and a CSV row unchanged).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FaqId(String);

impl FaqId {
    pub fn parse(text: &str) -> Result<Self, FaqError> {
        let text = text.trim();
        let fits = !text.is_empty()
            && text.chars().count() <= MAX_ID_CHARS
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if fits {
            Ok(Self(text.to_owned()))
        } else {
            Err(FaqError::BadId(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FaqId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for FaqId {
    type Error = FaqError;
    fn try_from(text: String) -> Result<Self, FaqError> {
        Self::parse(&text)
    }
}

impl From<FaqId> for String {
    fn from(id: FaqId) -> String {
        id.0
    }
}

/// Why an FAQ cannot be saved, in words a clerk can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaqError {
    #[error("IDは半角英数字と「-」「_」で{MAX_ID_CHARS}文字以内にしてください（「{0}」）。")]
    BadId(String),
    #[error("質問を入力してください。")]
    NoQuestion,
    #[error("質問は{MAX_QUESTION_CHARS}文字以内にしてください。")]
    QuestionTooLong,
    #[error(
        "言い換えは{MAX_PHRASINGS}個以内、それぞれ{MAX_QUESTION_CHARS}文字以内にしてください。"
    )]
    TooManyPhrasings,
    #[error("回答を入力してください。")]
    NoAnswer,
    #[error("回答は{MAX_ANSWER_CHARS}文字以内にしてください（いま{0}文字）。")]
    AnswerTooLong(usize),
    #[error("分類を入力してください（{MAX_CATEGORY_CHARS}文字以内）。")]
    BadCategory,
    #[error("担当課は{MAX_DEPARTMENT_CHARS}文字以内にしてください。")]
    DepartmentTooLong,
    #[error("リンクのURLは「https://」で始まる{MAX_URL_CHARS}文字以内のアドレスにしてください。")]
    BadLinkUrl,
    #[error("リンクのボタンの文字を{MAX_LINK_LABEL_CHARS}文字以内で入力してください。")]
    BadLinkLabel,
    #[error("同義語は{MAX_SYNONYM_GROUPS}行以内、1語{MAX_SYNONYM_CHARS}文字以内にしてください（{0}行目）。")]
    BadSynonyms(usize),
}

impl FaqError {
    /// The draft's field the problem is in, as the console's form names it.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            Self::NoQuestion | Self::QuestionTooLong => "question",
            Self::TooManyPhrasings => "phrasings",
            Self::NoAnswer | Self::AnswerTooLong(_) => "answer",
            Self::BadCategory => "category",
            Self::DepartmentTooLong => "department",
            Self::BadLinkUrl => "link_url",
            Self::BadLinkLabel => "link_label",
            Self::BadSynonyms(_) => "synonyms",
            Self::BadId(_) => return None,
        })
    }
}

/// A button under the answer that opens a page (the city's web site, a form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqLink {
    label: String,
    url: String,
}

impl FaqLink {
    pub fn new(label: &str, url: &str) -> Result<Self, FaqError> {
        let (label, url) = (label.trim(), url.trim());
        if !url.starts_with("https://")
            || url.len() <= "https://".len()
            || url.chars().count() > MAX_URL_CHARS
            || url.contains(char::is_whitespace)
        {
            return Err(FaqError::BadLinkUrl);
        }
        if label.is_empty() || label.chars().count() > MAX_LINK_LABEL_CHARS {
            return Err(FaqError::BadLinkLabel);
        }
        Ok(Self {
            label: label.to_owned(),
            url: url.to_owned(),
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The picture sent after an answer: the keys, under the public media folder, of the image
/// and of the smaller preview LINE shows in the chat (1 MB at most).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqImage {
    pub original: String,
    pub preview: String,
}

/// What a clerk typed (or a CSV row held), before it is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaqDraft {
    pub category: String,
    pub department: String,
    pub question: String,
    /// One phrasing per line (or `|`-separated in a CSV cell).
    pub phrasings: String,
    pub answer: String,
    pub link_label: String,
    pub link_url: String,
    pub published: bool,
}

/// The checked parts of an FAQ a draft gives.
struct Checked {
    category: String,
    department: String,
    question: String,
    phrasings: Vec<String>,
    answer: String,
    link: Option<FaqLink>,
}

impl FaqDraft {
    fn check(&self) -> Result<Checked, FaqError> {
        let question = one_line(&self.question);
        if question.is_empty() {
            return Err(FaqError::NoQuestion);
        }
        if question.chars().count() > MAX_QUESTION_CHARS {
            return Err(FaqError::QuestionTooLong);
        }
        let mut phrasings: Vec<String> = Vec::new();
        for p in self.phrasings.split(['\n', '|']).map(one_line) {
            if !p.is_empty() && p != question && !phrasings.contains(&p) {
                phrasings.push(p);
            }
        }
        if phrasings.len() > MAX_PHRASINGS
            || phrasings
                .iter()
                .any(|p| p.chars().count() > MAX_QUESTION_CHARS)
        {
            return Err(FaqError::TooManyPhrasings);
        }
        let answer = self.answer.trim().replace("\r\n", "\n");
        if answer.is_empty() {
            return Err(FaqError::NoAnswer);
        }
        let chars = answer.chars().count();
        if chars > MAX_ANSWER_CHARS {
            return Err(FaqError::AnswerTooLong(chars));
        }
        let category = one_line(&self.category);
        if category.is_empty() || category.chars().count() > MAX_CATEGORY_CHARS {
            return Err(FaqError::BadCategory);
        }
        let department = one_line(&self.department);
        if department.chars().count() > MAX_DEPARTMENT_CHARS {
            return Err(FaqError::DepartmentTooLong);
        }
        let link = match (self.link_label.trim(), self.link_url.trim()) {
            ("", "") => None,
            (label, url) => Some(FaqLink::new(label, url)?),
        };
        Ok(Checked {
            category,
            department,
            question,
            phrasings,
            answer,
            link,
        })
    }
}

/// Runs of white space (a pasted line break included) made one space, ends trimmed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An FAQ as saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faq {
    id: FaqId,
    category: String,
    #[serde(default)]
    department: String,
    question: String,
    #[serde(default)]
    phrasings: Vec<String>,
    answer: String,
    #[serde(default)]
    link: Option<FaqLink>,
    /// The picture sent after the answer.
    #[serde(default)]
    image: Option<FaqImage>,
    /// Whether the chat answers with it (a draft is kept out of the chat).
    published: bool,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl Faq {
    pub fn new(id: FaqId, draft: &FaqDraft, by: &str, at: DateTime<Utc>) -> Result<Self, FaqError> {
        let c = draft.check()?;
        Ok(Self {
            id,
            category: c.category,
            department: c.department,
            question: c.question,
            phrasings: c.phrasings,
            answer: c.answer,
            link: c.link,
            image: None,
            published: draft.published,
            updated_at: at,
            updated_by: by.to_owned(),
        })
    }

    /// The FAQ rewritten from `draft`; its picture stays.
    pub fn edited(&self, draft: &FaqDraft, by: &str, at: DateTime<Utc>) -> Result<Self, FaqError> {
        let mut edited = Self::new(self.id.clone(), draft, by, at)?;
        edited.image = self.image.clone();
        Ok(edited)
    }

    /// The FAQ with `image` as its picture, or none.
    pub fn with_image(&self, image: Option<FaqImage>, by: &str, at: DateTime<Utc>) -> Self {
        Self {
            image,
            updated_at: at,
            updated_by: by.to_owned(),
            ..self.clone()
        }
    }

    /// The draft that gives this FAQ again (the edit page, a CSV row).
    pub fn draft(&self) -> FaqDraft {
        FaqDraft {
            category: self.category.clone(),
            department: self.department.clone(),
            question: self.question.clone(),
            phrasings: self.phrasings.join("\n"),
            answer: self.answer.clone(),
            link_label: self
                .link
                .as_ref()
                .map(|l| l.label.clone())
                .unwrap_or_default(),
            link_url: self
                .link
                .as_ref()
                .map(|l| l.url.clone())
                .unwrap_or_default(),
            published: self.published,
        }
    }

    pub fn id(&self) -> &FaqId {
        &self.id
    }
    pub fn category(&self) -> &str {
        &self.category
    }
    pub fn department(&self) -> &str {
        &self.department
    }
    pub fn question(&self) -> &str {
        &self.question
    }
    pub fn phrasings(&self) -> &[String] {
        &self.phrasings
    }
    pub fn answer(&self) -> &str {
        &self.answer
    }
    pub fn link(&self) -> Option<&FaqLink> {
        self.link.as_ref()
    }
    pub fn image(&self) -> Option<&FaqImage> {
        self.image.as_ref()
    }
    pub fn is_published(&self) -> bool {
        self.published
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn updated_by(&self) -> &str {
        &self.updated_by
    }
}

/// Groups of words the city uses for the same thing (粗大ごみ = 大型ごみ), one group per line
/// as the console shows them, words separated by 「、」 or 「,」.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymGroups {
    groups: Vec<Vec<String>>,
}

impl SynonymGroups {
    /// Reads the console's text; a line with fewer than two words says nothing and is dropped.
    pub fn parse(text: &str) -> Result<Self, FaqError> {
        let mut groups = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let mut words: Vec<String> = Vec::new();
            for w in line.split(['、', ',', '，']).map(one_line) {
                if w.chars().count() > MAX_SYNONYM_CHARS {
                    return Err(FaqError::BadSynonyms(n + 1));
                }
                if !w.is_empty() && !words.contains(&w) {
                    words.push(w);
                }
            }
            if words.len() > 1 {
                groups.push(words);
            }
        }
        if groups.len() > MAX_SYNONYM_GROUPS {
            return Err(FaqError::BadSynonyms(MAX_SYNONYM_GROUPS + 1));
        }
        Ok(Self { groups })
    }

    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// The console's text again: one group per line.
    pub fn text(&self) -> String {
        self.groups
            .iter()
            .map(|g| g.join("、"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Why a citizen's question is on staff's list: nothing answered it, or the answer given did
/// not help (「解決しましたか？」→ いいえ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unresolved {
    Unanswered,
    Unhelpful,
}

impl Unresolved {
    pub fn label(self) -> &'static str {
        match self {
            Self::Unanswered => "回答なし",
            Self::Unhelpful => "解決しなかった",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Unanswered => "unanswered",
            Self::Unhelpful => "unhelpful",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> FaqDraft {
        FaqDraft {
            category: "ごみ".into(),
            department: "環境衛生課".into(),
            question: " 粗大ごみの出し方 ".into(),
            phrasings:
                "大きな家具を捨てたい\n\n粗大ごみの出し方\nソファの処分|大きな家具を捨てたい".into(),
            answer: "事前に申し込んでください。\r\n詳しくは環境衛生課へ。".into(),
            link_label: "市のページ".into(),
            link_url: "https://www1.city.obama.fukui.jp/".into(),
            published: true,
        }
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000, 0).unwrap()
    }

    #[test]
    fn a_draft_is_tidied_when_saved_duplicate_and_empty_phrasings_dropped() {
        let faq = Faq::new(FaqId::parse("gomi-01").unwrap(), &draft(), "clerk", at()).unwrap();
        assert_eq!(faq.question(), "粗大ごみの出し方");
        assert_eq!(faq.phrasings(), ["大きな家具を捨てたい", "ソファの処分"]);
        assert_eq!(
            faq.answer(),
            "事前に申し込んでください。\n詳しくは環境衛生課へ。"
        );
        assert_eq!(faq.link().unwrap().label(), "市のページ");
        let again = Faq::new(faq.id().clone(), &faq.draft(), "clerk", at()).unwrap();
        assert_eq!(again, faq);
    }

    #[test]
    fn what_line_would_refuse_or_a_citizen_could_not_use_is_refused_on_saving() {
        let id = FaqId::parse("a").unwrap();
        let refused = |change: fn(&mut FaqDraft)| {
            let mut d = draft();
            change(&mut d);
            Faq::new(id.clone(), &d, "clerk", at()).unwrap_err()
        };
        assert_eq!(refused(|d| d.question = "  ".into()), FaqError::NoQuestion);
        assert_eq!(refused(|d| d.answer = String::new()), FaqError::NoAnswer);
        assert_eq!(
            refused(|d| d.answer = "あ".repeat(2001)),
            FaqError::AnswerTooLong(2001)
        );
        assert_eq!(
            refused(|d| d.link_url = "http://example.jp/".into()),
            FaqError::BadLinkUrl
        );
        assert_eq!(
            refused(|d| d.link_url = "javascript:alert(1)".into()),
            FaqError::BadLinkUrl
        );
        assert_eq!(
            refused(|d| d.link_label = String::new()),
            FaqError::BadLinkLabel
        );
        assert_eq!(
            refused(|d| d.category = String::new()),
            FaqError::BadCategory
        );
        assert_eq!(
            refused(|d| d.phrasings = (0..31).map(|n| format!("言い方{n}\n")).collect()),
            FaqError::TooManyPhrasings
        );
        assert!(FaqId::parse("a b").is_err());
        assert!(FaqId::parse("ごみ").is_err());
        assert!(FaqId::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn no_link_is_fine_but_half_a_link_is_not() {
        let mut d = draft();
        d.link_label = String::new();
        d.link_url = String::new();
        let faq = Faq::new(FaqId::parse("a").unwrap(), &d, "c", at()).unwrap();
        assert!(faq.link().is_none());
        d.link_label = "市のページ".into();
        assert_eq!(
            Faq::new(FaqId::parse("a").unwrap(), &d, "c", at()),
            Err(FaqError::BadLinkUrl)
        );
    }

    #[test]
    fn synonym_lines_become_groups_and_read_back_the_same() {
        let groups = SynonymGroups::parse(
            "粗大ごみ、大型ごみ, そだいごみ\n\n子ども，子供、子ども\nひとつだけ",
        )
        .unwrap();
        assert_eq!(
            groups.groups(),
            [
                vec!["粗大ごみ", "大型ごみ", "そだいごみ"],
                vec!["子ども", "子供"]
            ]
        );
        assert_eq!(SynonymGroups::parse(&groups.text()).unwrap(), groups);
        assert_eq!(
            SynonymGroups::parse(&format!("a、{}", "長".repeat(31))),
            Err(FaqError::BadSynonyms(1))
        );
    }
}
