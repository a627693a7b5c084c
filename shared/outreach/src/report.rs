//! A printable report (報告書): an A4 portrait document of a title, headings, paragraphs and
//! tables over as many pages as it needs, set in the same embedded BIZ UDゴシック as the poster.
//! The console assembles the month's LINE usage figures into a [`Report`]; a clerk prints
//! [`report_pdf`] and hands it to their manager as is.
//!
//! Every page repeats the title (small) in its header and 「n / N ページ」 in its footer, so a
//! loose sheet still says what it belongs to and where.

mod flow;
mod prose;
mod table;

use thiserror::Error;

use crate::font;
use crate::paper::POINTS_PER_MM;
use crate::pdf::{document, Sheet};
use crate::shapes::{Area, Block, Color, TextRun};
use crate::wrap::wrap;
use crate::Weight;

const PAGE_WIDTH: f32 = 210.0 * POINTS_PER_MM;
const PAGE_HEIGHT: f32 = 297.0 * POINTS_PER_MM;
const MARGIN: f32 = 15.0 * POINTS_PER_MM;
/// The running header (title) and footer (page number).
const FURNITURE_SIZE: f32 = 8.0;
/// Between the header's rule and the body, and between the body and the footer.
const FURNITURE_GAP: f32 = 10.0;
const RULE: f32 = 0.5;

/// Why a report cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    #[error("報告書に使えない文字があります: {characters}")]
    MissingCharacters { characters: String },
}

/// What the report says, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    title: String,
    subtitle: String,
    sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq)]
enum Section {
    Heading(String),
    Paragraph(String),
    Table(Table),
}

impl Report {
    /// `title` heads the first page (and every page's header and the PDF's document title);
    /// `subtitle` says the period and the day it was made.
    pub fn new(title: &str, subtitle: &str) -> Self {
        Self {
            title: typeset(title),
            subtitle: typeset(subtitle),
            sections: Vec::new(),
        }
    }

    /// A section heading; it is never left alone at the bottom of a page.
    pub fn heading(&mut self, text: &str) {
        self.sections.push(Section::Heading(typeset(text)));
    }

    /// Body text, wrapped to the page; a line break in `text` starts a new line.
    pub fn paragraph(&mut self, text: &str) {
        self.sections.push(Section::Paragraph(typeset(text)));
    }

    pub fn table(&mut self, table: Table) {
        self.sections.push(Section::Table(table));
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// Every character the report prints, to check against the font before laying out.
    fn printed(&self) -> String {
        let mut printed = format!("{}{}", self.title, self.subtitle);
        for section in &self.sections {
            match section {
                Section::Heading(text) | Section::Paragraph(text) => printed.push_str(text),
                Section::Table(table) => {
                    printed.push_str(&table.caption);
                    for cell in table.head.iter().chain(table.rows.iter().flatten()) {
                        printed.push_str(cell);
                    }
                }
            }
        }
        printed.replace(['\n', '\r'], "")
    }
}

/// `text` as the embedded font can set it: the cut font has no ideographic space (U+3000),
/// which dates and names are often separated with, so it becomes two half-width spaces of
/// the same advance rather than a refused character.
fn typeset(text: &str) -> String {
    if font::missing("\u{3000}").is_empty() {
        return text.to_owned();
    }
    text.replace('\u{3000}', "  ")
}

/// A table of figures (表): the first column labels its rows (services, districts, months),
/// the other columns are numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    caption: String,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `caption` may be empty; `head` names the columns, the label column first.
    pub fn new(caption: &str, head: Vec<String>) -> Self {
        Self {
            caption: typeset(caption),
            head: head.iter().map(|cell| typeset(cell)).collect(),
            rows: Vec::new(),
        }
    }

    /// One row: its label, then its numbers, already formatted (「1,234」「12.5%」).
    /// A row shorter than the others is printed with empty cells at its end.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.iter().map(|cell| typeset(cell)).collect());
    }
}

/// A report placed on its pages, ready to draw (and for tests to measure).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLayout {
    title: String,
    pages: Vec<ReportPage>,
}

/// One A4 page: its rules and shading, and its text lines top to bottom.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportPage {
    blocks: Vec<Block>,
    texts: Vec<TextRun>,
}

impl ReportPage {
    /// Rectangles (table rules, header shading), drawn before the text.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Text runs in reading order: header, body, footer.
    pub fn texts(&self) -> &[TextRun] {
        &self.texts
    }
}

