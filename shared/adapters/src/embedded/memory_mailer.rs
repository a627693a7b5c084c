//! `Mailer` in memory, for tests: keeps every mail it is given, so a test can read what would
//! have been sent without a folder or a mail service.

use async_trait::async_trait;
use std::sync::Mutex;
use tayori_ports::{Mail, MailError, Mailer};

#[derive(Default)]
pub struct MemoryMailer {
    sent: Mutex<Vec<Mail>>,
}

impl MemoryMailer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every mail sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent
            .lock()
            .expect("no test panicked holding it")
            .clone()
    }
}

#[async_trait]
impl Mailer for MemoryMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.sent
            .lock()
            .expect("no test panicked holding it")
            .push(mail.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_ports::MailAddress;

    #[tokio::test]
    async fn every_mail_sent_is_kept_in_order() {
        let mailer = MemoryMailer::new();
        let to = vec![MailAddress::parse("kikaku@city.obama.lg.jp").unwrap()];
        for subject in ["一通目", "二通目"] {
            mailer
                .send(&Mail::new(to.clone(), subject, "本文").unwrap())
                .await
                .unwrap();
        }
        let subjects: Vec<String> = mailer
            .sent()
            .iter()
            .map(|m| m.subject().to_string())
            .collect();
        assert_eq!(subjects, ["一通目", "二通目"]);
    }
}
