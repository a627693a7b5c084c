use super::*;
use crate::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use chrono::{Duration, TimeZone};
use std::collections::BTreeMap;

const DEPT: &str = "企画部";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
}

fn staff(login: &str, permissions: &[Permission], departments: &[&str]) -> StaffAccount {
    StaffAccount::new(
        LoginId::parse(login).unwrap(),
        StaffProfile {
            display_name: format!("{login}さん"),
            department: departments.first().copied().unwrap_or("総務課").into(),
            permissions: permissions.iter().copied().collect(),
            scope: DepartmentScope::Only(departments.iter().map(|d| d.to_string()).collect()),
        },
        "hash".into(),
        now(),
    )
}

fn editor() -> StaffAccount {
    staff(
        "kikaku",
        &[Permission::FormsEdit, Permission::FormsViewAnswers],
        &[DEPT],
    )
}

fn id(s: &str) -> FieldId {
    FieldId::parse(s).unwrap()
}

fn field(fid: &str, label: &str, kind: FieldKind) -> Field {
    Field {
        id: id(fid),
        label: label.into(),
        help: String::new(),
        required: false,
        kind,
        show_when: None,
        staff_only: false,
        personal: false,
    }
}

fn required(mut f: Field) -> Field {
    f.required = true;
    f
}

