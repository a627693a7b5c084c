//! The fake over real HTTP, as the LINE client will meet it.

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tayori_fake_line::{FakeLine, Fault, Mishap, MishapKind};

const USER: &str = "U4af4980629d2a1b2c3d4e5f60718293a";

struct Line {
    fake: FakeLine,
    base: String,
    http: Client,
}

async fn start() -> Line {
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    Line {
        fake,
        base,
        http: Client::new(),
    }
}

impl Line {
    async fn post(&self, path: &str, body: Value) -> Response {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    async fn post_with(&self, path: &str, body: Value, header: (&str, &str)) -> Response {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header(header.0, header.1)
                .json(&body),
        )
        .await
    }

    async fn get(&self, path: &str) -> Response {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn upload(&self, path: &str, content_type: &str, bytes: &[u8]) -> Response {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(bytes.to_vec()),
        )
        .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Response {
        request
            .bearer_auth("test-token")
            .send()
            .await
            .expect("fake LINE answers")
    }
}

fn text(t: &str) -> Value {
    json!({"type": "text", "text": t})
}

fn request_id(response: &Response) -> String {
    response.headers()["x-line-request-id"]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_valid_reply_is_answered_with_sent_messages_and_recorded_without_schema_errors() {
    let line = start().await;
    let response = line
        .post(
            "/v2/bot/message/reply",
            json!({"replyToken": "token-1", "messages": [text("ようこそ"), text("小浜市です")]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-line-request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["sentMessages"].as_array().unwrap().len(), 2);
    assert!(body["sentMessages"][0]["id"]
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_digit()));
    assert!(body["sentMessages"][0]["quoteToken"].is_string());

    let recorded = line.fake.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].path, "/v2/bot/message/reply");
    assert_eq!(recorded[0].status, 200);
    assert!(recorded[0].schema_errors.is_empty());
    assert_eq!(recorded[0].body["messages"][0]["text"], "ようこそ");
    assert_eq!(recorded[0].headers["authorization"], "Bearer ***");
    assert_eq!(
        line.fake.replies_for("token-1"),
        vec![text("ようこそ"), text("小浜市です")]
    );
}

#[tokio::test]
async fn an_invalid_message_type_is_refused_with_lines_error_body_and_recorded() {
    let line = start().await;
    let response = line
        .post(
            "/v2/bot/message/push",
            json!({"to": USER, "messages": [{"type": "txt", "text": "a"}]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["message"], "The request body has 1 error(s)");
    assert_eq!(body["details"][0]["property"], "messages[0].type");
    let recorded = &line.fake.requests()[0];
    assert_eq!(recorded.status, 400);
    assert_eq!(recorded.schema_errors.len(), 1);
    assert!(recorded.schema_errors[0].starts_with("/messages/0/type: unknown type \"txt\""));
    assert!(
        line.fake.sent_messages_to(USER).is_empty(),
        "nothing is delivered"
    );
}

#[tokio::test]
async fn a_repeated_retry_key_answers_409_naming_the_request_first_accepted() {
    let line = start().await;
    let key = "123e4567-e89b-12d3-a456-426614174000";
    let push = json!({"to": USER, "messages": [text("大雨警報")]});
    let first = line
        .post_with(
            "/v2/bot/message/push",
            push.clone(),
            ("X-Line-Retry-Key", key),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let first_id = request_id(&first);

    let again = line
        .post_with("/v2/bot/message/push", push, ("X-Line-Retry-Key", key))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        again.headers()["x-line-accepted-request-id"]
            .to_str()
            .unwrap(),
        first_id
    );
    assert_ne!(request_id(&again), first_id);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["message"], "The retry key is already accepted");
    assert_eq!(line.fake.sent_messages_to(USER).len(), 1, "delivered once");
}

#[tokio::test]
async fn a_lost_answer_drops_the_connection_after_delivering_and_the_resend_is_a_409() {
    let line = start().await;
    let key = "123e4567-e89b-12d3-a456-426614174001";
    let multicast = json!({"to": [USER], "messages": [text("避難所開設")]});
    line.fake.schedule(Mishap {
        path: "/v2/bot/message/multicast".into(),
        nth: 2,
        kind: MishapKind::AnswerLost,
    });
    let first = line
        .post(
            "/v2/bot/message/multicast",
            json!({"to": [USER], "messages": [text("1")]}),
        )
        .await;
    assert_eq!(
        first.status(),
        StatusCode::OK,
        "the first is not the second"
    );
    assert_eq!(line.fake.mishaps_happened(), 0);

    let lost = line
        .http
        .post(format!("{}/v2/bot/message/multicast", line.base))
        .bearer_auth("test-token")
        .header("X-Line-Retry-Key", key)
        .json(&multicast)
        .send()
        .await;
    assert!(lost.is_err(), "no answer: {lost:?}");
    assert_eq!(line.fake.mishaps_happened(), 1);
    assert_eq!(
        line.fake.sent_messages_to(USER).len(),
        2,
        "delivered all the same"
    );

    let again = line
        .post_with(
            "/v2/bot/message/multicast",
            multicast,
            ("X-Line-Retry-Key", key),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(line.fake.sent_messages_to(USER).len(), 2, "not twice");
    let statuses: Vec<u16> = line.fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [200, 200, 409],
        "the lost answer is recorded as given"
    );
}

#[tokio::test]
async fn a_status_mishap_refuses_only_its_request_and_delivers_nothing() {
    let line = start().await;
    line.fake.schedule(Mishap {
        path: "/v2/bot/message/multicast".into(),
        nth: 1,
        kind: MishapKind::Status(500),
    });
    let multicast = json!({"to": [USER], "messages": [text("1")]});
    let refused = line
        .post("/v2/bot/message/multicast", multicast.clone())
        .await;
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(line.fake.sent_messages_to(USER).is_empty());
    let next = line.post("/v2/bot/message/multicast", multicast).await;
    assert_eq!(next.status(), StatusCode::OK);
    assert_eq!(line.fake.sent_messages_to(USER).len(), 1);
    assert_eq!(line.fake.mishaps_happened(), 1);
}

#[tokio::test]
async fn a_retry_key_that_failed_can_be_used_again() {
    let line = start().await;
    let key = "0f8fad5b-d9cb-469f-a165-70867728950e";
    line.fake.inject_faults(Fault {
        path: "/v2/bot/message/multicast".into(),
        status: 500,
        count: 1,
        body: None,
    });
    let body = json!({"to": [USER], "messages": [text("a")]});
    let failed = line
        .post_with(
            "/v2/bot/message/multicast",
            body.clone(),
            ("X-Line-Retry-Key", key),
        )
        .await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let retried = line
        .post_with("/v2/bot/message/multicast", body, ("X-Line-Retry-Key", key))
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_retry_key_on_reply_or_one_that_is_not_a_uuid_is_refused() {
    let line = start().await;
    let reply = line
        .post_with(
            "/v2/bot/message/reply",
            json!({"replyToken": "t", "messages": [text("a")]}),
            ("X-Line-Retry-Key", "123e4567-e89b-12d3-a456-426614174000"),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    let push = line
        .post_with(
            "/v2/bot/message/push",
            json!({"to": USER, "messages": [text("a")]}),
            ("X-Line-Retry-Key", "retry-1"),
        )
        .await;
    assert_eq!(push.status(), StatusCode::BAD_REQUEST);
    assert!(line.fake.replies_for("t").is_empty());
    assert!(line.fake.sent_messages_to(USER).is_empty());
}

#[tokio::test]
async fn a_reply_token_can_be_used_once() {
    let line = start().await;
    let reply = json!({"replyToken": "once", "messages": [text("a")]});
    assert_eq!(
        line.post("/v2/bot/message/reply", reply.clone())
            .await
            .status(),
        StatusCode::OK
    );
    let again = line.post("/v2/bot/message/reply", reply).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        again.json::<Value>().await.unwrap()["message"],
        "Invalid reply token"
    );
}

#[tokio::test]
async fn an_injected_429_is_answered_then_the_next_request_succeeds() {
    let line = start().await;
    line.fake.inject_faults(Fault {
        path: "/v2/bot/message/".into(),
        status: 429,
        count: 1,
        body: None,
    });
    let push = json!({"to": USER, "messages": [text("a")]});
    let limited = line.post("/v2/bot/message/push", push.clone()).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.json::<Value>().await.unwrap()["message"],
        "The API rate limit has been exceeded. Try again later."
    );
    assert_eq!(
        line.post("/v2/bot/message/push", push).await.status(),
        StatusCode::OK
    );
    let statuses: Vec<u16> = line.fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 200]);
}

