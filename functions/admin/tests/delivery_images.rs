//! Delivery pictures through the console's real router, as a clerk uploads them from a phone:
//! stored upright and shrunk with a small JPEG preview and without the photo's Exif data; a file
//! that cannot be used is refused with what to do and the draft keeps its picture; a form that
//! names an object other than the draft's own pictures gets nothing sent from the bucket.

use crate::support;

use axum::http::StatusCode;
use image::GenericImageView;
use tayori_domain::delivery::{Bubble, StoredImage};
use tayori_domain::staff::Permission;
use tayori_images::fixtures::{is_blue, is_red, phone_photo, PLACE};
use tayori_images::{MAX_UPLOAD_BYTES, ORIGINAL_SIDE, PREVIEW_SIDE};
use tayori_ports::ObjectKey;
use tayori_records::Deliveries;

use support::Console;

const FIELDS: [(&str, &str); 6] = [
    ("title", "大雪による除雪のお知らせ"),
    ("category", "防災"),
    ("kind0", "image"),
    ("target", "all"),
    ("send_at", ""),
    ("action", "save"),
];

async fn picture(c: &Console, id: &str) -> Option<StoredImage> {
    let d = Deliveries::new(c.state.platform.table.clone())
        .get(id)
        .await
        .unwrap()
        .unwrap();
    d.bubbles().iter().find_map(Bubble::image).cloned()
}

async fn stored(c: &Console, key: &str) -> Vec<u8> {
    let key = ObjectKey::new(key.to_string()).unwrap();
    c.state
        .platform
        .objects
        .get(&key)
        .await
        .unwrap()
        .expect("stored")
        .bytes
        .to_vec()
}

#[tokio::test]
async fn a_sideways_phone_photo_is_stored_upright_shrunk_and_without_where_it_was_taken() {
    let mut c = Console::signed_in(
        "clerk",
        "小浜 花子",
        "総務課",
        [Permission::DeliveryDraft].into_iter().collect(),
    )
    .await;
    c.get("/admin/deliveries/new").await;
    let photo = phone_photo(3000, 2000, 6);
    let saved = c
        .multipart(
            "/admin/deliveries",
            &FIELDS,
            &[("file0", "IMG_0001.jpg", &photo)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let path = saved.location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_string();

    let image = picture(&c, &id).await.expect("the draft has its picture");
    assert!(image
        .original
        .starts_with(&format!("media/deliveries/{id}/")));
    assert!(image.original.ends_with(".jpg"), "{}", image.original);
    assert!(image.preview.ends_with("-preview.jpg"), "{}", image.preview);
    let original = stored(&c, &image.original).await;
    let preview = stored(&c, &image.preview).await;
    for bytes in [&original, &preview] {
        assert!(!bytes.windows(PLACE.len()).any(|w| w == PLACE));
    }
    let original = image::load_from_memory(&original).unwrap();
    assert_eq!(original.height(), ORIGINAL_SIDE);
    assert!(is_red(original.get_pixel(600, 50)));
    assert!(is_blue(original.get_pixel(600, 2000)));
    assert_eq!(
        image::load_from_memory(&preview).unwrap().height(),
        PREVIEW_SIDE
    );

    // The phone-sized preview beside the form shows the small picture, served to staff.
    let page = c.get(&path).await;
    assert!(page.body.contains(&format!("/admin/{}", image.preview)));
    let served = c.get(&format!("/admin/{}", image.preview)).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.content_type.as_deref(), Some("image/jpeg"));

    // A file that cannot be used is refused with what to do; the picture already chosen stays.
    let mut too_large = photo.clone();
    too_large.resize(MAX_UPLOAD_BYTES + 1, 0);
    let keep = [&FIELDS[..], &[("image0", image.original.as_str())]].concat();
    for (file, problem) in [
        (
            too_large,
            "1つ目：画像が大きすぎます（4.0MB）。4MB以内にしてください。",
        ),
        (
            b"%PDF-1.7".to_vec(),
            "1つ目：JPEGかPNGの画像を選んでください。",
        ),
    ] {
        let refused = c
            .multipart(&path, &keep, &[("file0", "upload", &file)])
            .await;
        assert_eq!(refused.status, StatusCode::OK);
        assert!(refused.body.contains(problem), "{}", refused.body);
        assert_eq!(picture(&c, &id).await.as_ref(), Some(&image));
    }

    // Saving again without a new file keeps the picture by naming it.
    let resaved = c.multipart(&path, &keep, &[]).await;
    assert_eq!(resaved.status, StatusCode::SEE_OTHER, "{}", resaved.body);
    assert_eq!(picture(&c, &id).await.as_ref(), Some(&image));

    // Another object in the bucket cannot be named into the draft.
    let forged = [
        &FIELDS[..],
        &[("image0", "media/deliveries/another/secret.png")],
    ]
    .concat();
    let refused = c.multipart(&path, &forged, &[]).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused
        .body
        .contains("1つ目：画像ファイルを選んでください。"));
    assert_eq!(picture(&c, &id).await, None);
}
