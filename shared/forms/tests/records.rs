//! The forms records (`tayori_records::forms`) held to one contract on both adapters: the
//! embedded one (SQLite) and DynamoDB on moto, as the port conformance suite does
//! (`tests/tests/conformance.rs`). Each contract runs as an `embedded` and an `aws` test;
//! the latter is skipped without moto unless `TAYORI_REQUIRE_AWS=1`.

use crate::support;

use chrono::Duration;
use std::collections::BTreeMap;
use std::sync::Arc;
use support::*;
use tayori_adapters::aws;
use tayori_domain::form::{
    answer_receipt, Answer, AnswerFiling, AnswerStatus, Audience, Form, FormDraft, FormId,
    PerCitizen, SlotId, Submitted, DRAFT_KEPT,
};
use tayori_domain::report::receipt_month;
use tayori_ports::{ManualClock, Platform};
use tayori_records::forms::{Forms, Refusal, StoredForm, SubmitError};
use tayori_records::RecordError;
use tayori_tests::{moto, unique_name};
use tempfile::TempDir;

/// Runs one contract against both adapters, as two tests named after the adapter.
macro_rules! on_both_adapters {
    ($contract:ident) => {
        mod $contract {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn embedded() {
                let subject = super::Platforms::embedded().await;
                super::$contract(&subject).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn aws() {
                if let Some(subject) = super::Platforms::aws().await {
                    super::$contract(&subject).await;
                }
            }
        }
    };
}

struct Platforms {
    platform: Platform,
    /// A second process over the same table and key (another cold start).
    other: Platform,
    clock: Arc<ManualClock>,
    /// Whether the adapter is atomic under truly concurrent writers. SQLite is. Moto is not:
    /// sent 20 at once, it accepted 6 answers for 5 places in 4 runs of 5 (two transactions
    /// both passing their conditions) and answered some with an HTML 500. DynamoDB itself
    /// serialises transactions (a clash is `TransactionConflict`, which the adapter reports
    /// as `ConditionFailed`), so on moto the answers are sent one after another and only the
    /// logic is checked.
    concurrent: bool,
    _dir: Option<TempDir>,
}

impl Platforms {
    async fn embedded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        // Serving presigned URLs, as the local run's store does (the files' contract).
        let (platform, _bus, _served) =
            tayori_adapters::embedded::platform_at(dir.path(), clock.clone(), "http://127.0.0.1:9")
                .unwrap();
        let (other, _bus) = tayori_adapters::embedded::platform(dir.path(), clock.clone()).unwrap();
        Self {
            platform,
            other,
            clock,
            concurrent: true,
            _dir: Some(dir),
        }
    }

    async fn aws() -> Option<Self> {
        let sdk = moto().await?;
        let config = tayori_tests::moto_resources(&sdk, "forms records").await;
        let clock = Arc::new(ManualClock::new(start()));
        Some(Self {
            platform: aws::platform(&sdk, &config, clock.clone()),
            other: aws::platform(&sdk, &config, clock.clone()),
            clock,
            concurrent: false,
            _dir: None,
        })
    }
}

/// A published form stored through `forms`.
async fn published(forms: &Forms, settings: tayori_domain::form::FormSettings) -> StoredForm {
    let clerk = health_clerk();
    let clerk = match settings.department.as_str() {
        "健康課" => clerk,
        _ => support::clerk(
            "kikaku",
            &[tayori_domain::staff::Permission::FormsEdit],
            None,
        ),
    };
    let id = FormId::parse(&uuid_like()).unwrap();
    let form = Form::new(id.clone(), settings, &clerk, start()).unwrap();
    forms.create(&form).await.unwrap();
    forms
        .update::<RecordError>(&id, |f, _| {
            f.publish(&clerk, start()).unwrap();
            Ok(())
        })
        .await
        .unwrap()
        .unwrap();
    forms.get(&id).await.unwrap().unwrap()
}

fn uuid_like() -> String {
    unique_name("form")
}

/// The checkup answer of `user` (a different name per citizen) for `slot`.
fn checkup_values(form: &Form, user: &str) -> tayori_domain::form::CheckedValues {
    form.check_answer(
        &Submitted::new()
            .with("name", &format!("小浜 {user}"))
            .with("phone", "0770-53-1111")
            .with("course", "基本"),
        Audience::Citizen,
    )
    .unwrap()
}

