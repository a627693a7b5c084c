//! The composer's form: what the clerk typed and chose, read from the multipart post, made
//! into a draft, and written back into the form when the page is shown again, so that a refused
//! save keeps every field (and the pictures already uploaded).

use crate::pages::disaster::templates::{self, Template};
use crate::ui::form::Problems;
use crate::AdminState;
use axum::extract::Multipart;
use chrono::{NaiveDateTime, TimeZone, Utc};
use std::collections::BTreeMap;
use tayori_domain::delivery::{
    check_link, Bubble, BubbleField, Composition, Delivery, DeliveryError, StoredImage,
    MAX_BUBBLES, MAX_TITLE_CHARS,
};
use tayori_domain::segment::{Match, SegmentCondition, SegmentItems, Target};
use tayori_domain::time::{jst, to_jst};
use tayori_images::ImageProblem;
use tayori_ports::{ObjectError, ObjectKey};

/// Where a draft's pictures are stored; a form may name only pictures under its draft's own.
pub(super) fn media_prefix(id: &str) -> String {
    format!("media/deliveries/{id}/")
}

/// The form's fields by name, and the files chosen by bubble slot.
#[derive(Clone, Debug, Default)]
pub(super) struct Composed {
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

    fn set(&mut self, name: &str, value: impl Into<String>) {
        self.fields.insert(name.to_string(), vec![value.into()]);
    }

