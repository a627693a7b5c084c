//! FAQ answers in the chat (よくある質問): when the FAQ is the best reading of a citizen's text
//! in the chat's intent layer, the answer (its text, its link, its picture), then
//! 「解決しましたか？」 with はい / いいえ and up to three other FAQs as buttons. What the answer
//! is and what is counted are the FAQ desk's (`tayori_faq::desk`); this module only picks the
//! reading, calls and renders.
//!
//! Postback data: `faq:show:<id>:<question>` (another FAQ tapped), `faq:yes:<id>`,
//! `faq:no:<id>:<question>`, where `<question>` is what the citizen asked (cut to
//! [`QUESTION_KEY_CHARS`]), so that an answer that did not help is listed with the words that
//! led to it.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_domain::faq::{Faq, FaqId};
use tayori_domain::Friend;
use tayori_faq::desk::{ChatFaq, FaqDesk, FaqDeskError, QUESTION_KEY_CHARS};
use tayori_intents::Recognition;
use tayori_line::message::{Action, Message, QuickReply, QuickReplyItem};
use tayori_records::Occasion;

const PREFIX: &str = "faq:";
/// Other FAQs offered under an answer.
const MAX_ALTERNATIVES: usize = 3;
/// How near another FAQ must be to be offered beside an answer: under the answering threshold
/// (0.40), at the level where the held-aside questions' right FAQ was nearly always among the
/// first three (docs/benchmarks.md).
const ALTERNATIVES_FLOOR: f32 = 0.3;
/// LINE's quick reply label limit.
const MAX_LABEL_CHARS: usize = 20;

pub const SOLVED: &str = "解決しましたか？";
pub const THANKS: &str = "ご回答ありがとうございます。お役に立ててよかったです。";
pub const SORRY: &str = "お役に立てず申し訳ありません。いただいたご質問は担当者が確認し、回答の改善に使わせていただきます。";

/// A tap on one of the FAQ's buttons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaqTap {
    Show { faq: FaqId, question: String },
    Solved { faq: FaqId },
    NotSolved { faq: FaqId, question: String },
}

impl FaqTap {
    pub fn from_postback(data: &str) -> Option<Self> {
        let rest = data.strip_prefix(PREFIX)?;
        let (kind, rest) = rest.split_once(':')?;
        let (id, question) = rest.split_once(':').unwrap_or((rest, ""));
        let faq = FaqId::parse(id).ok()?;
        let question = question.to_owned();
        match kind {
            "show" => Some(Self::Show { faq, question }),
            "yes" => Some(Self::Solved { faq }),
            "no" => Some(Self::NotSolved { faq, question }),
            _ => None,
        }
    }
}

fn kept(question: &str) -> String {
    question.trim().chars().take(QUESTION_KEY_CHARS).collect()
}

pub struct FaqChat {
    desk: FaqDesk,
    media_base_url: String,
}

impl FaqChat {
    pub fn new(desk: FaqDesk) -> Self {
        Self {
            desk,
            media_base_url: String::new(),
        }
    }

    /// Where `/media/` is served over https, for an answer's picture.
    pub fn set_media_base_url(&mut self, url: String) {
        self.media_base_url = url;
    }

    /// The published FAQ, or none when it cannot be read now: the chat still answers
    /// everything else.
    pub async fn index(&self) -> Option<Arc<ChatFaq>> {
        match self.desk.chat().await {
            Ok(chat) => Some(chat),
            Err(e) => {
                tracing::error!(error = %e, "the FAQ could not be read; answering without it");
                None
            }
        }
    }

