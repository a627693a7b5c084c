//! `Mailer` on a folder, for the local run: each mail becomes one RFC 5322 message file
//! (`<UTC time>-<id>.eml`) that any mail program opens, so staff trying Tayori on their own
//! machine see the notice exactly as their mailbox would show it, and nothing leaves the machine.
//! A file is written under a temporary name and renamed, so a reader never sees half a mail.

use super::EmbeddedError;
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use tayori_ports::{Clock, Mail, MailAddress, MailError, Mailer};

/// The sender written into local mails; `.localhost` is reserved (RFC 2606), so the address
/// can never reach anyone.
pub const LOCAL_MAIL_FROM: &str = "tayori@mail.localhost";

pub struct FolderMailer {
    dir: PathBuf,
    from: MailAddress,
    clock: Arc<dyn Clock>,
}

impl FolderMailer {
    /// Writes mails from `from` into `dir`, creating it if needed.
    pub fn open(
        dir: PathBuf,
        from: MailAddress,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, EmbeddedError> {
        std::fs::create_dir_all(&dir).map_err(|source| EmbeddedError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Self { dir, from, clock })
    }
}

#[async_trait]
impl Mailer for FolderMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let now = self.clock.now();
        let id = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("{}-{id}.eml", now.format("%Y%m%dT%H%M%SZ"));
        let message = rfc5322(mail, &self.from, now, &id);
        let temporary = self.dir.join(format!(".{name}.tmp"));
        let unavailable = |e: std::io::Error| MailError::Unavailable(format!("{name}: {e}"));
        tokio::fs::write(&temporary, message)
            .await
            .map_err(unavailable)?;
        tokio::fs::rename(&temporary, self.dir.join(&name))
            .await
            .map_err(unavailable)
    }
}

/// Japan's offset: the Date header reads as the clock on the office wall.
fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// The whole message: headers, a blank line, and the body as base64 of UTF-8 in lines of 76,
/// so that no line is too long and no byte is 8-bit, whatever the text.
fn rfc5322(mail: &Mail, from: &MailAddress, at: DateTime<Utc>, id: &str) -> String {
    let domain = from.as_str().rsplit('@').next().unwrap_or("localhost");
    let to = mail
        .to()
        .iter()
        .map(MailAddress::as_str)
        .collect::<Vec<_>>()
        .join(",\r\n ");
    let body = mail.body().replace("\r\n", "\n").replace('\n', "\r\n");
    let encoded = STANDARD.encode(body.as_bytes());
    let mut lines: Vec<String> = vec![
        format!("Date: {}", at.with_timezone(&jst()).to_rfc2822()),
        format!("From: {from}"),
        format!("To: {to}"),
        format!("Subject: {}", encoded_words(mail.subject())),
        format!("Message-ID: <{id}@{domain}>"),
        "MIME-Version: 1.0".into(),
        "Content-Type: text/plain; charset=UTF-8".into(),
        "Content-Transfer-Encoding: base64".into(),
        String::new(),
    ];
    lines.extend(
        encoded
            .as_bytes()
            .chunks(76)
            .map(|line| String::from_utf8_lossy(line).into_owned()),
    );
    let mut message = lines.join("\r\n");
    message.push_str("\r\n");
    message
}

/// Bytes of text in one encoded word: 39 bytes make 52 base64 characters, so `Subject: ` and
/// the word's 12 characters of framing stay within RFC 5322's 78 (RFC 2047 allows 75 a word).
const WORD_BYTES: usize = 39;

