//! The composer page: the form (filled in from what was typed, or from the stored draft), its
//! problems beside the fields, and the phone preview. One bubble is open at a time, the others
//! folded to a line (`<details>`), and bubbles are added on demand, so the page stays short
//! and the preview in view. Its script and styles are static files (`static/composer.js`,
//! `static/composer.css`), so the console's Content-Security-Policy can forbid inline ones;
//! the page works without the script.

use crate::pages::disaster::templates;
use crate::session::MAX_FORM_BYTES;
use crate::ui::form::Problems;
use crate::ui::Page;
use axum::response::Response;
use maud::{html, Markup};
use tayori_deliveries::composer::{Composed, SlotKind};
use tayori_domain::delivery::{
    is_safe_link, text_units, Bubble, CATEGORIES, MAX_BUBBLES, MAX_BUTTON_LABEL_CHARS,
    MAX_PLACE_CHARS, MAX_TEXT_UNITS, MAX_TITLE_CHARS,
};
use tayori_domain::segment::SegmentItems;
use tayori_domain::staff::Permission;
use tayori_images::MAX_UPLOAD_BYTES;

/// The composer's script: the character count, shrinking photos, showing the chosen kind's fields.
pub(super) const SCRIPT: &str = "/admin/static/composer.js";
/// The composer's and the phone preview's styles.
pub(super) const STYLE: &str = "/admin/static/composer.css";

/// The fields of bubble slot `n` (their ids after `f-`, with the slot number): a problem with
/// any of them opens the slot.
const SLOT_FIELDS: [&str; 8] = ["kind", "text", "file", "url", "label", "lt", "la", "lat"];

/// The names of the form's fields for bubble slot `n`, without the slot number; any of them
/// filled means the slot is in use.
const SLOT_INPUTS: [&str; 9] = [
    "kind", "text", "image", "url", "label", "ltitle", "laddress", "lat", "lng",
];

/// How many bubble slots the composer shows: up to the last one in use, as many as were shown
/// before, at least one, and one more when the clerk pressed 「吹き出しを追加」.
fn shown_slots(form: &Composed) -> usize {
    let in_use = (0..MAX_BUBBLES)
        .filter(|n| {
            SLOT_INPUTS
                .iter()
                .any(|name| !form.slot(name, *n).is_empty())
        })
        .map(|n| n + 1)
        .max()
        .unwrap_or(0);
    let before = form.get("slots").parse().unwrap_or(0);
    let added = usize::from(form.get("action") == "add");
    (in_use.max(before) + added).clamp(1, MAX_BUBBLES)
}

/// The slot shown open: the first with a problem, else the one just added, else the first.
fn open_slot(form: &Composed, problems: &Problems, shown: usize) -> usize {
    let troubled = (0..shown).find(|n| {
        SLOT_FIELDS
            .iter()
            .any(|field| problems.get(&format!("{field}-{n}")).is_some())
    });
    troubled.unwrap_or(if form.get("action") == "add" {
        shown - 1
    } else {
        0
    })
}

/// A slot folded to one line: its number, kind and the start of what it says.
fn slot_summary(form: &Composed, n: usize) -> String {
    let field = |name: &str| form.slot(name, n);
    let kind = SlotKind::from_code(&field("kind"));
    let words = match kind {
        Some(SlotKind::Text) | None => field("text"),
        Some(SlotKind::Image) => String::new(),
        Some(SlotKind::ImageLink) => field("label"),
        Some(SlotKind::Location) => field("ltitle"),
    };
    let start: String = words.chars().take(24).collect();
    let more = if words.chars().count() > 24 {
        "…"
    } else {
        ""
    };
    let kind = kind.map_or("種類未選択", SlotKind::label);
    if start.is_empty() {
        format!("{}つ目：{kind}", n + 1)
    } else {
        format!("{}つ目：{kind}「{start}{more}」", n + 1)
    }
}

/// The problem with a field, beside it.
fn problem(problems: &Problems, field: &str) -> Markup {
    html! {
        @if let Some(p) = problems.get(field) {
            span.problem id=(format!("p-{field}")) { (p) }
        }
    }
}

