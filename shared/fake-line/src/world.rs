//! What the LINE Platform knows about the channel: friends, delivered messages, used reply
//! tokens, accepted retry keys, rich menus and their links.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub content_type: String,
    pub bytes: Bytes,
}

#[derive(Debug, Clone)]
pub(crate) struct RichMenu {
    /// Creation order: LINE lists rich menus oldest first.
    pub seq: u64,
    /// The request body it was created from, with `richMenuId` added.
    pub body: Value,
    pub image: Option<Image>,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    pub users: BTreeMap<String, String>,
    pub inboxes: HashMap<String, Vec<Value>>,
    /// Sends (push, multicast, broadcast) each user received, however many messages each held.
    pub sends_received: HashMap<String, u32>,
    /// Count sends without keeping their messages in `inboxes` (see `FakeLine::tally_only`).
    pub tally_only: bool,
    pub replies: HashMap<String, Vec<Value>>,
    pub used_reply_tokens: HashSet<String>,
    /// Retry key → the `x-line-request-id` of the request that was accepted with it.
    pub retry_keys: HashMap<String, String>,
    pub narrowcasts: HashMap<String, DateTime<Utc>>,
    pub menus: BTreeMap<String, RichMenu>,
    pub menu_seq: u64,
    pub aliases: BTreeMap<String, String>,
    pub default_menu: Option<String>,
    /// User → rich menu linked to them individually.
    pub links: HashMap<String, String>,
    pub batches: HashMap<String, DateTime<Utc>>,
    pub contents: HashMap<String, Image>,
    pub message_seq: u64,
    /// LINE Login ID tokens handed out (`/_line/id-tokens`), by token.
    pub id_tokens: HashMap<String, IssuedIdToken>,
    /// The month's target limit (`/v2/bot/message/quota`); `None`: no limit set.
    pub message_quota: Option<u64>,
    /// What the insight API says of followers (followers, targeted reaches, blocks), when a
    /// test set it.
    pub followers: Option<(u64, u64, u64)>,
}

#[derive(Debug, Clone)]
pub(crate) struct IssuedIdToken {
    pub user_id: String,
    pub client_id: Option<String>,
    pub issued_at: i64,
    pub expires_at: i64,
}

impl World {
    /// A numeric message id, as LINE's are.
    pub fn message_id(&mut self) -> String {
        self.message_seq += 1;
        format!("{}", 560_000_000_000_000_000u64 + self.message_seq)
    }

    pub fn deliver(&mut self, to: &str, messages: &[Value]) {
        *self.sends_received.entry(to.to_string()).or_default() += 1;
        if !self.tally_only {
            self.inboxes
                .entry(to.to_string())
                .or_default()
                .extend(messages.iter().cloned());
        }
    }

    pub fn menu_with_image(&self, id: &str) -> Result<&RichMenu, MenuProblem> {
        let menu = self.menus.get(id).ok_or(MenuProblem::NotFound)?;
        if menu.image.is_none() {
            return Err(MenuProblem::NoImage);
        }
        Ok(menu)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MenuProblem {
    NotFound,
    NoImage,
}
