//! Charts drawn on the server as inline SVG (the usage report, a form's per-question counts):
//! no script, so they show in any browser the city allows, print as they look, and need no
//! chart library in the bundle.
//!
//! Each chart is one `<svg role="img">` named by its title and the kind of chart, with a
//! `<desc>` that reads every label and count, so a screen reader hears the data, not a picture.
//! Every bar or slice also carries its label and count as visible text (colour is never the
//! only way to tell them apart), and the colours keep 3:1 against the white page (WCAG 1.4.11).
//! Labels are citizens' and staff's words: maud escapes them like any other text.

use maud::{html, Markup};

/// Width of every chart, in SVG units; the page scales it down on a narrow screen.
const WIDTH: u32 = 720;
/// Height of the title line above the drawing.
const TITLE_HEIGHT: u32 = 30;
/// Body text size and the widths used to fit labels: a full-width character is about as wide
/// as the font size, a half-width one a little over half.
const FONT: u32 = 13;
const WIDE_CHAR: u32 = 13;
const NARROW_CHAR: u32 = 8;
/// Room kept right of the longest bar for its count.
const COUNT_ROOM: u32 = 70;
const ROW: u32 = 26;
const BAR_HEIGHT: u32 = 18;
const TEXT: &str = "#1a1a1a";
/// The bars' blue: 8:1 against white.
const BAR: &str = "#0b5394";
/// What an empty chart says instead of a drawing.
pub const NO_DATA: &str = "データがありません";

/// Slice colours, in order. Each keeps at least 3:1 against white (tested), and neighbours
/// differ in hue and lightness, so adjacent slices stay apart for colour-blind readers too.
const PALETTE: [&str; 8] = [
    "#0b5394", // blue
    "#b45309", // amber
    "#047857", // green
    "#9d174d", // crimson
    "#5b21b6", // violet
    "#0e7490", // teal
    "#4d7c0f", // olive
    "#57534e", // stone
];

/// A horizontal bar chart, one bar per `(label, count)` in the order given; bar lengths are
/// proportional to the counts, the longest count filling the width. Zero counts keep their row
/// (a service nobody used is still listed) with no bar; no rows at all says 「データがありません」.
pub fn bar_chart<L: AsRef<str>>(title: &str, bars: &[(L, u64)]) -> Markup {
    let name = format!("{title}（棒グラフ）");
    let layout = BarLayout::new(bars);
    let height = TITLE_HEIGHT + (ROW * bars.len() as u32).max(ROW) + 8;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(name)
            width=(WIDTH) height=(height) viewBox=(format!("0 0 {WIDTH} {height}"))
            font-size=(FONT) {
            title { (name) }
            desc { (description(bars.iter().map(|(l, n)| (l.as_ref(), *n, None)))) }
            text x="0" y="18" font-size="15" font-weight="bold" fill=(TEXT) { (title) }
            @if bars.is_empty() {
                text x="0" y=(TITLE_HEIGHT + 18) fill=(TEXT) { (NO_DATA) }
            } @else {
                line x1=(layout.bar_x) y1=(TITLE_HEIGHT) x2=(layout.bar_x) y2=(height - 8)
                    stroke=(TEXT) stroke-width="1" {}
                @for (row, (label, count)) in layout.rows.iter().zip(bars) {
                    g {
                        title { (label.as_ref()) "：" (count) "件" }
                        text x=(layout.bar_x - 8) y=(row.y + 14) text-anchor="end" fill=(TEXT) { (row.label) }
                        rect x=(layout.bar_x) y=(row.y) width=(row.width) height=(BAR_HEIGHT) fill=(BAR) {}
                        text x=(layout.bar_x + row.width + 6) y=(row.y + 14) fill=(TEXT) { (count) }
                    }
                }
            }
        }
    }
}

/// Where each bar goes: the label column fits the longest label (within limits), the bars share
/// what is left after room for the counts.
struct BarLayout {
    bar_x: u32,
    rows: Vec<BarRow>,
}