async fn submit(
    forms: &Forms,
    stored: &StoredForm,
    user: &str,
    slot: Option<&str>,
) -> Result<Answer, SubmitError> {
    let form = &stored.form;
    let values = checkup_values(form, user);
    let month = receipt_month(start());
    let id = unique_name("a");
    let slot = slot.map(|s| SlotId::parse(s).unwrap());
    forms
        .submit(stored, &month, |n| {
            Answer::new(
                form,
                AnswerFiling {
                    id: id.clone(),
                    receipt: answer_receipt(&month, n),
                    user_id: user.to_string(),
                    attributes: BTreeMap::new(),
                },
                values.clone(),
                slot.clone(),
                start(),
            )
        })
        .await
}

/// 20 citizens at once for a slot of 5: exactly 5 are accepted, the others told the slot is
/// full, and the counts and the receipt numbers agree.
async fn twenty_answers_for_five_places_end_with_five_accepted(p: &Platforms) {
    let one = Forms::new(&p.platform);
    let two = Forms::new(&p.other);
    let stored = published(&one, checkup(5)).await;
    let results: Vec<Result<Answer, SubmitError>> = if p.concurrent {
        let mut tasks = Vec::new();
        for n in 0..20 {
            let forms = if n % 2 == 0 { one.clone() } else { two.clone() };
            let stored = stored.clone();
            tasks.push(tokio::spawn(async move {
                submit(&forms, &stored, &format!("U-citizen-{n:02}"), Some("am")).await
            }));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    } else {
        let mut results = Vec::new();
        for n in 0..20 {
            let forms = if n % 2 == 0 { &one } else { &two };
            results.push(submit(forms, &stored, &format!("U-citizen-{n:02}"), Some("am")).await);
        }
        results
    };
    let accepted: Vec<&Answer> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(accepted.len(), 5, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, SubmitError::Refused(Refusal::SlotFull)),
                "refused only as full: {e:?}"
            );
            assert_eq!(e.to_string(), "この枠は満席です。別の枠をお選びください。");
        }
    }
    let mut receipts: Vec<&str> = accepted.iter().map(|a| a.receipt()).collect();
    receipts.sort();
    assert_eq!(
        receipts,
        [
            "F2612-0001",
            "F2612-0002",
            "F2612-0003",
            "F2612-0004",
            "F2612-0005"
        ]
    );
    let counts = one.counts(stored.form.id()).await.unwrap();
    assert_eq!(counts.places.total, 5);
    assert_eq!(counts.places.in_slot(&SlotId::parse("am").unwrap()), 5);
    assert_eq!(counts.new, 5);
    // The other slot still has its places.
    submit(&one, &stored, "U-citizen-pm", Some("pm"))
        .await
        .unwrap();
}
on_both_adapters!(twenty_answers_for_five_places_end_with_five_accepted);

/// The whole form's capacity is held the same way.
async fn a_form_full_refuses_as_full(p: &Platforms) {
    let forms = Forms::new(&p.platform);
    let mut settings = checkup(10);
    settings.capacity = Some(2);
    let stored = published(&forms, settings).await;
    submit(&forms, &stored, "U-1", Some("am")).await.unwrap();
    submit(&forms, &stored, "U-2", Some("pm")).await.unwrap();
    let refused = submit(&forms, &stored, "U-3", Some("pm"))
        .await
        .unwrap_err();
    assert!(matches!(refused, SubmitError::Refused(Refusal::Full)));
    assert_eq!(refused.to_string(), "定員に達しました。");
}
on_both_adapters!(a_form_full_refuses_as_full);

