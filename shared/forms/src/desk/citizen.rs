//! The citizen's side (the LIFF pages): which forms are open, one form with whether it takes
//! answers and how many places each slot has left (said before the citizen types anything),
//! the draft kept while they are away, the answer itself, their answers so far and cancelling
//! a reservation.

use super::files::UploadedFile;
use super::{FormDesk, FormDeskError};
use crate::{FormAnswerStatusChanged, FormAnswered, FORM_ANSWERED, FORM_ANSWER_STATUS_CHANGED};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use tayori_domain::form::{
    answer_receipt, Answer, AnswerFiling, AnswerStatus, AnswerValue, Audience, Availability, Field,
    Form, FormDraft, FormId, FormKind, FormStatus, PerCitizen, SlotAvailability, SlotId, Submitted,
    Viewer,
};
use tayori_domain::report::receipt_month;
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_ports::Event;
use tayori_records::forms::Refusal;
use tayori_records::Occasion;

/// How many answers 「これまでの回答」 shows.
pub const MY_ANSWERS_SHOWN: usize = 20;
/// How often a submit starts again when the form was saved between its check and its write.
const FORM_CHANGED_RETRIES: usize = 3;

/// A form as a citizen sees it: no staff-only field, nothing of the 課's bookkeeping.
#[derive(Clone, Debug, PartialEq)]
pub struct CitizenForm {
    pub id: FormId,
    pub version: u32,
    pub title: String,
    pub description: String,
    pub kind: FormKind,
    pub per_citizen: PerCitizen,
    /// 受付期間, in JST words.
    pub period: String,
    /// The fields citizens answer (and headings and descriptions), in order.
    pub fields: Vec<Field>,
}

impl CitizenForm {
    fn of(form: &Form) -> Self {
        Self {
            id: form.id().clone(),
            version: form.version(),
            title: form.title().to_string(),
            description: form.description().to_string(),
            kind: form.kind(),
            per_citizen: form.per_citizen(),
            period: form.period_label(),
            fields: form.citizen_fields().cloned().collect(),
        }
    }
}

/// A published form in the citizen's list, with whether it takes answers now.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenForm {
    pub form: CitizenForm,
    pub availability: Availability,
}

/// What the LIFF page needs to show one form to one citizen.
#[derive(Clone, Debug)]
pub struct CitizenView {
    pub form: CitizenForm,
    /// Anything but [`Availability::Open`] is said instead of the form.
    pub availability: Availability,
    /// Each slot with its places left (reservations).
    pub slots: Vec<SlotAvailability>,
    /// What they typed and did not send, if it is still kept.
    pub draft: Option<FormDraft>,
    /// They answered a 1回のみ form already.
    pub already_answered: bool,
}

/// What the citizen is shown after sending (and pushed in LINE by the forms function).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub answer_id: String,
    /// 受付番号, e.g. `F2612-0001`.
    pub number: String,
    /// 「項目: 値」 lines, their personal values included (it is their own answer).
    pub lines: Vec<String>,
}

/// One of the citizen's answers as 「これまでの回答」 shows it: what they gave and where it
/// stands, never the 課's memo or staff-only values.
#[derive(Clone, Debug, PartialEq)]
pub struct CitizenAnswer {
    pub answer_id: String,
    /// 受付番号.
    pub receipt: String,
    pub submitted_at: DateTime<Utc>,
    pub status: AnswerStatus,
    /// The form at the version they answered.
    pub form: CitizenForm,
    /// The answer's summary for its owner.
    pub lines: Vec<String>,
    /// Whether they may cancel it now (a reservation before its slot starts).
    pub cancellable: bool,
}

impl FormDesk {
    /// Published forms that have not ended, for the citizen's list.
    pub async fn open_forms(&self, now: DateTime<Utc>) -> Result<Vec<OpenForm>, FormDeskError> {
        let mut open = Vec::new();
        for form in self.forms.all().await? {
            if form.status() != FormStatus::Open {
                continue;
            }
            let counts = self.forms.counts(form.id()).await?;
            let availability = form.availability(now, &counts.places);
            if availability != Availability::Ended {
                open.push(OpenForm {
                    form: CitizenForm::of(&form),
                    availability,
                });
            }
        }
        Ok(open)
    }

