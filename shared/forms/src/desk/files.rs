//! Photos and files citizens attach to a form (写真・ファイル). The browser uploads each one
//! straight to storage under a key made for that citizen (`tayori_ports::uploads`: another
//! citizen's key does not pass) after the field's type and size are checked here; S3 cannot
//! cap a presigned PUT, so at sending every upload is read and checked again by its content:
//! the key is this citizen's, the object exists, it is within the field's size, and it is what
//! the field takes by its first bytes (JPEG/PNG decoded with a pixel limit and encoded again
//! without Exif, PDF by its `%PDF-` header), whatever it was named. Each is then stored
//! privately under `forms/<form id>/<answer id>/` and only then does the answer carry it. A
//! refusal is a field error like any other and stores nothing; the uploads stay for the citizen
//! to try again until the bucket's lifecycle rule removes them (a day).

use super::{FormDesk, FormDeskError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tayori_domain::form::{
    AnswerProblem, Field, FieldError, FieldErrors, FieldKind, FileRef, FileType, Form, FormId,
};
use tayori_images::{form_photo, picture_format, Format};
use tayori_ports::{CitizenUploads, ObjectKey, PresignedUpload};

/// Where the LIFF form's uploads land; the bucket's lifecycle rule removes them after a day.
pub const FORM_UPLOAD_PREFIX: &str = "uploads/forms/";
/// Where the files of answers are kept (private: staff see them through short-lived URLs).
pub const FORM_FILE_PREFIX: &str = "forms/";
/// How long a presigned upload may be used: long enough for a slow phone connection, short
/// enough that a leaked URL is soon worthless.
pub const FORM_UPLOAD_LIFE: Duration = Duration::from_secs(10 * 60);
/// A file's name as staff see it, in characters (the rest is cut).
pub const MAX_FILE_NAME_CHARS: usize = 100;
const UPLOADS: CitizenUploads = CitizenUploads::new(FORM_UPLOAD_PREFIX, "form-upload-owner");
/// How every PDF starts (ISO 32000-1, 7.5.2).
const PDF_HEADER: &[u8] = b"%PDF-";

/// Where and how the browser uploads one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileUpload {
    /// What the page names the file by when it sends the answer (and keeps in the draft).
    pub key: String,
    pub upload: PresignedUpload,
}

/// One upload as the page names it when sending: the key it was given and the file's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub key: String,
    #[serde(default)]
    pub name: String,
}

/// The files of an answer, received and stored, and what is left to tidy either way.
pub(super) struct Received {
    pub files: BTreeMap<String, Vec<FileRef>>,
    /// The private copies: removed when the answer is then refused.
    pub stored: Vec<ObjectKey>,
    /// The citizen's uploads: removed once the answer is stored.
    pub uploads: Vec<ObjectKey>,
}

fn refused(field: &Field, problem: AnswerProblem) -> FieldErrors {
    FieldErrors(vec![FieldError {
        field: field.id.as_str().to_string(),
        label: Some(field.label.clone()),
        problem,
    }])
}

fn type_names(types: &[FileType]) -> String {
    types
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join("・")
}

/// The field's file limits when `field_id` is a photo/file field citizens answer.
fn file_field<'f>(
    form: &'f Form,
    field_id: &str,
) -> Result<(&'f Field, &'f [FileType], u64, u32), FieldErrors> {
    let field = form
        .citizen_fields()
        .find(|f| f.id.as_str() == field_id)
        .ok_or_else(|| {
            FieldErrors(vec![FieldError {
                field: field_id.chars().take(64).collect(),
                label: None,
                problem: AnswerProblem::UnknownField,
            }])
        })?;
    match &field.kind {
        FieldKind::File {
            types,
            max_bytes,
            max_files,
        } => Ok((field, types, *max_bytes, *max_files)),
        _ => Err(refused(field, AnswerProblem::TakesNoAnswer)),
    }
}

/// The name staff see: the citizen's, without any folder, within [`MAX_FILE_NAME_CHARS`].
fn file_name(given: &str, kind: FileType, number: usize) -> String {
    let base = given.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let base: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    if base.is_empty() {
        let extension = match kind {
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Pdf => "pdf",
        };
        format!("添付{number}.{extension}")
    } else {
        base
    }
}

/// What the upload is by its first bytes, and its content as stored: a photo encoded again
/// (upright, without Exif), a PDF as it came.
async fn by_content(bytes: Vec<u8>, max_bytes: u64) -> Result<(FileType, Vec<u8>), AnswerProblem> {
    if bytes.starts_with(PDF_HEADER) {
        return Ok((FileType::Pdf, bytes));
    }
    let Some(format) = picture_format(&bytes) else {
        return Err(AnswerProblem::FileUnreadable(
            "JPEG・PNGの画像かPDFのファイルではありません。".into(),
        ));
    };
    let limit = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    // Decoding a 2048-pixel photo is CPU work: off the async workers. A decoder that panics
    // on a crafted file has met an unreadable image.
    let photo = tokio::task::spawn_blocking(move || form_photo(&bytes, limit))
        .await
        .unwrap_or(Err(tayori_images::ImageProblem::Unreadable))
        .map_err(|p| AnswerProblem::FileUnreadable(p.to_string()))?;
    let kind = match format {
        Format::Jpeg => FileType::Jpeg,
        Format::Png => FileType::Png,
    };
    Ok((kind, photo.bytes))
}

