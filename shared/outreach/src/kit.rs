//! The city's add-friend kit as staff set it up (友だち集め): the account's basic ID, whom a
//! poster names to ask, and the places the city hands papers out (配布場所: 広報誌, 窓口, 公民館,
//! イベント …). Each place gets its own QR, opening `/join/<code>`, so that the city can see how
//! often each place's QR was read before LINE's add-friend screen opened.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{BasicId, BasicIdError, Contact};

/// A place's name is printed nowhere but the console; short enough for a table cell.
const MAX_PLACE_CHARS: usize = 20;
/// More places than a city hands papers out in would make the page a list to scroll.
pub const MAX_PLACES: usize = 30;
const MAX_DEPARTMENT_CHARS: usize = 30;
const MAX_PHONE_CHARS: usize = 20;

/// A place papers are handed out, with the code its QR's link carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    code: String,
    name: String,
}

impl Place {
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kit {
    /// As stored: validated when saved ([`Kit::set_account`]).
    basic_id: Option<String>,
    department: String,
    phone: String,
    places: Vec<Place>,
    /// Codes are never reused: a paper already printed keeps counting for its own place.
    #[serde(default)]
    last_code: u32,
}

/// Which field of the kit's form a refusal is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KitField {
    BasicId,
    Department,
    Phone,
    Place,
}

impl KitField {
    pub fn code(self) -> &'static str {
        match self {
            Self::BasicId => "basic_id",
            Self::Department => "department",
            Self::Phone => "phone",
            Self::Place => "place",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum KitError {
    #[error(transparent)]
    BasicId(#[from] BasicIdError),
    #[error("担当課を入れてください（{MAX_DEPARTMENT_CHARS}文字まで）。")]
    Department,
    #[error("電話番号は数字とハイフンで入れてください（例: 0770-53-1111）。")]
    Phone,
    #[error("配布場所の名前を入れてください（{MAX_PLACE_CHARS}文字まで）。")]
    PlaceName,
    #[error("「{0}」はもう登録されています。")]
    PlaceTaken(String),
    #[error("配布場所は{MAX_PLACES}か所までです。使わなくなった場所を削除してください。")]
    TooManyPlaces,
}

impl KitError {
    pub fn field(&self) -> KitField {
        match self {
            Self::BasicId(_) => KitField::BasicId,
            Self::Department => KitField::Department,
            Self::Phone => KitField::Phone,
            Self::PlaceName | Self::PlaceTaken(_) | Self::TooManyPlaces => KitField::Place,
        }
    }
}

impl Kit {
    /// Sets the basic ID and the contact as typed; every refusal at once, nothing changed then.
    pub fn set_account(
        &mut self,
        basic_id: &str,
        department: &str,
        phone: &str,
    ) -> Result<(), Vec<KitError>> {
        let mut errors = Vec::new();
        let id = BasicId::parse(basic_id)
            .map_err(|e| errors.push(e.into()))
            .ok();
        let department = department.trim();
        if department.is_empty() || department.chars().count() > MAX_DEPARTMENT_CHARS {
            errors.push(KitError::Department);
        }
        let phone = phone.trim();
        let phone_ok = !phone.is_empty()
            && phone.chars().count() <= MAX_PHONE_CHARS
            && phone.chars().all(|c| c.is_ascii_digit() || c == '-')
            && phone.chars().filter(char::is_ascii_digit).count() >= 9;
        if !phone_ok {
            errors.push(KitError::Phone);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.basic_id = id.map(|id| id.as_printed());
        self.department = department.to_owned();
        self.phone = phone.to_owned();
        Ok(())
    }

    /// The basic ID, once staff set it: nothing can be printed before.
    pub fn basic_id(&self) -> Option<BasicId> {
        BasicId::parse(self.basic_id.as_deref()?).ok()
    }

    pub fn contact(&self) -> Contact {
        Contact::new(&self.department, &self.phone)
    }

    pub fn department(&self) -> &str {
        &self.department
    }

    pub fn phone(&self) -> &str {
        &self.phone
    }

    pub fn places(&self) -> &[Place] {
        &self.places
    }

    pub fn place(&self, code: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.code == code)
    }

    /// Adds a place under the next unused code.
    pub fn add_place(&mut self, name: &str) -> Result<&Place, KitError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_PLACE_CHARS {
            return Err(KitError::PlaceName);
        }
        if self.places.iter().any(|p| p.name == name) {
            return Err(KitError::PlaceTaken(name.to_owned()));
        }
        if self.places.len() >= MAX_PLACES {
            return Err(KitError::TooManyPlaces);
        }
        self.last_code += 1;
        self.places.push(Place {
            code: self.last_code.to_string(),
            name: name.to_owned(),
        });
        Ok(self.places.last().expect("just pushed"))
    }

    /// Removes a place; its printed papers' QR then opens a page saying the link has ended.
    pub fn remove_place(&mut self, code: &str) -> Option<Place> {
        let at = self.places.iter().position(|p| p.code == code)?;
        Some(self.places.remove(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_is_set_only_when_everything_typed_is_right() {
        let mut kit = Kit::default();
        let errors = kit.set_account("123abcde", "", "電話").unwrap_err();
        let fields: Vec<KitField> = errors.iter().map(KitError::field).collect();
        assert_eq!(
            fields,
            [KitField::BasicId, KitField::Department, KitField::Phone]
        );
        assert_eq!(kit, Kit::default(), "nothing changed");
        kit.set_account(" @123ABCDE ", "企画部 総合政策課", "0770-53-1111")
            .unwrap();
        assert_eq!(kit.basic_id().unwrap().as_printed(), "@123abcde");
        assert_eq!(kit.contact().phone(), "0770-53-1111");
    }

    #[test]
    fn places_get_codes_that_are_never_reused() {
        let mut kit = Kit::default();
        assert_eq!(kit.add_place("広報誌").unwrap().code(), "1");
        assert_eq!(kit.add_place("窓口").unwrap().code(), "2");
        assert_eq!(
            kit.add_place(" 広報誌 "),
            Err(KitError::PlaceTaken("広報誌".into()))
        );
        assert_eq!(kit.add_place(""), Err(KitError::PlaceName));
        assert_eq!(kit.remove_place("2").unwrap().name(), "窓口");
        assert_eq!(kit.add_place("公民館").unwrap().code(), "3");
        assert!(kit.place("2").is_none());
        assert_eq!(kit.place("3").unwrap().name(), "公民館");
        for n in kit.places().len()..MAX_PLACES {
            kit.add_place(&format!("イベント{n}")).unwrap();
        }
        assert_eq!(kit.add_place("もう一つ"), Err(KitError::TooManyPlaces));
    }
}
