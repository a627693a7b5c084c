//! The two papers staff print, and the sizes each sets its text in.

pub(crate) const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// What staff print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paper {
    /// A4 (210 × 297 mm) for 掲示板, 窓口 and 公民館.
    A4Poster,
    /// A6 (105 × 148 mm) to hand out at events or slip into 広報誌.
    A6Flyer,
}

impl Paper {
    pub fn width_mm(self) -> f32 {
        match self {
            Paper::A4Poster => 210.0,
            Paper::A6Flyer => 105.0,
        }
    }

    pub fn height_mm(self) -> f32 {
        match self {
            Paper::A4Poster => 297.0,
            Paper::A6Flyer => 148.0,
        }
    }

    pub fn width(self) -> f32 {
        self.width_mm() * POINTS_PER_MM
    }

    pub fn height(self) -> f32 {
        self.height_mm() * POINTS_PER_MM
    }

    /// The smallest QR symbol (without its quiet zone) that a phone reads from where people
    /// stand: across a corridor for a poster, in the hand for a flyer.
    pub fn min_qr_mm(self) -> f32 {
        match self {
            Paper::A4Poster => 40.0,
            Paper::A6Flyer => 25.0,
        }
    }

    pub(crate) fn measures(self) -> Measures {
        match self {
            Paper::A4Poster => Measures {
                margin: 36.0,
                band_padding: 18.0,
                title: (44.0, 24.0),
                subtitle: 28.0,
                lead: (20.0, 12.0),
                offer: (22.0, 11.0),
                qr_mm: 80.0,
                instruction: (14.0, 10.0),
                id: 20.0,
                contact: (14.0, 9.0),
                footer_city: (16.0, 10.0),
                gap: 18.0,
            },
            Paper::A6Flyer => Measures {
                margin: 14.0,
                band_padding: 8.0,
                title: (24.0, 12.0),
                subtitle: 15.0,
                lead: (10.0, 7.0),
                offer: (10.0, 6.5),
                qr_mm: 40.0,
                instruction: (7.0, 6.0),
                id: 9.5,
                contact: (7.5, 6.0),
                footer_city: (8.5, 6.0),
                gap: 8.0,
            },
        }
    }
}

/// Sizes in points; a pair is (preferred, smallest allowed).
pub(crate) struct Measures {
    pub(crate) margin: f32,
    pub(crate) band_padding: f32,
    pub(crate) title: (f32, f32),
    pub(crate) subtitle: f32,
    pub(crate) lead: (f32, f32),
    pub(crate) offer: (f32, f32),
    /// The QR with its quiet zone.
    pub(crate) qr_mm: f32,
    pub(crate) instruction: (f32, f32),
    pub(crate) id: f32,
    pub(crate) contact: (f32, f32),
    pub(crate) footer_city: (f32, f32),
    pub(crate) gap: f32,
}
