//! Layouts as PDF to print (a poster's one page, a report's many): the text in the embedded
//! font cut down to the glyphs this document uses (Type0/CIDFontType2, Identity-H) with a
//! ToUnicode map so the text can be searched and copied, and the QR as one path of black
//! rectangles on white.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::Weight;
use crate::{Area, Block, Color, Layout, QrCode, TextRun};

/// Draws `layout` as a PDF document.
pub fn pdf(layout: &Layout) -> Vec<u8> {
    let sheet = Sheet {
        blocks: layout.blocks(),
        texts: layout.texts(),
        qr: Some(layout.qr()),
    };
    // The title a print dialog and a PDF viewer's tab show.
    let title = layout.texts().first().map(|run| run.text.as_str());
    document(title, layout.width(), layout.height(), &[sheet])
}

/// What one page shows, in the layout's coordinates (points from the top-left corner).
pub(crate) struct Sheet<'a> {
    pub(crate) blocks: &'a [Block],
    pub(crate) texts: &'a [TextRun],
    pub(crate) qr: Option<&'a QrCode>,
}

/// A document of `sheets`, all `width` × `height` points, with one subset of each weight
/// shared by every page (a glyph is embedded once however many pages print it).
pub(crate) fn document(title: Option<&str>, width: f32, height: f32, sheets: &[Sheet]) -> Vec<u8> {
    let mut ids = (1..).map(Ref::new);
    let mut next = || ids.next().unwrap_or(Ref::new(1));
    let catalog = next();
    let pages = next();
    let page_ids: Vec<(Ref, Ref)> = sheets.iter().map(|_| (next(), next())).collect();
    let info = next();

    let mut doc = Pdf::new();
    doc.catalog(catalog).pages(pages);
    doc.pages(pages)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);
    if let Some(title) = title {
        doc.document_info(info).title(TextStr(title));
    }

    let runs = || sheets.iter().flat_map(|sheet| sheet.texts.iter());
    let fonts: Vec<EmbeddedFont> = Weight::ALL
        .into_iter()
        .filter_map(|weight| EmbeddedFont::for_runs(runs(), weight, &mut next))
        .collect();

    for (sheet, (page, contents)) in sheets.iter().zip(&page_ids) {
        let content = draw(sheet, &fonts, height);
        let mut page_dict = doc.page(*page);
        page_dict
            .media_box(Rect::new(0.0, 0.0, width, height))
            .parent(pages)
            .contents(*contents);
        let mut resources = page_dict.resources();
        let mut font_names = resources.fonts();
        for font in &fonts {
            font_names.pair(font.name(), font.type0);
        }
        font_names.finish();
        resources.finish();
        page_dict.finish();
        doc.stream(*contents, &deflate(&content))
            .filter(Filter::FlateDecode);
    }

    for font in &fonts {
        font.write(&mut doc);
    }
    doc.finish()
}

/// One page's content stream: rectangles first, then the QR, then the text on top.
fn draw(sheet: &Sheet, fonts: &[EmbeddedFont], height: f32) -> Vec<u8> {
    let mut content = Content::new();
    for block in sheet.blocks {
        fill(&mut content, block.color);
        rect(&mut content, &block.area, height);
        content.fill_nonzero();
    }

    if let Some(qr) = sheet.qr {
        fill(&mut content, Color::White);
        rect(&mut content, &qr.area, height);
        content.fill_nonzero();
        content.set_fill_gray(0.0);
        for run in qr.dark_runs() {
            rect(&mut content, &run, height);
        }
        content.fill_nonzero();
    }

    content.begin_text();
    for run in sheet.texts {
        let Some(font) = fonts.iter().find(|font| font.weight == run.weight) else {
            continue;
        };
        fill(&mut content, run.color);
        content.set_font(font.name(), run.size);
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, run.x, height - run.baseline]);
        content.show(Str(&font.encode(&run.text)));
    }
    content.end_text();
    content.finish().into_vec()
}

fn fill(content: &mut Content, color: Color) {
    let (r, g, b) = color.rgb();
    content.set_fill_rgb(
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
    );
}

