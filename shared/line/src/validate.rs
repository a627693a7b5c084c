//! LINE's limits, checked before a request leaves, so that a message LINE would refuse is
//! caught with a clear reason (and the message's index) instead of a 400 after the fact.
//! Numbers: LINE's Messaging API reference, as collected in fake-line's `line-limits.yml`.
//! Lengths count UTF-16 code units, as LINE does ("🗑" counts 2).

use crate::message::{Action, ImagemapAction, Message, QuickReply};
use crate::richmenu::RichMenu;

pub const MAX_MESSAGES: usize = 5;
pub const MAX_TEXT: usize = 5000;
pub const MAX_MULTICAST_RECIPIENTS: usize = 500;
pub const MAX_URL: usize = 2000;
pub const MAX_QUICK_REPLY_ITEMS: usize = 13;
pub const MAX_QUICK_REPLY_LABEL: usize = 20;
pub const MAX_FLEX_ALT_TEXT: usize = 1500;
pub const MAX_IMAGEMAP_ALT_TEXT: usize = 1500;
pub const MAX_IMAGEMAP_ACTIONS: usize = 50;
/// LINE's template reference says 400 (not 1500 as for flex and imagemap).
pub const MAX_TEMPLATE_ALT_TEXT: usize = 400;
pub const MAX_LOCATION_TEXT: usize = 100;
pub const MAX_POSTBACK_DATA: usize = 300;
pub const MAX_ACTION_TEXT: usize = 300;
pub const MAX_URI: usize = 1000;
pub const MAX_RICH_MENU_AREAS: usize = 20;
pub const MAX_CHAT_BAR_TEXT: usize = 14;
pub const MAX_RICH_MENU_IMAGE_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ValidationError {
    #[error("{count} messages in one request; LINE takes 1 to {MAX_MESSAGES}")]
    MessageCount { count: usize },
    #[error("{count} recipients in one multicast; LINE takes 1 to {MAX_MULTICAST_RECIPIENTS}")]
    RecipientCount { count: usize },
    #[error("message {index}: {problem}")]
    Message { index: usize, problem: Problem },
    #[error("rich menu: {0}")]
    RichMenu(String),
    #[error("rich menu image: {0}")]
    RichMenuImage(String),
}

