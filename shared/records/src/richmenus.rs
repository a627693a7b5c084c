//! Rich menus as staff made them, and which menu is in force (通常 / 緊急).

use crate::optimistic::Attempts;
use crate::{decode, encode, RecordError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tayori_domain::richmenu::{MenuMode, RichMenuDraft};
use tayori_ports::{Condition, Item, Query, TableStore, Write};

const SK: &str = "MENU";
const LIST: &str = "RICHMENU";
const MODE_PK: &str = "SETTINGS";
const MODE_SK: &str = "MENUMODE";

/// The uploaded image, kept in the object store; LINE gets it when the menu is published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuImage {
    pub key: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMenu {
    pub id: String,
    pub draft: RichMenuDraft,
    pub image: Option<MenuImage>,
    /// LINE's rich menu id while published.
    pub line_id: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// Which menus are designated 通常 and 緊急, which one is in force, and the last switch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuDesignation {
    pub normal: Option<String>,
    pub emergency: Option<String>,
    pub mode: Option<MenuMode>,
    pub switched_at: Option<DateTime<Utc>>,
    pub switched_by: Option<String>,
    pub reason: Option<String>,
}

impl MenuDesignation {
    pub fn mode(&self) -> MenuMode {
        self.mode.unwrap_or(MenuMode::Normal)
    }

    pub fn menu_for(&self, mode: MenuMode) -> Option<&str> {
        match mode {
            MenuMode::Normal => self.normal.as_deref(),
            MenuMode::Emergency => self.emergency.as_deref(),
        }
    }
}

#[derive(Clone)]
pub struct RichMenus {
    table: Arc<dyn TableStore>,
}

fn pk(id: &str) -> String {
    format!("RICHMENU#{id}")
}

impl RichMenus {
    pub fn new(table: Arc<dyn TableStore>) -> Self {
        Self { table }
    }

    pub async fn get(&self, id: &str) -> Result<Option<StoredMenu>, RecordError> {
        match self.table.get(&pk(id), SK).await? {
            Some(item) => Ok(Some(decode(&item)?)),
            None => Ok(None),
        }
    }

    pub async fn save(&self, menu: &StoredMenu) -> Result<(), RecordError> {
        let item = Item::new(pk(&menu.id), SK, encode(menu)).with_gsi1(LIST, &menu.id);
        self.table.put(item, Condition::Always).await?;
        Ok(())
    }

    pub async fn delete(&self, id: &str) -> Result<(), RecordError> {
        self.table.delete(&pk(id), SK, Condition::Always).await?;
        Ok(())
    }

    /// Every menu (a city keeps a handful).
    pub async fn all(&self) -> Result<Vec<StoredMenu>, RecordError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .table
                .query(Query::gsi1(LIST).limit(100).after(cursor))
                .await?;
            for item in &page.items {
                all.push(decode(item)?);
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(all),
            }
        }
    }

    pub async fn designation(&self) -> Result<MenuDesignation, RecordError> {
        match self.table.get(MODE_PK, MODE_SK).await? {
            Some(item) => decode(&item),
            None => Ok(MenuDesignation::default()),
        }
    }

    /// Changes the designation with optimistic concurrency, so two clerks switching at once
    /// cannot leave the record saying one thing and LINE another.
    pub async fn update_designation(
        &self,
        change: impl Fn(&mut MenuDesignation),
    ) -> Result<MenuDesignation, RecordError> {
        let mut attempts = Attempts::new(&format!("{MODE_PK}/{MODE_SK}"));
        loop {
            let current = self.table.get(MODE_PK, MODE_SK).await?;
            let (mut d, condition, version) = match &current {
                Some(item) => (
                    decode::<MenuDesignation>(item)?,
                    Condition::IfVersion(item.version),
                    item.version + 1,
                ),
                None => (MenuDesignation::default(), Condition::IfAbsent, 1),
            };
            change(&mut d);
            let item = Item::new(MODE_PK, MODE_SK, encode(&d)).with_version(version);
            if attempts
                .written(self.table.as_ref(), vec![Write::Put { item, condition }])
                .await?
            {
                return Ok(d);
            }
        }
    }
}
