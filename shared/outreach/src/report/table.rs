//! A table as pieces: a caption, a shaded Bold header row and one piece per row, with thin
//! rules. Column widths come from the measured cells. A table wider than the page is set
//! smaller, down to 7 pt; one still too wide is split into groups of columns, each repeating
//! the label column and captioned 「（続き）」. Label cells wrap in their column; numbers never
//! wrap and stand right-aligned so their digits line up.

use crate::shapes::{Area, Block, Color};
use crate::wrap::wrap;
use crate::Weight;

use super::flow::Piece;
use super::prose::BODY_SIZE;
use super::{line_box, run, Table, RULE};

/// Sizes tried from the largest down, in half points, before splitting the columns.
const LARGEST: f32 = 9.0;
const SMALLEST: f32 = 7.0;
/// Line advance inside a wrapped cell, as a multiple of the size.
const CELL_PITCH: f32 = 1.3;
/// A label longer than this many lines is cut with 「…」 rather than fill a page.
const MAX_LABEL_LINES: usize = 6;
/// The label column is not squeezed below this many characters when numbers need the room.
const LABEL_MIN_EM: f32 = 8.0;
const CONTINUED: &str = "（続き）";

fn pad_x(size: f32) -> f32 {
    size * 0.5
}

fn pad_y(size: f32) -> f32 {
    size * 0.35
}

/// The table with every row as wide as the widest, so each column has a cell in each row.
struct Grid<'a> {
    table: &'a Table,
    columns: usize,
}

impl<'a> Grid<'a> {
    fn new(table: &'a Table) -> Self {
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.head.len()])
            .max()
            .unwrap_or(0);
        Self { table, columns }
    }

    fn head(&self, column: usize) -> &str {
        self.table.head.get(column).map_or("", String::as_str)
    }

    fn cell(row: &[String], column: usize) -> &str {
        row.get(column).map_or("", String::as_str)
    }

    /// The width column `column` needs to show every cell on one line at `size`.
    fn natural(&self, column: usize, size: f32) -> f32 {
        let head = Weight::Bold.width(self.head(column), size);
        self.table
            .rows
            .iter()
            .map(|row| Weight::Regular.width(Self::cell(row, column), size))
            .fold(head, f32::max)
            + 2.0 * pad_x(size)
    }

    /// The narrowest the label column may become by wrapping its cells.
    fn label_min(&self, size: f32) -> f32 {
        self.natural(0, size)
            .min(LABEL_MIN_EM * size + 2.0 * pad_x(size))
    }
}

/// Columns set together: the label column (always) and `numbers`, at `size`.
struct Group {
    size: f32,
    label_width: f32,
    numbers: Vec<(usize, f32)>,
}

/// The groups `grid` is printed in across `width`: one at the largest size that fits, or
/// several at the smallest size.
fn groups(grid: &Grid, width: f32) -> Vec<Group> {
    let numbers = |size: f32| -> Vec<(usize, f32)> {
        (1..grid.columns)
            .map(|column| (column, grid.natural(column, size)))
            .collect()
    };
    let label_width = |size: f32, numbers: &[(usize, f32)]| {
        let used: f32 = numbers.iter().map(|(_, w)| w).sum();
        grid.natural(0, size)
            .min((width - used).max(grid.label_min(size)))
    };
    let mut size = LARGEST;
    while size >= SMALLEST {
        let numbers = numbers(size);
        let used: f32 = numbers.iter().map(|(_, w)| w).sum();
        if used + grid.label_min(size) <= width {
            return vec![Group {
                size,
                label_width: label_width(size, &numbers),
                numbers,
            }];
        }
        size -= 0.5;
    }
    let size = SMALLEST;
    let label_min = grid.label_min(size);
    let mut groups: Vec<Vec<(usize, f32)>> = vec![Vec::new()];
    let mut used = label_min;
    for (column, w) in numbers(size) {
        let current = groups.last_mut().expect("a group");
        if !current.is_empty() && used + w > width {
            groups.push(Vec::new());
            used = label_min;
        }
        groups.last_mut().expect("a group").push((column, w));
        used += w;
    }
    groups
        .into_iter()
        .map(|numbers| Group {
            size,
            label_width: label_width(size, &numbers),
            numbers,
        })
        .collect()
}

