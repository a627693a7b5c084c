//! The default menus (初期メニュー): a fresh install shows citizens a 通常 menu, and has a 緊急
//! menu ready to switch to, before staff make their own. Both are ordinary stored menus that staff
//! edit, replace or delete in the console; their areas only ask for what the chat answers today
//! (garbage days, sorting, notices, the citizen's registration, and in the 緊急 menu the nearest
//! shelters).
//!
//! They are installed once per channel: the first run that finds no menu creates, designates and
//! publishes them, then records that it did, so a menu staff later changed or deleted is never
//! created again. An install that stopped half-way (LINE down) is finished by the next run.

mod draw;

use crate::publish::{publish, PublishError};
use crate::switch::designate;
use draw::{Canvas, INK, WHITE};
use tayori_domain::richmenu::{AreaAction, Layout, MenuArea, MenuMode, RichMenuDraft};
use tayori_line::LineClient;
use tayori_ports::{Condition, Item, ObjectKey, Platform};
use tayori_records::{MenuImage, RecordError, RichMenus, StoredMenu};

pub use draw::Pictogram;

/// Who the menus' records name as their author.
const INSTALLED_BY: &str = "初期設定";
/// The record that says the defaults were installed (or not needed).
const MARKER_PK: &str = "SETTINGS";
const MARKER_SK: &str = "DEFAULTMENUS";
const GREEN: [u8; 3] = [0x00, 0x7a, 0x3d];
const RED: [u8; 3] = [0xb0, 0x00, 0x20];

/// One area of a default menu: what it draws and the postback it sends.
#[derive(Debug)]
pub struct DefaultArea {
    /// The label read aloud, and drawn (split on `\n` when drawn).
    pub label: &'static str,
    pub pictogram: Pictogram,
    /// A line of explanation under the label, where the area is wide enough.
    pub note: Option<&'static str>,
    /// Postback data the webhook answers (`garbage:…`, `reg:…`).
    pub data: &'static str,
    /// What the chat shows as the citizen's message.
    pub display_text: &'static str,
}

#[derive(Debug)]
pub struct DefaultMenu {
    pub id: &'static str,
    pub name: &'static str,
    pub chat_bar_text: &'static str,
    pub layout: &'static str,
    pub mode: MenuMode,
    /// A band across the top of the image, e.g. 「緊急（災害時）メニュー」.
    pub banner: Option<&'static str>,
    pub areas: &'static [DefaultArea],
}

pub const DEFAULT_MENUS: [DefaultMenu; 2] = [
    DefaultMenu {
        id: "default-normal",
        name: "通常メニュー（初期設定）",
        chat_bar_text: "メニュー",
        layout: "full-8",
        mode: MenuMode::Normal,
        banner: None,
        areas: &[
            DefaultArea {
                label: "今日のごみ",
                pictogram: Pictogram::Calendar("今日"),
                note: None,
                data: "garbage:today",
                display_text: "今日のごみ",
            },
            DefaultArea {
                label: "明日のごみ",
                pictogram: Pictogram::Calendar("明日"),
                note: None,
                data: "garbage:tomorrow",
                display_text: "明日のごみ",
            },
            DefaultArea {
                label: "次の収集日",
                pictogram: Pictogram::Calendar("次"),
                note: None,
                data: "garbage:next",
                display_text: "次の収集日",
            },
            DefaultArea {
                label: "分別を調べる",
                pictogram: Pictogram::Lens,
                note: None,
                data: "garbage:sort",
                display_text: "分別を調べる",
            },
            DefaultArea {
                label: "ごみ通知の設定",
                pictogram: Pictogram::Bell,
                note: None,
                data: "garbage:notice",
                display_text: "ごみ通知の設定",
            },
            DefaultArea {
                label: "登録内容の確認・変更",
                pictogram: Pictogram::Person,
                note: None,
                data: "reg:show",
                display_text: "登録内容",
            },
            DefaultArea {
                label: "通報する",
                pictogram: Pictogram::Camera,
                note: None,
                data: "reports:start",
                display_text: "通報する",
            },
            DefaultArea {
                label: "通報履歴",
                pictogram: Pictogram::List,
                note: None,
                data: "reports:history",
                display_text: "通報履歴",
            },
        ],
    },
    DefaultMenu {
        id: "default-emergency",
        name: "緊急メニュー（初期設定）",
        chat_bar_text: "緊急メニュー",
        layout: "full-1-2",
        mode: MenuMode::Emergency,
        banner: Some("緊急（災害時）メニュー"),
        areas: &[
            DefaultArea {
                label: "近くの避難所",
                pictogram: Pictogram::Pin,
                note: Some("位置情報を送ると、近くの避難所をお知らせします"),
                data: "shelters:ask",
                display_text: "近くの避難所",
            },
            DefaultArea {
                label: "登録内容の確認・変更",
                pictogram: Pictogram::Person,
                note: None,
                data: "reg:show",
                display_text: "登録内容",
            },
            DefaultArea {
                label: "今日のごみ",
                pictogram: Pictogram::Calendar("今日"),
                note: None,
                data: "garbage:today",
                display_text: "今日のごみ",
            },
        ],
    },
];

