//! What the account says on its own: the welcome message on follow and the default reply to
//! free text. Staff edit both in the console; these defaults apply until they do.

use serde::{Deserialize, Serialize};

/// Longest greeting staff may save (LINE's text limit is 5000 UTF-16 units; a greeting should be
/// far shorter, and the registration invitation may follow it in the same reply).
pub const MAX_GREETING_UTF16: usize = 1000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Greetings {
    /// 友だち追加時のあいさつ
    pub welcome: String,
    /// メッセージへの自動応答 (never repeats what the citizen wrote)
    pub default_reply: String,
}

impl Greetings {
    pub fn defaults_for(city: &str) -> Self {
        Self {
            welcome: format!(
                "友だち追加ありがとうございます。{city}のLINE公式アカウントです。\n\
                 ごみの収集日、防災・避難所、子育て、各種申請や通報などの情報をお届けします。\n\
                 画面下のメニューからご利用ください。"
            ),
            default_reply: "メッセージありがとうございます。\n\
                 このアカウントでは個別のお問い合わせにはお答えしておりません。\n\
                 画面下のメニューから、ご利用になりたいサービスをお選びください。"
                .to_string(),
        }
    }

    /// Checks staff-entered text before it is saved.
    pub fn validate(&self) -> Result<(), GreetingError> {
        for (field, text) in [
            ("welcome", &self.welcome),
            ("default_reply", &self.default_reply),
        ] {
            let len = text.encode_utf16().count();
            if text.trim().is_empty() {
                return Err(GreetingError::Empty(field));
            }
            if len > MAX_GREETING_UTF16 {
                return Err(GreetingError::TooLong(field, len));
            }
        }
        Ok(())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GreetingError {
    #[error("{0}: 文章を入力してください")]
    Empty(&'static str),
    #[error("{0}: {MAX_GREETING_UTF16}文字以内で入力してください（現在{1}文字）")]
    TooLong(&'static str, usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_welcome_names_the_city_and_points_to_the_menu() {
        let g = Greetings::defaults_for("小浜市");
        assert!(g.welcome.contains("小浜市"));
        assert!(g.welcome.contains("メニュー"));
        assert!(g.validate().is_ok());
    }

    #[test]
    fn empty_or_overlong_greetings_are_refused() {
        let mut g = Greetings::defaults_for("小浜市");
        g.default_reply = "  ".into();
        assert_eq!(g.validate(), Err(GreetingError::Empty("default_reply")));
        g.default_reply = "😀".repeat(501);
        assert_eq!(
            g.validate(),
            Err(GreetingError::TooLong("default_reply", 1002))
        );
    }
}
