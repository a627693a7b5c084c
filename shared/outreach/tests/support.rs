//! A sample invitation and the readers that look at a rendered PDF the way a printer and a
//! phone would: its page box, its text through the ToUnicode map, and its QR as drawn.

use lopdf::content::Content;
use lopdf::{Document, Object};
use tayori_outreach::{BasicId, Contact, Invitation};

pub const OFFERS: [&str; 4] = [
    "ごみの収集日をお知らせ",
    "近くの避難所を案内",
    "道路の傷みを写真で通報",
    "子育て・健診のお知らせ",
];

pub fn obama() -> Invitation {
    Invitation::new(
        "小浜市",
        BasicId::parse("@obama-city").unwrap(),
        OFFERS,
        Contact::new("企画部 総合政策課", "0770-53-1111"),
    )
    .unwrap()
}

pub fn obama_with(city: &str, offers: &[&str], department: &str) -> Invitation {
    Invitation::new(
        city,
        BasicId::parse("@obama-city").unwrap(),
        offers.iter().copied(),
        Contact::new(department, "0770-53-1111"),
    )
    .unwrap()
}

pub fn load(pdf: &[u8]) -> Document {
    Document::load_from(pdf).expect("the PDF parses")
}

pub fn first_page(doc: &Document) -> lopdf::ObjectId {
    *doc.get_pages().get(&1).expect("one page")
}

pub fn media_box(doc: &Document) -> Vec<f32> {
    let page = doc.get_dictionary(first_page(doc)).unwrap();
    page.get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_float().unwrap())
        .collect()
}

pub fn text(doc: &Document) -> String {
    doc.extract_text(&[1]).expect("text extracts")
}

fn number(object: &Object) -> f32 {
    object.as_float().unwrap()
}

/// The rectangles of each filled path on the page, in PDF coordinates (x, y, w, h).
pub fn filled_paths(doc: &Document) -> Vec<Vec<[f32; 4]>> {
    let content = Content::decode(&doc.get_page_content(first_page(doc))).unwrap();
    let mut paths = Vec::new();
    let mut current = Vec::new();
    for op in content.operations {
        match op.operator.as_str() {
            "re" => {
                let o = &op.operands;
                current.push([number(&o[0]), number(&o[1]), number(&o[2]), number(&o[3])]);
            }
            "f" | "f*" => paths.push(std::mem::take(&mut current)),
            _ => {}
        }
    }
    paths
}

/// The QR as drawn in the PDF: the filled path with the most rectangles (the symbol's dark
/// modules), rasterised at 4 px a module with a 4-module white quiet zone and decoded as a
/// phone would.
pub fn scan_qr(doc: &Document) -> String {
    let rects = filled_paths(doc)
        .into_iter()
        .max_by_key(Vec::len)
        .expect("a filled path");
    let module = rects.iter().map(|r| r[3]).fold(f32::MAX, f32::min);
    let left = rects.iter().map(|r| r[0]).fold(f32::MAX, f32::min);
    let top = rects.iter().map(|r| r[1] + r[3]).fold(f32::MIN, f32::max);
    let right = rects.iter().map(|r| r[0] + r[2]).fold(f32::MIN, f32::max);
    let modules = ((right - left) / module).round() as usize;
    let dark = |column: usize, row: usize| {
        let x = left + (column as f32 + 0.5) * module;
        let y = top - (row as f32 + 0.5) * module;
        rects
            .iter()
            .any(|r| x >= r[0] && x <= r[0] + r[2] && y >= r[1] && y <= r[1] + r[3])
    };
    let grid: Vec<bool> = (0..modules * modules)
        .map(|i| dark(i % modules, i / modules))
        .collect();
    let (quiet, scale) = (4, 4);
    let side = (modules + 2 * quiet) * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (column, row) = (x / scale, y / scale);
        let inside =
            (quiet..quiet + modules).contains(&column) && (quiet..quiet + modules).contains(&row);
        if inside && grid[(row - quiet) * modules + column - quiet] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    grids[0].decode().expect("the QR decodes").1
}
