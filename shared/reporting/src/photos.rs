//! Storing a report photo that is already checked and re-encoded (without Exif) by
//! `tayori_images`: the photo under a private key (staff see it through short-lived presigned
//! URLs), its thumbnail under `media/`, which LINE may fetch for the status push.

use tayori_domain::report::PhotoRef;
use tayori_images::Encoded;
use tayori_ports::{ObjectError, ObjectKey, ObjectStore};

/// Where report photos are kept (private).
pub const PHOTO_PREFIX: &str = "reports/photos/";
/// Where their thumbnails are kept (public, for LINE).
pub const THUMBNAIL_PREFIX: &str = "media/reports/";

#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("写真を保存できませんでした。しばらくしてからもう一度送ってください。")]
    Store(#[from] ObjectError),
}

/// Stores `photo` and `thumbnail` under one fresh name and answers the report's reference.
pub async fn store_encoded(
    objects: &dyn ObjectStore,
    photo: &Encoded,
    thumbnail: &Encoded,
) -> Result<PhotoRef, PhotoError> {
    let name = uuid::Uuid::new_v4().simple().to_string();
    let key = format!("{PHOTO_PREFIX}{name}.{}", photo.format.extension());
    let thumbnail_key = format!("{THUMBNAIL_PREFIX}{name}.{}", thumbnail.format.extension());
    objects
        .put(
            &ObjectKey::new(key.clone())?,
            photo.bytes.clone(),
            photo.format.content_type(),
        )
        .await?;
    objects
        .put(
            &ObjectKey::new(thumbnail_key.clone())?,
            thumbnail.bytes.clone(),
            thumbnail.format.content_type(),
        )
        .await?;
    Ok(PhotoRef {
        key,
        thumbnail_key,
        width: photo.width,
        height: photo.height,
    })
}

/// Whether `photo` names keys this module makes (a LIFF form sends the references back; it
/// must not point a report at any other object).
pub fn is_report_photo(photo: &PhotoRef) -> bool {
    let named = |key: &str, prefix: &str| {
        key.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty() && !rest.contains('/') && ObjectKey::new(key).is_ok()
        })
    };
    named(&photo.key, PHOTO_PREFIX) && named(&photo.thumbnail_key, THUMBNAIL_PREFIX)
}
