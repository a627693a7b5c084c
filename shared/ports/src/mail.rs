//! E-mail to staff: the notice of a new answer to a department's form (仕様書 6.2.2.3). Citizens
//! are reached in LINE, never by mail. SES sends it when deployed; the local run writes each mail
//! into the data folder, so that nobody's mailbox is needed to see what would have been sent.
//!
//! Addresses and subjects end up in mail headers, where a line break starts a new header: a
//! subject or address carrying CR or LF could add recipients (`Bcc:`) or rewrite the mail. Both
//! are refused when the value is made, so no adapter ever sees one.

use async_trait::async_trait;

/// SES's limit on recipients of one mail; the embedded adapters refuse the same number.
pub const MAX_RECIPIENTS: usize = 50;

/// Longest subject accepted, in characters: a notice's subject is a line, not a letter.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// An e-mail address (メールアドレス) in the plain `local@domain` form, ASCII only. Checked when a
/// department's notice address is saved, so a typo is said then rather than lost at sending.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MailAddress(String);

/// Why a text is not an e-mail address; renders as the sentence the form shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailAddressError {
    #[error("メールアドレスを入力してください。")]
    Empty,
    #[error("メールアドレスに改行は使えません。")]
    LineBreak,
    #[error("メールアドレスが長すぎます（254文字まで）。")]
    TooLong,
    #[error("メールアドレスの形式が正しくありません（例: kikaku@city.obama.lg.jp）。")]
    Malformed,
}

