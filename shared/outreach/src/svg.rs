//! The layout as SVG for the console's preview: the same positions as the PDF, in points, on
//! a canvas sized in millimetres. Text is set in the browser's BIZ UDGothic when it has it.

use std::fmt::Write;

use crate::Weight;
use crate::{Color, Layout};

/// Draws `layout` as a standalone SVG document; every text is escaped, so a city name can
/// never become markup in the console.
pub fn svg(layout: &Layout) -> String {
    let paper = layout.paper();
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}mm" height="{}mm" viewBox="0 0 {:.2} {:.2}" role="img" aria-label="{}">"#,
        paper.width_mm(),
        paper.height_mm(),
        layout.width(),
        layout.height(),
        escape(
            layout
                .texts()
                .first()
                .map(|run| run.text.as_str())
                .unwrap_or_default()
        ),
    );
    let _ = write!(
        out,
        r##"<rect x="0" y="0" width="{:.2}" height="{:.2}" fill="#ffffff"/>"##,
        layout.width(),
        layout.height()
    );
    for block in layout.blocks() {
        let a = block.area;
        let _ = write!(
            out,
            r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{}"/>"#,
            a.x,
            a.y,
            a.width,
            a.height,
            hex(block.color)
        );
    }
    let qr = layout.qr();
    let a = qr.area;
    let _ = write!(
        out,
        r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="#ffffff"/><path fill="#000000" shape-rendering="crispEdges" d=""##,
        a.x, a.y, a.width, a.height
    );
    for run in qr.dark_runs() {
        let _ = write!(
            out,
            "M{:.3} {:.3}h{:.3}v{:.3}h{:.3}z",
            run.x, run.y, run.width, run.height, -run.width
        );
    }
    out.push_str(r#""/>"#);
    for run in layout.texts() {
        let weight = match run.weight {
            Weight::Regular => "normal",
            Weight::Bold => "bold",
        };
        // textLength keeps the browser's own font metrics from pushing a line past where
        // the PDF ends it.
        let _ = write!(
            out,
            r#"<text x="{:.2}" y="{:.2}" font-family="'BIZ UDGothic', sans-serif" font-size="{:.2}" font-weight="{}" fill="{}" textLength="{:.2}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
            run.x,
            run.baseline,
            run.size,
            weight,
            hex(run.color),
            run.width,
            escape(&run.text)
        );
    }
    out.push_str("</svg>");
    out
}

fn hex(color: Color) -> String {
    let (r, g, b) = color.rgb();
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Escaped for both text content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
