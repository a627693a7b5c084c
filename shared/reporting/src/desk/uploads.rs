//! The LIFF form's photos: the browser uploads each one straight to storage under a key this
//! desk made for that citizen, and files the report naming the keys. An upload key carries a
//! keyed hash of the citizen's LINE user id (the city's index key, as segment keys do), so a
//! key copied from another citizen's upload does not pass, and nothing about the user id can be
//! read from it.
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
use tayori_ports::{IndexKeys, ObjectError, ObjectKey, PresignedUpload};

/// Where the LIFF form's uploads land; the bucket's lifecycle rule removes what is left after
/// a day (a form given up half-way).
pub const UPLOAD_PREFIX: &str = "uploads/reports/";
/// How long a presigned upload may be used: long enough for a slow phone connection, short
/// enough that a leaked URL is soon worthless.
pub const UPLOAD_LIFE: Duration = Duration::from_secs(10 * 60);
/// The item name the citizen's upload folder is hashed under (segment keys hash theirs under
/// the segment item's id; this keeps the two apart).
const UPLOAD_OWNER_ITEM: &str = "report-upload-owner";
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
        let folder = upload_folder(&keys, user_id);
        let key = format!("{UPLOAD_PREFIX}{folder}/{}", uuid::Uuid::new_v4().simple());
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
            owned.push(owned_upload(&keys, user_id, key).ok_or(UploadError::NotUploaded(i + 1))?);
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

/// The folder of `user_id`'s uploads under the current index key.
fn upload_folder(keys: &IndexKeys, user_id: &str) -> String {
    keys.current().segment_key(UPLOAD_OWNER_ITEM, user_id)
}

/// `key` as an object key when it is one of `user_id`'s upload keys (under the current key or,
/// during a rotation, the previous one).
fn owned_upload(keys: &IndexKeys, user_id: &str, key: &str) -> Option<ObjectKey> {
    let rest = key.strip_prefix(UPLOAD_PREFIX)?;
    let (folder, name) = rest.split_once('/')?;
    let named = !name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_hexdigit());
    let theirs = keys
        .all()
        .any(|k| k.segment_key(UPLOAD_OWNER_ITEM, user_id) == folder);
    (named && theirs)
        .then(|| ObjectKey::new(key).ok())
        .flatten()
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

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_ports::index_key::IndexKey;

    fn key(generation: u32) -> IndexKey {
        IndexKey::new(generation, [generation as u8; 32].into())
    }

    fn keys(current: IndexKey, previous: Option<IndexKey>) -> IndexKeys {
        IndexKeys::new(current, previous)
    }

    #[test]
    fn an_upload_key_is_accepted_only_from_the_citizen_it_was_made_for() {
        let keys = keys(key(1), None);
        let mine = format!(
            "{UPLOAD_PREFIX}{}/{}",
            upload_folder(&keys, "Ua"),
            "0123456789abcdef0123456789abcdef"
        );
        let cases = [
            ("Ua", mine.clone(), true),
            ("Ub", mine.clone(), false),
            ("Ua", mine.replace(UPLOAD_PREFIX, "reports/photos/"), false),
            ("Ua", format!("{mine}/../x"), false),
            (
                "Ua",
                mine.replace("0123456789abcdef", "not-hex-at-all!!"),
                false,
            ),
            (
                "Ua",
                format!("{UPLOAD_PREFIX}{}/", upload_folder(&keys, "Ua")),
                false,
            ),
        ];
        for (user, key, accepted) in cases {
            assert_eq!(
                owned_upload(&keys, user, &key).is_some(),
                accepted,
                "{user} {key}"
            );
        }
        assert!(
            !mine.contains("Ua"),
            "the user id is not readable in the key"
        );
    }

    #[test]
    fn an_upload_made_before_a_rotation_is_still_the_citizens() {
        let before = keys(key(1), None);
        let folder = upload_folder(&before, "Ua");
        let key_name = format!("{UPLOAD_PREFIX}{folder}/{}", "ab".repeat(16));
        let rotated = keys(key(2), Some(key(1)));
        assert!(owned_upload(&rotated, "Ua", &key_name).is_some());
        let retired = keys(key(2), None);
        assert!(owned_upload(&retired, "Ua", &key_name).is_none());
    }
}
