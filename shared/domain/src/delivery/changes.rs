//! What a change did to a delivery, in words for the audit log (操作ログ): the title, the
//! category, who receives it, when, and each bubble (text edited, picture added or removed,
//! link changed). Texts are summarised by length: the log says that the wording changed, the
//! delivery itself says how it reads.

use super::{text_units, Bubble, Delivery};
use crate::segment::Target;
use crate::time::format_jst;

fn kind_label(bubble: &Bubble) -> &'static str {
    match bubble {
        Bubble::Text { .. } => "テキスト",
        Bubble::Image { .. } => "画像",
        Bubble::ImageLink { .. } => "画像＋リンクボタン",
        Bubble::Location { .. } => "位置情報",
    }
}

fn when(d: &Delivery) -> String {
    d.send_at.map(format_jst).unwrap_or_else(|| "すぐ".into())
}

/// The bubbles in a few words: `テキスト（25文字）、画像`.
pub fn bubbles_summary(bubbles: &[Bubble]) -> String {
    if bubbles.is_empty() {
        return "なし".into();
    }
    bubbles
        .iter()
        .map(|b| match b {
            Bubble::Text { text } => format!("テキスト（{}文字）", text_units(text)),
            other => kind_label(other).to_string(),
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// A new delivery in a line: title, category, target, when and its bubbles.
pub fn summary(d: &Delivery, target_words: impl Fn(&Target) -> String) -> String {
    format!(
        "「{}」 分類「{}」 配信先「{}」 配信日時「{}」 吹き出し「{}」",
        d.title,
        d.category,
        target_words(&d.target),
        when(d),
        bubbles_summary(&d.bubbles)
    )
}

/// Each difference between `before` and `after`, in order; empty when nothing changed.
pub fn changes(
    before: &Delivery,
    after: &Delivery,
    target_words: impl Fn(&Target) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    if before.title != after.title {
        out.push(format!("タイトル「{}」→「{}」", before.title, after.title));
    }
    if before.category != after.category {
        out.push(format!(
            "分類「{}」→「{}」",
            before.category, after.category
        ));
    }
    if before.target != after.target {
        out.push(format!(
            "配信先「{}」→「{}」",
            target_words(&before.target),
            target_words(&after.target)
        ));
    }
    if before.send_at != after.send_at {
        out.push(format!("配信日時「{}」→「{}」", when(before), when(after)));
    }
    let slots = before.bubbles.len().max(after.bubbles.len());
    for i in 0..slots {
        bubble_changes(i + 1, before.bubbles.get(i), after.bubbles.get(i), &mut out);
    }
    out
}

fn bubble_changes(
    n: usize,
    before: Option<&Bubble>,
    after: Option<&Bubble>,
    out: &mut Vec<String>,
) {
    let (before, after) = match (before, after) {
        (None, None) => return,
        (None, Some(added)) => {
            out.push(format!("{n}つ目に{}を追加", kind_label(added)));
            return;
        }
        (Some(removed), None) => {
            out.push(format!("{n}つ目の{}を削除", kind_label(removed)));
            return;
        }
        (Some(b), Some(a)) => (b, a),
    };
    if before == after {
        return;
    }
    if kind_label(before) != kind_label(after) {
        out.push(format!(
            "{n}つ目を{}から{}に変更",
            kind_label(before),
            kind_label(after)
        ));
    }
    match (before.image(), after.image()) {
        (None, Some(_)) => out.push(format!("{n}つ目に画像を追加")),
        (Some(_), None) => out.push(format!("{n}つ目の画像を削除")),
        (Some(b), Some(a)) if b != a => out.push(format!("{n}つ目の画像を差し替え")),
        _ => {}
    }
    match (before, after) {
        (Bubble::Text { text: b }, Bubble::Text { text: a }) if b != a => out.push(format!(
            "{n}つ目の本文を変更（{}文字→{}文字）",
            text_units(b),
            text_units(a)
        )),
        (
            Bubble::ImageLink {
                url: bu, label: bl, ..
            },
            Bubble::ImageLink {
                url: au, label: al, ..
            },
        ) => {
            if bu != au {
                out.push(format!("{n}つ目のリンク先「{bu}」→「{au}」"));
            }
            if bl != al {
                out.push(format!("{n}つ目のボタンの文言「{bl}」→「{al}」"));
            }
        }
        (Bubble::Location { .. }, Bubble::Location { .. }) => {
            out.push(format!("{n}つ目の位置情報を変更"));
        }
        _ => {}
    }
}

/// A step of the delivery's life: `「題」 承認待ち → 予約済み`, or a stop asked for.
pub fn status_change(before: &Delivery, after: &Delivery) -> String {
    let step = if before.stop_requested.is_none() && after.stop_requested.is_some() {
        format!("{} → 停止を指示", before.status.label())
    } else {
        format!("{} → {}", before.status.label(), after.status.label())
    };
    format!("「{}」 {step}", after.title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::{Composition, StoredImage};
    use chrono::{DateTime, Utc};

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn words(target: &Target) -> String {
        match target {
            Target::All => "すべての友だち".into(),
            Target::Segment { .. } => "条件".into(),
        }
    }

    fn picture(name: &str) -> StoredImage {
        StoredImage {
            original: format!("{name}.jpg"),
            preview: format!("{name}-preview.jpg"),
        }
    }

    fn composed(title: &str, more: Vec<Bubble>) -> Delivery {
        let mut bubbles = vec![Bubble::Text {
            text: "12月31日は休みです。".into(),
        }];
        bubbles.extend(more);
        let composition = Composition {
            title: title.into(),
            category: "一般".into(),
            bubbles,
            target: Target::All,
            send_at: None,
        };
        let mut d = Delivery::draft("D1".into(), "tanaka", now());
        d.compose(composition, now()).unwrap();
        d
    }

    fn draft() -> Delivery {
        composed("年末のごみ収集", Vec::new())
    }

    fn with_picture(picture: Bubble) -> Delivery {
        composed("年末のごみ収集", vec![picture])
    }

    #[test]
    fn only_what_changed_is_named() {
        let before = draft();
        assert!(changes(&before, &before.clone(), words).is_empty());
        let after = composed("年末年始のごみ収集", Vec::new());
        assert_eq!(
            changes(&before, &after, words),
            ["タイトル「年末のごみ収集」→「年末年始のごみ収集」"]
        );
    }

    #[test]
    fn pictures_added_replaced_and_removed_are_named_by_their_bubble() {
        let before = draft();
        let added = with_picture(Bubble::Image {
            image: picture("a"),
        });
        assert_eq!(changes(&before, &added, words), ["2つ目に画像を追加"]);
        let replaced = with_picture(Bubble::Image {
            image: picture("b"),
        });
        assert_eq!(changes(&added, &replaced, words), ["2つ目の画像を差し替え"]);
        assert_eq!(changes(&replaced, &before, words), ["2つ目の画像を削除"]);
        let linked = with_picture(Bubble::ImageLink {
            image: picture("b"),
            url: "https://example.jp/".into(),
            label: "詳しく".into(),
        });
        assert_eq!(
            changes(&replaced, &linked, words),
            ["2つ目を画像から画像＋リンクボタンに変更"]
        );
    }

    #[test]
    fn a_step_of_its_life_says_the_status_before_and_after() {
        let before = draft();
        let mut after = before.clone();
        after.submit("tanaka", false, String::new(), now()).unwrap();
        assert_eq!(
            status_change(&before, &after),
            "「年末のごみ収集」 下書き → 承認待ち"
        );
        let mut sending = before.clone();
        sending
            .submit("tanaka", true, String::new(), now())
            .unwrap();
        assert!(sending.start_sending(now()));
        let mut stopping = sending.clone();
        stopping.request_stop("suzuki", now()).unwrap();
        assert_eq!(
            status_change(&sending, &stopping),
            "「年末のごみ収集」 配信中 → 停止を指示"
        );
    }

    #[test]
    fn a_new_delivery_is_summarised_in_a_line() {
        let d = with_picture(Bubble::Image {
            image: picture("a"),
        });
        assert_eq!(
            summary(&d, words),
            "「年末のごみ収集」 分類「一般」 配信先「すべての友だち」 配信日時「すぐ」 吹き出し「テキスト（12文字）、画像」"
        );
    }
}