fn choices(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn settings(kind: FormKind, fields: Vec<Field>) -> FormSettings {
    FormSettings {
        notice_address: None,
        title: "  市政アンケート ".into(),
        description: "ご協力をお願いします。".into(),
        department: DEPT.into(),
        kind,
        per_citizen: PerCitizen::Once,
        opens_at: None,
        closes_at: None,
        capacity: None,
        slots: Vec::new(),
        receipt_message: "ご回答ありがとうございました。".into(),
        fields,
    }
}

fn slot(sid: &str, day: u32, hour: u32, capacity: u32) -> Slot {
    Slot {
        id: SlotId::parse(sid).unwrap(),
        date: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
        start: NaiveTime::from_hms_opt(hour, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(hour, 30, 0).unwrap(),
        capacity,
    }
}

/// A questionnaire with one field of `kind` (id `q`), optional.
fn one_field(kind: FieldKind) -> Form {
    Form::new(
        FormId::parse("f1").unwrap(),
        settings(FormKind::Questionnaire, vec![field("q", "質問", kind)]),
        &editor(),
        now(),
    )
    .unwrap()
}

fn jpeg(bytes: u64) -> FileRef {
    FileRef {
        key: "forms/uploads/1.jpg".into(),
        name: "写真.jpg".into(),
        content_type: "image/jpeg".into(),
        bytes,
    }
}

#[test]
fn each_field_kind_takes_good_values_and_refuses_bad_ones() {
    use AnswerProblem as P;
    use AnswerValue as V;
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    type Case = (&'static str, Result<AnswerValue, AnswerProblem>);
    let table: Vec<(FieldKind, Vec<Case>)> = vec![
        (
            FieldKind::ShortText { max_chars: 5 },
            vec![
                (" 小浜 太郎", Ok(V::Text("小浜 太郎".into()))),
                ("a\nb", Ok(V::Text("a b".into()))),
                ("六文字の名前", Err(P::TooLong { max: 5, length: 6 })),
            ],
        ),
        (
            FieldKind::LongText { max_chars: 10 },
            vec![
                ("一行目\r\n二行目", Ok(V::Text("一行目\n二行目".into()))),
                (
                    "あいうえおかきくけこさ",
                    Err(P::TooLong {
                        max: 10,
                        length: 11,
                    }),
                ),
            ],
        ),
        (
            FieldKind::Number {
                min: Some(0.0),
                max: Some(120.0),
                integer: true,
            },
            vec![
                ("４２", Ok(V::Number(42.0))),
                ("1,0", Ok(V::Number(10.0))),
                ("3.5", Err(P::NotAnInteger)),
                ("-1", Err(P::BelowMin("0".into()))),
                ("121", Err(P::AboveMax("120".into()))),
                ("たくさん", Err(P::NotANumber)),
                ("inf", Err(P::NotANumber)),
            ],
        ),
        (
            FieldKind::Number {
                min: None,
                max: Some(2.5),
                integer: false,
            },
            vec![
                ("2.25", Ok(V::Number(2.25))),
                ("2.6", Err(P::AboveMax("2.5".into()))),
            ],
        ),
        (
            FieldKind::Email,
            vec![
                (
                    "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
                    Ok(V::Email("taro@example.jp".into())),
                ),
                ("taro@example", Err(P::BadEmail)),
                ("taro@@example.jp", Err(P::BadEmail)),
                ("ta ro@example.jp", Err(P::BadEmail)),
                ("@example.jp", Err(P::BadEmail)),
            ],
        ),
        (
            FieldKind::Phone,
            vec![
                (
                    "０７７０－５３－１１１１",
                    Ok(V::Phone("0770-53-1111".into())),
                ),
                ("090-1234", Err(P::BadPhone)),
            ],
        ),
        (
            FieldKind::PostalCode,
            vec![
                ("917-0078", Ok(V::PostalCode("9170078".into()))),
                ("９１７００７８", Ok(V::PostalCode("9170078".into()))),
                ("〒917－0078", Ok(V::PostalCode("9170078".into()))),
                ("9170-078", Err(P::BadPostalCode)),
                ("917-007", Err(P::BadPostalCode)),
            ],
        ),
        (
            FieldKind::Address { postal_field: None },
            vec![(
                "福井県小浜市大手町6-3",
                Ok(V::Text("福井県小浜市大手町6-3".into())),
            )],
        ),
        (
            FieldKind::Date {
                min: Some(date(2026, 12, 1)),
                max: Some(date(2026, 12, 31)),
            },
            vec![
                ("2026-12-24", Ok(V::Date(date(2026, 12, 24)))),
                ("２０２６/１２/２５", Ok(V::Date(date(2026, 12, 25)))),
                ("2026-11-30", Err(P::DateBefore("2026年12月1日(火)".into()))),
                ("2027-01-01", Err(P::DateAfter("2026年12月31日(木)".into()))),
                ("2026-02-30", Err(P::BadDate)),
            ],
        ),
        (
            FieldKind::Time,
            vec![
                (
                    "09:30",
                    Ok(V::Time(NaiveTime::from_hms_opt(9, 30, 0).unwrap())),
                ),
                ("25:00", Err(P::BadTime)),
            ],
        ),
        (
            FieldKind::SingleChoice {
                choices: choices(&["はい", "いいえ"]),
            },
            vec![
                ("はい", Ok(V::Choice("はい".into()))),
                ("たぶん", Err(P::NotOffered("たぶん".into()))),
            ],
        ),
        (
            FieldKind::Dropdown {
                choices: choices(&["小浜", "雲浜"]),
            },
            vec![
                ("雲浜", Ok(V::Choice("雲浜".into()))),
                ("西津", Err(P::NotOffered("西津".into()))),
            ],
        ),
        (
            FieldKind::Consent {
                text: "個人情報の取扱いに同意します。".into(),
            },
            vec![
                ("yes", Ok(V::Consent(true))),
                ("maybe", Err(P::MustConsent)),
            ],
        ),
    ];
    for (kind, cases) in table {
        let form = one_field(kind.clone());
        for (raw, expected) in cases {
            let got = form
                .check_answer(&Submitted::new().with("q", raw), Audience::Citizen)
                .map(|v| v.get(&id("q")).cloned().unwrap())
                .map_err(|e| e.for_field("q").cloned().unwrap());
            assert_eq!(got, expected, "{} given {raw:?}", kind.label());
        }
    }
}

#[test]
fn a_multiple_choice_keeps_the_fields_order_and_counts_its_picks() {
    let form = one_field(FieldKind::MultipleChoice {
        choices: choices(&["海", "山", "川"]),
        min_picks: Some(2),
        max_picks: Some(2),
    });
    let check = |picks: &[&str]| {
        let mut s = Submitted::new();
        for p in picks {
            s = s.with("q", p);
        }
        form.check_answer(&s, Audience::Citizen)
            .map(|v| v.get(&id("q")).cloned().unwrap())
            .map_err(|e| e.for_field("q").cloned().unwrap())
    };
    assert_eq!(
        check(&["川", "海"]),
        Ok(AnswerValue::Choices(choices(&["海", "川"])))
    );
    assert_eq!(check(&["海"]), Err(AnswerProblem::TooFewPicks(2)));
    assert_eq!(
        check(&["海", "山", "川"]),
        Err(AnswerProblem::TooManyPicks(2))
    );
    assert_eq!(
        check(&["海", "湖"]),
        Err(AnswerProblem::NotOffered("湖".into()))
    );
}

#[test]
fn a_single_value_field_refuses_two_values() {
    let form = one_field(FieldKind::ShortText { max_chars: 20 });
    let errors = form
        .check_answer(
            &Submitted::new().with("q", "a").with("q", "b"),
            Audience::Citizen,
        )
        .unwrap_err();
    assert_eq!(errors.for_field("q"), Some(&AnswerProblem::OneValueOnly));
}

#[test]
fn files_are_checked_by_the_type_and_size_the_server_read() {
    let form = one_field(FieldKind::File {
        types: vec![FileType::Jpeg, FileType::Png],
        max_bytes: 1024,
        max_files: 1,
    });
    let check = |s: Submitted| {
        form.check_answer(&s, Audience::Citizen)
            .map(|v| v.get(&id("q")).cloned().unwrap())
            .map_err(|e| e.for_field("q").cloned().unwrap())
    };
    let ok = check(Submitted::new().with_file("q", jpeg(1000))).unwrap();
    assert_eq!(ok.display(), "写真 1件");
    assert_eq!(ok.csv_text(), "写真.jpg");
    let pdf = FileRef {
        content_type: "application/pdf".into(),
        ..jpeg(10)
    };
    assert_eq!(
        check(Submitted::new().with_file("q", pdf)),
        Err(AnswerProblem::FileType("JPEG・PNG".into()))
    );
    assert_eq!(
        check(Submitted::new().with_file("q", jpeg(1025))),
        Err(AnswerProblem::FileTooBig("1KB".into()))
    );
    assert_eq!(value::format_bytes(field::MAX_FILE_BYTES), "10MB");
    assert_eq!(value::format_bytes(2_621_440), "2.5MB");
    assert_eq!(value::format_bytes(900), "900バイト");
    assert_eq!(
        check(
            Submitted::new()
                .with_file("q", jpeg(1))
                .with_file("q", jpeg(2))
        ),
        Err(AnswerProblem::TooManyFiles(1))
    );
    assert_eq!(
        check(Submitted::new().with("q", "forms/uploads/1.jpg")),
        Err(AnswerProblem::FileType("JPEG・PNG".into())),
        "a file field takes uploads, not a typed key"
    );
}

fn conditional_form() -> Form {
    let mut reason = required(field(
        "reason",
        "参加しない理由",
        FieldKind::ShortText { max_chars: 50 },
    ));
    reason.show_when = Some(Condition {
        field: id("attend"),
        equals: "いいえ".into(),
    });
    let mut detail = required(field(
        "detail",
        "詳しく",
        FieldKind::LongText { max_chars: 100 },
    ));
    detail.show_when = Some(Condition {
        field: id("topics"),
        equals: "その他".into(),
    });
    let mut staff_note = field(
        "check",
        "確認状況",
        FieldKind::Dropdown {
            choices: choices(&["未確認", "確認済"]),
        },
    );
    staff_note.staff_only = true;
    Form::new(
        FormId::parse("f2").unwrap(),
        settings(
            FormKind::Questionnaire,
            vec![
                field("head", "参加について", FieldKind::Heading),
                required(field(
                    "attend",
                    "参加しますか",
                    FieldKind::SingleChoice {
                        choices: choices(&["はい", "いいえ"]),
                    },
                )),
                reason,
                field(
                    "topics",
                    "関心のある分野",
                    FieldKind::MultipleChoice {
                        choices: choices(&["防災", "子育て", "その他"]),
                        min_picks: None,
                        max_picks: None,
                    },
                ),
                detail,
                staff_note,
            ],
        ),
        &editor(),
        now(),
    )
    .unwrap()
}

#[test]
fn a_hidden_fields_value_is_dropped_and_it_is_not_required() {
    let form = conditional_form();
    let values = form
        .check_answer(
            &Submitted::new()
                .with("attend", "はい")
                .with("reason", "都合が悪い"),
            Audience::Citizen,
        )
        .unwrap();
    assert_eq!(values.len(), 1, "{values:?}");
    assert!(values.get(&id("reason")).is_none());
}

#[test]
fn a_shown_field_is_required_when_its_condition_holds() {
    let form = conditional_form();
    let errors = form
        .check_answer(
            &Submitted::new()
                .with("attend", "いいえ")
                .with("topics", "防災")
                .with("topics", "その他"),
            Audience::Citizen,
        )
        .unwrap_err();
    assert_eq!(errors.for_field("reason"), Some(&AnswerProblem::Required));
    assert_eq!(errors.for_field("detail"), Some(&AnswerProblem::Required));
    assert_eq!(
        errors.messages().get("detail").map(String::as_str),
        Some("入力してください。")
    );
    assert_eq!(errors.iter().count(), 2);
    assert_eq!(
        errors.iter().next().unwrap().to_string(),
        "参加しない理由：入力してください。"
    );
}

#[test]
fn a_missing_required_field_is_refused() {
    let errors = conditional_form()
        .check_answer(&Submitted::new(), Audience::Citizen)
        .unwrap_err();
    assert_eq!(errors.for_field("attend"), Some(&AnswerProblem::Required));
}

#[test]
fn a_forged_staff_only_field_or_unknown_field_from_a_citizen_is_refused() {
    let form = conditional_form();
    let errors = form
        .check_answer(
            &Submitted::new()
                .with("attend", "はい")
                .with("check", "確認済")
                .with("admin", "x")
                .with("head", "見出しに値"),
            Audience::Citizen,
        )
        .unwrap_err();
    assert_eq!(errors.for_field("check"), Some(&AnswerProblem::StaffOnly));
    assert_eq!(
        errors.for_field("admin"),
        Some(&AnswerProblem::UnknownField)
    );
    assert_eq!(
        errors.for_field("head"),
        Some(&AnswerProblem::TakesNoAnswer)
    );
}

#[test]
fn staff_fill_only_the_staff_fields() {
    let form = conditional_form();
    let values = form
        .check_answer(&Submitted::new().with("check", "確認済"), Audience::Staff)
        .unwrap();
    assert_eq!(
        values.get(&id("check")),
        Some(&AnswerValue::Choice("確認済".into()))
    );
    let errors = form
        .check_answer(&Submitted::new().with("attend", "いいえ"), Audience::Staff)
        .unwrap_err();
    assert_eq!(
        errors.for_field("attend"),
        Some(&AnswerProblem::CitizenOnly)
    );
}

#[test]
fn a_required_consent_must_be_checked() {
    let form = Form::new(
        FormId::parse("f3").unwrap(),
        settings(
            FormKind::Application,
            vec![required(field(
                "agree",
                "同意",
                FieldKind::Consent {
                    text: "規約に同意します".into(),
                },
            ))],
        ),
        &editor(),
        now(),
    )
    .unwrap();
    for s in [Submitted::new(), Submitted::new().with("agree", "no")] {
        let errors = form.check_answer(&s, Audience::Citizen).unwrap_err();
        assert_eq!(errors.for_field("agree"), Some(&AnswerProblem::MustConsent));
    }
    assert!(form
        .check_answer(&Submitted::new().with("agree", "on"), Audience::Citizen)
        .is_ok());
}

#[test]
fn field_definitions_are_checked_when_the_form_is_saved() {
    let choice = |c: &[&str]| FieldKind::SingleChoice {
        choices: choices(c),
    };
    let mut cond_later = field("a", "A", FieldKind::Email);
    cond_later.show_when = Some(Condition {
        field: id("b"),
        equals: "はい".into(),
    });
    let mut cond_text = field("b", "B", FieldKind::Email);
    cond_text.show_when = Some(Condition {
        field: id("a"),
        equals: "x".into(),
    });
    let mut cond_value = field("b", "B", FieldKind::Email);
    cond_value.show_when = Some(Condition {
        field: id("a"),
        equals: "たぶん".into(),
    });
    let mut staff_cond = field("a", "A", choice(&["はい"]));
    staff_cond.staff_only = true;
    let mut citizen_on_staff = field("b", "B", FieldKind::Email);
    citizen_on_staff.show_when = Some(Condition {
        field: id("a"),
        equals: "はい".into(),
    });
    let cases: Vec<(Vec<Field>, FormError)> = vec![
        (
            vec![
                field("a", "A", FieldKind::Email),
                field("a", "B", FieldKind::Phone),
            ],
            FormError::DuplicateFieldId("a".into()),
        ),
        (
            vec![field("a", " ", FieldKind::Email)],
            FormError::NoLabel("a".into()),
        ),
        (
            vec![field("a", &"長".repeat(201), FieldKind::Email)],
            FormError::LabelTooLong("長".repeat(201)),
        ),
        (
            vec![field("a", "A", choice(&[]))],
            FormError::NoChoices("A".into()),
        ),
        (
            vec![field("a", "A", choice(&["はい", " はい"]))],
            FormError::DuplicateChoice("A".into(), "はい".into()),
        ),
        (
            vec![field("a", "A", choice(&["はい", ""]))],
            FormError::EmptyChoice("A".into()),
        ),
        (
            vec![field(
                "a",
                "A",
                FieldKind::Number {
                    min: Some(5.0),
                    max: Some(1.0),
                    integer: false,
                },
            )],
            FormError::MinAboveMax("A".into()),
        ),
        (
            vec![field(
                "a",
                "A",
                FieldKind::MultipleChoice {
                    choices: choices(&["x", "y"]),
                    min_picks: Some(3),
                    max_picks: None,
                },
            )],
            FormError::BadPicks("A".into()),
        ),
        (
            vec![field("a", "A", FieldKind::ShortText { max_chars: 0 })],
            FormError::BadMaxChars("A".into(), field::MAX_SHORT_TEXT_CHARS),
        ),
        (
            vec![field(
                "a",
                "A",
                FieldKind::File {
                    types: vec![FileType::Pdf],
                    max_bytes: field::MAX_FILE_BYTES + 1,
                    max_files: 1,
                },
            )],
            FormError::FileLimit("A".into()),
        ),
        (
            vec![field(
                "a",
                "A",
                FieldKind::File {
                    types: vec![],
                    max_bytes: 1,
                    max_files: 1,
                },
            )],
            FormError::NoFileTypes("A".into()),
        ),
        (
            vec![cond_later, field("b", "B", choice(&["はい"]))],
            FormError::ConditionNotEarlier("A".into()),
        ),
        (
            vec![field("a", "A", FieldKind::Email), cond_text],
            FormError::ConditionKind("B".into()),
        ),
        (
            vec![field("a", "A", choice(&["はい"])), cond_value],
            FormError::ConditionValue("B".into(), "たぶん".into()),
        ),
        (
            vec![staff_cond, citizen_on_staff],
            FormError::ConditionAudience("B".into()),
        ),
        (
            vec![field(
                "a",
                "A",
                FieldKind::Address {
                    postal_field: Some(id("zip")),
                },
            )],
            FormError::AddressPostalField("A".into()),
        ),
        (
            (0..=MAX_FIELDS)
                .map(|i| field(&format!("f{i}"), "A", FieldKind::Email))
                .collect(),
            FormError::TooManyFields,
        ),
    ];
    for (fields, expected) in cases {
        let got = Form::new(
            FormId::parse("f").unwrap(),
            settings(FormKind::Questionnaire, fields),
            &editor(),
            now(),
        );
        assert_eq!(got.err(), Some(expected.clone()), "{expected}");
    }
    assert_eq!(
        FormError::ConditionValue("B".into(), "たぶん".into()).to_string(),
        "「B」の表示条件の値「たぶん」は、条件の項目の選択肢にありません。"
    );
}

#[test]
fn form_settings_are_checked_and_trimmed() {
    let form = one_field(FieldKind::Email);
    assert_eq!(form.title(), "市政アンケート");
    assert_eq!(form.version(), 1);
    assert_eq!(form.status(), FormStatus::Draft);
    let new = |s: FormSettings| Form::new(FormId::parse("f").unwrap(), s, &editor(), now()).err();
    let base = || {
        settings(
            FormKind::Questionnaire,
            vec![field("q", "Q", FieldKind::Email)],
        )
    };
    assert_eq!(
        new(FormSettings {
            title: " ".into(),
            ..base()
        }),
        Some(FormError::NoTitle)
    );
    assert_eq!(
        new(FormSettings {
            opens_at: Some(now()),
            closes_at: Some(now()),
            ..base()
        }),
        Some(FormError::ClosesBeforeOpening)
    );
    assert_eq!(
        new(FormSettings {
            capacity: Some(0),
            ..base()
        }),
        Some(FormError::ZeroCapacity)
    );
    assert_eq!(
        new(FormSettings {
            slots: vec![slot("a", 5, 10, 3)],
            ..base()
        }),
        Some(FormError::SlotsOnlyForReservations)
    );
    let mut backwards = slot("a", 5, 10, 3);
    backwards.end = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    assert_eq!(
        new(FormSettings {
            slots: vec![backwards],
            ..settings(FormKind::Reservation, base().fields)
        }),
        Some(FormError::SlotEndsBeforeStart(
            "2026年12月5日(土) 10:00〜09:00".into()
        ))
    );
    assert_eq!(
        new(FormSettings {
            slots: vec![slot("a", 5, 10, 3), slot("a", 6, 10, 3)],
            ..settings(FormKind::Reservation, base().fields)
        }),
        Some(FormError::DuplicateSlot("a".into()))
    );
}

#[test]
fn only_editors_of_the_forms_department_create_and_edit_it() {
    let s = || {
        settings(
            FormKind::Questionnaire,
            vec![field("q", "Q", FieldKind::Email)],
        )
    };
    let viewer = staff("etsuran", &[Permission::FormsViewAnswers], &[DEPT]);
    let other = staff("kankyo", &[Permission::FormsEdit], &["環境衛生課"]);
    let fid = || FormId::parse("f").unwrap();
    assert_eq!(
        Form::new(fid(), s(), &viewer, now()).err(),
        Some(FormError::NoPermission)
    );
    assert_eq!(
        Form::new(fid(), s(), &other, now()).err(),
        Some(FormError::OtherDepartment(DEPT.into()))
    );
    let mut form = Form::new(fid(), s(), &editor(), now()).unwrap();
    assert_eq!(
        form.edit(s(), false, &other, now()),
        Err(FormError::OtherDepartment(DEPT.into()))
    );
    assert_eq!(
        form.edit(
            FormSettings {
                department: "環境衛生課".into(),
                ..s()
            },
            false,
            &editor(),
            now()
        ),
        Err(FormError::OtherDepartment("環境衛生課".into())),
        "moving a form to another 課 needs the right in both"
    );
}

#[test]
fn editing_a_form_with_answers_makes_a_new_version_and_without_does_not() {
    let mut form = one_field(FieldKind::Email);
    let later = now() + Duration::hours(1);
    let mut s = form.settings();
    s.title = "改訂版".into();
    assert_eq!(
        form.edit(s.clone(), false, &editor(), later),
        Ok(Edited::InPlace { version: 1 })
    );
    assert_eq!(form.version(), 1);
    assert_eq!(form.title(), "改訂版");
    s.fields
        .push(field("extra", "追加の質問", FieldKind::Phone));
    assert_eq!(
        form.edit(s.clone(), true, &editor(), later),
        Ok(Edited::NewVersion { from: 1, to: 2 })
    );
    assert_eq!(form.version(), 2);
    assert_eq!(form.fields().len(), 2);
    assert_eq!(form.updated_at(), later);
    assert_eq!(form.created_at(), now());
    s.kind = FormKind::Application;
    assert_eq!(
        form.edit(s, true, &editor(), later),
        Err(FormError::KindChangeWithAnswers)
    );
    assert_eq!(form.version(), 2, "a refused edit changes nothing");
}

fn reservation() -> Form {
    Form::new(
        FormId::parse("r1").unwrap(),
        FormSettings {
            slots: vec![slot("late", 2, 10, 2), slot("early", 1, 14, 1)],
            capacity: Some(10),
            opens_at: Some(now() - Duration::days(1)),
            closes_at: Some(now() + Duration::days(5)),
            ..settings(
                FormKind::Reservation,
                vec![required(field(
                    "name",
                    "お名前",
                    FieldKind::ShortText { max_chars: 20 },
                ))],
            )
        },
        &editor(),
        now(),
    )
    .unwrap()
}

fn published(mut form: Form) -> Form {
    form.publish(&editor(), now()).unwrap();
    form
}

fn sid(s: &str) -> SlotId {
    SlotId::parse(s).unwrap()
}

#[test]
fn removing_a_slot_of_a_form_with_answers_is_refused() {
    let mut form = reservation();
    let mut s = form.settings();
    s.slots.retain(|slot| slot.id.as_str() != "early");
    assert_eq!(
        form.edit(s.clone(), true, &editor(), now()),
        Err(FormError::SlotInUse(
            "2026年12月1日(火) 14:00〜14:30".into()
        ))
    );
    assert!(form.edit(s, false, &editor(), now()).is_ok());
}

#[test]
fn publishing_needs_citizen_fields_and_slots_for_a_reservation() {
    let mut staff_field = field("memo", "内部", FieldKind::Email);
    staff_field.staff_only = true;
    let mut only_staff = Form::new(
        FormId::parse("f").unwrap(),
        settings(
            FormKind::Questionnaire,
            vec![field("h", "見出し", FieldKind::Heading), staff_field],
        ),
        &editor(),
        now(),
    )
    .unwrap();
    assert_eq!(
        only_staff.publish(&editor(), now()),
        Err(FormError::NoCitizenFields)
    );
    let mut no_slots = Form::new(
        FormId::parse("f").unwrap(),
        settings(
            FormKind::Reservation,
            vec![field("q", "Q", FieldKind::Email)],
        ),
        &editor(),
        now(),
    )
    .unwrap();
    assert_eq!(no_slots.publish(&editor(), now()), Err(FormError::NoSlots));
    let mut form = reservation();
    form.publish(&editor(), now()).unwrap();
    assert_eq!(form.status(), FormStatus::Open);
    assert_eq!(
        form.publish(&editor(), now()),
        Err(FormError::AlreadyInStatus("公開中"))
    );
    let mut s = form.settings();
    s.slots.clear();
    assert_eq!(
        form.edit(s, false, &editor(), now()),
        Err(FormError::NoSlots),
        "an open reservation keeps its slots"
    );
}

#[test]
fn closing_and_reopening_follow_the_status_and_the_close_time() {
    let mut form = published(reservation());
    form.close(&editor(), now()).unwrap();
    assert_eq!(form.status(), FormStatus::Closed);
    assert_eq!(
        form.close(&editor(), now()),
        Err(FormError::AlreadyInStatus("終了"))
    );
    assert_eq!(
        form.publish(&editor(), now()),
        Err(FormError::NotFromStatus("終了", "公開"))
    );
    assert_eq!(
        form.reopen(&editor(), now() + Duration::days(6)),
        Err(FormError::ClosePassed)
    );
    form.reopen(&editor(), now()).unwrap();
    assert_eq!(form.status(), FormStatus::Open);
    let mut draft = one_field(FieldKind::Email);
    assert_eq!(
        draft.close(&editor(), now()),
        Err(FormError::NotFromStatus("下書き", "終了"))
    );
    let viewer = staff("etsuran", &[Permission::FormsViewAnswers], &[DEPT]);
    assert_eq!(form.close(&viewer, now()), Err(FormError::NoPermission));
}

#[test]
fn availability_is_told_before_the_citizen_types() {
    let counts = Counts::default();
    let draft = reservation();
    assert_eq!(
        draft.availability(now(), &counts),
        Availability::NotPublished
    );
    let form = published(reservation());
    assert_eq!(form.availability(now(), &counts), Availability::Open);
    let before = now() - Duration::days(2);
    assert_eq!(
        form.availability(before, &counts),
        Availability::BeforeOpen {
            opens_at: now() - Duration::days(1)
        }
    );
    assert_eq!(
        Availability::BeforeOpen {
            opens_at: now() - Duration::days(1)
        }
        .message(),
        "このフォームの受付は2026年11月30日 10:00からです。"
    );
    assert_eq!(
        form.availability(now() + Duration::days(5), &counts),
        Availability::Ended
    );
    let full = Counts {
        total: 10,
        ..Counts::default()
    };
    assert_eq!(form.availability(now(), &full), Availability::Full);
    assert_eq!(Availability::Full.code(), "full");
    let slots_full = Counts {
        total: 3,
        per_slot: [(sid("early"), 1), (sid("late"), 2)].into_iter().collect(),
    };
    assert_eq!(form.availability(now(), &slots_full), Availability::Full);
    // 12月2日 10:00 JST has passed: every slot has started.
    let after_slots = Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0).unwrap();
    assert_eq!(form.availability(after_slots, &counts), Availability::Ended);
    assert_eq!(
        form.period_label(),
        "2026年11月30日 10:00〜2026年12月6日 10:00"
    );
    assert_eq!(one_field(FieldKind::Email).period_label(), "期間の定めなし");
    let mut closed = form.clone();
    closed.close(&editor(), now()).unwrap();
    assert_eq!(closed.availability(now(), &counts), Availability::Ended);
}

#[test]
fn each_slot_says_what_remains_and_a_full_or_started_slot_is_refused() {
    let form = published(reservation());
    let counts = Counts {
        total: 1,
        per_slot: [(sid("early"), 1)].into_iter().collect(),
    };
    let slots = form.slot_availability(now(), &counts);
    let labels: Vec<_> = slots
        .iter()
        .map(|s| (s.slot.id.as_str(), s.label()))
        .collect();
    assert_eq!(
        labels,
        [("early", "満席".to_string()), ("late", "残り2".to_string())],
        "slots are kept in time order"
    );
    assert_eq!(
        form.check_open(Some("early"), now(), &counts),
        Err(FormError::SlotFull)
    );
    assert_eq!(
        form.check_open(Some("late"), now(), &counts),
        Ok(Some(sid("late")))
    );
    assert_eq!(
        form.check_open(None, now(), &counts),
        Err(FormError::SlotRequired)
    );
    assert_eq!(
        form.check_open(Some("nope"), now(), &counts),
        Err(FormError::UnknownSlot)
    );
    // 12月1日 14:00 JST = 05:00 UTC.
    let early_started = Utc.with_ymd_and_hms(2026, 12, 1, 5, 0, 0).unwrap();
    assert_eq!(
        form.check_open(Some("early"), early_started, &Counts::default()),
        Err(FormError::SlotStarted)
    );
    let closed = Counts {
        total: 10,
        ..Counts::default()
    };
    assert_eq!(
        form.check_open(Some("late"), now(), &closed),
        Err(FormError::Unavailable(Availability::Full))
    );
    assert_eq!(
        FormError::Unavailable(Availability::Full).to_string(),
        "定員に達したため、受付を終了しました。"
    );
    let questionnaire = published(one_field(FieldKind::Email));
    assert_eq!(
        questionnaire.check_open(Some("late"), now(), &Counts::default()),
        Err(FormError::NoSlotTaken)
    );
}

fn filing(n: u32, attributes: &[(&str, &str)]) -> AnswerFiling {
    AnswerFiling {
        id: format!("a{n}"),
        receipt: answer_receipt("2612", u64::from(n)),
        user_id: format!("U{n}"),
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect(),
    }
}

fn booked(form: &Form) -> Answer {
    let values = form
        .check_answer(
            &Submitted::new().with("name", "小浜 花子"),
            Audience::Citizen,
        )
        .unwrap();
    Answer::new(form, filing(1, &[]), values, Some(sid("late")), now())
}

#[test]
fn receipt_numbers_start_with_f() {
    assert_eq!(answer_receipt("2612", 1), "F2612-0001");
}

#[test]
fn reservation_statuses_move_only_forward_and_only_for_handlers_of_the_department() {
    use AnswerStatus::*;
    let form = published(reservation());
    let mut answer = booked(&form);
    assert_eq!(answer.status(), Received);
    let outsider = staff("kankyo", &[Permission::FormsViewAnswers], &["環境衛生課"]);
    let editor_only = staff("henshu", &[Permission::FormsEdit], &[DEPT]);
    assert_eq!(
        answer.change_status(&form, Confirmed, &outsider, now()),
        Err(AnswerError::OtherDepartment(DEPT.into()))
    );
    assert_eq!(
        answer.change_status(&form, Confirmed, &editor_only, now()),
        Err(AnswerError::NoPermission)
    );
    assert_eq!(
        answer.change_status(&form, Done, &editor(), now()),
        Err(AnswerError::NotAllowed("受付", "完了")),
        "完了 is not a reservation's status"
    );
    assert_eq!(
        answer.change_status(&form, Visited, &editor(), now()),
        Err(AnswerError::NotAllowed("受付", "来場済"))
    );
    answer
        .change_status(&form, Confirmed, &editor(), now())
        .unwrap();
    answer
        .change_status(&form, Visited, &editor(), now())
        .unwrap();
    assert_eq!(
        answer.change_status(&form, Cancelled, &editor(), now()),
        Err(AnswerError::NotAllowed("来場済", "キャンセル"))
    );
    let moves: Vec<_> = answer.history().iter().map(|h| (h.from, h.to)).collect();
    assert_eq!(moves, [(Received, Confirmed), (Confirmed, Visited)]);
    assert_eq!(answer.history()[0].by.label(), "kikakuさん");
}

#[test]
fn application_statuses_can_reopen_after_completion() {
    use AnswerStatus::*;
    let form = published(one_field(FieldKind::Email));
    let values = form
        .check_answer(
            &Submitted::new().with("q", "a@example.jp"),
            Audience::Citizen,
        )
        .unwrap();
    let mut answer = Answer::new(&form, filing(2, &[]), values, None, now());
    assert_eq!(
        answer.change_status(&form, Confirmed, &editor(), now()),
        Err(AnswerError::NotAllowed("受付", "確定"))
    );
    answer
        .change_status(&form, InProgress, &editor(), now())
        .unwrap();
    answer
        .change_status(&form, Rejected, &editor(), now())
        .unwrap();
    answer
        .change_status(&form, InProgress, &editor(), now())
        .unwrap();
    assert_eq!(
        answer.change_status(&form, InProgress, &editor(), now()),
        Err(AnswerError::SameStatus("対応中"))
    );
    assert_eq!(
        AnswerStatus::for_kind(FormKind::Questionnaire),
        [Received, InProgress, Done, Rejected]
    );
    assert_eq!(
        answer.cancel_by_citizen(&form, "U2", now()),
        Err(AnswerError::NotAReservation)
    );
}

#[test]
fn a_citizen_cancels_their_own_reservation_only_before_the_slot_starts() {
    let form = published(reservation());
    let mut answer = booked(&form);
    assert_eq!(
        answer.cancel_by_citizen(&form, "U999", now()),
        Err(AnswerError::NotYours)
    );
    // The 'late' slot starts 12月2日 10:00 JST = 01:00 UTC.
    let at_start = Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0).unwrap();
    assert_eq!(
        answer.cancel_by_citizen(&form, "U1", at_start),
        Err(AnswerError::SlotStarted)
    );
    let just_before = at_start - Duration::minutes(1);
    answer.cancel_by_citizen(&form, "U1", just_before).unwrap();
    assert_eq!(answer.status(), AnswerStatus::Cancelled);
    assert!(answer.status().releases_place());
    assert_eq!(answer.history()[0].by, ChangedBy::Citizen);
    assert_eq!(
        answer.cancel_by_citizen(&form, "U1", just_before),
        Err(AnswerError::CannotCancel("キャンセル"))
    );
}

#[test]
fn memo_and_staff_values_are_for_handlers_and_checked() {
    let form = conditional_form();
    let values = form
        .check_answer(&Submitted::new().with("attend", "はい"), Audience::Citizen)
        .unwrap();
    let mut answer = Answer::new(&form, filing(3, &[]), values, None, now());
    answer
        .set_memo(&form, " 電話で確認済み ", &editor(), now())
        .unwrap();
    assert_eq!(answer.memo(), "電話で確認済み");
    assert_eq!(
        answer.set_memo(&form, &"長".repeat(MAX_MEMO_CHARS + 1), &editor(), now()),
        Err(AnswerError::MemoTooLong)
    );
    answer
        .set_staff_values(
            &form,
            &Submitted::new().with("check", "確認済"),
            &editor(),
            now(),
        )
        .unwrap();
    assert_eq!(
        answer.value(&id("check")),
        Some(&AnswerValue::Choice("確認済".into()))
    );
    let refused = answer.set_staff_values(
        &form,
        &Submitted::new().with("check", "不明"),
        &editor(),
        now(),
    );
    assert!(
        matches!(refused, Err(AnswerError::Values(_))),
        "{refused:?}"
    );
    let other_form = one_field(FieldKind::Email);
    assert_eq!(
        answer.set_memo(&other_form, "x", &editor(), now()),
        Err(AnswerError::OtherForm)
    );
}

#[test]
fn the_receipt_summary_hides_staff_fields_and_personal_values_from_others() {
    let mut name = required(field(
        "name",
        "お名前",
        FieldKind::ShortText { max_chars: 20 },
    ));
    name.personal = true;
    let mut check = field("check", "確認", FieldKind::ShortText { max_chars: 20 });
    check.staff_only = true;
    let form = published(
        Form::new(
            FormId::parse("r2").unwrap(),
            FormSettings {
                slots: vec![slot("s1", 3, 9, 5)],
                ..settings(
                    FormKind::Reservation,
                    vec![
                        name,
                        field(
                            "photo",
                            "写真",
                            FieldKind::File {
                                types: vec![FileType::Jpeg],
                                max_bytes: 1000,
                                max_files: 2,
                            },
                        ),
                        field(
                            "count",
                            "人数",
                            FieldKind::Number {
                                min: Some(1.0),
                                max: None,
                                integer: true,
                            },
                        ),
                        check,
                    ],
                )
            },
            &editor(),
            now(),
        )
        .unwrap(),
    );
    let values = form
        .check_answer(
            &Submitted::new()
                .with("name", "小浜 花子")
                .with("count", "2")
                .with_file("photo", jpeg(10)),
            Audience::Citizen,
        )
        .unwrap();
    let mut answer = Answer::new(&form, filing(4, &[]), values, Some(sid("s1")), now());
    answer
        .set_staff_values(
            &form,
            &Submitted::new().with("check", "済"),
            &editor(),
            now(),
        )
        .unwrap();
    assert_eq!(
        answer.summary_lines(&form, Viewer::Owner),
        [
            "予約枠: 2026年12月3日(木) 09:00〜09:30",
            "お名前: 小浜 花子",
            "写真: 写真 1件",
            "人数: 2",
        ]
    );
    assert_eq!(
        answer.summary_lines(&form, Viewer::Other)[1],
        "お名前: （個人情報のため省略）"
    );
}

fn survey() -> Form {
    let mut name = field("name", "お名前", FieldKind::ShortText { max_chars: 20 });
    name.personal = true;
    published(
        Form::new(
            FormId::parse("s1").unwrap(),
            settings(
                FormKind::Questionnaire,
                vec![
                    required(field(
                        "sat",
                        "満足度",
                        FieldKind::SingleChoice {
                            choices: choices(&["満足", "普通", "不満"]),
                        },
                    )),
                    field(
                        "uses",
                        "利用した施設",
                        FieldKind::MultipleChoice {
                            choices: choices(&["図書館", "体育館"]),
                            min_picks: None,
                            max_picks: None,
                        },
                    ),
                    field(
                        "age",
                        "年齢",
                        FieldKind::Number {
                            min: Some(0.0),
                            max: None,
                            integer: true,
                        },
                    ),
                    field("opinion", "ご意見", FieldKind::LongText { max_chars: 200 }),
                    name,
                ],
            ),
            &editor(),
            now(),
        )
        .unwrap(),
    )
}

type SurveyRow = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn answers(form: &Form) -> Vec<Answer> {
    // 満足度, 利用した施設, 年齢, ご意見, and the registered 年代 and 地区.
    let rows: [SurveyRow; 4] = [
        ("満足", &["図書館", "体育館"], "30", "良い", "20代", "小浜"),
        ("満足", &["図書館"], "40", "", "30代", "雲浜"),
        ("不満", &[], "50", "駐車場が狭い", "20代", "雲浜"),
        ("普通", &["体育館"], "", "", "", ""),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (sat, uses, age, opinion, nendai, chiku))| {
            let mut s = Submitted::new()
                .with("sat", sat)
                .with("age", age)
                .with("opinion", opinion)
                .with("name", "市民");
            for u in *uses {
                s = s.with("uses", u);
            }
            let values = form.check_answer(&s, Audience::Citizen).unwrap();
            let attrs: Vec<(&str, &str)> = [("age_group", *nendai), ("district", *chiku)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect();
            Answer::new(form, filing(i as u32 + 10, &attrs), values, None, now())
        })
        .collect()
}

#[test]
fn analysis_counts_choices_summarises_numbers_and_lists_texts() {
    let form = survey();
    let mut all = answers(&form);
    // A cancelled answer does not count (only reservations cancel, but the rule is general).
    let mut stored = serde_json::to_value(&all[0]).unwrap();
    stored["status"] = "cancelled".into();
    all.push(serde_json::from_value(stored).unwrap());
    let analysis = FormAnalysis::of(&form, &all);
    assert_eq!(analysis.answers, 4);
    let q = |fid: &str| {
        &analysis
            .questions
            .iter()
            .find(|q| q.field.as_str() == fid)
            .unwrap()
            .summary
    };
    let QuestionSummary::Choices { answered, counts } = q("sat") else {
        panic!("{:?}", q("sat"))
    };
    assert_eq!(*answered, 4);
    let counted: Vec<_> = counts
        .iter()
        .map(|c| (c.choice.as_str(), c.count, c.share_percent))
        .collect();
    assert_eq!(
        counted,
        [("満足", 2, 50.0), ("普通", 1, 25.0), ("不満", 1, 25.0)]
    );
    let QuestionSummary::Choices { answered, counts } = q("uses") else {
        panic!()
    };
    assert_eq!(*answered, 3);
    assert_eq!(
        counts.iter().map(|c| c.share_percent).collect::<Vec<_>>(),
        [66.7, 66.7]
    );
    assert_eq!(
        q("age"),
        &QuestionSummary::Number {
            answered: 3,
            min: Some(30.0),
            max: Some(50.0),
            mean: Some(40.0)
        }
    );
    assert_eq!(
        q("opinion"),
        &QuestionSummary::Texts {
            answered: 2,
            texts: vec!["良い".into(), "駐車場が狭い".into()]
        }
    );
    assert_eq!(
        q("name"),
        &QuestionSummary::Answered { answered: 4 },
        "personal free text is counted, never listed"
    );
}

#[test]
fn cross_tab_counts_a_choice_question_by_a_registered_attribute() {
    let form = survey();
    let mut tab = CrossTab::new(
        &form,
        &id("sat"),
        "age_group",
        &choices(&["20代", "30代", "40代"]),
    )
    .unwrap();
    for a in answers(&form) {
        tab.add(&a);
    }
    assert_eq!(tab.columns, ["満足", "普通", "不満"]);
    let rows: Vec<_> = tab
        .rows
        .iter()
        .map(|r| (r.label.as_str(), r.counts.clone(), r.answered))
        .collect();
    assert_eq!(
        rows,
        [
            ("20代", vec![1, 0, 1], 2),
            ("30代", vec![1, 0, 0], 1),
            ("40代", vec![0, 0, 0], 0),
            ("未登録", vec![0, 1, 0], 1),
        ]
    );
    assert_eq!(tab.column_totals(), [2, 1, 1]);
    assert_eq!(
        CrossTab::new(&form, &id("age"), "district", &[]).err(),
        Some(FormError::NotAChoiceQuestion("年齢".into()))
    );
    assert_eq!(
        CrossTab::new(&form, &id("nope"), "district", &[]).err(),
        Some(FormError::UnknownQuestion("nope".into()))
    );
}

#[test]
fn a_draft_is_kept_seven_days_after_its_last_change_and_limited_in_size() {
    let fid = FormId::parse("f1").unwrap();
    let values: BTreeMap<String, Vec<String>> = [("q".to_string(), vec!["途中まで".to_string()])]
        .into_iter()
        .collect();
    let mut draft = FormDraft::new(fid.clone(), "U1", values.clone(), None, now()).unwrap();
    assert!(!draft.is_expired(now() + Duration::days(6)));
    draft
        .update(values.clone(), Some(sid("late")), now() + Duration::days(6))
        .unwrap();
    assert!(!draft.is_expired(now() + Duration::days(12)));
    assert!(draft.is_expired(now() + Duration::days(13)));
    assert_eq!(draft.expires_at(), now() + Duration::days(13));
    assert_eq!(draft.submitted().values, values);
    let huge: BTreeMap<String, Vec<String>> = [("q".to_string(), vec!["あ".repeat(10_001)])]
        .into_iter()
        .collect();
    assert_eq!(
        FormDraft::new(fid.clone(), "U1", huge, None, now()).err(),
        Some(DraftError::TooLarge)
    );
    let many: BTreeMap<String, Vec<String>> = (0..=MAX_FIELDS)
        .map(|i| (format!("f{i}"), vec!["x".to_string()]))
        .collect();
    assert_eq!(
        draft.update(many, None, now()),
        Err(DraftError::TooManyFields)
    );
    assert_eq!(
        draft.slot(),
        Some(&sid("late")),
        "a refused update keeps the draft"
    );
}

#[test]
fn a_form_and_an_answer_survive_a_serde_round_trip() {
    let form = conditional_form();
    let json = serde_json::to_string(&form).unwrap();
    assert_eq!(serde_json::from_str::<Form>(&json).unwrap(), form);
    let form = published(reservation());
    let json = serde_json::to_string(&form).unwrap();
    assert_eq!(serde_json::from_str::<Form>(&json).unwrap(), form);
    let mut answer = booked(&form);
    answer
        .change_status(&form, AnswerStatus::Confirmed, &editor(), now())
        .unwrap();
    let json = serde_json::to_string(&answer).unwrap();
    assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), answer);
    let survey = survey();
    for a in answers(&survey) {
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), a);
    }
    assert!(
        serde_json::from_str::<FieldId>("\"Bad Id\"").is_err(),
        "ids are checked when read back"
    );
}

