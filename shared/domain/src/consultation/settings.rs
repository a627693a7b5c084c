//! What staff set for consultations besides the templates: the office hours, after how many
//! hours without a reply a case is highlighted, and how often the 受付時間外 auto-reply may
//! repeat to one citizen.

use super::OfficeHours;
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// A week: longer than that, a highlight means nothing.
pub const MAX_REPLY_WAIT_HOURS: u32 = 168;
/// A day.
pub const MAX_AUTO_REPLY_MINUTES: u32 = 1440;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "返信待ちを強調するまでの時間は1〜{MAX_REPLY_WAIT_HOURS}時間の整数で入力してください。"
    )]
    ReplyWait,
    #[error("時間外の自動応答の間隔は1〜{MAX_AUTO_REPLY_MINUTES}分の整数で入力してください。")]
    AutoReplyInterval,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationSettings {
    office_hours: OfficeHours,
    reply_wait_hours: u32,
    auto_reply_every_minutes: u32,
}

impl Default for ConsultationSettings {
    /// Highlighted after a working day (8 hours); the auto-reply at most hourly.
    fn default() -> Self {
        Self {
            office_hours: OfficeHours::default(),
            reply_wait_hours: 8,
            auto_reply_every_minutes: 60,
        }
    }
}

impl ConsultationSettings {
    pub fn new(
        office_hours: OfficeHours,
        reply_wait_hours: u32,
        auto_reply_every_minutes: u32,
    ) -> Result<Self, SettingsError> {
        if !(1..=MAX_REPLY_WAIT_HOURS).contains(&reply_wait_hours) {
            return Err(SettingsError::ReplyWait);
        }
        if !(1..=MAX_AUTO_REPLY_MINUTES).contains(&auto_reply_every_minutes) {
            return Err(SettingsError::AutoReplyInterval);
        }
        Ok(Self {
            office_hours,
            reply_wait_hours,
            auto_reply_every_minutes,
        })
    }

    pub fn office_hours(&self) -> &OfficeHours {
        &self.office_hours
    }
    pub fn reply_wait_hours(&self) -> u32 {
        self.reply_wait_hours
    }
    pub fn auto_reply_every_minutes(&self) -> u32 {
        self.auto_reply_every_minutes
    }
    pub fn auto_reply_every(&self) -> Duration {
        Duration::minutes(i64::from(self.auto_reply_every_minutes))
    }
}
