//! Delivery images for the preview (staff only; LINE reads them from the public media route).

use crate::error::{ConsoleError, PageResult};
use crate::AdminState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::Arc;
use tayori_ports::ObjectKey;

pub async fn media(State(state): State<Arc<AdminState>>, Path(key): Path<String>) -> PageResult {
    // Only delivery media: the route must not become a way to read other objects.
    let key = ObjectKey::new(format!("media/{key}")).map_err(|_| ConsoleError::NotFound)?;
    let object = state
        .platform
        .objects
        .get(&key)
        .await?
        .ok_or(ConsoleError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, object.content_type)], object.bytes).into_response())
}