#[test]
fn personal_values_are_never_searched_nor_logged() {
    let mut name = required(field(
        "name",
        "お名前",
        FieldKind::ShortText { max_chars: 20 },
    ));
    name.personal = true;
    let mut staff_phone = field("callback", "折り返し先", FieldKind::Phone);
    staff_phone.staff_only = true;
    staff_phone.personal = true;
    let form = Form::new(
        FormId::parse("p1").unwrap(),
        settings(
            FormKind::Application,
            vec![
                name,
                field("topic", "件名", FieldKind::ShortText { max_chars: 20 }),
                staff_phone,
            ],
        ),
        &editor(),
        now(),
    )
    .unwrap();
    let values = form
        .check_answer(
            &Submitted::new()
                .with("name", "小浜 花子")
                .with("topic", "道路の件"),
            Audience::Citizen,
        )
        .unwrap();
    let mut answer = Answer::new(&form, filing(5, &[]), values, None, now());
    answer
        .set_staff_values(
            &form,
            &Submitted::new().with("callback", "0770-53-1111"),
            &editor(),
            now(),
        )
        .unwrap();
    assert!(answer.value(&id("name")).is_some() && answer.value(&id("callback")).is_some());
    assert!(answer.matches_text(&form, "道路"));
    assert!(answer.matches_text(&form, "F2612-0005"));
    assert!(
        !answer.matches_text(&form, "花子"),
        "personal values are never searched"
    );
    assert!(
        !answer.matches_text(&form, "0770"),
        "nor personal staff values"
    );
    let debug = format!("{answer:?}");
    assert!(!debug.contains("花子") && !debug.contains("U5"), "{debug}");
}

