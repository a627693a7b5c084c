//! Placing an [`Invitation`] on paper: every text run, rectangle and the QR at a position in
//! points (1/72 inch) from the top-left corner of the page. The PDF and the SVG preview both
//! draw this one layout, so what staff preview is what they print.
//!
//! Content that may grow (the city's name, the offers, the contact) shrinks first and is cut
//! with 「…」 last, always the same way for the same invitation, so nothing leaves the page or
//! runs into the QR.

use qrcode::{EcLevel, QrCode as Symbol};
use thiserror::Error;

use crate::font::{self, Weight};
use crate::paper::POINTS_PER_MM;
use crate::paper::{Measures, Paper};
use crate::shapes::{Area, Block, Color, QrCode, TextRun};
use crate::wrap::wrap;
use crate::Invitation;

/// Line pitch of wrapped text, as a multiple of its size: loose enough for kanji to stay legible.
const LINE_PITCH: f32 = 1.4;

/// Why an invitation cannot be laid out.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LayoutError {
    #[error("ポスターに使えない文字があります: {characters}")]
    MissingCharacters { characters: String },
    #[error("このリンクはQRコードにできません（{reason}）。")]
    Qr { reason: String },
}

/// A poster or flyer, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    paper: Paper,
    blocks: Vec<Block>,
    texts: Vec<TextRun>,
    qr: QrCode,
    link: String,
    shortened: bool,
}

