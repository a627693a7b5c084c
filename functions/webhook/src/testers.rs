//! 「テスター登録 <code>」: a clerk links their own LINE account as a receiver of test deliveries
//! with the short-lived code the console showed them (see `tayori_records::testers`).
//!
//! The text is read after NFKC normalisation, so full-width digits and spaces, and half-width
//! katakana, typed on a phone work as well as the exact text the console shows.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tayori_line::message::Message;
use tayori_ports::TableStore;
use tayori_records::{RecordError, Redemption, Testers};
use unicode_normalization::UnicodeNormalization;

/// The word that starts the command.
pub const KEYWORD: &str = "テスター登録";
/// Codes are six digits (`Testers::issue_code`).
const CODE_DIGITS: usize = 6;

pub const REGISTERED: &str =
    "テスト配信の受信者に登録しました。管理画面の「テスト配信」がこのLINEに届きます。";
pub const WRONG_OR_EXPIRED: &str = "コードが正しくないか、有効期限（10分）が切れています。管理画面で新しいコードを発行して、もう一度送ってください。";
pub const TOO_MANY_WRONG_CODES: &str = "コードの間違いが続いたため、このLINEからの登録をしばらく止めています。1時間ほどたってから、管理画面で新しいコードを発行して送ってください。";
pub const ALREADY_REGISTERED: &str = "このLINEはすでにテスト配信の受信者に登録されています。";
pub const HOW_TO: &str =
    "管理画面に表示された6桁のコードを続けて、「テスター登録 123456」のように送ってください。";

/// What a 「テスター登録」 message asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TesterRequest {
    /// Six ASCII digits, spaces removed.
    Code(String),
    /// The keyword without a usable code.
    NoCode,
}

impl TesterRequest {
    /// `None` when the text is not a tester registration (ordinary chat).
    pub fn from_text(text: &str) -> Option<TesterRequest> {
        let normalised: String = text.nfkc().collect();
        let rest = normalised.trim().strip_prefix(KEYWORD)?;
        let code: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        if code.chars().count() == CODE_DIGITS && code.chars().all(|c| c.is_ascii_digit()) {
            Some(TesterRequest::Code(code))
        } else {
            Some(TesterRequest::NoCode)
        }
    }
}

/// Redeems codes for the senders of 「テスター登録」.
pub struct TesterRegistration {
    testers: Testers,
}

impl TesterRegistration {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self {
            testers: Testers::new(table),
        }
    }

    /// The reply to `user_id`'s request. An account already registered keeps the code unused,
    /// so the clerk can still hand it to a colleague's phone.
    pub async fn handle(
        &self,
        user_id: &str,
        request: TesterRequest,
        now: DateTime<Utc>,
    ) -> Result<Message, RecordError> {
        let TesterRequest::Code(code) = request else {
            return Ok(Message::text(HOW_TO));
        };
        if self
            .testers
            .get()
            .await?
            .iter()
            .any(|t| t.user_id == user_id)
        {
            return Ok(Message::text(ALREADY_REGISTERED));
        }
        Ok(match self.testers.redeem(&code, user_id, now).await? {
            Redemption::Registered(tester) => {
                tracing::info!(staff = %tester.staff, "tester registered from LINE");
                Message::text(REGISTERED)
            }
            Redemption::WrongOrExpired => Message::text(WRONG_OR_EXPIRED),
            Redemption::TooManyWrongCodes => {
                tracing::warn!("tester code refused: too many wrong codes from one account");
                Message::text(TOO_MANY_WRONG_CODES)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyword_with_six_digits_is_a_code_whatever_the_width_of_digits_and_spaces() {
        let code = Some(TesterRequest::Code("123456".into()));
        assert_eq!(TesterRequest::from_text("テスター登録 123456"), code);
        assert_eq!(TesterRequest::from_text("テスター登録　１２３４５６"), code);
        assert_eq!(TesterRequest::from_text(" テスター登録123 456 "), code);
        assert_eq!(TesterRequest::from_text("ﾃｽﾀｰ登録 123456"), code);
    }

    #[test]
    fn the_keyword_without_a_usable_code_asks_for_one_and_other_text_is_chat() {
        assert_eq!(
            TesterRequest::from_text("テスター登録"),
            Some(TesterRequest::NoCode)
        );
        assert_eq!(
            TesterRequest::from_text("テスター登録 12345"),
            Some(TesterRequest::NoCode)
        );
        assert_eq!(
            TesterRequest::from_text("テスター登録 abcdef"),
            Some(TesterRequest::NoCode)
        );
        assert_eq!(TesterRequest::from_text("登録"), None);
        assert_eq!(TesterRequest::from_text("テスターについて"), None);
    }
}