impl FormDesk {
    /// A presigned PUT for one file of `bytes` bytes of `content_type` for `field` of a
    /// published form, under a fresh key in `user_id`'s upload folder. The field's type and
    /// size limit are checked before anything is signed (and again by content at sending).
    pub async fn presign_file(
        &self,
        id: &FormId,
        field: &str,
        user_id: &str,
        content_type: &str,
        bytes: u64,
    ) -> Result<FileUpload, FormDeskError> {
        let stored = self.published(id).await?;
        let (field, types, max_bytes, _) = file_field(&stored.form, field)?;
        let Some(kind) = FileType::from_mime(content_type).filter(|t| types.contains(t)) else {
            return Err(refused(field, AnswerProblem::FileType(type_names(types))).into());
        };
        if bytes > max_bytes {
            let limit = tayori_domain::form::format_bytes(max_bytes);
            return Err(refused(field, AnswerProblem::FileTooBig(limit)).into());
        }
        let keys = self.index_keys.keys().await?;
        let key = UPLOADS.key_for(&keys, user_id, &uuid::Uuid::new_v4().simple().to_string());
        let object = ObjectKey::new(key.clone())?;
        let upload = self
            .objects
            .presign_put(&object, kind.mime(), max_bytes as usize, FORM_UPLOAD_LIFE)
            .await?;
        Ok(FileUpload { key, upload })
    }

    /// Reads, checks and stores the uploads named for `form`'s file fields (see the module's
    /// doc). On a refusal, whatever was stored is removed again.
    pub(super) async fn receive_files(
        &self,
        form: &Form,
        user_id: &str,
        answer_id: &str,
        given: &BTreeMap<String, Vec<UploadedFile>>,
    ) -> Result<Received, FormDeskError> {
        let mut received = Received {
            files: BTreeMap::new(),
            stored: Vec::new(),
            uploads: Vec::new(),
        };
        if given.values().all(Vec::is_empty) {
            return Ok(received);
        }
        let keys = self.index_keys.keys().await?;
        let mut errors = Vec::new();
        for (field_id, uploads) in given.iter().filter(|(_, u)| !u.is_empty()) {
            let outcome = self
                .receive_field(
                    form,
                    field_id,
                    user_id,
                    answer_id,
                    uploads,
                    &keys,
                    &mut received,
                )
                .await;
            match outcome {
                Ok(()) => {}
                Err(FormDeskError::Values(e)) => errors.extend(e.0),
                Err(e) => {
                    self.forget(&received.stored).await;
                    return Err(e);
                }
            }
        }
        if errors.is_empty() {
            Ok(received)
        } else {
            self.forget(&received.stored).await;
            Err(FieldErrors(errors).into())
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn receive_field(
        &self,
        form: &Form,
        field_id: &str,
        user_id: &str,
        answer_id: &str,
        uploads: &[UploadedFile],
        keys: &tayori_ports::IndexKeys,
        received: &mut Received,
    ) -> Result<(), FormDeskError> {
        let (field, types, max_bytes, max_files) = file_field(form, field_id)?;
        if uploads.len() > max_files as usize {
            return Err(refused(field, AnswerProblem::TooManyFiles(max_files)).into());
        }
        let mut seen = BTreeSet::new();
        if !uploads.iter().all(|u| seen.insert(u.key.as_str())) {
            return Err(refused(field, AnswerProblem::FileRepeated).into());
        }
        let mut files = Vec::with_capacity(uploads.len());
        for (i, upload) in uploads.iter().enumerate() {
            let not_received = || refused(field, AnswerProblem::FileNotReceived);
            let key = UPLOADS
                .owned(keys, user_id, &upload.key)
                .ok_or_else(not_received)?;
            let object = self.objects.get(&key).await?.ok_or_else(not_received)?;
            if object.bytes.len() as u64 > max_bytes {
                let limit = tayori_domain::form::format_bytes(max_bytes);
                return Err(refused(field, AnswerProblem::FileTooBig(limit)).into());
            }
            let (kind, content) = by_content(object.bytes, max_bytes)
                .await
                .map_err(|p| refused(field, p))?;
            if !types.contains(&kind) {
                return Err(refused(field, AnswerProblem::FileType(type_names(types))).into());
            }
            let name = file_name(&upload.name, kind, i + 1);
            let stored_key = format!(
                "{FORM_FILE_PREFIX}{}/{answer_id}/{}",
                form.id(),
                uuid::Uuid::new_v4().simple()
            );
            let stored = ObjectKey::new(stored_key.clone())?;
            let bytes = content.len() as u64;
            self.objects.put(&stored, content, kind.mime()).await?;
            received.stored.push(stored);
            received.uploads.push(key);
            files.push(FileRef {
                key: stored_key,
                name,
                content_type: kind.mime().to_string(),
                bytes,
            });
        }
        received.files.insert(field_id.to_string(), files);
        Ok(())
    }

    /// Removes objects nobody will point at (stored files of a refused answer, uploads of a
    /// stored one); a failure only leaves them for the lifecycle rule or a later tidy.
    pub(super) async fn forget(&self, keys: &[ObjectKey]) {
        for key in keys {
            if let Err(e) = self.objects.delete(key).await {
                tracing::warn!(key = %key, error = %e, "form file not removed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_loses_its_folders_and_control_characters_and_has_a_stand_in() {
        assert_eq!(
            file_name("C:\\Users\\me\\領収書.pdf", FileType::Pdf, 1),
            "領収書.pdf"
        );
        assert_eq!(file_name("../../a\u{0}b.png", FileType::Png, 1), "ab.png");
        assert_eq!(file_name("  ", FileType::Jpeg, 2), "添付2.jpg");
        assert_eq!(
            file_name(&"あ".repeat(300), FileType::Jpeg, 1)
                .chars()
                .count(),
            MAX_FILE_NAME_CHARS
        );
    }
}