    fn remove(&mut self, name: &str) {
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

    /// A new draft's form filled from a ひな形: its title and category, and its text as the
    /// first bubble.
    pub fn from_template(t: &Template) -> Composed {
        let mut form = Composed::default();
        form.set("title", t.title);
        form.set("category", templates::CATEGORY);
        form.set("kind0", "text");
        form.set("text0", t.text);
        form.set("target", "all");
        form
    }
}

/// Why a composer post could not be taken in: nothing the clerk can mend in a field.
#[derive(Debug, thiserror::Error)]
pub(super) enum ComposeFailure {
    #[error("送信内容を読み取れませんでした。もう一度保存してください。")]
    Unreadable,
    #[error("画像を読み取れませんでした。もう一度選んでください。")]
    UnreadableImage,
}

pub(super) async fn read(mut multipart: Multipart) -> Result<Composed, ComposeFailure> {
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

/// What the form composes, and whether it may be stored.
pub(super) struct Applied {
    pub composition: Composition,
    /// Something must not be stored as typed (a link that is not an https:// page, a field
    /// longer than LINE takes, fields a bubble's kind would drop): the form is shown again with
    /// everything kept, and the draft is not stored.
    pub refused: bool,
}

/// The composition the form makes of draft `d`; pictures are stored as they come. Problems
/// are per field; the form is brought in line with the draft's pictures, so that showing it
/// again names them.
pub(super) async fn apply(
    state: &AdminState,
    d: &Delivery,
    form: &mut Composed,
    items: &SegmentItems,
    problems: &mut Problems,
) -> Result<Applied, ObjectError> {
    let mut refused = false;
    let title = form.get("title");
    if title.chars().count() > MAX_TITLE_CHARS {
        problems.add("title", DeliveryError::TitleTooLong.to_string());
        refused = true;
    }
    let pictures = Pictures::of(state, d);
    let mut bubbles = Vec::new();
    for n in 0..MAX_BUBBLES {
        let kept = pictures.named(&form.slot("image", n)).await?;
        let uploaded = match form.files.get(&n) {
            Some(bytes) => match store_image(state, d.id(), bytes).await? {
                Ok(image) => Some(image),
                Err(problem) => {
                    problems.add(&format!("file-{n}"), format!("{}つ目：{problem}", n + 1));
                    None
                }
            },
            None => None,
        };
        let filled = Filled {
            text: !form.slot("text", n).is_empty(),
            new_picture: uploaded.is_some(),
            kept_picture: kept.is_some(),
            link: !form.slot("url", n).is_empty() || !form.slot("label", n).is_empty(),
            place: ["ltitle", "laddress", "lat", "lng"]
                .iter()
                .any(|name| !form.slot(name, n).is_empty()),
        };
        let image = uploaded.or(kept);
        match &image {
            Some(image) => form.set(&format!("image{n}"), image.original.clone()),
            None => form.remove(&format!("image{n}")),
        }
        let kind = match SlotKind::of(&form.slot("kind", n), &filled) {
            Ok(Some(kind)) => kind,
            Ok(None) => continue,
            Err(problem) => {
                problems.add(&format!("kind-{n}"), format!("{}つ目：{problem}", n + 1));
                refused = true;
                continue;
            }
        };
        form.set(&format!("kind{n}"), kind.code());
        let bubble = match kind {
            // Browsers submit a textarea's line breaks as CRLF; LINE and the preview want LF.
            SlotKind::Text => Bubble::Text {
                text: form.slot("text", n).replace("\r\n", "\n"),
            },
            SlotKind::Image | SlotKind::ImageLink => {
                let url = form.slot("url", n);
                if kind == SlotKind::ImageLink && !url.is_empty() {
                    if let Err(problem) = check_link(&url) {
                        problems.add(&format!("url-{n}"), format!("{}つ目の{problem}", n + 1));
                        refused = true;
                    }
                }
                let Some(image) = image else {
                    problems.add(
                        &format!("file-{n}"),
                        format!("{}つ目：画像ファイルを選んでください。", n + 1),
                    );
                    continue;
                };
                if kind == SlotKind::Image {
                    Bubble::Image { image }
                } else {
                    Bubble::ImageLink {
                        image,
                        url,
                        label: form.slot("label", n),
                    }
                }
            }
            SlotKind::Location => Bubble::Location {
                title: form.slot("ltitle", n),
                address: form.slot("laddress", n),
                latitude: form.slot("lat", n).parse().unwrap_or(f64::NAN),
                longitude: form.slot("lng", n).parse().unwrap_or(f64::NAN),
            },
        };
        for over in bubble.over_limits() {
            problems.add(
                &format!("{}-{n}", field_id(over.field)),
                format!("{}つ目の{over}", n + 1),
            );
            refused = true;
        }
        bubbles.push(bubble);
    }
    let target = if form.get("target") == "segment" {
        let conditions: Vec<SegmentCondition> = items
            .items
            .iter()
            .filter_map(|item| {
                let values = form.all(&format!("seg.{}", item.id));
                (!values.is_empty()).then(|| SegmentCondition {
                    item: item.id.clone(),
                    matching: if form.get(&format!("all.{}", item.id)) == "1" {
                        Match::AllOf
                    } else {
                        Match::AnyOf
                    },
                    values,
                })
            })
            .collect();
        Target::Segment { conditions }
    } else {
        Target::All
    };
    if let Err(e) = target.validate(items) {
        problems.add("target", e.to_string());
    }
    let send_at = match form.get("send_at").as_str() {
        "" => None,
        s => match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
            Ok(local) => jst()
                .from_local_datetime(&local)
                .single()
                .map(|t| t.with_timezone(&Utc)),
            Err(_) => {
                problems.add("send-at", "配信日時を正しく入力してください。");
                None
            }
        },
    };
    Ok(Applied {
        composition: Composition {
            title,
            category: form.get("category"),
            bubbles,
            target,
            send_at,
        },
        refused,
    })
}

/// The id (after `f-`) of the form's field for a bubble's field, so a problem stands beside it.
pub(super) fn field_id(field: BubbleField) -> &'static str {
    match field {
        BubbleField::Text => "text",
        BubbleField::ButtonLabel => "label",
        BubbleField::PlaceName => "lt",
        BubbleField::Address => "la",
    }
}

/// Which kinds' fields of one bubble slot hold something.
#[derive(Clone, Copy, Debug, Default)]
struct Filled {
    text: bool,
    /// A picture chosen with this post.
    new_picture: bool,
    /// A picture stored with an earlier save (kept in the form as a hidden field).
    kept_picture: bool,
    /// The link's URL or its button's words.
    link: bool,
    place: bool,
}