struct BarRow {
    y: u32,
    width: u32,
    /// The label as shown, shortened with … when it would not fit; the full label is in the
    /// bar's `<title>` and the chart's `<desc>`.
    label: String,
}

impl BarLayout {
    fn new<L: AsRef<str>>(bars: &[(L, u64)]) -> Self {
        let longest = bars
            .iter()
            .map(|(l, _)| text_width(l.as_ref()))
            .max()
            .unwrap_or(0);
        let label_room = longest.clamp(60, 240);
        let bar_x = label_room + 16;
        let full = WIDTH - bar_x - COUNT_ROOM;
        let counts: Vec<u64> = bars.iter().map(|(_, n)| *n).collect();
        let rows = bar_lengths(&counts, full)
            .into_iter()
            .zip(bars)
            .enumerate()
            .map(|(i, (width, (label, _)))| BarRow {
                y: TITLE_HEIGHT + i as u32 * ROW + (ROW - BAR_HEIGHT) / 2,
                width,
                label: fit(label.as_ref(), label_room),
            })
            .collect();
        Self { bar_x, rows }
    }
}

/// Each count's bar length on a scale where the largest count is `full` long, rounded to the
/// nearest unit; all zero when every count is zero.
fn bar_lengths(counts: &[u64], full: u32) -> Vec<u32> {
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&n| {
            if max == 0 {
                0
            } else {
                ((u128::from(n) * u128::from(full) * 2 + u128::from(max)) / (u128::from(max) * 2))
                    as u32
            }
        })
        .collect()
}

/// A pie chart, slices clockwise from twelve o'clock in the order given, with a legend giving
/// each slice's colour, label, count and share. Shares are whole percentages that add up to
/// 100 (largest remainders), so a table read from the legend never sums to 99 or 101. Zero
/// slices are listed but not drawn; no counts at all says 「データがありません」.
pub fn pie_chart<L: AsRef<str>>(title: &str, slices: &[(L, u64)]) -> Markup {
    let name = format!("{title}（円グラフ）");
    let counts: Vec<u64> = slices.iter().map(|(_, n)| *n).collect();
    let shares = percentages(&counts);
    let total: u64 = counts.iter().sum();
    let radius = 110.0;
    let (cx, cy) = (130.0, f64::from(TITLE_HEIGHT) + 10.0 + radius);
    let legend_x = 280;
    let legend_height = ROW * slices.len() as u32;
    let height = (TITLE_HEIGHT + 20 + 2 * radius as u32).max(TITLE_HEIGHT + 10 + legend_height);
    let colour = colours(slices.len());
    let described = slices
        .iter()
        .zip(&shares)
        .map(|((l, n), share)| (l.as_ref(), *n, Some(*share)));
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(name)
            width=(WIDTH) height=(height) viewBox=(format!("0 0 {WIDTH} {height}"))
            font-size=(FONT) {
            title { (name) }
            desc { (description(described)) }
            text x="0" y="18" font-size="15" font-weight="bold" fill=(TEXT) { (title) }
            @if total == 0 {
                text x="0" y=(TITLE_HEIGHT + 18) fill=(TEXT) { (NO_DATA) }
            } @else {
                @for (i, arc) in arcs(&counts).into_iter().enumerate() {
                    @if let Some(arc) = arc {
                        g {
                            title { (slices[i].0.as_ref()) "：" (counts[i]) "件（" (shares[i]) "%）" }
                            @match arc {
                                Arc::Whole => circle cx=(cx) cy=(cy) r=(radius) fill=(colour[i]) {},
                                Arc::Part { from, to } => path d=(slice_path(cx, cy, radius, from, to))
                                    fill=(colour[i]) stroke="#ffffff" stroke-width="2" {},
                            }
                        }
                    }
                }
                @for (i, (label, count)) in slices.iter().enumerate() {
                    @let y = TITLE_HEIGHT + 10 + i as u32 * ROW;
                    rect x=(legend_x) y=(y + 2) width="14" height="14" fill=(colour[i]) {}
                    text x=(legend_x + 22) y=(y + 14) fill=(TEXT) {
                        (fit(label.as_ref(), WIDTH - legend_x - 22 - 130)) "　" (count) "件（" (shares[i]) "%）"
                    }
                }
            }
        }
    }
}

