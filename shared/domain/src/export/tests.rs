use super::*;
use crate::staff::{LoginId, StaffProfile};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
}

fn staff(login: &str, permissions: &[Permission], scope: DepartmentScope) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: "総務課".into(),
            permissions: permissions.iter().copied().collect(),
            scope,
        },
        "hash".into(),
        now(),
    )
}

fn only(departments: &[&str]) -> DepartmentScope {
    DepartmentScope::Only(departments.iter().map(|d| d.to_string()).collect())
}

fn doboku() -> StaffAccount {
    staff("doboku", &[Permission::ReportsHandle], only(&["土木課"]))
}

fn reports_export() -> Export {
    Export::request(
        "E1",
        ExportKind::Reports,
        ExportConditions::new([("status", "received"), ("q", "")], "状況：受付"),
        CsvEncoding::Cp932,
        &doboku(),
        now(),
    )
    .unwrap()
}

fn written() -> Written {
    Written {
        rows: 12,
        bytes: 3400,
        replaced: 2,
    }
}

#[test]
fn each_kind_needs_the_permission_its_page_needs() {
    let kinds = [
        (ExportKind::DeliveryLog, Permission::DeliveryDraft),
        (ExportKind::Usage, Permission::UsageReports),
        (ExportKind::Reports, Permission::ReportsHandle),
        (ExportKind::AuditLog, Permission::AuditLog),
    ];
    assert_eq!(
        ExportKind::FormAnswers.permission(),
        Permission::FormsExport
    );
    for (kind, permission) in kinds {
        let holder = staff("holder", &[permission], DepartmentScope::All);
        let other = staff("other", &[Permission::Greetings], DepartmentScope::All);
        let ask = |by: &StaffAccount| {
            Export::request(
                "E",
                kind,
                ExportConditions::default(),
                CsvEncoding::Utf8Bom,
                by,
                now(),
            )
        };
        assert!(ask(&holder).is_ok(), "{kind:?}");
        assert_eq!(
            ask(&other).unwrap_err(),
            ExportError::NotPermitted(permission.label(), kind.label())
        );
        assert_eq!(ExportKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(
        ExportError::NotPermitted(Permission::AuditLog.label(), ExportKind::AuditLog.label())
            .to_string(),
        "「操作ログの閲覧」の権限がないため、操作ログのCSVは作成できません。"
    );
}

#[test]
fn a_request_records_who_asked_and_the_conditions_as_sent() {
    let export = reports_export();
    assert_eq!(export.status(), &ExportStatus::Running);
    assert_eq!(export.requested_by().login, "doboku");
    assert_eq!(export.requested_by().scope, only(&["土木課"]));
    assert_eq!(
        export.conditions().fields().collect::<Vec<_>>(),
        [("q", ""), ("status", "received")]
    );
    assert_eq!(export.object_key(), "exports/E1/reports.csv");
    // 10:00 JST.
    assert_eq!(export.filename(), "通報_20261201-1000.csv");
    assert_eq!(export.expires_at(), now() + TimeDelta::hours(24));
}

#[test]
fn every_change_on_every_status() {
    let later = now() + TimeDelta::minutes(1);
    let statuses: Vec<(&str, Export)> = {
        let running = reports_export();
        let mut ready = reports_export();
        ready.complete(written(), later).unwrap();
        let mut failed = reports_export();
        failed.fail("保存できませんでした", later).unwrap();
        let mut expired = reports_export();
        assert!(expired.expire(now() + EXPORT_KEPT));
        vec![
            ("作成中", running),
            ("完了", ready),
            ("失敗", failed),
            ("期限切れ", expired),
        ]
    };
    for (label, export) in statuses {
        assert_eq!(export.status().label(), label);
        let running = label == "作成中";
        let mut e = export.clone();
        assert_eq!(
            e.complete(written(), later).is_ok(),
            running,
            "complete on {label}"
        );
        let mut e = export.clone();
        assert_eq!(e.fail("x", later).is_ok(), running, "fail on {label}");
        if !running {
            assert_eq!(
                export.clone().complete(written(), later).unwrap_err(),
                ExportError::Status(label)
            );
        }
        let mut e = export.clone();
        assert!(
            !e.expire(now() + EXPORT_KEPT - TimeDelta::seconds(1)),
            "not yet, {label}"
        );
        assert_eq!(
            e.expire(now() + EXPORT_KEPT),
            label != "期限切れ",
            "expire on {label}"
        );
        assert_eq!(e.status(), &ExportStatus::Expired);
        assert!(!e.is_live());
    }
}

#[test]
fn a_finished_export_keeps_its_counts_and_time() {
    let mut export = reports_export();
    let at = now() + TimeDelta::seconds(30);
    export.complete(written(), at).unwrap();
    assert_eq!(
        export.status(),
        &ExportStatus::Ready {
            rows: 12,
            bytes: 3400,
            replaced: 2
        }
    );
    assert_eq!(export.finished_at(), Some(at));
    assert!(export.is_ready());
    export.expire(now() + EXPORT_KEPT + TimeDelta::hours(1));
    assert_eq!(export.finished_at(), Some(at), "the finish time stays");
}

#[test]
fn the_requester_and_colleagues_over_the_same_departments_may_download() {
    let mut export = reports_export();
    let soon = now() + TimeDelta::minutes(5);
    assert_eq!(
        export.check_reader(&doboku(), soon).unwrap_err(),
        ExportError::Status("作成中")
    );
    export.complete(written(), soon).unwrap();
    let readers = [
        (doboku(), true),
        (
            staff("kacho", &[Permission::ReportsHandle], DepartmentScope::All),
            true,
        ),
        (
            staff(
                "both",
                &[Permission::ReportsHandle],
                only(&["土木課", "環境課"]),
            ),
            true,
        ),
        (
            staff("kankyo", &[Permission::ReportsHandle], only(&["環境課"])),
            false,
        ),
        (
            staff("audit", &[Permission::AuditLog], DepartmentScope::All),
            false,
        ),
    ];
    for (who, may) in readers {
        assert_eq!(
            export.check_reader(&who, soon).is_ok(),
            may,
            "{}",
            who.login_id
        );
    }
    assert_eq!(
        export
            .check_reader(&doboku(), now() + EXPORT_KEPT)
            .unwrap_err(),
        ExportError::Gone,
        "not after its time, even before the sweep"
    );
}

#[test]
fn colleagues_with_the_permission_read_an_unscoped_kind() {
    let auditor = staff("auditor", &[Permission::AuditLog], only(&[]));
    let mut export = Export::request(
        "E2",
        ExportKind::AuditLog,
        ExportConditions::new([("month", "2026-11")], "2026年11月"),
        CsvEncoding::Utf8Bom,
        &auditor,
        now(),
    )
    .unwrap();
    export.complete(written(), now()).unwrap();
    let colleague = staff("other", &[Permission::AuditLog], only(&["土木課"]));
    assert!(export.check_reader(&colleague, now()).is_ok());
}

#[test]
fn the_stored_layout_of_today_decodes() {
    let stored = serde_json::json!({
        "id": "E1",
        "kind": "reports",
        "conditions": {"fields": {"q": "", "status": "received"}, "described": "状況：受付"},
        "encoding": "cp932",
        "requested_by": {"login": "doboku", "name": "doboku さん",
            "scope": {"kind": "only", "departments": ["土木課"]}},
        "status": "ready", "rows": 12, "bytes": 3400, "replaced": 2,
        "requested_at": "2026-12-01T01:00:00Z",
        "finished_at": "2026-12-01T01:01:00Z"
    });
    let export: Export = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(
        export.status(),
        &ExportStatus::Ready {
            rows: 12,
            bytes: 3400,
            replaced: 2
        }
    );
    assert_eq!(serde_json::to_value(&export).unwrap(), stored);
}

#[test]
fn the_encoding_field_reads_shift_jis_or_defaults_to_utf8() {
    assert_eq!(CsvEncoding::from_param(Some("sjis")), CsvEncoding::Cp932);
    assert_eq!(CsvEncoding::from_param(Some("CP932")), CsvEncoding::Cp932);
    assert_eq!(CsvEncoding::from_param(Some("utf8")), CsvEncoding::Utf8Bom);
    assert_eq!(CsvEncoding::from_param(None), CsvEncoding::Utf8Bom);
}

fn form(title: &str, department: &str) -> Form {
    use crate::form::{FieldId, FieldKind, FormId, FormKind, FormSettings, PerCitizen};
    let editor = staff("editor", &[Permission::FormsEdit], only(&[department]));
    let settings = FormSettings {
        title: title.into(),
        description: String::new(),
        department: department.into(),
        kind: FormKind::Questionnaire,
        per_citizen: PerCitizen::Once,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: Vec::new(),
        receipt_message: String::new(),
        fields: vec![crate::form::Field {
            id: FieldId::parse("q1").unwrap(),
            label: "ご意見".into(),
            help: String::new(),
            required: false,
            kind: FieldKind::ShortText { max_chars: 100 },
            show_when: None,
            staff_only: false,
            personal: false,
        }],
        notice_address: None,
    };
    Form::new(FormId::parse("F1").unwrap(), settings, &editor, now()).unwrap()
}

fn kenko_exporter() -> StaffAccount {
    staff("kenko", &[Permission::FormsExport], only(&["健康課"]))
}

#[test]
fn every_kind_code_round_trips_and_form_answers_is_one() {
    for kind in ExportKind::ALL {
        assert_eq!(ExportKind::from_code(kind.code()), Some(kind));
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(serde_json::from_str::<ExportKind>(&json).unwrap(), kind);
    }
    assert_eq!(
        serde_json::to_string(&ExportKind::FormAnswers).unwrap(),
        "\"form_answers\""
    );
    assert_eq!(
        ExportKind::from_code("form_answers"),
        Some(ExportKind::FormAnswers)
    );
    assert_eq!(ExportKind::FormAnswers.label(), "フォーム回答");
}

#[test]
fn form_answers_are_asked_for_from_their_form_by_its_departments_exporters() {
    let checkup = form("健康診断の予約", "健康課");
    let ask = |by: &StaffAccount| {
        Export::request_form_answers(
            "E3",
            &checkup,
            ExportConditions::new([("status", "")], "すべての回答"),
            CsvEncoding::Utf8Bom,
            by,
            now(),
        )
    };
    let export = ask(&kenko_exporter()).unwrap();
    assert_eq!(export.conditions().get("form"), Some("F1"));
    assert_eq!(export.form().unwrap().department, "健康課");
    let elsewhere = staff("doboku", &[Permission::FormsExport], only(&["土木課"]));
    assert_eq!(
        ask(&elsewhere).unwrap_err(),
        ExportError::Form(FormError::OtherDepartment("健康課".into()))
    );
    let viewer = staff("viewer", &[Permission::FormsViewAnswers], only(&["健康課"]));
    assert_eq!(
        ask(&viewer).unwrap_err(),
        ExportError::Form(FormError::NoExportPermission)
    );
    assert_eq!(
        Export::request(
            "E4",
            ExportKind::FormAnswers,
            ExportConditions::default(),
            CsvEncoding::Utf8Bom,
            &kenko_exporter(),
            now(),
        )
        .unwrap_err(),
        ExportError::NoForm("フォーム回答")
    );
}

#[test]
fn a_form_answers_file_goes_to_who_may_export_that_form_today() {
    let mut export = Export::request_form_answers(
        "E5",
        &form("健康診断の予約", "健康課"),
        ExportConditions::default(),
        CsvEncoding::Cp932,
        &kenko_exporter(),
        now(),
    )
    .unwrap();
    export.complete(written(), now()).unwrap();
    let readers = [
        (kenko_exporter(), true),
        (
            staff("colleague", &[Permission::FormsExport], only(&["健康課"])),
            true,
        ),
        (
            staff("kacho", &[Permission::FormsExport], DepartmentScope::All),
            true,
        ),
        (
            staff("doboku", &[Permission::FormsExport], only(&["土木課"])),
            false,
        ),
        (
            // The requester, since moved away from exporting.
            staff("kenko", &[Permission::FormsViewAnswers], only(&["健康課"])),
            false,
        ),
    ];
    for (who, may) in readers {
        assert_eq!(
            export.check_reader(&who, now()).is_ok(),
            may,
            "{}",
            who.login_id
        );
    }
    let stored = serde_json::to_value(&export).unwrap();
    assert_eq!(stored["form"]["department"], "健康課");
    assert_eq!(serde_json::from_value::<Export>(stored).unwrap(), export);
}

#[test]
fn a_form_answers_file_is_named_after_the_form_safely() {
    let named = |title: &str| {
        Export::request_form_answers(
            "E6",
            &form(title, "健康課"),
            ExportConditions::default(),
            CsvEncoding::Utf8Bom,
            &kenko_exporter(),
            now(),
        )
        .unwrap()
        .filename()
    };
    assert_eq!(
        named("健康診断の予約"),
        "フォーム回答_健康診断の予約_20261201-1000.csv"
    );
    assert_eq!(
        named("R8/4 説明会: 申込?"),
        "フォーム回答_R8_4_説明会__申込_20261201-1000.csv"
    );
    assert_eq!(named("../.."), "フォーム回答_フォーム_20261201-1000.csv");
    let long = named(&"あ".repeat(80));
    assert_eq!(
        long,
        format!("フォーム回答_{}_20261201-1000.csv", "あ".repeat(40))
    );
}
