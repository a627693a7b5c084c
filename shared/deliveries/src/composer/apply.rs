//! The composition a form makes: its bubbles, target and send time, and per field what must be
//! mended. The pictures come in already settled (stored with an earlier save, or uploaded with
//! this one), since storing them is the console's.

use super::form::Composed;
use chrono::{NaiveDateTime, TimeZone, Utc};
use std::fmt::Display;
use tayori_domain::delivery::{
    check_link, Bubble, BubbleField, Composition, DeliveryError, StoredImage, MAX_BUBBLES,
    MAX_TITLE_CHARS,
};
use tayori_domain::segment::{Match, SegmentCondition, SegmentItems, Target};
use tayori_domain::time::jst;

/// What became of bubble slot `n`'s picture before the form is applied.
#[derive(Clone, Debug)]
pub struct SlotPicture<E> {
    /// The picture stored with an earlier save that the form still names (`image<n>`), if it
    /// is one the draft may use.
    pub kept: Option<StoredImage>,
    /// The file chosen with this post (`file<n>`): stored, or why it could not be.
    pub uploaded: Option<Result<StoredImage, E>>,
}

impl<E> Default for SlotPicture<E> {
    fn default() -> Self {
        Self {
            kept: None,
            uploaded: None,
        }
    }
}

/// A message to show beside the form's field `f-<field>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// What the form composes, and whether it may be stored.
#[derive(Clone, Debug)]
pub struct Applied {
    pub composition: Composition,
    /// Per field, in the order found; a field may be named more than once, and the first
    /// message is the one to show.
    pub problems: Vec<FieldProblem>,
    /// Something must not be stored as typed (a link that is not an https:// page, a field
    /// longer than LINE takes, fields a bubble's kind would drop): the form is shown again with
    /// everything kept, and the draft is not stored.
    pub refused: bool,
}

impl Applied {
    fn problem(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(FieldProblem {
            field: field.to_string(),
            message: message.into(),
        });
    }
}

/// The composition `form` makes, given what became of each slot's picture (`pictures[n]`
/// for slot `n`; a slot without one has none) and the city's segment items. The form is
/// brought in line with the pictures and kinds, so that showing it again names them.
pub fn apply<E: Display>(
    form: &mut Composed,
    pictures: Vec<SlotPicture<E>>,
    items: &SegmentItems,
) -> Applied {
    let mut applied = Applied {
        composition: Composition {
            title: form.get("title"),
            category: form.get("category"),
            bubbles: Vec::new(),
            target: Target::All,
            send_at: None,
        },
        problems: Vec::new(),
        refused: false,
    };
    if applied.composition.title.chars().count() > MAX_TITLE_CHARS {
        applied.problem("title", DeliveryError::TitleTooLong.to_string());
        applied.refused = true;
    }
    let mut pictures = pictures.into_iter();
    for n in 0..MAX_BUBBLES {
        let SlotPicture { kept, uploaded } = pictures.next().unwrap_or_default();
        let uploaded = match uploaded {
            Some(Ok(image)) => Some(image),
            Some(Err(problem)) => {
                applied.problem(&format!("file-{n}"), format!("{}つ目：{problem}", n + 1));
                None
            }
            None => None,
        };
        if let Some(bubble) = slot(form, n, uploaded, kept, &mut applied) {
            applied.composition.bubbles.push(bubble);
        }
    }
    applied.composition.target = target(form, items);
    if let Err(e) = applied.composition.target.validate(items) {
        applied.problem("target", e.to_string());
    }
    applied.composition.send_at = match form.get("send_at").as_str() {
        "" => None,
        s => match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
            Ok(local) => jst()
                .from_local_datetime(&local)
                .single()
                .map(|t| t.with_timezone(&Utc)),
            Err(_) => {
                applied.problem("send-at", "配信日時を正しく入力してください。");
                None
            }
        },
    };
    applied
}

/// Bubble slot `n`'s bubble, if it holds one.
fn slot(
    form: &mut Composed,
    n: usize,
    uploaded: Option<StoredImage>,
    kept: Option<StoredImage>,
    applied: &mut Applied,
) -> Option<Bubble> {
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
        Ok(None) => return None,
        Err(problem) => {
            applied.problem(&format!("kind-{n}"), format!("{}つ目：{problem}", n + 1));
            applied.refused = true;
            return None;
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
                    applied.problem(&format!("url-{n}"), format!("{}つ目の{problem}", n + 1));
                    applied.refused = true;
                }
            }
            let Some(image) = image else {
                applied.problem(
                    &format!("file-{n}"),
                    format!("{}つ目：画像ファイルを選んでください。", n + 1),
                );
                return None;
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
        applied.problem(
            &format!("{}-{n}", field_id(over.field)),
            format!("{}つ目の{over}", n + 1),
        );
        applied.refused = true;
    }
    Some(bubble)
}

/// Everyone, or those whose answers meet the conditions ticked for the city's items.
fn target(form: &Composed, items: &SegmentItems) -> Target {
    if form.get("target") != "segment" {
        return Target::All;
    }
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
}

/// The id (after `f-`) of the form's field for a bubble's field, so a problem stands beside it.
pub fn field_id(field: BubbleField) -> &'static str {
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
pub enum SlotKind {
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
