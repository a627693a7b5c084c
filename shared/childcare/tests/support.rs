//! What the test files build on: the platforms (embedded, and DynamoDB and KMS on moto), the
//! time, a clerk and a schedule of 小浜市's kind.

#![allow(dead_code)] // each test file uses its own part

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;
use tayori_adapters::aws;
use tayori_domain::childcare::{Stage, StageSchedule, StageTiming, YearMonth};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_ports::{ManualClock, Platform};
use tayori_tests::moto;
use tempfile::TempDir;

/// Runs one contract against both adapters, as two tests named after the adapter.
macro_rules! on_both_adapters {
    ($contract:ident) => {
        mod $contract {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                let subject = crate::support::Platforms::embedded();
                super::$contract(&subject).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn aws() {
                if let Some(subject) = crate::support::Platforms::aws().await {
                    super::$contract(&subject).await;
                }
            }
        }
    };
}
pub(crate) use on_both_adapters;

pub struct Platforms {
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
    _dir: Option<TempDir>,
}

impl Platforms {
    pub fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let (platform, _bus) =
            tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
        Self {
            platform,
            clock,
            _dir: Some(dir),
        }
    }

    pub async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let config = tayori_tests::moto_resources(&sdk, "childcare records").await;
        let clock = Arc::new(ManualClock::new(start()));
        Some(Self {
            platform: aws::platform(&sdk, &config, clock.clone()),
            clock,
            _dir: None,
        })
    }
}

pub fn jst(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// 2026-02-10 09:00 JST.
pub fn start() -> DateTime<Utc> {
    jst("2026-02-10T09:00:00+09:00")
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn month(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

pub fn user(n: u32) -> String {
    format!("U{n:032x}")
}

pub fn clerk(login: &str, permissions: &[Permission]) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: "子育て支援課".into(),
            permissions: permissions.iter().copied().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        start(),
    )
}

pub fn stage(id: &str, title: &str, timing: StageTiming) -> Stage {
    Stage::new(
        id,
        title,
        timing,
        &format!("{title}のご案内です。"),
        Some("https://www1.city.obama.fukui.jp/"),
    )
    .unwrap()
}

pub fn schedule() -> StageSchedule {
    StageSchedule::new(vec![
        stage(
            "pregnancy",
            "妊娠届出後のご案内",
            StageTiming::AfterPregnancyRegistered { days: 0 },
        ),
        stage(
            "vaccine-2m",
            "予防接種",
            StageTiming::Age {
                years: 0,
                months: 2,
            },
        ),
        stage(
            "checkup-3y",
            "3歳児健診",
            StageTiming::Age {
                years: 3,
                months: 0,
            },
        ),
    ])
    .unwrap()
}