/// Each slice's colour: the palette in turn, except that the last slice never takes the first
/// one's colour, as the two touch at twelve o'clock.
fn colours(n: usize) -> Vec<&'static str> {
    (0..n)
        .map(|i| {
            let step = if i > 0 && i == n - 1 && i % PALETTE.len() == 0 {
                1
            } else {
                0
            };
            PALETTE[(i + step) % PALETTE.len()]
        })
        .collect()
}

/// A slice's extent as fractions of the whole turn, from twelve o'clock clockwise.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Arc {
    /// The only non-zero slice: an SVG arc cannot start and end at the same point.
    Whole,
    Part {
        from: f64,
        to: f64,
    },
}

/// Each slice's arc, `None` for a zero count.
fn arcs(counts: &[u64]) -> Vec<Option<Arc>> {
    let total: u64 = counts.iter().sum();
    let non_zero = counts.iter().filter(|&&n| n > 0).count();
    let mut before = 0u64;
    counts
        .iter()
        .map(|&n| {
            let from = before as f64 / total as f64;
            before += n;
            match n {
                0 => None,
                _ if non_zero == 1 => Some(Arc::Whole),
                _ => Some(Arc::Part {
                    from,
                    to: before as f64 / total as f64,
                }),
            }
        })
        .collect()
}

fn slice_path(cx: f64, cy: f64, r: f64, from: f64, to: f64) -> String {
    let point = |turn: f64| {
        let angle = turn * std::f64::consts::TAU;
        (cx + r * angle.sin(), cy - r * angle.cos())
    };
    let (x0, y0) = point(from);
    let (x1, y1) = point(to);
    let large = u8::from(to - from > 0.5);
    format!("M{cx:.2} {cy:.2} L{x0:.2} {y0:.2} A{r:.2} {r:.2} 0 {large} 1 {x1:.2} {y1:.2} Z")
}

/// Whole percentages of the total that add up to exactly 100: each share rounded down, then the
/// points still missing go to the largest remainders (ties to the earlier slice). All zero when
/// the total is zero.
fn percentages(counts: &[u64]) -> Vec<u64> {
    let total: u128 = counts.iter().map(|&n| u128::from(n)).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut shares: Vec<u64> = counts
        .iter()
        .map(|&n| (u128::from(n) * 100 / total) as u64)
        .collect();
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(u128::from(counts[i]) * 100 % total));
    let missing = 100 - shares.iter().sum::<u64>();
    for &i in by_remainder.iter().take(missing as usize) {
        shares[i] += 1;
    }
    shares
}

/// The chart read aloud: 「友だち追加 12件、メニュー操作 3件」, with shares when given.
fn description<'a>(items: impl Iterator<Item = (&'a str, u64, Option<u64>)>) -> String {
    let parts: Vec<String> = items
        .map(|(label, count, share)| match share {
            Some(share) => format!("{label} {count}件（{share}%）"),
            None => format!("{label} {count}件"),
        })
        .collect();
    if parts.is_empty() {
        NO_DATA.to_string()
    } else {
        parts.join("、")
    }
}

/// Roughly how wide a label is drawn at the body size.
fn text_width(text: &str) -> u32 {
    text.chars()
        .map(|c| if c.is_ascii() { NARROW_CHAR } else { WIDE_CHAR })
        .sum()
}

