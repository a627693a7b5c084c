//! Webhook bodies: the project's sample events, and what LINE may send that this code has
//! never seen.

use std::path::PathBuf;
use tayori_line::webhook::{self, ContentProvider, EventKind, IncomingMessage, Mode, Source};

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events/line")
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(samples_dir().join(name)).unwrap_or_else(|e| panic!("read sample {name}: {e}"))
}

#[test]
fn every_sample_webhook_body_parses_into_known_events() {
    let mut parsed = 0;
    for entry in std::fs::read_dir(samples_dir()).expect("events/line exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".body.json") {
            continue;
        }
        let body = webhook::parse(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!body.events.is_empty(), "{name} holds events");
        for event in &body.events {
            assert!(
                !matches!(event.kind, EventKind::Unknown { .. }),
                "{name}: {:?}",
                event.kind
            );
            assert!(!matches!(
                event.kind,
                EventKind::Message(IncomingMessage::Unknown { .. })
            ));
            assert!(!event.webhook_event_id.is_empty(), "{name}");
            assert_eq!(event.mode, Mode::Active);
            assert!(event.source.user_id().is_some(), "{name}");
        }
        parsed += 1;
    }
    assert!(parsed >= 6, "only {parsed} samples found");
}

#[test]
fn the_text_sample_reads_as_a_text_message_from_a_user() {
    let body = webhook::parse(&sample("text.body.json")).unwrap();
    assert_eq!(body.destination, "Uf00dfeed0000000000000000000000aa");
    let event = &body.events[0];
    assert_eq!(event.webhook_event_id, "01JH0000000000000000000002");
    assert_eq!(event.timestamp, 1_767_139_202_000);
    assert!(!event.is_redelivery);
    assert_eq!(
        event.reply_token.as_deref(),
        Some("sample-reply-token-message-0002")
    );
    assert_eq!(
        event.source,
        Source::User {
            user_id: "U0123456789abcdef0123456789abcdef".into()
        }
    );
    match &event.kind {
        EventKind::Message(IncomingMessage::Text {
            id,
            text,
            quote_token,
            ..
        }) => {
            assert_eq!(id, "500000000000000002");
            assert_eq!(text, "ごみの日を教えて");
            assert_eq!(quote_token.as_deref(), Some("q-sample-text-0002"));
        }
        other => panic!("expected a text message, got {other:?}"),
    }
}

#[test]
fn the_other_samples_read_as_what_they_are() {
    let kind = |name: &str| {
        webhook::parse(&sample(name)).unwrap().events[0]
            .kind
            .clone()
    };
    assert_eq!(
        kind("follow.body.json"),
        EventKind::Follow {
            is_unblocked: false
        }
    );
    assert_eq!(kind("unfollow.body.json"), EventKind::Unfollow);
    assert_eq!(
        kind("postback.body.json"),
        EventKind::Postback {
            data: "action=segment&attribute=district&choice=obama".into(),
            params: None
        }
    );
    match kind("location.body.json") {
        EventKind::Message(IncomingMessage::Location {
            title,
            latitude,
            longitude,
            ..
        }) => {
            assert_eq!(title.as_deref(), Some("小浜市役所"));
            assert!((latitude - 35.4955).abs() < 1e-9);
            assert!((longitude - 135.7466).abs() < 1e-9);
        }
        other => panic!("expected a location, got {other:?}"),
    }
    match kind("image.body.json") {
        EventKind::Message(IncomingMessage::Image {
            id,
            content_provider,
            ..
        }) => {
            assert_eq!(id, "500000000000000004");
            assert_eq!(content_provider, ContentProvider::Line);
        }
        other => panic!("expected an image, got {other:?}"),
    }
}

const COMMON: &str = r#""webhookEventId":"01JH9","deliveryContext":{"isRedelivery":true},"timestamp":1767139201000,"source":{"type":"user","userId":"U1"},"mode":"active""#;

fn batch(events: &[String]) -> Vec<u8> {
    format!(
        r#"{{"destination":"Uf00d","events":[{}]}}"#,
        events.join(",")
    )
    .into_bytes()
}

