//! The form's fields as posted, and the same form filled in from a stored draft, so that a
//! refused save keeps every field (and the pictures already uploaded).

use std::collections::BTreeMap;
use tayori_domain::delivery::{Bubble, Delivery};
use tayori_domain::segment::{Match, Target};
use tayori_domain::time::to_jst;

/// The form's fields by name, and the files chosen by bubble slot.
#[derive(Clone, Debug, Default)]
pub struct Composed {
    fields: BTreeMap<String, Vec<String>>,
    files: BTreeMap<usize, Vec<u8>>,
}

impl Composed {
    /// A field as typed, without the spaces around it.
    pub fn get(&self, name: &str) -> String {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    /// Field `name` of bubble slot `n` (`text0`, `url3`…), as typed.
    pub fn slot(&self, name: &str, n: usize) -> String {
        self.get(&format!("{name}{n}"))
    }

    /// Every value of a field sent more than once (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The file chosen for bubble slot `n` with this post (`file<n>`), if one was.
    pub fn file(&self, n: usize) -> Option<&[u8]> {
        self.files.get(&n).map(Vec::as_slice)
    }

    /// Field `name` as holding `value` only (what the page shows next).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.fields.insert(name.to_string(), vec![value.into()]);
    }

    pub fn remove(&mut self, name: &str) {
        self.fields.remove(name);
    }

    /// The form filled in from a stored draft: bubble `n` in slot `n`.
    pub fn from_delivery(d: &Delivery) -> Composed {
        let mut form = Composed::default();
        form.set("title", d.title());
        form.set("category", d.category());
        for (n, bubble) in d.bubbles().iter().enumerate() {
            let kind = match bubble {
                Bubble::Text { text } => {
                    form.set(&format!("text{n}"), text.clone());
                    "text"
                }
                Bubble::Image { .. } => "image",
                Bubble::ImageLink { url, label, .. } => {
                    form.set(&format!("url{n}"), url.clone());
                    form.set(&format!("label{n}"), label.clone());
                    "image_link"
                }
                Bubble::Location {
                    title,
                    address,
                    latitude,
                    longitude,
                } => {
                    form.set(&format!("ltitle{n}"), title.clone());
                    form.set(&format!("laddress{n}"), address.clone());
                    form.set(&format!("lat{n}"), latitude.to_string());
                    form.set(&format!("lng{n}"), longitude.to_string());
                    "location"
                }
            };
            form.set(&format!("kind{n}"), kind);
            if let Some(image) = bubble.image() {
                form.set(&format!("image{n}"), image.original.clone());
            }
        }
        match d.target() {
            Target::All => form.set("target", "all"),
            Target::Segment { conditions } => {
                form.set("target", "segment");
                for c in conditions {
                    form.fields
                        .insert(format!("seg.{}", c.item), c.values.clone());
                    if c.matching == Match::AllOf {
                        form.set(&format!("all.{}", c.item), "1");
                    }
                }
            }
        }
        if let Some(at) = d.send_at() {
            form.set("send_at", to_jst(at).format("%Y-%m-%dT%H:%M").to_string());
        }
        form
    }
}

/// Why a composer post could not be taken in: nothing the clerk can mend in a field.
#[derive(Debug, thiserror::Error)]
pub enum ComposeFailure {
    #[error("送信内容を読み取れませんでした。もう一度保存してください。")]
    Unreadable,
    #[error("画像を読み取れませんでした。もう一度選んでください。")]
    UnreadableImage,
}

/// The form from its multipart post. The body's size limit is the caller's (the console's
/// body limit); a body cut short by it is `Unreadable`.
pub async fn read(mut multipart: multer::Multipart<'_>) -> Result<Composed, ComposeFailure> {
    let mut composed = Composed::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ComposeFailure::Unreadable)?
    {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(n) = name
            .strip_prefix("file")
            .and_then(|n| n.parse::<usize>().ok())
        {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| ComposeFailure::UnreadableImage)?;
            if !bytes.is_empty() {
                composed.files.insert(n, bytes.to_vec());
            }
        } else {
            let text = field.text().await.unwrap_or_default();
            composed.fields.entry(name).or_default().push(text);
        }
    }
    Ok(composed)
}