/// The draft the composer shows.
pub(super) struct Draft<'a> {
    pub id: &'a str,
    /// What the preview draws: as stored, or as typed when a save was refused.
    pub bubbles: &'a [Bubble],
    /// Whether the draft is in the store yet (a new draft whose save was refused is not, and
    /// keeps its id in the form for the next try).
    pub stored: bool,
    /// The city's name, as the phone preview shows the account.
    pub city: &'a str,
}

/// `d` as the form `form` shows it.
pub(super) fn composer(
    page: &Page,
    d: Draft<'_>,
    form: &Composed,
    items: &SegmentItems,
    problems: &Problems,
) -> Response {
    let stored = d.stored;
    let action = if stored {
        format!("/admin/deliveries/{}", d.id)
    } else {
        "/admin/deliveries".to_string()
    };
    let title = if stored {
        "配信の編集"
    } else {
        "新しい配信"
    };
    let target_segment = form.get("target") == "segment";
    let shown = shown_slots(form);
    let open = open_slot(form, problems, shown);
    let chosen =
        |item: &str, value: &str| form.all(&format!("seg.{item}")).iter().any(|v| v == value);
    page.render(
        title,
        &[("ホーム", "/admin"), ("配信", "/admin/deliveries"), (title, &action)],
        "deliveries",
        html! {
            (problems.summary())
            @if !stored {
                form.inline method="get" action="/admin/deliveries/new" {
                    label for="f-template" { "ひな形から作る" }
                    select #f-template name="template" {
                        @for t in &templates::TEMPLATES { option value=(t.code) { (t.name) } }
                    }
                    button type="submit" { "ひな形を使う" }
                    span.hint { "（今の入力は消えます。【　】の部分を書き換えるまで配信できません）" }
                }
            }
            div.composer {
                form.compose method="post" action=(action) enctype="multipart/form-data" data-max-bytes=(MAX_FORM_BYTES) {
                    (page.csrf_field())
                    @if !stored && !d.id.is_empty() {
                        input type="hidden" name="draft_id" value=(d.id);
                    }
                    div.field {
                        label for="f-title" { "タイトル（管理用・必須）" }
                        input #f-title type="text" name="title" value=(form.get("title")) maxlength=(MAX_TITLE_CHARS) required
                            aria-invalid=[problems.get("title").map(|_| "true")];
                        (problem(problems, "title"))
                    }
                    div.field {
                        label for="f-category" { "分類" }
                        select #f-category name="category" {
                            @for c in CATEGORIES { option value=(c) selected[form.get("category") == c] { (c) } }
                        }
                    }
                    fieldset {
                        legend { "吹き出し（最大" (MAX_BUBBLES) "つ）" }
                        input type="hidden" name="slots" value=(shown);
                        @for n in 0..shown {
                            (slot(form, problems, n, n == open))
                        }
                        @if shown < MAX_BUBBLES {
                            button type="submit" name="action" value="add" { "吹き出しを追加" }
                        }
                    }
                    fieldset {
                        legend { "配信先" }
                        label { input #f-target type="radio" name="target" value="all" checked[!target_segment]; " すべての友だち" }
                        label { input type="radio" name="target" value="segment" checked[target_segment]; " 条件で絞り込む（項目どうしは「かつ」）" }
                        (problem(problems, "target"))
                        details.segment-conditions open[target_segment] {
                        summary { "絞り込む条件を選ぶ" }
                        @for item in &items.items {
                            @if !item.retired {
                                div.segment-item {
                                    strong { (item.label) }
                                    @for c in &item.choices {
                                        @if !c.retired || chosen(&item.id, &c.value) {
                                            label { input type="checkbox" name=(format!("seg.{}", item.id)) value=(c.value) checked[chosen(&item.id, &c.value)]; " " (c.value) }
                                        }
                                    }
                                    label.small { input type="checkbox" name=(format!("all.{}", item.id)) value="1" checked[form.get(&format!("all.{}", item.id)) == "1"]; " 選んだものをすべて満たす" }
                                }
                            }
                        }
                        }
                        p #recipient-count role="status" aria-live="polite" { }
                    }
                    div.field {
                        label for="f-send-at" { "配信日時（空欄ならすぐに配信）" }
                        input #f-send-at type="datetime-local" name="send_at" value=(form.get("send_at"));
                        (problem(problems, "send-at"))
                    }
                    div.actions {
                        button type="submit" name="action" value="save" { "下書き保存・プレビュー更新" }
                        button type="submit" name="action" value="count" { "対象人数を確認" }
                        button type="submit" name="action" value="test" { "テスト配信" }
                        @if page.may(Permission::DeliverySend) {
                            button.primary type="submit" name="action" value="submit" { "配信する（予約する）" }
                        } @else {
                            button.primary type="submit" name="action" value="submit" { "承認を依頼する" }
                        }
                    }
                }
                (preview(d.bubbles, d.city))
            }
            link rel="stylesheet" href=(STYLE);
            script src=(SCRIPT) defer {}
        },
    )
}

