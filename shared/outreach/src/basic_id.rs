//! The account's LINE basic ID (ベーシックID, e.g. `@123abcde`) or premium ID (`@obama-city`),
//! printed under the QR so a citizen without a camera can find the account by ID search.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A validated basic or premium ID, kept lower-cased and without its `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BasicId(String);

/// Why a typed basic ID was refused, in words a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BasicIdError {
    #[error("LINE公式アカウントのベーシックIDは「@」で始まる英数字です（例: @123abcde）。")]
    MissingAt,
    #[error("ベーシックIDの「@」の後は4〜20文字です（いまは{length}文字です）。")]
    Length { length: usize },
    #[error("ベーシックIDに使えない文字があります: {characters}（使えるのは英小文字・数字と「.」「_」「-」です）。")]
    Characters { characters: String },
}

const MIN_LENGTH: usize = 4;
const MAX_LENGTH: usize = 20;

impl BasicId {
    /// Parses what a clerk typed or pasted from LINE Official Account Manager. Full-width
    /// letters and `＠` are taken as their ASCII forms, because a Japanese input method often
    /// leaves them that way and the ID is unambiguous either way.
    pub fn parse(input: &str) -> Result<Self, BasicIdError> {
        let typed: String = input.trim().chars().map(half_width).collect();
        let id = typed.strip_prefix('@').ok_or(BasicIdError::MissingAt)?;
        let id = id.to_ascii_lowercase();
        let mut refused: Vec<char> = id.chars().filter(|c| !allowed(*c)).collect();
        refused.dedup();
        if !refused.is_empty() {
            return Err(BasicIdError::Characters {
                characters: refused.into_iter().collect(),
            });
        }
        let length = id.chars().count();
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
            return Err(BasicIdError::Length { length });
        }
        Ok(Self(id))
    }

    /// The ID as printed and as typed into LINE's ID search, with its `@`.
    pub fn as_printed(&self) -> String {
        format!("@{}", self.0)
    }

    /// LINE's documented add-friend link; the `@` is percent-encoded as LINE's own
    /// examples show, so the link survives any URL parser unchanged.
    pub fn add_friend_url(&self) -> String {
        format!("https://line.me/R/ti/p/%40{}", self.0)
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

impl FromStr for BasicId {
    type Err = BasicIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for BasicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}
