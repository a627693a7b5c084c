//! フォーム回答's file on the embedded platform: a form's answers in the form's order, personal
//! values left out unless asked for (and then audited as a view of them), formulas defused,
//! CP932's replacements counted, and only the form's 課 may ask or download.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use encoding_rs::SHIFT_JIS;
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_domain::export::{CsvEncoding, Export, ExportConditions, ExportStatus};
use tayori_domain::form::{
    Field, FieldId, FieldKind, FormError, FormId, FormKind, FormSettings, PerCitizen, Submitted,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_exports::sources::CitySources;
use tayori_exports::{Clerk, DeskError, ExportDesk, PersonalValues, PERSONAL_VIEWED};
use tayori_formdesk::FormDesk;
use tayori_ports::{Clock as _, ManualClock, ObjectKey, Platform};
use tayori_records::{AuditEntry, AuditLog, StaffAccounts};

fn asked_at() -> DateTime<Utc> {
    // 2026-12-01 10:00 JST.
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
}

fn staff(login: &str, permissions: &[Permission], department: &str) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: department.into(),
            permissions: permissions.iter().copied().collect(),
            scope: DepartmentScope::Only([department.to_string()].into_iter().collect()),
        },
        "hash".into(),
        asked_at(),
    )
}

/// 健康課's clerk who builds the form and exports its answers.
fn kenko() -> StaffAccount {
    staff(
        "kenko",
        &[
            Permission::FormsEdit,
            Permission::FormsViewAnswers,
            Permission::FormsExport,
        ],
        "健康課",
    )
}

fn field(id: &str, label: &str, kind: FieldKind) -> Field {
    Field {
        id: FieldId::parse(id).unwrap(),
        label: label.into(),
        help: String::new(),
        required: false,
        kind,
        show_when: None,
        staff_only: false,
        personal: false,
    }
}

/// 健康づくりアンケート: a short opinion, a single choice, a personal phone number and a
/// staff-only check, in that order.
fn survey() -> FormSettings {
    let mut phone = field("phone", "電話番号", FieldKind::Phone);
    phone.personal = true;
    let mut checked = field(
        "checked",
        "確認済み",
        FieldKind::ShortText { max_chars: 20 },
    );
    checked.staff_only = true;
    FormSettings {
        title: "健康づくりアンケート".into(),
        description: String::new(),
        department: "健康課".into(),
        kind: FormKind::Questionnaire,
        per_citizen: PerCitizen::Many,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: Vec::new(),
        receipt_message: String::new(),
        fields: vec![
            field("opinion", "ご意見", FieldKind::ShortText { max_chars: 100 }),
            field(
                "walk",
                "運動の頻度",
                FieldKind::SingleChoice {
                    choices: vec!["毎日".into(), "ときどき".into()],
                },
            ),
            phone,
            checked,
        ],
        notice_address: None,
    }
}

struct World {
    platform: Platform,
    clock: Arc<ManualClock>,
    form: FormId,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(asked_at()));
    let (platform, _bus, _router) =
        tayori_adapters::embedded::platform_at(dir.path(), clock.clone(), "http://127.0.0.1:9")
            .unwrap();
    let accounts = StaffAccounts::new(platform.table.clone(), platform.cipher.clone());
    accounts.create(&kenko()).await.unwrap();
    let forms = FormDesk::new(&platform);
    let by = kenko();
    let clerk = tayori_formdesk::Clerk {
        account: &by,
        ip: "-",
    };
    let form = forms.create(clerk, survey()).await.unwrap();
    forms.publish(clerk, form.id()).await.unwrap();
    let answers = [
        ("U1", "=HYPERLINK(\"http://x\")", "毎日", "0770-53-1111"),
        ("U2", "髙橋です🍣", "ときどき", "0770-52-2222"),
    ];
    for (i, (user, opinion, walk, phone)) in answers.into_iter().enumerate() {
        let at = asked_at() + TimeDelta::minutes(i as i64 + 1);
        clock.set(at);
        let submitted = Submitted::new()
            .with("opinion", opinion)
            .with("walk", walk)
            .with("phone", phone);
        forms
            .submit(form.id(), user, &submitted, None, BTreeMap::new(), at)
            .await
            .unwrap();
    }
    World {
        platform,
        clock,
        form: form.id().clone(),
        _dir: dir,
    }
}

impl World {
    fn desk(&self) -> ExportDesk {
        ExportDesk::new(&self.platform, Arc::new(CitySources::new(&self.platform)))
    }

    async fn ask(
        &self,
        by: &StaffAccount,
        conditions: ExportConditions,
        personal: PersonalValues,
        encoding: CsvEncoding,
    ) -> Result<Export, DeskError> {
        self.desk()
            .request_form_answers(
                &Clerk {
                    account: by,
                    ip: None,
                },
                &self.form,
                conditions,
                personal,
                encoding,
            )
            .await
    }

    /// Asks as 健康課's clerk and makes the file; its text and the export.
    async fn made(&self, personal: PersonalValues, encoding: CsvEncoding) -> (String, Export) {
        let asked = self
            .ask(&kenko(), everything(), personal, encoding)
            .await
            .unwrap();
        let made = self.desk().run(asked.id()).await.unwrap();
        let key = ObjectKey::new(made.object_key()).unwrap();
        let bytes = self
            .platform
            .objects
            .get(&key)
            .await
            .unwrap()
            .unwrap()
            .bytes;
        let text = match encoding {
            CsvEncoding::Utf8Bom => {
                assert_eq!(&bytes[..3], [0xEF, 0xBB, 0xBF]);
                String::from_utf8(bytes[3..].to_vec()).unwrap()
            }
            CsvEncoding::Cp932 => {
                let (text, _, errors) = SHIFT_JIS.decode(&bytes);
                assert!(!errors);
                text.into_owned()
            }
        };
        (text, made)
    }

