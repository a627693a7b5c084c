//! The LINE side: a citizen starts a case for a topic, writes into it while it is open (the bot
//! stays silent meanwhile), and may end it.

use super::{ConsultationDesk, ConsultationDeskError};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use tayori_domain::consultation::{Case, CitizenContent, ImageRef, Topic};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_ports::ObjectKey;

/// LINE's own limit on an image a user sends.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
use tayori_records::consultations::Opening;
use tayori_records::Occasion;

/// What starting a consultation did.
#[derive(Clone, Debug, PartialEq)]
pub enum Started {
    Opened(Case),
    /// The citizen already has an open case (perhaps of another topic): nothing new opened.
    AlreadyOpen(Case),
}

/// A citizen's message taken into their open case.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub case: Case,
    /// The 受付時間外 answer, when the desk is closed and the citizen has not heard it lately.
    pub after_hours_reply: Option<String>,
}

impl ConsultationDesk {
    /// The citizen's open case: while there is one, the bot does not answer them on its own.
    pub async fn open_case_of(&self, user_id: &str) -> Result<Option<Case>, ConsultationDeskError> {
        Ok(self.records.open_case_of(user_id).await?)
    }

    /// Opens a case of `topic` for the citizen, unless one is open already.
    /// Opens a case for `topic`, counted in the usage report under the citizen's registered
    /// `attributes` (as they are now).
    pub async fn start(
        &self,
        user_id: &str,
        topic: Topic,
        attributes: BTreeMap<String, Vec<String>>,
    ) -> Result<Started, ConsultationDeskError> {
        if let Some(open) = self.records.open_case_of(user_id).await? {
            return Ok(Started::AlreadyOpen(open));
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let case = Case::open(id, topic, user_id.to_string(), self.now());
        match self.records.open(&case).await? {
            Opening::Opened => {
                let event = UsageEvent::one(UsageKind::Consultation, case.opened_at())
                    .with_attributes(attributes);
                let occasion = Occasion::record("consultation", case.id());
                self.usage.record_quietly(&occasion, &event).await;
                Ok(Started::Opened(case))
            }
            // Another tap opened one a moment ago.
            Opening::AlreadyOpen => match self.records.open_case_of(user_id).await? {
                Some(open) => Ok(Started::AlreadyOpen(open)),
                None => Err(ConsultationDeskError::NotFound),
            },
        }
    }

    /// Adds the citizen's text or image to their open case; `None` when they have none (the
    /// bot answers as usual). Outside office hours the answer carries the 受付時間外 reply, at
    /// most once per the interval staff set.
    pub async fn take_message(
        &self,
        user_id: &str,
        content: CitizenContent,
    ) -> Result<Option<Received>, ConsultationDeskError> {
        let Some(open) = self.records.open_case_of(user_id).await? else {
            return Ok(None);
        };
        let settings = self.records.settings().await?;
        let now = self.now();
        let closed_now = !settings.office_hours().is_open(now);
        let every = settings.auto_reply_every();
        // Set by the write that took the auto-reply (a retried write decides again).
        let tell = AtomicBool::new(false);
        let case = self
            .records
            .update::<ConsultationDeskError>(open.id(), |case| {
                let message = case.citizen_wrote(content.clone(), now)?;
                tell.store(
                    closed_now && case.take_auto_reply(now, every),
                    Ordering::Relaxed,
                );
                Ok(Some(message))
            })
            .await?
            .ok_or(ConsultationDeskError::NotFound)?;
        let tell = tell.load(Ordering::Relaxed);
        Ok(Some(Received {
            after_hours_reply: tell
                .then(|| settings.office_hours().auto_reply(now))
                .flatten(),
            case,
        }))
    }

    /// The citizen's 「相談を終える」: closes their open case; `None` when they had none.
    pub async fn end(&self, user_id: &str) -> Result<Option<Case>, ConsultationDeskError> {
        let Some(open) = self.records.open_case_of(user_id).await? else {
            return Ok(None);
        };
        let now = self.now();
        let case = self
            .records
            .update::<ConsultationDeskError>(open.id(), |case| {
                case.end_by_citizen(now)?;
                Ok(None)
            })
            .await?;
        Ok(case)
    }

    /// Stores an image the citizen sent into their open case (LINE message `message_id`),
    /// checked by its content (JPEG or PNG, within LINE's size), and adds it to the case;
    /// `None` when they have no open case.
    pub async fn take_image(
        &self,
        user_id: &str,
        message_id: &str,
        bytes: Vec<u8>,
    ) -> Result<Option<Received>, ConsultationDeskError> {
        let Some(open) = self.records.open_case_of(user_id).await? else {
            return Ok(None);
        };
        // Stored upright, shrunk and encoded again: a phone's Exif (where the photo was taken)
        // is not kept beside the conversation.
        let picture =
            tokio::task::spawn_blocking(move || tayori_images::form_photo(&bytes, MAX_IMAGE_BYTES))
                .await
                .map_err(|_| ConsultationDeskError::NotAPicture)?
                .map_err(|_| ConsultationDeskError::NotAPicture)?;
        let key = format!(
            "consultations/{}/{}.{}",
            open.id(),
            message_id,
            picture.format.extension()
        );
        let object = ObjectKey::new(key.clone())?;
        self.objects
            .put(&object, picture.bytes, picture.format.content_type())
            .await?;
        self.take_message(user_id, CitizenContent::Image(ImageRef { key }))
            .await
    }
}
