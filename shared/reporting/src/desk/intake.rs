//! The citizen's side: the chat's draft a step at a time (each step one conditional write of
//! the domain's rule), filing it, and filing from the LIFF form with the same checks.

use super::{DeskError, ReportDesk};
use crate::photos::is_report_photo;
use chrono::{DateTime, Utc};
use tayori_domain::facility::Position;
use tayori_domain::report::{
    in_service_area, receipt_month, receipt_number, CategoryId, DraftError, Filing, InputProblem,
    PhotoRef, Report, ReportDraft, ReportForm,
};
use tayori_domain::segment::DISTRICT_ITEM;
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_ports::{ObjectKey, StoreError};
use tayori_records::{Occasion, RecordError};

impl ReportDesk {
    /// The citizen's draft, if any (expired or not: the chat says which).
    pub async fn draft(&self, user_id: &str) -> Result<Option<ReportDraft>, DeskError> {
        Ok(self.reports.draft(user_id).await?.map(|s| s.draft))
    }

    /// 「通報する」 and a category chosen: a new draft replaces any other.
    pub async fn start(
        &self,
        user_id: &str,
        category: &CategoryId,
    ) -> Result<ReportDraft, DeskError> {
        let category = self.offered(category).await?;
        let draft = ReportDraft::start(user_id, category, self.now())?;
        Ok(self.reports.replace_draft(&draft).await?.draft)
    }

    /// The category is offered to citizens now.
    async fn offered(&self, id: &CategoryId) -> Result<tayori_domain::report::Category, DeskError> {
        self.offered_categories()
            .await?
            .into_iter()
            .find(|c| c.id() == id)
            .ok_or(DeskError::Draft(InputProblem::CategoryRetired.into()))
    }

    /// 「キャンセル」: the draft is forgotten.
    pub async fn cancel(&self, user_id: &str) -> Result<(), DeskError> {
        Ok(self.reports.delete_draft(user_id).await?)
    }

    /// Applies one step to the citizen's draft in one conditional write. An expired draft is
    /// deleted once it has said so.
    async fn step(
        &self,
        user_id: &str,
        change: impl Fn(&mut ReportDraft, DateTime<Utc>) -> Result<(), DraftError>,
    ) -> Result<ReportDraft, DeskError> {
        let now = self.now();
        let result = self
            .reports
            .update_draft(user_id, |d| change(d, now).map_err(DeskError::from))
            .await;
        match result {
            Ok(Some(saved)) => Ok(saved.draft),
            Ok(None) => Err(DeskError::NoDraft),
            Err(DeskError::Draft(DraftError::Expired)) => {
                self.reports.delete_draft(user_id).await?;
                Err(DraftError::Expired.into())
            }
            Err(e) => Err(e),
        }
    }

    /// Back at the category list, the citizen chose one.
    pub async fn choose(
        &self,
        user_id: &str,
        category: &CategoryId,
    ) -> Result<ReportDraft, DeskError> {
        let category = self.offered(category).await?;
        self.step(user_id, |d, now| d.choose(category.clone(), now))
            .await
    }

    /// Whether `position` is in the city (`tayori_domain::report::area`).
    pub async fn in_city(&self, position: Position) -> Result<bool, DeskError> {
        Ok(in_service_area(
            self.facilities.nearest_site_m(position).await?,
        ))
    }

    /// The citizen sent a place (LINE's location; `place` its address or title).
    pub async fn locate(
        &self,
        user_id: &str,
        position: Position,
        place: Option<String>,
    ) -> Result<ReportDraft, DeskError> {
        let in_area = self.in_city(position).await?;
        self.step(user_id, |d, now| {
            d.locate(position, place.clone(), in_area, now)
        })
        .await
    }

