//! 回答の下書き: what a citizen has typed into a form and not sent yet, kept so that leaving the
//! LIFF page (a call, a closed tab) loses nothing. Nothing is checked but size: the values are
//! checked when the answer is sent. For a photo/file field the page keeps its upload's reference
//! here (the upload key and the file's name, as it sends them); the upload itself lasts a day,
//! and the check at sending says when it is gone.

use super::value::Submitted;
use super::{FormId, SlotId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A draft is kept this long after its last change: long enough to come back after the
/// weekend, short enough that personal data does not linger.
pub const DRAFT_KEPT: Duration = Duration::days(7);
/// One value, in characters (more than any field takes, so the check at sending says what is
/// too long rather than the draft silently cutting it).
pub const MAX_DRAFT_VALUE_CHARS: usize = 10_000;
/// All values together, in characters: a stored item stays far below DynamoDB's 400 KB.
pub const MAX_DRAFT_CHARS: usize = 60_000;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("入力が長すぎるため、下書きを保存できませんでした。")]
    TooLarge,
    #[error("項目が多すぎるため、下書きを保存できませんでした。")]
    TooManyFields,
}

/// A citizen's draft for one form. The repository seals it (it may hold personal values).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDraft {
    form_id: FormId,
    user_id: String,
    values: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    slot: Option<SlotId>,
    updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for FormDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormDraft")
            .field("form_id", &self.form_id)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

fn checked(
    values: BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, Vec<String>>, DraftError> {
    // Room for a multiple choice's picks beside every field; ids the form lacks are harmless
    // here and refused at sending.
    if values.len() > super::field::MAX_FIELDS {
        return Err(DraftError::TooManyFields);
    }
    let mut total = 0;
    for value in values.values().flatten() {
        let n = value.chars().count();
        if n > MAX_DRAFT_VALUE_CHARS {
            return Err(DraftError::TooLarge);
        }
        total += n;
    }
    if total > MAX_DRAFT_CHARS {
        return Err(DraftError::TooLarge);
    }
    Ok(values)
}

impl FormDraft {
    pub fn new(
        form_id: FormId,
        user_id: &str,
        values: BTreeMap<String, Vec<String>>,
        slot: Option<SlotId>,
        now: DateTime<Utc>,
    ) -> Result<Self, DraftError> {
        Ok(Self {
            form_id,
            user_id: user_id.to_string(),
            values: checked(values)?,
            slot,
            updated_at: now,
        })
    }

    /// Replaces what is kept; the draft is kept [`DRAFT_KEPT`] from now.
    pub fn update(
        &mut self,
        values: BTreeMap<String, Vec<String>>,
        slot: Option<SlotId>,
        now: DateTime<Utc>,
    ) -> Result<(), DraftError> {
        self.values = checked(values)?;
        self.slot = slot;
        self.updated_at = now;
        Ok(())
    }

    /// When the draft is gone (the repository's TTL).
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.updated_at + DRAFT_KEPT
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at()
    }

    /// The values to fill the page with (and to send).
    pub fn submitted(&self) -> Submitted {
        Submitted {
            values: self.values.clone(),
            files: BTreeMap::new(),
        }
    }

    pub fn form_id(&self) -> &FormId {
        &self.form_id
    }
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn values(&self) -> &BTreeMap<String, Vec<String>> {
        &self.values
    }
    pub fn slot(&self) -> Option<&SlotId> {
        self.slot.as_ref()
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}