/// A field's problem as the field's description, so a screen reader reads it with the field.
fn described_by(problems: &Problems, field: &str, hint: Option<String>) -> Option<String> {
    let ids: Vec<String> = problems
        .get(field)
        .map(|_| format!("p-{field}"))
        .into_iter()
        .chain(hint)
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// One bubble's fields, folded to a line unless `open`. Every kind's fields are there, grouped
/// by the kinds they serve; the chosen kind says which count (the script shows only those).
fn slot(form: &Composed, problems: &Problems, n: usize, open: bool) -> Markup {
    let field = |name: &str| form.slot(name, n);
    let kind = field("kind");
    let text = field("text");
    let image = field("image");
    let units = text_units(&text);
    let invalid = |f: &str| problems.get(&format!("{f}-{n}")).map(|_| "true");
    let described =
        |f: &str, hint: Option<String>| described_by(problems, &format!("{f}-{n}"), hint);
    html! {
        details.bubble-slot open[open] {
            summary { (slot_summary(form, n)) }
            div.field {
                label for=(format!("f-kind-{n}")) { "種類" }
                select id=(format!("f-kind-{n}")) name=(format!("kind{n}")) data-slot=(n)
                    aria-invalid=[invalid("kind")] aria-describedby=[described("kind", None)] {
                    option value="" selected[kind.is_empty()] { "なし（入力した内容から判断）" }
                    @for k in SlotKind::ALL { option value=(k.code()) selected[kind == k.code()] { (k.label()) } }
                }
                (problem(problems, &format!("kind-{n}")))
            }
            div.kind-fields data-kinds="text" {
                label for=(format!("f-text-{n}")) { "本文（テキスト）" }
                textarea id=(format!("f-text-{n}")) name=(format!("text{n}")) rows="4" data-count=(format!("count-{n}")) data-limit=(MAX_TEXT_UNITS)
                    aria-invalid=[invalid("text")] aria-describedby=(described("text", Some(format!("count-{n}"))).unwrap_or_default()) { (text) }
                small.counter.over[units > MAX_TEXT_UNITS] id=(format!("count-{n}")) {
                    (units) " / " (MAX_TEXT_UNITS)
                    @if units > MAX_TEXT_UNITS { "（" (units - MAX_TEXT_UNITS) "文字多すぎます）" }
                }
                (problem(problems, &format!("text-{n}")))
            }
            div.kind-fields data-kinds="image image_link" {
                @if !image.is_empty() {
                    input type="hidden" name=(format!("image{n}")) value=(image);
                    p.note { "画像：登録済み（差し替える場合は新しいファイルを選択）" }
                }
                label for=(format!("f-file-{n}")) { "画像ファイル（JPEG・PNG）" }
                input id=(format!("f-file-{n}")) type="file" name=(format!("file{n}")) accept="image/jpeg,image/png"
                    aria-invalid=[invalid("file")] aria-describedby=(described("file", Some(format!("h-file-{n}"))).unwrap_or_default());
                small.hint id=(format!("h-file-{n}")) {
                    "大きい写真は送る前にブラウザで縮小します。JavaScriptが無効な場合は1枚" (MAX_UPLOAD_BYTES / 1024 / 1024) "MBまでです。"
                }
                (problem(problems, &format!("file-{n}")))
            }
            div.kind-fields data-kinds="image_link" {
                label for=(format!("f-url-{n}")) { "リンク先URL" }
                input id=(format!("f-url-{n}")) type="url" name=(format!("url{n}")) value=(field("url"))
                    aria-invalid=[invalid("url")] aria-describedby=(described("url", Some(format!("h-url-{n}"))).unwrap_or_default());
                small.hint id=(format!("h-url-{n}")) { "https:// で始まるページ（例：市のホームページ）" }
                (problem(problems, &format!("url-{n}")))
                label for=(format!("f-label-{n}")) { "ボタンの文言（" (MAX_BUTTON_LABEL_CHARS) "文字まで）" }
                input id=(format!("f-label-{n}")) type="text" name=(format!("label{n}")) value=(field("label"))
                    aria-invalid=[invalid("label")] aria-describedby=[described("label", None)];
                (problem(problems, &format!("label-{n}")))
            }
            div.kind-fields data-kinds="location" {
                label for=(format!("f-lt-{n}")) { "場所の名前（" (MAX_PLACE_CHARS) "文字まで）" }
                input id=(format!("f-lt-{n}")) type="text" name=(format!("ltitle{n}")) value=(field("ltitle"))
                    aria-invalid=[invalid("lt")] aria-describedby=[described("lt", None)];
                (problem(problems, &format!("lt-{n}")))
                label for=(format!("f-la-{n}")) { "住所（" (MAX_PLACE_CHARS) "文字まで）" }
                input id=(format!("f-la-{n}")) type="text" name=(format!("laddress{n}")) value=(field("laddress"))
                    aria-invalid=[invalid("la")] aria-describedby=[described("la", None)];
                (problem(problems, &format!("la-{n}")))
                label for=(format!("f-lat-{n}")) { "緯度・経度" }
                input id=(format!("f-lat-{n}")) type="text" name=(format!("lat{n}")) value=(field("lat")) aria-describedby=(format!("h-lat-{n}"));
                input type="text" name=(format!("lng{n}")) value=(field("lng")) aria-label="経度" aria-describedby=(format!("h-lat-{n}"));
                small.hint id=(format!("h-lat-{n}")) { "数字で入力（例：小浜市役所は 35.4955 と 135.7466）" }
            }
        }
    }
}

/// A phone-sized preview of the bubbles as LINE shows them, from the city's account. A link is
/// drawn only when it is an https:// page: a draft stored before links were checked on save
/// may hold anything, and the preview is opened by staff who may approve.
pub(super) fn preview(bubbles: &[Bubble], city: &str) -> Markup {
    html! {
        aside.phone aria-label="スマートフォンでの見え方" {
            div.phone-head { (city) }
            // Focusable, so that a long preview scrolls from the keyboard too.
            div.phone-body tabindex="0" {
                @for bubble in bubbles {
                    @match bubble {
                        Bubble::Text { text } => div.chat-bubble { @for line in text.lines() { (line) br; } },
                        Bubble::Image { image } => img.chat-image src=(format!("/admin/{}", image.preview)) alt="配信画像";,
                        Bubble::ImageLink { image, label, url } => div.chat-card {
                            img.chat-image src=(format!("/admin/{}", image.preview)) alt="配信画像";
                            @if is_safe_link(url) {
                                a.chat-button href=(url) target="_blank" rel="noopener noreferrer" { (label) }
                            } @else {
                                span.chat-button { (label) }
                                p.note { "リンク先URLが https:// で始まるページではないため、リンクにしていません：" (url) }
                            }
                        },
                        Bubble::Location { title, address, .. } => div.chat-bubble { "📍 " strong { (title) } br; (address) },
                    }
                }
                @if bubbles.is_empty() { p.note { "吹き出しを追加して保存すると、ここに表示されます。" } }
            }
        }
    }
}
