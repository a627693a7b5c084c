use super::*;
use crate::staff::{DepartmentScope, LoginId, Permission, StaffAccount, StaffProfile};
use chrono::TimeZone;
use ReportStatus::*;

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
}

pub(crate) fn staff(login: &str, permissions: &[Permission], departments: &[&str]) -> StaffAccount {
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

fn doboku() -> StaffAccount {
    staff("doboku", &[Permission::ReportsHandle], &["土木課"])
}

pub(crate) fn photo(n: u32) -> PhotoRef {
    PhotoRef {
        key: format!("reports/photos/{n}.jpg"),
        thumbnail_key: format!("media/reports/{n}.jpg"),
        width: 1024,
        height: 768,
    }
}

pub(crate) fn city_hall() -> Position {
    Position::new(35.4953, 135.7466).unwrap()
}

fn form() -> ReportForm {
    ReportForm {
        position: city_hall(),
        place_note: Some("市役所前".into()),
        photos: vec![photo(1)],
        details: "道路に穴があります".into(),
        answers: vec![],
        reporter: Reporter {
            user_id: "U123".into(),
            contact: None,
        },
        channel: Channel::Chat,
    }
}

fn filing(id: &str) -> Filing {
    Filing {
        id: id.into(),
        receipt: "2612-0001".into(),
        district: Some("obama".into()),
    }
}

fn road_report() -> Report {
    Report::file(&Category::defaults()[0], form(), filing("r1"), now()).unwrap()
}

/// A road report brought to `status` by the department's clerk.
fn report_at(status: ReportStatus) -> Report {
    let by = doboku();
    let mut r = road_report();
    let c = Some("理由");
    match status {
        Received => {}
        Checking | InProgress | Done => {
            r.change_status(status, None, &by, now()).unwrap();
        }
        Declined => {
            r.change_status(Declined, c, &by, now()).unwrap();
        }
        Duplicate => {
            r.mark_duplicate("r0", c, &by, now()).unwrap();
        }
    }
    assert_eq!(r.status(), status);
    r
}

fn move_to(r: &mut Report, to: ReportStatus, by: &StaffAccount) -> Result<usize, ReportError> {
    let c = Some("市民への説明");
    if to == Duplicate {
        r.mark_duplicate("r0", c, by, now())
    } else {
        r.change_status(to, c, by, now())
    }
}

#[test]
fn who_may_move_a_report_where() {
    let allowed: &[(ReportStatus, &[ReportStatus])] = &[
        (Received, &[Checking, InProgress, Done, Declined, Duplicate]),
        (Checking, &[InProgress, Done, Declined, Duplicate]),
        (InProgress, &[Done, Declined]),
        (Done, &[InProgress]),
        (Declined, &[InProgress]),
        (Duplicate, &[InProgress]),
    ];
    let in_department = doboku();
    let other_department = staff("kankyo", &[Permission::ReportsHandle], &["環境衛生課"]);
    let no_permission = staff("kouhou", &[Permission::DeliveryDraft], &["土木課"]);
    for (from, targets) in allowed {
        for to in ReportStatus::ALL {
            let mut r = report_at(*from);
            let before = r.clone();
            let expected = if targets.contains(&to) {
                Ok(r.history().len())
            } else if *from == to {
                Err(ReportError::SameStatus(from.label()))
            } else {
                Err(ReportError::NotAllowed(from.label(), to.label()))
            };
            assert_eq!(
                move_to(&mut r, to, &in_department),
                expected,
                "{from:?} → {to:?}"
            );
            if expected.is_ok() {
                assert_eq!(r.status(), to);
            } else {
                assert_eq!(r, before, "a refusal changes nothing: {from:?} → {to:?}");
            }

            let mut r = before.clone();
            assert_eq!(
                move_to(&mut r, to, &other_department),
                Err(ReportError::OtherDepartment("土木課".into())),
                "other department {from:?} → {to:?}"
            );
            assert_eq!(r, before);
            assert_eq!(
                move_to(&mut r, to, &no_permission),
                Err(ReportError::NoPermission),
                "no permission {from:?} → {to:?}"
            );
            assert_eq!(r, before);
        }
    }
}

#[test]
fn declining_marking_a_duplicate_and_reopening_need_a_public_comment() {
    let by = doboku();
    let cases: Vec<(ReportStatus, ReportStatus, ReportError)> = vec![
        (Received, Declined, ReportError::CommentRequired("対応不可")),
        (Checking, Declined, ReportError::CommentRequired("対応不可")),
        (
            InProgress,
            Declined,
            ReportError::CommentRequired("対応不可"),
        ),
        (Received, Duplicate, ReportError::CommentRequired("重複")),
        (Done, InProgress, ReportError::ReopenNeedsComment),
        (Declined, InProgress, ReportError::ReopenNeedsComment),
        (Duplicate, InProgress, ReportError::ReopenNeedsComment),
    ];
    for (from, to, error) in cases {
        for blank in [None, Some("  ")] {
            let mut r = report_at(from);
            let result = if to == Duplicate {
                r.mark_duplicate("r0", blank, &by, now())
            } else {
                r.change_status(to, blank, &by, now())
            };
            assert_eq!(result, Err(error.clone()), "{from:?} → {to:?}");
            assert_eq!(r.status(), from);
        }
    }
    assert_eq!(
        ReportError::CommentRequired("対応不可").to_string(),
        "「対応不可」にするときは、市民に伝える理由をコメントに書いてください。"
    );
}

#[test]
fn a_duplicate_names_its_original_and_reopening_forgets_it() {
    let by = doboku();
    let mut r = road_report();
    assert_eq!(
        r.change_status(Duplicate, Some("同じ場所"), &by, now()),
        Err(ReportError::DuplicateNeedsOriginal)
    );
    assert_eq!(
        r.mark_duplicate("r1", Some("同じ"), &by, now()),
        Err(ReportError::DuplicateOfItself)
    );
    assert_eq!(
        r.mark_duplicate(" ", Some("同じ"), &by, now()),
        Err(ReportError::DuplicateNeedsOriginal)
    );
    r.mark_duplicate("r0", Some("先に同じ通報があります"), &by, now())
        .unwrap();
    assert_eq!(r.duplicate_of(), Some("r0"));
    r.change_status(InProgress, Some("別の穴でした"), &by, now())
        .unwrap();
    assert_eq!(r.duplicate_of(), None);
}

#[test]
fn the_history_marks_what_the_citizen_is_told_and_the_push_is_recorded_once() {
    let by = doboku();
    let mut r = road_report();
    let first = r.change_status(Checking, None, &by, now()).unwrap();
    let second = r
        .change_status(InProgress, Some("業者に依頼しました"), &by, now())
        .unwrap();
    assert_eq!((first, second), (0, 1));
    assert!(!r.history()[0].tell_citizen);
    assert!(r.history()[1].tell_citizen);
    assert_eq!(
        r.history()[1].public_comment.as_deref(),
        Some("業者に依頼しました")
    );
    assert_eq!(r.history()[1].by.login_id.as_str(), "doboku");
    assert_eq!(r.record_told(0, now()), Err(ReportError::NotToTell(0)));
    assert_eq!(r.record_told(1, now()), Ok(true));
    assert_eq!(r.record_told(1, now()), Ok(false));
    assert_eq!(r.record_told(9, now()), Err(ReportError::NotToTell(9)));
    // Told already: not recorded as unsent afterwards.
    assert_eq!(r.record_not_sent(1, now()), Ok(false));
    assert_eq!(r.history()[1].not_sent_at, None);
}

#[test]
fn a_push_not_sent_to_a_blocked_citizen_is_recorded_once() {
    let by = doboku();
    let mut r = road_report();
    r.change_status(ReportStatus::Checking, Some("見に行きます"), &by, now())
        .unwrap();
    assert_eq!(r.record_not_sent(0, now()), Ok(true));
    assert_eq!(r.history()[0].not_sent_at, Some(now()));
    assert_eq!(r.record_not_sent(0, now()), Ok(false));
    assert_eq!(r.record_told(0, now()), Ok(true));
    assert_eq!(r.record_not_sent(3, now()), Err(ReportError::NotToTell(3)));
}

#[test]
fn assignment_notes_districts_and_alerts_are_for_the_department() {
    let by = doboku();
    let colleague = staff("doboku2", &[Permission::ReportsHandle], &["土木課"]);
    let outsider = staff("kankyo", &[Permission::ReportsHandle], &["環境衛生課"]);
    let mut r = road_report();
    r.assign(Some(&colleague), &by, now()).unwrap();
    assert_eq!(r.assignee().unwrap().name, "doboku2さん");
    assert_eq!(
        r.assign(Some(&outsider), &by, now()),
        Err(ReportError::AssigneeOutside(
            "kankyoさん".into(),
            "土木課".into()
        ))
    );
    assert_eq!(
        r.assign(None, &outsider, now()),
        Err(ReportError::OtherDepartment("土木課".into()))
    );
    r.assign(None, &by, now()).unwrap();
    assert_eq!(r.assignee(), None);

    assert_eq!(r.add_note(" ", &by, now()), Err(ReportError::EmptyNote));
    assert_eq!(
        r.add_note(&"メ".repeat(501), &by, now()),
        Err(ReportError::CommentTooLong)
    );
    r.add_note("現地確認は明日", &by, now()).unwrap();
    assert_eq!(r.notes()[0].text, "現地確認は明日");

    r.set_district(Some("kumagawa".into()), &by, now()).unwrap();
    assert_eq!(r.district(), Some("kumagawa"));
    r.set_district(Some(" ".into()), &by, now()).unwrap();
    assert_eq!(r.district(), None);

    assert_eq!(r.link_alert("d1", &by, now()), Err(ReportError::NotUrgent));
    let forester = staff("ringyo", &[Permission::ReportsHandle], &["農林水産課"]);
    let mut bear = Report::file(
        &Category::defaults()[5],
        ReportForm {
            photos: vec![],
            ..form()
        },
        filing("r2"),
        now(),
    )
    .unwrap();
    assert!(bear.is_urgent_and_open());
    assert_eq!(
        bear.link_alert("d1", &by, now()),
        Err(ReportError::OtherDepartment("農林水産課".into()))
    );
    bear.link_alert("d1", &forester, now()).unwrap();
    assert_eq!(bear.alert_delivery_id(), Some("d1"));
    assert_eq!(
        bear.link_alert("d2", &forester, now()),
        Err(ReportError::AlreadyLinked)
    );
}

#[test]
fn filing_checks_the_form_against_the_category() {
    let road = &Category::defaults()[0];
    let wildlife = &Category::defaults()[5];
    let dumping = &Category::defaults()[4];
    let mut with_question = road.clone();
    let mut s = road.settings();
    s.questions = vec![
        Question {
            label: "大きさは".into(),
            required: true,
        },
        Question {
            label: "いつから".into(),
            required: false,
        },
    ];
    with_question.edit(s).unwrap();
    let mut retired = road.clone();
    retired.retire();
    let with = |f: fn(&mut ReportForm)| {
        let mut x = form();
        f(&mut x);
        x
    };
    let cases: Vec<(&Category, ReportForm, Result<(), ReportError>)> = vec![
        (road, form(), Ok(())),
        (&retired, form(), Err(InputProblem::CategoryRetired.into())),
        (
            road,
            with(|f| f.photos.clear()),
            Err(InputProblem::PhotoRequired.into()),
        ),
        (wildlife, with(|f| f.photos.clear()), Ok(())),
        (
            road,
            with(|f| f.photos = (1..=5).map(photo).collect()),
            Err(InputProblem::TooManyPhotos.into()),
        ),
        (
            road,
            with(|f| f.photos = (1..=4).map(photo).collect()),
            Ok(()),
        ),
        (
            road,
            with(|f| f.details = " ".into()),
            Err(InputProblem::Empty(Field::Details).into()),
        ),
        (
            road,
            with(|f| f.details = "あ".repeat(501)),
            Err(InputProblem::TooLong {
                field: Field::Details,
                length: 501,
                limit: 500,
            }
            .into()),
        ),
        (
            road,
            with(|f| f.place_note = Some("場".repeat(101))),
            Err(InputProblem::TooLong {
                field: Field::PlaceNote,
                length: 101,
                limit: 100,
            }
            .into()),
        ),
        (
            &with_question,
            form(),
            Err(InputProblem::AnswerRequired("大きさは".into()).into()),
        ),
        (
            &with_question,
            with(|f| f.answers = vec!["30cm".into()]),
            Ok(()),
        ),
        (
            &with_question,
            with(|f| f.answers = vec!["30cm".into(), "あ".repeat(201)]),
            Err(InputProblem::TooLong {
                field: Field::Answer,
                length: 201,
                limit: 200,
            }
            .into()),
        ),
        (dumping, form(), Err(InputProblem::ContactRequired.into())),
        (
            dumping,
            with(|f| {
                f.reporter.contact = Some(Contact {
                    name: "小浜 花子".into(),
                    phone: "0770-53-1111".into(),
                })
            }),
            Ok(()),
        ),
        (
            dumping,
            with(|f| {
                f.reporter.contact = Some(Contact {
                    name: "小浜 花子".into(),
                    phone: "12".into(),
                })
            }),
            Err(InputProblem::BadPhone.into()),
        ),
        (
            road,
            with(|f| {
                f.reporter.contact = Some(Contact {
                    name: " ".into(),
                    phone: "0770531111".into(),
                })
            }),
            Err(InputProblem::Empty(Field::ContactName).into()),
        ),
    ];
    for (category, form, expected) in cases {
        let result = Report::file(category, form.clone(), filing("r9"), now());
        assert_eq!(
            result.as_ref().map(|_| ()).map_err(Clone::clone),
            expected,
            "{}: {form:?}",
            category.name()
        );
    }
    let filed = Report::file(
        &with_question,
        with(|f| f.answers = vec![" 30cm ".into(), "".into()]),
        filing("r9"),
        now(),
    )
    .unwrap();
    assert_eq!(
        filed.answers(),
        [Answer {
            question: "大きさは".into(),
            text: "30cm".into()
        }]
    );
    assert_eq!(filed.status(), Received);
    assert_eq!(filed.category().department, "土木課");
}

#[test]
fn a_stored_report_decodes() {
    let json = serde_json::json!({
        "id": "r1",
        "receipt": "2612-0007",
        "category": {"id": "road", "name": "道路・公共物の損傷", "department": "土木課", "urgent": false},
        "position": {"lat": 35.4953, "lng": 135.7466},
        "place_note": "市役所前",
        "district": "obama",
        "photos": [{"key": "reports/photos/a.jpg", "thumbnail_key": "media/reports/a.jpg", "width": 1024, "height": 768}],
        "details": "道路に穴があります",
        "answers": [{"question": "大きさは", "text": "30cm"}],
        "reporter": {"user_id": "U123", "contact": {"name": "小浜 花子", "phone": "0770-53-1111"}},
        "channel": "chat",
        "status": "in_progress",
        "assignee": {"login_id": "doboku", "name": "土木 一郎"},
        "duplicate_of": null,
        "history": [{
            "at": "2026-12-01T01:00:00Z",
            "by": {"login_id": "doboku", "name": "土木 一郎"},
            "from": "received", "to": "in_progress",
            "public_comment": "業者に依頼しました",
            "tell_citizen": true,
            "told_at": "2026-12-01T01:00:05Z"
        }],
        "notes": [{"at": "2026-12-01T01:00:00Z", "by": {"login_id": "doboku", "name": "土木 一郎"}, "text": "明日現地へ"}],
        "alert_delivery_id": null,
        "filed_at": "2026-11-30T23:00:00Z",
        "updated_at": "2026-12-01T01:00:00Z"
    });
    let r: Report = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(r.receipt(), "2612-0007");
    assert_eq!(r.status(), InProgress);
    assert_eq!(r.reporter().contact.as_ref().unwrap().phone, "0770-53-1111");
    assert_eq!(
        r.history()[0].told_at,
        Some(Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 5).unwrap())
    );
    assert_eq!(serde_json::to_value(&r).unwrap(), json);
}

#[test]
fn possible_duplicates_are_the_same_category_within_fifty_metres_and_seven_days() {
    let base = road_report().summary();
    let at = |id: &str, category: &str, north_m: f64, days: i64| ReportSummary {
        id: id.into(),
        category: CategoryId::parse(category).unwrap(),
        // 1 m north is 1/111195 of a degree of latitude.
        position: Position::new(35.4953 + north_m / 111_195.08, 135.7466).unwrap(),
        filed_at: now() + Duration::days(days),
    };
    let others = vec![
        at("r1", "road", 0.0, 0), // itself
        at("near", "road", 10.0, -1),
        at("edge", "road", 49.5, 7),
        at("far", "road", 51.0, 0),
        at("old", "road", 5.0, -8),
        at("later", "road", 5.0, 8),
        at("park", "park", 1.0, 0),
        at("nearer", "road", 2.0, -7),
    ];
    let found: Vec<&str> = possible_duplicates(&base, &others)
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(found, ["nearer", "near", "edge"]);
}
