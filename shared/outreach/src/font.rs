//! The embedded BIZ UDゴシック (a universal-design face made for public documents), cut to the
//! characters a city's poster may contain (assets/README.md). The product never reads system
//! fonts: what is measured here is exactly what the PDF embeds.

use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId};

static REGULAR: &[u8] = include_bytes!("../assets/BIZUDGothic-Regular-poster.ttf");
static BOLD: &[u8] = include_bytes!("../assets/BIZUDGothic-Bold-poster.ttf");

/// Body text is Regular; the title, subtitle and ID are Bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub(crate) const ALL: [Weight; 2] = [Weight::Regular, Weight::Bold];

    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR,
            Weight::Bold => BOLD,
        }
    }

    pub(crate) fn face(self) -> &'static Face<'static> {
        static FACES: OnceLock<[Face<'static>; 2]> = OnceLock::new();
        let faces = FACES.get_or_init(|| {
            // Both files are committed and parsed by the tests; failing here means the
            // binary itself was built from broken assets.
            Weight::ALL.map(|weight| Face::parse(weight.data(), 0).expect("embedded font parses"))
        });
        &faces[self as usize]
    }

    pub(crate) fn glyph(self, c: char) -> Option<GlyphId> {
        self.face().glyph_index(c)
    }

    /// How far `c` advances, in em (so multiply by the size in points).
    pub(crate) fn advance(self, c: char) -> f32 {
        let face = self.face();
        let advance = self
            .glyph(c)
            .and_then(|glyph| face.glyph_hor_advance(glyph))
            .unwrap_or(0);
        f32::from(advance) / f32::from(face.units_per_em())
    }

    pub(crate) fn width(self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    /// Above the baseline, in em.
    pub(crate) fn ascent(self) -> f32 {
        let face = self.face();
        f32::from(face.ascender()) / f32::from(face.units_per_em())
    }

    /// Below the baseline, in em (positive).
    pub(crate) fn descent(self) -> f32 {
        let face = self.face();
        -f32::from(face.descender()) / f32::from(face.units_per_em())
    }
}

/// The characters of `text` the embedded font cannot draw, each once, in order.
pub(crate) fn missing(text: &str) -> Vec<char> {
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars() {
        let drawable = Weight::ALL.iter().all(|weight| weight.glyph(c).is_some());
        if !drawable && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}
