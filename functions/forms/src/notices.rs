//! The messages a citizen gets in LINE about their answer, from the form desk's events on the
//! bus (EventBridge rules in AWS, the in-process bus locally):
//!
//! - `form.answered` ([`ReceiptHandler`]): the receipt (the form's receipt message, the title,
//!   the 受付番号 and the answer's summary: `Answer::receipt_text`);
//! - `form.answer-status-changed` ([`StatusNoticeHandler`]): a change the citizen must hear of
//!   (確定, キャンセル, 完了, 却下; not 対応中 or 来場済, which are the 課's own bookkeeping).
//!
//! Each push goes under a retry key stored per answer (and per change), so an event the bus
//! delivers twice is pushed once: LINE answers the repeat with 409. A citizen who blocked the
//! account is not pushed.

use async_trait::async_trait;
use std::sync::Arc;
use tayori_domain::form::{Answer, AnswerStatus, ChangedBy, Form};
use tayori_formdesk::{FormAnswerStatusChanged, FormAnswered, FormDesk, FormDeskError};
use tayori_line::message::Message;
use tayori_line::{LineClient, RetryKeys};
use tayori_ports::{Event, EventHandler, HandlerError, Platform};
use tayori_records::Friends;

/// What the citizen reads when their answer moved to `entry`'s status, or `None` when the
/// change is not one to tell.
pub fn status_notice(form: &Form, answer: &Answer, change_index: usize) -> Option<String> {
    let entry = answer.history().get(change_index)?;
    let sentence = match (entry.to, &entry.by) {
        (AnswerStatus::Confirmed, _) => "ご予約が確定しました。当日はお気をつけてお越しください。",
        (AnswerStatus::Cancelled, ChangedBy::Citizen) => "ご予約のキャンセルを受け付けました。",
        (AnswerStatus::Cancelled, ChangedBy::Staff(_)) => {
            "ご予約は担当課によりキャンセルされました。詳しくは担当課へお問い合わせください。"
        }
        (AnswerStatus::Done, _) => "お申し込みへの対応が完了しました。",
        (AnswerStatus::Rejected, _) => {
            "お申し込みはお受けできませんでした。詳しくは担当課へお問い合わせください。"
        }
        (AnswerStatus::Received | AnswerStatus::InProgress | AnswerStatus::Visited, _) => {
            return None
        }
    };
    let mut lines = vec![
        format!("【{}】", form.title()),
        format!("受付番号: {}", answer.receipt()),
    ];
    if let Some(slot) = answer.slot().and_then(|id| form.slot(id)) {
        lines.push(format!("予約枠: {}", slot.label()));
    }
    lines.push(format!("状況: {}", entry.to.label()));
    lines.push(String::new());
    lines.push(sentence.to_string());
    lines.push(format!("担当: {}", form.department()));
    Some(lines.join("\n"))
}

/// Pushes `text` to the answer's citizen under the retry key `operation`, unless they blocked
/// the account.
async fn push_once(
    platform: &Platform,
    line: &LineClient,
    event: &Event,
    answer: &Answer,
    operation: &str,
    text: String,
) -> Result<(), HandlerError> {
    let friend = Friends::new(platform)
        .get(answer.user_id())
        .await
        .map_err(|e| HandlerError::failed(event, e))?;
    if friend.is_some_and(|f| !f.can_receive_messages()) {
        tracing::info!(
            answer_id = answer.id(),
            operation,
            "citizen blocked the account; not pushed"
        );
        return Ok(());
    }
    let keys = RetryKeys::new(platform.table.clone(), platform.clock.clone());
    let key = keys
        .key_for(operation)
        .await
        .map_err(|e| HandlerError::failed(event, e))?;
    let outcome = line
        .push(answer.user_id(), vec![Message::text(text)], key)
        .await
        .map_err(|e| HandlerError::failed(event, e))?;
    tracing::info!(answer_id = answer.id(), operation, ?outcome, "pushed");
    Ok(())
}

async fn answer_to_tell(
    desk: &FormDesk,
    event: &Event,
    answer_id: &str,
) -> Result<(Answer, Form), HandlerError> {
    match desk.answer_to_tell(answer_id).await {
        Ok(found) => Ok(found),
        Err(FormDeskError::AnswerNotFound) => Err(HandlerError::malformed(event, "no such answer")),
        Err(e) => Err(HandlerError::failed(event, e)),
    }
}

/// `form.answered`: the receipt in LINE.
pub struct ReceiptHandler {
    pub platform: Platform,
    pub desk: Arc<FormDesk>,
    pub line: Arc<LineClient>,
}

impl ReceiptHandler {
    pub fn new(platform: Platform, line: Arc<LineClient>) -> Self {
        Self {
            desk: Arc::new(FormDesk::new(&platform)),
            platform,
            line,
        }
    }
}

#[async_trait]
impl EventHandler for ReceiptHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let answered: FormAnswered = serde_json::from_value(event.detail.clone())
            .map_err(|e| HandlerError::malformed(&event, e))?;
        let (answer, form) = answer_to_tell(&self.desk, &event, &answered.answer_id).await?;
        let operation = format!("form-answer/{}/receipt", answer.id());
        push_once(
            &self.platform,
            &self.line,
            &event,
            &answer,
            &operation,
            answer.receipt_text(&form),
        )
        .await
    }
}

/// `form.answer-status-changed`: the changes the citizen must hear of.
pub struct StatusNoticeHandler {
    pub platform: Platform,
    pub desk: Arc<FormDesk>,
    pub line: Arc<LineClient>,
}

impl StatusNoticeHandler {
    pub fn new(platform: Platform, line: Arc<LineClient>) -> Self {
        Self {
            desk: Arc::new(FormDesk::new(&platform)),
            platform,
            line,
        }
    }
}

#[async_trait]
impl EventHandler for StatusNoticeHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let changed: FormAnswerStatusChanged = serde_json::from_value(event.detail.clone())
            .map_err(|e| HandlerError::malformed(&event, e))?;
        let (answer, form) = answer_to_tell(&self.desk, &event, &changed.answer_id).await?;
        let index = changed.change_index;
        if answer.history().get(index).is_none() {
            return Err(HandlerError::malformed(&event, "no such status change"));
        }
        let Some(text) = status_notice(&form, &answer, index) else {
            tracing::info!(
                answer_id = answer.id(),
                index,
                "status change not one the citizen is told of"
            );
            return Ok(());
        };
        let operation = format!("form-answer/{}/status/{index}", answer.id());
        push_once(
            &self.platform,
            &self.line,
            &event,
            &answer,
            &operation,
            text,
        )
        .await
    }
}
