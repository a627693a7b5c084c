//! The local run's sample form (サンプル): on a data folder without forms, a 申請 with each kind of
//! input the LIFF page draws (a postal code that fills the address, a field shown on a choice, a
//! consent), built and published through the form desk as staff would, so that the simulator's
//! citizen can answer a form at once. Only `functions/local` calls it; its title says it is a
//! sample, like the garbage sample calendar's answers.

use chrono::{DateTime, Utc};
use tayori_domain::form::{
    Condition, Field, FieldId, FieldKind, Form, FormKind, FormSettings, PerCitizen,
};
use tayori_domain::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use tayori_formdesk::{Clerk, FormDesk, FormDeskError};
use tayori_ports::Platform;

pub const SAMPLE_TITLE: &str = "【サンプル】健康教室の申込";

/// Who the audit log says made the sample: no person, and no account that can sign in.
fn sample_author(now: DateTime<Utc>) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse("local-sample").expect("a valid login id"),
        StaffProfile {
            display_name: "ローカル実行のサンプル".into(),
            department: "健康課".into(),
            permissions: [Permission::FormsEdit].into_iter().collect(),
            scope: DepartmentScope::All,
        },
        // Never stored: the account exists only for the audit entries of the sample.
        String::new(),
        now,
    )
}

fn field(id: &str, label: &str, kind: FieldKind, required: bool, personal: bool) -> Field {
    Field {
        id: FieldId::parse(id).expect("a valid field id"),
        label: label.into(),
        help: String::new(),
        required,
        kind,
        show_when: None,
        staff_only: false,
        personal,
    }
}

pub fn sample_settings() -> FormSettings {
    let mut other = field(
        "other",
        "その他の内容",
        FieldKind::ShortText { max_chars: 100 },
        true,
        false,
    );
    other.show_when = Some(Condition {
        field: FieldId::parse("course").expect("a valid field id"),
        equals: "その他".into(),
    });
    let mut phone = field("phone", "電話番号", FieldKind::Phone, false, true);
    phone.help = "日中に連絡のつく番号（例：0770-53-1111）".into();
    let mut memo = field(
        "memo",
        "受付メモ",
        FieldKind::ShortText { max_chars: 100 },
        false,
        false,
    );
    memo.staff_only = true;
    FormSettings {
        // An example.lg.jp address, clearly a sample: the local run writes its mail into the
        // data folder's `mail/`.
        notice_address: Some("kenkou@city.example.lg.jp".into()),
        title: SAMPLE_TITLE.into(),
        description: "ローカル実行のサンプルフォームです（実際の受付ではありません）。".into(),
        department: "健康課".into(),
        kind: FormKind::Application,
        per_citizen: PerCitizen::Many,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: vec![],
        receipt_message: "お申し込みを受け付けました（サンプル）。".into(),
        fields: vec![
            field(
                "name",
                "お名前",
                FieldKind::ShortText { max_chars: 50 },
                true,
                true,
            ),
            field("postal", "郵便番号", FieldKind::PostalCode, true, true),
            field(
                "address",
                "住所",
                FieldKind::Address {
                    postal_field: Some(FieldId::parse("postal").expect("a valid field id")),
                },
                true,
                true,
            ),
            phone,
            field(
                "course",
                "参加コース",
                FieldKind::SingleChoice {
                    choices: vec!["運動".into(), "食事".into(), "その他".into()],
                },
                true,
                false,
            ),
            other,
            field(
                "consent",
                "個人情報の取り扱い",
                FieldKind::Consent {
                    text: "申込内容は健康教室の運営にのみ使います。".into(),
                },
                true,
                false,
            ),
            memo,
        ],
    }
}

/// Creates and publishes the sample when there is no form yet; answers it if it was made.
pub async fn seed_sample_form(platform: &Platform) -> Result<Option<Form>, FormDeskError> {
    let desk = FormDesk::new(platform);
    let author = sample_author(platform.clock.now());
    let clerk = Clerk {
        account: &author,
        ip: "-",
    };
    if !desk.list(clerk).await?.is_empty() {
        return Ok(None);
    }
    let form = desk.create(clerk, sample_settings()).await?;
    Ok(Some(desk.publish(clerk, form.id()).await?))
}