    async fn entries(&self) -> Vec<AuditEntry> {
        AuditLog::new(self.platform.table.clone())
            .month(2026, 12, None, 100)
            .await
            .unwrap()
            .0
    }
}

fn everything() -> ExportConditions {
    ExportConditions::new(
        [("q", ""), ("status", ""), ("from", ""), ("to", "")],
        "すべての回答",
    )
}

#[tokio::test]
async fn the_answers_come_newest_first_in_the_forms_order_without_personal_values() {
    let w = world().await;
    let (text, made) = w.made(PersonalValues::LeftOut, CsvEncoding::Utf8Bom).await;
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "受付番号,回答日時,状態,ご意見,運動の頻度,電話番号,確認済み,メモ"
    );
    assert_eq!(
        lines[1],
        "F2612-0002,2026-12-01 10:02:00,受付,髙橋です🍣,ときどき,（個人情報・出力対象外）,,"
    );
    assert_eq!(
        lines[2],
        "F2612-0001,2026-12-01 10:01:00,受付,\"'=HYPERLINK(\"\"http://x\"\")\",毎日,（個人情報・出力対象外）,,",
        "a formula is written as text"
    );
    assert!(!text.contains("0770-"), "{text}");
    assert_eq!(
        made.status(),
        &ExportStatus::Ready {
            rows: 2,
            bytes: text.len() as u64 + 3,
            replaced: 0
        }
    );
    assert_eq!(
        made.filename(),
        "フォーム回答_健康づくりアンケート_20261201-1002.csv"
    );
    assert!(
        !w.entries()
            .await
            .iter()
            .any(|e| e.action == PERSONAL_VIEWED),
        "no personal value left the console"
    );
}

#[tokio::test]
async fn personal_values_are_in_the_file_only_when_asked_for_and_the_asking_is_audited() {
    let w = world().await;
    let (text, made) = w.made(PersonalValues::Included, CsvEncoding::Utf8Bom).await;
    assert!(text.contains(",毎日,0770-53-1111,"), "{text}");
    assert!(text.contains(",ときどき,0770-52-2222,"), "{text}");
    assert_eq!(
        made.conditions().described(),
        "すべての回答、個人情報を含む"
    );
    let seen: Vec<AuditEntry> = w
        .entries()
        .await
        .into_iter()
        .filter(|e| e.action == PERSONAL_VIEWED)
        .collect();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].actor, "kenko");
    assert_eq!(seen[0].target, format!("form:{}", w.form));
    assert!(seen[0].summary.contains(made.id()), "{}", seen[0].summary);
}

#[tokio::test]
async fn a_cp932_file_counts_the_characters_it_replaced() {
    let w = world().await;
    let (text, made) = w.made(PersonalValues::LeftOut, CsvEncoding::Cp932).await;
    assert!(text.contains(",髙橋です〓,"), "{text}");
    let ExportStatus::Ready { replaced, rows, .. } = made.status() else {
        panic!("{:?}", made.status());
    };
    assert_eq!((*rows, *replaced), (2, 1));
}

#[tokio::test]
async fn the_pages_filters_narrow_the_file() {
    let w = world().await;
    let only_walkers = ExportConditions::new([("q", "毎日")], "検索：毎日");
    let asked = w
        .ask(
            &kenko(),
            only_walkers,
            PersonalValues::LeftOut,
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let made = w.desk().run(asked.id()).await.unwrap();
    assert!(matches!(made.status(), ExportStatus::Ready { rows: 1, .. }));
}

#[tokio::test]
async fn another_departments_clerk_can_neither_ask_nor_download() {
    let w = world().await;
    let doboku = staff("doboku", &[Permission::FormsExport], "土木課");
    let refused = w
        .ask(
            &doboku,
            everything(),
            PersonalValues::LeftOut,
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap_err();
    assert!(refused.is_refusal());
    assert!(matches!(
        refused,
        DeskError::Rule(tayori_domain::export::ExportError::Form(
            FormError::OtherDepartment(_)
        ))
    ));
    assert!(w.desk().mine(&doboku).await.unwrap().is_empty());

    let (_, made) = w.made(PersonalValues::LeftOut, CsvEncoding::Utf8Bom).await;
    let not_theirs = w
        .desk()
        .download_link(
            &Clerk {
                account: &doboku,
                ip: None,
            },
            made.id(),
        )
        .await
        .unwrap_err();
    assert!(not_theirs.is_refusal());
    w.clock.set(w.clock.now() + TimeDelta::minutes(1));
    assert!(w
        .desk()
        .download_link(
            &Clerk {
                account: &kenko(),
                ip: None,
            },
            made.id(),
        )
        .await
        .is_ok());
}

#[tokio::test]
async fn a_requester_who_lost_the_permission_before_the_file_was_made_gets_a_failed_file() {
    let w = world().await;
    let asked = w
        .ask(
            &kenko(),
            everything(),
            PersonalValues::Included,
            CsvEncoding::Utf8Bom,
        )
        .await
        .unwrap();
    let moved = staff("kenko", &[Permission::FormsViewAnswers], "健康課");
    StaffAccounts::new(w.platform.table.clone(), w.platform.cipher.clone())
        .update(&moved.login_id, |a| a.set_profile(moved.profile().clone()))
        .await
        .unwrap()
        .unwrap();
    let made = w.desk().run(asked.id()).await.unwrap();
    assert_eq!(
        made.status(),
        &ExportStatus::Failed {
            reason: FormError::NoExportPermission.to_string()
        }
    );
}
