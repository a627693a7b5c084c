//! The chat's side of the FAQ: the published FAQs and the synonyms, built into the index the
//! chat's intent layer asks (kept while the stored version stays the same: one get a message),
//! and what the chat reports back: an answer given, a question nothing answered, and the
//! citizen's 「解決しましたか？」.

use super::{FaqDesk, FaqDeskError};
use crate::{FaqEntry, FaqIndex, IndexOptions, Synonyms};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tayori_domain::faq::{Faq, FaqId, Unresolved};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_records::Occasion;

/// The most characters of a citizen's question kept (on staff's list, and in the postback of
/// the 「いいえ」 button, which LINE limits to 300 characters).
pub const QUESTION_KEY_CHARS: usize = 100;

/// The published FAQ at one version, as the chat answers from it.
pub struct ChatFaq {
    version: u64,
    index: FaqIndex,
    faqs: HashMap<String, Faq>,
}

impl ChatFaq {
    fn build(version: u64, faqs: Vec<Faq>, synonyms: Synonyms) -> Self {
        let published: Vec<Faq> = faqs.into_iter().filter(Faq::is_published).collect();
        let entries = published
            .iter()
            .map(|faq| FaqEntry {
                id: faq.id().to_string(),
                question: faq.question().to_owned(),
                phrasings: faq.phrasings().to_vec(),
                answer_id: faq.id().to_string(),
                category: faq.category().to_owned(),
            })
            .collect();
        Self {
            version,
            index: FaqIndex::new(entries, synonyms, IndexOptions::default()),
            faqs: published
                .into_iter()
                .map(|faq| (faq.id().to_string(), faq))
                .collect(),
        }
    }

    /// The FAQ as a domain of the chat's intent layer.
    pub fn index(&self) -> &FaqIndex {
        &self.index
    }

    /// A published FAQ by the id a match or a button carries.
    pub fn faq(&self, id: &str) -> Option<&Faq> {
        self.faqs.get(id)
    }

    pub fn is_empty(&self) -> bool {
        self.faqs.is_empty()
    }
}

/// The first characters of a question, as kept.
fn kept(question: &str) -> String {
    question.trim().chars().take(QUESTION_KEY_CHARS).collect()
}

/// The line of staff's list a question counts on: the same folded words, the same line.
fn question_key(kind: Unresolved, faq: Option<&FaqId>, question: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(faq.map(FaqId::as_str).unwrap_or_default());
    hash.update([0]);
    hash.update(crate::normalize(question));
    let digest = hash.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", kind.code())
}

impl FaqDesk {
    /// The published FAQ as it is stored now, built again only when its version moved on.
    pub async fn chat(&self) -> Result<Arc<ChatFaq>, FaqDeskError> {
        let version = self.faqs.version().await?;
        if let Some(built) = self.cached().filter(|b| b.version == version) {
            return Ok(built);
        }
        let faqs = self.faqs.all().await?;
        let synonyms = Synonyms::new(self.faqs.synonyms().await?.groups().iter().cloned());
        let built = Arc::new(ChatFaq::build(version, faqs, synonyms));
        *self.built.lock().unwrap_or_else(|p| p.into_inner()) = Some(built.clone());
        Ok(built)
    }

    fn cached(&self) -> Option<Arc<ChatFaq>> {
        self.built.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The chat answered with `faq`: counted on the FAQ and in the usage report, with the
    /// citizen's attributes of the moment.
    pub async fn answered(
        &self,
        faq: &FaqId,
        at: DateTime<Utc>,
        occasion: &Occasion,
        attributes: BTreeMap<String, Vec<String>>,
    ) -> Result<(), FaqDeskError> {
        self.faqs.count(faq, |s| s.answered += 1).await?;
        let event = UsageEvent::one(UsageKind::FaqAnswer, at).with_attributes(attributes);
        self.usage.record_quietly(occasion, &event).await;
        Ok(())
    }

    /// Nothing answered `question`: it goes on staff's list, and counts as a miss.
    pub async fn unanswered(
        &self,
        question: &str,
        at: DateTime<Utc>,
        occasion: &Occasion,
        attributes: BTreeMap<String, Vec<String>>,
    ) -> Result<(), FaqDeskError> {
        let kind = Unresolved::Unanswered;
        let text = kept(question);
        if !text.is_empty() {
            let key = question_key(kind, None, &text);
            self.faqs.note_question(&key, kind, &text, None, at).await?;
        }
        let event = UsageEvent::one(UsageKind::FaqUnanswered, at).with_attributes(attributes);
        self.usage.record_quietly(occasion, &event).await;
        Ok(())
    }

    /// The citizen's 「解決しましたか？」 for `faq`, asked about `question`: counted on the FAQ;
    /// an answer that did not help puts the question on staff's list.
    pub async fn feedback(
        &self,
        faq: &FaqId,
        helpful: bool,
        question: &str,
        at: DateTime<Utc>,
    ) -> Result<(), FaqDeskError> {
        if self.faqs.get(faq).await?.is_none() {
            return Err(FaqDeskError::NotFound);
        }
        self.faqs
            .count(faq, |s| {
                if helpful {
                    s.helpful += 1
                } else {
                    s.unhelpful += 1
                }
            })
            .await?;
        let text = kept(question);
        if !helpful && !text.is_empty() {
            let kind = Unresolved::Unhelpful;
            let key = question_key(kind, Some(faq), &text);
            self.faqs
                .note_question(&key, kind, &text, Some(faq), at)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_written_another_way_count_on_the_same_line() {
        let a = question_key(Unresolved::Unanswered, None, "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞの更新");
        let b = question_key(Unresolved::Unanswered, None, "マイナンバーカードの更新");
        assert_eq!(a, b);
        assert!(a.starts_with("unanswered-"));
        let faq = FaqId::parse("x").unwrap();
        assert_ne!(
            a,
            question_key(
                Unresolved::Unhelpful,
                Some(&faq),
                "マイナンバーカードの更新"
            )
        );
        assert_ne!(
            a,
            question_key(Unresolved::Unanswered, None, "住民票の写し")
        );
    }
}
