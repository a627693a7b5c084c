//! The delivery composer through the console's real router: a link that is not https:// (a
//! `javascript:` URL above all) is refused when the draft is saved, with what the clerk typed and
//! the picture they chose kept; a link stored before that check is never drawn as a link; the
//! page runs no inline script, so the console's Content-Security-Policy can forbid it.

use crate::support;

use axum::http::StatusCode;
use std::collections::HashMap;
use tayori_domain::delivery::{Bubble, Delivery, DeliveryStatus};
use tayori_domain::staff::Permission;
use tayori_images::fixtures::phone_photo;
use tayori_records::Deliveries;

use support::Console;

const TITLE: &str = "若狭おばまの観光案内";
const LABEL: &str = "詳しくはこちら";
const GOOD_URL: &str = "https://www1.city.obama.fukui.jp/kanko/";

const FIELDS: [(&str, &str); 7] = [
    ("title", TITLE),
    ("category", "観光"),
    ("kind0", "image_link"),
    ("label0", LABEL),
    ("target", "all"),
    ("send_at", ""),
    ("action", "save"),
];

const NOT_HTTPS: &str = "1つ目のリンク先URLは https:// で始まるURLにしてください。";
const MALFORMED: &str = "1つ目のリンク先URLを正しく入力してください";

/// URLs a browser would run, or that LINE refuses for a link, and what the clerk is told.
const REFUSED: [(&str, &str); 6] = [
    ("javascript:alert(1)", NOT_HTTPS),
    (" JaVaScRiPt:alert(document.cookie)", NOT_HTTPS),
    ("data:text/html,<script>alert(1)</script>", NOT_HTTPS),
    ("http://www1.city.obama.fukui.jp/", NOT_HTTPS),
    ("https://", MALFORMED),
    ("https://www1.city.obama.fukui.jp/a b", MALFORMED),
];

async fn clerk() -> Console {
    Console::signed_in(
        "clerk",
        "小浜 花子",
        "観光課",
        [Permission::DeliveryDraft].into_iter().collect(),
    )
    .await
}

fn deliveries(c: &Console) -> Deliveries {
    Deliveries::new(c.state.platform.table.clone())
}

async fn stored(c: &Console) -> Vec<Delivery> {
    deliveries(c).list(100, None).await.unwrap().0
}

/// Every `href` on the page.
fn hrefs(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

/// What a page links to is the console itself, a place on the page, or an https:// page.
fn assert_only_safe_links(body: &str) {
    for href in hrefs(body) {
        assert!(
            href.starts_with('/') || href.starts_with('#') || href.starts_with("https://"),
            "unsafe href {href:?} on the page"
        );
    }
}

/// The hidden inputs of a page, by name.
fn hidden_inputs(body: &str) -> HashMap<String, String> {
    let attribute = |tag: &str, name: &str| {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..start + tag[start..].find('"')?].to_string())
    };
    body.split("<input")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .filter(|tag| tag.contains("type=\"hidden\""))
        .filter_map(|tag| Some((attribute(tag, "name")?, attribute(tag, "value")?)))
        .collect()
}