#[test]
fn a_form_is_listed_for_staff_with_any_forms_permission_in_its_department() {
    let form = one_field(FieldKind::Email);
    assert!(form.visible_to(&editor()));
    assert!(form.visible_to(&staff("shutsuryoku", &[Permission::FormsExport], &[DEPT])));
    assert!(!form.visible_to(&staff("kankyo", &[Permission::FormsEdit], &["環境衛生課"])));
    assert!(!form.visible_to(&staff("tsuho", &[Permission::ReportsHandle], &[DEPT])));
    assert_eq!(
        form.check_exporter(&editor()),
        Err(FormError::NoExportPermission)
    );
    let exporter = staff("shutsuryoku", &[Permission::FormsExport], &["環境衛生課"]);
    assert_eq!(
        form.check_exporter(&exporter),
        Err(FormError::OtherDepartment(DEPT.into()))
    );
    assert!(form
        .check_exporter(&staff("shutsuryoku", &[Permission::FormsExport], &[DEPT]))
        .is_ok());
}

#[test]
fn each_field_kinds_code_is_its_stored_type() {
    let kinds = [
        FieldKind::ShortText { max_chars: 1 },
        FieldKind::LongText { max_chars: 1 },
        FieldKind::Number {
            min: None,
            max: None,
            integer: true,
        },
        FieldKind::Email,
        FieldKind::Phone,
        FieldKind::PostalCode,
        FieldKind::Address { postal_field: None },
        FieldKind::Date {
            min: None,
            max: None,
        },
        FieldKind::Time,
        FieldKind::SingleChoice { choices: vec![] },
        FieldKind::MultipleChoice {
            choices: vec![],
            min_picks: None,
            max_picks: None,
        },
        FieldKind::Dropdown { choices: vec![] },
        FieldKind::File {
            types: vec![],
            max_bytes: 1,
            max_files: 1,
        },
        FieldKind::Consent { text: "x".into() },
        FieldKind::Heading,
        FieldKind::Description { text: "x".into() },
    ];
    for kind in kinds {
        let stored = serde_json::to_value(&kind).unwrap();
        assert_eq!(stored["type"], kind.code(), "{}", kind.label());
    }
}

