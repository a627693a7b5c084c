//! Rich menus, profiles and message content against the fake LINE server.

use crate::common;

use bytes::Bytes;
use common::{Line, USER};
use tayori_fake_line::Fault;
use tayori_line::message::Action;
use tayori_line::richmenu::{
    RichMenu, RichMenuAlias, RichMenuArea, RichMenuBatchOperation, RichMenuBatchRequest,
    RichMenuBounds, RichMenuSize,
};
use tayori_line::LineError;

fn menu(name: &str) -> RichMenu {
    RichMenu {
        size: RichMenuSize {
            width: 2500,
            height: 1686,
        },
        selected: true,
        name: name.into(),
        chat_bar_text: "メニュー".into(),
        areas: vec![
            RichMenuArea {
                bounds: RichMenuBounds {
                    x: 0,
                    y: 0,
                    width: 1250,
                    height: 1686,
                },
                action: Action::message("ごみ", "ごみの日"),
            },
            RichMenuArea {
                bounds: RichMenuBounds {
                    x: 1250,
                    y: 0,
                    width: 1250,
                    height: 1686,
                },
                action: Action::uri("避難所", "https://example.jp/liff/shelters"),
            },
        ],
    }
}

/// The 2500x1686 PNG the fake's own tests upload (kept in the repository with the fake).
fn menu_image() -> Bytes {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fake-line/assets/richmenu-2500x1686.png"
    );
    Bytes::from(std::fs::read(path).expect("the fake's rich menu image"))
}

#[tokio::test]
async fn a_rich_menu_is_created_given_its_image_made_default_and_linked() {
    let line = Line::start().await;
    let client = line.client();

    client.validate_rich_menu(&menu("main")).await.unwrap();
    let id = client.create_rich_menu(&menu("main")).await.unwrap();
    client
        .upload_rich_menu_image(&id, "image/png", menu_image())
        .await
        .unwrap();
    client.set_default_rich_menu(&id).await.unwrap();
    assert_eq!(
        client.default_rich_menu().await.unwrap().as_deref(),
        Some(id.as_str())
    );
    assert_eq!(
        line.fake.rich_menu_of("U-someone").as_deref(),
        Some(id.as_str())
    );

    let personal = client.create_rich_menu(&menu("personal")).await.unwrap();
    client
        .upload_rich_menu_image(&personal, "image/png", menu_image())
        .await
        .unwrap();
    client.link_rich_menu(USER, &personal).await.unwrap();
    assert_eq!(
        line.fake.rich_menu_of(USER).as_deref(),
        Some(personal.as_str())
    );

    let listed = client.rich_menus().await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|m| m.rich_menu_id.as_str())
            .collect::<Vec<_>>(),
        vec![id.as_str(), personal.as_str()]
    );
    assert_eq!(listed[0].menu, menu("main"));
    assert_eq!(
        client.rich_menu(&personal).await.unwrap().menu.name,
        "personal"
    );

    // The image went to api-data with its content type.
    let upload = line
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/content") && r.method == "POST")
        .unwrap();
    assert_eq!(upload.headers["content-type"], "image/png");
    line.assert_no_schema_errors();

    client.unlink_rich_menu(USER).await.unwrap();
    assert_eq!(line.fake.rich_menu_of(USER).as_deref(), Some(id.as_str()));
    client.cancel_default_rich_menu().await.unwrap();
    assert_eq!(client.default_rich_menu().await.unwrap(), None);
    client.delete_rich_menu(&personal).await.unwrap();
    assert_eq!(client.rich_menus().await.unwrap().len(), 1);
}

