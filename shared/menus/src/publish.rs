//! Publishing a menu: create it on LINE, upload its image, point its alias at it, and make it
//! the default when it is the designated menu of the mode in force.

use bytes::Bytes;
use tayori_domain::richmenu::{AreaAction, Layout};
use tayori_line::message::Action;
use tayori_line::richmenu::{RichMenu, RichMenuAlias, RichMenuArea, RichMenuBounds, RichMenuSize};
use tayori_line::{LineClient, LineError};
use tayori_ports::{ObjectKey, Platform};
use tayori_records::{RecordError, RichMenus, StoredMenu};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("メニューが見つかりません。")]
    NotFound,
    #[error("{0}")]
    NotReady(String),
    #[error("LINE: {0}")]
    Line(#[from] LineError),
    #[error(transparent)]
    Storage(#[from] RecordError),
    #[error("画像を読み出せません: {0}")]
    Image(String),
}

fn line_action(area: &tayori_domain::richmenu::MenuArea) -> Action {
    let label = Some(area.label.clone());
    match &area.action {
        AreaAction::Uri { uri } => Action::Uri {
            label,
            uri: uri.clone(),
            alt_uri: None,
        },
        AreaAction::Message { text } => Action::Message {
            label,
            text: text.clone(),
        },
        AreaAction::Postback { data, display_text } => Action::Postback {
            label,
            data: data.clone(),
            display_text: (!display_text.is_empty()).then(|| display_text.clone()),
            input_option: None,
            fill_in_text: None,
        },
        AreaAction::SwitchTab { alias_id } => Action::RichMenuSwitch {
            label,
            rich_menu_alias_id: alias_id.clone(),
            data: format!("tab={alias_id}"),
        },
    }
}

/// The menu as LINE's JSON: its size is the image's, areas scaled from the layout.
pub fn to_line(menu: &StoredMenu) -> Result<RichMenu, PublishError> {
    let problems = menu.draft.problems();
    if let Some((_, message)) = problems.first() {
        return Err(PublishError::NotReady(message.clone()));
    }
    let image = menu
        .image
        .as_ref()
        .ok_or_else(|| PublishError::NotReady("画像をアップロードしてください。".into()))?;
    let layout = Layout::find(&menu.draft.layout)
        .ok_or_else(|| PublishError::NotReady("型を選んでください。".into()))?;
    let areas = layout
        .bounds(image.width, image.height)
        .into_iter()
        .zip(&menu.draft.areas)
        .map(|(b, area)| RichMenuArea {
            bounds: RichMenuBounds {
                x: b.x,
                y: b.y,
                width: b.width,
                height: b.height,
            },
            action: line_action(area),
        })
        .collect();
    Ok(RichMenu {
        size: RichMenuSize {
            width: image.width,
            height: image.height,
        },
        selected: menu.draft.open_by_default,
        name: menu.draft.name.clone(),
        chat_bar_text: menu.draft.chat_bar_text.clone(),
        areas,
    })
}

pub async fn publish(
    platform: &Platform,
    line: &LineClient,
    id: &str,
    by: &str,
) -> Result<StoredMenu, PublishError> {
    let menus = RichMenus::new(platform.table.clone());
    let mut menu = menus.get(id).await?.ok_or(PublishError::NotFound)?;
    if menu.line_id.is_some() {
        return Err(PublishError::NotReady(
            "このメニューは公開済みです。".into(),
        ));
    }
    let body = to_line(&menu)?;
    let image = menu.image.clone().expect("checked by to_line");
    let key = ObjectKey::new(image.key.clone()).map_err(|e| PublishError::Image(e.to_string()))?;
    let bytes = platform
        .objects
        .get(&key)
        .await
        .map_err(|e| PublishError::Image(e.to_string()))?
        .ok_or_else(|| {
            PublishError::Image("画像が保存されていません。アップロードし直してください。".into())
        })?;
    let line_id = line.create_rich_menu(&body).await?;
    // A menu created on LINE but not recorded would be lost there: record the id first, so an
    // image upload failure can be undone by unpublishing.
    menu.line_id = Some(line_id.clone());
    menus.save(&menu).await?;
    if let Err(e) = line
        .upload_rich_menu_image(&line_id, &image.content_type, Bytes::from(bytes.bytes))
        .await
    {
        let _ = line.delete_rich_menu(&line_id).await;
        menu.line_id = None;
        menus.save(&menu).await?;
        return Err(e.into());
    }
    if let Some(alias) = &menu.draft.alias_id {
        let created = line
            .create_rich_menu_alias(&RichMenuAlias {
                rich_menu_alias_id: alias.clone(),
                rich_menu_id: line_id.clone(),
            })
            .await;
        if created.is_err() {
            line.update_rich_menu_alias(alias, &line_id).await?;
        }
    }
    let designation = menus.designation().await?;
    if designation.menu_for(designation.mode()) == Some(id) {
        line.set_default_rich_menu(&line_id).await?;
    }
    menu.published_at = Some(platform.clock.now());
    menu.updated_at = platform.clock.now();
    menu.updated_by = by.into();
    menus.save(&menu).await?;
    Ok(menu)
}

/// Takes a menu off LINE; the draft and image stay, to edit and publish again.
pub async fn unpublish(
    platform: &Platform,
    line: &LineClient,
    id: &str,
    by: &str,
) -> Result<StoredMenu, PublishError> {
    let menus = RichMenus::new(platform.table.clone());
    let mut menu = menus.get(id).await?.ok_or(PublishError::NotFound)?;
    let Some(line_id) = menu.line_id.clone() else {
        return Err(PublishError::NotReady(
            "このメニューは公開されていません。".into(),
        ));
    };
    let designation = menus.designation().await?;
    if designation.menu_for(designation.mode()) == Some(id) {
        return Err(PublishError::NotReady(
            "いま表示中のメニューは非公開にできません。先に別のメニューに切り替えてください。"
                .into(),
        ));
    }
    if let Some(alias) = &menu.draft.alias_id {
        if let Err(e) = line.delete_rich_menu_alias(alias).await {
            tracing::warn!(error = %e, alias, "alias not deleted (it may point elsewhere)");
        }
    }
    match line.delete_rich_menu(&line_id).await {
        Ok(()) => {}
        Err(LineError::Rejected { status: 404, .. }) => {}
        Err(e) => return Err(e.into()),
    }
    menu.line_id = None;
    menu.published_at = None;
    menu.updated_at = platform.clock.now();
    menu.updated_by = by.into();
    menus.save(&menu).await?;
    Ok(menu)
}

pub async fn delete(
    platform: &Platform,
    line: &LineClient,
    id: &str,
    by: &str,
) -> Result<(), PublishError> {
    let menus = RichMenus::new(platform.table.clone());
    let menu = menus.get(id).await?.ok_or(PublishError::NotFound)?;
    let designation = menus.designation().await?;
    if designation.normal.as_deref() == Some(id) || designation.emergency.as_deref() == Some(id) {
        return Err(PublishError::NotReady(
            "通常用・緊急用に指定されたメニューは削除できません。先に指定を変えてください。".into(),
        ));
    }
    if menu.line_id.is_some() {
        unpublish(platform, line, id, by).await?;
    }
    if let Some(image) = &menu.image {
        if let Ok(key) = ObjectKey::new(image.key.clone()) {
            let _ = platform.objects.delete(&key).await;
        }
    }
    menus.delete(id).await?;
    Ok(())
}
