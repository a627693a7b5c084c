//! What both test files build on: the time, staff accounts, a questionnaire and a reservation
//! form of 小浜市's kind.

#![allow(dead_code)] // each test file uses its own part

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use tayori_domain::form::{
    Condition, Field, FieldId, FieldKind, FormKind, FormSettings, PerCitizen, Slot, SlotId,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};

/// 2026-12-01 10:00 JST.
pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn clerk(
    login: &str,
    permissions: &[Permission],
    departments: Option<&[&str]>,
) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: "健康課".into(),
            permissions: permissions.iter().copied().collect(),
            scope: match departments {
                Some(d) => DepartmentScope::Only(d.iter().map(|s| s.to_string()).collect()),
                None => DepartmentScope::All,
            },
        },
        "hash".into(),
        start(),
    )
}

/// A clerk of 健康課 who may build forms and handle and export their answers.
pub fn health_clerk() -> StaffAccount {
    clerk(
        "kenko",
        &[
            Permission::FormsEdit,
            Permission::FormsViewAnswers,
            Permission::FormsExport,
        ],
        Some(&["健康課"]),
    )
}

pub fn field(id: &str, label: &str, kind: FieldKind) -> Field {
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

pub fn required(mut f: Field) -> Field {
    f.required = true;
    f
}

pub fn personal(mut f: Field) -> Field {
    f.personal = true;
    f
}

pub fn staff_only(mut f: Field) -> Field {
    f.staff_only = true;
    f
}

pub fn shown_when(mut f: Field, id: &str, equals: &str) -> Field {
    f.show_when = Some(Condition {
        field: FieldId::parse(id).unwrap(),
        equals: equals.into(),
    });
    f
}

pub fn choices(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// 健診予約: name and phone (personal), a course, a staff-only 受診券番号; two slots.
pub fn checkup(slot_capacity: u32) -> FormSettings {
    FormSettings {
        notice_address: None,
        title: "特定健診の予約".into(),
        description: "12月の集団健診です。".into(),
        department: "健康課".into(),
        kind: FormKind::Reservation,
        per_citizen: PerCitizen::Once,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: vec![slot("am", 10, slot_capacity), slot("pm", 14, slot_capacity)],
        receipt_message: "ご予約ありがとうございます。".into(),
        fields: vec![
            required(personal(field(
                "name",
                "お名前",
                FieldKind::ShortText { max_chars: 50 },
            ))),
            required(personal(field("phone", "電話番号", FieldKind::Phone))),
            required(field(
                "course",
                "コース",
                FieldKind::SingleChoice {
                    choices: choices(&["基本", "基本＋がん検診"]),
                },
            )),
            staff_only(field(
                "ticket",
                "受診券番号",
                FieldKind::ShortText { max_chars: 20 },
            )),
        ],
    }
}

fn slot(id: &str, hour: u32, capacity: u32) -> Slot {
    Slot {
        id: SlotId::parse(id).unwrap(),
        date: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
        start: NaiveTime::from_hms_opt(hour, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(hour + 1, 0, 0).unwrap(),
        capacity,
    }
}

/// 市民アンケート: satisfaction (a choice), a reason shown only when 不満, an opinion.
pub fn survey(per_citizen: PerCitizen) -> FormSettings {
    FormSettings {
        notice_address: None,
        title: "市民満足度アンケート".into(),
        description: String::new(),
        department: "企画課".into(),
        kind: FormKind::Questionnaire,
        per_citizen,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: vec![],
        receipt_message: String::new(),
        fields: vec![
            required(field(
                "satisfaction",
                "満足度",
                FieldKind::SingleChoice {
                    choices: choices(&["満足", "普通", "不満"]),
                },
            )),
            shown_when(
                required(field(
                    "reason",
                    "不満の理由",
                    FieldKind::LongText { max_chars: 400 },
                )),
                "satisfaction",
                "不満",
            ),
            field("opinion", "ご意見", FieldKind::LongText { max_chars: 400 }),
        ],
    }
}
