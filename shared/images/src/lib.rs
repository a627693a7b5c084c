//! Photos made ready for LINE.
//!
//! LINE fetches a message's images itself: the original (JPEG or PNG, at most 10 MB) when the
//! citizen opens it, and a preview (at most 1 MB) for the chat. Staff upload whatever their
//! camera or phone produced, so every upload is decoded, turned upright by its Exif orientation
//! (phones store photos sideways and rely on the tag), shrunk to what a phone screen shows, and
//! encoded again. Encoding again also drops the Exif metadata, such as where a photo was taken,
//! which the city should not publish by accident.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use std::borrow::Cow;
use std::io::Cursor;

/// Largest upload accepted. API Gateway hands a Lambda at most 6 MB, and a file travels in it
/// base64-encoded (4/3 larger) together with the rest of the form.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;
/// Pictures with more pixels are refused before decoding, so a small file that claims to be
/// enormous cannot exhaust the function's memory. A 48-megapixel phone photo still passes.
pub const MAX_PIXELS: u64 = 50_000_000;
/// Long side of the image a citizen sees when they open it.
pub const ORIGINAL_SIDE: u32 = 2048;
/// Long side of the preview: shown in the chat, and the picture of a Flex bubble, which LINE
/// limits to 1024 × 1024 pixels.
pub const PREVIEW_SIDE: u32 = 1024;
/// LINE's limits for the two URLs of an image message.
pub const MAX_ORIGINAL_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_PREVIEW_BYTES: usize = 1024 * 1024;
/// JPEG qualities tried in turn until the preview fits in LINE's 1 MB; the first almost always does.
const JPEG_QUALITIES: [u8; 4] = [85, 70, 50, 30];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }
}

/// An encoded picture ready to store.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// What LINE needs for one image message.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub original: Encoded,
    pub preview: Encoded,
}

/// Why an upload cannot be used, in words a clerk can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageProblem {
    #[error("JPEGかPNGの画像を選んでください。")]
    NotJpegOrPng,
    #[error("画像が大きすぎます（{:.1}MB）。4MB以内にしてください。", *.0 as f64 / 1_048_576.0)]
    TooLarge(usize),
    #[error("画像の画素数が多すぎます（{0}×{1}）。5000万画素以内にしてください。")]
    TooManyPixels(u32, u32),
    #[error("画像ファイルが壊れているか、読み取れません。")]
    Unreadable,
}

/// Checks an upload and makes the original and the preview LINE will fetch.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, ImageProblem> {
    let format = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => Format::Jpeg,
        Ok(imagesize::ImageType::Png) => Format::Png,
        _ => return Err(ImageProblem::NotJpegOrPng),
    };
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ImageProblem::TooLarge(bytes.len()));
    }
    let size = imagesize::blob_size(bytes).map_err(|_| ImageProblem::Unreadable)?;
    let (width, height) = (size.width as u32, size.height as u32);
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageProblem::TooManyPixels(width, height));
    }
    let picture = decode_upright(bytes, format)?;
    let large = fit(&picture, ORIGINAL_SIDE);
    let mut original = encode(&large, format, JPEG_QUALITIES[0]);
    if original.bytes.len() > MAX_ORIGINAL_BYTES {
        // A detailed photo saved as PNG can stay over LINE's limit even when shrunk.
        original = encode(&large, Format::Jpeg, JPEG_QUALITIES[0]);
    }
    let small = fit(&picture, PREVIEW_SIDE);
    let mut preview = encode(&small, Format::Jpeg, JPEG_QUALITIES[0]);
    for quality in &JPEG_QUALITIES[1..] {
        if preview.bytes.len() <= MAX_PREVIEW_BYTES {
            break;
        }
        preview = encode(&small, Format::Jpeg, *quality);
    }
    Ok(Prepared { original, preview })
}

fn decode_upright(bytes: &[u8], format: Format) -> Result<DynamicImage, ImageProblem> {
    let mut reader = ImageReader::with_format(
        Cursor::new(bytes),
        match format {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
        },
    );
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| ImageProblem::Unreadable)?;
    // A broken Exif block only loses the rotation, not the picture.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|_| ImageProblem::Unreadable)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// The picture shrunk so its long side is at most `side`; never enlarged.
