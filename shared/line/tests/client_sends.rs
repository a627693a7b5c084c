//! Sending messages against the fake LINE server: retry keys, retries, 409s and pacing.

use crate::common;

use common::{retry_key_of, Line, USER};
use std::time::{Duration, Instant};
use tayori_fake_line::Fault;
use tayori_line::client::NarrowcastRequest;
use tayori_line::message::Message;
use tayori_line::{LineClient, LineConfig, LineError, RetryKey, SendOutcome};

fn fault(path: &str, status: u16, count: usize) -> Fault {
    Fault {
        path: path.into(),
        status,
        count,
        body: None,
    }
}

#[tokio::test]
async fn a_reply_never_carries_a_retry_key() {
    let line = Line::start().await;
    line.client()
        .reply("reply-token-1", vec![Message::text("ようこそ")])
        .await
        .unwrap();
    let replies = line.requests_to("/v2/bot/message/reply");
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].status, 200);
    assert_eq!(retry_key_of(&replies[0]), None);
    assert_eq!(replies[0].headers["authorization"], "Bearer ***");
    assert_eq!(
        line.fake.replies_for("reply-token-1")[0]["text"],
        "ようこそ"
    );
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn push_multicast_narrowcast_and_broadcast_carry_their_retry_key() {
    let line = Line::start().await;
    let client = line.client();
    let text = || vec![Message::text("お知らせ")];
    let keys = [
        RetryKey::new(),
        RetryKey::new(),
        RetryKey::new(),
        RetryKey::new(),
    ];

    let pushed = client.push(USER, text(), keys[0]).await.unwrap();
    let multicast = client
        .multicast(&[USER.to_string(), "U2".to_string()], text(), keys[1])
        .await
        .unwrap();
    let narrowcast = client
        .narrowcast(NarrowcastRequest::new(text()), keys[2])
        .await
        .unwrap();
    let broadcast = client.broadcast(text(), keys[3]).await.unwrap();

    for (path, key, outcome) in [
        ("/v2/bot/message/push", keys[0], pushed),
        ("/v2/bot/message/multicast", keys[1], multicast),
        ("/v2/bot/message/narrowcast", keys[2], narrowcast),
        ("/v2/bot/message/broadcast", keys[3], broadcast),
    ] {
        let sent = line.requests_to(path);
        assert_eq!(sent.len(), 1, "{path}");
        assert_eq!(
            retry_key_of(&sent[0]),
            Some(key.to_string().as_str()),
            "{path}"
        );
        assert!(
            matches!(&outcome, SendOutcome::Accepted { request_id: Some(id) } if !id.is_empty()),
            "{path}: {outcome:?}"
        );
    }
    assert_eq!(line.fake.sent_messages_to(USER).len(), 2);
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn a_429_then_200_is_retried_with_the_same_retry_key() {
    let line = Line::start().await;
    line.fake
        .inject_faults(fault("/v2/bot/message/push", 429, 1));
    let key = RetryKey::new();
    let outcome = line
        .client()
        .push(USER, vec![Message::text("再送")], key)
        .await
        .unwrap();
    assert!(matches!(outcome, SendOutcome::Accepted { .. }));
    let attempts = line.requests_to("/v2/bot/message/push");
    assert_eq!(
        attempts.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![429, 200]
    );
    for attempt in &attempts {
        assert_eq!(retry_key_of(attempt), Some(key.to_string().as_str()));
    }
    assert_eq!(line.fake.sent_messages_to(USER).len(), 1);
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn a_repeated_retry_key_is_reported_as_already_accepted() {
    let line = Line::start().await;
    let client = line.client();
    let key = RetryKey::new();
    let first = client
        .push(USER, vec![Message::text("一度だけ")], key)
        .await
        .unwrap();
    let second = client
        .push(USER, vec![Message::text("一度だけ")], key)
        .await
        .unwrap();
    let SendOutcome::Accepted {
        request_id: Some(first_id),
    } = first
    else {
        panic!("first send: {first:?}");
    };
    assert_eq!(
        second,
        SendOutcome::AlreadyAccepted {
            accepted_request_id: Some(first_id.clone())
        }
    );
    assert_eq!(second.request_id(), Some(first_id.as_str()));
    assert_eq!(line.fake.sent_messages_to(USER).len(), 1, "delivered once");
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn a_5xx_storm_beyond_max_attempts_is_an_error() {
    let line = Line::start().await;
    line.fake
        .inject_faults(fault("/v2/bot/message/broadcast", 500, 10));
    let client = LineClient::new(LineConfig {
        max_attempts: 3,
        ..line.config()
    });
    let error = client
        .broadcast(vec![Message::text("障害中")], RetryKey::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LineError::GaveUp {
                attempts: 3,
                status: Some(500),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(line.requests_to("/v2/bot/message/broadcast").len(), 3);
}

#[tokio::test]
async fn a_503_then_success_is_retried() {
    let line = Line::start().await;
    line.fake
        .inject_faults(fault("/v2/bot/message/multicast", 503, 2));
    let outcome = line
        .client()
        .multicast(
            &[USER.to_string()],
            vec![Message::text("a")],
            RetryKey::new(),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, SendOutcome::Accepted { .. }));
    assert_eq!(line.requests_to("/v2/bot/message/multicast").len(), 3);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let line = Line::start().await;
    line.fake.inject_faults(Fault {
        path: "/v2/bot/message/push".into(),
        status: 400,
        count: 5,
        body: Some(serde_json::json!({
            "message": "The request body has 1 error(s)",
            "details": [{"message": "May not be empty", "property": "messages[0].text"}]
        })),
    });
    let error = line
        .client()
        .push(USER, vec![Message::text("a")], RetryKey::new())
        .await
        .unwrap_err();
    match error {
        LineError::Rejected {
            status,
            message,
            details,
        } => {
            assert_eq!(status, 400);
            assert_eq!(message, "The request body has 1 error(s)");
            assert_eq!(details[0].property.as_deref(), Some("messages[0].text"));
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(line.requests_to("/v2/bot/message/push").len(), 1);
}

#[tokio::test]
async fn a_used_reply_token_is_rejected_without_retry() {
    let line = Line::start().await;
    let client = line.client();
    client
        .reply("once", vec![Message::text("a")])
        .await
        .unwrap();
    let error = client
        .reply("once", vec![Message::text("b")])
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(line.requests_to("/v2/bot/message/reply").len(), 2);
}

#[tokio::test]
async fn messages_over_lines_limits_are_refused_before_sending() {
    let line = Line::start().await;
    let client = line.client();
    let six = vec![Message::text("a"); 6];
    let error = client.push(USER, six, RetryKey::new()).await.unwrap_err();
    assert!(matches!(error, LineError::Invalid(_)), "{error:?}");
    let too_many: Vec<String> = (0..501).map(|i| format!("U{i:032x}")).collect();
    let error = client
        .multicast(&too_many, vec![Message::text("a")], RetryKey::new())
        .await
        .unwrap_err();
    assert!(matches!(error, LineError::Invalid(_)), "{error:?}");
    let http_image = Message::image("http://example.jp/a.jpg", "https://example.jp/a.jpg");
    let error = client.reply("t", vec![http_image]).await.unwrap_err();
    assert!(error.to_string().contains("message 0"), "{error}");
    assert!(line.fake.requests().is_empty());
}

#[tokio::test]
async fn multicasts_are_paced_to_the_configured_rate() {
    let line = Line::start().await;
    let client = std::sync::Arc::new(LineClient::new(LineConfig {
        multicast_per_second: 20,
        ..line.config()
    }));
    let started = Instant::now();
    let sends: Vec<_> = (0..10)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .multicast(
                        &[format!("U{i}")],
                        vec![Message::text("a")],
                        RetryKey::new(),
                    )
                    .await
            })
        })
        .collect();
    for send in sends {
        send.await.unwrap().unwrap();
    }
    // Ten requests at 20/s: nine intervals of 50 ms at least.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(450), "took {elapsed:?}");
    let sent = line.requests_to("/v2/bot/message/multicast");
    assert_eq!(sent.len(), 10);
    let spread = sent.last().unwrap().at - sent.first().unwrap().at;
    assert!(
        spread >= chrono::Duration::milliseconds(400),
        "spread {spread:?}"
    );
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn narrowcast_progress_is_followed_by_request_id() {
    let line = Line::start().await;
    let client = line.client();
    let outcome = client
        .narrowcast(
            NarrowcastRequest::new(vec![Message::text("a")]),
            RetryKey::new(),
        )
        .await
        .unwrap();
    let request_id = outcome.request_id().expect("LINE answers a request id");
    let progress = client.narrowcast_progress(request_id).await.unwrap();
    assert_eq!(progress.phase, "succeeded");
    let error = client
        .narrowcast_progress("no-such-request")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    line.assert_no_schema_errors();
}

#[tokio::test]
async fn an_unreachable_line_is_an_error_after_max_attempts() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let client = LineClient::new(LineConfig {
        api_base: base.clone(),
        data_api_base: base,
        channel_access_token: "t".into(),
        max_attempts: 2,
        base_backoff: Duration::from_millis(1),
        ..LineConfig::default()
    });
    let error = client
        .push(USER, vec![Message::text("a")], RetryKey::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LineError::GaveUp {
                attempts: 2,
                status: None,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_line_times_out_and_gives_up() {
    let line = Line::start().await;
    line.fake.set_latency(Duration::from_secs(3));
    let client = LineClient::new(LineConfig {
        timeout: Duration::from_millis(100),
        max_attempts: 2,
        ..line.config()
    });
    let started = Instant::now();
    let error = client
        .broadcast(vec![Message::text("a")], RetryKey::new())
        .await
        .unwrap_err();
    assert!(
        matches!(error, LineError::GaveUp { attempts: 2, .. }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(390),
        "each attempt was cut at 100 ms"
    );
}

#[tokio::test]
async fn the_months_quota_and_what_was_sent_against_it_are_read() {
    let line = Line::start().await;
    let client = line.client();
    assert_eq!(client.message_quota().await.unwrap().limit, None);
    line.fake.set_message_quota(Some(200));
    assert_eq!(client.message_quota().await.unwrap().limit, Some(200));
    let before = client.message_quota_consumption().await.unwrap();
    client
        .push(
            USER,
            vec![Message::text("一"), Message::text("二")],
            RetryKey::new(),
        )
        .await
        .unwrap();
    client
        .reply("reply-token-quota", vec![Message::text("無料")])
        .await
        .unwrap();
    // One push counts once however many bubbles it holds; replies are free.
    assert_eq!(
        client.message_quota_consumption().await.unwrap(),
        before + 1
    );
    assert_eq!(line.requests_to("/v2/bot/message/quota").len(), 2);
    line.assert_no_schema_errors();
}
