//! The chat's half-finished report (通報の下書き): one step at a time,
//!
//! ```text
//! Category → Location → Photos (1–4, 「次へ」) → Details → each extra Question
//!          → ContactName → ContactPhone (only when the category is not anonymous) → Confirm
//! ```
//!
//! Every method checks that its input belongs to the current step and refuses anything else
//! with a message that says what to send now, keeping everything given so far. `back` goes one
//! step back, also keeping what was given. After [`DRAFT_IDLE_MINUTES`] without a change the
//! draft has expired: every method refuses with [`DraftError::Expired`], which says so.

use super::category::Category;
use super::input::{self, Contact, Field, InputProblem, PhotoRef, MAX_PHOTOS};
use super::{Channel, ReportForm, Reporter};
use crate::facility::Position;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A draft untouched this long has expired: a citizen who comes back the next morning starts
/// again rather than filing yesterday's half-remembered report by accident.
pub const DRAFT_IDLE_MINUTES: i64 = 60;

/// Where the draft is; the chat renders [`ReportDraft::prompt`] for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", content = "index", rename_all = "snake_case")]
pub enum Step {
    Category,
    Location,
    Photos,
    Details,
    /// The category's extra question at this index.
    Question(usize),
    ContactName,
    ContactPhone,
    Confirm,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("{0}")]
    Input(#[from] InputProblem),
    #[error("通報の入力が{DRAFT_IDLE_MINUTES}分間なかったため、途中の内容は取り消されました。もう一度「通報する」から始めてください。")]
    Expired,
    /// The input does not belong to the current step; renders the step's prompt.
    #[error("{prompt}")]
    Expected { step: Step, prompt: String },
    #[error("これより前には戻れません。やめる場合は「やめる」を押してください。")]
    NothingBefore,
}