#[tokio::test]
async fn a_new_draft_with_a_link_that_is_not_https_is_refused_at_save_and_nothing_is_stored() {
    let mut c = clerk().await;
    let photo = phone_photo(800, 600, 1);
    for (url, told) in REFUSED {
        c.get("/admin/deliveries/new").await;
        let refused = c
            .multipart(
                "/admin/deliveries",
                &[&FIELDS[..], &[("url0", url)]].concat(),
                &[("file0", "kanko.jpg", &photo)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::OK, "{url:?} was accepted");
        assert!(refused.body.contains(told), "{url:?}: {}", refused.body);
        // What the clerk typed is still in the form, the URL included (escaped).
        assert!(refused.body.contains(&format!("value=\"{TITLE}\"")));
        assert!(refused.body.contains(&format!("value=\"{LABEL}\"")));
        let typed = url.trim().replace('<', "&lt;").replace('>', "&gt;");
        assert!(
            refused.body.contains(&format!("value=\"{typed}\"")),
            "{url:?}: the typed URL is kept"
        );
        assert_only_safe_links(&refused.body);
        assert!(stored(&c).await.is_empty(), "{url:?}: nothing is stored");
    }
}

#[tokio::test]
async fn a_saved_draft_keeps_its_link_when_a_bad_one_is_typed_over_it() {
    let mut c = clerk().await;
    let photo = phone_photo(800, 600, 1);
    c.get("/admin/deliveries/new").await;
    let saved = c
        .multipart(
            "/admin/deliveries",
            &[&FIELDS[..], &[("url0", GOOD_URL)]].concat(),
            &[("file0", "kanko.jpg", &photo)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let path = saved.location.unwrap();
    let before = stored(&c).await;
    assert_eq!(before.len(), 1);

    for (url, told) in REFUSED {
        let page = c.get(&path).await;
        let image = hidden_inputs(&page.body)["image0"].clone();
        let refused = c
            .multipart(
                &path,
                &[
                    &[("title", "変更後")],
                    &FIELDS[1..],
                    &[("url0", url), ("image0", image.as_str())],
                ]
                .concat(),
                &[],
            )
            .await;
        assert_eq!(refused.status, StatusCode::OK, "{url:?} was accepted");
        assert!(refused.body.contains(told), "{url:?}");
        assert!(
            refused.body.contains("value=\"変更後\""),
            "what was typed is kept"
        );
        assert_only_safe_links(&refused.body);
        assert_eq!(stored(&c).await, before, "{url:?}: the draft is unchanged");
    }
}

#[tokio::test]
async fn the_picture_chosen_with_a_refused_link_is_kept_for_the_next_save() {
    let mut c = clerk().await;
    let photo = phone_photo(800, 600, 1);
    c.get("/admin/deliveries/new").await;
    let refused = c
        .multipart(
            "/admin/deliveries",
            &[&FIELDS[..], &[("url0", "javascript:alert(1)")]].concat(),
            &[("file0", "kanko.jpg", &photo)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    let hidden = hidden_inputs(&refused.body);
    let image = hidden
        .get("image0")
        .expect("the picture is named in the form");
    assert!(refused.body.contains("画像：登録済み"));

    // The clerk corrects the URL and saves without choosing the picture again.
    let carried: Vec<(&str, &str)> = hidden
        .iter()
        .filter(|(name, _)| name.as_str() != "_csrf")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let saved = c
        .multipart(
            "/admin/deliveries",
            &[&FIELDS[..], &[("url0", GOOD_URL)], &carried[..]].concat(),
            &[],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let all = stored(&c).await;
    assert_eq!(all.len(), 1);
    match all[0].bubbles() {
        [Bubble::ImageLink {
            image: kept,
            url,
            label,
        }] => {
            assert_eq!(&kept.original, image);
            assert_eq!((url.as_str(), label.as_str()), (GOOD_URL, LABEL));
        }
        other => panic!("unexpected bubbles {other:?}"),
    }
}

#[tokio::test]
async fn a_link_stored_before_the_check_is_shown_as_text_not_as_a_link() {
    let mut c = Console::signed_in(
        "clerk",
        "小浜 花子",
        "観光課",
        [Permission::DeliveryDraft, Permission::DeliveryApprove]
            .into_iter()
            .collect(),
    )
    .await;
    let now = c.state.platform.clock.now();
    for (id, status) in [
        ("draft", DeliveryStatus::Draft),
        ("waiting", DeliveryStatus::AwaitingApproval),
    ] {
        // As stored then: no method makes such a draft any more, so it is read as stored.
        let d: Delivery = serde_json::from_value(serde_json::json!({
            "id": id,
            "title": TITLE,
            "category": "観光",
            "bubbles": [{
                "kind": "image_link",
                "image": {
                    "original": format!("media/deliveries/{id}/a.jpg"),
                    "preview": format!("media/deliveries/{id}/a-preview.jpg"),
                },
                "url": "javascript:alert(document.cookie)",
                "label": LABEL,
            }],
            "target": { "kind": "all" },
            "send_at": null,
            "status": status.code(),
            "created": { "by": "someone", "at": now },
            "updated_at": now,
        }))
        .unwrap();
        deliveries(&c).create(&d).await.unwrap();
        let page = c.get(&format!("/admin/deliveries/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(LABEL), "{id}: the button is still shown");
        assert!(
            page.body.contains("javascript:alert(document.cookie)"),
            "{id}: the stored URL is shown as text"
        );
        assert_only_safe_links(&page.body);
    }
}

#[tokio::test]
async fn the_composer_runs_no_inline_script_and_its_script_is_a_file() {
    let mut c = clerk().await;
    let page = c.get("/admin/deliveries/new").await;
    let tags: Vec<&str> = page
        .body
        .split("<script")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .collect();
    assert!(!tags.is_empty(), "the composer loads its script");
    for tag in &tags {
        assert!(tag.contains(" src=\""), "inline <script{tag}>");
    }
    for chunk in page.body.split('<').skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        assert!(
            !tag.split_whitespace().skip(1).any(|attribute| {
                attribute.split_once('=').is_some_and(|(name, _)| {
                    name.starts_with("on") && name.bytes().all(|b| b.is_ascii_lowercase())
                })
            }),
            "inline event handler in <{tag}>"
        );
    }
    let src = tags[0].split("src=\"").nth(1).unwrap();
    let src = &src[..src.find('"').unwrap()];
    let script = c.get(src).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(
        script.content_type.as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    // The character count and the upload size check live there.
    assert!(script.body.contains("data-count") || script.body.contains("dataset.count"));
    assert!(script.body.contains("maxBytes"));
}

type Field<'a> = (&'a str, &'a str);

/// A draft's fields with bubble 1 as given (kind, then its fields).
fn draft_with(bubble: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    [
        &[
            ("title", TITLE),
            ("category", "観光"),
            ("target", "all"),
            ("send_at", ""),
            ("action", "save"),
        ][..],
        bubble,
    ]
    .concat()
}

#[tokio::test]
async fn a_text_typed_while_the_kind_is_none_is_saved_as_a_text() {
    let mut c = clerk().await;
    c.get("/admin/deliveries/new").await;
    let saved = c
        .multipart(
            "/admin/deliveries",
            &draft_with(&[
                ("kind0", ""),
                ("text0", "年末年始の観光案内所の営業日です。"),
            ]),
            &[],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        stored(&c).await[0].bubbles(),
        [Bubble::Text {
            text: "年末年始の観光案内所の営業日です。".into()
        }]
    );
}

#[tokio::test]
async fn a_picture_chosen_while_the_kind_is_none_is_saved_as_an_image() {
    let mut c = clerk().await;
    let photo = phone_photo(800, 600, 1);
    c.get("/admin/deliveries/new").await;
    let saved = c
        .multipart(
            "/admin/deliveries",
            &draft_with(&[("kind0", "")]),
            &[("file0", "kanko.jpg", &photo)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(matches!(
        stored(&c).await[0].bubbles(),
        [Bubble::Image { .. }]
    ));
}

#[tokio::test]
async fn a_text_and_a_picture_in_one_bubble_are_refused_with_both_kept_not_dropped() {
    let mut c = clerk().await;
    let photo = phone_photo(800, 600, 1);
    for kind in ["", "image"] {
        c.get("/admin/deliveries/new").await;
        let refused = c
            .multipart(
                "/admin/deliveries",
                &draft_with(&[("kind0", kind), ("text0", "写真の説明です。")]),
                &[("file0", "kanko.jpg", &photo)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::OK, "kind {kind:?}");
        let told = if kind.is_empty() {
            "1つ目：本文と画像が入力されています。"
        } else {
            "1つ目：種類が「画像」のため、入力された本文は配信されません。"
        };
        assert!(
            refused.body.contains(told),
            "kind {kind:?}: {}",
            refused.body
        );
        assert!(
            refused.body.contains("写真の説明です。"),
            "the text is kept"
        );
        assert!(
            refused.body.contains("画像：登録済み"),
            "the picture is kept"
        );
        assert!(stored(&c).await.is_empty(), "nothing is stored half");
    }
}

#[tokio::test]
async fn a_text_longer_than_line_takes_is_refused_at_save_with_the_text_kept() {
    let mut c = clerk().await;
    let long = "あ".repeat(6000);
    c.get("/admin/deliveries/new").await;
    let refused = c
        .multipart(
            "/admin/deliveries",
            &[
                &draft_with(&[("kind0", "text")])[..],
                &[("text0", long.as_str())],
            ]
            .concat(),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused
        .body
        .contains("1つ目の本文が長すぎます（6000文字。上限は5000文字）。"));
    assert!(!refused.body.contains("下書きを保存しました"));
    assert!(refused.body.contains(&long), "what was typed is kept");
    assert!(
        refused.body.contains("class=\"counter over\""),
        "the count is marked past the limit"
    );
    assert!(refused.body.contains("6000 / 5000（1000文字多すぎます）"));
    assert!(stored(&c).await.is_empty());
}

#[tokio::test]
async fn every_line_limit_is_checked_at_save_beside_its_field() {
    let mut c = clerk().await;
    let photo = phone_photo(800, 600, 1);
    let address = "福井県小浜市大手町".repeat(12);
    // (the bubble's fields, the id of the problem beside the field, what it says)
    let cases: [(Vec<Field>, &str, &str); 2] = [
        (
            vec![
                ("kind0", "image_link"),
                ("url0", GOOD_URL),
                ("label0", "観光案内所の営業日と年末年始のお休みはこちら"),
            ],
            "p-label-0",
            "1つ目のボタンの文言が長すぎます（22文字。上限は20文字）。",
        ),
        (
            vec![
                ("kind0", "location"),
                ("ltitle0", "小浜市役所"),
                ("laddress0", address.as_str()),
                ("lat0", "35.4955"),
                ("lng0", "135.7466"),
            ],
            "p-la-0",
            "1つ目の住所が長すぎます（108文字。上限は100文字）。",
        ),
    ];
    for (bubble, beside, told) in cases {
        c.get("/admin/deliveries/new").await;
        // The image with a link needs its picture; the place must have none.
        let picture: Vec<support::Part> = if bubble[0].1 == "image_link" {
            vec![("file0", "kanko.jpg", &photo)]
        } else {
            vec![]
        };
        let refused = c
            .multipart(
                "/admin/deliveries",
                &[&draft_with(&[])[..], &bubble[..]].concat(),
                &picture,
            )
            .await;
        assert_eq!(refused.status, StatusCode::OK, "{told}");
        assert!(
            refused.body.contains(&format!("id=\"{beside}\">{told}")),
            "{told} beside its field: {}",
            refused.body
        );
        assert!(stored(&c).await.is_empty());
    }
}

/// How many bubble slots the composer shows.
fn slots(body: &str) -> usize {
    body.matches("<details class=\"bubble-slot\"").count()
}

#[tokio::test]
async fn bubbles_are_added_on_demand_without_javascript_keeping_what_was_typed() {
    let mut c = clerk().await;
    let page = c.get("/admin/deliveries/new").await;
    assert_eq!(
        slots(&page.body),
        1,
        "a new delivery starts with one bubble"
    );
    assert!(page.body.contains("吹き出しを追加"));
    let added = c
        .multipart(
            "/admin/deliveries",
            &draft_with(&[("kind0", "text"), ("text0", "観光案内所からのお知らせ")])
                .into_iter()
                .map(|(k, v)| if k == "action" { (k, "add") } else { (k, v) })
                .chain([("slots", "1")])
                .collect::<Vec<_>>(),
            &[],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(slots(&added.body), 2);
    assert!(added.body.contains("観光案内所からのお知らせ"));
    assert!(
        added
            .body
            .contains("<summary>1つ目：テキスト「観光案内所からのお知らせ」</summary>"),
        "the first bubble folds to one line"
    );
    assert_eq!(
        added
            .body
            .matches("<details class=\"bubble-slot\" open")
            .count(),
        1,
        "one bubble is open: the new one"
    );
    assert!(added.body.contains("<summary>2つ目：種類未選択</summary>"));
    // The draft is stored, so the page posts to it from now on.
    let all = stored(&c).await;
    assert_eq!(all.len(), 1);
    assert!(added
        .body
        .contains(&format!("action=\"/admin/deliveries/{}\"", all[0].id())));
}

#[tokio::test]
async fn placeholders_that_look_like_values_are_hints_below_the_fields() {
    let mut c = clerk().await;
    let page = c.get("/admin/deliveries/new").await;
    assert!(!page.body.contains("placeholder="), "{}", page.body);
    assert!(page.body.contains("https:// で始まるページ"));
}

#[tokio::test]
async fn a_post_too_large_for_the_console_returns_to_the_composer_with_its_draft() {
    let mut c = clerk().await;
    c.get("/admin/deliveries/new").await;
    let saved = c
        .multipart(
            "/admin/deliveries",
            &draft_with(&[("kind0", "text"), ("text0", "保存済みの本文")]),
            &[],
        )
        .await;
    let path = saved.location.unwrap();
    c.get(&path).await;
    let huge = vec![0xffu8; 5 * 1024 * 1024];
    let refused = c
        .multipart(
            &path,
            &draft_with(&[("kind1", "image")]),
            &[("file1", "phone.jpg", &huge)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(refused.location.as_deref(), Some(path.as_str()));
    let back = c.get(&path).await;
    assert!(back
        .body
        .contains("送信された内容が大きすぎるため、保存できませんでした"));
    assert!(back.body.contains("保存済みの本文"), "the draft is kept");
    assert!(back.body.contains("JavaScriptが無効な場合は1枚4MBまで"));

    c.get("/admin/deliveries/new").await;
    let new = c
        .multipart(
            "/admin/deliveries",
            &draft_with(&[]),
            &[("file0", "phone.jpg", &huge)],
        )
        .await;
    assert_eq!(new.location.as_deref(), Some("/admin/deliveries/new"));
}