/// PDF's origin is the bottom-left corner; the layout's is the top-left.
fn rect(content: &mut Content, area: &Area, page_height: f32) {
    content.rect(area.x, page_height - area.bottom(), area.width, area.height);
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// One weight of the font as this document embeds it.
struct EmbeddedFont {
    weight: Weight,
    type0: Ref,
    cid: Ref,
    descriptor: Ref,
    file: Ref,
    to_unicode: Ref,
    /// Character → glyph ID in the subset (which is also its CID).
    glyphs: BTreeMap<char, u16>,
    subset: Vec<u8>,
}

impl EmbeddedFont {
    /// `None` when the document uses no text of this weight, or the subsetter refuses the font
    /// (it does not for the committed assets, which the tests embed).
    fn for_runs<'a>(
        runs: impl Iterator<Item = &'a TextRun>,
        weight: Weight,
        next: &mut impl FnMut() -> Ref,
    ) -> Option<Self> {
        let mut remapper = GlyphRemapper::new();
        let mut glyphs = BTreeMap::new();
        for run in runs.filter(|run| run.weight == weight) {
            for c in run.text.chars() {
                if let Some(glyph) = weight.glyph(c) {
                    glyphs.insert(c, remapper.remap(glyph.0));
                }
            }
        }
        if glyphs.is_empty() {
            return None;
        }
        let subset = subsetter::subset(weight.data(), 0, &remapper).ok()?;
        Some(Self {
            weight,
            type0: next(),
            cid: next(),
            descriptor: next(),
            file: next(),
            to_unicode: next(),
            glyphs,
            subset,
        })
    }

    fn name(&self) -> Name<'static> {
        match self.weight {
            Weight::Regular => Name(b"F1"),
            Weight::Bold => Name(b"F2"),
        }
    }

    /// The PDF name of a subset starts with six capital letters and `+` (PDF 32000 9.6.4).
    fn base_font(&self) -> Vec<u8> {
        match self.weight {
            Weight::Regular => b"TAYORI+BIZUDGothic-Regular".to_vec(),
            Weight::Bold => b"TAYORB+BIZUDGothic-Bold".to_vec(),
        }
    }

    /// Identity-H: two bytes per glyph, big-endian CID.
    fn encode(&self, text: &str) -> Vec<u8> {
        text.chars()
            .filter_map(|c| self.glyphs.get(&c))
            .flat_map(|cid| cid.to_be_bytes())
            .collect()
    }

    fn write(&self, doc: &mut Pdf) {
        let face = self.weight.face();
        let per_mille = |units: f32| units * 1000.0 / f32::from(face.units_per_em());
        let base_font = self.base_font();
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        doc.type0_font(self.type0)
            .base_font(Name(&base_font))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(self.cid)
            .to_unicode(self.to_unicode);

        let mut widths: BTreeMap<u16, f32> = BTreeMap::new();
        for &c in self.glyphs.keys() {
            widths.insert(self.glyphs[&c], self.weight.advance(c) * 1000.0);
        }
        let mut cid = doc.cid_font(self.cid);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(&base_font))
            .system_info(system_info)
            .font_descriptor(self.descriptor)
            .default_width(1000.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut cid_widths = cid.widths();
        for (glyph, width) in &widths {
            cid_widths.consecutive(*glyph, [*width]);
        }
        cid_widths.finish();
        cid.finish();

        let bbox = face.global_bounding_box();
        doc.font_descriptor(self.descriptor)
            .name(Name(&base_font))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                per_mille(f32::from(bbox.x_min)),
                per_mille(f32::from(bbox.y_min)),
                per_mille(f32::from(bbox.x_max)),
                per_mille(f32::from(bbox.y_max)),
            ))
            .italic_angle(0.0)
            .ascent(per_mille(f32::from(face.ascender())))
            .descent(per_mille(f32::from(face.descender())))
            .cap_height(per_mille(f32::from(
                face.capital_height().unwrap_or(face.ascender()),
            )))
            .stem_v(if self.weight == Weight::Bold {
                140.0
            } else {
                80.0
            })
            .font_file2(self.file);

        let compressed = deflate(&self.subset);
        doc.stream(self.file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), self.subset.len() as i32);

        let mut cmap = UnicodeCmap::new(Name(b"Tayori-UTF16"), system_info);
        for (&c, &glyph) in &self.glyphs {
            cmap.pair(glyph, c);
        }
        doc.cmap(self.to_unicode, &cmap.finish());
    }
}
