//! `Mailer` on SES (v2 SendEmail, simple content in UTF-8): SES writes the MIME itself, so the
//! Japanese subject is encoded by the service. The sender is `MAIL_FROM`, an identity verified
//! in SES; without it, [`MailNotConfigured`] answers every send.

use super::error::{code, describe};
use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_sdk_sesv2::Client;
use tayori_ports::{Mail, MailAddress, MailError, Mailer};

pub struct SesMailer {
    client: Client,
    from: MailAddress,
}

impl SesMailer {
    pub fn new(client: Client, from: MailAddress) -> Self {
        Self { client, from }
    }
}

/// SES error codes that say this mail will never be sent as it is: retrying cannot help, so
/// they are [`MailError::Refused`]. Everything else (throttling, a paused account, the network)
/// may pass later and is [`MailError::Unavailable`].
const REFUSALS: [&str; 4] = [
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "BadRequestException",
    "NotFoundException",
];

fn utf8(text: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| MailError::Refused(e.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = Message::builder()
            .subject(utf8(mail.subject())?)
            .body(Body::builder().text(utf8(mail.body())?).build())
            .build();
        let to = mail.to().iter().map(|a| a.as_str().to_string()).collect();
        self.client
            .send_email()
            .from_email_address(self.from.as_str())
            .destination(Destination::builder().set_to_addresses(Some(to)).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| {
                if code(&e).is_some_and(|c| REFUSALS.contains(&c)) {
                    MailError::Refused(describe(&e))
                } else {
                    MailError::Unavailable(describe(&e))
                }
            })?;
        Ok(())
    }
}

/// The mailer of a stack deployed without `MAIL_FROM`: every send answers
/// [`MailError::NotConfigured`], so a function can tell staff mail is off instead of failing.
pub struct MailNotConfigured;

#[async_trait]
impl Mailer for MailNotConfigured {
    async fn send(&self, _mail: &Mail) -> Result<(), MailError> {
        Err(MailError::NotConfigured)
    }
}
