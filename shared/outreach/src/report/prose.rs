//! The report's title, headings and paragraphs as pieces, one piece per line so a long
//! paragraph continues on the next page; lines break with the crate's 禁則 rules.

use crate::shapes::{Area, Block, Color};
use crate::wrap::wrap;
use crate::Weight;

use super::flow::Piece;
use super::{line_box, run, RULE};

const TITLE_SIZE: f32 = 16.0;
const SUBTITLE_SIZE: f32 = 10.0;
const HEADING_SIZE: f32 = 11.5;
pub(super) const BODY_SIZE: f32 = 9.5;
/// Line advance as a multiple of the size: loose enough for kanji at 9.5 pt.
const BODY_PITCH: f32 = 1.6;
const TITLE_PITCH: f32 = 1.35;

/// Lines of `text` wrapped to `width`, each a piece of `pitch` × `size`; the first gets
/// `space_before`, each keeps with the next when `keep_all` says so.
#[allow(clippy::too_many_arguments)]
fn lines(
    text: &str,
    weight: Weight,
    size: f32,
    pitch: f32,
    left: f32,
    width: f32,
    space_before: f32,
    keep_all: bool,
) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for source_line in text.split('\n').map(|line| line.trim_end_matches('\r')) {
        let (wrapped, _) = wrap(source_line, weight, size, width, usize::MAX);
        // An empty source line keeps its place as a blank line.
        let wrapped = if wrapped.is_empty() {
            vec![String::new()]
        } else {
            wrapped
        };
        for line in wrapped {
            let texts = if line.is_empty() {
                Vec::new()
            } else {
                vec![run(&line, left, weight.ascent() * size, size, weight)]
            };
            pieces.push(Piece {
                height: (size * pitch).max(line_box(weight, size)),
                space_before: 0.0,
                keep_with_next: keep_all,
                header: None,
                texts,
                blocks: Vec::new(),
            });
        }
    }
    if let Some(first) = pieces.first_mut() {
        first.space_before = space_before;
    }
    pieces
}

/// The first page's title (large, Bold), the subtitle under it, and a rule under both.
pub(super) fn title(title: &str, subtitle: &str, left: f32, width: f32) -> Vec<Piece> {
    let mut pieces = lines(
        title,
        Weight::Bold,
        TITLE_SIZE,
        TITLE_PITCH,
        left,
        width,
        0.0,
        true,
    );
    if !subtitle.is_empty() {
        pieces.extend(lines(
            subtitle,
            Weight::Regular,
            SUBTITLE_SIZE,
            BODY_PITCH,
            left,
            width,
            2.0,
            true,
        ));
    }
    pieces.push(Piece {
        height: RULE * 1.5,
        space_before: 2.0,
        keep_with_next: false,
        header: None,
        texts: Vec::new(),
        blocks: vec![Block {
            area: Area {
                x: left,
                y: 0.0,
                width,
                height: RULE * 1.5,
            },
            color: Color::Ink,
        }],
    });
    pieces
}

/// A heading keeps with the line or row that follows it, so it never ends a page.
pub(super) fn heading(text: &str, left: f32, width: f32, pieces: &mut Vec<Piece>) {
    let space_before = HEADING_SIZE * 1.4;
    pieces.extend(lines(
        text,
        Weight::Bold,
        HEADING_SIZE,
        TITLE_PITCH,
        left,
        width,
        space_before,
        true,
    ));
}

pub(super) fn paragraph(text: &str, left: f32, width: f32, pieces: &mut Vec<Piece>) {
    pieces.extend(lines(
        text,
        Weight::Regular,
        BODY_SIZE,
        BODY_PITCH,
        left,
        width,
        BODY_SIZE * 0.5,
        false,
    ));
}