impl MailAddress {
    /// Accepts `local@domain` where the local part is RFC 5322's dot-atom and the domain has at
    /// least two labels of letters, digits and hyphens. Quoted local parts, comments, display
    /// names and non-ASCII (internationalised) addresses are refused: no city mailbox needs
    /// them, and each is a way to smuggle header syntax.
    pub fn parse(text: &str) -> Result<Self, MailAddressError> {
        if text.contains(['\r', '\n']) {
            return Err(MailAddressError::LineBreak);
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(MailAddressError::Empty);
        }
        // RFC 5321's limit on a path, less the angle brackets.
        if text.len() > 254 {
            return Err(MailAddressError::TooLong);
        }
        let (local, domain) = text.split_once('@').ok_or(MailAddressError::Malformed)?;
        if !is_dot_atom(local) || local.len() > 64 || !is_domain(domain) {
            return Err(MailAddressError::Malformed);
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for MailAddress {
    type Err = MailAddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

fn is_dot_atom(local: &str) -> bool {
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    !local.is_empty()
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(atext))
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// One plain-text mail to one or more staff addresses. Made only through [`Mail::new`], so
/// every mail an adapter receives has recipients and a one-line subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    to: Vec<MailAddress>,
    subject: String,
    body: String,
}

/// Why a mail cannot be made; the cause is Tayori's own code or a saved setting, not the
/// mail service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailContentError {
    #[error("a mail needs at least one recipient")]
    NoRecipient,
    #[error("a mail has at most {MAX_RECIPIENTS} recipients, not {0}")]
    TooManyRecipients(usize),
    #[error("a mail needs a subject")]
    NoSubject,
    #[error("a mail's subject is one line: it may not hold CR or LF")]
    LineBreakInSubject,
    #[error("a mail's subject has at most {MAX_SUBJECT_CHARS} characters, not {0}")]
    LongSubject(usize),
}

impl Mail {
    pub fn new(
        to: Vec<MailAddress>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Result<Self, MailContentError> {
        let subject = subject.into();
        if to.is_empty() {
            return Err(MailContentError::NoRecipient);
        }
        if to.len() > MAX_RECIPIENTS {
            return Err(MailContentError::TooManyRecipients(to.len()));
        }
        if subject.contains(['\r', '\n']) {
            return Err(MailContentError::LineBreakInSubject);
        }
        if subject.trim().is_empty() {
            return Err(MailContentError::NoSubject);
        }
        let chars = subject.chars().count();
        if chars > MAX_SUBJECT_CHARS {
            return Err(MailContentError::LongSubject(chars));
        }
        Ok(Self {
            to,
            subject,
            body: body.into(),
        })
    }

    pub fn to(&self) -> &[MailAddress] {
        &self.to
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Plain text; lines may end in LF or CRLF (adapters write CRLF on the wire).
    pub fn body(&self) -> &str {
        &self.body
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// No sender is configured (`MAIL_FROM` unset): the stack was deployed without mail.
    #[error("mail is not configured: MAIL_FROM is not set")]
    NotConfigured,
    /// The mail service will not send this mail (an unverified sender, a rejected recipient);
    /// sending it again will not help.
    #[error("the mail was refused: {0}")]
    Refused(String),
    /// The mail service could not be reached or is throttling; a later attempt may succeed.
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> MailAddress {
        MailAddress::parse(text).unwrap()
    }

    #[test]
    fn a_city_address_is_accepted_and_trimmed() {
        assert_eq!(
            address(" kikaku@city.obama.lg.jp ").as_str(),
            "kikaku@city.obama.lg.jp"
        );
        assert_eq!(
            address("bosai.ka+forms@city.obama.lg.jp").to_string(),
            "bosai.ka+forms@city.obama.lg.jp"
        );
    }

    #[test]
    fn an_address_with_a_line_break_is_refused_before_anything_else() {
        for text in [
            "kikaku@city.obama.lg.jp\r\nBcc: all@example.com",
            "kikaku@city.obama.lg.jp\n",
            "\rkikaku@city.obama.lg.jp",
        ] {
            assert_eq!(MailAddress::parse(text), Err(MailAddressError::LineBreak));
        }
    }

    #[test]
    fn malformed_addresses_are_refused_with_the_sentence_the_form_shows() {
        for text in [
            "kikaku",
            "kikaku@",
            "@city.obama.lg.jp",
            "kikaku@localhost",
            "kikaku@city..jp",
            "kikaku@-city.jp",
            "kikaku.@city.jp",
            "a b@city.jp",
            "企画@city.obama.lg.jp",
            "kikaku@小浜.jp",
            "\"kikaku\"@city.jp",
            "Kikaku <kikaku@city.jp>",
            "a@b@city.jp",
        ] {
            assert_eq!(
                MailAddress::parse(text),
                Err(MailAddressError::Malformed),
                "{text}"
            );
        }
        assert_eq!(
            MailAddressError::Malformed.to_string(),
            "メールアドレスの形式が正しくありません（例: kikaku@city.obama.lg.jp）。"
        );
        assert_eq!(MailAddress::parse("  "), Err(MailAddressError::Empty));
        let long = format!("{}@{}.jp", "a".repeat(64), "b".repeat(190));
        assert_eq!(MailAddress::parse(&long), Err(MailAddressError::TooLong));
    }

    #[test]
    fn a_subject_with_a_line_break_is_refused() {
        let to = vec![address("kikaku@city.obama.lg.jp")];
        for subject in ["新しい回答\r\nBcc: all@example.com", "新しい回答\n", "a\rb"] {
            assert_eq!(
                Mail::new(to.clone(), subject, "本文"),
                Err(MailContentError::LineBreakInSubject)
            );
        }
    }

    #[test]
    fn a_mail_needs_recipients_and_a_subject_of_one_short_line() {
        let one = vec![address("kikaku@city.obama.lg.jp")];
        assert_eq!(
            Mail::new(vec![], "件名", "本文"),
            Err(MailContentError::NoRecipient)
        );
        assert_eq!(
            Mail::new(one.clone(), " ", "本文"),
            Err(MailContentError::NoSubject)
        );
        assert_eq!(
            Mail::new(one.clone(), "あ".repeat(201), "本文"),
            Err(MailContentError::LongSubject(201))
        );
        let many = vec![address("kikaku@city.obama.lg.jp"); 51];
        assert_eq!(
            Mail::new(many, "件名", "本文"),
            Err(MailContentError::TooManyRecipients(51))
        );
        let mail = Mail::new(one, "新しい回答があります", "1行目\n2行目").unwrap();
        assert_eq!(mail.subject(), "新しい回答があります");
        assert_eq!(mail.to()[0].as_str(), "kikaku@city.obama.lg.jp");
        assert_eq!(mail.body(), "1行目\n2行目");
    }
}
