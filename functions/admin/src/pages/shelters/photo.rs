//! A site's photo: checked and made phone-sized by the images crate (JPEG or PNG, 4 MB at
//! most, turned upright), stored under `media/facilities/<id>/`, which the public media route
//! serves to citizens' phones; its key is one of the site's extras, so it is saved and audited
//! like them and survives a re-import.

use super::PATH;
use crate::audit::{self, Actor};
use crate::ui::form_data::FormData;
use crate::ui::{redirect_with, FlashKind};
use crate::{AdminState, ConsoleError, PageResult};
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;
use tayori_facilities::{Change, FacilityError};
use tayori_ports::ObjectKey;

/// Where a site's photos are stored.
fn prefix(id: &str) -> String {
    format!("media/facilities/{id}/")
}

pub async fn upload(
    State(state): State<Arc<AdminState>>,
    actor: Actor,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    let site = state.facilities.get(&id).await?;
    let mut bytes = None;
    let mut fields = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name().map(str::to_string) {
            Some(name) if name == "photo" => bytes = field.bytes().await.ok(),
            Some(name) => fields.push((name, field.text().await.unwrap_or_default())),
            None => {}
        }
    }
    let form = FormData::from_pairs(fields);
    let back = format!("{PATH}/{id}");
    let secure = state.config.secure_cookies;
    let refuse = |text: String| Ok(redirect_with(&back, FlashKind::Error, text, secure));
    let photo = if form.get("action") == "remove" {
        None
    } else {
        let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
            return refuse("写真のファイルを選んでください。".into());
        };
        let prepared = match tayori_images::prepare(&bytes) {
            Ok(p) => p,
            Err(problem) => return refuse(problem.to_string()),
        };
        // The preview size (1024 px, under 1 MB) is plenty on a phone and quick on a weak signal.
        let image = prepared.preview;
        let key = format!(
            "{}{}.{}",
            prefix(&id),
            uuid::Uuid::new_v4().simple(),
            image.format.extension()
        );
        let object = ObjectKey::new(key.clone()).map_err(|_| ConsoleError::NotFound)?;
        state
            .platform
            .objects
            .put(&object, image.bytes, image.format.content_type())
            .await?;
        Some(key)
    };
    let mut extras = site.extras().clone();
    let removed = photo.is_none();
    extras.photo = photo;
    match state.facilities.edit(&id, extras, &actor.login_id()).await {
        Err(FacilityError::Refused(refusal)) => refuse(refusal.to_string()),
        Err(e) => Err(e.into()),
        Ok(Change { before, after }) => {
            let (action, told) = if removed {
                ("施設の写真を削除", "写真を削除しました。")
            } else {
                ("施設の写真を変更", "写真を保存しました。")
            };
            audit::record(
                &state,
                &actor,
                action,
                &format!("facility:{id}"),
                format!(
                    "「{}」 {}→{}",
                    after.name(),
                    before.extras().photo.as_deref().unwrap_or("（なし）"),
                    after.extras().photo.as_deref().unwrap_or("（なし）")
                ),
            )
            .await;
            Ok(redirect_with(&back, FlashKind::Success, told, secure))
        }
    }
}

/// The site's photo, for its page in the console.
pub async fn show(State(state): State<Arc<AdminState>>, Path(id): Path<String>) -> PageResult {
    let site = state.facilities.get(&id).await?;
    let key = site.extras().photo.clone().ok_or(ConsoleError::NotFound)?;
    let key = ObjectKey::new(key).map_err(|_| ConsoleError::NotFound)?;
    let object = state
        .platform
        .objects
        .get(&key)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, object.content_type)], object.bytes).into_response())
}