impl DefaultMenu {
    fn layout(&self) -> &'static Layout {
        Layout::find(self.layout).expect("default menus use existing layouts")
    }

    fn accent(&self) -> [u8; 3] {
        match self.mode {
            MenuMode::Normal => GREEN,
            MenuMode::Emergency => RED,
        }
    }

    pub fn draft(&self) -> RichMenuDraft {
        RichMenuDraft {
            name: self.name.into(),
            chat_bar_text: self.chat_bar_text.into(),
            layout: self.layout.into(),
            areas: self
                .areas
                .iter()
                .map(|a| MenuArea {
                    action: AreaAction::Postback {
                        data: a.data.into(),
                        display_text: a.display_text.into(),
                    },
                    label: a.label.into(),
                })
                .collect(),
            open_by_default: true,
            alias_id: None,
        }
    }

    /// The menu's image at LINE's full size, as a PNG.
    pub fn image(&self) -> (u32, u32, Vec<u8>) {
        let (width, height) = self.layout().size.base();
        let mut canvas = Canvas::new(width, height);
        let cells = self.layout().bounds(width, height);
        canvas.rules(&cells);
        let accent = self.accent();
        for (i, (cell, area)) in cells.iter().zip(self.areas).enumerate() {
            let (x, mut y, w, mut h) = (
                cell.x as f32,
                cell.y as f32,
                cell.width as f32,
                cell.height as f32,
            );
            if let (0, Some(banner)) = (i, self.banner) {
                let band = 0.24 * h;
                canvas.rect(x, y, w, band, 0.0, accent);
                let px = canvas.fitting(banner, 0.6 * band, w - 120.0);
                canvas.text(banner, px, x + w / 2.0, y + (band - px) / 2.0, WHITE);
                y += band;
                h -= band;
            }
            if w > 2.0 * h {
                // A wide area: pictogram on the left, label and note beside it.
                let s = 0.62 * h;
                canvas.pictogram(area.pictogram, x + 0.12 * w, y + h / 2.0, s, accent);
                let (tx, tw) = (x + 0.24 * w, 0.72 * w);
                let px = canvas.fitting(area.label, 0.22 * h, tw);
                let note_px = area.note.map_or(0.0, |n| canvas.fitting(n, 0.11 * h, tw));
                let top = y + (h - px - 0.4 * note_px - note_px) / 2.0;
                canvas.text(area.label, px, tx + tw / 2.0, top, INK);
                if let Some(note) = area.note {
                    canvas.text(note, note_px, tx + tw / 2.0, top + px + 0.4 * note_px, INK);
                }
            } else {
                let s = 0.4 * h.min(w);
                canvas.pictogram(area.pictogram, x + w / 2.0, y + 0.36 * h, s, accent);
                let lines = split_label(area.label);
                let px = lines
                    .iter()
                    .map(|l| canvas.fitting(l, 0.13 * h, w - 100.0))
                    .fold(f32::MAX, f32::min);
                let mut top = y + 0.64 * h;
                if lines.len() > 1 {
                    top -= 0.3 * px;
                }
                for line in lines {
                    canvas.text(line, px, x + w / 2.0, top, INK);
                    top += 1.15 * px;
                }
            }
        }
        (width, height, canvas.png())
    }

    /// Every character the image draws, for checking the embedded font has them.
    #[cfg(test)]
    fn drawn_text(&self) -> String {
        let mut text: String = self.banner.unwrap_or_default().into();
        for a in self.areas {
            text.push_str(a.label);
            text.push_str(a.note.unwrap_or_default());
            if let Pictogram::Calendar(word) = a.pictogram {
                text.push_str(word);
            }
        }
        text
    }
}

/// A label too long for one line of a narrow area is split after 「の」 near its middle.
fn split_label(label: &str) -> Vec<&str> {
    let chars = label.chars().count();
    if chars <= 7 {
        return vec![label];
    }
    let middle = label
        .char_indices()
        .filter(|(_, c)| *c == 'の')
        .map(|(i, c)| i + c.len_utf8())
        .min_by_key(|&i| (label[..i].chars().count() as i64 - chars as i64 / 2).abs());
    match middle {
        Some(i) => vec![&label[..i], &label[i..]],
        None => vec![label],
    }
}