fn fit(picture: &DynamicImage, side: u32) -> Cow<'_, DynamicImage> {
    if picture.width().max(picture.height()) <= side {
        Cow::Borrowed(picture)
    } else {
        Cow::Owned(picture.resize(side, side, FilterType::Triangle))
    }
}

/// `quality` is for JPEG; PNG is lossless.
fn encode(picture: &DynamicImage, format: Format, quality: u8) -> Encoded {
    let mut bytes = Vec::new();
    let written = match format {
        Format::Jpeg => {
            on_white(picture).write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, quality))
        }
        Format::Png => {
            let eight_bit = if picture.color().has_alpha() {
                DynamicImage::ImageRgba8(picture.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(picture.to_rgb8())
            };
            eight_bit.write_with_encoder(PngEncoder::new(&mut bytes))
        }
    };
    written.expect("encoding 8-bit RGB or RGBA into memory cannot fail");
    Encoded {
        bytes,
        format,
        width: picture.width(),
        height: picture.height(),
    }
}

/// JPEG has no transparency: transparent parts become white, as on a printed notice.
fn on_white(picture: &DynamicImage) -> DynamicImage {
    if !picture.color().has_alpha() {
        return DynamicImage::ImageRgb8(picture.to_rgb8());
    }
    let rgba = picture.to_rgba8();
    let flat = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    });
    DynamicImage::ImageRgb8(flat)
}