/// What is wrong with one message, quick reply or action, in words.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is {len} UTF-16 units; the limit is {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} must be an https:// URL, not {url:?}")]
    NotHttps { field: &'static str, url: String },
    #[error("{field} is {len} characters; the limit is {MAX_URL}")]
    UrlTooLong { field: &'static str, len: usize },
    #[error("({latitude}, {longitude}) is not a latitude and longitude")]
    NotACoordinate { latitude: f64, longitude: f64 },
    #[error("a sticker needs a packageId and a stickerId")]
    NoStickerIds,
    #[error("{count} imagemap actions; the limit is {MAX_IMAGEMAP_ACTIONS}")]
    ImagemapActions { count: usize },
    #[error("flex contents must be a bubble or carousel object")]
    FlexContents,
    #[error("a template must be an object")]
    TemplateNotAnObject,
    #[error("{count} quick reply items; LINE takes 1 to {MAX_QUICK_REPLY_ITEMS}")]
    QuickReplyItems { count: usize },
    #[error("quick reply item {index}: {problem}")]
    QuickReplyItem { index: usize, problem: Box<Problem> },
    #[error("the action needs a label")]
    NoLabel,
    #[error("datetimepicker mode {0:?} is not date, time or datetime")]
    PickerMode(String),
}

/// Length as LINE counts it.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// 1 to 5 messages, each within its type's limits.
pub fn messages(messages: &[Message]) -> Result<(), ValidationError> {
    if messages.is_empty() || messages.len() > MAX_MESSAGES {
        return Err(ValidationError::MessageCount {
            count: messages.len(),
        });
    }
    for (index, message) in messages.iter().enumerate() {
        self::message(message).map_err(|problem| ValidationError::Message { index, problem })?;
    }
    Ok(())
}

/// 1 to 500 user ids.
pub fn recipients(to: &[String]) -> Result<(), ValidationError> {
    if to.is_empty() || to.len() > MAX_MULTICAST_RECIPIENTS {
        return Err(ValidationError::RecipientCount { count: to.len() });
    }
    Ok(())
}

/// One message's problem, in words.
fn message(message: &Message) -> Result<(), Problem> {
    match message {
        Message::Text(m) => bounded("text", &m.text, 1, MAX_TEXT)?,
        Message::Image(m) => {
            media_url("originalContentUrl", &m.original_content_url)?;
            media_url("previewImageUrl", &m.preview_image_url)?;
        }
        Message::Location(m) => {
            bounded("title", &m.title, 1, MAX_LOCATION_TEXT)?;
            bounded("address", &m.address, 1, MAX_LOCATION_TEXT)?;
            if !(-90.0..=90.0).contains(&m.latitude) || !(-180.0..=180.0).contains(&m.longitude) {
                return Err(Problem::NotACoordinate {
                    latitude: m.latitude,
                    longitude: m.longitude,
                });
            }
        }
        Message::Sticker(m) => {
            if m.package_id.is_empty() || m.sticker_id.is_empty() {
                return Err(Problem::NoStickerIds);
            }
        }
        Message::Imagemap(m) => {
            media_url("baseUrl", &m.base_url)?;
            bounded("altText", &m.alt_text, 1, MAX_IMAGEMAP_ALT_TEXT)?;
            if m.actions.len() > MAX_IMAGEMAP_ACTIONS {
                return Err(Problem::ImagemapActions {
                    count: m.actions.len(),
                });
            }
            for action in &m.actions {
                if let ImagemapAction::Uri { link_uri, .. } = action {
                    bounded("linkUri", link_uri, 1, MAX_URI)?;
                }
            }
        }
        Message::Flex(m) => {
            bounded("altText", &m.alt_text, 1, MAX_FLEX_ALT_TEXT)?;
            if !m.contents.is_object() {
                return Err(Problem::FlexContents);
            }
        }
        Message::Template(m) => {
            bounded("altText", &m.alt_text, 1, MAX_TEMPLATE_ALT_TEXT)?;
            if !m.template.is_object() {
                return Err(Problem::TemplateNotAnObject);
            }
        }
    }
    if let Some(quick_reply) = message.quick_reply() {
        self::quick_reply(quick_reply)?;
    }
    Ok(())
}

fn quick_reply(quick_reply: &QuickReply) -> Result<(), Problem> {
    let count = quick_reply.items.len();
    if count == 0 || count > MAX_QUICK_REPLY_ITEMS {
        return Err(Problem::QuickReplyItems { count });
    }
    for (index, item) in quick_reply.items.iter().enumerate() {
        let at = |problem: Problem| Problem::QuickReplyItem {
            index,
            problem: Box::new(problem),
        };
        if let Some(url) = &item.image_url {
            media_url("imageUrl", url).map_err(at)?;
        }
        // Every quick reply button shows a label, so LINE requires one.
        match item.action.label() {
            None => return Err(at(Problem::NoLabel)),
            Some(label) => bounded("label", label, 1, MAX_QUICK_REPLY_LABEL).map_err(at)?,
        }
        action(&item.action).map_err(at)?;
    }
    Ok(())
}

/// Limits on an action's own fields (labels are limited by where the action appears).
pub(crate) fn action(action: &Action) -> Result<(), Problem> {
    match action {
        Action::Postback {
            data, display_text, ..
        } => {
            bounded("data", data, 0, MAX_POSTBACK_DATA)?;
            if let Some(text) = display_text {
                bounded("displayText", text, 1, MAX_ACTION_TEXT)?;
            }
        }
        Action::Message { text, .. } => bounded("text", text, 1, MAX_ACTION_TEXT)?,
        Action::Uri { uri, .. } => bounded("uri", uri, 1, MAX_URI)?,
        Action::DatetimePicker { data, mode, .. } => {
            bounded("data", data, 0, MAX_POSTBACK_DATA)?;
            if !matches!(mode.as_str(), "date" | "time" | "datetime") {
                return Err(Problem::PickerMode(mode.clone()));
            }
        }
        Action::RichMenuSwitch {
            data,
            rich_menu_alias_id,
            ..
        } => {
            bounded("data", data, 0, MAX_POSTBACK_DATA)?;
            bounded("richMenuAliasId", rich_menu_alias_id, 1, 32)?;
        }
        Action::Location { .. } | Action::Camera { .. } | Action::CameraRoll { .. } => {}
    }
    Ok(())
}

/// Media URLs: HTTPS and at most 2000 characters.
fn media_url(field: &'static str, url: &str) -> Result<(), Problem> {
    if !url.starts_with("https://") {
        return Err(Problem::NotHttps {
            field,
            url: url.to_owned(),
        });
    }
    let len = url.chars().count();
    if len > MAX_URL {
        return Err(Problem::UrlTooLong { field, len });
    }
    Ok(())
}

fn bounded(field: &'static str, text: &str, min: usize, max: usize) -> Result<(), Problem> {
    let len = utf16_len(text);
    if len < min {
        return Err(Problem::Empty { field });
    }
    if len > max {
        return Err(Problem::TooLong { field, len, max });
    }
    Ok(())
}

/// LINE's rules for a rich menu: 800–2500 px wide, at least 250 high, width/height ≥ 1.45,
/// at most 20 areas, each inside the menu.
pub fn rich_menu(menu: &RichMenu) -> Result<(), ValidationError> {
    let problem = |p: String| ValidationError::RichMenu(p);
    let (width, height) = (menu.size.width, menu.size.height);
    if !(800..=2500).contains(&width) || height < 250 {
        return Err(problem(format!(
            "size {width}x{height}: width must be 800 to 2500 and height at least 250"
        )));
    }
    if f64::from(width) / f64::from(height) < 1.45 {
        return Err(problem(format!(
            "size {width}x{height}: width / height must be 1.45 or more"
        )));
    }
    bounded("chatBarText", &menu.chat_bar_text, 1, MAX_CHAT_BAR_TEXT)
        .map_err(|p| problem(p.to_string()))?;
    bounded("name", &menu.name, 1, 300).map_err(|p| problem(p.to_string()))?;
    if menu.areas.len() > MAX_RICH_MENU_AREAS {
        return Err(problem(format!(
            "{} areas; the limit is {MAX_RICH_MENU_AREAS}",
            menu.areas.len()
        )));
    }
    for (i, area) in menu.areas.iter().enumerate() {
        let b = area.bounds;
        if b.width == 0
            || b.height == 0
            || u64::from(b.x) + u64::from(b.width) > u64::from(width)
            || u64::from(b.y) + u64::from(b.height) > u64::from(height)
        {
            return Err(problem(format!("area {i} does not lie inside the menu")));
        }
        action(&area.action).map_err(|p| problem(format!("area {i}: {p}")))?;
    }
    Ok(())
}

/// A rich menu image: JPEG or PNG, at most 1 MB (its pixel size must equal the menu's; LINE
/// checks that).
pub fn rich_menu_image(content_type: &str, bytes: &[u8]) -> Result<(), ValidationError> {
    if !matches!(content_type, "image/png" | "image/jpeg") {
        return Err(ValidationError::RichMenuImage(format!(
            "{content_type} is not image/png or image/jpeg"
        )));
    }
    if bytes.is_empty() || bytes.len() > MAX_RICH_MENU_IMAGE_BYTES {
        return Err(ValidationError::RichMenuImage(format!(
            "{} bytes; LINE takes 1 byte to 1 MB",
            bytes.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::QuickReplyItem;
    use crate::richmenu::{RichMenuArea, RichMenuBounds, RichMenuSize};
    use serde_json::json;

    fn problem_of(result: Result<(), ValidationError>) -> String {
        result.expect_err("should be refused").to_string()
    }

    #[test]
    fn a_text_of_5000_utf16_units_is_accepted_and_5001_refused() {
        // "🗑" is one character but two UTF-16 units: 2500 of them are 5000 units.
        let at_limit = "🗑".repeat(2500);
        assert_eq!(at_limit.chars().count(), 2500);
        assert!(messages(&[Message::text(at_limit.clone())]).is_ok());
        let over = format!("{at_limit}a");
        let problem = problem_of(messages(&[Message::text(over)]));
        assert!(problem.contains("5001"), "{problem}");
    }

    #[test]
    fn an_empty_text_is_refused() {
        assert!(matches!(
            messages(&[Message::text("")]),
            Err(ValidationError::Message { index: 0, .. })
        ));
    }

    #[test]
    fn six_messages_are_refused_and_none_is_refused() {
        let six = vec![Message::text("a"); 6];
        assert_eq!(
            messages(&six),
            Err(ValidationError::MessageCount { count: 6 })
        );
        assert!(messages(&six[..5]).is_ok());
        assert_eq!(
            messages(&[]),
            Err(ValidationError::MessageCount { count: 0 })
        );
    }

    #[test]
    fn the_refused_message_is_named_by_its_index() {
        let batch = [
            Message::text("ok"),
            Message::image("http://example.jp/a.jpg", "https://example.jp/a.jpg"),
        ];
        match messages(&batch) {
            Err(ValidationError::Message { index, problem }) => {
                assert_eq!(index, 1);
                assert_eq!(
                    problem.to_string(),
                    r#"originalContentUrl must be an https:// URL, not "http://example.jp/a.jpg""#
                );
            }
            other => panic!("expected a message problem, got {other:?}"),
        }
    }

    #[test]
    fn image_urls_must_be_https_and_at_most_2000_characters() {
        let https = "https://example.jp/a.jpg";
        assert!(messages(&[Message::image(https, https)]).is_ok());
        assert!(messages(&[Message::image(https, "http://example.jp/p.jpg")]).is_err());
        let long = format!("https://example.jp/{}", "a".repeat(MAX_URL));
        assert!(messages(&[Message::image(long, https)]).is_err());
    }

    #[test]
    fn five_hundred_recipients_are_accepted_and_501_refused() {
        let ids: Vec<String> = (0..501).map(|i| format!("U{i:032x}")).collect();
        assert!(recipients(&ids[..500]).is_ok());
        assert_eq!(
            recipients(&ids),
            Err(ValidationError::RecipientCount { count: 501 })
        );
        assert!(recipients(&[]).is_err());
    }

    #[test]
    fn quick_replies_hold_at_most_13_items_with_labels_of_20() {
        let item = |label: &str| QuickReplyItem::new(Action::message(label, "t"));
        let thirteen = QuickReply::new(vec![item("ラベル"); 13]);
        assert!(messages(&[Message::text("a").with_quick_reply(thirteen)]).is_ok());
        let fourteen = QuickReply::new(vec![item("ラベル"); 14]);
        assert!(messages(&[Message::text("a").with_quick_reply(fourteen)]).is_err());
        let long_label = QuickReply::new(vec![item(&"あ".repeat(21))]);
        assert!(messages(&[Message::text("a").with_quick_reply(long_label)]).is_err());
        let unlabelled = QuickReply::new(vec![QuickReplyItem::new(Action::Camera { label: None })]);
        assert!(messages(&[Message::text("a").with_quick_reply(unlabelled)]).is_err());
    }

    #[test]
    fn alt_texts_follow_each_types_limit() {
        let flex_ok = Message::flex("あ".repeat(1500), json!({"type": "bubble"}));
        let flex_long = Message::flex("あ".repeat(1501), json!({"type": "bubble"}));
        assert!(messages(&[flex_ok]).is_ok());
        assert!(messages(&[flex_long]).is_err());
        let template_ok = Message::template("あ".repeat(400), json!({"type": "confirm"}));
        let template_long = Message::template("あ".repeat(401), json!({"type": "confirm"}));
        assert!(messages(&[template_ok]).is_ok());
        assert!(messages(&[template_long]).is_err());
    }

    fn menu(width: u32, height: u32) -> RichMenu {
        RichMenu {
            size: RichMenuSize { width, height },
            selected: false,
            name: "main".into(),
            chat_bar_text: "メニュー".into(),
            areas: vec![RichMenuArea {
                bounds: RichMenuBounds {
                    x: 0,
                    y: 0,
                    width: width / 2,
                    height,
                },
                action: Action::postback("a", "menu=a"),
            }],
        }
    }

    #[test]
    fn rich_menus_follow_lines_size_rules() {
        assert!(rich_menu(&menu(2500, 1686)).is_ok());
        assert!(rich_menu(&menu(2500, 843)).is_ok());
        assert!(rich_menu(&menu(800, 800)).is_err(), "aspect below 1.45");
        assert!(rich_menu(&menu(2600, 1686)).is_err(), "too wide");
        let mut outside = menu(2500, 1686);
        outside.areas[0].bounds.x = 2000;
        assert!(rich_menu(&outside).is_err());
    }

    #[test]
    fn rich_menu_images_are_png_or_jpeg_up_to_1_mb() {
        assert!(rich_menu_image("image/png", &[1; 10]).is_ok());
        assert!(rich_menu_image("image/gif", &[1; 10]).is_err());
        assert!(rich_menu_image("image/jpeg", &vec![1; MAX_RICH_MENU_IMAGE_BYTES + 1]).is_err());
    }
}
