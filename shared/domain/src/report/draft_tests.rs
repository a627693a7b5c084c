use super::*;
use crate::report::category::{CategoryId, CategorySettings};
use crate::report::tests::{city_hall, now, photo};
use crate::report::Question as Asked;
use crate::report::{Filing, Report};
use Step::{Confirm, ContactName, ContactPhone, Details, Location, Photos, Question};

/// 不法投棄 with one optional question: every step exists (it asks for a contact, and its
/// photo is optional).
fn dumping() -> Category {
    let mut c = Category::defaults()[4].clone();
    let mut s = c.settings();
    s.questions = vec![Asked {
        label: "どのくらいの量ですか".into(),
        required: false,
    }];
    c.edit(s).unwrap();
    c
}

fn road_with_required_question() -> Category {
    Category::new(
        CategoryId::parse("road2").unwrap(),
        CategorySettings {
            questions: vec![Asked {
                label: "大きさは".into(),
                required: true,
            }],
            ..Category::defaults()[0].settings()
        },
    )
    .unwrap()
}

const PHONE: &str = "0770-53-1111";

/// A dumping draft walked to `step`, nothing but the steps' own inputs given.
fn at(step: Step) -> ReportDraft {
    let t = now();
    let mut d = ReportDraft::start("U1", dumping(), t).unwrap();
    let walk: &[Step] = &[
        Location,
        Photos,
        Details,
        Question(0),
        ContactName,
        ContactPhone,
        Confirm,
    ];
    if step == Step::Category {
        d.back(t).unwrap();
        return d;
    }
    for s in walk {
        if d.step() == step {
            break;
        }
        match s {
            Location => d
                .locate(city_hall(), Some("小浜市大手町".into()), true, t)
                .unwrap(),
            Photos => d.photos_done(t).unwrap(),
            Details => d.details("ごみが捨てられています", t).unwrap(),
            Question(_) => d.answer("軽トラ1台分", t).unwrap(),
            ContactName => d.contact_name("小浜 花子", t).unwrap(),
            ContactPhone => d.contact_phone(PHONE, t).unwrap(),
            _ => unreachable!(),
        }
    }
    assert_eq!(d.step(), step);
    d
}

#[derive(Clone, Copy, Debug)]
enum Input {
    Choose,
    Locate,
    LocateOutside,
    Photo,
    PhotosDone,
    Text,
    Skip,
    Back,
    Confirm,
}

const INPUTS: [Input; 9] = [
    Input::Choose,
    Input::Locate,
    Input::LocateOutside,
    Input::Photo,
    Input::PhotosDone,
    Input::Text,
    Input::Skip,
    Input::Back,
    Input::Confirm,
];

fn give(d: &mut ReportDraft, input: Input) -> Result<(), DraftError> {
    let t = now();
    match input {
        Input::Choose => d.choose(dumping(), t),
        Input::Locate => d.locate(city_hall(), None, true, t),
        Input::LocateOutside => d.locate(city_hall(), None, false, t),
        Input::Photo => d.photo_stored(photo(9), t),
        Input::PhotosDone => d.photos_done(t),
        Input::Text => d.text(PHONE, t),
        Input::Skip => d.skip_question(t),
        Input::Back => d.back(t),
        Input::Confirm => d.confirm(t).map(|_| ()),
    }
}

