//! Drawing the default menus' images: flat cells, a pictogram and a label each, in BIZ UDゴシック
//! (a universal-design typeface made for public documents). Shapes are drawn from signed
//! distances, which gives smooth edges without a vector library.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{ImageEncoder, Rgb, RgbImage};
use tayori_domain::richmenu::Bounds;

/// The labels' typeface, cut down to the characters the labels use (see `assets/README.md`).
const FONT: &[u8] = include_bytes!("../../assets/BIZUDGothic-Bold-subset.ttf");

pub(crate) const INK: [u8; 3] = [0x1a, 0x1a, 0x1a];
pub(crate) const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const RULE: [u8; 3] = [0xc8, 0xcc, 0xd2];

pub(crate) fn font() -> FontRef<'static> {
    FontRef::try_from_slice(FONT).expect("the embedded font is a valid TrueType font")
}

/// A pictogram standing for what an area does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pictogram {
    /// A calendar page with a word on it (今日, 明日, 次).
    Calendar(&'static str),
    /// A magnifying glass: looking something up.
    Lens,
    /// A bell: notices.
    Bell,
    /// A person: the citizen's own registration.
    Person,
    /// A map pin: a place near the citizen (the nearest shelters).
    Pin,
    /// A camera: reporting something with a photo (通報する).
    Camera,
    /// A page of lines: the citizen's list of reports (通報履歴).
    List,
}