/// The kinds of bubble the composer offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SlotKind {
    Text,
    Image,
    ImageLink,
    Location,
}

/// Why a slot's bubble cannot be made from what was filled in without dropping some of it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum SlotProblem {
    #[error("{0}が入力されています。1つの吹き出しには1種類しか入らないため、種類を選ぶか、使わない欄を空にしてください。")]
    Several(String),
    #[error("種類が「{0}」のため、入力された{1}は配信されません。種類を選び直すか、{1}の欄を空にしてください。")]
    Unused(&'static str, String),
}

impl SlotKind {
    pub const ALL: [SlotKind; 4] = [
        SlotKind::Text,
        SlotKind::Image,
        SlotKind::ImageLink,
        SlotKind::Location,
    ];

    /// The form's value for it.
    pub fn code(self) -> &'static str {
        match self {
            SlotKind::Text => "text",
            SlotKind::Image => "image",
            SlotKind::ImageLink => "image_link",
            SlotKind::Location => "location",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SlotKind::Text => "テキスト",
            SlotKind::Image => "画像",
            SlotKind::ImageLink => "画像＋リンクボタン",
            SlotKind::Location => "位置情報",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The slot's kind: the one chosen, or with 「なし」 the one its filled fields make (a clerk
    /// who types a text and forgets the kind means a text). Nothing typed is dropped: fields
    /// the kind would not send are a problem, not silently lost. A picture stored earlier does
    /// not count against a chosen kind, since switching the kind is how a clerk stops using it.
    fn of(chosen: &str, filled: &Filled) -> Result<Option<SlotKind>, SlotProblem> {
        let picture = filled.new_picture || filled.kept_picture;
        match SlotKind::from_code(chosen) {
            None => {
                let parts = [
                    (filled.text, "本文"),
                    (picture || filled.link, "画像"),
                    (filled.place, "位置情報"),
                ];
                let named: Vec<&str> = parts.iter().filter(|(f, _)| *f).map(|(_, n)| *n).collect();
                match named.as_slice() {
                    [] => Ok(None),
                    ["本文"] => Ok(Some(SlotKind::Text)),
                    ["位置情報"] => Ok(Some(SlotKind::Location)),
                    ["画像"] if filled.link => Ok(Some(SlotKind::ImageLink)),
                    ["画像"] => Ok(Some(SlotKind::Image)),
                    _ => Err(SlotProblem::Several(named.join("と"))),
                }
            }
            Some(kind) => {
                let unused = [
                    (filled.text && kind != SlotKind::Text, "本文"),
                    (
                        filled.new_picture && matches!(kind, SlotKind::Text | SlotKind::Location),
                        "画像",
                    ),
                    (
                        filled.link && kind != SlotKind::ImageLink,
                        "リンク先URL・ボタンの文言",
                    ),
                    (filled.place && kind != SlotKind::Location, "位置情報"),
                ];
                let named: Vec<&str> = unused.iter().filter(|(f, _)| *f).map(|(_, n)| *n).collect();
                if named.is_empty() {
                    Ok(Some(kind))
                } else {
                    Err(SlotProblem::Unused(kind.label(), named.join("・")))
                }
            }
        }
    }
}

/// The pictures a form may name for a draft: the draft's own, and those uploaded for it with a
/// save that was refused (stored under its media folder, in the draft not yet). A forged form
/// cannot send any other object in the bucket to LINE.
struct Pictures<'a> {
    state: &'a AdminState,
    prefix: String,
    stored: Vec<StoredImage>,
}

impl<'a> Pictures<'a> {
    fn of(state: &'a AdminState, d: &Delivery) -> Self {
        Self {
            state,
            prefix: media_prefix(d.id()),
            stored: d
                .bubbles()
                .iter()
                .filter_map(Bubble::image)
                .cloned()
                .collect(),
        }
    }

