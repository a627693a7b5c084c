//! Response templates (定型文): public comments staff use often (「現地を確認しました。…」), picked
//! when changing a report's status and edited before sending.

use super::MAX_COMMENT_CHARS;
use serde::{Deserialize, Serialize};

pub const MAX_TEMPLATE_NAME_CHARS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseTemplate {
    id: String,
    name: String,
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("定型文の名前を入力してください。")]
    NoName,
    #[error("定型文の名前は{MAX_TEMPLATE_NAME_CHARS}文字以内にしてください。")]
    NameTooLong,
    #[error("定型文の本文を入力してください。")]
    NoText,
    #[error("定型文の本文は{MAX_COMMENT_CHARS}文字以内にしてください。")]
    TextTooLong,
}

impl ResponseTemplate {
    pub fn new(id: String, name: &str, text: &str) -> Result<Self, TemplateError> {
        let (name, text) = (name.trim(), text.trim());
        if name.is_empty() {
            return Err(TemplateError::NoName);
        }
        if name.chars().count() > MAX_TEMPLATE_NAME_CHARS {
            return Err(TemplateError::NameTooLong);
        }
        if text.is_empty() {
            return Err(TemplateError::NoText);
        }
        if text.chars().count() > MAX_COMMENT_CHARS {
            return Err(TemplateError::TextTooLong);
        }
        Ok(Self {
            id,
            name: name.into(),
            text: text.into(),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_need_a_name_and_a_text_within_their_limits() {
        let cases = [
            ("現地確認", "現地を確認しました。", Ok(())),
            (" ", "本文", Err(TemplateError::NoName)),
            (
                &"名".repeat(41) as &str,
                "本文",
                Err(TemplateError::NameTooLong),
            ),
            ("名前", "", Err(TemplateError::NoText)),
            (
                "名前",
                &"文".repeat(501) as &str,
                Err(TemplateError::TextTooLong),
            ),
        ];
        for (name, text, expected) in cases {
            assert_eq!(
                ResponseTemplate::new("t1".into(), name, text).map(|_| ()),
                expected,
                "{name:?}"
            );
        }
    }
}