/// Appends `table` to `pieces`, laid out from `left` within `width`.
pub(super) fn pieces(table: &Table, left: f32, width: f32, pieces: &mut Vec<Piece>) {
    let grid = Grid::new(table);
    if grid.columns == 0 {
        return;
    }
    for (i, group) in groups(&grid, width).iter().enumerate() {
        let caption = if i == 0 {
            table.caption.clone()
        } else {
            format!("{}{CONTINUED}", table.caption)
        };
        let space_before = if i == 0 { BODY_SIZE } else { BODY_SIZE * 1.5 };
        if !caption.is_empty() {
            pieces.push(caption_piece(&caption, left, width, space_before));
        }
        let columns = Columns::new(group, left);
        let header = pieces.len();
        let mut head = columns.row(
            &grid.table.head,
            Weight::Bold,
            if caption.is_empty() {
                space_before
            } else {
                0.0
            },
        );
        head.keep_with_next = true;
        pieces.push(head);
        for row in &table.rows {
            let mut piece = columns.row(row, Weight::Regular, 0.0);
            piece.header = Some(header);
            pieces.push(piece);
        }
    }
}

fn caption_piece(caption: &str, left: f32, width: f32, space_before: f32) -> Piece {
    let weight = Weight::Bold;
    let (lines, _) = wrap(caption, weight, BODY_SIZE, width, 2);
    let pitch = BODY_SIZE * CELL_PITCH;
    let texts = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let baseline = i as f32 * pitch + weight.ascent() * BODY_SIZE;
            run(line, left, baseline, BODY_SIZE, weight)
        })
        .collect();
    Piece {
        height: (lines.len().max(1) - 1) as f32 * pitch + line_box(weight, BODY_SIZE) + 4.0,
        space_before,
        keep_with_next: true,
        header: None,
        texts,
        blocks: Vec::new(),
    }
}

/// Where a group's columns stand on the page.
struct Columns {
    size: f32,
    /// (column in the table, left edge, width); the label column first.
    placed: Vec<(usize, f32, f32)>,
}

impl Columns {
    fn new(group: &Group, left: f32) -> Self {
        let mut x = left;
        let mut placed = vec![(0, x, group.label_width)];
        x += group.label_width;
        for &(column, width) in &group.numbers {
            placed.push((column, x, width));
            x += width;
        }
        Self {
            size: group.size,
            placed,
        }
    }

    fn left(&self) -> f32 {
        self.placed[0].1
    }

    fn right(&self) -> f32 {
        self.placed
            .last()
            .map_or(self.left(), |&(_, x, width)| x + width)
    }

    /// One row of `cells` (the header when `weight` is Bold): the label wrapped in its
    /// column, the numbers on one line each against their column's right edge.
    fn row(&self, cells: &[String], weight: Weight, space_before: f32) -> Piece {
        let size = self.size;
        let (pad_x, pad_y) = (pad_x(size), pad_y(size));
        let pitch = size * CELL_PITCH;
        let baseline = pad_y + weight.ascent() * size;
        let mut texts = Vec::new();
        let mut lines = 1;
        for &(column, x, width) in &self.placed {
            let text = Grid::cell(cells, column);
            if text.is_empty() {
                continue;
            }
            if column == 0 {
                let (wrapped, _) = wrap(text, weight, size, width - 2.0 * pad_x, MAX_LABEL_LINES);
                lines = lines.max(wrapped.len());
                for (i, line) in wrapped.iter().enumerate() {
                    let line_baseline = baseline + i as f32 * pitch;
                    texts.push(run(line, x + pad_x, line_baseline, size, weight));
                }
            } else {
                let text_width = weight.width(text, size);
                texts.push(run(
                    text,
                    x + width - pad_x - text_width,
                    baseline,
                    size,
                    weight,
                ));
            }
        }
        let height = 2.0 * pad_y + (lines - 1) as f32 * pitch + line_box(weight, size);
        let mut blocks = Vec::new();
        let (left, right) = (self.left(), self.right());
        let header = weight == Weight::Bold;
        if header {
            blocks.push(block(left, 0.0, right - left, height, Color::Shade));
            blocks.push(block(left, 0.0, right - left, RULE, Color::Rule));
        }
        blocks.push(block(left, height - RULE, right - left, RULE, Color::Rule));
        let edges = self.placed.iter().map(|&(_, x, _)| x).chain([right - RULE]);
        for x in edges {
            blocks.push(block(x, 0.0, RULE, height, Color::Rule));
        }
        Piece {
            height,
            space_before,
            keep_with_next: false,
            header: None,
            texts,
            blocks,
        }
    }
}

fn block(x: f32, y: f32, width: f32, height: f32, color: Color) -> Block {
    Block {
        area: Area {
            x,
            y,
            width,
            height,
        },
        color,
    }
}