#[test]
fn the_receipt_text_names_the_form_and_number_and_stays_within_a_line_message() {
    let form = published(reservation());
    let answer = booked(&form);
    assert_eq!(
        answer.receipt_text(&form),
        "ご回答ありがとうございました。\n\n【市政アンケート】\n受付番号: F2612-0001\n\
         予約枠: 2026年12月2日(水) 10:00〜10:30\nお名前: 小浜 花子"
    );
    let long = Form::new(
        FormId::parse("long").unwrap(),
        settings(
            FormKind::Questionnaire,
            (0..40)
                .map(|i| {
                    field(
                        &format!("q{i}"),
                        &format!("質問{i}"),
                        FieldKind::LongText { max_chars: 200 },
                    )
                })
                .collect(),
        ),
        &editor(),
        now(),
    )
    .unwrap();
    let mut s = Submitted::new();
    for i in 0..40 {
        s = s.with(&format!("q{i}"), &"あ".repeat(200));
    }
    let values = long.check_answer(&s, Audience::Citizen).unwrap();
    let text = Answer::new(&long, filing(6, &[]), values, None, now()).receipt_text(&long);
    assert!(text.chars().count() <= MAX_RECEIPT_CHARS);
    assert!(
        text.ends_with("（以下省略）"),
        "{}",
        &text[text.len() - 40..]
    );
}

