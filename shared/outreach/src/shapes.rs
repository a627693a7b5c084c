//! What a layout is made of: text runs, filled rectangles and the QR, each at a position in
//! points from the top-left corner of the page.

use crate::Weight;

/// Modules of white around the symbol, as the QR standard requires for scanning.
pub const QUIET_ZONE: usize = 4;

/// A rectangle on the page, in points from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Area {
    pub fn right(&self) -> f32 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }

    pub fn overlaps(&self, other: &Area) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    pub fn contains(&self, other: &Area) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Body text.
    Ink,
    /// Text on the green band.
    White,
    /// LINE's brand green, so the poster is recognised as LINE at a glance.
    LineGreen,
    /// The thin rule above the footer, and a report's table rules.
    Rule,
    /// The light grey behind a report table's header row.
    Shade,
}

impl Color {
    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            Color::Ink => (0x1a, 0x1a, 0x1a),
            Color::White => (0xff, 0xff, 0xff),
            Color::LineGreen => (0x06, 0xc7, 0x55),
            Color::Rule => (0x99, 0x99, 0x99),
            Color::Shade => (0xe6, 0xe6, 0xe6),
        }
    }
}

/// One line of text: `x` is its left edge, `baseline` where the glyphs stand.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub text: String,
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub weight: Weight,
    pub color: Color,
    /// Measured with the embedded font's advance widths.
    pub width: f32,
}

impl TextRun {
    /// The box the glyphs may ink, from the font's ascent to its descent.
    pub fn area(&self) -> Area {
        let top = self.baseline - self.weight.ascent() * self.size;
        Area {
            x: self.x,
            y: top,
            width: self.width,
            height: (self.weight.ascent() + self.weight.descent()) * self.size,
        }
    }
}

/// A filled rectangle (the green band, the footer rule).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    pub area: Area,
    pub color: Color,
}

/// The QR as placed: `area` includes the quiet zone and is drawn white.
#[derive(Debug, Clone, PartialEq)]
pub struct QrCode {
    pub area: Area,
    /// Modules across the symbol, without the quiet zone.
    pub modules: usize,
    /// Row by row, `true` where the module is dark.
    pub dark: Vec<bool>,
}

impl QrCode {
    pub fn module_size(&self) -> f32 {
        self.area.width / (self.modules + 2 * QUIET_ZONE) as f32
    }

    /// The symbol without its quiet zone.
    pub fn symbol_area(&self) -> Area {
        let inset = QUIET_ZONE as f32 * self.module_size();
        Area {
            x: self.area.x + inset,
            y: self.area.y + inset,
            width: self.modules as f32 * self.module_size(),
            height: self.modules as f32 * self.module_size(),
        }
    }

    /// The dark modules as rectangles, neighbours in a row joined into one, so a renderer
    /// draws few shapes and no hairline seams appear between modules.
    pub fn dark_runs(&self) -> Vec<Area> {
        let symbol = self.symbol_area();
        let module = self.module_size();
        let mut runs = Vec::new();
        for row in 0..self.modules {
            let mut column = 0;
            while column < self.modules {
                if !self.dark[row * self.modules + column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < self.modules && self.dark[row * self.modules + column] {
                    column += 1;
                }
                runs.push(Area {
                    x: symbol.x + start as f32 * module,
                    y: symbol.y + row as f32 * module,
                    width: (column - start) as f32 * module,
                    height: module,
                });
            }
        }
        runs
    }
}