    /// A photo the reports function downloaded and stored (`crate::photos::store_encoded`).
    pub async fn attach_photo(
        &self,
        user_id: &str,
        photo: PhotoRef,
    ) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.photo_stored(photo.clone(), now))
            .await
    }

    /// A photo the citizen sent in the chat (LINE message `message_id`), stored by the reports
    /// function. Answers the draft and whether the photo was new: a redelivered bus event finds
    /// it attached and changes nothing.
    pub async fn attach_line_photo(
        &self,
        user_id: &str,
        message_id: &str,
        photo: PhotoRef,
    ) -> Result<(ReportDraft, bool), DeskError> {
        let added = std::sync::atomic::AtomicBool::new(false);
        let draft = self
            .step(user_id, |d, now| {
                let new = d.photo_from_line(message_id, photo.clone(), now)?;
                added.store(new, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            })
            .await?;
        Ok((draft, added.load(std::sync::atomic::Ordering::Relaxed)))
    }

    /// 「次へ」 at the photos.
    pub async fn photos_done(&self, user_id: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.photos_done(now)).await
    }

    /// A text message: to whichever step takes text now (details, an answer, name, phone).
    pub async fn text(&self, user_id: &str, text: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.text(text, now)).await
    }

    pub async fn details(&self, user_id: &str, text: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.details(text, now)).await
    }

    pub async fn answer(&self, user_id: &str, text: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.answer(text, now)).await
    }

    /// 「スキップ」 on an optional question.
    pub async fn skip_question(&self, user_id: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.skip_question(now)).await
    }

    pub async fn contact_name(&self, user_id: &str, text: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.contact_name(text, now)).await
    }

    pub async fn contact_phone(&self, user_id: &str, text: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.contact_phone(text, now))
            .await
    }

    /// 「戻る」.
    pub async fn back(&self, user_id: &str) -> Result<ReportDraft, DeskError> {
        self.step(user_id, |d, now| d.back(now)).await
    }

    /// 「送信する」: files the confirmed draft and deletes it in the same write, so a double
    /// tap files one report (the second finds no draft).
    pub async fn file(&self, user_id: &str) -> Result<Report, DeskError> {
        let now = self.now();
        let stored = self
            .reports
            .draft(user_id)
            .await?
            .ok_or(DeskError::NoDraft)?;
        let confirmed = match stored.draft.confirm(now) {
            Err(DraftError::Expired) => {
                self.reports.delete_draft(user_id).await?;
                return Err(DraftError::Expired.into());
            }
            other => other?,
        };
        // The category may have been retired while the citizen typed.
        self.offered(confirmed.category.id()).await?;
        let (report, attributes) = self.filed(&confirmed.category, confirmed.form, now).await?;
        match self.reports.create(&report, Some(&stored)).await {
            Ok(()) => {}
            Err(RecordError::Store(StoreError::ConditionFailed)) => {
                // Another 「送信する」 (or a late photo) wrote first: nothing of this one is stored.
                return Err(match self.reports.draft(user_id).await? {
                    Some(_) => DraftError::Expected {
                        step: stored.draft.step(),
                        prompt:
                            "内容が更新されました。確認してもう一度「送信する」を押してください。"
                                .into(),
                    }
                    .into(),
                    None => DeskError::NoDraft,
                });
            }
            Err(e) => return Err(e.into()),
        }
        self.count(&report, attributes).await;
        Ok(report)
    }

    /// The LIFF form's report: the same checks as the chat's (category offered, place in the
    /// city, photos stored by Tayori, text limits) in one go.
    pub async fn file_direct(
        &self,
        category: &CategoryId,
        form: ReportForm,
    ) -> Result<Report, DeskError> {
        let now = self.now();
        let category = self.check_direct(category, &form).await?;
        for photo in &form.photos {
            if !self.photo_is_stored(photo).await? {
                return Err(DeskError::PhotoNotStored);
            }
        }
        let (report, attributes) = self.filed(&category, form, now).await?;
        self.reports.create(&report, None).await?;
        self.count(&report, attributes).await;
        Ok(report)
    }

    /// What [`ReportDesk::file_direct`] checks before the photos: the category is offered,
    /// the place is in the city, and the domain takes the form (texts, answers, contact, the
    /// number of photos). Nothing is written.
    pub(crate) async fn check_direct(
        &self,
        category: &CategoryId,
        form: &ReportForm,
    ) -> Result<tayori_domain::report::Category, DeskError> {
        let category = self.offered(category).await?;
        if !self.in_city(form.position).await? {
            return Err(DeskError::Rule(InputProblem::OutsideCity.into()));
        }
        let unnumbered = Filing {
            id: String::new(),
            receipt: String::new(),
            district: None,
        };
        Report::file(&category, form.clone(), unnumbered, self.now())?;
        Ok(category)
    }

    async fn photo_is_stored(&self, photo: &PhotoRef) -> Result<bool, DeskError> {
        if !is_report_photo(photo) {
            return Ok(false);
        }
        let key = ObjectKey::new(photo.thumbnail_key.clone())
            .map_err(|e| RecordError::Corrupt(photo.thumbnail_key.clone(), e.to_string()))?;
        let stored = self
            .objects
            .get(&key)
            .await
            .map_err(|e| RecordError::Corrupt(photo.thumbnail_key.clone(), e.to_string()))?;
        Ok(stored.is_some())
    }

    /// The report `form` makes, with its receipt number and the reporter's district. The
    /// domain checks the form before a receipt number is taken.
    async fn filed(
        &self,
        category: &tayori_domain::report::Category,
        form: ReportForm,
        now: DateTime<Utc>,
    ) -> Result<(Report, Attributes), DeskError> {
        let attributes = self
            .friends
            .get(&form.reporter.user_id)
            .await?
            .map(|f| f.attributes)
            .unwrap_or_default();
        let district = attributes
            .get(DISTRICT_ITEM)
            .and_then(|v| v.first().cloned());
        let id = uuid::Uuid::new_v4().simple().to_string();
        // Checked first, so a refused form does not use up a receipt number.
        Report::file(
            category,
            form.clone(),
            Filing {
                id: id.clone(),
                receipt: String::new(),
                district: district.clone(),
            },
            now,
        )?;
        let month = receipt_month(now);
        let sequence = self.reports.next_receipt(&month).await?;
        let report = Report::file(
            category,
            form,
            Filing {
                id,
                receipt: receipt_number(&month, sequence),
                district,
            },
            now,
        )?;
        Ok((report, attributes))
    }

    /// One 通報 in the usage report, with the reporter's registered attributes. Recorded
    /// quietly: the report is filed, and a lost count must not tell the citizen it was not.
    async fn count(&self, report: &Report, attributes: Attributes) {
        let event =
            UsageEvent::one(UsageKind::Report, report.filed_at()).with_attributes(attributes);
        self.usage
            .record_quietly(&Occasion::record("report", report.id()), &event)
            .await;
    }
}

/// A friend's registered attributes: item → chosen values.
type Attributes = std::collections::BTreeMap<String, Vec<String>>;