#[test]
fn an_unknown_event_type_does_not_fail_the_batch() {
    let body = batch(&[
        format!(r#"{{"type":"teleport","teleport":{{"to":"moon"}},{COMMON}}}"#),
        format!(r#"{{"type":"unfollow",{COMMON}}}"#),
    ]);
    let parsed = webhook::parse(&body).unwrap();
    assert_eq!(parsed.events.len(), 2);
    assert_eq!(
        parsed.events[0].kind,
        EventKind::Unknown {
            event_type: "teleport".into()
        }
    );
    assert!(parsed.events[0].is_redelivery);
    assert_eq!(parsed.events[1].kind, EventKind::Unfollow);
}

#[test]
fn an_unknown_message_type_does_not_fail_the_batch() {
    let body = batch(&[
        format!(
            r#"{{"type":"message","replyToken":"r","message":{{"type":"hologram","id":"9"}},{COMMON}}}"#
        ),
        format!(
            r#"{{"type":"message","replyToken":"r2","message":{{"type":"text","id":"10","text":"こんにちは","quoteToken":"q"}},{COMMON}}}"#
        ),
    ]);
    let parsed = webhook::parse(&body).unwrap();
    assert_eq!(
        parsed.events[0].kind,
        EventKind::Message(IncomingMessage::Unknown {
            id: "9".into(),
            message_type: "hologram".into()
        })
    );
    assert!(matches!(
        parsed.events[1].kind,
        EventKind::Message(IncomingMessage::Text { .. })
    ));
}

#[test]
fn unknown_extra_fields_are_ignored() {
    let body = format!(
        r#"{{"destination":"Uf00d","newTopLevel":1,"events":[{{"type":"follow","follow":{{"isUnblocked":true,"since":"2026"}},"futureField":{{"x":[1,2]}},{COMMON}}}]}}"#
    );
    let parsed = webhook::parse(body.as_bytes()).unwrap();
    assert_eq!(
        parsed.events[0].kind,
        EventKind::Follow { is_unblocked: true }
    );
}

#[test]
fn a_known_event_with_an_unreadable_part_is_kept_as_unknown() {
    // A postback without its data cannot be handled, but the other events still can.
    let body = batch(&[
        format!(r#"{{"type":"postback","postback":{{"nodata":true}},{COMMON}}}"#),
        format!(r#"{{"type":"unfollow",{COMMON}}}"#),
    ]);
    let parsed = webhook::parse(&body).unwrap();
    assert_eq!(
        parsed.events[0].kind,
        EventKind::Unknown {
            event_type: "postback".into()
        }
    );
    assert_eq!(parsed.events[1].kind, EventKind::Unfollow);
}

#[test]
fn an_event_without_its_common_fields_is_skipped_not_fatal() {
    let body = batch(&[
        r#"{"type":"unfollow"}"#.to_string(),
        format!(r#"{{"type":"unfollow",{COMMON}}}"#),
    ]);
    let parsed = webhook::parse(&body).unwrap();
    assert_eq!(parsed.events.len(), 1);
}

#[test]
fn standby_mode_is_parsed() {
    let standby = COMMON.replace(r#""mode":"active""#, r#""mode":"standby""#);
    let body = batch(&[format!(r#"{{"type":"unfollow",{standby}}}"#)]);
    assert_eq!(webhook::parse(&body).unwrap().events[0].mode, Mode::Standby);
    let future = COMMON.replace(r#""mode":"active""#, r#""mode":"dreaming""#);
    let body = batch(&[format!(r#"{{"type":"unfollow",{future}}}"#)]);
    assert_eq!(webhook::parse(&body).unwrap().events[0].mode, Mode::Unknown);
}

#[test]
fn a_body_that_is_not_a_webhook_is_an_error() {
    assert!(webhook::parse(br#"{"hello":"world"}"#).is_err());
    assert!(webhook::parse(b"not json").is_err());
    assert!(webhook::parse(br#"{"destination":"U1","events":{}}"#).is_err());
}

#[test]
fn an_empty_batch_from_lines_url_check_parses() {
    let parsed = webhook::parse(br#"{"destination":"Uf00d","events":[]}"#).unwrap();
    assert!(parsed.events.is_empty());
}

#[test]
fn group_events_and_postback_params_are_read() {
    let group = COMMON.replace(
        r#""source":{"type":"user","userId":"U1"}"#,
        r#""source":{"type":"group","groupId":"C1"}"#,
    );
    let body = batch(&[
        format!(r#"{{"type":"join","replyToken":"r",{group}}}"#),
        format!(
            r#"{{"type":"memberJoined","joined":{{"members":[{{"type":"user","userId":"U2"}}]}},{group}}}"#
        ),
        format!(
            r#"{{"type":"postback","postback":{{"data":"pick=date","params":{{"date":"2026-12-01"}}}},{COMMON}}}"#
        ),
        format!(r#"{{"type":"unsend","unsend":{{"messageId":"77"}},{COMMON}}}"#),
    ]);
    let events = webhook::parse(&body).unwrap().events;
    assert_eq!(events[0].kind, EventKind::Join);
    assert_eq!(events[0].source.user_id(), None);
    assert_eq!(
        events[1].kind,
        EventKind::MemberJoined {
            members: vec![Source::User {
                user_id: "U2".into()
            }]
        }
    );
    match &events[2].kind {
        EventKind::Postback { data, params } => {
            assert_eq!(data, "pick=date");
            assert_eq!(params.as_ref().unwrap()["date"], "2026-12-01");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        events[3].kind,
        EventKind::Unsend {
            message_id: "77".into()
        }
    );
}
