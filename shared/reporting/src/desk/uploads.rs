//! The LIFF form's photos: the browser uploads each one straight to storage under a key this
//! desk made for that citizen (`tayori_ports::uploads`: a keyed hash of the user id names the
//! folder, so another citizen's key does not pass), and files the report naming the keys.
//!
//! Filing checks everything the form says first (category, place, texts, photo count), then
//! reads each upload, checks it by its content and re-encodes it without Exif exactly as the
//! chat's photos are ([`crate::photos::store_encoded`]), files the report, and only then
//! deletes the uploads: a refusal at any point files nothing, removes the photos it had stored,
//! and leaves the uploads for the citizen to try again.

use super::{DeskError, ReportDesk};
use crate::photos::store_encoded;
use std::time::Duration;
use tayori_domain::report::{CategoryId, PhotoRef, Report, ReportForm};
use tayori_images::{ImageProblem, MAX_REPORT_PHOTO_BYTES};
use tayori_ports::{CitizenUploads, ObjectError, ObjectKey, PresignedUpload};

/// Where the LIFF form's uploads land; the bucket's lifecycle rule removes what is left after
/// a day (a form given up half-way).
pub const UPLOAD_PREFIX: &str = "uploads/reports/";
/// How long a presigned upload may be used: long enough for a slow phone connection, short
/// enough that a leaked URL is soon worthless.
pub const UPLOAD_LIFE: Duration = Duration::from_secs(10 * 60);
/// The citizens' upload folders under [`UPLOAD_PREFIX`] (`tayori_ports::uploads`).
const UPLOADS: CitizenUploads = CitizenUploads::new(UPLOAD_PREFIX, "report-upload-owner");
/// The content types a report photo may be uploaded as.
pub const UPLOAD_TYPES: [&str; 2] = ["image/jpeg", "image/png"];

/// Why a photo upload cannot be used: rendered to the citizen, naming the photo.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("写真はJPEGかPNGの画像を選んでください。")]
    NotJpegOrPng,
    #[error(
        "写真が大きすぎます（{:.1}MB）。{}MB以内の写真を選んでください。",
        *.0 as f64 / 1_048_576.0,
        MAX_REPORT_PHOTO_BYTES / 1_048_576
    )]
    TooLarge(usize),
    /// A key this citizen was not given, or one that was never uploaded to (or has expired).
    #[error("{0}枚目の写真を受け取れていません。写真を選び直してください。")]
    NotUploaded(usize),
    #[error("{0}枚目の写真：{1}")]
    Unusable(usize, ImageProblem),
    #[error("同じ写真が2回指定されています。")]
    Repeated,
}

/// Where and how the browser uploads one photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoUpload {
    /// What the form names the photo by when it files the report.
    pub key: String,
    pub upload: PresignedUpload,
}

/// What the LIFF form files: a [`ReportForm`] whose photos are still the citizen's uploads.
#[derive(Clone, Debug)]
pub struct UploadedReport {
    pub category: CategoryId,
    /// The form; its `photos` are ignored and replaced by the stored uploads.
    pub form: ReportForm,
    /// Upload keys from [`ReportDesk::presign_upload`], in the citizen's order.
    pub uploads: Vec<String>,
}

impl ReportDesk {
    /// A presigned PUT for one photo of `bytes` bytes of `content_type`, under a fresh key in
    /// `user_id`'s upload folder. The type and size are checked here before anything is
    /// signed, and again by content when the report is filed (S3 cannot cap a presigned PUT).
    pub async fn presign_upload(
        &self,
        user_id: &str,
        content_type: &str,
        bytes: usize,
    ) -> Result<PhotoUpload, DeskError> {
        if !UPLOAD_TYPES.contains(&content_type) {
            return Err(UploadError::NotJpegOrPng.into());
        }
        if bytes > MAX_REPORT_PHOTO_BYTES {
            return Err(UploadError::TooLarge(bytes).into());
        }
        let keys = self.index_keys.keys().await?;
        let key = UPLOADS.key_for(&keys, user_id, &uuid::Uuid::new_v4().simple().to_string());
        let object = ObjectKey::new(key.clone()).map_err(stored)?;
        let upload = self
            .objects
            .presign_put(&object, content_type, MAX_REPORT_PHOTO_BYTES, UPLOAD_LIFE)
            .await
            .map_err(stored)?;
        Ok(PhotoUpload { key, upload })
    }

