//! The composer's form without the console: a post read over multer and the composition it
//! makes, with the messages the clerk sees beside each field.

use std::convert::Infallible;
use tayori_deliveries::composer::{self, Applied, ComposeFailure, Composed, SlotPicture};
use tayori_domain::delivery::{Bubble, StoredImage};
use tayori_domain::segment::{Match, SegmentCondition, SegmentItems, Target};

const BOUNDARY: &str = "----tayori-test-boundary";

/// A multipart post as a browser sends the composer's form.
fn post(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn read(body: Vec<u8>) -> Result<Composed, ComposeFailure> {
    let stream = futures::stream::once(async move { Ok::<_, Infallible>(body) });
    composer::read(multer::Multipart::new(stream, BOUNDARY)).await
}

fn without_pictures(form: &mut Composed) -> Applied {
    composer::apply::<Infallible>(form, Vec::new(), &SegmentItems::obama_defaults())
}

fn messages(applied: &Applied) -> Vec<(&str, &str)> {
    applied
        .problems
        .iter()
        .map(|p| (p.field.as_str(), p.message.as_str()))
        .collect()
}

#[tokio::test]
async fn a_text_typed_without_choosing_a_kind_is_a_text_bubble_with_line_feeds() {
    let mut form = read(post(
        &[
            ("title", "  年末年始のごみ収集  "),
            ("category", "ごみ"),
            ("kind0", ""),
            ("text0", "12月31日から\r\n1月3日は休みです。"),
            ("target", "all"),
            ("send_at", "2026-12-24T09:30"),
        ],
        &[],
    ))
    .await
    .unwrap();
    let applied = without_pictures(&mut form);
    assert!(!applied.refused);
    assert!(applied.problems.is_empty(), "{:?}", applied.problems);
    let c = &applied.composition;
    assert_eq!(c.title, "年末年始のごみ収集");
    assert_eq!(c.category, "ごみ");
    assert_eq!(
        c.bubbles,
        vec![Bubble::Text {
            text: "12月31日から\n1月3日は休みです。".into()
        }]
    );
    assert_eq!(c.target, Target::All);
    // 09:30 JST is 00:30 UTC.
    assert_eq!(c.send_at.unwrap().to_rfc3339(), "2026-12-24T00:30:00+00:00");
    // The page shown again has the kind the text made.
    assert_eq!(form.slot("kind", 0), "text");
}

#[tokio::test]
async fn a_place_with_numbers_that_are_not_numbers_is_kept_and_an_unreadable_time_is_named() {
    let mut form = read(post(
        &[
            ("kind0", "location"),
            ("ltitle0", "小浜小学校"),
            ("laddress0", "福井県小浜市千種1丁目"),
            ("lat0", "北緯35度"),
            ("lng0", "135.7466"),
            ("send_at", "2026-12-24 9時"),
        ],
        &[],
    ))
    .await
    .unwrap();
    let applied = without_pictures(&mut form);
    let [Bubble::Location {
        title,
        latitude,
        longitude,
        ..
    }] = applied.composition.bubbles.as_slice()
    else {
        panic!("{:?}", applied.composition.bubbles);
    };
    assert_eq!(title, "小浜小学校");
    assert!(
        latitude.is_nan(),
        "an unreadable latitude is left for the check on submit"
    );
    assert_eq!(*longitude, 135.7466);
    assert_eq!(applied.composition.send_at, None);
    assert_eq!(
        messages(&applied),
        [("send-at", "配信日時を正しく入力してください。")]
    );
}

#[tokio::test]
async fn a_link_that_is_not_https_refuses_the_save_and_the_picture_is_kept_in_the_form() {
    let mut form = read(post(
        &[
            ("kind0", "image_link"),
            ("url0", "javascript:alert(1)"),
            ("label0", "詳しくはこちら"),
        ],
        &[("file0", b"\xff\xd8\xff")],
    ))
    .await
    .unwrap();
    assert_eq!(form.file(0), Some(&b"\xff\xd8\xff"[..]));
    let image = StoredImage {
        original: "media/deliveries/d1/a.jpg".into(),
        preview: "media/deliveries/d1/a-preview.jpg".into(),
    };
    let uploaded = SlotPicture::<Infallible> {
        kept: None,
        uploaded: Some(Ok(image.clone())),
    };
    let applied = composer::apply(&mut form, vec![uploaded], &SegmentItems::obama_defaults());
    assert!(applied.refused);
    assert_eq!(
        messages(&applied),
        [(
            "url-0",
            "1つ目のリンク先URLは https:// で始まるURLにしてください。"
        )]
    );
    assert_eq!(form.slot("image", 0), image.original);
}

#[tokio::test]
async fn an_upload_that_is_no_picture_is_named_beside_its_slot_first() {
    let mut form = read(post(&[("kind1", "image")], &[("file1", b"GIF89a")]))
        .await
        .unwrap();
    let pictures = vec![
        SlotPicture::default(),
        SlotPicture {
            kept: None,
            uploaded: Some(Err("JPEGかPNGの画像を選んでください。")),
        },
    ];
    let applied = composer::apply(&mut form, pictures, &SegmentItems::obama_defaults());
    assert!(applied.composition.bubbles.is_empty());
    assert_eq!(
        messages(&applied),
        [
            ("file-1", "2つ目：JPEGかPNGの画像を選んでください。"),
            ("file-1", "2つ目：画像ファイルを選んでください。"),
        ]
    );
}

#[tokio::test]
async fn a_segment_target_takes_the_ticked_answers_of_the_citys_items_only() {
    let mut form = read(post(
        &[
            ("kind0", "text"),
            ("text0", "健診のお知らせです。"),
            ("target", "segment"),
            ("seg.age_group", "30代"),
            ("seg.age_group", "40代"),
            ("seg.interests", "子育て"),
            ("seg.interests", "健康"),
            ("all.interests", "1"),
            ("seg.pets", "犬"),
        ],
        &[],
    ))
    .await
    .unwrap();
    let applied = without_pictures(&mut form);
    assert!(applied.problems.is_empty(), "{:?}", applied.problems);
    let condition = |item: &str, matching, values: &[&str]| SegmentCondition {
        item: item.into(),
        matching,
        values: values.iter().map(|v| v.to_string()).collect(),
    };
    assert_eq!(
        applied.composition.target,
        Target::Segment {
            conditions: vec![
                condition("age_group", Match::AnyOf, &["30代", "40代"]),
                condition("interests", Match::AllOf, &["子育て", "健康"]),
            ]
        }
    );
}

#[tokio::test]
async fn a_body_cut_short_is_unreadable() {
    let mut body = post(&[("title", "お知らせ")], &[]);
    body.truncate(body.len() - 10);
    assert!(matches!(read(body).await, Err(ComposeFailure::Unreadable)));
}
