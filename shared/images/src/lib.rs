//! Photos made ready for LINE.
//!
//! LINE fetches a message's images itself: the original (JPEG or PNG, at most 10 MB) when the
//! citizen opens it, and a preview (at most 1 MB) for the chat. Staff upload whatever their
//! camera or phone produced, so every upload is decoded, turned upright by its Exif orientation
//! (phones store photos sideways and rely on the tag), shrunk to what a phone screen shows, and
//! encoded again. Encoding again also drops the Exif metadata, such as where a photo was taken,
//! which the city should not publish by accident.
//!
//! Citizens' report photos (通報の写真, [`report_photo`]) take the same path with LINE's limit
//! for what a citizen sends (10 MB) and always come out as JPEG without any metadata: a phone
//! writes where the citizen stood into the photo, and staff, exports and the citizen's own
//! receipt must not carry it.

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
/// Largest report photo accepted: LINE keeps a citizen's original image up to 10 MB, and the
/// LIFF form's upload is held to the same.
pub const MAX_REPORT_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Long side of a report photo as staff see it.
pub const REPORT_PHOTO_SIDE: u32 = 2048;
/// Long side of a report's thumbnail: the list, and the hero image of the Flex message that
/// tells the citizen about their report (which LINE limits to 1 MB).
pub const REPORT_THUMBNAIL_SIDE: u32 = 480;
pub const MAX_REPORT_THUMBNAIL_BYTES: usize = 1024 * 1024;
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

/// A citizen's report photo, ready to store: both JPEG, neither with any metadata.
#[derive(Clone, Debug)]
pub struct ReportPhoto {
    pub photo: Encoded,
    pub thumbnail: Encoded,
}

/// Why an upload cannot be used, in words a clerk (or, for a report photo, a citizen) can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageProblem {
    #[error("JPEGかPNGの画像を選んでください。")]
    NotJpegOrPng,
    /// `limit` is the one that applied: 4 MB for staff uploads, 10 MB for report photos.
    #[error(
        "画像が大きすぎます（{:.1}MB）。{}MB以内にしてください。",
        *.bytes as f64 / 1_048_576.0,
        .limit / 1_048_576
    )]
    TooLarge { bytes: usize, limit: usize },
    #[error("画像の画素数が多すぎます（{0}×{1}）。5000万画素以内にしてください。")]
    TooManyPixels(u32, u32),
    #[error("画像ファイルが壊れているか、読み取れません。")]
    Unreadable,
}

/// Checks an upload and makes the original and the preview LINE will fetch.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, ImageProblem> {
    let format = checked(bytes, MAX_UPLOAD_BYTES)?;
    let picture = decode_upright(bytes, format)?;
    let large = fit(&picture, ORIGINAL_SIDE);
    let mut original = encode(&large, format, JPEG_QUALITIES[0]);
    if original.bytes.len() > MAX_ORIGINAL_BYTES {
        // A detailed photo saved as PNG can stay over LINE's limit even when shrunk.
        original = encode(&large, Format::Jpeg, JPEG_QUALITIES[0]);
    }
    let preview = within(&fit(&picture, PREVIEW_SIDE), MAX_PREVIEW_BYTES);
    Ok(Prepared { original, preview })
}

/// Checks a citizen's report photo (JPEG or PNG by its content, whatever its name, at most
/// [`MAX_REPORT_PHOTO_BYTES`], no more than [`MAX_PIXELS`] claimed before anything is decoded)
/// and makes the photo staff see and the thumbnail: upright, shrunk, JPEG, without Exif.
pub fn report_photo(bytes: &[u8]) -> Result<ReportPhoto, ImageProblem> {
    let format = checked(bytes, MAX_REPORT_PHOTO_BYTES)?;
    let picture = decode_upright(bytes, format)?;
    let photo = encode(
        &fit(&picture, REPORT_PHOTO_SIDE),
        Format::Jpeg,
        JPEG_QUALITIES[0],
    );
    let thumbnail = within(
        &fit(&picture, REPORT_THUMBNAIL_SIDE),
        MAX_REPORT_THUMBNAIL_BYTES,
    );
    Ok(ReportPhoto { photo, thumbnail })
}

