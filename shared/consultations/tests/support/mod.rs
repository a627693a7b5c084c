//! What both test files build on: the clock, staff accounts of 小浜市's kind, and a platform on
//! the embedded adapter or on moto.

#![allow(dead_code)] // each test file uses its own part

use chrono::{DateTime, TimeZone, Utc};
use std::sync::Arc;
use tayori_adapters::aws;
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_ports::{ManualClock, Platform};
use tayori_tests::moto;
use tempfile::TempDir;

pub const CITIZEN: &str = "U0123456789abcdef0123456789abcdef";
pub const OTHER_CITIZEN: &str = "Ufedcba9876543210fedcba9876543210";

/// A JST wall-clock time as UTC.
pub fn jst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    tayori_domain::time::jst()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// Wednesday 2 December 2026, 10:00 JST: the desk is open.
pub fn start() -> DateTime<Utc> {
    jst(2026, 12, 2, 10, 0)
}

pub fn staff(login: &str, permissions: &[Permission], departments: &[&str]) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: departments.first().copied().unwrap_or("総務課").into(),
            permissions: permissions.iter().copied().collect(),
            scope: DepartmentScope::Only(departments.iter().map(|d| d.to_string()).collect()),
        },
        "hash".into(),
        start(),
    )
}

/// A clerk of 子ども未来課 handling its consultations.
pub fn kosodate() -> StaffAccount {
    staff("kosodate", &[Permission::Consultations], &["子ども未来課"])
}

/// A clerk of 環境衛生課 handling its consultations (ごみ).
pub fn kankyo() -> StaffAccount {
    staff("kankyo", &[Permission::Consultations], &["環境衛生課"])
}

pub struct Platforms {
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
    _dir: Option<TempDir>,
}

impl Platforms {
    pub async fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        // Serving presigned URLs, as the local run's store does (the citizens' images).
        let (platform, _bus, _served) =
            tayori_adapters::embedded::platform_at(dir.path(), clock.clone(), "http://127.0.0.1:9")
                .unwrap();
        Self {
            platform,
            clock,
            _dir: Some(dir),
        }
    }

    pub async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let config = tayori_tests::moto_resources(&sdk, "consultation records").await;
        let clock = Arc::new(ManualClock::new(start()));
        Some(Self {
            platform: aws::platform(&sdk, &config, clock.clone()),
            clock,
            _dir: None,
        })
    }
}
