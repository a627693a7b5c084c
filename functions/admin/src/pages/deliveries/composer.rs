//! The composer page: the form (filled in from what was typed, or from the stored draft), its
//! problems beside the fields, and the phone preview. Its script is a static file
//! (`static/composer.js`), so the console's Content-Security-Policy can forbid inline scripts;
//! the page works without it.

use super::form::Composed;
use crate::session::MAX_FORM_BYTES;
use crate::ui::form::Problems;
use crate::ui::Page;
use axum::response::Response;
use maud::{html, Markup};
use tayori_domain::delivery::{
    is_safe_link, text_units, Bubble, Delivery, CATEGORIES, MAX_BUBBLES,
};
use tayori_domain::segment::SegmentItems;
use tayori_domain::staff::Permission;

/// The composer's script: the character count and the upload size check.
pub(super) const SCRIPT: &str = "/admin/static/composer.js";

/// The problem with a field, beside it.
fn problem(problems: &Problems, field: &str) -> Markup {
    html! {
        @if let Some(p) = problems.get(field) {
            span.problem id=(format!("p-{field}")) { (p) }
        }
    }
}

/// `d` as the form `form` shows it; `stored` says whether `d` is in the store yet (a new draft
/// whose save was refused is not, and keeps its id in the form for the next try).
pub(super) fn composer(
    page: &Page,
    d: &Delivery,
    form: &Composed,
    stored: bool,
    items: &SegmentItems,
    problems: &Problems,
) -> Response {
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
    let chosen =
        |item: &str, value: &str| form.all(&format!("seg.{item}")).iter().any(|v| v == value);
    page.render(
        title,
        &[("ホーム", "/admin"), ("配信", "/admin/deliveries"), (title, &action)],
        "deliveries",
        html! {
            (problems.summary())
            div.composer {
                form.compose method="post" action=(action) enctype="multipart/form-data" data-max-bytes=(MAX_FORM_BYTES) {
                    (page.csrf_field())
                    @if !stored && !d.id.is_empty() {
                        input type="hidden" name="draft_id" value=(d.id);
                    }
                    div.field {
                        label for="f-title" { "タイトル（管理用・必須）" }
                        input #f-title type="text" name="title" value=(form.get("title")) maxlength="100" required;
                    }
                    div.field {
                        label for="f-category" { "分類" }
                        select #f-category name="category" {
                            @for c in CATEGORIES { option value=(c) selected[form.get("category") == c] { (c) } }
                        }
                    }
                    fieldset {
                        legend { "吹き出し（最大" (MAX_BUBBLES) "つ）" }
                        @for n in 0..MAX_BUBBLES {
                            (slot(form, problems, n))
                        }
                    }
                    fieldset {
                        legend { "配信先" }
                        label { input #f-target type="radio" name="target" value="all" checked[!target_segment]; " すべての友だち" }
                        label { input type="radio" name="target" value="segment" checked[target_segment]; " 条件で絞り込む（項目どうしは「かつ」）" }
                        (problem(problems, "target"))
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
                (preview(d))
            }
            script src=(SCRIPT) defer {}
        },
    )
}

/// One bubble's fields. Every kind's fields are there; the chosen kind says which count.
fn slot(form: &Composed, problems: &Problems, n: usize) -> Markup {
    let field = |name: &str| form.get(&format!("{name}{n}"));
    let kind = field("kind");
    let text = field("text");
    let image = field("image");
    let url_problem = problems.get(&format!("url-{n}"));
    html! {
        div.bubble-slot {
            label for=(format!("f-kind-{n}")) { (n + 1) "つ目" }
            select id=(format!("f-kind-{n}")) name=(format!("kind{n}")) {
                option value="" selected[kind.is_empty()] { "なし" }
                option value="text" selected[kind == "text"] { "テキスト" }
                option value="image" selected[kind == "image"] { "画像" }
                option value="image_link" selected[kind == "image_link"] { "画像＋リンクボタン" }
                option value="location" selected[kind == "location"] { "位置情報" }
            }
            label for=(format!("f-text-{n}")) { "本文（テキスト）" }
            textarea id=(format!("f-text-{n}")) name=(format!("text{n}")) rows="4" data-count=(format!("count-{n}")) { (text) }
            small id=(format!("count-{n}")) { (text_units(&text)) " / 5000" }
            @if !image.is_empty() {
                input type="hidden" name=(format!("image{n}")) value=(image);
                p.note { "画像：登録済み（差し替える場合は新しいファイルを選択）" }
            }
            label for=(format!("f-file-{n}")) { "画像ファイル（JPEG・PNG、4MB以内。大きい写真は自動で縮小）" }
            input id=(format!("f-file-{n}")) type="file" name=(format!("file{n}")) accept="image/jpeg,image/png";
            (problem(problems, &format!("file-{n}")))
            label for=(format!("f-url-{n}")) { "リンク先URL（画像＋リンクボタン。https:// で始まるページ）" }
            input id=(format!("f-url-{n}")) type="url" name=(format!("url{n}")) value=(field("url")) placeholder="https://www1.city.obama.fukui.jp/..."
                aria-invalid=[url_problem.map(|_| "true")] aria-describedby=[url_problem.map(|_| format!("p-url-{n}"))];
            (problem(problems, &format!("url-{n}")))
            label for=(format!("f-label-{n}")) { "ボタンの文言" }
            input id=(format!("f-label-{n}")) type="text" name=(format!("label{n}")) value=(field("label")) placeholder="詳しくはこちら";
            label for=(format!("f-lt-{n}")) { "場所の名前（位置情報）" }
            input id=(format!("f-lt-{n}")) type="text" name=(format!("ltitle{n}")) value=(field("ltitle"));
            label for=(format!("f-la-{n}")) { "住所" }
            input id=(format!("f-la-{n}")) type="text" name=(format!("laddress{n}")) value=(field("laddress"));
            label for=(format!("f-lat-{n}")) { "緯度・経度" }
            input id=(format!("f-lat-{n}")) type="text" name=(format!("lat{n}")) value=(field("lat")) placeholder="35.4955";
            input type="text" name=(format!("lng{n}")) value=(field("lng")) placeholder="135.7466" aria-label="経度";
        }
    }
}

/// A phone-sized preview of the bubbles as LINE shows them. A link is drawn only when it is an
/// https:// page: a draft stored before links were checked on save may hold anything, and the
/// preview is opened by staff who may approve.
pub(super) fn preview(d: &Delivery) -> Markup {
    html! {
        aside.phone aria-label="スマートフォンでの見え方" {
            div.phone-head { "小浜市" }
            div.phone-body {
                @for bubble in &d.bubbles {
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
                @if d.bubbles.is_empty() { p.note { "吹き出しを追加して保存すると、ここに表示されます。" } }
            }
        }
    }
}
