//! The export desk on the embedded platform: asking, making the file, downloading, sweeping.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::sync::Arc;
use tayori_domain::export::{
    CsvEncoding, Export, ExportConditions, ExportError, ExportKind, EXPORT_KEPT,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_exports::sources::CitySources;
use tayori_exports::{
    Clerk, DeskError, ExportDesk, RowSource, SourceError, Sources, EXPORT_REQUESTED,
};
use tayori_ports::{Event, EventHandler, HandlerError, ManualClock, ObjectKey, Platform};
use tayori_records::{AuditEntry, AuditLog};

fn asked_at() -> DateTime<Utc> {
    // 2026-12-01 10:00 JST.
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
}

fn staff(login: &str, permissions: &[Permission]) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: "総務課".into(),
            permissions: permissions.iter().copied().collect(),
            scope: DepartmentScope::All,
        },
        "hash".into(),
        asked_at(),
    )
}

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    bus: Arc<tayori_adapters::embedded::InProcessBus>,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(asked_at()));
    let (platform, bus, _router) =
        tayori_adapters::embedded::platform_at(dir.path(), clock.clone(), "http://127.0.0.1:9")
            .unwrap();
    World {
        platform,
        clock,
        bus,
        _dir: dir,
    }
}

impl World {
    fn desk(&self) -> ExportDesk {
        ExportDesk::new(&self.platform, Arc::new(CitySources::new(&self.platform)))
    }

    async fn audit(&self, action: &str, summary: &str) {
        AuditLog::new(self.platform.table.clone())
            .append(&AuditEntry {
                at: self.clock.now(),
                actor: "somu".into(),
                ip: "127.0.0.1".into(),
                action: action.into(),
                target: "x".into(),
                summary: summary.into(),
            })
            .await
            .unwrap();
    }

    async fn entries(&self) -> Vec<AuditEntry> {
        AuditLog::new(self.platform.table.clone())
            .month(2026, 12, None, 100)
            .await
            .unwrap()
            .0
    }

    async fn file(&self, export: &Export) -> Option<Vec<u8>> {
        let key = ObjectKey::new(export.object_key()).unwrap();
        self.platform
            .objects
            .get(&key)
            .await
            .unwrap()
            .map(|o| o.bytes)
    }
}

use tayori_ports::Clock as _;

/// Records the events published, so the test can see `export.requested`.
#[derive(Default)]
struct Requests(std::sync::Mutex<Vec<Event>>);

#[async_trait]
impl EventHandler for Requests {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        self.0.lock().unwrap().push(event);
        Ok(())
    }
}

fn month(m: &str) -> ExportConditions {
    ExportConditions::new([("month", m), ("q", "")], format!("{m}の操作"))
}

