//! Rich menus (リッチメニュー, 仕様書 3.1 / 6.3.4): the menu under the chat, made the way LINE
//! Official Account Manager makes them: pick a layout, upload one image, give each area an
//! action and an accessibility label.
//!
//! Layouts are drawn on LINE's 2500-px-wide grid and scaled to the uploaded image, whose size
//! becomes the menu's size (LINE requires the two to match).

use serde::{Deserialize, Serialize};

/// LINE's limits for rich menu images.
pub const MAX_IMAGE_BYTES: usize = 1024 * 1024;
pub const MIN_WIDTH: u32 = 800;
pub const MAX_WIDTH: u32 = 2500;
pub const MIN_HEIGHT: u32 = 250;
pub const MIN_ASPECT: f64 = 1.45;
const MAX_CHAT_BAR_CHARS: usize = 14;
const MAX_NAME_CHARS: usize = 300;
const MAX_LABEL_CHARS: usize = 20;
const MAX_TEXT_CHARS: usize = 300;
const MAX_POSTBACK_CHARS: usize = 300;
const MAX_URI_CHARS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuSize {
    /// 大 (2500×1686).
    Full,
    /// 小 (2500×843).
    Compact,
}

impl MenuSize {
    pub fn base(self) -> (u32, u32) {
        match self {
            Self::Full => (2500, 1686),
            Self::Compact => (2500, 843),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Full => "大",
            Self::Compact => "小",
        }
    }
}

/// An area's rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A layout template: cells as fractions of the menu, in twelfths of its width so that every
/// usual grid (halves, thirds, quarters) fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub id: &'static str,
    pub label: &'static str,
    pub size: MenuSize,
    /// (column, row, columns spanned, rows spanned) on a 12 × 2 grid (full) or 12 × 1 (compact).
    cells: &'static [(u32, u32, u32, u32)],
}

/// Columns of the layout grid: 12 holds halves, thirds and quarters.
const GRID_COLUMNS: u32 = 12;

pub const LAYOUTS: &[Layout] = &[
    Layout {
        id: "full-6",
        label: "大・6分割（3×2）",
        size: MenuSize::Full,
        cells: &[
            (0, 0, 4, 1),
            (4, 0, 4, 1),
            (8, 0, 4, 1),
            (0, 1, 4, 1),
            (4, 1, 4, 1),
            (8, 1, 4, 1),
        ],
    },
    Layout {
        id: "full-8",
        label: "大・8分割（4×2）",
        size: MenuSize::Full,
        cells: &[
            (0, 0, 3, 1),
            (3, 0, 3, 1),
            (6, 0, 3, 1),
            (9, 0, 3, 1),
            (0, 1, 3, 1),
            (3, 1, 3, 1),
            (6, 1, 3, 1),
            (9, 1, 3, 1),
        ],
    },
    Layout {
        id: "full-4",
        label: "大・4分割（2×2）",
        size: MenuSize::Full,
        cells: &[(0, 0, 6, 1), (6, 0, 6, 1), (0, 1, 6, 1), (6, 1, 6, 1)],
    },
    Layout {
        id: "full-1-3",
        label: "大・上1＋下3",
        size: MenuSize::Full,
        cells: &[(0, 0, 12, 1), (0, 1, 4, 1), (4, 1, 4, 1), (8, 1, 4, 1)],
    },
    Layout {
        id: "full-1-2",
        label: "大・上1＋下2",
        size: MenuSize::Full,
        cells: &[(0, 0, 12, 1), (0, 1, 6, 1), (6, 1, 6, 1)],
    },
    Layout {
        id: "full-2",
        label: "大・左右2分割",
        size: MenuSize::Full,
        cells: &[(0, 0, 6, 2), (6, 0, 6, 2)],
    },
    Layout {
        id: "full-1",
        label: "大・1エリア",
        size: MenuSize::Full,
        cells: &[(0, 0, 12, 2)],
    },
    Layout {
        id: "compact-3",
        label: "小・3分割",
        size: MenuSize::Compact,
        cells: &[(0, 0, 4, 1), (4, 0, 4, 1), (8, 0, 4, 1)],
    },
    Layout {
        id: "compact-2",
        label: "小・2分割",
        size: MenuSize::Compact,
        cells: &[(0, 0, 6, 1), (6, 0, 6, 1)],
    },
    Layout {
        id: "compact-1",
        label: "小・1エリア",
        size: MenuSize::Compact,
        cells: &[(0, 0, 12, 1)],
    },
];