/// What each input does at each step: `Ok(step)` moves there, `Err(None)` is "not now" (the
/// step's prompt), `Err(Some(e))` another refusal.
#[test]
fn every_input_at_every_step() {
    type Want = Result<Step, Option<DraftError>>;
    let no = Err(None);
    let table: Vec<(Step, [Want; 9])> = vec![
        // Choose, Locate, Outside, Photo, PhotosDone, Text, Skip, Back, Confirm
        (
            Step::Category,
            [
                Ok(Location),
                no.clone(),
                no.clone(),
                no.clone(),
                no.clone(),
                no.clone(),
                no.clone(),
                Err(Some(DraftError::NothingBefore)),
                no.clone(),
            ],
        ),
        (
            Location,
            [
                no.clone(),
                Ok(Photos),
                Err(Some(InputProblem::OutsideCity.into())),
                no.clone(),
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(Step::Category),
                no.clone(),
            ],
        ),
        (
            Photos,
            [
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(Photos),
                Ok(Details),
                no.clone(),
                no.clone(),
                Ok(Location),
                no.clone(),
            ],
        ),
        (
            Details,
            [
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(Details),
                no.clone(),
                Ok(Question(0)),
                no.clone(),
                Ok(Photos),
                no.clone(),
            ],
        ),
        (
            Question(0),
            [
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(Question(0)),
                no.clone(),
                Ok(ContactName),
                Ok(ContactName),
                Ok(Details),
                no.clone(),
            ],
        ),
        (
            ContactName,
            [
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(ContactName),
                no.clone(),
                Ok(ContactPhone),
                no.clone(),
                Ok(Question(0)),
                no.clone(),
            ],
        ),
        (
            ContactPhone,
            [
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(ContactPhone),
                no.clone(),
                Ok(Confirm),
                no.clone(),
                Ok(ContactName),
                no.clone(),
            ],
        ),
        (
            Confirm,
            [
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(Confirm),
                no.clone(),
                no.clone(),
                no.clone(),
                Ok(ContactPhone),
                Ok(Confirm),
            ],
        ),
    ];
    for (step, wants) in table {
        for (input, want) in INPUTS.into_iter().zip(wants) {
            let mut d = at(step);
            let before = d.clone();
            let got = give(&mut d, input);
            match (got, want) {
                (Ok(()), Ok(next)) => assert_eq!(d.step(), next, "{step:?} + {input:?}"),
                (Err(e), Err(None)) => {
                    assert_eq!(
                        e,
                        DraftError::Expected {
                            step,
                            prompt: before.prompt()
                        },
                        "{step:?} + {input:?}"
                    );
                    assert_eq!(
                        d, before,
                        "a refusal keeps everything: {step:?} + {input:?}"
                    );
                }
                (Err(e), Err(Some(want))) => {
                    assert_eq!(e, want, "{step:?} + {input:?}");
                    assert_eq!(
                        d, before,
                        "a refusal keeps everything: {step:?} + {input:?}"
                    );
                }
                (got, want) => panic!("{step:?} + {input:?}: got {got:?}, wanted {want:?}"),
            }
        }
    }
}

#[test]
fn bad_values_are_refused_with_what_to_send_and_nothing_is_lost() {
    let t = now();
    let mut d = at(Details);
    let before = d.clone();
    let e = d.details(&"あ".repeat(501), t).unwrap_err();
    assert_eq!(
        e.to_string(),
        "内容は500文字以内で送ってください（いま501文字です）。"
    );
    assert_eq!(d, before);

    let mut d = at(ContactPhone);
    let before = d.clone();
    assert_eq!(
        d.contact_phone("12-34", t),
        Err(InputProblem::BadPhone.into())
    );
    assert_eq!(d, before);

    let mut d = at(Location);
    let e = d.locate(city_hall(), None, false, t).unwrap_err();
    assert!(e.to_string().contains("市内の"), "{e}");

    let mut road = ReportDraft::start("U1", road_with_required_question(), t).unwrap();
    road.locate(city_hall(), None, true, t).unwrap();
    assert_eq!(road.photos_done(t), Err(InputProblem::PhotoRequired.into()));
    for n in 1..=4 {
        road.photo_stored(photo(n), t).unwrap();
    }
    let before = road.clone();
    assert_eq!(
        road.photo_stored(photo(5), t),
        Err(InputProblem::TooManyPhotos.into())
    );
    assert_eq!(road, before);
    road.photos_done(t).unwrap();
    road.details("穴", t).unwrap();
    assert_eq!(
        road.skip_question(t),
        Err(InputProblem::AnswerRequired("大きさは".into()).into())
    );
    road.answer("30cm", t).unwrap();
    assert_eq!(
        road.step(),
        Confirm,
        "an anonymous category asks no contact"
    );
    road.back(t).unwrap();
    assert_eq!(road.step(), Question(0));
}

