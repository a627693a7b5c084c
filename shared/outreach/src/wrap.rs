//! Japanese line breaking by measured width, with basic 禁則 (kinsoku): no line starts with
//! closing brackets, small kana, 、。 or ー, none ends with an opening bracket, and a run of
//! Latin letters or digits (a phone number, an ID, a URL) is never split while it fits a line.

use crate::Weight;

const ELLIPSIS: char = '…';

/// Characters that may not begin a line (行頭禁則).
fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | ','
            | '.'
            | '・'
            | '：'
            | '；'
            | ':'
            | ';'
            | '？'
            | '！'
            | '?'
            | '!'
            | 'ー'
            | '－'
            | '〜'
            | '～'
            | '…'
            | '‥'
            | '々'
            | 'ゝ'
            | 'ゞ'
            | 'ヽ'
            | 'ヾ'
            | '」'
            | '』'
            | '）'
            | ')'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '］'
            | ']'
            | '｝'
            | '}'
            | '”'
            | '’'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
    )
}

/// Characters that may not end a line (行末禁則).
fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '「' | '『' | '（' | '(' | '【' | '〔' | '〈' | '《' | '［' | '[' | '｛' | '{' | '“' | '‘'
    )
}

fn latin(c: char) -> bool {
    c.is_ascii_graphic()
}

/// Splits `text` into pieces that are kept on one line together.
fn units(text: &str) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let joins = match previous {
            None => false,
            Some(p) if c == ' ' || p == ' ' => false,
            Some(p) => no_line_start(c) || no_line_end(p) || (latin(p) && latin(c)),
        };
        match units.last_mut() {
            Some(unit) if joins => unit.push(c),
            _ => units.push(c.to_string()),
        }
        previous = Some(c);
    }
    units
}

/// Lines of `text` at `size` points that are each at most `max_width` wide. When there would be
/// more than `max_lines`, the last kept line ends with 「…」 instead. The second value tells
/// whether anything was cut.
pub(crate) fn wrap(
    text: &str,
    weight: Weight,
    size: f32,
    max_width: f32,
    max_lines: usize,
) -> (Vec<String>, bool) {
    let width = |s: &str| weight.width(s, size);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for unit in units(text) {
        if unit == " " && line.is_empty() {
            continue;
        }
        if width(&line) + width(&unit) <= max_width {
            line.push_str(&unit);
            continue;
        }
        if !line.trim_end().is_empty() {
            lines.push(line.trim_end().to_owned());
            line.clear();
        }
        if unit == " " {
            continue;
        }
        // A piece wider than a whole line (a very long word) is broken where it must be.
        for c in unit.chars() {
            if !line.is_empty() && width(&line) + weight.advance(c) * size > max_width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.trim_end().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    if lines.len() <= max_lines {
        return (lines, false);
    }
    lines.truncate(max_lines.max(1));
    if let Some(last) = lines.last_mut() {
        *last = with_ellipsis(last, &width, max_width);
    }
    (lines, true)
}

/// `line` shortened until it and 「…」 fit.
pub(crate) fn with_ellipsis(line: &str, width: &impl Fn(&str) -> f32, max_width: f32) -> String {
    let mut kept: Vec<char> = line.chars().collect();
    loop {
        let candidate: String = kept.iter().chain(std::iter::once(&ELLIPSIS)).collect();
        if width(&candidate) <= max_width || kept.is_empty() {
            return candidate;
        }
        kept.pop();
        while kept.last() == Some(&' ') {
            kept.pop();
        }
    }
}