#[test]
fn a_form_past_its_close_time_is_not_published() {
    let mut form = reservation();
    assert_eq!(
        form.publish(&editor(), now() + Duration::days(5)),
        Err(FormError::ClosePassed)
    );
    assert_eq!(form.status(), FormStatus::Draft);
}

#[test]
fn conditions_chain_a_field_under_a_hidden_field_is_hidden_too() {
    let mut second = field(
        "second",
        "二つ目",
        FieldKind::SingleChoice {
            choices: choices(&["はい", "いいえ"]),
        },
    );
    second.show_when = Some(Condition {
        field: id("first"),
        equals: field::CONSENT_GIVEN.into(),
    });
    let mut third = required(field("third", "三つ目", FieldKind::Time));
    third.show_when = Some(Condition {
        field: id("second"),
        equals: "はい".into(),
    });
    let form = Form::new(
        FormId::parse("chain").unwrap(),
        settings(
            FormKind::Questionnaire,
            vec![
                field(
                    "first",
                    "一つ目",
                    FieldKind::Consent {
                        text: "はい/いいえ".into(),
                    },
                ),
                second,
                third,
            ],
        ),
        &editor(),
        now(),
    )
    .unwrap();
    // first unchecked: second is hidden, so its はい is dropped and third is hidden as well.
    let values = form
        .check_answer(
            &Submitted::new().with("first", "no").with("second", "はい"),
            Audience::Citizen,
        )
        .unwrap();
    assert_eq!(values.len(), 1);
    let errors = form
        .check_answer(
            &Submitted::new().with("first", "yes").with("second", "はい"),
            Audience::Citizen,
        )
        .unwrap_err();
    assert_eq!(errors.for_field("third"), Some(&AnswerProblem::Required));
    let values = form
        .check_answer(
            &Submitted::new()
                .with("first", "yes")
                .with("second", "はい")
                .with("third", "10:15:00"),
            Audience::Citizen,
        )
        .unwrap();
    assert_eq!(
        values.get(&id("third")).map(AnswerValue::display),
        Some("10:15".into())
    );
}

