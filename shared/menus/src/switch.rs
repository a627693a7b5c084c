//! The emergency switch (6.2.3.1): one action puts the 緊急 menu in front of every friend, and
//! one puts the 通常 menu back. The default menu changes, and per-user menus are removed with
//! LINE's rich menu batch control, since a per-user menu would hide the emergency one.

use crate::publish::PublishError;
use async_trait::async_trait;
use serde::Deserialize;
use std::sync::Arc;
use tayori_domain::richmenu::MenuMode;
use tayori_line::richmenu::{RichMenuBatchOperation, RichMenuBatchRequest};
use tayori_line::LineClient;
use tayori_ports::{Event, EventHandler, HandlerError, Platform};
use tayori_records::{AuditEntry, AuditLog, MenuDesignation, RichMenus};

/// Published by whatever decides a switch is due (a disaster feed, later); handled here.
pub const SWITCH_REQUESTED: &str = "menu.switch-requested";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SwitchOutcome {
    Switched(MenuDesignation),
    AlreadyInMode,
}

/// Makes `id` the 通常 or 緊急 menu. When that mode is in force and the menu is published, it
/// becomes the default at once.
pub async fn designate(
    platform: &Platform,
    line: &LineClient,
    id: &str,
    mode: MenuMode,
) -> Result<MenuDesignation, PublishError> {
    let menus = RichMenus::new(platform.table.clone());
    let menu = menus.get(id).await?.ok_or(PublishError::NotFound)?;
    let designation = menus
        .update_designation(|d| match mode {
            MenuMode::Normal => d.normal = Some(id.to_string()),
            MenuMode::Emergency => d.emergency = Some(id.to_string()),
        })
        .await?;
    if designation.mode() == mode {
        if let Some(line_id) = &menu.line_id {
            line.set_default_rich_menu(line_id).await?;
        }
    }
    Ok(designation)
}

pub async fn switch(
    platform: &Platform,
    line: &LineClient,
    to: MenuMode,
    by: &str,
    reason: &str,
) -> Result<SwitchOutcome, PublishError> {
    let menus = RichMenus::new(platform.table.clone());
    let designation = menus.designation().await?;
    if designation.mode() == to && designation.switched_at.is_some() {
        return Ok(SwitchOutcome::AlreadyInMode);
    }
    let target = designation
        .menu_for(to)
        .ok_or_else(|| {
            PublishError::NotReady(format!("{}用のメニューが指定されていません。", to.label()))
        })?
        .to_string();
    let menu = menus.get(&target).await?.ok_or(PublishError::NotFound)?;
    let line_id = menu.line_id.ok_or_else(|| {
        PublishError::NotReady(format!(
            "{}用のメニュー「{}」が公開されていません。先に公開してください。",
            to.label(),
            menu.draft.name
        ))
    })?;
    line.set_default_rich_menu(&line_id).await?;
    line.rich_menu_batch(&RichMenuBatchRequest {
        operations: vec![RichMenuBatchOperation::UnlinkAll],
        resume_request_key: None,
    })
    .await?;
    let now = platform.clock.now();
    let updated = menus
        .update_designation(|d| {
            d.mode = Some(to);
            d.switched_at = Some(now);
            d.switched_by = Some(by.to_string());
            d.reason = Some(reason.to_string());
        })
        .await?;
    Ok(SwitchOutcome::Switched(updated))
}

#[derive(Debug, Deserialize)]
pub struct SwitchRequest {
    pub mode: MenuMode,
    pub reason: String,
    /// Who or what asked, e.g. `jma-feed`.
    pub requested_by: String,
}

/// Handles `menu.switch-requested` from the event bus and writes the audit entry a clerk's
/// switch would.
pub struct SwitchHandler {
    pub platform: Platform,
    pub line: Arc<LineClient>,
}

#[async_trait]
impl EventHandler for SwitchHandler {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let request: SwitchRequest = serde_json::from_value(event.detail.clone())
            .map_err(|e| HandlerError::malformed(&event, e))?;
        let by = format!("system:{}", request.requested_by);
        let outcome = switch(
            &self.platform,
            &self.line,
            request.mode,
            &by,
            &request.reason,
        )
        .await
        .map_err(|e| HandlerError::failed(&event, e))?;
        if let SwitchOutcome::Switched(_) = outcome {
            let entry = AuditEntry {
                at: self.platform.clock.now(),
                actor: by,
                ip: "-".into(),
                action: format!("メニューを{}に切替", request.mode.label()),
                target: "richmenu:mode".into(),
                summary: request.reason,
            };
            AuditLog::new(self.platform.table.clone())
                .append(&entry)
                .await
                .map_err(|e| HandlerError::failed(&event, e))?;
        }
        Ok(())
    }
}