/// The label cut to `room` with a trailing … when it is wider.
fn fit(label: &str, room: u32) -> String {
    if text_width(label) <= room {
        return label.to_string();
    }
    let mut out = String::new();
    let mut used = WIDE_CHAR; // the ellipsis
    for c in label.chars() {
        used += text_width(c.encode_utf8(&mut [0; 4]));
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of one attribute on every element of a kind, in document order.
    fn attributes(svg: &str, element: &str, attribute: &str) -> Vec<String> {
        svg.split(&format!("<{element} "))
            .skip(1)
            .map(|tag| {
                let tag = format!(" {}", &tag[..tag.find('>').unwrap()]);
                let start = tag.find(&format!(" {attribute}=\"")).unwrap_or_else(|| {
                    panic!("{attribute} in <{element}{tag}>");
                }) + attribute.len()
                    + 3;
                tag[start..start + tag[start..].find('"').unwrap()].to_string()
            })
            .collect()
    }

    fn widths(svg: &str) -> Vec<u32> {
        attributes(svg, "rect", "width")
            .iter()
            .map(|w| w.parse().unwrap())
            .collect()
    }

    #[test]
    fn bars_are_proportional_to_their_counts() {
        let svg = bar_chart(
            "サービス別の件数",
            &[("友だち追加", 40), ("メニュー操作", 10), ("避難所検索", 20)],
        )
        .into_string();
        let w = widths(&svg);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0], 4 * w[1]);
        assert_eq!(w[2], 2 * w[1]);
        // The longest bar fills the room left of the counts.
        let x: Vec<u32> = attributes(&svg, "rect", "x")
            .iter()
            .map(|x| x.parse().unwrap())
            .collect();
        assert_eq!(x[0] + w[0] + COUNT_ROOM, WIDTH);
    }

    #[test]
    fn bar_lengths_round_to_the_nearest_unit_and_never_pass_the_full_length() {
        assert_eq!(bar_lengths(&[3, 1, 2], 100), [100, 33, 67]);
        assert_eq!(bar_lengths(&[u64::MAX, u64::MAX / 2], 500), [500, 250]);
        assert_eq!(bar_lengths(&[], 100), Vec::<u32>::new());
    }

    #[test]
    fn a_zero_count_keeps_its_row_and_count_without_a_bar() {
        let svg = bar_chart("件数", &[("通報", 0), ("友だち追加", 5)]).into_string();
        // Labels 65 wide (友だち追加) push the bars to x = 81: the full length is 720 − 81 − 70.
        assert_eq!(widths(&svg), [0, 569]);
        assert!(svg.contains(">通報</text>"));
        assert!(svg.contains(">0</text>"));
        assert!(svg.contains("<title>通報：0件</title>"));
    }

    #[test]
    fn all_zero_counts_draw_no_bars_but_list_every_row() {
        let svg = bar_chart("件数", &[("通報", 0), ("友だち追加", 0)]).into_string();
        assert_eq!(widths(&svg), [0, 0]);
        assert!(svg.contains("<desc>通報 0件、友だち追加 0件</desc>"));
    }

    #[test]
    fn an_empty_chart_says_there_is_no_data() {
        let none: [(&str, u64); 0] = [];
        for svg in [bar_chart("件数", &none), pie_chart("件数", &none)] {
            let svg = svg.into_string();
            assert!(svg.contains(&format!(">{NO_DATA}</text>")), "{svg}");
            assert!(svg.contains(&format!("<desc>{NO_DATA}</desc>")));
            assert!(!svg.contains("<rect") && !svg.contains("<path"));
        }
        let svg = pie_chart("件数", &[("はい", 0), ("いいえ", 0)]).into_string();
        assert!(svg.contains(&format!(">{NO_DATA}</text>")), "{svg}");
    }

    #[test]
    fn a_chart_is_an_image_named_by_its_title_and_described_by_its_data() {
        let svg = bar_chart(
            "サービス別の件数",
            &[("友だち追加", 2), ("メニュー操作", 1)],
        )
        .into_string();
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-label=\"サービス別の件数（棒グラフ）\""));
        assert!(svg.contains("<title>サービス別の件数（棒グラフ）</title>"));
        assert!(svg.contains("<desc>友だち追加 2件、メニュー操作 1件</desc>"));
        assert!(svg.contains("<title>友だち追加：2件</title>"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn labels_are_escaped() {
        let label = "<script>alert(1)</script>\"&";
        for svg in [
            bar_chart(label, &[(label, 1)]),
            pie_chart(label, &[(label, 1), ("b", 1)]),
        ] {
            let svg = svg.into_string();
            assert!(!svg.contains("<script>"), "{svg}");
            assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;"));
        }
    }

    #[test]
    fn a_long_label_is_shortened_on_the_drawing_but_whole_in_the_description() {
        let long = "子育て世帯向けの臨時特別給付金の申請方法についての問い合わせ";
        let svg = bar_chart("件数", &[(long, 3)]).into_string();
        let shown = fit(long, 240);
        assert!(shown.ends_with('…') && text_width(&shown) <= 240, "{shown}");
        assert!(svg.contains(&format!(">{shown}</text>")));
        assert!(svg.contains(&format!("<desc>{long} 3件</desc>")));
        assert_eq!(fit("通報", 240), "通報");
    }

    #[test]
    fn shares_are_whole_percentages_that_add_up_to_100() {
        assert_eq!(percentages(&[1, 1, 1]), [34, 33, 33]);
        assert_eq!(percentages(&[2, 1]), [67, 33]);
        assert_eq!(percentages(&[1, 0, 3]), [25, 0, 75]);
        assert_eq!(percentages(&[0, 0]), [0, 0]);
        for counts in [&[7u64, 7, 7, 7, 7, 7][..], &[1, 998, 1], &[5, 3, 3, 1, 1]] {
            assert_eq!(percentages(counts).iter().sum::<u64>(), 100, "{counts:?}");
        }
    }

    #[test]
    fn slices_turn_clockwise_from_the_top_in_proportion() {
        assert_eq!(
            arcs(&[1, 0, 3]),
            [
                Some(Arc::Part {
                    from: 0.0,
                    to: 0.25
                }),
                None,
                Some(Arc::Part {
                    from: 0.25,
                    to: 1.0
                })
            ]
        );
        assert_eq!(arcs(&[0, 4]), [None, Some(Arc::Whole)]);
        // A quarter from the top of a circle at (100, 100): to three o'clock, small arc.
        assert_eq!(
            slice_path(100.0, 100.0, 50.0, 0.0, 0.25),
            "M100.00 100.00 L100.00 50.00 A50.00 50.00 0 0 1 150.00 100.00 Z"
        );
        assert!(slice_path(100.0, 100.0, 50.0, 0.25, 1.0).contains(" 0 1 1 "));
    }

    #[test]
    fn a_pie_lists_every_slice_with_count_and_share_and_draws_only_non_zero_ones() {
        let svg = pie_chart("年代", &[("20代", 1), ("30代", 0), ("40代", 3)]).into_string();
        assert!(svg.contains("aria-label=\"年代（円グラフ）\""));
        assert_eq!(svg.matches("<path ").count(), 2);
        assert!(svg.contains(">20代　1件（25%）</text>"));
        assert!(svg.contains(">30代　0件（0%）</text>"));
        assert!(svg.contains(">40代　3件（75%）</text>"));
        assert!(svg.contains("<desc>20代 1件（25%）、30代 0件（0%）、40代 3件（75%）</desc>"));
        let one = pie_chart("年代", &[("20代", 0), ("30代", 2)]).into_string();
        assert_eq!(one.matches("<circle ").count(), 1);
        assert!(!one.contains("<path "));
    }

    /// WCAG 2.x relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast_with_white(hex: &str) -> f64 {
        1.05 / (luminance(hex) + 0.05)
    }

    #[test]
    fn the_last_slice_never_shares_the_first_ones_colour() {
        for n in 2..=20 {
            let c = colours(n);
            assert_ne!(c[0], c[n - 1], "{n} slices");
            assert!(c.windows(2).all(|w| w[0] != w[1]), "{n} slices");
        }
    }

    #[test]
    fn every_colour_stands_out_from_the_white_page() {
        for colour in PALETTE.iter().chain([&BAR]) {
            assert!(contrast_with_white(colour) >= 3.0, "{colour}");
        }
        assert!(contrast_with_white(TEXT) >= 4.5);
        // And the check can fail: a light yellow would not pass.
        assert!(contrast_with_white("#fde68a") < 3.0);
    }
}