#[test]
fn the_citizen_is_told_of_a_confirmation_or_a_cancellation_once() {
    let form = published(reservation());
    let mut answer = booked(&form);
    let confirmed = answer
        .change_status(&form, AnswerStatus::Confirmed, &editor(), now())
        .unwrap();
    assert_eq!(
        answer.notice_text(&form, confirmed).unwrap(),
        "【市政アンケート】\n受付番号: F2612-0001\nご予約が確定しました。\n\
         予約枠: 2026年12月2日(水) 10:00〜10:30"
    );
    assert!(answer.mark_told(confirmed, now()));
    assert!(
        !answer.mark_told(confirmed, now()),
        "a redelivered event is pushed once"
    );
    let cancelled = answer
        .change_status(&form, AnswerStatus::Cancelled, &editor(), now())
        .unwrap();
    assert!(answer
        .notice_text(&form, cancelled)
        .unwrap()
        .contains("担当課によりキャンセルされました。ご不明な点は企画部へ"));

    let survey = survey();
    let mut reply = answers(&survey).remove(0);
    let done = reply
        .change_status(&survey, AnswerStatus::Done, &editor(), now())
        .unwrap();
    assert_eq!(
        reply.notice_text(&survey, done),
        None,
        "a questionnaire's handling is not told"
    );
    assert!(!reply.mark_told(done, now()));
}