    /// A published form for a citizen; an unpublished one is not found.
    pub(super) async fn published(
        &self,
        id: &FormId,
    ) -> Result<tayori_records::forms::StoredForm, FormDeskError> {
        match self.forms.get(id).await? {
            Some(stored) if stored.form.status() != FormStatus::Draft => Ok(stored),
            _ => Err(FormDeskError::NotFound),
        }
    }

    /// The form for `user_id`, with its availability, the slots' places, their draft and
    /// whether they answered it already.
    pub async fn for_citizen(
        &self,
        id: &FormId,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<CitizenView, FormDeskError> {
        let form = self.published(id).await?.form;
        let counts = self.forms.counts(id).await?;
        let already_answered =
            form.per_citizen() == PerCitizen::Once && self.forms.has_answered(id, user_id).await?;
        Ok(CitizenView {
            availability: form.availability(now, &counts.places),
            slots: form.slot_availability(now, &counts.places),
            draft: self.forms.draft(id, user_id).await?,
            already_answered,
            form: CitizenForm::of(&form),
        })
    }

    /// Keeps what the citizen typed so far (sizes checked only: the answer is checked when sent).
    pub async fn save_draft(
        &self,
        id: &FormId,
        user_id: &str,
        values: BTreeMap<String, Vec<String>>,
        slot: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<FormDraft, FormDeskError> {
        self.published(id).await?;
        let slot = slot
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(SlotId::parse)
            .transpose()?;
        let draft = FormDraft::new(id.clone(), user_id, values, slot, now)?;
        self.forms.save_draft(&draft).await?;
        Ok(draft)
    }

    /// The citizen sends an answer without files: [`FormDesk::submit_uploaded`] with none.
    pub async fn submit(
        &self,
        id: &FormId,
        user_id: &str,
        submitted: &Submitted,
        slot: Option<&str>,
        attributes: BTreeMap<String, Vec<String>>,
        now: DateTime<Utc>,
    ) -> Result<Receipt, FormDeskError> {
        let none = BTreeMap::new();
        self.submit_uploaded(id, user_id, submitted, &none, slot, attributes, now)
            .await
    }

    /// The citizen sends their answer: the uploads named for its photo/file fields are read,
    /// checked by content and stored (`files.rs`; `submitted.files` is never trusted and is
    /// replaced by what was received), the form must take answers now (and the slot have a
    /// place), the values pass the domain's check as a citizen's (a staff-only field is
    /// refused), then one transaction stores it, takes the place and the receipt number, and
    /// clears the draft. `attributes` are the citizen's registered answers (segment item id →
    /// values), kept with the answer for cross-tabulation and counted with it in the usage
    /// report (フォーム回答) once the answer is stored: here rather than on `form.answered`, so
    /// it counts once however often the bus delivers it, under the attributes of that moment.
    /// A refusal stores nothing: the files stored for it are removed again; once the answer is
    /// stored the uploads are.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit_uploaded(
        &self,
        id: &FormId,
        user_id: &str,
        submitted: &Submitted,
        uploads: &BTreeMap<String, Vec<UploadedFile>>,
        slot: Option<&str>,
        attributes: BTreeMap<String, Vec<String>>,
        now: DateTime<Utc>,
    ) -> Result<Receipt, FormDeskError> {
        let answer_id = uuid::Uuid::new_v4().simple().to_string();
        let form = self.published(id).await?.form;
        let received = self
            .receive_files(&form, user_id, &answer_id, uploads)
            .await?;
        let submitted = Submitted {
            values: submitted.values.clone(),
            files: received.files,
        };
        let outcome = self
            .file_answer(&answer_id, id, user_id, &submitted, slot, attributes, now)
            .await;
        let stored = match &outcome {
            Ok((_, answer)) => Some(answer),
            Err(FormDeskError::NotPublished(answer, _)) => Some(answer.as_ref()),
            Err(_) => None,
        };
        match stored {
            Some(answer) => {
                // A file sent for a field the answer left out (hidden by its condition) is
                // not kept: nobody could ever open it.
                let kept: BTreeSet<&str> = answer
                    .values()
                    .iter()
                    .filter_map(|(_, v)| match v {
                        AnswerValue::Files(files) => Some(files),
                        _ => None,
                    })
                    .flatten()
                    .map(|f| f.key.as_str())
                    .collect();
                let unused: Vec<_> = received
                    .stored
                    .iter()
                    .filter(|k| !kept.contains(k.as_str()))
                    .cloned()
                    .collect();
                self.forget(&unused).await;
                self.forget(&received.uploads).await;
            }
            None => self.forget(&received.stored).await,
        }
        outcome.map(|(receipt, _)| receipt)
    }

    #[allow(clippy::too_many_arguments)]
    async fn file_answer(
        &self,
        answer_id: &str,
        id: &FormId,
        user_id: &str,
        submitted: &Submitted,
        slot: Option<&str>,
        attributes: BTreeMap<String, Vec<String>>,
        now: DateTime<Utc>,
    ) -> Result<(Receipt, Answer), FormDeskError> {
        let month = receipt_month(now);
        let mut tries = 0;
        let (form, answer) = loop {
            tries += 1;
            let stored = self.published(id).await?;
            let form = &stored.form;
            let counts = self.forms.counts(id).await?;
            let slot = form.check_open(slot, now, &counts.places)?;
            if form.per_citizen() == PerCitizen::Once
                && self.forms.has_answered(id, user_id).await?
            {
                return Err(Refusal::AlreadyAnswered.into());
            }
            let values = form.check_answer(submitted, Audience::Citizen)?;
            let made = self
                .forms
                .submit(&stored, &month, |sequence| {
                    Answer::new(
                        form,
                        AnswerFiling {
                            id: answer_id.to_string(),
                            receipt: answer_receipt(&month, sequence),
                            user_id: user_id.to_string(),
                            attributes: attributes.clone(),
                        },
                        values.clone(),
                        slot.clone(),
                        now,
                    )
                })
                .await;
            match made {
                Ok(answer) => break (stored.form, answer),
                // Saved since it was read: check against the form as it is now.
                Err(tayori_records::forms::SubmitError::Refused(Refusal::FormChanged))
                    if tries < FORM_CHANGED_RETRIES => {}
                Err(e) => return Err(e.into()),
            }
        };
        self.count(&answer, attributes).await;
        let detail = FormAnswered {
            form_id: id.to_string(),
            answer_id: answer.id().to_string(),
        };
        let receipt = Receipt {
            answer_id: answer.id().to_string(),
            number: answer.receipt().to_string(),
            lines: answer.summary_lines(&form, Viewer::Owner),
        };
        let event = Event::new(
            FORM_ANSWERED,
            serde_json::to_value(detail).expect("the detail serialises"),
        );
        if let Err(e) = self.bus.publish(vec![event]).await {
            return Err(FormDeskError::NotPublished(Box::new(answer), e));
        }
        Ok((receipt, answer))
    }

    /// One フォーム回答 in the usage report, with the citizen's registered attributes.
    /// Recorded quietly: the answer is stored, and a lost count must not tell the citizen it
    /// was not.
    async fn count(&self, answer: &Answer, attributes: BTreeMap<String, Vec<String>>) {
        let event = UsageEvent::one(UsageKind::FormAnswer, answer.submitted_at())
            .with_attributes(attributes);
        self.usage
            .record_quietly(&Occasion::record("form_answer", answer.id()), &event)
            .await;
    }

    /// The citizen's latest answers, newest first (「これまでの回答」).
    pub async fn my_answers(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CitizenAnswer>, FormDeskError> {
        let mut mine = Vec::new();
        for answer in self.forms.of_citizen(user_id, MY_ANSWERS_SHOWN).await? {
            let given = self
                .form_version(answer.form_id(), answer.form_version())
                .await?;
            // The rule as `cancel` applies it, on a copy: the form as it is now decides.
            let current = self.form(answer.form_id()).await?;
            let cancellable = answer
                .clone()
                .cancel_by_citizen(&current, user_id, now)
                .is_ok();
            mine.push(CitizenAnswer {
                answer_id: answer.id().to_string(),
                receipt: answer.receipt().to_string(),
                submitted_at: answer.submitted_at(),
                status: answer.status(),
                lines: answer.summary_lines(&given, Viewer::Owner),
                form: CitizenForm::of(&given),
                cancellable,
            });
        }
        Ok(mine)
    }

    /// The citizen cancels their own reservation: its place goes back to the slot, and the
    /// forms function confirms the cancellation in LINE.
    pub async fn cancel(
        &self,
        user_id: &str,
        answer_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer, FormDeskError> {
        let stored = self
            .forms
            .answer(answer_id)
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?;
        // Another citizen's answer is not found, rather than refused: ids say nothing.
        if stored.answer.user_id() != user_id {
            return Err(FormDeskError::AnswerNotFound);
        }
        let form = self.form(stored.answer.form_id()).await?;
        let (_, after) = self
            .forms
            .update_answer(answer_id, |answer| {
                answer
                    .cancel_by_citizen(&form, user_id, now)
                    .map(|_| ())
                    .map_err(FormDeskError::from)
            })
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?;
        self.tell_status(&after).await?;
        Ok(after)
    }

    /// Publishes the answer's latest status change when the citizen is to hear of it.
    pub(super) async fn tell_status(&self, answer: &Answer) -> Result<(), FormDeskError> {
        let Some(index) = answer.history().len().checked_sub(1) else {
            return Ok(());
        };
        if !answer.history()[index].tell_citizen {
            return Ok(());
        }
        let detail = FormAnswerStatusChanged {
            form_id: answer.form_id().to_string(),
            answer_id: answer.id().to_string(),
            change_index: index,
        };
        let event = Event::new(
            FORM_ANSWER_STATUS_CHANGED,
            serde_json::to_value(detail).expect("the detail serialises"),
        );
        self.bus
            .publish(vec![event])
            .await
            .map_err(|e| FormDeskError::NotPublished(Box::new(answer.clone()), e))
    }

    /// An answer with the form at its version, for Tayori's own work: the receipt and status
    /// pushes of the forms function.
    pub async fn answer_for_notice(
        &self,
        answer_id: &str,
    ) -> Result<(Answer, Form), FormDeskError> {
        let answer = self
            .forms
            .answer(answer_id)
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?
            .answer;
        let form = self
            .form_version(answer.form_id(), answer.form_version())
            .await?;
        Ok((answer, form))
    }

    /// Records that the push for the answer's history entry `index` went out; `false` when it
    /// had already (a redelivered event) or the entry is not one to tell.
    pub async fn mark_told(
        &self,
        answer_id: &str,
        index: usize,
        now: DateTime<Utc>,
    ) -> Result<bool, FormDeskError> {
        let told_before = |a: &Answer| a.history().get(index).is_some_and(|e| e.told_at.is_some());
        let changed = self
            .forms
            .update_answer(answer_id, |answer| {
                answer.mark_told(index, now);
                Ok::<(), FormDeskError>(())
            })
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?;
        Ok(!told_before(&changed.0) && told_before(&changed.1))
    }

    /// Claims the mail to the form's 課 of a new answer (6.2.2.3): `true` for the one caller
    /// that is to send it, `false` when it was claimed already (a redelivered event). Claimed
    /// before sending, under the answer's optimistic concurrency, so two deliveries racing
    /// send one mail.
    pub async fn claim_department_mail(
        &self,
        answer_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, FormDeskError> {
        let changed = self
            .forms
            .update_answer(answer_id, |answer| {
                answer.mark_department_mailed(now);
                Ok::<(), FormDeskError>(())
            })
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?;
        Ok(
            changed.0.department_mailed_at().is_none()
                && changed.1.department_mailed_at().is_some(),
        )
    }
}