pub(crate) struct Canvas {
    image: RgbImage,
    font: FontRef<'static>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            image: RgbImage::from_pixel(width, height, Rgb(WHITE)),
            font: font(),
        }
    }

    pub fn png(self) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(
                self.image.as_raw(),
                self.image.width(),
                self.image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .expect("encoding a PNG in memory cannot fail");
        out
    }

    fn blend(&mut self, x: i64, y: i64, color: [u8; 3], coverage: f32) {
        if x < 0 || y < 0 || coverage <= 0.0 {
            return;
        }
        let (x, y) = (x as u32, y as u32);
        if x >= self.image.width() || y >= self.image.height() {
            return;
        }
        let a = coverage.min(1.0);
        let pixel = self.image.get_pixel_mut(x, y);
        for (channel, target) in pixel.0.iter_mut().zip(color) {
            *channel = (*channel as f32 * (1.0 - a) + target as f32 * a).round() as u8;
        }
    }

    /// Fills the shape whose signed distance (negative inside) is `sdf`, within a box.
    fn shape(
        &mut self,
        (x0, y0, x1, y1): (f32, f32, f32, f32),
        color: [u8; 3],
        sdf: impl Fn(f32, f32) -> f32,
    ) {
        for y in (y0.floor() as i64 - 1)..=(y1.ceil() as i64 + 1) {
            for x in (x0.floor() as i64 - 1)..=(x1.ceil() as i64 + 1) {
                let d = sdf(x as f32 + 0.5, y as f32 + 0.5);
                self.blend(x, y, color, (0.5 - d).clamp(0.0, 1.0));
            }
        }
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, radius: f32, color: [u8; 3]) {
        let (cx, cy, hw, hh) = (x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0);
        self.shape((x, y, x + w, y + h), color, |px, py| {
            let qx = (px - cx).abs() - hw + radius;
            let qy = (py - cy).abs() - hh + radius;
            let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
            outside + qx.max(qy).min(0.0) - radius
        });
    }

    pub fn circle(&mut self, cx: f32, cy: f32, r: f32, color: [u8; 3]) {
        self.shape((cx - r, cy - r, cx + r, cy + r), color, |x, y| {
            ((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - r
        });
    }

    fn ring(&mut self, cx: f32, cy: f32, r: f32, thickness: f32, color: [u8; 3]) {
        let outer = r + thickness / 2.0;
        self.shape(
            (cx - outer, cy - outer, cx + outer, cy + outer),
            color,
            |x, y| (((x - cx).powi(2) + (y - cy).powi(2)).sqrt() - r).abs() - thickness / 2.0,
        );
    }

    /// A thick line with round ends.
    fn stroke(&mut self, (ax, ay): (f32, f32), (bx, by): (f32, f32), width: f32, color: [u8; 3]) {
        let r = width / 2.0;
        let bbox = (
            ax.min(bx) - r,
            ay.min(by) - r,
            ax.max(bx) + r,
            ay.max(by) + r,
        );
        self.shape(bbox, color, |x, y| {
            let (px, py, dx, dy) = (x - ax, y - ay, bx - ax, by - ay);
            let t = ((px * dx + py * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            ((px - dx * t).powi(2) + (py - dy * t).powi(2)).sqrt() - r
        });
    }

    /// The lines between areas.
    pub fn rules(&mut self, cells: &[Bounds]) {
        for b in cells {
            let (x, y, w, h) = (b.x as f32, b.y as f32, b.width as f32, b.height as f32);
            self.rect(x, y, w, 4.0, 0.0, RULE);
            self.rect(x, y, 4.0, h, 0.0, RULE);
        }
    }

    /// The width of `text` at `px` pixels.
    fn text_width(&self, text: &str, px: f32) -> f32 {
        let font = self.font.as_scaled(PxScale::from(px));
        text.chars().map(|c| font.h_advance(font.glyph_id(c))).sum()
    }

    /// The largest size up to `px` at which `text` fits in `width`.
    pub fn fitting(&self, text: &str, px: f32, width: f32) -> f32 {
        let natural = self.text_width(text, px);
        if natural <= width {
            px
        } else {
            px * width / natural
        }
    }

    /// Draws `text` centred on `cx`, its top at `top`.
    pub fn text(&mut self, text: &str, px: f32, cx: f32, top: f32, color: [u8; 3]) {
        let scale = PxScale::from(px);
        let scaled = self.font.as_scaled(scale);
        let mut x = cx - self.text_width(text, px) / 2.0;
        let baseline = top + scaled.ascent();
        let mut glyphs = Vec::new();
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            glyphs.push(id.with_scale_and_position(scale, ab_glyph::point(x, baseline)));
            x += scaled.h_advance(id);
        }
        for glyph in glyphs {
            let Some(outlined) = self.font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outlined.px_bounds();
            let mut coverage = Vec::new();
            outlined.draw(|gx, gy, c| coverage.push((gx, gy, c)));
            for (gx, gy, c) in coverage {
                self.blend(
                    bounds.min.x as i64 + gx as i64,
                    bounds.min.y as i64 + gy as i64,
                    color,
                    c,
                );
            }
        }
    }

    /// A pictogram in a square of side `s` centred on (`cx`, `cy`).
    pub fn pictogram(&mut self, p: Pictogram, cx: f32, cy: f32, s: f32, color: [u8; 3]) {
        match p {
            Pictogram::Calendar(word) => {
                let (x, y, w, h) = (cx - 0.45 * s, cy - 0.38 * s, 0.9 * s, 0.82 * s);
                self.rect(x, y, w, h, 0.08 * s, color);
                self.rect(
                    x + 0.06 * s,
                    y + 0.22 * s,
                    w - 0.12 * s,
                    h - 0.28 * s,
                    0.04 * s,
                    WHITE,
                );
                for rx in [cx - 0.22 * s, cx + 0.22 * s] {
                    self.stroke((rx, y - 0.1 * s), (rx, y + 0.08 * s), 0.09 * s, INK);
                }
                let px = self.fitting(word, 0.34 * s, w - 0.2 * s);
                self.text(
                    word,
                    px,
                    cx,
                    y + 0.22 * s + (h - 0.28 * s - px) / 2.0,
                    color,
                );
            }
            Pictogram::Lens => {
                let (lx, ly, r) = (cx - 0.1 * s, cy - 0.1 * s, 0.26 * s);
                self.ring(lx, ly, r, 0.1 * s, color);
                self.stroke(
                    (lx + 0.72 * r, ly + 0.72 * r),
                    (cx + 0.38 * s, cy + 0.38 * s),
                    0.14 * s,
                    color,
                );
            }
            Pictogram::Bell => {
                self.circle(cx, cy - 0.12 * s, 0.26 * s, color);
                self.rect(cx - 0.26 * s, cy - 0.12 * s, 0.52 * s, 0.3 * s, 0.0, color);
                self.rect(
                    cx - 0.4 * s,
                    cy + 0.14 * s,
                    0.8 * s,
                    0.12 * s,
                    0.06 * s,
                    color,
                );
                self.circle(cx, cy + 0.34 * s, 0.08 * s, color);
                self.circle(cx, cy - 0.4 * s, 0.06 * s, color);
            }
            Pictogram::Person => {
                self.circle(cx, cy - 0.2 * s, 0.19 * s, color);
                self.rect(
                    cx - 0.36 * s,
                    cy + 0.06 * s,
                    0.72 * s,
                    0.4 * s,
                    0.2 * s,
                    color,
                );
                self.rect(cx - 0.36 * s, cy + 0.3 * s, 0.72 * s, 0.16 * s, 0.0, color);
            }
            Pictogram::Pin => {
                let (hy, r, tip) = (cy - 0.12 * s, 0.28 * s, cy + 0.44 * s);
                self.circle(cx, hy, r, color);
                // The point: strokes from the head's lower half to the tip fill the cone.
                for k in -4..=4 {
                    let dx = k as f32 * 0.055 * s;
                    self.stroke((cx + dx, hy + 0.1 * s), (cx, tip), 0.08 * s, color);
                }
                self.circle(cx, hy, 0.11 * s, WHITE);
            }
            Pictogram::Camera => {
                self.rect(
                    cx - 0.16 * s,
                    cy - 0.36 * s,
                    0.32 * s,
                    0.14 * s,
                    0.04 * s,
                    color,
                );
                self.rect(
                    cx - 0.44 * s,
                    cy - 0.26 * s,
                    0.88 * s,
                    0.62 * s,
                    0.1 * s,
                    color,
                );
                self.circle(cx, cy + 0.05 * s, 0.21 * s, WHITE);
                self.circle(cx, cy + 0.05 * s, 0.13 * s, color);
            }
            Pictogram::List => {
                self.rect(
                    cx - 0.32 * s,
                    cy - 0.42 * s,
                    0.64 * s,
                    0.84 * s,
                    0.08 * s,
                    color,
                );
                for k in 0..4 {
                    let y = cy - 0.26 * s + k as f32 * 0.17 * s;
                    self.rect(cx - 0.2 * s, y, 0.4 * s, 0.07 * s, 0.0, WHITE);
                }
            }
        }
    }
}
