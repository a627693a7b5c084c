//! JMA's Atom feeds (高頻度（随時） `extra.xml`, 高頻度（地震火山） `eqvol.xml`): each entry
//! announces one message by its data URL.

use crate::tree::{read, Node};
use crate::ParseError;
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    /// The entry's id: JMA uses the data URL. The poller's "seen" key.
    pub id: String,
    pub title: String,
    pub updated: DateTime<Utc>,
    /// The message's URL (`link/@href`).
    pub link: String,
}

impl FeedEntry {
    /// The message type the link's file name announces (`…_0_VXSE53_270000.xml`), if any.
    pub fn type_code(&self) -> Option<&str> {
        type_code_in_link(&self.link)
    }
}

/// The type code in a JMA data file name: the segment before the issuing office's code.
pub fn type_code_in_link(link: &str) -> Option<&str> {
    let file = link.rsplit('/').next()?.strip_suffix(".xml")?;
    let mut parts = file.rsplit('_');
    let _office = parts.next()?;
    let code = parts.next()?;
    let plausible = code.len() == 6 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    plausible.then_some(code)
}

fn entry(node: &Node) -> Result<FeedEntry, ParseError> {
    let id = node.text_at("id").ok_or(ParseError::Missing("entry/id"))?;
    let updated = node
        .text_at("updated")
        .ok_or(ParseError::Missing("entry/updated"))?;
    let updated = DateTime::parse_from_rfc3339(updated)
        .map_err(|_| ParseError::Unexpected {
            field: "entry/updated",
            value: updated.into(),
        })?
        .with_timezone(&Utc);
    let link = node
        .children("link")
        .find_map(|l| l.attr("href"))
        .ok_or(ParseError::Missing("entry/link/@href"))?;
    Ok(FeedEntry {
        id: id.into(),
        title: node.text_at("title").unwrap_or_default().into(),
        updated,
        link: link.into(),
    })
}

/// The feed's entries in the feed's order (newest first, as JMA writes them).
pub fn parse_feed(xml: &[u8]) -> Result<Vec<FeedEntry>, ParseError> {
    let root = read(xml)?;
    if root.name != "feed" {
        return Err(ParseError::Unexpected {
            field: "ルート要素",
            value: root.name,
        });
    }
    root.children("entry").map(entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_are_read_from_data_file_names() {
        assert_eq!(
            type_code_in_link(
                "http://www.data.jma.go.jp/developer/xml/data/20211111222501_0_VXSE53_270000.xml"
            ),
            Some("VXSE53")
        );
        assert_eq!(type_code_in_link("https://x/feed.xml"), None);
        assert_eq!(type_code_in_link("https://x/a_b"), None);
    }

    #[test]
    fn a_feed_needs_entries_with_ids_and_links() {
        let no_link = br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><updated>2021-11-12T01:48:31Z</updated></entry></feed>"#;
        assert_eq!(
            parse_feed(no_link),
            Err(ParseError::Missing("entry/link/@href"))
        );
        assert!(matches!(
            parse_feed(b"<Report/>"),
            Err(ParseError::Unexpected { .. })
        ));
        assert_eq!(parse_feed(b"<feed></feed>"), Ok(vec![]));
    }
}
