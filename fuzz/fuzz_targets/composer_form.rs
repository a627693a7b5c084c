//! The composer's multipart post (配信の作成画面) as the console reads it and makes a draft of
//! it: `tayori_deliveries::composer::read` over multer, then `apply` with 小浜市's default
//! segment items. Each uploaded file stands for a stored picture when it starts like a JPEG or
//! PNG and for an upload problem otherwise (decoding is the `images` target's); a kept picture
//! is one named under the draft's media folder. What is not refused is composed into a draft,
//! checked as on submit, and written back into the form as the page shows it again.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use std::convert::Infallible;
use tayori_deliveries::composer::{self, Composed, SlotPicture};
use tayori_domain::delivery::{Delivery, StoredImage, MAX_BUBBLES};
use tayori_domain::segment::SegmentItems;
use tayori_images::ImageProblem;

/// The boundary every input is read with (the seeds use it).
const BOUNDARY: &str = "----tayori-fuzz-boundary";
const MEDIA: &str = "media/deliveries/0123456789abcdef0123456789abcdef/";

fn stored(name: &str, extension: &str) -> StoredImage {
    StoredImage {
        original: format!("{MEDIA}{name}.{extension}"),
        preview: format!("{MEDIA}{name}-preview.{extension}"),
    }
}

fn pictures(form: &Composed) -> Vec<SlotPicture<ImageProblem>> {
    (0..MAX_BUBBLES)
        .map(|n| {
            let named = form.slot("image", n);
            SlotPicture {
                kept: named.starts_with(MEDIA).then(|| StoredImage {
                    original: named.clone(),
                    preview: format!("{named}-preview"),
                }),
                uploaded: form.file(n).map(|bytes| {
                    tayori_images::picture_format(bytes)
                        .map(|format| stored(&format!("upload{n}"), format.extension()))
                        .ok_or(ImageProblem::NotJpegOrPng)
                }),
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let body = bytes::Bytes::copy_from_slice(data);
    let stream = futures::stream::once(async move { Ok::<_, Infallible>(body) });
    let multipart = multer::Multipart::new(stream, BOUNDARY);
    let mut form = match futures::executor::block_on(composer::read(multipart)) {
        Ok(form) => form,
        Err(failure) => {
            let _ = failure.to_string();
            return;
        }
    };
    let items = SegmentItems::obama_defaults();
    let pictures = pictures(&form);
    let applied = composer::apply(&mut form, pictures, &items);
    for problem in &applied.problems {
        assert!(!problem.message.is_empty(), "{problem:?}");
    }
    let _ = applied.composition.target.describe(&items);
    if applied.refused {
        return;
    }
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap();
    let mut draft = Delivery::draft(MEDIA[17..49].to_string(), "clerk", now);
    match draft.compose(applied.composition, now) {
        Ok(()) => {
            if let Err(e) = draft.validate() {
                let _ = e.to_string();
            }
            let _ = Composed::from_delivery(&draft);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
