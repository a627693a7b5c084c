//! Facility kinds (施設の種別): 避難所 is built in; staff define the others the city wants
//! citizens to find nearby (公民館, 子育て支援センター, AED, 給水所, 指定ごみ集積所…).

use serde::{Deserialize, Serialize};

/// The id of the built-in kind: GSI's 指定緊急避難場所 and 指定避難所.
pub const SHELTER: &str = "shelter";
pub const SHELTER_NAME: &str = "避難所";
/// Longest kind name: it is said in 「近くの〇〇」 on a quick reply (20 characters at most).
pub const MAX_KIND_NAME_CHARS: usize = 12;
pub const MAX_KIND_ID_CHARS: usize = 32;

/// A kind's stable id, used in URLs, postbacks and stored facilities: lower-case ASCII
/// letters, digits and `-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KindId(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KindError {
    #[error("種別IDは英小文字・数字・ハイフンで{MAX_KIND_ID_CHARS}文字以内にしてください。")]
    BadId,
    #[error("種別の名前を入力してください。")]
    NoName,
    #[error("種別の名前は{MAX_KIND_NAME_CHARS}文字以内にしてください。")]
    NameTooLong,
    #[error("「{SHELTER_NAME}」は組み込みの種別です。別の名前にしてください。")]
    Reserved,
}

impl KindId {
    pub fn new(id: &str) -> Result<Self, KindError> {
        let ok = !id.is_empty()
            && id.len() <= MAX_KIND_ID_CHARS
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(id.to_owned()))
        } else {
            Err(KindError::BadId)
        }
    }

    pub fn shelter() -> Self {
        Self(SHELTER.to_owned())
    }

    pub fn is_shelter(&self) -> bool {
        self.0 == SHELTER
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KindId {
    type Error = KindError;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        KindId::new(&id)
    }
}

impl From<KindId> for String {
    fn from(id: KindId) -> String {
        id.0
    }
}

impl std::fmt::Display for KindId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityKind {
    id: KindId,
    name: String,
}

impl FacilityKind {
    /// The built-in kind: sites with hazards and, for 指定避難所, a status.
    pub fn shelter() -> Self {
        Self {
            id: KindId::shelter(),
            name: SHELTER_NAME.to_owned(),
        }
    }

    /// A kind staff define. The shelter kind's id and name are reserved.
    pub fn new(id: KindId, name: &str) -> Result<Self, KindError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(KindError::NoName);
        }
        if name.chars().count() > MAX_KIND_NAME_CHARS {
            return Err(KindError::NameTooLong);
        }
        if id.is_shelter() || name == SHELTER_NAME {
            return Err(KindError::Reserved);
        }
        Ok(Self {
            id,
            name: name.to_owned(),
        })
    }

    pub fn id(&self) -> &KindId {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_shelter(&self) -> bool {
        self.id.is_shelter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_ids_are_url_safe() {
        let cases = [
            ("kominkan", Ok(())),
            ("aed-1", Ok(())),
            ("", Err(KindError::BadId)),
            ("Kominkan", Err(KindError::BadId)),
            ("公民館", Err(KindError::BadId)),
            ("a b", Err(KindError::BadId)),
            ("a/b", Err(KindError::BadId)),
        ];
        for (id, expected) in cases {
            assert_eq!(KindId::new(id).map(|_| ()), expected, "{id}");
        }
        assert!(KindId::new(&"a".repeat(MAX_KIND_ID_CHARS)).is_ok());
        assert!(KindId::new(&"a".repeat(MAX_KIND_ID_CHARS + 1)).is_err());
    }

    #[test]
    fn kinds_need_a_short_name_and_leave_the_shelter_kind_alone() {
        let id = |s| KindId::new(s).unwrap();
        let cases = [
            ("kominkan", " 公民館 ", Ok("公民館")),
            ("kominkan", "  ", Err(KindError::NoName)),
            (
                "x",
                "子育て支援センター本館別館",
                Err(KindError::NameTooLong),
            ),
            ("shelter", "避難先", Err(KindError::Reserved)),
            ("hinan", "避難所", Err(KindError::Reserved)),
        ];
        for (kind, name, expected) in cases {
            let made = FacilityKind::new(id(kind), name);
            assert_eq!(
                made.as_ref().map(|k| k.name()),
                expected.as_ref().map(|s| *s)
            );
        }
        assert!(FacilityKind::shelter().is_shelter());
        assert_eq!(FacilityKind::shelter().name(), "避難所");
    }

    #[test]
    fn a_stored_kind_id_is_checked_when_read() {
        assert!(serde_json::from_str::<KindId>("\"Bad Id\"").is_err());
        assert_eq!(
            serde_json::from_str::<KindId>("\"aed\"").unwrap(),
            KindId::new("aed").unwrap()
        );
    }
}
