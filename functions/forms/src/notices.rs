//! The messages a citizen gets in LINE about their answer, from the form desk's events on the
//! bus (EventBridge rules in AWS, the in-process bus locally):
//!
//! - `form.answered` ([`ReceiptHandler`]): the receipt (the form's receipt message, the title,
//!   the 受付番号 and the answer's summary: `Answer::receipt_text`), then, when the form has a
//!   notice address, one mail to its 課 (6.2.2.3: `Answer::department_notice`, no answer
//!   values), claimed on the answer first so that a redelivered event mails nobody twice;
//! - `form.answer-status-changed` ([`StatusNoticeHandler`]): a change the citizen must hear of
//!   (確定, キャンセル, 完了, 却下: the domain's `AnswerStatus::tells_citizen`), in the domain's
//!   words (`Answer::notice_text`); the desk records it told, so a redelivered event pushes
//!   nothing.
//!
//! Each push goes under a retry key stored per answer (and per change), so an event the bus
//! delivers twice while a push is under way is still pushed once: LINE answers the repeat with
//! 409. A citizen who blocked the account is not pushed.

use async_trait::async_trait;
use std::sync::Arc;
use tayori_domain::form::{Answer, Form};
use tayori_formdesk::{FormAnswerStatusChanged, FormAnswered, FormDesk, FormDeskError};
use tayori_line::message::Message;
use tayori_line::{LineClient, RetryKeys};
use tayori_ports::mail::{Mail, MailAddress, MailError};
use tayori_ports::{Event, EventHandler, HandlerError, Platform};
use tayori_records::Friends;

/// Pushes `text` to the answer's citizen under the retry key `operation`, unless they blocked
/// the account; answers whether it was pushed.
async fn push_once(
    platform: &Platform,
    line: &LineClient,
    event: &Event,
    answer: &Answer,
    operation: &str,
    text: String,
) -> Result<bool, HandlerError> {
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
        return Ok(false);
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
    Ok(true)
}

async fn answer_to_tell(
    desk: &FormDesk,
    event: &Event,
    answer_id: &str,
) -> Result<(Answer, Form), HandlerError> {
    match desk.answer_for_notice(answer_id).await {
        Ok(found) => Ok(found),
        Err(FormDeskError::AnswerNotFound) => Err(HandlerError::malformed(event, "no such answer")),
        Err(e) => Err(HandlerError::failed(event, e)),
    }
}

/// `form.answered`: the receipt in LINE, and the mail to the form's 課.
pub struct ReceiptHandler {
    pub platform: Platform,
    pub desk: Arc<FormDesk>,
    pub line: Arc<LineClient>,
    /// The console's address without a closing slash; `None`: the mail gives the answer
    /// page's path.
    pub console_base_url: Option<String>,
}

impl ReceiptHandler {
    pub fn new(platform: Platform, line: Arc<LineClient>) -> Self {
        Self {
            desk: Arc::new(FormDesk::new(&platform)),
            platform,
            line,
            console_base_url: None,
        }
    }

    pub fn with_console(self, console_base_url: Option<String>) -> Self {
        Self {
            console_base_url,
            ..self
        }
    }

    /// Mails the form's 課 of the new answer, once. A mail that fails is logged and the event
    /// still succeeds: the citizen's receipt matters more, and failing the event would have
    /// the bus redeliver it for a mail that is already claimed (a failure to claim does fail
    /// it, so that the bus tries again).
    async fn mail_department(
        &self,
        event: &Event,
        answer: &Answer,
        form: &Form,
    ) -> Result<(), HandlerError> {
        let Some(address) = form.notice_address() else {
            return Ok(());
        };
        let to = match MailAddress::parse(address) {
            Ok(to) => to,
            Err(e) => {
                // Checked by the domain when saved; a form saved under an older rule is told
                // of here rather than failing the receipt.
                tracing::warn!(form_id = %form.id(), error = %e, "notice address unusable; not mailed");
                return Ok(());
            }
        };
        let now = self.platform.clock.now();
        let claimed = self
            .desk
            .claim_department_mail(answer.id(), now)
            .await
            .map_err(|e| HandlerError::failed(event, e))?;
        if !claimed {
            tracing::info!(answer_id = answer.id(), "department already mailed");
            return Ok(());
        }
        let page = answer_page(self.console_base_url.as_deref(), form, answer);
        let notice = answer.department_notice(form, &page);
        let mail = match Mail::new(vec![to], notice.subject, notice.body) {
            Ok(mail) => mail,
            Err(e) => {
                tracing::error!(answer_id = answer.id(), error = %e, "new answer mail not made");
                return Ok(());
            }
        };
        match self.platform.mailer.send(&mail).await {
            Ok(()) => tracing::info!(answer_id = answer.id(), "department mailed"),
            Err(MailError::NotConfigured) => tracing::info!(
                answer_id = answer.id(),
                "mail not configured (MAIL_FROM unset); department not mailed"
            ),
            Err(e) => tracing::error!(
                answer_id = answer.id(),
                error = %e,
                "department mail failed; the receipt went out"
            ),
        }
        Ok(())
    }
}

/// The console's page of the answer (`/admin/forms/<form>/answers/<answer>`), under the
/// console's address when it is known.
fn answer_page(console_base_url: Option<&str>, form: &Form, answer: &Answer) -> String {
    format!(
        "{}/admin/forms/{}/answers/{}",
        console_base_url.unwrap_or_default(),
        form.id(),
        answer.id()
    )
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
        .await?;
        self.mail_department(&event, &answer, &form).await
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
        let Some(entry) = answer.history().get(index) else {
            return Err(HandlerError::malformed(&event, "no such status change"));
        };
        if entry.told_at.is_some() {
            tracing::info!(
                answer_id = answer.id(),
                index,
                "status notice already pushed"
            );
            return Ok(());
        }
        let Some(text) = answer.notice_text(&form, index) else {
            tracing::info!(
                answer_id = answer.id(),
                index,
                "status change not one the citizen is told of"
            );
            return Ok(());
        };
        let operation = format!("form-answer/{}/status/{index}", answer.id());
        let pushed = push_once(
            &self.platform,
            &self.line,
            &event,
            &answer,
            &operation,
            text,
        )
        .await?;
        if !pushed {
            return Ok(());
        }
        let now = self.platform.clock.now();
        self.desk
            .mark_told(answer.id(), index, now)
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        Ok(())
    }
}