impl ReportLayout {
    pub fn new(report: &Report) -> Result<Self, ReportError> {
        let missing = font::missing(&report.printed());
        if !missing.is_empty() {
            return Err(ReportError::MissingCharacters {
                characters: missing
                    .iter()
                    .map(char::to_string)
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
        let body = Self::body_area();
        let mut pieces = prose::title(&report.title, &report.subtitle, body.x, body.width);
        for section in &report.sections {
            match section {
                Section::Heading(text) => prose::heading(text, body.x, body.width, &mut pieces),
                Section::Paragraph(text) => prose::paragraph(text, body.x, body.width, &mut pieces),
                Section::Table(t) => table::pieces(t, body.x, body.width, &mut pieces),
            }
        }
        let bodies = flow::paginate(&pieces, body.y, body.bottom());
        let count = bodies.len();
        let pages = bodies
            .into_iter()
            .enumerate()
            .map(|(i, body)| Self::page(&report.title, i + 1, count, body))
            .collect();
        Ok(Self {
            title: report.title.clone(),
            pages,
        })
    }

    pub fn pages(&self) -> &[ReportPage] {
        &self.pages
    }

    pub fn width(&self) -> f32 {
        PAGE_WIDTH
    }

    pub fn height(&self) -> f32 {
        PAGE_HEIGHT
    }

    /// Where everything on every page stays: the page less its margins.
    pub fn printable_area(&self) -> Area {
        Area {
            x: MARGIN,
            y: MARGIN,
            width: PAGE_WIDTH - 2.0 * MARGIN,
            height: PAGE_HEIGHT - 2.0 * MARGIN,
        }
    }

    /// Between the running header and footer.
    fn body_area() -> Area {
        let line = furniture_line();
        let top = MARGIN + line + 2.0 + RULE + FURNITURE_GAP;
        let bottom = PAGE_HEIGHT - MARGIN - line - FURNITURE_GAP;
        Area {
            x: MARGIN,
            y: top,
            width: PAGE_WIDTH - 2.0 * MARGIN,
            height: bottom - top,
        }
    }

    /// The body framed by the header (title, rule) and the footer (page n of count).
    fn page(title: &str, number: usize, count: usize, body: ReportPage) -> ReportPage {
        let width = PAGE_WIDTH - 2.0 * MARGIN;
        let weight = Weight::Regular;
        let ascent = weight.ascent() * FURNITURE_SIZE;
        let (lines, _) = wrap(title, weight, FURNITURE_SIZE, width, 1);
        let header = lines.into_iter().next().unwrap_or_default();
        let mut texts = vec![run(
            &header,
            MARGIN,
            MARGIN + ascent,
            FURNITURE_SIZE,
            weight,
        )];
        let mut blocks = vec![Block {
            area: Area {
                x: MARGIN,
                y: MARGIN + furniture_line() + 2.0,
                width,
                height: RULE,
            },
            color: Color::Rule,
        }];
        texts.extend(body.texts);
        blocks.extend(body.blocks);
        let footer = format!("{number} / {count} ページ");
        let footer_width = weight.width(&footer, FURNITURE_SIZE);
        let footer_top = PAGE_HEIGHT - MARGIN - furniture_line();
        texts.push(run(
            &footer,
            (PAGE_WIDTH - footer_width) / 2.0,
            footer_top + ascent,
            FURNITURE_SIZE,
            weight,
        ));
        ReportPage { blocks, texts }
    }
}

/// Height of one line of header or footer text, from the font's ascent to its descent.
fn furniture_line() -> f32 {
    line_box(Weight::Regular, FURNITURE_SIZE)
}

/// The height a line of `size` may ink.
pub(crate) fn line_box(weight: Weight, size: f32) -> f32 {
    (weight.ascent() + weight.descent()) * size
}

pub(crate) fn run(text: &str, x: f32, baseline: f32, size: f32, weight: Weight) -> TextRun {
    TextRun {
        text: text.to_owned(),
        x,
        baseline,
        size,
        weight,
        color: Color::Ink,
        width: weight.width(text, size),
    }
}

/// Draws `report` as a PDF: A4 portrait pages, the title in the document info.
pub fn report_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    Ok(ReportLayout::new(report)?.pdf())
}

impl ReportLayout {
    /// Draws the laid-out report.
    pub fn pdf(&self) -> Vec<u8> {
        let sheets: Vec<Sheet> = self
            .pages
            .iter()
            .map(|page| Sheet {
                blocks: &page.blocks,
                texts: &page.texts,
                qr: None,
            })
            .collect();
        document(Some(&self.title), PAGE_WIDTH, PAGE_HEIGHT, &sheets)
    }
}
