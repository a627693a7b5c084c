//! 集計 (6.2.2.2, 7.2.1): per question counts for choices with their share, a summary of
//! numbers, the free-text answers listed, and a cross-tabulation of one choice question by an
//! attribute the citizens registered (年代 × 居住地区 …). Both are built one answer at a time
//! ([`Tally::add`], [`CrossTab::add`]) so the desk can stream a form's answers page by page.
//!
//! Cancelled reservations are not counted: they are answers withdrawn. Personal free-text
//! values are counted but never listed.

use super::answer::{Answer, AnswerStatus};
use super::field::{FieldId, FieldKind};
use super::value::AnswerValue;
use super::{Form, FormError};
use serde::{Deserialize, Serialize};

/// Free-text answers listed per question; the rest are in the CSV.
pub const MAX_LISTED_TEXTS: usize = 1000;
/// The row of answers whose citizen had not registered the attribute.
pub const UNREGISTERED: &str = "未登録";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChoiceCount {
    pub choice: String,
    pub count: u32,
    /// Of the answers to the question (a multiple choice's shares add up past 100).
    pub share_percent: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionSummary {
    /// Single, multiple, dropdown and consent: the offered choices first in their order, then
    /// any an older version offered.
    Choices {
        answered: u32,
        counts: Vec<ChoiceCount>,
    },
    Number {
        answered: u32,
        min: Option<f64>,
        max: Option<f64>,
        mean: Option<f64>,
    },
    /// Free text: the first [`MAX_LISTED_TEXTS`] listed.
    Texts { answered: u32, texts: Vec<String> },
    /// Kinds that are only counted (dates, contact details, personal texts).
    Answered { answered: u32 },
    /// A photo/file field: how many answers came with a file (「添付あり n件」); the files
    /// themselves are opened one answer at a time.
    Attached { answered: u32 },
}

impl QuestionSummary {
    pub fn answered(&self) -> u32 {
        match self {
            Self::Choices { answered, .. }
            | Self::Number { answered, .. }
            | Self::Texts { answered, .. }
            | Self::Answered { answered }
            | Self::Attached { answered } => *answered,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionAnalysis {
    pub field: FieldId,
    pub label: String,
    pub summary: QuestionSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormAnalysis {
    /// Answers counted (cancelled ones left out).
    pub answers: u32,
    pub questions: Vec<QuestionAnalysis>,
}

fn percent(count: u32, of: u32) -> f64 {
    if of == 0 {
        0.0
    } else {
        (f64::from(count) * 1000.0 / f64::from(of)).round() / 10.0
    }
}

/// The labels a value counts under, for the choice-like kinds.
fn picks(value: &AnswerValue) -> Vec<String> {
    match value {
        AnswerValue::Choice(c) => vec![c.clone()],
        AnswerValue::Choices(c) => c.clone(),
        AnswerValue::Consent(_) => vec![value.display()],
        _ => Vec::new(),
    }
}

fn choice_columns(kind: &FieldKind) -> Option<Vec<String>> {
    match kind {
        FieldKind::Consent { .. } => Some(vec![
            AnswerValue::Consent(true).display(),
            AnswerValue::Consent(false).display(),
        ]),
        k => k.choices().map(<[String]>::to_vec),
    }
}

#[derive(Clone, Debug)]
enum Acc {
    Choices(Vec<(String, u32)>),
    Number {
        min: Option<f64>,
        max: Option<f64>,
        sum: f64,
    },
    Texts(Vec<String>),
    Answered,
    Attached,
}

#[derive(Clone, Debug)]
struct Question {
    field: FieldId,
    label: String,
    answered: u32,
    acc: Acc,
}

/// The running count of a form's answers, against one version's questions (field ids are
/// stable, so answers of other versions count under the same question).
#[derive(Clone, Debug)]
pub struct Tally {
    answers: u32,
    questions: Vec<Question>,
}

impl Tally {
    pub fn new(form: &Form) -> Self {
        let questions = form
            .fields()
            .iter()
            .filter(|f| f.takes_answer())
            .map(|f| {
                let acc = if let Some(columns) = choice_columns(&f.kind) {
                    Acc::Choices(columns.into_iter().map(|c| (c, 0)).collect())
                } else {
                    match &f.kind {
                        FieldKind::Number { .. } => Acc::Number {
                            min: None,
                            max: None,
                            sum: 0.0,
                        },
                        FieldKind::ShortText { .. }
                        | FieldKind::LongText { .. }
                        | FieldKind::Address { .. }
                            if !f.personal =>
                        {
                            Acc::Texts(Vec::new())
                        }
                        FieldKind::File { .. } => Acc::Attached,
                        _ => Acc::Answered,
                    }
                };
                Question {
                    field: f.id.clone(),
                    label: f.label.clone(),
                    answered: 0,
                    acc,
                }
            })
            .collect();
        Self {
            answers: 0,
            questions,
        }
    }

    pub fn add(&mut self, answer: &Answer) {
        if answer.status() == AnswerStatus::Cancelled {
            return;
        }
        self.answers += 1;
        for q in &mut self.questions {
            let Some(value) = answer.value(&q.field) else {
                continue;
            };
            q.answered += 1;
            match (&mut q.acc, value) {
                (Acc::Choices(counts), v) => {
                    for pick in picks(v) {
                        match counts.iter_mut().find(|(c, _)| *c == pick) {
                            Some((_, n)) => *n += 1,
                            None => counts.push((pick, 1)),
                        }
                    }
                }
                (Acc::Number { min, max, sum }, AnswerValue::Number(n)) => {
                    *min = Some(min.map_or(*n, |m| m.min(*n)));
                    *max = Some(max.map_or(*n, |m| m.max(*n)));
                    *sum += n;
                }
                (Acc::Texts(texts), AnswerValue::Text(t)) if texts.len() < MAX_LISTED_TEXTS => {
                    texts.push(t.clone());
                }
                _ => {}
            }
        }
    }

    pub fn finish(self) -> FormAnalysis {
        let questions = self
            .questions
            .into_iter()
            .map(|q| {
                let answered = q.answered;
                let summary = match q.acc {
                    Acc::Choices(counts) => QuestionSummary::Choices {
                        answered,
                        counts: counts
                            .into_iter()
                            .map(|(choice, count)| ChoiceCount {
                                choice,
                                count,
                                share_percent: percent(count, answered),
                            })
                            .collect(),
                    },
                    Acc::Number { min, max, sum } => QuestionSummary::Number {
                        answered,
                        min,
                        max,
                        mean: (answered > 0).then(|| sum / f64::from(answered)),
                    },
                    Acc::Texts(texts) => QuestionSummary::Texts { answered, texts },
                    Acc::Answered => QuestionSummary::Answered { answered },
                    Acc::Attached => QuestionSummary::Attached { answered },
                };
                QuestionAnalysis {
                    field: q.field,
                    label: q.label,
                    summary,
                }
            })
            .collect();
        FormAnalysis {
            answers: self.answers,
            questions,
        }
    }
}

impl FormAnalysis {
    /// The analysis of `answers` against `form`'s questions.
    pub fn of<'a>(form: &Form, answers: impl IntoIterator<Item = &'a Answer>) -> Self {
        let mut tally = Tally::new(form);
        for answer in answers {
            tally.add(answer);
        }
        tally.finish()
    }
}

/// One attribute value's row: how many of its answers picked each column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossTabRow {
    pub label: String,
    pub counts: Vec<u32>,
    /// Answers in this row that answered the question.
    pub answered: u32,
}

/// クロス集計: a choice question (columns) by a registered attribute (rows, in the order the
/// caller gives, then values seen that it did not list, then [`UNREGISTERED`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrossTab {
    pub question: FieldId,
    pub question_label: String,
    /// The segment item id.
    pub attribute: String,
    pub columns: Vec<String>,
    pub rows: Vec<CrossTabRow>,
}

impl CrossTab {
    /// An empty table for `question` of `form` by `attribute`, whose values are `row_labels`
    /// (the segment item's choices).
    pub fn new(
        form: &Form,
        question: &FieldId,
        attribute: &str,
        row_labels: &[String],
    ) -> Result<Self, FormError> {
        let field = form
            .field(question)
            .ok_or_else(|| FormError::UnknownQuestion(question.to_string()))?;
        let columns = choice_columns(&field.kind)
            .ok_or_else(|| FormError::NotAChoiceQuestion(field.label.clone()))?;
        let rows = row_labels
            .iter()
            .map(|label| CrossTabRow {
                label: label.clone(),
                counts: vec![0; columns.len()],
                answered: 0,
            })
            .collect();
        Ok(Self {
            question: question.clone(),
            question_label: field.label.clone(),
            attribute: attribute.to_string(),
            columns,
            rows,
        })
    }

    pub fn add(&mut self, answer: &Answer) {
        if answer.status() == AnswerStatus::Cancelled {
            return;
        }
        let Some(value) = answer.value(&self.question) else {
            return;
        };
        let picked = picks(value);
        for pick in &picked {
            if !self.columns.contains(pick) {
                self.columns.push(pick.clone());
                for row in &mut self.rows {
                    row.counts.push(0);
                }
            }
        }
        let registered = answer
            .attributes()
            .get(&self.attribute)
            .filter(|values| !values.is_empty())
            .cloned()
            .unwrap_or_else(|| vec![UNREGISTERED.to_string()]);
        for label in registered {
            let at = match self.rows.iter().position(|r| r.label == label) {
                Some(at) => at,
                None => {
                    // Values the caller did not list go before 未登録, which stays last.
                    let at = self
                        .rows
                        .iter()
                        .position(|r| r.label == UNREGISTERED)
                        .filter(|_| label != UNREGISTERED)
                        .unwrap_or(self.rows.len());
                    self.rows.insert(
                        at,
                        CrossTabRow {
                            label: label.clone(),
                            counts: vec![0; self.columns.len()],
                            answered: 0,
                        },
                    );
                    at
                }
            };
            let row = &mut self.rows[at];
            row.answered += 1;
            for pick in &picked {
                if let Some(col) = self.columns.iter().position(|c| c == pick) {
                    row.counts[col] += 1;
                }
            }
        }
    }

    /// The column totals over all rows (an answer with several attribute values counts in each
    /// of its rows, so these may exceed the question's own counts).
    pub fn column_totals(&self) -> Vec<u32> {
        (0..self.columns.len())
            .map(|col| self.rows.iter().map(|r| r.counts[col]).sum())
            .collect()
    }
}