    /// Files the LIFF form's report with its uploaded photos (see the module's doc for the
    /// order that keeps a refusal from filing anything half-way).
    pub async fn file_uploaded(
        &self,
        user_id: &str,
        report: UploadedReport,
    ) -> Result<Report, DeskError> {
        let UploadedReport {
            category,
            mut form,
            uploads,
        } = report;
        let mut seen = std::collections::BTreeSet::new();
        if !uploads.iter().all(|k| seen.insert(k.as_str())) {
            return Err(UploadError::Repeated.into());
        }
        let keys = self.index_keys.keys().await?;
        let mut owned = Vec::with_capacity(uploads.len());
        for (i, key) in uploads.iter().enumerate() {
            owned.push(
                UPLOADS
                    .owned(&keys, user_id, key)
                    .ok_or(UploadError::NotUploaded(i + 1))?,
            );
        }
        // Everything but the photos' content first: the stand-ins count as the photos will.
        form.photos = uploads.iter().map(|k| stand_in(k)).collect();
        self.check_direct(&category, &form).await?;

        let mut stored = Vec::with_capacity(owned.len());
        let outcome = async {
            for (i, key) in owned.iter().enumerate() {
                stored.push(self.store_upload(i + 1, key).await?);
            }
            form.photos = stored.clone();
            self.file_direct(&category, form).await
        }
        .await;
        match outcome {
            Ok(report) => {
                for key in &owned {
                    // Filed: a leftover upload only waits for the lifecycle rule.
                    if let Err(e) = self.objects.delete(key).await {
                        tracing::warn!(key = %key, error = %e, "upload left for the lifecycle rule");
                    }
                }
                Ok(report)
            }
            Err(e) => {
                self.forget_photos(&stored).await;
                Err(e)
            }
        }
    }

    /// One upload read, checked by its content and stored as a report photo.
    async fn store_upload(&self, number: usize, key: &ObjectKey) -> Result<PhotoRef, DeskError> {
        let upload = self
            .objects
            .get(key)
            .await
            .map_err(stored)?
            .ok_or(UploadError::NotUploaded(number))?;
        if upload.bytes.len() > MAX_REPORT_PHOTO_BYTES {
            return Err(UploadError::Unusable(
                number,
                ImageProblem::TooLarge {
                    bytes: upload.bytes.len(),
                    limit: MAX_REPORT_PHOTO_BYTES,
                },
            )
            .into());
        }
        // Decoding a 2048-pixel photo is CPU work: kept off the async workers.
        let bytes = upload.bytes;
        // A decoder that panics on a crafted file has met an unreadable image.
        let photo = tokio::task::spawn_blocking(move || tayori_images::report_photo(&bytes))
            .await
            .unwrap_or(Err(ImageProblem::Unreadable))
            .map_err(|problem| UploadError::Unusable(number, problem))?;
        store_encoded(self.objects.as_ref(), &photo.photo, &photo.thumbnail)
            .await
            .map_err(|e| match e {
                crate::PhotoError::Store(e) => stored(e),
            })
    }

    /// Removes photos stored for a report that was then refused.
    async fn forget_photos(&self, photos: &[PhotoRef]) {
        for photo in photos {
            for key in [&photo.key, &photo.thumbnail_key] {
                if let Ok(key) = ObjectKey::new(key.clone()) {
                    if let Err(e) = self.objects.delete(&key).await {
                        tracing::warn!(key = %key, error = %e, "photo of a refused report not removed");
                    }
                }
            }
        }
    }
}

/// A photo reference standing for an upload while the form is checked (only their number
/// matters to the check).
fn stand_in(key: &str) -> PhotoRef {
    PhotoRef {
        key: key.to_string(),
        thumbnail_key: key.to_string(),
        width: 0,
        height: 0,
    }
}

fn stored(e: ObjectError) -> DeskError {
    DeskError::Objects(e)
}

impl From<UploadError> for DeskError {
    fn from(e: UploadError) -> Self {
        DeskError::Upload(e)
    }
}
