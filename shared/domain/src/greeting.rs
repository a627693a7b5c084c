//! What the account says on its own: the welcome message on follow and the default reply to
//! free text. Staff edit both in the console (あいさつ・自動応答); these defaults apply until they
//! do. The defaults name only what the account does today: garbage collection days and sorting,
//! announcements chosen by what citizens registered, the registration itself, and the nearest
//! shelters.

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

/// One of the two texts, as the console names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GreetingField {
    Welcome,
    DefaultReply,
}

impl GreetingField {
    /// The form field's name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::DefaultReply => "default_reply",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Welcome => "友だち追加時のあいさつ",
            Self::DefaultReply => "メッセージへの自動応答",
        }
    }
}

impl Greetings {
    pub fn defaults_for(city: &str) -> Self {
        Self {
            welcome: format!(
                "友だち追加ありがとうございます。{city}のLINE公式アカウントです。\n\
                 ごみの収集日や分別のご案内、近くの避難所の検索、道路の傷みやクマの出没などの通報の受付と、登録いただいたお住まいの地区や関心に合わせた市からのお知らせをお届けします。\n\
                 続けて届くご案内から、登録をお願いします。"
            ),
            default_reply: "メッセージありがとうございます。\n\
                 このアカウントでは個別のお問い合わせにはお答えしておりません。\n\
                 ごみの収集日は「今日のごみ」、分別は「ペットボトルは何ごみ？」のように送ってください。\n\
                 近くの避難所は「避難所」と送ると、位置情報からお知らせします。\n\
                 道路の傷みなどの通報は「通報」と送ってください。\n\
                 登録内容の変更は「登録変更」と送ってください。"
                .to_string(),
        }
    }

    /// Checks staff-entered text before it is saved; every problem, in form order.
    pub fn validate(&self) -> Result<(), Vec<GreetingError>> {
        let mut problems = Vec::new();
        for (field, text) in [
            (GreetingField::Welcome, &self.welcome),
            (GreetingField::DefaultReply, &self.default_reply),
        ] {
            let len = text.encode_utf16().count();
            if text.trim().is_empty() {
                problems.push(GreetingError::Empty(field));
            } else if len > MAX_GREETING_UTF16 {
                problems.push(GreetingError::TooLong(field, len));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GreetingError {
    #[error("「{}」を入力してください。", .0.label())]
    Empty(GreetingField),
    #[error("「{field}」は{MAX_GREETING_UTF16}文字以内で入力してください（現在{len}文字）。", field = .0.label(), len = .1)]
    TooLong(GreetingField, usize),
}

impl GreetingError {
    pub fn field(&self) -> GreetingField {
        match self {
            Self::Empty(field) | Self::TooLong(field, _) => *field,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_welcome_names_the_city_and_is_valid() {
        let g = Greetings::defaults_for("小浜市");
        assert!(g.welcome.contains("小浜市"));
        assert!(g.validate().is_ok());
    }

    #[test]
    fn the_default_greetings_promise_only_what_the_account_does() {
        let g = Greetings::defaults_for("小浜市");
        for promise in ["申請", "子育て", "メニュー"] {
            assert!(!g.welcome.contains(promise), "{promise}: {}", g.welcome);
            assert!(
                !g.default_reply.contains(promise),
                "{promise}: {}",
                g.default_reply
            );
        }
        for built in ["ごみの収集日", "お知らせ", "登録", "避難所", "通報"] {
            assert!(g.welcome.contains(built), "{built}: {}", g.welcome);
        }
        // The reply names only commands the chat understands.
        for command in ["今日のごみ", "は何ごみ？", "登録変更", "「通報」"] {
            assert!(
                g.default_reply.contains(command),
                "{command}: {}",
                g.default_reply
            );
        }
    }

    #[test]
    fn empty_or_overlong_greetings_are_refused() {
        let mut g = Greetings::defaults_for("小浜市");
        g.default_reply = "  ".into();
        assert_eq!(
            g.validate(),
            Err(vec![GreetingError::Empty(GreetingField::DefaultReply)])
        );
        g.welcome = String::new();
        g.default_reply = "😀".repeat(501);
        let problems = g.validate().unwrap_err();
        assert_eq!(
            problems,
            vec![
                GreetingError::Empty(GreetingField::Welcome),
                GreetingError::TooLong(GreetingField::DefaultReply, 1002)
            ]
        );
        assert_eq!(
            problems[1].to_string(),
            "「メッセージへの自動応答」は1000文字以内で入力してください（現在1002文字）。"
        );
    }
}
