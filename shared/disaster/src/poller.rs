//! The poller: each run reads the feeds (If-None-Match / If-Modified-Since), fetches each entry
//! not seen before, and acts on what it says for 小浜市.
//!
//! Acting once: every rule's action is claimed by a conditional write keyed by the message's
//! XML and the rule before anything is done, so the same XML twice (under one entry id or two)
//! acts once. Each step is itself safe to repeat (the emergency is one at a time, the switch is
//! a no-op in 緊急 already, the first message has an id fixed by the action), so a poll that
//! died half-way is finished by the next one, which finds the claim not yet done. An entry is
//! marked seen only once handled; a transient failure leaves it for the next poll, and the
//! feed's validators are then not saved, so the next poll reads the feed again.
//!
//! A rule acts at most once per open emergency: a 大津波警報 that follows the 津波警報 within
//! one emergency does not send the first message again.

use crate::emergency::{EmergencyDesk, RuleOpening};
use crate::source::{FeedFetch, FeedSource};
use crate::store::{sha256_hex, ActionRecord, DisasterRecords, LiftingNotice};
use crate::DisasterError;
use chrono::Duration;
use std::sync::Arc;
use tayori_deliveries::{DeliveryDesk, Then};
use tayori_domain::delivery::{Bubble, Composition, Delivery, DELIVERY_REQUESTED};
use tayori_domain::emergency::Emergency;
use tayori_domain::emergency_rule::{EmergencyRule, FirstMessage, RuleMatch};
use tayori_domain::richmenu::MenuMode;
use tayori_domain::segment::Target;
use tayori_jma::{parse, parse_feed, Bulletin, FeedEntry, MessageType, Parsed};
use tayori_ports::{Event, ObjectKey, Platform};

/// Who Tayori's automatic actions are by, in deliveries, the menu switch and emergencies.
pub const JMA_ACTOR: &str = "system:jma";
/// An entry older than this when first seen (a feed read for the first time after a
/// deployment or an outage lists hours of messages) is remembered without acting: acting on
/// a warning hours late would send citizens old news.
pub const MAX_ENTRY_AGE_MINUTES: i64 = 60;
/// The delivery category of first messages.
const CATEGORY: &str = "防災";
/// `Target::All` in words, as the log shows it for staff's deliveries.
const EVERYONE: &str = "すべての友だち";

/// What one poll did, for the log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollReport {
    pub feeds_changed: usize,
    pub entries_handled: usize,
    /// Action ids recorded by this poll.
    pub actions: Vec<String>,
    pub notices: usize,
    /// Entries skipped: unreadable, unsupported, too old, or the same XML as another.
    pub skipped: usize,
    /// Entries or feeds that failed and are tried again next time.
    pub failed: usize,
}

pub struct Poller {
    platform: Platform,
    source: Arc<dyn FeedSource>,
    records: DisasterRecords,
    desk: DeliveryDesk,
    emergencies: EmergencyDesk,
}

enum Handled {
    Done {
        actions: Vec<String>,
        notices: usize,
    },
    Skipped(String),
}

impl Poller {
    pub fn new(platform: Platform, source: Arc<dyn FeedSource>) -> Self {
        Self {
            records: DisasterRecords::new(platform.table.clone()),
            desk: DeliveryDesk::new(&platform),
            emergencies: EmergencyDesk::new(platform.table.clone(), platform.clock.clone()),
            source,
            platform,
        }
    }

    /// One poll of every feed. Fails only when the rules cannot be read; a feed or message
    /// that fails is logged and tried again next time.
    pub async fn poll(&self) -> Result<PollReport, DisasterError> {
        let rules = crate::RuleDesk::new(self.platform.table.clone(), self.platform.clock.clone())
            .list()
            .await?;
        let mut report = PollReport::default();
        for feed in self.source.feeds() {
            if let Err(e) = self.poll_feed(&feed, &rules, &mut report).await {
                report.failed += 1;
                tracing::warn!(feed, error = %e, "JMA feed not read; tried again next poll");
            }
        }
        Ok(report)
    }

