//! Pouring the report's pieces (lines of text, table rows) down pages: a piece never splits,
//! space above a piece is dropped at the top of a page, a piece marked keep-with-next moves to
//! the next page together with what follows it, and a table row that starts a page brings its
//! table's header row along.

use crate::shapes::{Block, TextRun};

use super::ReportPage;

/// Something placed as a whole, drawn from y = 0 at its top (x is already on the page).
#[derive(Debug, Clone, Default)]
pub(super) struct Piece {
    pub(super) height: f32,
    /// Room above it, unless it starts a page.
    pub(super) space_before: f32,
    /// A heading, caption or header row: it must not end a page.
    pub(super) keep_with_next: bool,
    /// For a table's body row: the index of its header row, repeated when this row starts a page.
    pub(super) header: Option<usize>,
    pub(super) texts: Vec<TextRun>,
    pub(super) blocks: Vec<Block>,
}

impl Piece {
    fn place(&self, top: f32, page: &mut ReportPage) {
        page.texts.extend(self.texts.iter().map(|run| TextRun {
            baseline: run.baseline + top,
            ..run.clone()
        }));
        page.blocks.extend(self.blocks.iter().map(|block| {
            let mut block = *block;
            block.area.y += top;
            block
        }));
    }
}

/// The pieces on pages whose body runs from `top` to `bottom`; always at least one page.
pub(super) fn paginate(pieces: &[Piece], top: f32, bottom: f32) -> Vec<ReportPage> {
    let mut pages = vec![ReportPage::default()];
    let mut y = top;
    let mut at_top = true;
    for (i, piece) in pieces.iter().enumerate() {
        if !at_top && y + piece.space_before + kept_height(pieces, i) > bottom {
            pages.push(ReportPage::default());
            y = top;
            at_top = true;
        }
        let page = pages.last_mut().expect("at least one page");
        if at_top {
            if let Some(header) = piece.header.and_then(|h| pieces.get(h)) {
                header.place(y, page);
                y += header.height;
            }
        } else {
            y += piece.space_before;
        }
        piece.place(y, page);
        y += piece.height;
        at_top = false;
    }
    pages
}

/// The height of the piece at `i` and of the pieces it keeps with: a heading, caption and
/// header row need the first line or row after them on the same page.
fn kept_height(pieces: &[Piece], i: usize) -> f32 {
    let mut height = pieces[i].height;
    let mut k = i;
    while pieces[k].keep_with_next {
        let Some(next) = pieces.get(k + 1) else {
            break;
        };
        height += next.space_before + next.height;
        k += 1;
    }
    height
}
