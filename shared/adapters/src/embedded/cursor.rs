//! The embedded store's page cursor: the keys of the last item returned, so that the next page
//! starts strictly after it. Opaque to callers (URL-safe base64 of JSON), checked on the way in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use tayori_ports::{Cursor, Index, StoreError};

/// Position after an item. For the primary index the sort key alone orders a partition; for
/// gsi1 several items may share a sort key, so the table key breaks the tie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "i")]
pub(crate) enum Position {
    #[serde(rename = "p")]
    Primary { sk: String },
    #[serde(rename = "g")]
    Gsi1 {
        gsi1sk: String,
        pk: String,
        sk: String,
    },
}

impl Position {
    pub(crate) fn encode(&self) -> Cursor {
        let json = serde_json::to_vec(self).expect("a position serialises");
        Cursor(B64.encode(json))
    }

    pub(crate) fn decode(cursor: &Cursor, index: Index) -> Result<Self, StoreError> {
        let invalid = || StoreError::Invalid("the cursor is not one this store made".into());
        let bytes = B64.decode(&cursor.0).map_err(|_| invalid())?;
        let position: Position = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        match (&position, index) {
            (Position::Primary { .. }, Index::Primary) | (Position::Gsi1 { .. }, Index::Gsi1) => {
                Ok(position)
            }
            _ => Err(StoreError::Invalid(
                "the cursor belongs to a query on another index".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_decodes_to_the_position_it_was_made_from() {
        let position = Position::Gsi1 {
            gsi1sk: "2026-11-25".into(),
            pk: "report#1".into(),
            sk: "meta".into(),
        };
        let cursor = position.encode();
        assert_eq!(Position::decode(&cursor, Index::Gsi1).unwrap(), position);
    }

    #[test]
    fn a_foreign_or_mismatched_cursor_is_invalid() {
        let primary = Position::Primary { sk: "a".into() }.encode();
        assert!(matches!(
            Position::decode(&primary, Index::Gsi1),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            Position::decode(&Cursor("not base64!".into()), Index::Primary),
            Err(StoreError::Invalid(_))
        ));
    }
}