    async fn poll_feed(
        &self,
        feed: &str,
        rules: &[EmergencyRule],
        report: &mut PollReport,
    ) -> Result<(), DisasterError> {
        let known = self.records.validators(feed).await?;
        let (body, validators) = match self.source.feed(feed, &known).await? {
            FeedFetch::Unchanged => return Ok(()),
            FeedFetch::Changed { body, validators } => (body, validators),
        };
        report.feeds_changed += 1;
        let mut entries = match parse_feed(&body) {
            Ok(entries) => entries,
            Err(e) => {
                // Not saved as read: the next poll reads it again.
                report.failed += 1;
                tracing::warn!(feed, error = %e, "JMA feed unreadable; skipped");
                return Ok(());
            }
        };
        entries.sort_by_key(|e| e.updated);
        let mut all_handled = true;
        for entry in &entries {
            if let Some(code) = entry.type_code() {
                if MessageType::from_code(code).is_none() {
                    continue;
                }
            }
            if self.records.entry_seen(&entry.id).await? {
                continue;
            }
            match self.handle(entry, rules).await {
                Ok(Handled::Done { actions, notices }) => {
                    report.entries_handled += 1;
                    report.actions.extend(actions);
                    report.notices += notices;
                    self.records
                        .mark_entry_seen(&entry.id, "handled", self.platform.clock.now())
                        .await?;
                }
                Ok(Handled::Skipped(reason)) => {
                    report.skipped += 1;
                    tracing::info!(entry = entry.id, reason, "JMA entry skipped");
                    self.records
                        .mark_entry_seen(&entry.id, &reason, self.platform.clock.now())
                        .await?;
                }
                Err(e) => {
                    all_handled = false;
                    report.failed += 1;
                    tracing::warn!(entry = entry.id, error = %e, "JMA entry failed; tried again next poll");
                }
            }
        }
        if all_handled {
            self.records.save_validators(feed, &validators).await?;
        }
        Ok(())
    }

    async fn handle(
        &self,
        entry: &FeedEntry,
        rules: &[EmergencyRule],
    ) -> Result<Handled, DisasterError> {
        let now = self.platform.clock.now();
        if now - entry.updated > Duration::minutes(MAX_ENTRY_AGE_MINUTES) {
            return Ok(Handled::Skipped("古い電文（初回の読み込み等）".into()));
        }
        let xml = self.source.message(&entry.link).await?;
        let bulletin = match parse(&xml) {
            Ok(Parsed::Bulletin(b)) => b,
            Ok(Parsed::Unsupported { control_title }) => {
                return Ok(Handled::Skipped(format!("対象外の電文: {control_title}")))
            }
            Err(e) => {
                tracing::warn!(entry = entry.id, error = %e, "JMA message malformed");
                return Ok(Handled::Skipped(format!("読めない電文: {e}")));
            }
        };
        if !bulletin.unknown_codes.is_empty() {
            tracing::warn!(
                entry = entry.id,
                codes = ?bulletin.unknown_codes,
                "JMA message has kind codes Tayori does not know; they are ignored"
            );
        }
        let hash = sha256_hex(&xml);
        if !self.records.claim_message(&hash, &entry.id, now).await? {
            return Ok(Handled::Skipped("同じ電文を処理済み".into()));
        }
        let matches: Vec<(&EmergencyRule, RuleMatch)> = rules
            .iter()
            .filter_map(|r| r.matches(&bulletin).map(|m| (r, m)))
            .collect();
        let lifted: Vec<(&EmergencyRule, RuleMatch)> = rules
            .iter()
            .filter_map(|r| r.lifted_by(&bulletin).map(|m| (r, m)))
            .collect();
        if matches.is_empty() && lifted.is_empty() {
            return Ok(Handled::Done {
                actions: vec![],
                notices: 0,
            });
        }
        let xml_key = format!("jma/{hash}.xml");
        let key = ObjectKey::new(xml_key.clone())?;
        self.platform
            .objects
            .put(&key, xml, "application/xml")
            .await?;
        let mut actions = Vec::new();
        for (rule, matched) in matches {
            let action = ActionRecord {
                id: format!("{}-{}", &hash[..20], rule.id()),
                at: now,
                rule_id: rule.id().into(),
                rule_name: rule.name().into(),
                entry_id: entry.id.clone(),
                message_title: bulletin.title.clone(),
                matched,
                xml_key: xml_key.clone(),
                steps: vec![],
                done: false,
            };
            if self.act(rule, &bulletin, entry, action.clone()).await? {
                actions.push(action.id);
            }
        }
        for (rule, matched) in &lifted {
            let notice = LiftingNotice {
                id: format!("{}-{}", &hash[..20], rule.id()),
                at: now,
                rule_id: rule.id().into(),
                rule_name: rule.name().into(),
                entry_id: entry.id.clone(),
                message_title: bulletin.title.clone(),
                matched: matched.clone(),
                xml_key: xml_key.clone(),
            };
            self.records.put_notice(&notice).await?;
            tracing::info!(
                rule = rule.id(),
                entry = entry.id,
                "JMA lifting noted for staff"
            );
        }
        Ok(Handled::Done {
            actions,
            notices: lifted.len(),
        })
    }