/// Photos as phones store them, for tests here and in the console.
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    use image::codecs::jpeg::JpegEncoder;
    use image::{ImageEncoder, Rgb, RgbImage, Rgba};

    /// Text in the fixture's Exif block, standing in for where the photo was taken.
    pub const PLACE: &[u8] = b"35.4955N135.7466E";

    /// A little-endian Exif block with the orientation tag and a second entry standing in for
    /// the GPS data a phone writes (ImageDescription "35.4955N135.7466E").
    fn exif(orientation: u8) -> Vec<u8> {
        let text = [PLACE, b"\0"].concat();
        let mut exif = b"II\x2a\0\x08\0\0\0\x02\0".to_vec();
        exif.extend_from_slice(&[0x0e, 0x01, 2, 0, text.len() as u8, 0, 0, 0, 38, 0, 0, 0]);
        exif.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0]);
        exif.extend_from_slice(&[0, 0, 0, 0]);
        exif.extend_from_slice(&text);
        exif
    }

    /// A landscape photo, red on the left half and blue on the right, stored as a phone does.
    pub fn phone_photo(width: u32, height: u32, orientation: u8) -> Vec<u8> {
        let pixels = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([220, 20, 20])
            } else {
                Rgb([20, 20, 220])
            }
        });
        let mut bytes = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 90);
        encoder.set_exif_metadata(exif(orientation)).unwrap();
        encoder
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        bytes
    }

    /// The fixture's red, through JPEG's loss.
    pub fn is_red(p: Rgba<u8>) -> bool {
        p.0[0] > 150 && p.0[2] < 80
    }

    /// The fixture's blue, through JPEG's loss.
    pub fn is_blue(p: Rgba<u8>) -> bool {
        p.0[2] > 150 && p.0[0] < 80
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{is_blue, is_red, phone_photo, PLACE};
    use super::*;
    use image::{GenericImageView, ImageEncoder, RgbImage, Rgba, RgbaImage};

    fn decoded(e: &Encoded) -> DynamicImage {
        image::load_from_memory(&e.bytes).unwrap()
    }

    #[test]
    fn a_sideways_phone_photo_comes_out_upright_shrunk_and_without_its_exif() {
        let upload = phone_photo(3000, 2000, 6); // 6: turn 90° clockwise to view
        assert!(upload.windows(PLACE.len()).any(|w| w == PLACE));

        let prepared = prepare(&upload).unwrap();

        let original = decoded(&prepared.original);
        assert_eq!(prepared.original.format, Format::Jpeg);
        assert_eq!(original.height(), ORIGINAL_SIDE);
        assert!(
            (1365..=1366).contains(&original.width()),
            "{}",
            original.width()
        );
        // Turned clockwise, the left (red) half is now on top.
        assert!(is_red(original.get_pixel(original.width() / 2, 100)));
        assert!(is_blue(original.get_pixel(original.width() / 2, 1900)));
        for encoded in [&prepared.original, &prepared.preview] {
            assert!(!encoded.bytes.windows(4).any(|w| w == b"Exif"));
            assert!(!encoded.bytes.windows(PLACE.len()).any(|w| w == PLACE));
        }

        let preview = decoded(&prepared.preview);
        assert_eq!(preview.height(), PREVIEW_SIDE);
        assert_eq!(
            (prepared.preview.width, prepared.preview.height),
            (preview.width(), preview.height())
        );
        assert!(prepared.preview.bytes.len() <= MAX_PREVIEW_BYTES);
        assert!(is_red(preview.get_pixel(preview.width() / 2, 10)));
    }

    #[test]
    fn a_small_png_keeps_its_size_format_and_transparency_and_its_preview_is_white_behind() {
        let pixels = RgbaImage::from_fn(600, 400, |x, _| {
            if x < 300 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([20, 20, 220, 255])
            }
        });
        let mut upload = Vec::new();
        PngEncoder::new(&mut upload)
            .write_image(&pixels, 600, 400, image::ExtendedColorType::Rgba8)
            .unwrap();

        let prepared = prepare(&upload).unwrap();

        assert_eq!(prepared.original.format, Format::Png);
        let original = decoded(&prepared.original);
        assert_eq!((original.width(), original.height()), (600, 400));
        assert_eq!(original.get_pixel(10, 10).0[3], 0);
        assert_eq!(prepared.preview.format, Format::Jpeg);
        let preview = decoded(&prepared.preview);
        assert_eq!(
            (preview.width(), preview.height()),
            (600, 400),
            "never enlarged"
        );
        let background = preview.get_pixel(10, 10).0;
        assert!(background[..3].iter().all(|&c| c > 240), "{background:?}");
        assert!(is_blue(preview.get_pixel(590, 10)));
    }

    #[test]
    fn a_picture_too_busy_for_the_usual_quality_still_gets_a_preview_within_1_mb() {
        // Noise: the worst case for JPEG, over 1 MB at the usual quality at this size.
        let mut seed = 0x2545_f491_u32;
        let pixels = RgbImage::from_fn(1100, 1100, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [r, g, b, _] = seed.to_le_bytes();
            image::Rgb([r, g, b])
        });
        let mut upload = Vec::new();
        PngEncoder::new(&mut upload)
            .write_image(&pixels, 1100, 1100, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert!(upload.len() <= MAX_UPLOAD_BYTES);
        let usual = encode(
            &fit(&DynamicImage::ImageRgb8(pixels), PREVIEW_SIDE),
            Format::Jpeg,
            JPEG_QUALITIES[0],
        );
        assert!(
            usual.bytes.len() > MAX_PREVIEW_BYTES,
            "{}",
            usual.bytes.len()
        );

        let prepared = prepare(&upload).unwrap();
        assert!(prepared.preview.bytes.len() <= MAX_PREVIEW_BYTES);
        assert_eq!(prepared.preview.width, PREVIEW_SIDE);
    }

    #[test]
    fn uploads_that_cannot_be_used_are_refused_with_what_to_do() {
        assert_eq!(
            prepare("お知らせ".as_bytes()).unwrap_err(),
            ImageProblem::NotJpegOrPng
        );
        assert_eq!(
            prepare(b"GIF89a\x01\0\x01\0\0\0\0").unwrap_err(),
            ImageProblem::NotJpegOrPng
        );

        let photo = phone_photo(64, 48, 1);
        let mut padded = photo.clone();
        padded.resize(MAX_UPLOAD_BYTES + 1, 0);
        let too_large = prepare(&padded).unwrap_err();
        assert_eq!(too_large, ImageProblem::TooLarge(MAX_UPLOAD_BYTES + 1));
        assert_eq!(
            too_large.to_string(),
            "画像が大きすぎます（4.0MB）。4MB以内にしてください。"
        );

        assert_eq!(
            prepare(&photo[..photo.len() / 2]).unwrap_err(),
            ImageProblem::Unreadable
        );

        // A tiny PNG whose header claims 20000 × 20000 pixels.
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(&[0; 3], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert_eq!(
            prepare(&png).unwrap_err(),
            ImageProblem::TooManyPixels(20_000, 20_000)
        );
    }
}
