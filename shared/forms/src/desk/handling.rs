//! The staff's side of answers: the list with its filters, one answer (a view of its personal
//! values is audited), status, memo, staff-only values, bulk status and the new-answer badge.
//! Every change is a conditional write of the domain's rule, audited here.

use super::{target, Clerk, FormDesk, FormDeskError};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::collections::btree_map::{BTreeMap, Entry};
use tayori_domain::form::{
    Answer, AnswerError, AnswerStatus, AnswerValue, FileRef, Form, FormId, Submitted,
};
use tayori_domain::time::jst;
use tayori_ports::{Cursor, ObjectKey};
use tayori_records::forms::ANSWER_PAGE;

/// What the answer list is narrowed to; every field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnswerFilter {
    pub status: Option<AnswerStatus>,
    /// Found in the receipt number, the memo or a value that is not personal.
    pub text: Option<String>,
    /// Submitted on or after this JST date.
    pub from: Option<NaiveDate>,
    /// Submitted on or before this JST date.
    pub to: Option<NaiveDate>,
}

/// The start of a JST day, as UTC.
fn jst_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN)
        .and_local_timezone(jst())
        .single()
        .expect("a fixed offset has one local time")
        .with_timezone(&Utc)
}

impl AnswerFilter {
    pub(super) fn admits(&self, answer: &Answer, form: &Form) -> bool {
        let at = answer.submitted_at();
        self.status.is_none_or(|s| answer.status() == s)
            && self.from.is_none_or(|d| at >= jst_midnight(d))
            && self
                .to
                .and_then(|d| d.succ_opt())
                .is_none_or(|d| at < jst_midnight(d))
            && self
                .text
                .as_deref()
                .is_none_or(|q| answer.matches_text(form, q))
    }
}

/// A page of the list, newest first, and where the next page starts.
#[derive(Clone, Debug)]
pub struct AnswersPage {
    pub answers: Vec<Answer>,
    pub cursor: Option<Cursor>,
}

/// How long a link to an answer's file lives: long enough to open it from the page, short
/// enough that a link copied out of the console is soon worthless.
pub const FILE_LINK_LIFE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// One answer for staff, with the form at the version it was given with.
#[derive(Clone, Debug)]
pub struct AnswerDetail {
    pub answer: Answer,
    pub form: Form,
    /// Each attached file's key → a presigned GET living [`FILE_LINK_LIFE`].
    pub file_links: BTreeMap<String, String>,
}

/// What a bulk status change did: each answer changed, or why not.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub changed: Vec<Answer>,
    pub refused: Vec<(String, FormDeskError)>,
}

impl FormDesk {
    /// The form, if `clerk` may handle its answers (フォーム回答の閲覧 in its 課).
    pub(super) async fn handled_form(
        &self,
        clerk: Clerk<'_>,
        id: &FormId,
    ) -> Result<Form, FormDeskError> {
        let form = self.form(id).await?;
        Answer::check_handler(&form, clerk.account)?;
        Ok(form)
    }