    /// Claims and carries out one rule's action; false when it was done already.
    async fn act(
        &self,
        rule: &EmergencyRule,
        bulletin: &Bulletin,
        entry: &FeedEntry,
        mut action: ActionRecord,
    ) -> Result<bool, DisasterError> {
        if let Some(stored) = self.records.claim_action(&action).await? {
            if stored.done {
                return Ok(false);
            }
            // Claimed by a poll that died before finishing: finish it.
            action = stored;
            action.steps.clear();
        }
        let now = self.platform.clock.now();
        let emergency = self.emergency(rule, entry, &action).await?;
        if let Some((emergency, step)) = &emergency {
            action.steps.push(step.clone());
            let first = self
                .records
                .claim_rule_in_emergency(rule.id(), emergency.id(), &action.id)
                .await?;
            if !first {
                action.steps.push(format!(
                    "このルールは災害対応「{}」で実行済みのため、メニュー切替と最初のメッセージは行いません",
                    emergency.title()
                ));
                action.done = true;
                self.records.finish_action(&action).await?;
                return Ok(true);
            }
        }
        if rule.switch_menu() {
            self.request_switch(rule, &action.matched).await;
            action.steps.push("緊急メニューへの切替を依頼".into());
        }
        match rule.first_message() {
            FirstMessage::None => {}
            FirstMessage::Automatic { text } => {
                let id = format!("jma-{}", action.id);
                let notice = Delivery::automatic(
                    id.clone(),
                    JMA_ACTOR,
                    CATEGORY,
                    rule.name().to_owned(),
                    text.clone(),
                    Target::All,
                    now,
                );
                self.desk.release_automatic(notice, EVERYONE.into()).await?;
                self.request_send(&id).await;
                action.steps.push(format!(
                    "最初のメッセージをすべての友だちに配信（配信ID {id}）"
                ));
            }
            FirstMessage::Draft { text } => {
                let id = format!("jma-{}", action.id);
                if self.desk.get(&id).await.is_err() {
                    let saved = self
                        .desk
                        .create_draft(
                            id.clone(),
                            JMA_ACTOR,
                            Composition {
                                title: rule.name().to_owned(),
                                category: CATEGORY.into(),
                                bubbles: vec![Bubble::Text { text: text.clone() }],
                                target: Target::All,
                                send_at: None,
                            },
                            Then::Submit { may_send: false },
                        )
                        .await?;
                    if let Some(refused) = saved.not_submitted {
                        action
                            .steps
                            .push(format!("下書きは承認待ちにできませんでした: {refused}"));
                    }
                }
                action.steps.push(format!(
                    "最初のメッセージを承認待ちの下書きとして作成（配信ID {id}）"
                ));
            }
        }
        action.done = true;
        self.records.finish_action(&action).await?;
        tracing::info!(
            rule = rule.id(),
            entry = entry.id,
            title = bulletin.title,
            steps = ?action.steps,
            "JMA rule acted"
        );
        Ok(true)
    }

    /// Opens the emergency for the rule (or widens the open one), or finds the open one for a
    /// rule that does not open any. `None` when none is open and the rule opens none.
    async fn emergency(
        &self,
        rule: &EmergencyRule,
        entry: &FeedEntry,
        action: &ActionRecord,
    ) -> Result<Option<(Emergency, String)>, DisasterError> {
        if !rule.open_emergency() {
            return Ok(self
                .emergencies
                .current()
                .await?
                .map(|e| (e, "開いている災害対応はそのまま".to_string())));
        }
        let opening = self
            .emergencies
            .open_for_rule(
                &action.id,
                rule.name(),
                rule.hazards(),
                rule.id(),
                &entry.id,
            )
            .await?;
        Ok(Some(match opening {
            RuleOpening::Opened(e) => {
                let step = format!("災害対応「{}」を開始", e.title());
                (e, step)
            }
            RuleOpening::Widened(e) => {
                let step = format!("開いている災害対応「{}」に災害種別を追加", e.title());
                (e, step)
            }
        }))
    }

    /// Asks for the 緊急 menu on the bus; the SwitchHandler switches and audits. A lost event
    /// is logged: staff see the action log and can switch by hand.
    async fn request_switch(&self, rule: &EmergencyRule, matched: &RuleMatch) {
        let event = Event::new(
            tayori_menus::SWITCH_REQUESTED,
            serde_json::json!({
                "mode": MenuMode::Emergency,
                "reason": format!("{}: {} {}", rule.name(), matched.area_name, matched.what),
                "requested_by": "jma-feed",
            }),
        );
        if let Err(e) = self.platform.bus.publish(vec![event]).await {
            tracing::error!(error = %e, rule = rule.id(), "emergency menu switch not requested");
        }
    }

    /// Asks the broadcast function to send now; the next tick sends it anyway.
    async fn request_send(&self, id: &str) {
        let event = Event::new(DELIVERY_REQUESTED, serde_json::json!({ "id": id }));
        if let Err(e) = self.platform.bus.publish(vec![event]).await {
            tracing::warn!(error = %e, id, "delivery.requested not published; the next tick sends it");
        }
    }
}

/// The latest 解除 notices, newest first, for the console's banner.
pub async fn latest_cancellations(
    platform: &Platform,
    limit: usize,
) -> Result<Vec<LiftingNotice>, DisasterError> {
    DisasterRecords::new(platform.table.clone())
        .recent_notices(limit)
        .await
}
