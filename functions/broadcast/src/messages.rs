//! A delivery's bubbles as LINE messages. Images are served to LINE from the public media
//! route (`<base>/<key>`, keys start with `media/`), as LINE fetches them itself over https.

use serde_json::json;
use tayori_domain::delivery::Bubble;
use tayori_line::message::Message;

pub fn media_url(base: &str, key: &str) -> String {
    format!("{}/{key}", base.trim_end_matches('/'))
}

pub fn to_line_messages(bubbles: &[Bubble], media_base: &str) -> Vec<Message> {
    bubbles
        .iter()
        .map(|bubble| match bubble {
            Bubble::Text { text } => Message::text(text),
            Bubble::Image { image } => Message::image(
                media_url(media_base, &image.original),
                media_url(media_base, &image.preview),
            ),
            Bubble::ImageLink { image, url, label } => Message::flex(
                label.clone(),
                json!({
                    "type": "bubble",
                    "hero": {
                        "type": "image",
                        "url": media_url(media_base, &image.original),
                        "size": "full",
                        "aspectMode": "cover",
                        "action": { "type": "uri", "label": label, "uri": url }
                    },
                    "footer": {
                        "type": "box",
                        "layout": "vertical",
                        "contents": [{
                            "type": "button",
                            "style": "primary",
                            "action": { "type": "uri", "label": label, "uri": url }
                        }]
                    }
                }),
            ),
            Bubble::Location {
                title,
                address,
                latitude,
                longitude,
            } => Message::location(title, address, *latitude, *longitude),
        })
        .collect()
}