#[tokio::test]
async fn a_clerk_without_the_pages_permission_cannot_ask_and_nothing_is_saved() {
    let w = world();
    let clerk = staff("kouhou", &[Permission::DeliveryDraft]);
    let refused = w
        .desk()
        .request(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            ExportKind::AuditLog,
            month("2026-12"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap_err();
    assert!(refused.is_refusal());
    assert_eq!(
        refused.to_string(),
        "「操作ログの閲覧」の権限がないため、操作ログのCSVは作成できません。"
    );
    assert!(w.desk().mine(&clerk).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_asked_export_is_saved_announced_audited_then_made_in_cp932_with_its_counts() {
    let w = world();
    let seen = Arc::new(Requests::default());
    w.bus.subscribe(EXPORT_REQUESTED, seen.clone());
    w.audit("=cmd|' /C calc'!A0", "🍣 髙橋さんの設定").await;
    let clerk = staff("somu", &[Permission::AuditLog]);
    let desk = w.desk();
    let export = desk
        .request(
            &Clerk {
                account: &clerk,
                ip: Some([10, 0, 0, 5].into()),
            },
            ExportKind::AuditLog,
            month("2026-12"),
            CsvEncoding::Cp932,
        )
        .await
        .unwrap();
    w.bus.settle().await;
    assert_eq!(export.status().label(), "作成中");
    let published = seen.0.lock().unwrap().clone();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].detail["id"], export.id());
    let asked = w
        .entries()
        .await
        .into_iter()
        .find(|e| e.action == "CSVの作成を依頼")
        .unwrap();
    assert_eq!(asked.ip, "10.0.0.5");
    assert_eq!(asked.summary, "操作ログ（Shift_JIS） 条件[2026-12の操作]");
    assert_eq!(desk.ready_count(&clerk).await.unwrap(), 0);

    w.clock.advance(TimeDelta::seconds(5));
    let made = desk.run(export.id()).await.unwrap();
    let bytes = w.file(&made).await.unwrap();
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!errors);
    assert!(text.starts_with("日時,職員,IPアドレス,操作,対象,内容\r\n"));
    assert!(
        text.contains(",\"'=cmd|' /C calc'!A0\","),
        "formulas defused: {text}"
    );
    assert!(text.contains("〓 髙橋さんの設定"), "{text}");
    match made.status() {
        tayori_domain::export::ExportStatus::Ready {
            rows,
            bytes: size,
            replaced,
        } => {
            assert_eq!(
                (*rows, *replaced),
                (2, 1),
                "the entry and the request's own"
            );
            assert_eq!(*size, bytes.len() as u64);
        }
        other => panic!("not ready: {other:?}"),
    }
    assert_eq!(made.finished_at(), Some(asked_at() + TimeDelta::seconds(5)));
    assert_eq!(desk.ready_count(&clerk).await.unwrap(), 1);
    // A second delivery of the event changes nothing.
    assert_eq!(desk.run(export.id()).await.unwrap(), made);
}

#[tokio::test]
async fn a_utf8_file_starts_with_a_bom() {
    let w = world();
    let clerk = staff("somu", &[Permission::AuditLog]);
    let desk = w.desk();
    let export = desk
        .request(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            ExportKind::AuditLog,
            month("2026-12"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let made = desk.run(export.id()).await.unwrap();
    let bytes = w.file(&made).await.unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
    assert!(String::from_utf8(bytes[3..].to_vec())
        .unwrap()
        .starts_with("日時,職員"));
}

/// A source that gives one page and then fails, as a table that stops answering would.
struct Failing;

struct FailingRows(bool);

#[async_trait]
impl RowSource for FailingRows {
    fn header(&self) -> Vec<String> {
        vec!["a".into()]
    }
    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        if std::mem::replace(&mut self.0, true) {
            return Err(SourceError::Read("the table stopped answering".into()));
        }
        Ok(Some(vec![vec!["x".repeat(300_000)]]))
    }
}

#[async_trait]
impl Sources for Failing {
    async fn open(&self, _: &Export) -> Result<Box<dyn RowSource>, SourceError> {
        Ok(Box::new(FailingRows(false)))
    }
}

#[tokio::test]
async fn a_file_that_cannot_be_made_is_failed_with_plain_words_and_nothing_is_left() {
    let w = world();
    let clerk = staff("somu", &[Permission::AuditLog]);
    let desk = ExportDesk::new(&w.platform, Arc::new(Failing));
    let export = desk
        .request(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            ExportKind::AuditLog,
            month("2026-12"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let failed = desk.run(export.id()).await.unwrap();
    assert_eq!(
        failed.status(),
        &tayori_domain::export::ExportStatus::Failed {
            reason: "ファイルを作成できませんでした。もう一度作成してください。".into()
        }
    );
    assert!(w.file(&failed).await.is_none());
    assert!(w
        .platform
        .objects
        .list("exports/")
        .await
        .unwrap()
        .is_empty());

    // Conditions a source cannot read say so.
    let w2 = world();
    let desk = w2.desk();
    let export = desk
        .request(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            ExportKind::AuditLog,
            month("2026-13"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let failed = desk.run(export.id()).await.unwrap();
    assert_eq!(
        failed.status(),
        &tayori_domain::export::ExportStatus::Failed {
            reason: "月が読み取れません。".into()
        }
    );
}

#[tokio::test]
async fn the_download_link_is_short_lived_named_in_japanese_and_audited() {
    let w = world();
    let clerk = staff("somu", &[Permission::AuditLog]);
    let colleague = staff("kansa", &[Permission::AuditLog]);
    let stranger = staff("kouhou", &[Permission::DeliveryDraft]);
    let desk = w.desk();
    let export = desk
        .request(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            ExportKind::AuditLog,
            month("2026-12"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let early = desk
        .download_link(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            export.id(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        early,
        DeskError::Rule(ExportError::Status("作成中"))
    ));
    desk.run(export.id()).await.unwrap();

    let url = desk
        .download_link(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            export.id(),
        )
        .await
        .unwrap();
    let expires: i64 = url
        .split("expires=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(expires, asked_at().timestamp() + 300, "{url}");
    assert!(
        url.contains("name=%E6%93%8D%E4%BD%9C%E3%83%AD%E3%82%B0_20261201-1000.csv"),
        "saved as 操作ログ_20261201-1000.csv: {url}"
    );
    w.clock.advance(TimeDelta::seconds(1));
    assert!(desk
        .download_link(
            &Clerk {
                account: &colleague,
                ip: None
            },
            export.id()
        )
        .await
        .is_ok());
    let refused = desk
        .download_link(
            &Clerk {
                account: &stranger,
                ip: None,
            },
            export.id(),
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, DeskError::Rule(ExportError::NotYours)));
    let downloads: Vec<String> = w
        .entries()
        .await
        .into_iter()
        .filter(|e| e.action == "CSVをダウンロード")
        .map(|e| e.actor)
        .collect();
    assert_eq!(
        downloads,
        ["kansa", "somu"],
        "newest first, the refusal not among them"
    );
    assert!(matches!(
        desk.download_link(
            &Clerk {
                account: &clerk,
                ip: None
            },
            "nothing"
        )
        .await,
        Err(DeskError::NotFound)
    ));
}

#[tokio::test]
async fn the_sweep_deletes_files_whose_time_is_up_and_only_those() {
    let w = world();
    let clerk = staff("somu", &[Permission::AuditLog]);
    let desk = w.desk();
    let first = desk
        .request(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            ExportKind::AuditLog,
            month("2026-12"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let first = desk.run(first.id()).await.unwrap();
    w.clock.advance(TimeDelta::hours(2));
    let second = desk
        .request(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            ExportKind::AuditLog,
            month("2026-12"),
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let second = desk.run(second.id()).await.unwrap();

    let sweep_at = asked_at() + EXPORT_KEPT + TimeDelta::minutes(1);
    w.clock.set(sweep_at);
    assert_eq!(desk.sweep(sweep_at).await.unwrap().expired, 1);
    assert!(w.file(&first).await.is_none());
    assert!(w.file(&second).await.is_some());
    assert_eq!(desk.ready_count(&clerk).await.unwrap(), 1);
    let gone = desk
        .download_link(
            &Clerk {
                account: &clerk,
                ip: None,
            },
            first.id(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        gone.to_string(),
        "このCSVファイルは期限が切れたため削除しました。もう一度作成してください。"
    );
    assert_eq!(desk.sweep(sweep_at).await.unwrap().expired, 0, "once");
    let labels: Vec<&str> = desk
        .mine(&clerk)
        .await
        .unwrap()
        .iter()
        .map(|e| e.status().label())
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    assert_eq!(labels, ["完了", "期限切れ"]);
}
