//! A small element tree built from quick-xml's event stream. JMA messages are at most a few
//! hundred kilobytes, and reading them as a tree lets each message type be described by the
//! paths it uses (`Body/Warning/Item`), which keeps the parser readable. Names are local
//! names: JMA puts the same elements under several default namespaces (informationBasis1,
//! meteorology1, seismology1), and a reader must not depend on the prefixes chosen.

use crate::ParseError;
use quick_xml::events::Event;
use quick_xml::Reader;

/// Deeper than any JMA message; a deeper document is refused rather than followed.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The node at a `/`-separated path of child names (the first match at each step).
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('/')
            .try_fold(self, |node, step| node.child(step))
    }

    /// The trimmed text at `path`, `None` when absent or empty.
    pub fn text_at(&self, path: &str) -> Option<&str> {
        self.at(path)
            .map(|n| n.text.trim())
            .filter(|t| !t.is_empty())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn local(name: &[u8]) -> Result<String, ParseError> {
    let local = match name.iter().rposition(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    std::str::from_utf8(local)
        .map(str::to_owned)
        .map_err(|_| ParseError::Malformed("要素名がUTF-8ではありません".into()))
}

fn open(start: &quick_xml::events::BytesStart<'_>) -> Result<Node, ParseError> {
    let mut node = Node {
        name: local(start.name().as_ref())?,
        ..Node::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| ParseError::Malformed(e.to_string()))?;
        let value = attr
            .unescape_value()
            .map_err(|e| ParseError::Malformed(e.to_string()))?;
        node.attrs
            .push((local(attr.key.as_ref())?, value.into_owned()));
    }
    Ok(node)
}

/// Reads a whole document; anything not well-formed (unclosed or mismatched elements, bad
/// escapes, text after the root, invalid UTF-8) is [`ParseError::Malformed`].
pub(crate) fn read(xml: &[u8]) -> Result<Node, ParseError> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| ParseError::Malformed(e.to_string()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(ParseError::Malformed(
                        "ルート要素の後に要素があります".into(),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::Malformed("要素の入れ子が深すぎます".into()));
                }
                stack.push(open(&start)?);
            }
            Event::Empty(start) => {
                let node = open(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None if root.is_none() => root = Some(node),
                    None => {
                        return Err(ParseError::Malformed(
                            "ルート要素の後に要素があります".into(),
                        ))
                    }
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| ParseError::Malformed("対応しない終了タグ".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(text) => {
                let text = text
                    .unescape()
                    .map_err(|e| ParseError::Malformed(e.to_string()))?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(ParseError::Malformed("要素の外に文字があります".into())),
                }
            }
            Event::CData(data) => {
                let data = std::str::from_utf8(&data)
                    .map_err(|_| ParseError::Malformed("CDATAがUTF-8ではありません".into()))?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(data);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(ParseError::Malformed(
            "閉じられていない要素があります".into(),
        ));
    }
    root.ok_or_else(|| ParseError::Malformed("ルート要素がありません".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_dropped_and_paths_follow_local_names() {
        let root = read(
            br#"<?xml version="1.0" encoding="utf-8"?><a:Report xmlns:a="x"><a:Head><Title> t &amp; u </Title></a:Head><Empty k="v"/></a:Report>"#,
        )
        .unwrap();
        assert_eq!(root.name, "Report");
        assert_eq!(root.text_at("Head/Title"), Some("t & u"));
        assert_eq!(root.at("Empty").and_then(|n| n.attr("k")), Some("v"));
    }

    #[test]
    fn documents_that_are_not_well_formed_are_refused() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<a><b>",
            b"",
            b"<a/><b/>",
            b"<a>&bogus;</a>",
            b"text<a/>",
            b"<a>\xff\xfe</a>",
        ] {
            assert!(
                matches!(read(bad), Err(ParseError::Malformed(_))),
                "{:?} accepted",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(matches!(
            read(deep.as_bytes()),
            Err(ParseError::Malformed(_))
        ));
    }
}