impl Layout {
    pub fn find(id: &str) -> Option<&'static Layout> {
        LAYOUTS.iter().find(|l| l.id == id)
    }

    pub fn area_count(&self) -> usize {
        self.cells.len()
    }

    fn rows(&self) -> u32 {
        match self.size {
            MenuSize::Full => 2,
            MenuSize::Compact => 1,
        }
    }

    /// Each area's bounds on a menu of `width` × `height`; cells meet exactly, with no gap or
    /// overlap, whatever the rounding.
    pub fn bounds(&self, width: u32, height: u32) -> Vec<Bounds> {
        let x_at = |col: u32| width * col / GRID_COLUMNS;
        let y_at = |row: u32| height * row / self.rows();
        self.cells
            .iter()
            .map(|&(c, r, cw, rh)| Bounds {
                x: x_at(c),
                y: y_at(r),
                width: x_at(c + cw) - x_at(c),
                height: y_at(r + rh) - y_at(r),
            })
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AreaAction {
    /// Open a web page or a LIFF page (https:// or https://liff.line.me/…).
    Uri { uri: String },
    /// Send this text as the citizen, e.g. 「今日のごみ」.
    Message { text: String },
    /// Tell the service quietly (usage counts these as menu taps).
    Postback { data: String, display_text: String },
    /// Switch to another tab of a tabbed menu.
    SwitchTab { alias_id: String },
}

impl AreaAction {
    pub fn kind_label(&self) -> &'static str {
        match self {
            Self::Uri { .. } => "リンクを開く",
            Self::Message { .. } => "テキストを送信",
            Self::Postback { .. } => "ポストバック",
            Self::SwitchTab { .. } => "タブ切替",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuArea {
    pub action: AreaAction,
    /// Read aloud by screen readers (LINE's action label).
    pub label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageProblem {
    #[error("画像はJPEGまたはPNG形式にしてください。")]
    WrongType,
    #[error("画像は1MB以下にしてください（今は{0}KB）。")]
    TooLarge(usize),
    #[error("画像の幅は800〜2500ピクセルにしてください（今は{0}ピクセル）。")]
    Width(u32),
    #[error("画像の高さは250ピクセル以上にしてください（今は{0}ピクセル）。")]
    Height(u32),
    #[error("画像が縦長すぎます。幅÷高さが1.45以上になるようにしてください。")]
    Aspect,
    #[error("選んだ型（{expected}）と画像の縦横比が合いません。{hint}の画像を用意してください。")]
    LayoutMismatch {
        expected: &'static str,
        hint: &'static str,
    },
}

/// Checks an uploaded image against LINE's rules and the chosen layout.
pub fn check_image(
    format: ImageFormat,
    bytes: usize,
    width: u32,
    height: u32,
    layout: &Layout,
) -> Result<(), ImageProblem> {
    if format == ImageFormat::Other {
        return Err(ImageProblem::WrongType);
    }
    if bytes > MAX_IMAGE_BYTES {
        return Err(ImageProblem::TooLarge(bytes.div_ceil(1024)));
    }
    if !(MIN_WIDTH..=MAX_WIDTH).contains(&width) {
        return Err(ImageProblem::Width(width));
    }
    if height < MIN_HEIGHT {
        return Err(ImageProblem::Height(height));
    }
    let aspect = width as f64 / height as f64;
    if aspect < MIN_ASPECT {
        return Err(ImageProblem::Aspect);
    }
    let (bw, bh) = layout.size.base();
    let expected = bw as f64 / bh as f64;
    if (aspect - expected).abs() / expected > 0.03 {
        return Err(ImageProblem::LayoutMismatch {
            expected: layout.size.label(),
            hint: match layout.size {
                MenuSize::Full => "2500×1686（または1200×810）",
                MenuSize::Compact => "2500×843（または1200×405）",
            },
        });
    }
    Ok(())
}

/// A rich menu as staff edit it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RichMenuDraft {
    /// 管理用の名前 (not shown to citizens).
    pub name: String,
    /// The label of the bar that opens the menu (メニューバーのテキスト).
    pub chat_bar_text: String,
    pub layout: String,
    pub areas: Vec<MenuArea>,
    /// Open when the chat opens.
    pub open_by_default: bool,
    /// The alias other tabs switch to (tabbed menus), e.g. `tab-kurashi`.
    pub alias_id: Option<String>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn valid_alias(alias: &str) -> bool {
    (1..=32).contains(&alias.len())
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl RichMenuDraft {
    /// Problems per form field (`name`, `chat_bar_text`, `area-<n>`), in Japanese.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut add = |field: String, message: String| out.push((field, message));
        if self.name.trim().is_empty() || chars(&self.name) > MAX_NAME_CHARS {
            add(
                "name".into(),
                "管理用の名前を300文字以内で入力してください。".into(),
            );
        }
        if self.chat_bar_text.trim().is_empty() || chars(&self.chat_bar_text) > MAX_CHAT_BAR_CHARS {
            add(
                "chat_bar_text".into(),
                "メニューバーのテキストを14文字以内で入力してください。".into(),
            );
        }
        if let Some(alias) = &self.alias_id {
            if !valid_alias(alias) {
                add(
                    "alias_id".into(),
                    "タブのIDは半角英数字・「-」「_」で32文字以内にしてください。".into(),
                );
            }
        }
        let Some(layout) = Layout::find(&self.layout) else {
            add("layout".into(), "型を選んでください。".into());
            return out;
        };
        if self.areas.len() != layout.area_count() {
            add(
                "layout".into(),
                format!(
                    "この型にはエリアが{}つあります。すべてのエリアの動作を設定してください。",
                    layout.area_count()
                ),
            );
        }
        for (i, area) in self.areas.iter().enumerate() {
            let field = format!("area-{}", i + 1);
            let n = i + 1;
            if area.label.trim().is_empty() || chars(&area.label) > MAX_LABEL_CHARS {
                add(
                    field.clone(),
                    format!("エリア{n}：読み上げ用のラベルを20文字以内で入力してください。"),
                );
            }
            match &area.action {
                AreaAction::Uri { uri } => {
                    if !uri.starts_with("https://")
                        || chars(uri) > MAX_URI_CHARS
                        || uri.contains(char::is_whitespace)
                    {
                        add(
                            field,
                            format!("エリア{n}：リンク先は https:// で始まるURLにしてください。"),
                        );
                    }
                }
                AreaAction::Message { text } => {
                    if text.trim().is_empty() || chars(text) > MAX_TEXT_CHARS {
                        add(
                            field,
                            format!("エリア{n}：送信するテキストを300文字以内で入力してください。"),
                        );
                    }
                }
                AreaAction::Postback { data, display_text } => {
                    if data.trim().is_empty()
                        || chars(data) > MAX_POSTBACK_CHARS
                        || chars(display_text) > MAX_TEXT_CHARS
                    {
                        add(
                            field,
                            format!(
                                "エリア{n}：ポストバックのデータを300文字以内で入力してください。"
                            ),
                        );
                    }
                }
                AreaAction::SwitchTab { alias_id } => {
                    if !valid_alias(alias_id) {
                        add(
                            field,
                            format!("エリア{n}：切り替え先のタブIDを入力してください。"),
                        );
                    }
                }
            }
        }
        out
    }
}

/// Which of the two designated menus is in force (通常 / 緊急).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuMode {
    Normal,
    Emergency,
}

impl MenuMode {
    pub fn label(self) -> &'static str {
        match self {
            Self::Normal => "通常",
            Self::Emergency => "緊急（災害時）",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_tiles_its_menu_without_gaps_or_overlaps() {
        for layout in LAYOUTS {
            for (w, h) in [
                layout.size.base(),
                (
                    1200,
                    if layout.size == MenuSize::Full {
                        810
                    } else {
                        405
                    },
                ),
                (2499, 1685),
            ] {
                let bounds = layout.bounds(w, h);
                let area: u64 = bounds
                    .iter()
                    .map(|b| b.width as u64 * b.height as u64)
                    .sum();
                assert_eq!(area, w as u64 * h as u64, "{} at {w}×{h}", layout.id);
                for b in &bounds {
                    assert!(b.x + b.width <= w && b.y + b.height <= h);
                }
                for (i, a) in bounds.iter().enumerate() {
                    for c in &bounds[i + 1..] {
                        let overlap = a.x < c.x + c.width
                            && c.x < a.x + a.width
                            && a.y < c.y + c.height
                            && c.y < a.y + a.height;
                        assert!(!overlap, "{} areas overlap", layout.id);
                    }
                }
            }
        }
    }

    #[test]
    fn images_are_checked_against_lines_rules_and_the_layout() {
        let full = Layout::find("full-6").unwrap();
        let compact = Layout::find("compact-3").unwrap();
        assert_eq!(
            check_image(ImageFormat::Png, 500_000, 2500, 1686, full),
            Ok(())
        );
        assert_eq!(
            check_image(ImageFormat::Jpeg, 500_000, 1200, 405, compact),
            Ok(())
        );
        assert_eq!(
            check_image(ImageFormat::Other, 10, 2500, 1686, full),
            Err(ImageProblem::WrongType)
        );
        assert_eq!(
            check_image(ImageFormat::Png, MAX_IMAGE_BYTES + 1, 2500, 1686, full),
            Err(ImageProblem::TooLarge(1025))
        );
        assert_eq!(
            check_image(ImageFormat::Png, 10, 3000, 2023, full),
            Err(ImageProblem::Width(3000))
        );
        assert_eq!(
            check_image(ImageFormat::Png, 10, 799, 540, full),
            Err(ImageProblem::Width(799))
        );
        assert_eq!(
            check_image(ImageFormat::Png, 10, 1000, 1000, full),
            Err(ImageProblem::Aspect)
        );
        assert!(matches!(
            check_image(ImageFormat::Png, 10, 2500, 843, full),
            Err(ImageProblem::LayoutMismatch { .. })
        ));
    }

    fn draft(areas: Vec<MenuArea>) -> RichMenuDraft {
        RichMenuDraft {
            name: "通常メニュー".into(),
            chat_bar_text: "メニュー".into(),
            layout: "compact-2".into(),
            areas,
            open_by_default: true,
            alias_id: None,
        }
    }

    #[test]
    fn a_complete_draft_has_no_problems_and_each_fault_is_named_by_area() {
        let good = vec![
            MenuArea {
                action: AreaAction::Message {
                    text: "今日のごみ".into(),
                },
                label: "今日のごみ".into(),
            },
            MenuArea {
                action: AreaAction::Uri {
                    uri: "https://www1.city.obama.fukui.jp/".into(),
                },
                label: "市のホームページ".into(),
            },
        ];
        assert!(draft(good.clone()).problems().is_empty());
        let mut bad = good.clone();
        bad[1].action = AreaAction::Uri {
            uri: "http://example.jp".into(),
        };
        let problems = draft(bad).problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "area-2");
        assert!(draft(good[..1].to_vec())
            .problems()
            .iter()
            .any(|(f, _)| f == "layout"));
        let mut long_bar = draft(good);
        long_bar.chat_bar_text = "あ".repeat(15);
        assert!(long_bar
            .problems()
            .iter()
            .any(|(f, _)| f == "chat_bar_text"));
    }
}