/// The subject as RFC 2047 encoded words (`=?UTF-8?B?…?=`), folded one word a line. A word
/// never splits a character, as each must decode to whole UTF-8 on its own.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if word.len() + c.len_utf8() > WORD_BYTES {
            words.push(std::mem::take(&mut word));
        }
        word.push(c);
    }
    words.push(word);
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", STANDARD.encode(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_ports::ManualClock;

    fn address(text: &str) -> MailAddress {
        MailAddress::parse(text).unwrap()
    }

    /// A reader of what the mailer wrote, as a mail program reads it: unfolded headers by name
    /// and the decoded body.
    struct Read {
        headers: Vec<(String, String)>,
        body: String,
    }

    impl Read {
        fn parse(message: &str) -> Self {
            let (head, body) = message.split_once("\r\n\r\n").expect("a blank line");
            let mut headers: Vec<(String, String)> = Vec::new();
            for line in head.split("\r\n") {
                if let Some(continued) = line.strip_prefix(' ') {
                    headers.last_mut().expect("a header to continue").1 += &format!(" {continued}");
                } else {
                    let (name, value) = line.split_once(": ").expect("a header");
                    headers.push((name.to_string(), value.to_string()));
                }
            }
            let body = STANDARD
                .decode(body.replace("\r\n", ""))
                .expect("base64 body");
            Self {
                headers,
                body: String::from_utf8(body).expect("UTF-8 body"),
            }
        }

        fn header(&self, name: &str) -> &str {
            let found: Vec<_> = self.headers.iter().filter(|(n, _)| n == name).collect();
            assert_eq!(found.len(), 1, "exactly one {name} header");
            &found[0].1
        }

        /// RFC 2047: whitespace between two encoded words is not part of the text.
        fn subject(&self) -> String {
            self.header("Subject")
                .split(' ')
                .map(|word| {
                    let b64 = word
                        .strip_prefix("=?UTF-8?B?")
                        .and_then(|w| w.strip_suffix("?="))
                        .expect("an encoded word");
                    String::from_utf8(STANDARD.decode(b64).unwrap()).expect("whole characters")
                })
                .collect()
        }
    }

    async fn written(mail: &Mail) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-02T09:30:00+09:00")
            .unwrap()
            .with_timezone(&Utc);
        let mailer = FolderMailer::open(
            dir.path().join("mail"),
            address(LOCAL_MAIL_FROM),
            Arc::new(ManualClock::new(at)),
        )
        .unwrap();
        mailer.send(mail).await.unwrap();
        let entries: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(entries.len(), 1, "one file, no temporary left: {entries:?}");
        let name = entries[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        (name, std::fs::read_to_string(&entries[0]).unwrap())
    }

    #[tokio::test]
    async fn a_mail_is_written_as_a_message_file_with_its_japanese_subject_encoded() {
        let subject = "【小浜市】「子育て支援アンケート」に新しい回答が届きました（受付番号 0042）";
        let mail = Mail::new(
            vec![
                address("kikaku@city.obama.lg.jp"),
                address("kosodate@city.obama.lg.jp"),
            ],
            subject,
            "回答を確認してください。\n管理画面: https://example.jp/admin/forms\n",
        )
        .unwrap();
        let (name, message) = written(&mail).await;
        assert!(name.starts_with("20261202T003000Z-") && name.ends_with(".eml"));

        assert!(message.is_ascii(), "only 7-bit bytes on the wire");
        for line in message.split("\r\n") {
            assert!(line.len() <= 78, "line longer than 78: {line}");
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "bare line end"
            );
        }
        let read = Read::parse(&message);
        assert_eq!(read.subject(), subject);
        assert!(read.header("Subject").contains(" =?UTF-8?B?"), "folded");
        assert_eq!(read.header("From"), LOCAL_MAIL_FROM);
        assert_eq!(
            read.header("To"),
            "kikaku@city.obama.lg.jp, kosodate@city.obama.lg.jp"
        );
        assert_eq!(read.header("Date"), "Wed, 2 Dec 2026 09:30:00 +0900");
        assert!(read.header("Message-ID").ends_with("@mail.localhost>"));
        assert_eq!(read.header("MIME-Version"), "1.0");
        assert_eq!(read.header("Content-Type"), "text/plain; charset=UTF-8");
        assert_eq!(
            read.body,
            "回答を確認してください。\r\n管理画面: https://example.jp/admin/forms\r\n"
        );
    }

    #[test]
    fn a_subject_is_split_between_characters_never_inside_one() {
        let words = encoded_words("あいうえおかきくけこさしすせそ");
        let decoded: Vec<String> = words
            .split("\r\n ")
            .map(|w| {
                let b64 = &w["=?UTF-8?B?".len()..w.len() - 2];
                String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(decoded, ["あいうえおかきくけこさしす", "せそ"]);
        assert_eq!(encoded_words("OK").as_str(), "=?UTF-8?B?T0s=?=");
    }
}