/// The draft's contents once confirmed: the category as the draft knew it and the form.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmed {
    pub category: Category,
    pub form: ReportForm,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportDraft {
    user_id: String,
    category: Category,
    step: Step,
    #[serde(default)]
    position: Option<Position>,
    #[serde(default)]
    place_note: Option<String>,
    #[serde(default)]
    photos: Vec<PhotoRef>,
    /// LINE's message id of each photo in `photos` that came from the chat, so that a
    /// redelivered bus event does not attach the same photo twice.
    #[serde(default)]
    photo_messages: Vec<String>,
    #[serde(default)]
    details: Option<String>,
    /// One per question of the category; `None` until answered (or when an optional one was
    /// skipped).
    #[serde(default)]
    answers: Vec<Option<String>>,
    #[serde(default)]
    contact_name: Option<String>,
    #[serde(default)]
    contact_phone: Option<String>,
    started_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ReportDraft {
    /// The citizen chose `category` from the list: the draft asks for the place next.
    pub fn start(
        user_id: impl Into<String>,
        category: Category,
        now: DateTime<Utc>,
    ) -> Result<Self, DraftError> {
        if category.is_retired() {
            return Err(InputProblem::CategoryRetired.into());
        }
        Ok(Self {
            user_id: user_id.into(),
            answers: vec![None; category.questions().len()],
            category,
            step: Step::Location,
            position: None,
            place_note: None,
            photos: Vec::new(),
            photo_messages: Vec::new(),
            details: None,
            contact_name: None,
            contact_phone: None,
            started_at: now,
            updated_at: now,
        })
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at()
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.updated_at + Duration::minutes(DRAFT_IDLE_MINUTES)
    }

    /// What the citizen is asked at the current step.
    pub fn prompt(&self) -> String {
        match self.step {
            Step::Category => "通報の種類を選んでください。".into(),
            Step::Location => {
                "通報したい場所の位置情報を送ってください（画面下の「＋」→「位置情報」）。".into()
            }
            Step::Photos if self.category.photo_required() => format!(
                "写真を1〜{MAX_PHOTOS}枚送ってください（いま{}枚）。送り終えたら「次へ」を押してください。",
                self.photos.len()
            ),
            Step::Photos => format!(
                "写真があれば1〜{MAX_PHOTOS}枚送ってください（いま{}枚）。写真がないときや送り終えたら「次へ」を押してください。",
                self.photos.len()
            ),
            Step::Details => format!(
                "どのような状況か、{}文字以内で送ってください。",
                Field::Details.limit()
            ),
            Step::Question(i) => {
                let q = &self.category.questions()[i];
                if q.required {
                    format!("{}（{}文字以内）", q.label, Field::Answer.limit())
                } else {
                    format!(
                        "{}（{}文字以内。なければ「スキップ」を押してください）",
                        q.label,
                        Field::Answer.limit()
                    )
                }
            }
            Step::ContactName => "この種類の通報では、担当課から連絡することがあります。お名前を送ってください。".into(),
            Step::ContactPhone => {
                "日中に連絡がとれる電話番号を送ってください（例：0770-53-1111）。".into()
            }
            Step::Confirm => "内容を確認して「送信する」を押してください。".into(),
        }
    }

    fn expect(&self, step: Step, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.fresh(now)?;
        if self.step == step {
            Ok(())
        } else {
            Err(self.refuse())
        }
    }

    fn fresh(&self, now: DateTime<Utc>) -> Result<(), DraftError> {
        if self.is_expired(now) {
            Err(DraftError::Expired)
        } else {
            Ok(())
        }
    }

    fn refuse(&self) -> DraftError {
        DraftError::Expected {
            step: self.step,
            prompt: self.prompt(),
        }
    }

    fn go(&mut self, step: Step, now: DateTime<Utc>) {
        self.step = step;
        self.updated_at = now;
    }

    fn after_details(&self) -> Step {
        if self.category.questions().is_empty() {
            self.after_questions()
        } else {
            Step::Question(0)
        }
    }

    fn after_questions(&self) -> Step {
        if self.category.anonymous_allowed() {
            Step::Confirm
        } else {
            Step::ContactName
        }
    }

    /// At the category list again (after `back`), the citizen chose one: what was given stays,
    /// but answers to another category's questions and a contact it does not need are dropped.
    pub fn choose(&mut self, category: Category, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.expect(Step::Category, now)?;
        if category.is_retired() {
            return Err(InputProblem::CategoryRetired.into());
        }
        if category.questions() != self.category.questions() {
            self.answers = vec![None; category.questions().len()];
        }
        if category.anonymous_allowed() {
            self.contact_name = None;
            self.contact_phone = None;
        }
        self.category = category;
        self.go(Step::Location, now);
        Ok(())
    }

    /// The citizen sent a place (LINE's location message; `place` is its address or title).
    /// `in_area` is the desk's answer to whether it is in the city.
    pub fn locate(
        &mut self,
        position: Position,
        place: Option<String>,
        in_area: bool,
        now: DateTime<Utc>,
    ) -> Result<(), DraftError> {
        self.expect(Step::Location, now)?;
        if !in_area {
            return Err(InputProblem::OutsideCity.into());
        }
        self.position = Some(position);
        // LINE writes the address, not the citizen: an over-long one is cut, not refused.
        self.place_note = place
            .map(|p| {
                p.trim()
                    .chars()
                    .take(input::MAX_PLACE_NOTE_CHARS)
                    .collect::<String>()
            })
            .filter(|p| !p.is_empty());
        self.go(Step::Photos, now);
        Ok(())
    }

    /// A photo was downloaded and stored. Taken at the photo step and after it until the
    /// report is filed: a download takes longer than the citizen's tap on 「次へ」, and the
    /// photo they sent must not be lost for it.
    pub fn photo_stored(&mut self, photo: PhotoRef, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.fresh(now)?;
        if matches!(self.step, Step::Category | Step::Location) {
            return Err(self.refuse());
        }
        if self.photos.len() >= MAX_PHOTOS {
            return Err(InputProblem::TooManyPhotos.into());
        }
        self.photos.push(photo);
        self.updated_at = now;
        Ok(())
    }

    /// A photo the citizen sent in the chat as LINE message `message_id`, downloaded and
    /// stored. `Ok(false)` when that message's photo is attached already (the bus delivered the
    /// event again): nothing changes, so one photo is never counted twice.
    pub fn photo_from_line(
        &mut self,
        message_id: &str,
        photo: PhotoRef,
        now: DateTime<Utc>,
    ) -> Result<bool, DraftError> {
        if self.has_photo_from(message_id) {
            self.fresh(now)?;
            return Ok(false);
        }
        self.photo_stored(photo, now)?;
        self.photo_messages.push(message_id.to_string());
        Ok(true)
    }

    /// Whether LINE message `message_id`'s photo is attached.
    pub fn has_photo_from(&self, message_id: &str) -> bool {
        self.photo_messages.iter().any(|m| m == message_id)
    }

    /// 「次へ」 at the photo step.
    pub fn photos_done(&mut self, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.expect(Step::Photos, now)?;
        if self.photos.is_empty() && self.category.photo_required() {
            return Err(InputProblem::PhotoRequired.into());
        }
        self.go(Step::Details, now);
        Ok(())
    }

    pub fn details(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.expect(Step::Details, now)?;
        self.details = Some(input::text(Field::Details, text)?);
        let next = self.after_details();
        self.go(next, now);
        Ok(())
    }

    /// The answer to the current question.
    pub fn answer(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.fresh(now)?;
        let Step::Question(i) = self.step else {
            return Err(self.refuse());
        };
        self.answers[i] = Some(input::text(Field::Answer, text)?);
        self.after_answer(i, now);
        Ok(())
    }

    /// 「スキップ」 on an optional question.
    pub fn skip_question(&mut self, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.fresh(now)?;
        let Step::Question(i) = self.step else {
            return Err(self.refuse());
        };
        let question = &self.category.questions()[i];
        if question.required {
            return Err(InputProblem::AnswerRequired(question.label.clone()).into());
        }
        self.answers[i] = None;
        self.after_answer(i, now);
        Ok(())
    }

    fn after_answer(&mut self, i: usize, now: DateTime<Utc>) {
        let next = if i + 1 < self.category.questions().len() {
            Step::Question(i + 1)
        } else {
            self.after_questions()
        };
        self.go(next, now);
    }

    pub fn contact_name(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.expect(Step::ContactName, now)?;
        self.contact_name = Some(input::text(Field::ContactName, text)?);
        self.go(Step::ContactPhone, now);
        Ok(())
    }

    pub fn contact_phone(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.expect(Step::ContactPhone, now)?;
        self.contact_phone = Some(input::phone(text)?);
        self.go(Step::Confirm, now);
        Ok(())
    }

    /// A text message, given to whichever step takes text (details, an answer, the name, the
    /// phone); at any other step it is refused with that step's prompt.
    pub fn text(&mut self, text: &str, now: DateTime<Utc>) -> Result<(), DraftError> {
        match self.step {
            Step::Details => self.details(text, now),
            Step::Question(_) => self.answer(text, now),
            Step::ContactName => self.contact_name(text, now),
            Step::ContactPhone => self.contact_phone(text, now),
            _ => {
                self.fresh(now)?;
                Err(self.refuse())
            }
        }
    }

    /// One step back; what was given stays and is shown again at that step.
    pub fn back(&mut self, now: DateTime<Utc>) -> Result<(), DraftError> {
        self.fresh(now)?;
        let questions = self.category.questions().len();
        let last_before_contact = if questions > 0 {
            Step::Question(questions - 1)
        } else {
            Step::Details
        };
        let previous = match self.step {
            Step::Category => return Err(DraftError::NothingBefore),
            Step::Location => Step::Category,
            Step::Photos => Step::Location,
            Step::Details => Step::Photos,
            Step::Question(0) => Step::Details,
            Step::Question(i) => Step::Question(i - 1),
            Step::ContactName => last_before_contact,
            Step::ContactPhone => Step::ContactName,
            Step::Confirm if self.category.anonymous_allowed() => last_before_contact,
            Step::Confirm => Step::ContactPhone,
        };
        self.go(previous, now);
        Ok(())
    }

    /// 「送信する」: the form to file (the desk files it with [`super::Report::file`]).
    pub fn confirm(&self, now: DateTime<Utc>) -> Result<Confirmed, DraftError> {
        self.expect(Step::Confirm, now)?;
        let (Some(position), Some(details)) = (self.position, self.details.clone()) else {
            // Unreachable through the steps; a hand-edited record is sent back to the place.
            return Err(DraftError::Expected {
                step: Step::Location,
                prompt: "通報したい場所の位置情報を送ってください。".into(),
            });
        };
        let contact = match (&self.contact_name, &self.contact_phone) {
            (Some(name), Some(phone)) if !self.category.anonymous_allowed() => {
                Some(Contact::new(name, phone)?)
            }
            _ => None,
        };
        Ok(Confirmed {
            category: self.category.clone(),
            form: ReportForm {
                position,
                place_note: self.place_note.clone(),
                photos: self.photos.clone(),
                details,
                answers: self
                    .answers
                    .iter()
                    .map(|a| a.clone().unwrap_or_default())
                    .collect(),
                reporter: Reporter {
                    user_id: self.user_id.clone(),
                    contact,
                },
                channel: Channel::Chat,
            },
        })
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn category(&self) -> &Category {
        &self.category
    }
    pub fn step(&self) -> Step {
        self.step
    }
    pub fn position(&self) -> Option<Position> {
        self.position
    }
    pub fn place_note(&self) -> Option<&str> {
        self.place_note.as_deref()
    }
    pub fn photos(&self) -> &[PhotoRef] {
        &self.photos
    }
    pub fn details_text(&self) -> Option<&str> {
        self.details.as_deref()
    }
    pub fn answers(&self) -> &[Option<String>] {
        &self.answers
    }
    pub fn contact_name_given(&self) -> Option<&str> {
        self.contact_name.as_deref()
    }
    pub fn contact_phone_given(&self) -> Option<&str> {
        self.contact_phone.as_deref()
    }
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

#[cfg(test)]
#[path = "draft_tests.rs"]
mod tests;
