//! The composer's form in the console: the post read as the composer's form
//! (`tayori_deliveries::composer`, where what the form composes is decided), and the pictures
//! it names or uploads stored under the draft's media folder.

use crate::pages::disaster::templates::{self, Template};
use crate::ui::form::Problems;
use crate::AdminState;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::RequestExt;
use tayori_deliveries::composer::{self, Applied, ComposeFailure, Composed, SlotPicture};
use tayori_domain::delivery::{Bubble, Delivery, StoredImage, MAX_BUBBLES};
use tayori_domain::segment::SegmentItems;
use tayori_images::ImageProblem;
use tayori_ports::{ObjectError, ObjectKey};

/// Where a draft's pictures are stored; a form may name only pictures under its draft's own.
pub(super) fn media_prefix(id: &str) -> String {
    format!("media/deliveries/{id}/")
}

/// A new draft's form filled from a ひな形: its title and category, and its text as the first
/// bubble.
pub(super) fn from_template(t: &Template) -> Composed {
    let mut form = Composed::default();
    form.set("title", t.title);
    form.set("category", templates::CATEGORY);
    form.set("kind0", "text");
    form.set("text0", t.text);
    form.set("target", "all");
    form
}

/// The composer's multipart post, not yet read. Built as axum's own `Multipart` extractor is
/// (the body under the console's `DefaultBodyLimit`, a post without a boundary refused the
/// same way), but as `multer`'s, which `composer::read` takes.
pub struct Post(multer::Multipart<'static>);

impl<S: Send + Sync> FromRequest<S> for Post {
    type Rejection = (StatusCode, &'static str);

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let boundary = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|content_type| multer::parse_boundary(content_type).ok())
            .ok_or((
                StatusCode::BAD_REQUEST,
                "Invalid `boundary` for `multipart/form-data` request",
            ))?;
        let body = req.with_limited_body().into_body();
        Ok(Post(multer::Multipart::new(
            body.into_data_stream(),
            boundary,
        )))
    }
}

pub(super) async fn read(post: Post) -> Result<Composed, ComposeFailure> {
    composer::read(post.0).await
}

/// The composition the form makes of draft `d`; pictures are stored as they come. Problems
/// are per field; the form is brought in line with the draft's pictures, so that showing it
/// again names them.
pub(super) async fn apply(
    state: &AdminState,
    d: &Delivery,
    form: &mut Composed,
    items: &SegmentItems,
    problems: &mut Problems,
) -> Result<Applied, ObjectError> {
    let pictures = Pictures::of(state, d);
    let mut slots = Vec::with_capacity(MAX_BUBBLES);
    for n in 0..MAX_BUBBLES {
        let kept = pictures.named(&form.slot("image", n)).await?;
        let uploaded = match form.file(n) {
            Some(bytes) => Some(store_image(state, d.id(), bytes).await?),
            None => None,
        };
        slots.push(SlotPicture { kept, uploaded });
    }
    let applied = composer::apply(form, slots, items);
    for problem in &applied.problems {
        problems.add(&problem.field, problem.message.clone());
    }
    Ok(applied)
}

/// The pictures a form may name for a draft: the draft's own, and those uploaded for it with a
/// save that was refused (stored under its media folder, in the draft not yet). A forged form
/// cannot send any other object in the bucket to LINE.
struct Pictures<'a> {
    state: &'a AdminState,
    prefix: String,
    stored: Vec<StoredImage>,
}

impl<'a> Pictures<'a> {
    fn of(state: &'a AdminState, d: &Delivery) -> Self {
        Self {
            state,
            prefix: media_prefix(d.id()),
            stored: d
                .bubbles()
                .iter()
                .filter_map(Bubble::image)
                .cloned()
                .collect(),
        }
    }

    async fn named(&self, original: &str) -> Result<Option<StoredImage>, ObjectError> {
        if original.is_empty() {
            return Ok(None);
        }
        if let Some(image) = self.stored.iter().find(|i| i.original == original) {
            return Ok(Some(image.clone()));
        }
        // Only a name this module gives an upload: `<32 hex digits>.<jpg|png>`.
        let generated = original
            .strip_prefix(&self.prefix)
            .and_then(|name| name.rsplit_once('.'))
            .filter(|(stem, extension)| {
                stem.len() == 32
                    && stem.bytes().all(|b| b.is_ascii_hexdigit())
                    && IMAGE_EXTENSIONS.contains(extension)
            });
        let Some((stem, _)) = generated else {
            return Ok(None);
        };
        let uploaded = self.state.platform.objects.list(&self.prefix).await?;
        let has = |key: &str| uploaded.iter().any(|k| k.as_str() == key);
        let preview = IMAGE_EXTENSIONS
            .iter()
            .map(|ext| format!("{}{stem}-preview.{ext}", self.prefix))
            .find(|key| has(key));
        Ok(preview
            .filter(|_| has(original))
            .map(|preview| StoredImage {
                original: original.to_string(),
                preview,
            }))
    }
}

/// The extensions `tayori_images` stores pictures with.
const IMAGE_EXTENSIONS: [&str; 2] = ["jpg", "png"];

/// Makes the upload ready for LINE (`tayori_images::prepare`) and stores the original and its
/// preview under the draft's media folder; `Ok(Err)` is a problem with the file the clerk can
/// fix, `Err` a storage failure.
async fn store_image(
    state: &AdminState,
    id: &str,
    bytes: &[u8],
) -> Result<Result<StoredImage, ImageProblem>, ObjectError> {
    let prepared = match tayori_images::prepare(bytes) {
        Ok(p) => p,
        Err(problem) => return Ok(Err(problem)),
    };
    let name = uuid::Uuid::new_v4().simple();
    let (original, preview) = (prepared.original, prepared.preview);
    let prefix = media_prefix(id);
    let image = StoredImage {
        original: format!("{prefix}{name}.{}", original.format.extension()),
        preview: format!("{prefix}{name}-preview.{}", preview.format.extension()),
    };
    for (key, encoded) in [(&image.original, original), (&image.preview, preview)] {
        let object_key = ObjectKey::new(key.clone()).expect("generated keys are valid");
        state
            .platform
            .objects
            .put(&object_key, encoded.bytes, encoded.format.content_type())
            .await?;
    }
    Ok(Ok(image))
}