    /// The answers `filter` admits, newest first, from `cursor`. Opening the first page
    /// clears the form's new-answer badge. A page holds at least one store page's matches.
    pub async fn answers(
        &self,
        clerk: Clerk<'_>,
        id: &FormId,
        filter: &AnswerFilter,
        cursor: Option<Cursor>,
    ) -> Result<AnswersPage, FormDeskError> {
        let form = self.handled_form(clerk, id).await?;
        if cursor.is_none() {
            self.forms.clear_new(id).await?;
        }
        let mut versions: BTreeMap<u32, Form> = BTreeMap::new();
        versions.insert(form.version(), form);
        let mut found = Vec::new();
        let mut cursor = cursor;
        loop {
            let page = self.forms.answers(id, cursor, ANSWER_PAGE).await?;
            for answer in page.answers {
                let version = answer.form_version();
                let form = match versions.entry(version) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(slot) => slot.insert(self.form_version(id, version).await?),
                };
                if filter.admits(&answer, form) {
                    found.push(answer);
                }
            }
            cursor = page.cursor;
            if cursor.is_none() || found.len() >= ANSWER_PAGE {
                return Ok(AnswersPage {
                    answers: found,
                    cursor,
                });
            }
        }
    }

    /// One answer for `clerk`. Opening one that holds personal values is written to the audit
    /// log (who saw whose answer, not the values).
    pub async fn answer(
        &self,
        clerk: Clerk<'_>,
        answer_id: &str,
    ) -> Result<AnswerDetail, FormDeskError> {
        let answer = self
            .forms
            .answer(answer_id)
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?
            .answer;
        self.handled_form(clerk, answer.form_id()).await?;
        let form = self
            .form_version(answer.form_id(), answer.form_version())
            .await?;
        let personal = answer
            .values()
            .iter()
            .chain(answer.staff_values().iter())
            .any(|(id, _)| form.field(id).is_some_and(|f| f.personal));
        if personal {
            self.record(
                clerk,
                "フォーム回答の個人情報を閲覧",
                target(answer.form_id()),
                format!("受付番号 {}", answer.receipt()),
            )
            .await?;
        }
        let files: Vec<&FileRef> = answer
            .values()
            .iter()
            .filter_map(|(_, v)| match v {
                AnswerValue::Files(files) => Some(files),
                _ => None,
            })
            .flatten()
            .collect();
        let mut file_links = BTreeMap::new();
        for file in &files {
            let key = ObjectKey::new(file.key.clone())?;
            // A photo is shown on the page; a document is downloaded under the citizen's name
            // for it rather than opened from the bucket's address.
            let url = if file.content_type.starts_with("image/") {
                self.objects.presign_get(&key, FILE_LINK_LIFE).await?
            } else {
                let named = self
                    .objects
                    .presign_download(&key, &file.name, FILE_LINK_LIFE);
                named.await?
            };
            file_links.insert(file.key.clone(), url);
        }
        if !files.is_empty() {
            // A citizen's photo or document is theirs as much as a personal value is.
            self.record(
                clerk,
                "フォーム回答の添付ファイルを閲覧",
                target(answer.form_id()),
                format!("受付番号 {}: {}件", answer.receipt(), files.len()),
            )
            .await?;
        }
        Ok(AnswerDetail {
            answer,
            form,
            file_links,
        })
    }

    /// Applies a staff change to the answer (checked against the form as it is now), audited.
    async fn change_answer(
        &self,
        clerk: Clerk<'_>,
        answer_id: &str,
        action: &str,
        change: impl Fn(&mut Answer, &Form) -> Result<(), AnswerError>,
        summary: impl Fn(&Answer, &Answer) -> String,
    ) -> Result<Answer, FormDeskError> {
        let stored = self
            .forms
            .answer(answer_id)
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?;
        let form = self.handled_form(clerk, stored.answer.form_id()).await?;
        let (before, after) = self
            .forms
            .update_answer(answer_id, |answer| {
                change(answer, &form).map_err(FormDeskError::from)
            })
            .await?
            .ok_or(FormDeskError::AnswerNotFound)?;
        self.record(
            clerk,
            action,
            target(after.form_id()),
            format!("受付番号 {}: {}", after.receipt(), summary(&before, &after)),
        )
        .await?;
        Ok(after)
    }

    /// Moves the answer to `to`; the citizen hears of it through the forms function (a
    /// cancellation frees the place in the same write).
    pub async fn change_status(
        &self,
        clerk: Clerk<'_>,
        answer_id: &str,
        to: AnswerStatus,
    ) -> Result<Answer, FormDeskError> {
        let now = self.now();
        let after = self
            .change_answer(
                clerk,
                answer_id,
                "フォーム回答の状態を変更",
                |answer, form| {
                    answer
                        .change_status(form, to, clerk.account, now)
                        .map(|_| ())
                },
                |before, after| format!("{} → {}", before.status().label(), after.status().label()),
            )
            .await?;
        self.tell_status(&after).await?;
        Ok(after)
    }

    /// 対応メモ.
    pub async fn set_memo(
        &self,
        clerk: Clerk<'_>,
        answer_id: &str,
        memo: &str,
    ) -> Result<Answer, FormDeskError> {
        let now = self.now();
        self.change_answer(
            clerk,
            answer_id,
            "フォーム回答のメモを変更",
            |answer, form| answer.set_memo(form, memo, clerk.account, now),
            |_, after| format!("メモ {}文字", after.memo().chars().count()),
        )
        .await
    }

    /// 管理者用項目, checked against the form's staff-only fields.
    pub async fn set_staff_values(
        &self,
        clerk: Clerk<'_>,
        answer_id: &str,
        submitted: &Submitted,
    ) -> Result<Answer, FormDeskError> {
        let now = self.now();
        self.change_answer(
            clerk,
            answer_id,
            "フォーム回答の管理者用項目を変更",
            |answer, form| answer.set_staff_values(form, submitted, clerk.account, now),
            |_, after| format!("{}項目", after.staff_values().len()),
        )
        .await
    }

    /// Moves each answer to `to`, each on its own (one refused does not stop the others).
    pub async fn bulk_status(
        &self,
        clerk: Clerk<'_>,
        answer_ids: &[String],
        to: AnswerStatus,
    ) -> Result<BulkOutcome, FormDeskError> {
        let mut outcome = BulkOutcome::default();
        for id in answer_ids {
            match self.change_status(clerk, id, to).await {
                Ok(answer) => outcome.changed.push(answer),
                Err(e) if e.is_refusal() => outcome.refused.push((id.clone(), e)),
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// New answers since staff last opened each form's list, over the forms `clerk` handles:
    /// the console's badge.
    pub async fn new_count(&self, clerk: Clerk<'_>) -> Result<u32, FormDeskError> {
        let mut new = 0;
        for form in self.forms.all().await? {
            if Answer::check_handler(&form, clerk.account).is_ok() {
                new += self.forms.counts(form.id()).await?.new;
            }
        }
        Ok(new)
    }
}