#[tokio::test]
async fn aliases_bulk_links_and_batches_reach_line_as_it_expects() {
    let line = Line::start().await;
    let client = line.client();
    let mut ids = Vec::new();
    for name in ["tab-a", "tab-b"] {
        let id = client.create_rich_menu(&menu(name)).await.unwrap();
        client
            .upload_rich_menu_image(&id, "image/png", menu_image())
            .await
            .unwrap();
        ids.push(id);
    }
    let alias = RichMenuAlias {
        rich_menu_alias_id: "tab-main".into(),
        rich_menu_id: ids[0].clone(),
    };
    client.create_rich_menu_alias(&alias).await.unwrap();
    client
        .update_rich_menu_alias("tab-main", &ids[1])
        .await
        .unwrap();

    let users = vec![USER.to_string(), "U2".to_string()];
    client
        .link_rich_menu_to_users(&ids[0], &users)
        .await
        .unwrap();
    assert_eq!(
        line.fake.rich_menu_of("U2").as_deref(),
        Some(ids[0].as_str())
    );

    let request_id = client
        .rich_menu_batch(&RichMenuBatchRequest {
            operations: vec![RichMenuBatchOperation::Link {
                from: ids[0].clone(),
                to: ids[1].clone(),
            }],
            resume_request_key: None,
        })
        .await
        .unwrap()
        .expect("LINE answers a request id");
    assert_eq!(
        line.fake.rich_menu_of(USER).as_deref(),
        Some(ids[1].as_str())
    );
    let progress = client.rich_menu_batch_progress(&request_id).await.unwrap();
    assert_eq!(progress.phase, "succeeded");

    client.unlink_rich_menu_from_users(&users).await.unwrap();
    assert_eq!(line.fake.rich_menu_of("U2"), None);
    client.delete_rich_menu_alias("tab-main").await.unwrap();
    let again = client.delete_rich_menu_alias("tab-main").await.unwrap_err();
    assert_eq!(again.status(), Some(404));
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn a_menu_line_would_refuse_is_not_sent() {
    let line = Line::start().await;
    let mut square = menu("square");
    square.size = RichMenuSize {
        width: 800,
        height: 800,
    };
    square.areas.clear();
    let error = line.client().create_rich_menu(&square).await.unwrap_err();
    assert!(matches!(error, LineError::Invalid(_)), "{error:?}");
    let error = line
        .client()
        .upload_rich_menu_image("richmenu-x", "image/gif", Bytes::from_static(b"GIF89a"))
        .await
        .unwrap_err();
    assert!(matches!(error, LineError::Invalid(_)), "{error:?}");
    assert!(line.fake.requests().is_empty());
}

#[tokio::test]
async fn creating_a_rich_menu_is_not_repeated_after_a_server_error() {
    let line = Line::start().await;
    line.fake.inject_faults(Fault {
        path: "/v2/bot/richmenu".into(),
        status: 500,
        count: 1,
        body: None,
    });
    let error = line
        .client()
        .create_rich_menu(&menu("main"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LineError::GaveUp {
                attempts: 1,
                status: Some(500),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(line.requests_to("/v2/bot/richmenu").len(), 1);
}

#[tokio::test]
async fn creating_a_rich_menu_is_retried_after_a_429() {
    let line = Line::start().await;
    line.fake.inject_faults(Fault {
        path: "/v2/bot/richmenu".into(),
        status: 429,
        count: 1,
        body: None,
    });
    line.client().create_rich_menu(&menu("main")).await.unwrap();
    let creates = line.requests_to("/v2/bot/richmenu");
    assert_eq!(
        creates.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![429, 200]
    );
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn message_content_is_downloaded_from_the_data_api() {
    let line = Line::start().await;
    let jpeg = Bytes::from_static(&[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4]);
    line.fake
        .put_content("500000000000000004", jpeg.clone(), "image/jpeg");
    let content = line.client().content("500000000000000004").await.unwrap();
    assert_eq!(content.bytes, jpeg);
    assert_eq!(content.content_type, "image/jpeg");
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn a_friends_profile_is_read_and_a_stranger_is_not_found() {
    let line = Line::start().await;
    line.fake.add_user(USER, "若狭太郎");
    let client = line.client();
    let profile = client.profile(USER).await.unwrap();
    assert_eq!(profile.user_id, USER);
    assert_eq!(profile.display_name, "若狭太郎");
    assert_eq!(profile.language.as_deref(), Some("ja"));
    let error = client.profile("U-stranger").await.unwrap_err();
    assert!(
        matches!(error, LineError::Rejected { status: 404, .. }),
        "{error:?}"
    );
    line.assert_no_schema_errors();
}
