//! 相談 in the chat: 「相談する」 (keyword or the menu's `consult:start`) asks the topic with
//! quick replies and opens a case for it; while the citizen's case is open, their texts and
//! images go to the case and the bot answers nothing on its own (outside office hours it says,
//! now and then, when a person will answer); 「相談を終える」 closes it from the citizen's side.
//!
//! Switched on with the console's 相談対応 permission (`Permission::is_live`): until staff
//! have the inbox, no citizen is offered a consultation nobody would read.

use std::sync::Arc;
use tayori_consultations::{ConsultationDesk, ConsultationDeskError, Received, Started};
use tayori_domain::consultation::{CitizenContent, Topic};
use tayori_domain::staff::Permission;
use tayori_domain::Friend;
use tayori_line::message::{Message, QuickReply, QuickReplyItem};
use tayori_line::webhook::{Event, EventKind, IncomingMessage};
use tayori_line::LineClient;
use tayori_ports::Platform;

/// The menu's postback that starts a consultation.
pub const START: &str = "consult:start";
/// The postback that ends the citizen's consultation.
pub const END: &str = "consult:end";
/// The topic chosen: `consult:topic:<code>`.
const TOPIC_PREFIX: &str = "consult:topic:";
pub const START_WORD: &str = "相談する";
pub const END_WORD: &str = "相談を終える";

const ASK_TOPIC: &str = "どのことについて相談しますか。下のボタンから選んでください。";
const ALREADY_OPEN: &str = "現在、相談を受け付けています。このままメッセージや写真を送ってください。相談を終えるときは「相談を終える」と送ってください。";
const ENDED: &str = "相談を終了しました。ご利用ありがとうございました。";
const NONE_OPEN: &str = "現在、受け付け中の相談はありません。";
const FAILED: &str = "ただいま相談を受け付けられません。時間をおいて、もう一度お試しください。";

/// What the consultation feature did with an event.
pub enum ConsultAnswer {
    Reply(Vec<Message>),
    /// Taken into the case: the bot says nothing.
    Silent,
}

pub struct ConsultationChat {
    desk: ConsultationDesk,
    line: Arc<LineClient>,
}

fn text(t: impl Into<String>) -> ConsultAnswer {
    ConsultAnswer::Reply(vec![Message::text(t)])
}

fn failed(e: &ConsultationDeskError) -> ConsultAnswer {
    if e.is_refusal() {
        return text(e.to_string());
    }
    tracing::error!(error = %e, "a consultation could not be handled");
    text(FAILED)
}

impl ConsultationChat {
    pub fn new(platform: &Platform, line: Arc<LineClient>) -> Self {
        Self {
            desk: ConsultationDesk::new(platform, line.clone()),
            line,
        }
    }

    /// Whether citizens are offered consultations (staff have the inbox).
    pub fn is_offered() -> bool {
        Permission::Consultations.is_live()
    }

    /// The feature's answer to `event`, or `None` when it is not about a consultation and the
    /// citizen has no open case (the other features answer).
    pub async fn answer(&self, event: &Event, friend: &Friend) -> Option<ConsultAnswer> {
        if !Self::is_offered() {
            return None;
        }
        let user_id = friend.user_id.as_str();
        match &event.kind {
            EventKind::Postback { data, .. } => self.postback(friend, data).await,
            EventKind::Message(message) => self.message(user_id, message).await,
            _ => None,
        }
    }

    async fn postback(&self, friend: &Friend, data: &str) -> Option<ConsultAnswer> {
        let user_id = friend.user_id.as_str();
        if data == START {
            return Some(self.ask_topic(user_id).await);
        }
        if data == END {
            return Some(self.end(user_id).await);
        }
        let code = data.strip_prefix(TOPIC_PREFIX)?;
        let Some(topic) = Topic::from_code(code) else {
            return Some(self.ask_topic(user_id).await);
        };
        Some(self.start(friend, topic).await)
    }

    async fn message(&self, user_id: &str, message: &IncomingMessage) -> Option<ConsultAnswer> {
        let word = match message {
            IncomingMessage::Text { text, .. } => Some(text.trim()),
            _ => None,
        };
        if word == Some(START_WORD) {
            return Some(self.ask_topic(user_id).await);
        }
        if word == Some(END_WORD) {
            return Some(self.end(user_id).await);
        }
        let taken = match message {
            IncomingMessage::Text { text, .. } => {
                self.desk
                    .take_message(user_id, CitizenContent::Text(text.clone()))
                    .await
            }
            IncomingMessage::Image { id, .. } => {
                // Asked only when a case is open, so others' photos stay with the other
                // features (a report's photo).
                match self.desk.open_case_of(user_id).await {
                    Ok(None) => return None,
                    Ok(Some(_)) => {}
                    Err(e) => return Some(failed(&e)),
                }
                match self.line.content(id).await {
                    Ok(content) => {
                        self.desk
                            .take_image(user_id, id, content.bytes.to_vec())
                            .await
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "a consultation image could not be fetched");
                        return Some(text(FAILED));
                    }
                }
            }
            // Stickers, locations and the rest: the case is open, the bot stays silent.
            _ => {
                return match self.desk.open_case_of(user_id).await {
                    Ok(Some(_)) => Some(ConsultAnswer::Silent),
                    Ok(None) => None,
                    Err(e) => Some(failed(&e)),
                };
            }
        };
        match taken {
            Ok(None) => None,
            Ok(Some(Received {
                after_hours_reply: Some(reply),
                ..
            })) => Some(text(reply)),
            Ok(Some(_)) => Some(ConsultAnswer::Silent),
            Err(e) => Some(failed(&e)),
        }
    }

    async fn ask_topic(&self, user_id: &str) -> ConsultAnswer {
        match self.desk.open_case_of(user_id).await {
            Ok(Some(_)) => return text(ALREADY_OPEN),
            Ok(None) => {}
            Err(e) => return failed(&e),
        }
        let buttons = Topic::ALL
            .into_iter()
            .map(|t| QuickReplyItem::postback(t.label(), &format!("{TOPIC_PREFIX}{}", t.code())))
            .collect();
        ConsultAnswer::Reply(vec![
            Message::text(ASK_TOPIC).with_quick_reply(QuickReply::new(buttons))
        ])
    }

    async fn start(&self, friend: &Friend, topic: Topic) -> ConsultAnswer {
        let opened = self
            .desk
            .start(&friend.user_id, topic, friend.attributes.clone())
            .await;
        let case = match opened {
            Ok(Started::Opened(case)) => case,
            Ok(Started::AlreadyOpen(_)) => return text(ALREADY_OPEN),
            Err(e) => return failed(&e),
        };
        let mut words = format!(
            "「{}」の相談を受け付けました。{}の担当者が、このトークで返信します。ご用件をメッセージや写真で送ってください。相談を終えるときは「{END_WORD}」と送ってください。",
            topic.label(),
            case.department()
        );
        match self.desk.settings().await {
            Ok(settings) => {
                if let Some(after_hours) = settings.office_hours().auto_reply(case.opened_at()) {
                    words.push('\n');
                    words.push_str(&after_hours);
                }
            }
            Err(e) => tracing::error!(error = %e, "consultation settings could not be read"),
        }
        text(words)
    }

    async fn end(&self, user_id: &str) -> ConsultAnswer {
        match self.desk.end(user_id).await {
            Ok(Some(_)) => text(ENDED),
            Ok(None) => text(NONE_OPEN),
            Err(e) => failed(&e),
        }
    }
}