#[tokio::test]
async fn faults_with_a_body_can_be_injected_and_cleared_over_http() {
    let line = start().await;
    let fault = json!({"path": "/v2/bot/profile", "status": 503, "count": 5, "body": {"message": "maintenance"}});
    assert!(line
        .http
        .post(format!("{}/_line/faults", line.base))
        .json(&fault)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let answer = line.get(&format!("/v2/bot/profile/{USER}")).await;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({"message": "maintenance"})
    );
    line.http
        .delete(format!("{}/_line/faults", line.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        line.get(&format!("/v2/bot/profile/{USER}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_latency_range_delays_each_answer_by_a_time_within_it() {
    let line = start().await;
    line.http
        .post(format!("{}/_line/latency", line.base))
        .json(&json!({"ms": 50, "maxMs": 150}))
        .send()
        .await
        .unwrap();
    let mut took = Vec::new();
    for _ in 0..12 {
        let started = Instant::now();
        line.post(
            "/v2/bot/message/push",
            json!({"to": USER, "messages": [text("a")]}),
        )
        .await;
        took.push(started.elapsed());
    }
    assert!(
        took.iter().all(|t| *t >= Duration::from_millis(50)),
        "{took:?}"
    );
    // Drawn anew each time: twelve equal delays would mean a fixed one.
    let (least, most) = (took.iter().min().unwrap(), took.iter().max().unwrap());
    assert!(*most - *least > Duration::from_millis(10), "{took:?}");
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let line = start().await;
    line.http
        .post(format!("{}/_line/latency", line.base))
        .json(&json!({"ms": 300}))
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    line.post(
        "/v2/bot/message/push",
        json!({"to": USER, "messages": [text("a")]}),
    )
    .await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    line.fake.set_latency(Duration::ZERO);
    let started = Instant::now();
    line.post(
        "/v2/bot/message/push",
        json!({"to": USER, "messages": [text("a")]}),
    )
    .await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn requests_beyond_the_rate_limit_are_answered_429() {
    let line = start().await;
    let limit = json!({"path": "/v2/bot/message/multicast", "perSecond": 3});
    line.http
        .post(format!("{}/_line/rate-limit", line.base))
        .json(&limit)
        .send()
        .await
        .unwrap();
    let body = json!({"to": [USER], "messages": [text("a")]});
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            line.post("/v2/bot/message/multicast", body.clone())
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    // Other endpoints are not limited.
    assert_eq!(
        line.post(
            "/v2/bot/message/push",
            json!({"to": USER, "messages": [text("a")]})
        )
        .await
        .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        line.post("/v2/bot/message/multicast", body).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn recorded_requests_can_be_read_filtered_and_cleared_over_http() {
    let line = start().await;
    line.post(
        "/v2/bot/message/push",
        json!({"to": USER, "messages": [text("a")]}),
    )
    .await;
    line.get(&format!("/v2/bot/profile/{USER}")).await;
    let all: Vec<Value> = line
        .http
        .get(format!("{}/_line/requests", line.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["method"], "POST");
    assert_eq!(all[0]["schemaErrors"], json!([]));
    assert_eq!(all[1]["status"], 404);
    let pushes: Vec<Value> = line
        .http
        .get(format!("{}/_line/requests?path=/v2/bot/message", line.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pushes.len(), 1);
    assert_eq!(pushes[0]["path"], "/v2/bot/message/push");
    line.http
        .delete(format!("{}/_line/requests", line.base))
        .send()
        .await
        .unwrap();
    assert!(line.fake.requests().is_empty());
}

#[tokio::test]
async fn a_request_without_a_bearer_token_is_refused_401_and_recorded() {
    let line = start().await;
    let plain = line
        .http
        .post(format!("{}/v2/bot/message/push", line.base))
        .json(&json!({"to": USER, "messages": [text("a")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNAUTHORIZED);
    let empty = line
        .http
        .get(format!("{}/v2/bot/profile/{USER}", line.base))
        .header("authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::UNAUTHORIZED);
    let statuses: Vec<u16> = line.fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![401, 401]);
    assert!(line.fake.sent_messages_to(USER).is_empty());
}

#[tokio::test]
async fn a_json_endpoint_refuses_bodies_that_are_not_json() {
    let line = start().await;
    let wrong_type = line
        .upload("/v2/bot/message/push", "text/plain", b"{}")
        .await;
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let broken = line
        .upload("/v2/bot/message/push", "application/json", b"{\"to\":")
        .await;
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    let message = broken.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with("The request body could not be parsed as JSON"),
        "{message}"
    );
}

#[tokio::test]
async fn push_multicast_and_broadcast_deliver_to_inboxes() {
    let line = start().await;
    let other = "U00000000000000000000000000000001";
    line.fake.add_user(USER, "若狭 太郎");
    line.post(
        "/v2/bot/message/push",
        json!({"to": USER, "messages": [text("1")]}),
    )
    .await;
    line.post(
        "/v2/bot/message/multicast",
        json!({"to": [USER, other], "messages": [text("2")]}),
    )
    .await;
    line.post(
        "/v2/bot/message/broadcast",
        json!({"messages": [text("3")]}),
    )
    .await;
    assert_eq!(
        line.fake.sent_messages_to(USER),
        vec![text("1"), text("2"), text("3")]
    );
    assert_eq!(
        line.fake.sent_messages_to(other),
        vec![text("2")],
        "broadcast reaches friends only"
    );
}

#[tokio::test]
async fn narrowcast_is_accepted_and_its_progress_can_be_read() {
    let line = start().await;
    let sent = line
        .post(
            "/v2/bot/message/narrowcast",
            json!({"messages": [text("a")]}),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    let id = request_id(&sent);
    let progress = line
        .get(&format!(
            "/v2/bot/message/progress/narrowcast?requestId={id}"
        ))
        .await;
    assert_eq!(progress.status(), StatusCode::OK);
    assert_eq!(
        progress.json::<Value>().await.unwrap()["phase"],
        "succeeded"
    );
    let unknown = line
        .get("/v2/bot/message/progress/narrowcast?requestId=nope")
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn validate_endpoints_answer_200_for_valid_and_400_for_invalid_messages() {
    let line = start().await;
    for kind in ["reply", "push", "multicast", "narrowcast", "broadcast"] {
        let path = format!("/v2/bot/message/validate/{kind}");
        assert_eq!(
            line.post(&path, json!({"messages": [text("a")]}))
                .await
                .status(),
            StatusCode::OK,
            "{kind}"
        );
        assert_eq!(
            line.post(&path, json!({"messages": [text("")]}))
                .await
                .status(),
            StatusCode::BAD_REQUEST,
            "{kind}"
        );
    }
}

#[tokio::test]
async fn profiles_are_known_for_registered_users_only() {
    let line = start().await;
    line.fake.add_user(USER, "若狭 太郎");
    let known = line.get(&format!("/v2/bot/profile/{USER}")).await;
    assert_eq!(known.status(), StatusCode::OK);
    let profile: Value = known.json().await.unwrap();
    assert_eq!(profile["displayName"], "若狭 太郎");
    assert_eq!(profile["userId"], USER);
    assert_eq!(
        line.get("/v2/bot/profile/Uunknown").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn message_content_is_a_png_unless_the_test_provided_other_bytes() {
    let line = start().await;
    let content = line.get("/v2/bot/message/1234567890/content").await;
    assert_eq!(content.status(), StatusCode::OK);
    assert_eq!(content.headers()["content-type"], "image/png");
    let bytes = content.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(tayori_fake_line::image::dimensions(&bytes).is_some());

    line.fake
        .put_content("42", vec![0xFF, 0xD8, 0xFF, 0xD9], "image/jpeg");
    let custom = line.get("/v2/bot/message/42/content").await;
    assert_eq!(custom.headers()["content-type"], "image/jpeg");
    assert_eq!(
        custom.bytes().await.unwrap().as_ref(),
        &[0xFF, 0xD8, 0xFF, 0xD9]
    );
}

#[tokio::test]
async fn the_content_api_fails_for_one_message_as_many_times_as_the_test_asks() {
    let line = start().await;
    line.fake
        .put_content("42", b"\xFF\xD8photo".to_vec(), "image/jpeg");
    line.fake
        .put_content("420", b"\xFF\xD8other".to_vec(), "image/jpeg");
    line.fake.fail_content("42", 500, 2);
    for _ in 0..2 {
        let failed = line.get("/v2/bot/message/42/content").await;
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: Value = failed.json().await.unwrap();
        assert_eq!(body["message"], "Internal server error");
        assert_eq!(
            line.get("/v2/bot/message/420/content").await.status(),
            StatusCode::OK,
            "another message's content is served meanwhile"
        );
    }
    let served = line.get("/v2/bot/message/42/content").await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.bytes().await.unwrap().as_ref(), b"\xFF\xD8photo");

    line.fake.fail_content("42", 404, 1);
    assert_eq!(
        line.get("/v2/bot/message/42/content").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        line.fake.content("42"),
        Some(("image/jpeg".to_string(), b"\xFF\xD8photo".to_vec().into()))
    );
    assert_eq!(line.fake.content("43"), None);
}

#[tokio::test]
async fn an_unknown_endpoint_is_recorded_and_answered_404() {
    let line = start().await;
    assert_eq!(
        line.get("/v2/bot/message/quota/nothing-here")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(line.fake.requests()[0].status, 404);
}

#[tokio::test]
async fn the_router_can_be_merged_into_another_app_at_its_root() {
    let fake = FakeLine::new();
    let app = axum::Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .merge(fake.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = Client::new();
    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    let push = http
        .post(format!("{base}/v2/bot/message/push"))
        .bearer_auth("t")
        .json(&json!({"to": USER, "messages": [text("a")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(push.status(), StatusCode::OK);
    assert_eq!(
        fake.requests().len(),
        1,
        "the health check is not LINE's and is not recorded"
    );
}

#[tokio::test]
async fn a_tally_only_fake_counts_sends_per_user_without_keeping_them() {
    let fake = FakeLine::tally_only();
    let (base, _server) = fake.serve().await;
    let line = Line {
        fake,
        base,
        http: Client::new(),
    };
    let other = "U00000000000000000000000000000001";
    for to in [json!([USER, other]), json!([USER])] {
        let sent = line
            .post(
                "/v2/bot/message/multicast",
                json!({"to": to, "messages": [text("a"), text("b")]}),
            )
            .await;
        assert_eq!(sent.status(), StatusCode::OK);
    }

    let tally: Value = line
        .http
        .get(format!("{}/_line/deliveries/tally", line.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        tally,
        json!({"recipients": 2, "copies": 3, "mostToOneUser": 2})
    );
    assert!(line.fake.sent_messages_to(USER).is_empty());
    let requests = line.fake.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].body["bytes"].as_u64().unwrap() > 0);
    assert!(requests[0].body.get("to").is_none(), "the body is not kept");
}

#[tokio::test]
async fn a_full_fake_tallies_sends_as_well_as_keeping_them() {
    let line = start().await;
    line.post(
        "/v2/bot/message/multicast",
        json!({"to": [USER], "messages": [text("a"), text("b")]}),
    )
    .await;
    let tally = line.fake.delivery_tally();
    assert_eq!((tally.recipients, tally.copies), (1, 1));
    assert_eq!(line.fake.sent_messages_to(USER).len(), 2);
}