/// The picture format an upload is by its content (its first bytes), whatever it was named or
/// labelled: `None` for anything but JPEG and PNG.
pub fn picture_format(bytes: &[u8]) -> Option<Format> {
    match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => Some(Format::Jpeg),
        Ok(imagesize::ImageType::Png) => Some(Format::Png),
        _ => None,
    }
}

/// Checks a photo a citizen attached to a form (JPEG or PNG by its content, at most `limit`
/// bytes, the field's, no more than [`MAX_PIXELS`] claimed before anything is decoded) and
/// makes it upright, shrunk to [`REPORT_PHOTO_SIDE`] and encoded again in its own format:
/// without Exif (where it was taken), and a PNG stays a PNG since the field may take only PNG.
pub fn form_photo(bytes: &[u8], limit: usize) -> Result<Encoded, ImageProblem> {
    let format = checked(bytes, limit)?;
    let picture = decode_upright(bytes, format)?;
    Ok(encode(
        &fit(&picture, REPORT_PHOTO_SIDE),
        format,
        JPEG_QUALITIES[0],
    ))
}

/// The format of an upload whose size and claimed pixel count are within limits; nothing is
/// decoded yet, so a small file claiming enormous dimensions costs nothing.
fn checked(bytes: &[u8], limit: usize) -> Result<Format, ImageProblem> {
    let format = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => Format::Jpeg,
        Ok(imagesize::ImageType::Png) => Format::Png,
        _ => return Err(ImageProblem::NotJpegOrPng),
    };
    if bytes.len() > limit {
        return Err(ImageProblem::TooLarge {
            bytes: bytes.len(),
            limit,
        });
    }
    let size = imagesize::blob_size(bytes).map_err(|_| ImageProblem::Unreadable)?;
    let (width, height) = (size.width as u32, size.height as u32);
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageProblem::TooManyPixels(width, height));
    }
    Ok(format)
}