    async fn named(&self, original: &str) -> Result<Option<StoredImage>, ObjectError> {
        if original.is_empty() {
            return Ok(None);
        }
        if let Some(image) = self.stored.iter().find(|i| i.original == original) {
            return Ok(Some(image.clone()));
        }
        // Only a name this module gives an upload: `<32 hex digits>.<jpg|png>`.
        let generated = original
            .strip_prefix(&self.prefix)
            .and_then(|name| name.rsplit_once('.'))
            .filter(|(stem, extension)| {
                stem.len() == 32
                    && stem.bytes().all(|b| b.is_ascii_hexdigit())
                    && IMAGE_EXTENSIONS.contains(extension)
            });
        let Some((stem, _)) = generated else {
            return Ok(None);
        };
        let uploaded = self.state.platform.objects.list(&self.prefix).await?;
        let has = |key: &str| uploaded.iter().any(|k| k.as_str() == key);
        let preview = IMAGE_EXTENSIONS
            .iter()
            .map(|ext| format!("{}{stem}-preview.{ext}", self.prefix))
            .find(|key| has(key));
        Ok(preview
            .filter(|_| has(original))
            .map(|preview| StoredImage {
                original: original.to_string(),
                preview,
            }))
    }
}

/// The extensions `tayori_images` stores pictures with.
const IMAGE_EXTENSIONS: [&str; 2] = ["jpg", "png"];

/// Makes the upload ready for LINE (`tayori_images::prepare`) and stores the original and its
/// preview under the draft's media folder; `Ok(Err)` is a problem with the file the clerk can
/// fix, `Err` a storage failure.
async fn store_image(
    state: &AdminState,
    id: &str,
    bytes: &[u8],
) -> Result<Result<StoredImage, ImageProblem>, ObjectError> {
    let prepared = match tayori_images::prepare(bytes) {
        Ok(p) => p,
        Err(problem) => return Ok(Err(problem)),
    };
    let name = uuid::Uuid::new_v4().simple();
    let (original, preview) = (prepared.original, prepared.preview);
    let prefix = media_prefix(id);
    let image = StoredImage {
        original: format!("{prefix}{name}.{}", original.format.extension()),
        preview: format!("{prefix}{name}-preview.{}", preview.format.extension()),
    };
    for (key, encoded) in [(&image.original, original), (&image.preview, preview)] {
        let object_key = ObjectKey::new(key.clone()).expect("generated keys are valid");
        state
            .platform
            .objects
            .put(&object_key, encoded.bytes, encoded.format.content_type())
            .await?;
    }
    Ok(Ok(image))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(text: bool, picture: bool, link: bool, place: bool) -> Filled {
        Filled {
            text,
            new_picture: picture,
            kept_picture: false,
            link,
            place,
        }
    }

    #[test]
    fn with_no_kind_chosen_the_filled_fields_say_what_the_bubble_is() {
        let of = |f: Filled| SlotKind::of("", &f);
        assert_eq!(of(filled(false, false, false, false)), Ok(None));
        assert_eq!(
            of(filled(true, false, false, false)),
            Ok(Some(SlotKind::Text))
        );
        assert_eq!(
            of(filled(false, true, false, false)),
            Ok(Some(SlotKind::Image))
        );
        assert_eq!(
            of(filled(false, true, true, false)),
            Ok(Some(SlotKind::ImageLink))
        );
        assert_eq!(
            of(filled(false, false, false, true)),
            Ok(Some(SlotKind::Location))
        );
        assert_eq!(
            of(filled(true, true, false, false)),
            Err(SlotProblem::Several("本文と画像".into()))
        );
    }

    #[test]
    fn fields_a_chosen_kind_would_not_send_are_a_problem_not_dropped() {
        assert_eq!(
            SlotKind::of("image", &filled(true, true, false, false)),
            Err(SlotProblem::Unused("画像", "本文".into()))
        );
        assert_eq!(
            SlotKind::of("text", &filled(true, true, false, false)),
            Err(SlotProblem::Unused("テキスト", "画像".into()))
        );
        let switched = Filled {
            text: true,
            kept_picture: true,
            ..Filled::default()
        };
        assert_eq!(SlotKind::of("text", &switched), Ok(Some(SlotKind::Text)));
    }
}