/// What [`install_defaults`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefaultsOutcome {
    /// The default menus were created, designated and published.
    Installed,
    /// Staff had made menus already: nothing was created.
    StaffMenusExist,
    /// Installed (or found unnecessary) by an earlier run.
    AlreadyDone,
}

/// Installs the default menus if this channel never had them; see the module's comment.
pub async fn install_defaults(
    platform: &Platform,
    line: &LineClient,
) -> Result<DefaultsOutcome, PublishError> {
    let table = &platform.table;
    if table
        .get(MARKER_PK, MARKER_SK)
        .await
        .map_err(RecordError::from)?
        .is_some()
    {
        return Ok(DefaultsOutcome::AlreadyDone);
    }
    let menus = RichMenus::new(table.clone());
    let is_default = |id: &str| DEFAULT_MENUS.iter().any(|d| d.id == id);
    let designation = menus.designation().await?;
    let staff_made = menus.all().await?.iter().any(|m| !is_default(&m.id))
        || [&designation.normal, &designation.emergency]
            .into_iter()
            .flatten()
            .any(|id| !is_default(id));
    let outcome = if staff_made {
        DefaultsOutcome::StaffMenusExist
    } else {
        for default in &DEFAULT_MENUS {
            let menu = match menus.get(default.id).await? {
                Some(menu) => menu,
                None => store(platform, &menus, default).await?,
            };
            if menu.line_id.is_none() {
                publish(platform, line, default.id, INSTALLED_BY).await?;
            }
            // After publishing, so that designating the menu of the mode in force makes it the
            // default on LINE, also when an earlier run published it and then failed.
            if designation
                .menu_for(default.mode)
                .is_none_or(|id| id == default.id)
            {
                designate(platform, line, default.id, default.mode).await?;
            }
        }
        DefaultsOutcome::Installed
    };
    let marker = Item::new(
        MARKER_PK,
        MARKER_SK,
        serde_json::json!({"outcome": format!("{outcome:?}"), "at": platform.clock.now()}),
    );
    table
        .put(marker, Condition::Always)
        .await
        .map_err(RecordError::from)?;
    Ok(outcome)
}

/// Draws the menu's image, keeps it in the object store and saves the menu as a draft.
async fn store(
    platform: &Platform,
    menus: &RichMenus,
    default: &DefaultMenu,
) -> Result<StoredMenu, PublishError> {
    let (width, height, png) = default.image();
    let key = format!("richmenus/{}/default.png", default.id);
    let object = ObjectKey::new(key.clone()).expect("a fixed key is valid");
    platform
        .objects
        .put(&object, png, "image/png")
        .await
        .map_err(|e| PublishError::Image(e.to_string()))?;
    let menu = StoredMenu {
        id: default.id.into(),
        draft: default.draft(),
        image: Some(MenuImage {
            key,
            content_type: "image/png".into(),
            width,
            height,
        }),
        line_id: None,
        published_at: None,
        updated_at: platform.clock.now(),
        updated_by: INSTALLED_BY.into(),
    };
    menus.save(&menu).await?;
    Ok(menu)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::Font;
    use tayori_domain::richmenu::{check_image, ImageFormat};

    #[test]
    fn every_label_is_drawn_with_the_embedded_font() {
        let font = draw::font();
        for menu in &DEFAULT_MENUS {
            let missing: String = menu
                .drawn_text()
                .chars()
                .filter(|&c| font.glyph_id(c).0 == 0)
                .collect();
            assert!(
                missing.is_empty(),
                "{}: not in the font: {missing}",
                menu.name
            );
        }
    }

    #[test]
    fn the_default_menus_are_complete_drafts_with_images_line_accepts() {
        for menu in &DEFAULT_MENUS {
            let draft = menu.draft();
            assert_eq!(
                draft.problems(),
                Vec::<(String, String)>::new(),
                "{}",
                menu.name
            );
            let (width, height, png) = menu.image();
            assert_eq!(
                check_image(ImageFormat::Png, png.len(), width, height, menu.layout()),
                Ok(()),
                "{}",
                menu.name
            );
            let size = imagesize::blob_size(&png).unwrap();
            assert_eq!((size.width as u32, size.height as u32), (width, height));
        }
    }

    #[test]
    fn long_labels_break_after_no_near_the_middle() {
        assert_eq!(
            split_label("登録内容の確認・変更"),
            vec!["登録内容の", "確認・変更"]
        );
        assert_eq!(split_label("今日のごみ"), vec!["今日のごみ"]);
    }
}