impl Layout {
    pub fn new(invitation: &Invitation, paper: Paper) -> Result<Self, LayoutError> {
        let printed = [
            invitation.city(),
            invitation.contact().department(),
            invitation.contact().phone(),
        ]
        .into_iter()
        .chain(invitation.offers().iter().map(String::as_str))
        .collect::<String>();
        let missing = font::missing(&printed);
        if !missing.is_empty() {
            return Err(LayoutError::MissingCharacters {
                characters: missing
                    .iter()
                    .map(char::to_string)
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
        let symbol =
            Symbol::with_error_correction_level(invitation.link(), EcLevel::M).map_err(|e| {
                LayoutError::Qr {
                    reason: e.to_string(),
                }
            })?;
        Ok(Placer::new(paper).place(invitation, &symbol))
    }

    pub fn paper(&self) -> Paper {
        self.paper
    }

    pub fn width(&self) -> f32 {
        self.paper.width()
    }

    pub fn height(&self) -> f32 {
        self.paper.height()
    }

    /// Rectangles, drawn first, in order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Text lines, top to bottom.
    pub fn texts(&self) -> &[TextRun] {
        &self.texts
    }

    pub fn qr(&self) -> &QrCode {
        &self.qr
    }

    /// What the QR encodes.
    pub fn link(&self) -> &str {
        &self.link
    }

    /// Whether some text had to be cut with 「…」 to fit (the console can warn staff).
    pub fn shortened(&self) -> bool {
        self.shortened
    }

    /// Where everything must stay: the page less its margins.
    pub fn printable_area(&self) -> Area {
        let margin = self.paper.measures().margin;
        Area {
            x: margin,
            y: margin,
            width: self.width() - 2.0 * margin,
            height: self.height() - 2.0 * margin,
        }
    }
}

/// Text fitted to a width: the size chosen, its lines, and whether it was cut.
struct Fitted {
    size: f32,
    lines: Vec<String>,
    cut: bool,
}

/// Shrinks `text` from `sizes.0` towards `sizes.1` in half points until it fits in
/// `max_lines`; at the smallest size what still does not fit is cut with 「…」.
fn fit(text: &str, weight: Weight, sizes: (f32, f32), width: f32, max_lines: usize) -> Fitted {
    let (largest, smallest) = sizes;
    let mut size = largest;
    while size > smallest {
        let (lines, cut) = wrap(text, weight, size, width, max_lines);
        if !cut {
            return Fitted { size, lines, cut };
        }
        size -= 0.5;
    }
    let (lines, cut) = wrap(text, weight, smallest, width, max_lines);
    Fitted {
        size: smallest,
        lines,
        cut,
    }
}

struct Placer {
    paper: Paper,
    m: Measures,
    texts: Vec<TextRun>,
    blocks: Vec<Block>,
    shortened: bool,
}

impl Placer {
    fn new(paper: Paper) -> Self {
        Self {
            paper,
            m: paper.measures(),
            texts: Vec::new(),
            blocks: Vec::new(),
            shortened: false,
        }
    }

    fn content_width(&self) -> f32 {
        self.paper.width() - 2.0 * self.m.margin
    }

    /// Adds `line` centred on the page with its top at `top`; returns the bottom of its box.
    fn centred(&mut self, line: &str, top: f32, size: f32, weight: Weight, color: Color) -> f32 {
        let width = weight.width(line, size);
        let baseline = top + weight.ascent() * size;
        self.texts.push(TextRun {
            text: line.to_owned(),
            x: (self.paper.width() - width) / 2.0,
            baseline,
            size,
            weight,
            color,
            width,
        });
        baseline + weight.descent() * size
    }

    /// Height of `lines` lines of `size`: one em box each, with the pitch between them.
    fn height_of(lines: usize, size: f32) -> f32 {
        if lines == 0 {
            return 0.0;
        }
        size + (lines - 1) as f32 * size * LINE_PITCH
    }

    fn place(mut self, invitation: &Invitation, symbol: &Symbol) -> Layout {
        let city = invitation.city();
        let m = self.paper.measures();
        let width = self.content_width();
        let page_height = self.paper.height();

        // The green band: title and subtitle.
        let band_top = m.margin;
        let title_text = format!("{city} 公式LINE");
        let inner = width - 2.0 * m.band_padding;
        let mut title = fit(&title_text, Weight::Bold, m.title, inner, 1);
        if title.cut {
            title = fit(&title_text, Weight::Bold, (m.title.1, m.title.1), inner, 2);
        }
        self.shortened |= title.cut;
        self.blocks.push(Block {
            area: Area {
                x: m.margin,
                y: band_top,
                width,
                height: 0.0,
            },
            color: Color::LineGreen,
        });
        let mut top = band_top + m.band_padding;
        for (i, line) in title.lines.iter().enumerate() {
            let line_top = top + i as f32 * title.size * LINE_PITCH;
            self.centred(line, line_top, title.size, Weight::Bold, Color::White);
        }
        top += Self::height_of(title.lines.len(), title.size) + 0.4 * m.subtitle;
        let bottom = self.centred("友だち募集中", top, m.subtitle, Weight::Bold, Color::White);
        let band_bottom = bottom + m.band_padding;
        self.blocks[0].area.height = band_bottom - band_top;
        let middle_top = band_bottom + m.gap;

        // From the bottom up: the city, the contact, the rule, then the QR and its captions.
        let footer = fit(city, Weight::Bold, m.footer_city, width, 1);
        let footer_top = page_height - m.margin - footer.size;
        let contact_text = format!(
            "お問い合わせ: {} {}",
            invitation.contact().department(),
            invitation.contact().phone()
        );
        let contact = fit(&contact_text, Weight::Regular, m.contact, width, 2);
        let contact_top = footer_top
            - Self::height_of(contact.lines.len(), contact.size)
            - (LINE_PITCH - 1.0) * contact.size;
        let rule_y = contact_top - m.gap / 2.0;
        let id_text = format!("ID検索: {}", invitation.basic_id().as_printed());
        let id_top = rule_y - m.gap / 2.0 - m.id;
        let instruction = fit(
            "LINEアプリの「友だち追加」→「QRコード」で読み取ってください",
            Weight::Regular,
            m.instruction,
            width,
            2,
        );
        let instruction_top = id_top
            - (LINE_PITCH - 1.0) * m.id
            - Self::height_of(instruction.lines.len(), instruction.size);
        let qr_side = m.qr_mm * POINTS_PER_MM;
        let qr_top = instruction_top - qr_side;
        self.shortened |= footer.cut || contact.cut || instruction.cut;

        self.centred(
            &footer.lines.concat(),
            footer_top,
            footer.size,
            Weight::Bold,
            Color::Ink,
        );
        for (i, line) in contact.lines.iter().enumerate() {
            let line_top = contact_top + i as f32 * contact.size * LINE_PITCH;
            self.centred(line, line_top, contact.size, Weight::Regular, Color::Ink);
        }
        self.blocks.push(Block {
            area: Area {
                x: m.margin,
                y: rule_y,
                width,
                height: 0.75_f32.min(m.gap / 8.0),
            },
            color: Color::Rule,
        });
        self.centred(&id_text, id_top, m.id, Weight::Bold, Color::Ink);
        for (i, line) in instruction.lines.iter().enumerate() {
            let line_top = instruction_top + i as f32 * instruction.size * LINE_PITCH;
            self.centred(
                line,
                line_top,
                instruction.size,
                Weight::Regular,
                Color::Ink,
            );
        }
        let qr = QrCode {
            area: Area {
                x: (self.paper.width() - qr_side) / 2.0,
                y: qr_top,
                width: qr_side,
                height: qr_side,
            },
            modules: symbol.width(),
            dark: symbol
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        };

        // Between the band and the QR: the lead line and the offers.
        let middle_bottom = qr_top - m.gap / 2.0;
        self.place_offers(invitation, middle_top, middle_bottom);

        // Top to bottom, left to right: the order a reader (and a PDF text extractor) follows.
        self.texts
            .sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(a.x.total_cmp(&b.x)));
        Layout {
            paper: self.paper,
            blocks: self.blocks,
            texts: self.texts,
            qr,
            link: invitation.link().to_owned(),
            shortened: self.shortened,
        }
    }

    /// The lead and the bulleted offers, as large as the space allows and centred in it; at
    /// the smallest size the offers that do not fit are left off and the last shown ends in 「…」.
    fn place_offers(&mut self, invitation: &Invitation, top: f32, bottom: f32) {
        let m = self.paper.measures();
        let width = self.content_width();
        let space = (bottom - top).max(0.0);
        let lead_text = format!("LINEで{}の情報が届きます", invitation.city());
        let lead = fit(&lead_text, Weight::Regular, m.lead, width, 2);
        self.shortened |= lead.cut;
        let bullet = "・";
        let mut size = m.offer.0;
        let (size, items, cut, long_offer_cut) = loop {
            let indent = Weight::Regular.width(bullet, size);
            let mut long_offer_cut = false;
            let items: Vec<Vec<String>> = invitation
                .offers()
                .iter()
                .map(|offer| {
                    let (lines, cut) = wrap(offer, Weight::Regular, size, width - indent, 2);
                    long_offer_cut |= cut;
                    lines
                })
                .collect();

            let lines: usize = items.iter().map(Vec::len).sum();
            let needed = Self::height_of(lead.lines.len(), lead.size)
                + if lines > 0 {
                    lead.size * 0.8 + Self::height_of(lines, size)
                } else {
                    0.0
                };
            if needed <= space {
                break (size, items, false, long_offer_cut);
            }
            if size <= m.offer.1 {
                break (size, items, true, long_offer_cut);
            }
            size = (size - 0.5).max(m.offer.1);
        };
        self.shortened |= long_offer_cut;
        // What fits when even the smallest size is too large: whole lines, top first.
        let pitch = size * LINE_PITCH;
        let lead_height = Self::height_of(lead.lines.len(), lead.size);
        let mut room = space - lead_height - lead.size * 0.8;
        let mut shown: Vec<(bool, String)> = Vec::new();
        'offers: for item in &items {
            for (i, line) in item.iter().enumerate() {
                let needed = if shown.is_empty() { size } else { pitch };
                if room < needed {
                    break 'offers;
                }
                room -= needed;
                shown.push((i == 0, line.clone()));
            }
        }
        let all_lines: usize = items.iter().map(Vec::len).sum();
        let offers_cut = cut && shown.len() < all_lines;
        if offers_cut {
            if let Some((_, last)) = shown.last_mut() {
                let indent = Weight::Regular.width(bullet, size);
                let measure = |s: &str| Weight::Regular.width(s, size);
                *last = crate::wrap::with_ellipsis(last, &measure, width - indent);
            }
            self.shortened = true;
        }

        let lead_fits = lead_height <= space;
        self.shortened |= !lead_fits;
        let used = if shown.is_empty() {
            lead_height
        } else {
            lead_height + lead.size * 0.8 + size + (shown.len() - 1) as f32 * pitch
        };
        let mut y = top + ((space - used) / 2.0).max(0.0);
        if lead_fits {
            for (i, line) in lead.lines.iter().enumerate() {
                let line_top = y + i as f32 * lead.size * LINE_PITCH;
                self.centred(line, line_top, lead.size, Weight::Regular, Color::Ink);
            }
        }
        y += lead_height + lead.size * 0.8;
        let indent = Weight::Regular.width(bullet, size);
        let widest = shown
            .iter()
            .map(|(_, line)| Weight::Regular.width(line, size))
            .fold(0.0_f32, f32::max);
        let left = (self.paper.width() - indent - widest) / 2.0;
        for (i, (first, line)) in shown.iter().enumerate() {
            let baseline = y + i as f32 * pitch + Weight::Regular.ascent() * size;
            if *first {
                self.texts.push(TextRun {
                    text: bullet.to_owned(),
                    x: left,
                    baseline,
                    size,
                    weight: Weight::Regular,
                    color: Color::LineGreen,
                    width: indent,
                });
            }
            let line_width = Weight::Regular.width(line, size);
            self.texts.push(TextRun {
                text: line.clone(),
                x: left + indent,
                baseline,
                size,
                weight: Weight::Regular,
                color: Color::Ink,
                width: line_width,
            });
        }
    }
}
