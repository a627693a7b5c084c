//! What staff add to a site beyond GSI's data, or type for a facility of their own kind:
//! it survives a re-import of the same site.

use crate::delivery::{check_link, LinkProblem};
use serde::{Deserialize, Serialize};

pub const MAX_CAPACITY: u32 = 100_000;
pub const MAX_HOURS_CHARS: usize = 100;
pub const MAX_NOTE_CHARS: usize = 500;
pub const MAX_PHOTO_KEY_CHARS: usize = 200;

/// Staff's additions. Fields are plain so that a form can fill them; they are checked and
/// tidied (trimmed, blank → none) by [`Extras::checked`] before a site keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extras {
    /// 収容人数 (people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// バリアフリー; none when nobody has said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barrier_free: Option<bool>,
    /// ペット同行可; none when nobody has said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pets: Option<bool>,
    /// 福祉避難所 (for people who need care).
    #[serde(default)]
    pub welfare: bool,
    /// The photo's key in the object store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    /// 開館時間, as staff write it (「9:00〜17:00（月曜休館）」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtrasError {
    #[error("収容人数は1から{MAX_CAPACITY}までの数にしてください。")]
    Capacity,
    #[error("電話番号は半角数字とハイフンで、10桁か11桁の番号にしてください（例 0770-53-1111）。")]
    Phone,
    #[error("写真の保存先が正しくありません。写真をもう一度アップロードしてください。")]
    Photo,
    #[error("開館時間は{MAX_HOURS_CHARS}文字以内の1行にしてください。")]
    Hours,
    #[error("{0}")]
    Url(LinkProblem),
    #[error("備考は{MAX_NOTE_CHARS}文字以内にしてください。")]
    Note,
}

fn tidy(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl Extras {
    /// The extras as a site keeps them, or the first thing wrong with them.
    pub fn checked(self) -> Result<Self, ExtrasError> {
        let extras = Extras {
            capacity: self.capacity,
            phone: tidy(self.phone),
            barrier_free: self.barrier_free,
            pets: self.pets,
            welfare: self.welfare,
            photo: tidy(self.photo),
            hours: tidy(self.hours),
            url: tidy(self.url),
            note: tidy(self.note),
        };
        if extras.capacity.is_some_and(|c| c == 0 || c > MAX_CAPACITY) {
            return Err(ExtrasError::Capacity);
        }
        if let Some(phone) = &extras.phone {
            let digits = phone.bytes().filter(u8::is_ascii_digit).count();
            let shape = phone.bytes().all(|b| b.is_ascii_digit() || b == b'-')
                && !phone.starts_with('-')
                && !phone.ends_with('-')
                && !phone.contains("--");
            if !shape || !(10..=11).contains(&digits) {
                return Err(ExtrasError::Phone);
            }
        }
        if let Some(photo) = &extras.photo {
            let ok = photo.len() <= MAX_PHOTO_KEY_CHARS
                && photo
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
                && !photo.starts_with('/')
                && !photo.split('/').any(|part| part.is_empty() || part == "..");
            if !ok {
                return Err(ExtrasError::Photo);
            }
        }
        if let Some(hours) = &extras.hours {
            if hours.chars().count() > MAX_HOURS_CHARS || hours.contains(['\n', '\r']) {
                return Err(ExtrasError::Hours);
            }
        }
        if let Some(url) = &extras.url {
            check_link(url).map_err(ExtrasError::Url)?;
        }
        if let Some(note) = &extras.note {
            if note.chars().count() > MAX_NOTE_CHARS {
                return Err(ExtrasError::Note);
            }
        }
        Ok(extras)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(change: impl FnOnce(&mut Extras)) -> Result<Extras, ExtrasError> {
        let mut extras = Extras::default();
        change(&mut extras);
        extras.checked()
    }

    #[test]
    fn extras_are_checked_field_by_field() {
        type Case = (&'static str, fn(&mut Extras), Result<(), ExtrasError>);
        let cases: [Case; 16] = [
            ("nothing", |_| {}, Ok(())),
            ("capacity", |e| e.capacity = Some(300), Ok(())),
            (
                "zero capacity",
                |e| e.capacity = Some(0),
                Err(ExtrasError::Capacity),
            ),
            (
                "huge capacity",
                |e| e.capacity = Some(MAX_CAPACITY + 1),
                Err(ExtrasError::Capacity),
            ),
            ("phone", |e| e.phone = Some(" 0770-53-1111 ".into()), Ok(())),
            ("mobile", |e| e.phone = Some("09012345678".into()), Ok(())),
            (
                "short phone",
                |e| e.phone = Some("53-1111".into()),
                Err(ExtrasError::Phone),
            ),
            (
                "letters",
                |e| e.phone = Some("0770-53-111x".into()),
                Err(ExtrasError::Phone),
            ),
            (
                "double hyphen",
                |e| e.phone = Some("0770--53-1111".into()),
                Err(ExtrasError::Phone),
            ),
            (
                "photo",
                |e| e.photo = Some("facilities/E1/photo.jpg".into()),
                Ok(()),
            ),
            (
                "photo escape",
                |e| e.photo = Some("facilities/../x".into()),
                Err(ExtrasError::Photo),
            ),
            ("hours", |e| e.hours = Some("9:00〜17:00".into()), Ok(())),
            (
                "two-line hours",
                |e| e.hours = Some("9:00\n17:00".into()),
                Err(ExtrasError::Hours),
            ),
            (
                "url",
                |e| e.url = Some("https://www1.city.obama.fukui.jp/".into()),
                Ok(()),
            ),
            (
                "script url",
                |e| e.url = Some("javascript:alert(1)".into()),
                Err(ExtrasError::Url(LinkProblem::NotHttps)),
            ),
            (
                "long note",
                |e| e.note = Some("あ".repeat(MAX_NOTE_CHARS + 1)),
                Err(ExtrasError::Note),
            ),
        ];
        for (name, change, expected) in cases {
            assert_eq!(with(change).map(|_| ()), expected, "{name}");
        }
    }

    #[test]
    fn blank_text_is_no_text_and_text_is_trimmed() {
        let extras = with(|e| {
            e.phone = Some("   ".into());
            e.note = Some("  2階は使えません ".into());
        })
        .unwrap();
        assert_eq!(extras.phone, None);
        assert_eq!(extras.note.as_deref(), Some("2階は使えません"));
    }
}