/// 1回のみ: a second answer of the same citizen is refused, from another process too; a
/// cancellation gives the place back and lets them book again.
async fn one_answer_per_citizen_until_they_cancel(p: &Platforms) {
    let one = Forms::new(&p.platform);
    let two = Forms::new(&p.other);
    let stored = published(&one, checkup(5)).await;
    let first = submit(&one, &stored, "U-once", Some("am")).await.unwrap();
    let again = submit(&two, &stored, "U-once", Some("pm"))
        .await
        .unwrap_err();
    assert!(matches!(
        again,
        SubmitError::Refused(Refusal::AlreadyAnswered)
    ));
    assert!(two.has_answered(stored.form.id(), "U-once").await.unwrap());
    assert!(!two.has_answered(stored.form.id(), "U-other").await.unwrap());

    let form = stored.form.clone();
    let (before, after) = one
        .update_answer::<RecordError>(first.id(), |a| {
            a.cancel_by_citizen(&form, "U-once", start()).unwrap();
            Ok(())
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.status(), AnswerStatus::Received);
    assert_eq!(after.status(), AnswerStatus::Cancelled);
    let counts = one.counts(form.id()).await.unwrap();
    assert_eq!((counts.places.total, counts.ever), (0, 1));
    assert_eq!(counts.places.in_slot(&SlotId::parse("am").unwrap()), 0);
    assert!(!one.has_answered(form.id(), "U-once").await.unwrap());
    submit(&two, &stored, "U-once", Some("pm")).await.unwrap();

    // A form answered as often as one likes sets no marker.
    let survey = published(&one, survey(PerCitizen::Many)).await;
    let values = survey
        .form
        .check_answer(
            &Submitted::new().with("satisfaction", "満足"),
            Audience::Citizen,
        )
        .unwrap();
    for _ in 0..2 {
        let id = unique_name("a");
        one.submit(&survey, "2612", |n| {
            Answer::new(
                &survey.form,
                AnswerFiling {
                    id: id.clone(),
                    receipt: answer_receipt("2612", n),
                    user_id: "U-many".into(),
                    attributes: BTreeMap::new(),
                },
                values.clone(),
                None,
                start(),
            )
        })
        .await
        .unwrap();
    }
    assert_eq!(one.of_citizen("U-many", 10).await.unwrap().len(), 2);
}
on_both_adapters!(one_answer_per_citizen_until_they_cancel);

/// The raw table names neither the citizen nor their personal values; the answer reads back
/// whole, pages newest first, and is found by its citizen.
async fn answers_are_sealed_paged_and_found_by_their_citizen(p: &Platforms) {
    let forms = Forms::new(&p.platform);
    let stored = published(&forms, checkup(10)).await;
    let mut given = Vec::new();
    for n in 0..7 {
        p.clock.advance(Duration::minutes(1));
        given.push(
            submit(&forms, &stored, &format!("U-sealed-{n}"), Some("am"))
                .await
                .unwrap(),
        );
    }
    let raw = p
        .platform
        .table
        .query(tayori_ports::Query::partition(format!("FORMANSWER#{}", stored.form.id())).limit(50))
        .await
        .unwrap();
    assert_eq!(raw.items.len(), 7);
    for item in &raw.items {
        let body = item.body.to_string();
        assert!(!body.contains("U-sealed"), "{body}");
        assert!(!body.contains("小浜"), "{body}");
        assert!(!body.contains("0770"), "{body}");
        assert!(
            body.contains("基本"),
            "a value that is not personal stays readable"
        );
    }
    // Answers keep the time they were submitted, not the clock: all are at start().
    let other = Forms::new(&p.other);
    let got = other.answer(given[3].id()).await.unwrap().unwrap();
    assert_eq!(got.answer, given[3]);

    let first = other.answers(stored.form.id(), None, 3).await.unwrap();
    assert_eq!(first.answers.len(), 3);
    let mut all = first.answers.clone();
    let mut cursor = first.cursor;
    while cursor.is_some() {
        let page = other.answers(stored.form.id(), cursor, 3).await.unwrap();
        all.extend(page.answers);
        cursor = page.cursor;
    }
    let mut streamed = Vec::new();
    let mut pager = other.each_answer(stored.form.id());
    while let Some(page) = pager.next_page().await.unwrap() {
        streamed.extend(page);
    }
    assert_eq!(streamed, all);
    let mut expected = given.clone();
    expected.sort_by(|a, b| (b.submitted_at(), b.id()).cmp(&(a.submitted_at(), a.id())));
    assert_eq!(all, expected, "every answer once, newest first");

    let theirs = other.of_citizen("U-sealed-2", 10).await.unwrap();
    assert_eq!(theirs, vec![given[2].clone()]);
    assert!(other.of_citizen("U-nobody", 10).await.unwrap().is_empty());
}
on_both_adapters!(answers_are_sealed_paged_and_found_by_their_citizen);

/// Editing a form without answers changes its version in place; with answers it keeps the old
/// version beside the new one, and the old answer names the version it answered.
async fn versions_are_kept_once_answers_exist(p: &Platforms) {
    let forms = Forms::new(&p.platform);
    let clerk = health_clerk();
    let stored = published(&forms, checkup(5)).await;
    let id = stored.form.id().clone();
    let mut renamed = checkup(5);
    renamed.title = "特定健診の予約（12月）".into();
    let (_, after) = forms
        .update::<RecordError>(&id, |f, has_answers| {
            f.edit(renamed.clone(), has_answers, &clerk, start())
                .unwrap();
            Ok(())
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version(), 1, "no answers: changed in place");

    // An answer checked against the form before an edit is told the form changed.
    let stale = stored.clone();
    let refreshed = forms.get(&id).await.unwrap().unwrap();
    let refused = submit(&forms, &stale, "U-stale", Some("am"))
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        SubmitError::Refused(Refusal::FormChanged)
    ));

    let answer = submit(&forms, &refreshed, "U-v1", Some("am"))
        .await
        .unwrap();
    let mut more = checkup(5);
    more.fields.push(field(
        "note",
        "連絡事項",
        tayori_domain::form::FieldKind::LongText { max_chars: 200 },
    ));
    let (_, after) = forms
        .update::<RecordError>(&id, |f, has_answers| {
            f.edit(more.clone(), has_answers, &clerk, start()).unwrap();
            Ok(())
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version(), 2);
    let v1 = forms.version(&id, 1).await.unwrap().unwrap();
    assert_eq!(v1.title(), "特定健診の予約（12月）");
    assert!(v1
        .field(&tayori_domain::form::FieldId::parse("note").unwrap())
        .is_none());
    assert!(forms
        .version(&id, 2)
        .await
        .unwrap()
        .unwrap()
        .field(&tayori_domain::form::FieldId::parse("note").unwrap())
        .is_some());
    let read = forms.answer(answer.id()).await.unwrap().unwrap().answer;
    assert_eq!(read.form_version(), 1);
    assert_eq!(forms.all().await.unwrap().len(), 1);
}
on_both_adapters!(versions_are_kept_once_answers_exist);

/// A draft is stored sealed, read back by its citizen only, cleared by their answer and gone
/// seven days after its last change.
async fn a_draft_is_sealed_cleared_by_the_answer_and_expires(p: &Platforms) {
    let forms = Forms::new(&p.platform);
    let stored = published(&forms, checkup(5)).await;
    let id = stored.form.id().clone();
    let values: BTreeMap<String, Vec<String>> =
        [("name".to_string(), vec!["小浜 下書き".to_string()])].into();
    let draft = FormDraft::new(id.clone(), "U-draft", values.clone(), None, start()).unwrap();
    forms.save_draft(&draft).await.unwrap();
    // The key holds a keyed hash of the citizen, the body only the sealed draft.
    let hash = tayori_records::index_keys::IndexKeyRecord::new(&p.platform)
        .keys()
        .await
        .unwrap()
        .current()
        .segment_key("formcitizen", "U-draft");
    let raw = p
        .platform
        .table
        .get(&format!("FORMDRAFT#{id}#{hash}"), "DRAFT")
        .await
        .unwrap()
        .expect("the draft is stored under the citizen's hash");
    let body = raw.body.to_string();
    assert!(
        !body.contains("小浜") && !body.contains("U-draft"),
        "{body}"
    );
    assert_eq!(
        forms.draft(&id, "U-draft").await.unwrap(),
        Some(draft.clone())
    );
    assert_eq!(forms.draft(&id, "U-else").await.unwrap(), None);

    submit(&forms, &stored, "U-draft", Some("am"))
        .await
        .unwrap();
    assert_eq!(
        forms.draft(&id, "U-draft").await.unwrap(),
        None,
        "cleared by the answer"
    );

    let kept = FormDraft::new(id.clone(), "U-later", values, None, start()).unwrap();
    forms.save_draft(&kept).await.unwrap();
    p.clock.advance(DRAFT_KEPT - Duration::seconds(1));
    assert_eq!(forms.draft(&id, "U-later").await.unwrap(), Some(kept));
    p.clock.advance(Duration::seconds(2));
    assert_eq!(
        forms.draft(&id, "U-later").await.unwrap(),
        None,
        "gone after 7 days"
    );
}
on_both_adapters!(a_draft_is_sealed_cleared_by_the_answer_and_expires);

/// A photo field's files on each store: presigned for the citizen only, read back and checked
/// by content at sending, re-encoded without Exif and kept privately with the answer (SSE-KMS
/// on S3), the upload removed; another citizen's key stores nothing.
async fn files_are_checked_by_content_and_kept_with_the_answer(p: &Platforms) {
    use tayori_domain::form::{AnswerValue, FieldId, FieldKind, FileType};
    use tayori_formdesk::{Clerk, FormDesk, UploadedFile, FORM_FILE_PREFIX, FORM_UPLOAD_PREFIX};
    use tayori_images::fixtures::{jpeg_segments, photo_with_gps};
    use tayori_ports::ObjectKey;

    let desk = FormDesk::new(&p.platform);
    let staff = health_clerk();
    let clerk = Clerk {
        account: &staff,
        ip: "192.0.2.1",
    };
    let mut settings = survey(PerCitizen::Many);
    settings.department = "健康課".into();
    settings.fields.push(required(field(
        "photo",
        "写真",
        FieldKind::File {
            types: vec![FileType::Jpeg, FileType::Png],
            max_bytes: 1024 * 1024,
            max_files: 1,
        },
    )));
    let form = desk.create(clerk, settings).await.unwrap();
    desk.publish(clerk, form.id()).await.unwrap();
    let photo = photo_with_gps(300, 200, 6);
    let mut keys = Vec::new();
    for user in ["U-files", "U-other"] {
        let given = desk
            .presign_file(form.id(), "photo", user, "image/jpeg", photo.len() as u64)
            .await
            .unwrap();
        assert!(given.key.starts_with(FORM_UPLOAD_PREFIX));
        assert_eq!(given.upload.method.to_string(), "PUT");
        // What the browser's PUT leaves in the store.
        p.platform
            .objects
            .put(
                &ObjectKey::new(given.key.clone()).unwrap(),
                photo.clone(),
                "image/jpeg",
            )
            .await
            .unwrap();
        keys.push(given.key);
    }
    let values = Submitted::new().with("satisfaction", "満足");
    let sent = |key: &str| -> BTreeMap<String, Vec<UploadedFile>> {
        [(
            "photo".to_string(),
            vec![UploadedFile {
                key: key.to_string(),
                name: "写真.jpg".into(),
            }],
        )]
        .into_iter()
        .collect()
    };
    let now = tayori_ports::Clock::now(p.clock.as_ref());
    let forged = desk
        .submit_uploaded(
            form.id(),
            "U-files",
            &values,
            &sent(&keys[1]),
            None,
            BTreeMap::new(),
            now,
        )
        .await
        .unwrap_err();
    let tayori_formdesk::FormDeskError::Values(errors) = forged else {
        panic!("{forged}");
    };
    assert_eq!(
        errors.for_field("photo"),
        Some(&tayori_domain::form::AnswerProblem::FileNotReceived)
    );
    assert!(p
        .platform
        .objects
        .list(FORM_FILE_PREFIX)
        .await
        .unwrap()
        .is_empty());

    let answer_id = match desk
        .submit_uploaded(
            form.id(),
            "U-files",
            &values,
            &sent(&keys[0]),
            None,
            BTreeMap::new(),
            now,
        )
        .await
    {
        Ok(receipt) => receipt.answer_id,
        // Moto has no event bus here: the answer is stored, its receipt push not asked for.
        Err(tayori_formdesk::FormDeskError::NotPublished(answer, _)) => answer.id().to_string(),
        Err(e) => panic!("{e}"),
    };
    let detail = desk.answer(clerk, &answer_id).await.unwrap();
    let Some(AnswerValue::Files(files)) = detail.answer.value(&FieldId::parse("photo").unwrap())
    else {
        panic!("no photo attached");
    };
    let stored = p
        .platform
        .objects
        .get(&ObjectKey::new(files[0].key.clone()).unwrap())
        .await
        .unwrap()
        .expect("the photo is kept");
    assert_eq!(stored.bytes.len() as u64, files[0].bytes);
    assert!(!jpeg_segments(&stored.bytes).contains(&0xE1), "no Exif");
    assert!(detail.file_links.contains_key(&files[0].key));
    let gone = ObjectKey::new(keys[0].clone()).unwrap();
    assert!(
        p.platform.objects.get(&gone).await.unwrap().is_none(),
        "the upload is removed"
    );
}

on_both_adapters!(files_are_checked_by_content_and_kept_with_the_answer);