    /// The answer when the FAQ reads `text` best: understood as an FAQ, or, when nothing is
    /// understood, the FAQ's best over its own answering threshold.
    pub async fn answer(
        &self,
        faq: &ChatFaq,
        recognition: &Recognition,
        text: &str,
        friend: &Friend,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Option<Vec<Message>> {
        let best = match recognition {
            Recognition::Understood(m) if m.domain == tayori_faq::DOMAIN => m.intent.clone(),
            Recognition::Understood(_) => return None,
            // Unsure of everything: the FAQ's best over its own answering threshold still
            // answers better than buttons for a garbage question the citizen may not have
            // asked (and it may rank below the garbage candidates the recogniser keeps).
            Recognition::Unsure(_) => faq.index().answer(text, 1).first()?.entry.id.clone(),
        };
        let chosen = faq.faq(&best)?;
        let others: Vec<&Faq> = faq
            .index()
            .ranked(text, MAX_ALTERNATIVES + 1, ALTERNATIVES_FLOOR)
            .into_iter()
            .filter(|m| m.entry.id != best)
            .filter_map(|m| faq.faq(&m.entry.id))
            .take(MAX_ALTERNATIVES)
            .collect();
        Some(
            self.answered(chosen, &others, text, friend, at, occasion)
                .await,
        )
    }

    /// What a tap on an FAQ button gets; `None` for another feature's postback.
    pub async fn answer_postback(
        &self,
        data: &str,
        friend: &Friend,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Option<Vec<Message>> {
        let tap = FaqTap::from_postback(data)?;
        Some(match tap {
            FaqTap::Show { faq, question } => {
                let chosen = self
                    .index()
                    .await
                    .and_then(|chat| chat.faq(faq.as_str()).cloned());
                match chosen {
                    Some(chosen) => {
                        self.answered(&chosen, &[], &question, friend, at, occasion)
                            .await
                    }
                    None => vec![Message::text(
                        "このご案内は現在ご利用いただけません。別の言い方で質問を送ってください。",
                    )],
                }
            }
            FaqTap::Solved { faq } => {
                self.feedback(&faq, true, "", at).await;
                vec![Message::text(THANKS)]
            }
            FaqTap::NotSolved { faq, question } => {
                self.feedback(&faq, false, &question, at).await;
                vec![Message::text(SORRY)]
            }
        })
    }

    async fn feedback(&self, faq: &FaqId, helpful: bool, question: &str, at: DateTime<Utc>) {
        match self.desk.feedback(faq, helpful, question, at).await {
            // A button under an FAQ deleted since: nothing to count on.
            Ok(()) | Err(FaqDeskError::NotFound) => {}
            Err(e) => tracing::error!(error = %e, "FAQ feedback not recorded"),
        }
    }

    /// A question that nothing answered: on staff's list, and counted.
    pub async fn unanswered(
        &self,
        text: &str,
        friend: &Friend,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) {
        if let Err(e) = self
            .desk
            .unanswered(text, at, occasion, friend.attributes.clone())
            .await
        {
            tracing::error!(error = %e, "an unanswered question was not recorded");
        }
    }

    async fn answered(
        &self,
        faq: &Faq,
        others: &[&Faq],
        question: &str,
        friend: &Friend,
        at: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Vec<Message> {
        if let Err(e) = self
            .desk
            .answered(faq.id(), at, occasion, friend.attributes.clone())
            .await
        {
            tracing::error!(error = %e, "an FAQ answer was not counted");
        }
        self.render(faq, others, &kept(question))
    }

    fn render(&self, faq: &Faq, others: &[&Faq], question: &str) -> Vec<Message> {
        let mut text = faq.answer().to_owned();
        if let Some(link) = faq.link() {
            text.push_str(&format!("\n\n▶ {}\n{}", link.label(), link.url()));
        }
        let mut messages = vec![Message::text(text)];
        if let (Some(image), false) = (faq.image(), self.media_base_url.is_empty()) {
            let base = self.media_base_url.trim_end_matches('/');
            messages.push(Message::image(
                format!("{base}/{}", image.original),
                format!("{base}/{}", image.preview),
            ));
        }
        let id = faq.id();
        let mut buttons = vec![
            button("はい", format!("{PREFIX}yes:{id}"), "はい"),
            button("いいえ", format!("{PREFIX}no:{id}:{question}"), "いいえ"),
        ];
        buttons.extend(others.iter().map(|other| {
            button(
                other.question(),
                format!("{PREFIX}show:{}:{question}", other.id()),
                other.question(),
            )
        }));
        let mut ask = String::from(SOLVED);
        if !others.is_empty() {
            ask.push_str("\nほかのご案内は下のボタンからどうぞ。");
        }
        messages.push(Message::text(ask).with_quick_reply(QuickReply::new(buttons)));
        messages
    }
}

fn button(label: &str, data: String, display: &str) -> QuickReplyItem {
    QuickReplyItem::new(Action::Postback {
        label: Some(label.chars().take(MAX_LABEL_CHARS).collect()),
        data,
        display_text: Some(display.chars().take(300).collect()),
        input_option: None,
        fill_in_text: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postbacks_read_back_what_the_buttons_carry() {
        let id = FaqId::parse("gomi-01").unwrap();
        assert_eq!(
            FaqTap::from_postback("faq:no:gomi-01:ソファ捨てたい:急ぎ"),
            Some(FaqTap::NotSolved {
                faq: id.clone(),
                question: "ソファ捨てたい:急ぎ".into()
            })
        );
        assert_eq!(
            FaqTap::from_postback("faq:yes:gomi-01"),
            Some(FaqTap::Solved { faq: id })
        );
        assert_eq!(FaqTap::from_postback("faq:yes:bad id"), None);
        assert_eq!(FaqTap::from_postback("garbage:today"), None);
        assert_eq!(FaqTap::from_postback("faq:maybe:gomi-01"), None);
    }
}
