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
                        // LINE limits a Flex image to 1024 × 1024 pixels: the preview's size.
                        "url": media_url(media_base, &image.preview),
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

#[cfg(test)]
mod tests {
    use super::*;
    use tayori_domain::delivery::StoredImage;

    #[test]
    fn an_image_message_opens_the_original_and_a_flex_bubble_shows_the_preview() {
        let image = StoredImage {
            original: "media/deliveries/D1/a.jpg".into(),
            preview: "media/deliveries/D1/a-preview.jpg".into(),
        };
        let bubbles = [
            Bubble::Image {
                image: image.clone(),
            },
            Bubble::ImageLink {
                image,
                url: "https://www1.city.obama.fukui.jp/".into(),
                label: "詳しくはこちら".into(),
            },
        ];
        let sent: Vec<serde_json::Value> = to_line_messages(&bubbles, "https://tayori.example/")
            .iter()
            .map(|m| serde_json::to_value(m).unwrap())
            .collect();
        let base = "https://tayori.example/media/deliveries/D1";
        assert_eq!(sent[0]["originalContentUrl"], format!("{base}/a.jpg"));
        assert_eq!(sent[0]["previewImageUrl"], format!("{base}/a-preview.jpg"));
        assert_eq!(
            sent[1]["contents"]["hero"]["url"],
            format!("{base}/a-preview.jpg")
        );
    }
}
