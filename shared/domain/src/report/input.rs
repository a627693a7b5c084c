//! What a citizen gives a report (text, phone, photos, place) and the checks both the chat and
//! the LIFF form apply to it. A refusal says what to send instead.

use serde::{Deserialize, Serialize};

/// The details text, in characters.
pub const MAX_DETAILS_CHARS: usize = 500;
/// The place note (LINE's address of the pin, or what the citizen typed), in characters.
pub const MAX_PLACE_NOTE_CHARS: usize = 100;
pub const MAX_CONTACT_NAME_CHARS: usize = 50;
/// Photos per report.
pub const MAX_PHOTOS: usize = 4;

/// A text the citizen gives, named in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Details,
    PlaceNote,
    Answer,
    ContactName,
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Field::Details => "内容",
            Field::PlaceNote => "場所の説明",
            Field::Answer => "回答",
            Field::ContactName => "お名前",
        })
    }
}

impl Field {
    pub fn limit(self) -> usize {
        match self {
            Field::Details => MAX_DETAILS_CHARS,
            Field::PlaceNote => MAX_PLACE_NOTE_CHARS,
            Field::Answer => super::category::MAX_ANSWER_CHARS,
            Field::ContactName => MAX_CONTACT_NAME_CHARS,
        }
    }
}

/// Something given that the report cannot take. Renders as what to send instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputProblem {
    #[error("{0}を入力してください。")]
    Empty(Field),
    #[error("{field}は{limit}文字以内で送ってください（いま{length}文字です）。")]
    TooLong {
        field: Field,
        length: usize,
        limit: usize,
    },
    #[error("電話番号は数字とハイフンで10〜13文字で送ってください（例：0770-53-1111）。")]
    BadPhone,
    #[error("市外の場所のようです。市内の、通報したい場所の位置情報を送ってください。")]
    OutsideCity,
    #[error("この種類の通報には写真が1枚以上必要です。写真を送ってください。")]
    PhotoRequired,
    #[error("写真は{MAX_PHOTOS}枚までです。")]
    TooManyPhotos,
    #[error("「{0}」への回答を入力してください。")]
    AnswerRequired(String),
    #[error("この種類の通報には、お名前と電話番号が必要です。")]
    ContactRequired,
    #[error("選ばれた種類は現在受け付けていません。別の種類を選んでください。")]
    CategoryRetired,
}

/// Trims `text` and checks it is given and within `field`'s limit.
pub fn text(field: Field, raw: &str) -> Result<String, InputProblem> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(InputProblem::Empty(field));
    }
    optional_text(field, t).map(|t| t.unwrap_or_default())
}

/// Like [`text`], but an empty text is `None`.
pub fn optional_text(field: Field, raw: &str) -> Result<Option<String>, InputProblem> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let length = t.chars().count();
    if length > field.limit() {
        return Err(InputProblem::TooLong {
            field,
            length,
            limit: field.limit(),
        });
    }
    Ok(Some(t.to_string()))
}

/// A phone number as a citizen types it on a phone keyboard: full-width digits and dashes are
/// taken as their ASCII forms; then 10–13 of digits and hyphens with at least 10 digits
/// (0770531111, 090-1234-5678).
pub fn phone(raw: &str) -> Result<String, InputProblem> {
    let normalised: String = raw
        .trim()
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '－' | 'ー' | '‐' | '−' | '–' | '—' => Some('-'),
            ' ' | '　' => None,
            c => Some(c),
        })
        .collect();
    let digits = normalised.chars().filter(char::is_ascii_digit).count();
    let ok = (10..=13).contains(&normalised.chars().count())
        && normalised.chars().all(|c| c.is_ascii_digit() || c == '-')
        && digits >= 10;
    if ok {
        Ok(normalised)
    } else {
        Err(InputProblem::BadPhone)
    }
}

/// A stored report photo: the re-encoded original (private; staff see it through a short-lived
/// presigned URL) and its thumbnail (public: LINE fetches it for the status push).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// `reports/photos/<uuid>.jpg`.
    pub key: String,
    /// `media/reports/<uuid>.jpg`.
    pub thumbnail_key: String,
    pub width: u32,
    pub height: u32,
}

/// The citizen's name and phone, asked when the category does not take anonymous reports.
/// The records seal it; it is never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Contact(…)")
    }
}

impl Contact {
    /// Checks and normalises both.
    pub fn new(name: &str, phone_number: &str) -> Result<Self, InputProblem> {
        Ok(Self {
            name: text(Field::ContactName, name)?,
            phone: phone(phone_number)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_digits_and_hyphens_ten_to_thirteen_long() {
        let cases = [
            ("0770531111", Ok("0770531111")),
            ("0770-53-1111", Ok("0770-53-1111")),
            ("090-1234-5678", Ok("090-1234-5678")),
            ("０９０－１２３４－５６７８", Ok("090-1234-5678")),
            (" 090 1234 5678 ", Ok("09012345678")),
            ("077053111", Err(InputProblem::BadPhone)),
            ("0901234567890", Ok("0901234567890")),
            ("09012345678901", Err(InputProblem::BadPhone)),
            ("090-1234-56789", Err(InputProblem::BadPhone)),
            ("----0770531", Err(InputProblem::BadPhone)),
            ("+81770531111", Err(InputProblem::BadPhone)),
            ("電話番号", Err(InputProblem::BadPhone)),
        ];
        for (raw, expected) in cases {
            assert_eq!(phone(raw), expected.map(String::from), "{raw:?}");
        }
    }

    #[test]
    fn texts_are_trimmed_and_limited_in_characters() {
        assert_eq!(text(Field::Details, "  穴 "), Ok("穴".into()));
        assert_eq!(
            text(Field::Details, " "),
            Err(InputProblem::Empty(Field::Details))
        );
        assert!(text(Field::Details, &"あ".repeat(500)).is_ok());
        let too_long = text(Field::Details, &"あ".repeat(501)).unwrap_err();
        assert_eq!(
            too_long.to_string(),
            "内容は500文字以内で送ってください（いま501文字です）。"
        );
        assert_eq!(optional_text(Field::PlaceNote, ""), Ok(None));
        assert!(optional_text(Field::Answer, &"x".repeat(201)).is_err());
    }

    #[test]
    fn a_contact_is_never_printed() {
        let c = Contact::new("小浜 太郎", "0770-53-1111").unwrap();
        assert!(!format!("{c:?}").contains("小浜"));
    }
}
