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
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tayori_domain::form::{Answer, Form};
use tayori_formdesk::{FormAnswerStatusChanged, FormAnswered, FormDesk, FormDeskError};
use tayori_line::message::Message;
use tayori_line::{LineClient, RetryKeys};
use tayori_ports::mail::{Mail, MailAddress, MailError};
use tayori_ports::{Event, EventHandler, HandlerError, Platform};
use tayori_records::Friends;

/// What both handlers do with an event: find the answer it names, and push to its citizen once.
struct Teller {
    platform: Platform,
    desk: FormDesk,
    line: Arc<LineClient>,
}

impl Teller {
    fn new(platform: Platform, line: Arc<LineClient>) -> Self {
        Self {
            desk: FormDesk::new(&platform),
            platform,
            line,
        }
    }

    /// The event's detail, and the answer it names (`answer_id` of the detail) with the form
    /// at the answer's version. An event naming no answer is malformed: retrying cannot help.
    async fn answer_in<D: DeserializeOwned>(
        &self,
        event: &Event,
        answer_id: impl Fn(&D) -> &str,
    ) -> Result<(D, Answer, Form), HandlerError> {
        let detail: D = serde_json::from_value(event.detail.clone())
            .map_err(|e| HandlerError::malformed(event, e))?;
        match self.desk.answer_for_notice(answer_id(&detail)).await {
            Ok((answer, form)) => Ok((detail, answer, form)),
            Err(FormDeskError::AnswerNotFound) => {
                Err(HandlerError::malformed(event, "no such answer"))
            }
            Err(e) => Err(HandlerError::failed(event, e)),
        }
    }

    /// Pushes `text` to the answer's citizen under the answer's retry key for `what`
    /// (`receipt`, `status/<n>`), unless they blocked the account; answers whether it was
    /// pushed.
    async fn push_once(
        &self,
        event: &Event,
        answer: &Answer,
        what: &str,
        text: String,
    ) -> Result<bool, HandlerError> {
        let operation = format!("form-answer/{}/{what}", answer.id());
        let friend = Friends::new(&self.platform)
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
        let keys = RetryKeys::new(self.platform.table.clone(), self.platform.clock.clone());
        let key = keys
            .key_for(&operation)
            .await
            .map_err(|e| HandlerError::failed(event, e))?;
        let outcome = self
            .line
            .push(answer.user_id(), vec![Message::text(text)], key)
            .await
            .map_err(|e| HandlerError::failed(event, e))?;
        tracing::info!(answer_id = answer.id(), operation, ?outcome, "pushed");
        Ok(true)
    }
}

/// `form.answered`: the receipt in LINE, and the mail to the form's 課.
pub struct ReceiptHandler {
    teller: Teller,
    /// The console's address without a closing slash; `None`: the mail gives the answer
    /// page's path.
    console_base_url: Option<String>,
}

impl ReceiptHandler {
    pub fn new(platform: Platform, line: Arc<LineClient>) -> Self {
        Self {
            teller: Teller::new(platform, line),
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
        let now = self.teller.platform.clock.now();
        let claimed = self
            .teller
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
        match self.teller.platform.mailer.send(&mail).await {
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
        let (_, answer, form) = self
            .teller
            .answer_in(&event, |answered: &FormAnswered| &answered.answer_id)
            .await?;
        self.teller
            .push_once(&event, &answer, "receipt", answer.receipt_text(&form))
            .await?;
        self.mail_department(&event, &answer, &form).await
    }
}

/// `form.answer-status-changed`: the changes the citizen must hear of.
pub struct StatusNoticeHandler {
    teller: Teller,
}

impl StatusNoticeHandler {
    pub fn new(platform: Platform, line: Arc<LineClient>) -> Self {
        Self {
            teller: Teller::new(platform, line),
        }
    }
}

#[async_trait]
impl EventHandler for StatusNoticeHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let (changed, answer, form) = self
            .teller
            .answer_in(&event, |changed: &FormAnswerStatusChanged| {
                &changed.answer_id
            })
            .await?;
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
        let pushed = self
            .teller
            .push_once(&event, &answer, &format!("status/{index}"), text)
            .await?;
        if !pushed {
            return Ok(());
        }
        let now = self.teller.platform.clock.now();
        self.teller
            .desk
            .mark_told(answer.id(), index, now)
            .await
            .map_err(|e| HandlerError::failed(&event, e))?;
        Ok(())
    }
}
