//! The consultation records (`tayori_records::consultations`) held to one contract on both
//! adapters: the embedded one (SQLite) and DynamoDB on moto. Each contract runs as an
//! `embedded` and an `aws` test; the latter is skipped without moto unless
//! `TAYORI_REQUIRE_AWS=1`.

use crate::support::*;

use chrono::Duration;
use tayori_domain::consultation::{
    Case, CitizenContent, Closing, ConsultationError, ConsultationSettings, ImageRef, Message,
    OfficeHours, Topic,
};
use tayori_domain::report::ResponseTemplate;
use tayori_ports::{KeyRange, Query};
use tayori_records::consultations::{Consultations, Opening};
use tayori_records::RecordError;

/// Runs one contract against both adapters, as two tests named after the adapter.
macro_rules! on_both_adapters {
    ($contract:ident) => {
        mod $contract {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                let subject = super::Platforms::embedded().await;
                super::$contract(&subject).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn aws() {
                if let Some(subject) = super::Platforms::aws().await {
                    super::$contract(&subject).await;
                }
            }
        }
    };
}

#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error(transparent)]
    Case(#[from] ConsultationError),
    #[error(transparent)]
    Record(#[from] RecordError),
}

fn case(id: &str, topic: Topic, user: &str) -> Case {
    Case::open(id.into(), topic, user.into(), start())
}

async fn write(records: &Consultations, id: &str, text: &str) -> Case {
    records
        .update::<Refused>(id, |case| {
            Ok(Some(case.citizen_wrote(
                CitizenContent::Text(text.into()),
                start() + Duration::minutes(1),
            )?))
        })
        .await
        .unwrap()
        .unwrap()
}

async fn a_citizen_has_one_open_case_found_by_their_user_id(p: &Platforms) {
    let records = Consultations::new(&p.platform);
    let first = case("c1", Topic::Childcare, CITIZEN);
    assert_eq!(records.open(&first).await.unwrap(), Opening::Opened);
    let second = case("c2", Topic::Garbage, CITIZEN);
    assert_eq!(records.open(&second).await.unwrap(), Opening::AlreadyOpen);
    assert!(
        records.get("c2").await.unwrap().is_none(),
        "nothing written"
    );
    assert_eq!(records.open_case_of(CITIZEN).await.unwrap(), Some(first));
    assert_eq!(records.open_case_of(OTHER_CITIZEN).await.unwrap(), None);
}
on_both_adapters!(a_citizen_has_one_open_case_found_by_their_user_id);

async fn the_conversation_is_appended_sealed_and_read_back_in_order(p: &Platforms) {
    let records = Consultations::new(&p.platform);
    records
        .open(&case("c1", Topic::Childcare, CITIZEN))
        .await
        .unwrap();
    write(&records, "c1", "保育園の入園について相談したいです").await;
    let image = ImageRef {
        key: "consultations/c1/1.jpg".into(),
    };
    records
        .update::<Refused>("c1", |case| {
            Ok(Some(case.citizen_wrote(
                CitizenContent::Image(image.clone()),
                start() + Duration::minutes(2),
            )?))
        })
        .await
        .unwrap();
    let after = records
        .update::<Refused>("c1", |case| {
            Ok(Some(case.reply(
                &kosodate(),
                "担当の者です。ご用件を伺います。",
                start() + Duration::minutes(3),
            )?))
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!((after.citizen_messages(), after.replies()), (2, 1));

    let messages = records.messages("c1").await.unwrap();
    let kinds: Vec<_> = messages
        .iter()
        .map(|m| match m {
            Message::CitizenText { text, .. } => text.clone(),
            Message::CitizenImage { image, .. } => image.key.clone(),
            Message::Reply { text, .. } => text.clone(),
            Message::Note { text, .. } => text.clone(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "保育園の入園について相談したいです",
            "consultations/c1/1.jpg",
            "担当の者です。ご用件を伺います。"
        ]
    );

    // Nothing the citizen wrote, nor who they are, is in the table in the clear.
    let stored = p
        .platform
        .table
        .query(
            Query::partition("CONSULT#c1")
                .range(KeyRange::All)
                .limit(50),
        )
        .await
        .unwrap();
    assert_eq!(stored.items.len(), 4, "the case and three messages");
    for item in &stored.items {
        let body = item.body.to_string();
        assert!(!body.contains("保育園"), "{body}");
        assert!(!body.contains("ご用件"), "{body}");
        assert!(!body.contains(CITIZEN), "{body}");
    }
}
on_both_adapters!(the_conversation_is_appended_sealed_and_read_back_in_order);

async fn a_refused_change_writes_neither_the_case_nor_a_message(p: &Platforms) {
    let records = Consultations::new(&p.platform);
    records
        .open(&case("c1", Topic::Childcare, CITIZEN))
        .await
        .unwrap();
    let refused = records
        .update::<Refused>("c1", |case| {
            Ok(Some(case.reply(&kankyo(), "返信", start())?))
        })
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        Refused::Case(ConsultationError::OtherDepartment(_))
    ));
    assert!(records.messages("c1").await.unwrap().is_empty());
    assert_eq!(records.get("c1").await.unwrap().unwrap().replies(), 0);
    assert!(records
        .update::<Refused>("nope", |_| Ok(None))
        .await
        .unwrap()
        .is_none());
}
on_both_adapters!(a_refused_change_writes_neither_the_case_nor_a_message);

async fn closing_moves_the_case_to_the_closed_list_and_frees_the_citizen(p: &Platforms) {
    let records = Consultations::new(&p.platform);
    records
        .open(&case("c1", Topic::Childcare, CITIZEN))
        .await
        .unwrap();
    p.clock.advance(Duration::minutes(1));
    let later = Case::open(
        "c2".into(),
        Topic::Childcare,
        OTHER_CITIZEN.into(),
        start() + Duration::minutes(1),
    );
    records.open(&later).await.unwrap();
    records
        .open(&case(
            "g1",
            Topic::Garbage,
            "U1111111111111111111111111111111a",
        ))
        .await
        .unwrap();

    let open = records
        .of_department("子ども未来課", true, 50, None)
        .await
        .unwrap();
    let ids: Vec<_> = open.cases.iter().map(|c| c.id().to_string()).collect();
    assert_eq!(ids, ["c2", "c1"], "newest first, this department only");

    records
        .update::<Refused>("c1", |case| {
            case.close(&kosodate(), Closing::Resolved, start() + Duration::hours(1))?;
            Ok(None)
        })
        .await
        .unwrap();
    let open = records
        .of_department("子ども未来課", true, 50, None)
        .await
        .unwrap();
    assert_eq!(open.cases.len(), 1);
    let closed = records
        .of_department("子ども未来課", false, 50, None)
        .await
        .unwrap();
    assert_eq!(closed.cases[0].id(), "c1");
    assert_eq!(closed.cases[0].closed().unwrap().closing, Closing::Resolved);
    assert_eq!(records.open_case_of(CITIZEN).await.unwrap(), None);
    // The citizen may start again.
    let again = case("c3", Topic::Welfare, CITIZEN);
    assert_eq!(records.open(&again).await.unwrap(), Opening::Opened);
    assert_eq!(
        records.open_case_of(CITIZEN).await.unwrap().unwrap().id(),
        "c3"
    );
}
on_both_adapters!(closing_moves_the_case_to_the_closed_list_and_frees_the_citizen);

async fn templates_and_settings_are_kept(p: &Platforms) {
    let records = Consultations::new(&p.platform);
    assert!(records.templates().await.unwrap().is_empty());
    assert_eq!(
        records.settings().await.unwrap(),
        ConsultationSettings::default()
    );
    let template = ResponseTemplate::new("t1".into(), "受付", "ご相談を承りました。").unwrap();
    records
        .update_templates::<RecordError>(|items| {
            items.push(template.clone());
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(records.templates().await.unwrap(), [template]);
    let settings = ConsultationSettings::new(OfficeHours::default(), 24, 30).unwrap();
    records.save_settings(&settings).await.unwrap();
    assert_eq!(records.settings().await.unwrap(), settings);
}
on_both_adapters!(templates_and_settings_are_kept);