/// A JPEG of `picture` within `max_bytes`, at the best of the qualities that fits.
fn within(picture: &DynamicImage, max_bytes: usize) -> Encoded {
    let mut encoded = encode(picture, Format::Jpeg, JPEG_QUALITIES[0]);
    for quality in &JPEG_QUALITIES[1..] {
        if encoded.bytes.len() <= max_bytes {
            break;
        }
        encoded = encode(picture, Format::Jpeg, *quality);
    }
    encoded
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

    /// A little-endian Exif block as a phone writes it with location on: the orientation in
    /// IFD0 and a GPS IFD with where the photo was taken (35°29'43"N 135°44'48"E, 小浜市役所).
    fn gps_exif(orientation: u8) -> Vec<u8> {
        let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
            let mut e = tag.to_le_bytes().to_vec();
            e.extend_from_slice(&kind.to_le_bytes());
            e.extend_from_slice(&count.to_le_bytes());
            e.extend_from_slice(&value);
            e
        };
        const ASCII: u16 = 2;
        const SHORT: u16 = 3;
        const LONG: u16 = 4;
        const RATIONAL: u16 = 5;
        // Header (8), IFD0 at 8 (2 entries: 30 bytes), GPS IFD at 38 (4 entries: 54 bytes),
        // latitude at 92, longitude at 116.
        let mut exif = b"II\x2a\0\x08\0\0\0".to_vec();
        exif.extend_from_slice(&2u16.to_le_bytes());
        exif.extend(entry(0x0112, SHORT, 1, [orientation, 0, 0, 0]));
        exif.extend(entry(0x8825, LONG, 1, 38u32.to_le_bytes()));
        exif.extend_from_slice(&[0; 4]);
        exif.extend_from_slice(&4u16.to_le_bytes());
        exif.extend(entry(0x0001, ASCII, 2, *b"N\0\0\0"));
        exif.extend(entry(0x0002, RATIONAL, 3, 92u32.to_le_bytes()));
        exif.extend(entry(0x0003, ASCII, 2, *b"E\0\0\0"));
        exif.extend(entry(0x0004, RATIONAL, 3, 116u32.to_le_bytes()));
        exif.extend_from_slice(&[0; 4]);
        for part in [35u32, 29, 43, 135, 44, 48] {
            exif.extend_from_slice(&part.to_le_bytes());
            exif.extend_from_slice(&1u32.to_le_bytes());
        }
        exif
    }

    /// [`phone_photo`] taken with location on: its Exif holds a GPS IFD.
    pub fn photo_with_gps(width: u32, height: u32, orientation: u8) -> Vec<u8> {
        let pixels = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([220, 20, 20])
            } else {
                Rgb([20, 20, 220])
            }
        });
        let mut bytes = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 90);
        encoder.set_exif_metadata(gps_exif(orientation)).unwrap();
        encoder
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        bytes
    }

    /// The marker of every JPEG segment before the image data (APP1 = 0xE1 holds Exif).
    pub fn jpeg_segments(jpeg: &[u8]) -> Vec<u8> {
        let mut markers = Vec::new();
        let mut at = 2; // after SOI
        while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
            let marker = jpeg[at + 1];
            markers.push(marker);
            if marker == 0xDA {
                break; // start of scan: entropy-coded data follows
            }
            let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            at += 2 + length;
        }
        markers
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
    use super::fixtures::{is_blue, is_red, jpeg_segments, phone_photo, photo_with_gps, PLACE};
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
        assert_eq!(
            too_large,
            ImageProblem::TooLarge {
                bytes: MAX_UPLOAD_BYTES + 1,
                limit: MAX_UPLOAD_BYTES
            }
        );
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

    #[test]
    fn a_report_photo_with_gps_comes_out_upright_shrunk_and_without_any_exif_segment() {
        let upload = photo_with_gps(3000, 2000, 6);
        assert!(
            jpeg_segments(&upload).contains(&0xE1),
            "the fixture carries Exif"
        );
        let reader = ImageReader::with_format(Cursor::new(&upload), ImageFormat::Jpeg);
        let mut decoder = reader.into_decoder().unwrap();
        assert_eq!(
            decoder.orientation().unwrap(),
            Orientation::Rotate90,
            "the fixture's Exif is well formed"
        );

        let report = report_photo(&upload).unwrap();

        for encoded in [&report.photo, &report.thumbnail] {
            assert_eq!(encoded.format, Format::Jpeg);
            let segments = jpeg_segments(&encoded.bytes);
            assert!(
                !segments.contains(&0xE1),
                "no APP1 (Exif, XMP) segment: {segments:02x?}"
            );
            assert!(!encoded.bytes.windows(4).any(|w| w == b"Exif"));
        }
        let photo = decoded(&report.photo);
        assert_eq!(
            (photo.width(), photo.height()),
            (report.photo.width, REPORT_PHOTO_SIDE)
        );
        assert!(is_red(photo.get_pixel(photo.width() / 2, 100)), "upright");
        let thumbnail = decoded(&report.thumbnail);
        assert_eq!(thumbnail.height(), REPORT_THUMBNAIL_SIDE);
        assert!(
            (319..=321).contains(&thumbnail.width()),
            "{}",
            thumbnail.width()
        );
        assert!(report.thumbnail.bytes.len() <= MAX_REPORT_THUMBNAIL_BYTES);
    }

    #[test]
    fn a_report_photo_sent_as_png_becomes_a_jpeg_and_is_never_enlarged() {
        let pixels = RgbaImage::from_fn(300, 200, |_, _| Rgba([20, 20, 220, 255]));
        let mut upload = Vec::new();
        PngEncoder::new(&mut upload)
            .write_image(&pixels, 300, 200, image::ExtendedColorType::Rgba8)
            .unwrap();
        let report = report_photo(&upload).unwrap();
        assert_eq!(report.photo.format, Format::Jpeg);
        assert_eq!((report.photo.width, report.photo.height), (300, 200));
        assert_eq!(
            (report.thumbnail.width, report.thumbnail.height),
            (300, 200)
        );
        assert!(is_blue(decoded(&report.photo).get_pixel(150, 100)));
    }

    #[test]
    fn report_photos_that_cannot_be_used_are_refused_with_the_limit_that_applied() {
        let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";
        let mut webp = b"RIFF\0\0\0\0WEBPVP8 ".to_vec();
        webp.extend_from_slice(&[0; 24]);
        for not_accepted in [&gif[..], &webp[..], "写真.jpg".as_bytes()] {
            assert_eq!(
                report_photo(not_accepted).unwrap_err(),
                ImageProblem::NotJpegOrPng
            );
        }

        // Between the staff limit and LINE's: a report photo may be this large.
        let photo = phone_photo(64, 48, 1);
        let mut large = photo.clone();
        large.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert!(report_photo(&large).is_ok());
        large.resize(MAX_REPORT_PHOTO_BYTES + 1, 0);
        let too_large = report_photo(&large).unwrap_err();
        assert_eq!(
            too_large,
            ImageProblem::TooLarge {
                bytes: MAX_REPORT_PHOTO_BYTES + 1,
                limit: MAX_REPORT_PHOTO_BYTES
            }
        );
        assert_eq!(
            too_large.to_string(),
            "画像が大きすぎます（10.0MB）。10MB以内にしてください。"
        );

        // Bombs: a few hundred bytes claiming 20000 × 20000 pixels, as PNG and as JPEG.
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(&[0; 3], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let mut jpeg = Vec::new();
        JpegEncoder::new(&mut jpeg)
            .write_image(&[0; 3], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 7].copy_from_slice(&20_000u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&20_000u16.to_be_bytes());
        for bomb in [png, jpeg] {
            assert!(bomb.len() < 1024);
            assert_eq!(
                report_photo(&bomb).unwrap_err(),
                ImageProblem::TooManyPixels(20_000, 20_000)
            );
        }
    }

    #[test]
    fn a_form_photo_keeps_its_format_and_loses_its_exif() {
        let upload = photo_with_gps(3000, 2000, 6);
        assert_eq!(picture_format(&upload), Some(Format::Jpeg));
        let photo = form_photo(&upload, MAX_REPORT_PHOTO_BYTES).unwrap();
        assert_eq!(photo.format, Format::Jpeg);
        assert!(
            !jpeg_segments(&photo.bytes).contains(&0xE1),
            "no Exif segment"
        );
        assert_eq!(photo.height, REPORT_PHOTO_SIDE, "upright and shrunk");
        assert!(photo.width < photo.height);

        let pixels = RgbaImage::from_fn(30, 20, |_, _| Rgba([20, 20, 220, 255]));
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(&pixels, 30, 20, image::ExtendedColorType::Rgba8)
            .unwrap();
        assert_eq!(picture_format(&png), Some(Format::Png));
        assert_eq!(form_photo(&png, 1024 * 1024).unwrap().format, Format::Png);

        let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff;";
        assert_eq!(picture_format(gif), None);
        assert_eq!(
            form_photo(gif, 1024).unwrap_err(),
            ImageProblem::NotJpegOrPng
        );
        // The field's own limit applies, not LINE's.
        assert_eq!(
            form_photo(&upload, 1024).unwrap_err(),
            ImageProblem::TooLarge {
                bytes: upload.len(),
                limit: 1024
            }
        );
    }
}