#[test]
fn going_back_keeps_what_was_given() {
    let t = now();
    let mut d = at(Confirm);
    for _ in 0..6 {
        d.back(t).unwrap();
    }
    assert_eq!(d.step(), Location);
    assert_eq!(d.details_text(), Some("ごみが捨てられています"));
    assert_eq!(d.answers(), [Some("軽トラ1台分".to_string())]);
    assert_eq!(d.contact_phone_given(), Some(PHONE));
    assert_eq!(d.place_note(), Some("小浜市大手町"));
    d.back(t).unwrap();
    // Choosing another category drops what only the first one asked.
    d.choose(Category::defaults()[0].clone(), t).unwrap();
    assert_eq!(d.answers(), [] as [Option<String>; 0]);
    assert_eq!(d.contact_name_given(), None);
    assert_eq!(d.details_text(), Some("ごみが捨てられています"));
}

#[test]
fn a_draft_expires_after_an_idle_hour_and_says_so() {
    let t = now();
    let mut d = at(Details);
    let later = t + Duration::minutes(DRAFT_IDLE_MINUTES);
    assert!(!d.is_expired(later - Duration::seconds(1)));
    assert!(d.is_expired(later));
    let before = d.clone();
    for input in INPUTS {
        let result = match input {
            Input::Text => d.text("穴", later),
            Input::Back => d.back(later),
            Input::Photo => d.photo_stored(photo(1), later),
            Input::Confirm => d.confirm(later).map(|_| ()),
            Input::Skip => d.skip_question(later),
            _ => continue,
        };
        assert_eq!(result, Err(DraftError::Expired), "{input:?}");
    }
    assert_eq!(d, before);
    assert!(DraftError::Expired.to_string().contains("60分間"));
    // Each change restarts the hour.
    d.details("穴", t + Duration::minutes(59)).unwrap();
    assert!(!d.is_expired(later));
}

#[test]
fn a_confirmed_draft_files_as_a_chat_report_with_its_contact() {
    let t = now();
    let mut d = at(Photos);
    d.photo_stored(photo(1), t).unwrap();
    d.photos_done(t).unwrap();
    d.details("ごみ", t).unwrap();
    d.skip_question(t).unwrap();
    d.contact_name("小浜 花子", t).unwrap();
    d.contact_phone("０７７０－５３－１１１１", t).unwrap();
    let confirmed = d.confirm(t).unwrap();
    assert_eq!(confirmed.form.answers, [""]);
    let filing = Filing {
        id: "r1".into(),
        receipt: "2612-0001".into(),
        district: None,
    };
    let report = Report::file(&confirmed.category, confirmed.form, filing, t).unwrap();
    assert_eq!(report.channel(), Channel::Chat);
    assert_eq!(report.photos().len(), 1);
    assert_eq!(report.reporter().user_id, "U1");
    assert_eq!(report.reporter().contact.as_ref().unwrap().phone, PHONE);
    assert_eq!(report.answers(), []);
}

#[test]
fn a_retired_category_cannot_be_started() {
    let mut c = dumping();
    c.retire();
    assert_eq!(
        ReportDraft::start("U1", c, now()),
        Err(InputProblem::CategoryRetired.into())
    );
}

#[test]
fn a_stored_draft_decodes() {
    let d = at(Question(0));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(
        json["step"],
        serde_json::json!({"step": "question", "index": 0})
    );
    let back: ReportDraft = serde_json::from_value(json).unwrap();
    assert_eq!(back, d);
}

#[test]
fn a_photo_from_the_same_line_message_is_attached_once() {
    let t = now();
    let mut road = ReportDraft::start("U1", road_with_required_question(), t).unwrap();
    road.locate(city_hall(), None, true, t).unwrap();
    assert_eq!(road.photo_from_line("m1", photo(1), t), Ok(true));
    assert!(road.has_photo_from("m1"));
    assert_eq!(road.photo_from_line("m1", photo(2), t), Ok(false));
    assert_eq!(road.photos(), [photo(1)]);
    assert_eq!(road.photo_from_line("m2", photo(2), t), Ok(true));
    assert_eq!(road.photos().len(), 2);
    assert!(!road.has_photo_from("m3"));
}
