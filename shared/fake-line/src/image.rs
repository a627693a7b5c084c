//! Image bytes: the content the fake serves for user messages, and the size check LINE makes
//! on rich menu images (read from the file header; nothing is decoded).

/// A 32×32 PNG served as the content of any message the test did not provide content for.
/// Made by `assets/make_pngs.py`.
pub const MESSAGE_CONTENT_PNG: &[u8] = include_bytes!("../assets/message-content.png");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimensions {
    pub width: u32,
    pub height: u32,
}

/// Width and height from a PNG's IHDR chunk or a JPEG's start-of-frame segment.
pub fn dimensions(bytes: &[u8]) -> Option<Dimensions> {
    png(bytes).or_else(|| jpeg(bytes))
}

fn png(bytes: &[u8]) -> Option<Dimensions> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some(Dimensions { width, height })
}

fn jpeg(bytes: &[u8]) -> Option<Dimensions> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 {
        return None;
    }
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let length = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        let is_frame = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let segment = bytes.get(i + 4..i + 9)?;
            let height = u16::from_be_bytes([segment[1], segment[2]]) as u32;
            let width = u16::from_be_bytes([segment[3], segment[4]]) as u32;
            return Some(Dimensions { width, height });
        }
        i += 2 + length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_content_is_a_png_with_its_size_in_the_header() {
        assert_eq!(
            dimensions(MESSAGE_CONTENT_PNG),
            Some(Dimensions {
                width: 32,
                height: 32
            })
        );
    }

    #[test]
    fn a_jpeg_frame_header_gives_its_size() {
        // SOI, an APP0 segment, then SOF0 for 2500×1686.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x06, 0x96, 0x09, 0xC4]);
        assert_eq!(
            dimensions(&jpeg),
            Some(Dimensions {
                width: 2500,
                height: 1686
            })
        );
    }

    #[test]
    fn other_bytes_have_no_dimensions() {
        assert_eq!(dimensions(b"GIF89a...."), None);
        assert_eq!(dimensions(&[0xFF, 0xD8, 0x00]), None);
    }
}