#[test]
fn csv_cells_sort_in_a_spreadsheet() {
    let date = AnswerValue::Date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    assert_eq!(date.display(), "2026年12月1日(火)");
    assert_eq!(date.csv_text(), "2026-12-01");
    assert_eq!(
        AnswerValue::PostalCode("9170078".into()).csv_text(),
        "917-0078"
    );
    assert_eq!(
        AnswerValue::PostalCode("9170078".into()).display(),
        "〒917-0078"
    );
    assert_eq!(AnswerValue::Number(1200.0).csv_text(), "1200");
    assert_eq!(
        AnswerValue::Choices(choices(&["海", "川"])).csv_text(),
        "海、川"
    );
}

#[test]
fn the_builder_may_post_settings_as_json() {
    let posted = r#"{
        "title": "健診の予約",
        "department": "企画部",
        "kind": "reservation",
        "per_citizen": "once",
        "slots": [{"id": "d1", "date": "2026-12-10", "start": "09:00:00", "end": "09:30:00", "capacity": 5}],
        "fields": [
            {"id": "name", "label": "お名前", "required": true, "personal": true,
             "kind": {"type": "short_text", "max_chars": 40}},
            {"id": "zip", "label": "郵便番号", "kind": {"type": "postal_code"}},
            {"id": "addr", "label": "住所", "kind": {"type": "address", "postal_field": "zip"}}
        ]
    }"#;
    let settings: FormSettings = serde_json::from_str(posted).unwrap();
    let form = Form::new(FormId::parse("k1").unwrap(), settings, &editor(), now()).unwrap();
    assert_eq!(form.slots()[0].label(), "2026年12月10日(木) 09:00〜09:30");
    assert!(form.field(&id("name")).unwrap().personal);
    assert_eq!(form.kind(), FormKind::Reservation);
    assert_eq!(
        form.receipt_message(),
        "",
        "left out fields take their defaults"
    );
}

#[test]
fn a_notice_address_is_checked_like_the_mailer_does_and_blank_is_none() {
    let with = |address: &str| {
        Form::new(
            FormId::parse("f").unwrap(),
            FormSettings {
                notice_address: Some(address.into()),
                ..settings(
                    FormKind::Questionnaire,
                    vec![field("q", "Q", FieldKind::Email)],
                )
            },
            &editor(),
            now(),
        )
    };
    assert_eq!(
        with(" kenkou@city.obama.lg.jp ").unwrap().notice_address(),
        Some("kenkou@city.obama.lg.jp")
    );
    assert_eq!(with("  ").unwrap().notice_address(), None);
    for bad in [
        "kenkou",
        "kenkou@city",
        "kenkou@@city.obama.lg.jp",
        ".kenkou@city.obama.lg.jp",
        "けんこう@city.obama.lg.jp",
        "kenkou@city.obama.lg.jp\r\nBcc: x@example.com",
        "kenkou@-city.obama.lg.jp",
    ] {
        assert_eq!(
            with(bad).err(),
            Some(FormError::BadNoticeAddress),
            "{bad:?}"
        );
    }
    let long = format!(
        "a@{}.jp",
        "b".repeat(300).replace("bbbbbbbbbb", "bbbbbbbbb.")
    );
    assert_eq!(with(&long).err(), Some(FormError::NoticeAddressTooLong));
    assert_eq!(
        FormError::BadNoticeAddress.to_string(),
        "通知先メールアドレスの形式が正しくありません（例: kikaku@city.obama.lg.jp）。"
    );
    let stored: Form = serde_json::from_value({
        let mut v = serde_json::to_value(one_field(FieldKind::Email)).unwrap();
        v.as_object_mut().unwrap().remove("notice_address");
        v
    })
    .unwrap();
    assert_eq!(
        stored.notice_address(),
        None,
        "a stored form without it reads"
    );
}
