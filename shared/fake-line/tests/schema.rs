//! The validator against hand-made request bodies, through the bundled LINE spec.

use serde_json::{json, Value};
use tayori_fake_line::Spec;

fn errors(schema: &str, body: Value) -> Vec<String> {
    Spec::messaging().validate(schema, &body)
}

fn body_errors(method: &str, path: &str, body: Value) -> Vec<String> {
    let spec = Spec::messaging();
    let operation = spec.operation(method, path).expect("operation in spec");
    spec.check_body(operation, &body)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn text(t: &str) -> Value {
    json!({"type": "text", "text": t})
}

#[test]
fn a_valid_text_push_has_no_errors() {
    let push = json!({"to": "U4af4980629d2a1b2c3d4e5f60718293a", "messages": [text("こんにちは")]});
    assert_eq!(errors("PushMessageRequest", push), Vec::<String>::new());
}

#[test]
fn an_unknown_message_type_is_refused_by_the_discriminator() {
    let errs = errors("Message", json!({"type": "txt"}));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("/type: unknown type \"txt\""),
        "{errs:?}"
    );
    assert!(errs[0].contains("text"), "lists the known types: {errs:?}");
}

#[test]
fn a_text_message_without_text_is_refused() {
    let errs = body_errors(
        "POST",
        "/v2/bot/message/push",
        json!({"to": "U1", "messages": [{"type": "text"}]}),
    );
    assert_eq!(errs, vec!["/messages/0/text: required property is missing"]);
}

#[test]
fn text_length_counts_utf16_units_as_line_does() {
    let at_limit = "😀".repeat(2500); // 2 UTF-16 units each: exactly 5000
    assert!(errors("TextMessage", text(&at_limit)).is_empty());
    let over = format!("{at_limit}a");
    let errs = body_errors(
        "POST",
        "/v2/bot/message/reply",
        json!({"replyToken": "r", "messages": [text(&over)]}),
    );
    assert_eq!(errs, vec!["/messages/0/text: length 5001 > maxLength 5000"]);
}

#[test]
fn an_image_needs_https_urls() {
    let image = |url: &str| json!({"type": "image", "originalContentUrl": url, "previewImageUrl": "https://example.com/p.jpg"});
    assert!(errors("Message", image("https://example.com/o.jpg")).is_empty());
    let errs = errors("Message", image("http://example.com/o.jpg"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("/originalContentUrl: "), "{errs:?}");
    let errs = errors("Message", image("not a url"));
    assert!(
        errs.iter().any(|e| e.contains("not an absolute URI")),
        "{errs:?}"
    );
}

fn bubble(body_contents: Value) -> Value {
    json!({
        "type": "flex",
        "altText": "避難所のお知らせ",
        "contents": {
            "type": "bubble",
            "body": {"type": "box", "layout": "vertical", "contents": body_contents}
        }
    })
}

#[test]
fn a_flex_bubble_is_checked_all_the_way_down() {
    let good = bubble(json!([
        {"type": "text", "text": "小浜小学校", "weight": "bold"},
        {"type": "button", "action": {"type": "uri", "label": "地図", "uri": "https://maps.google.com/?q=35.49,135.74"}}
    ]));
    assert_eq!(errors("Message", good), Vec::<String>::new());

    let bad = bubble(json!([
        {"type": "txt", "text": "typo"},
        {"type": "box", "layout": "diagonal", "contents": []},
        {"type": "button"}
    ]));
    let errs = errors("Message", bad);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("/contents/body/contents/0/type: unknown type \"txt\"")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("/contents/body/contents/1/layout: ")),
        "{errs:?}"
    );
    assert!(
        errs.contains(
            &"/contents/body/contents/2/action: required property is missing".to_string()
        ),
        "{errs:?}"
    );
    assert_eq!(errs.len(), 3, "{errs:?}");
}

#[test]
fn a_component_of_the_wrong_kind_where_a_box_is_required_is_refused() {
    let message = json!({
        "type": "flex", "altText": "a",
        "contents": {"type": "bubble", "body": {"type": "text", "text": "not a box", "layout": "vertical", "contents": []}}
    });
    let errs = errors("Message", message);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("/contents/body/type: type \"text\" is not allowed here; expected box"),
        "{errs:?}"
    );
}

#[test]
fn an_unknown_flex_container_type_is_refused() {
    let errs = errors(
        "Message",
        json!({"type": "flex", "altText": "a", "contents": {"type": "bubbles"}}),
    );
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("/contents/type: unknown type \"bubbles\""),
        "{errs:?}"
    );
}

#[test]
fn a_quick_reply_action_of_unknown_type_is_refused() {
    let message = json!({
        "type": "text",
        "text": "地区を選んでください",
        "quickReply": {"items": [
            {"type": "action", "action": {"type": "message", "label": "小浜", "text": "小浜"}},
            {"type": "action", "action": {"type": "telephone", "label": "電話"}}
        ]}
    });
    let errs = errors("Message", message);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("/quickReply/items/1/action/type: unknown type \"telephone\""),
        "{errs:?}"
    );
}

#[test]
fn a_reply_with_six_messages_is_refused() {
    let six: Vec<Value> = (0..6).map(|i| text(&i.to_string())).collect();
    let errs = body_errors(
        "POST",
        "/v2/bot/message/reply",
        json!({"replyToken": "r", "messages": six}),
    );
    assert_eq!(errs, vec!["/messages: 6 items > maxItems 5"]);
}

#[test]
fn a_multicast_to_501_users_is_refused() {
    let to: Vec<String> = (0..501).map(|i| format!("U{i:032x}")).collect();
    let errs = body_errors(
        "POST",
        "/v2/bot/message/multicast",
        json!({"to": to, "messages": [text("a")]}),
    );
    assert_eq!(errs, vec!["/to: 501 items > maxItems 500"]);
    let to: Vec<String> = (0..500).map(|i| format!("U{i:032x}")).collect();
    assert!(body_errors(
        "POST",
        "/v2/bot/message/multicast",
        json!({"to": to, "messages": [text("a")]})
    )
    .is_empty());
}

#[test]
fn wrong_types_and_enums_are_reported_with_their_pointer() {
    let errs = errors(
        "PushMessageRequest",
        json!({"to": 5, "messages": [text("a")], "notificationDisabled": "yes"}),
    );
    assert_eq!(
        errs,
        vec![
            "/notificationDisabled: expected boolean, found string",
            "/to: expected string, found integer"
        ]
    );
}

#[test]
fn narrowcast_recipients_and_filters_dispatch_on_their_own_type() {
    let ok = json!({
        "messages": [text("a")],
        "recipient": {"type": "operator", "and": [{"type": "audience", "audienceGroupId": 1}]},
        "filter": {"demographic": {"type": "age", "gte": "age_20"}}
    });
    assert!(body_errors("POST", "/v2/bot/message/narrowcast", ok).is_empty());
    let bad = json!({
        "messages": [text("a")],
        "recipient": {"type": "operator", "and": [{"type": "segment"}]},
        "filter": {"demographic": {"type": "age", "gte": "age_21"}}
    });
    let errs = body_errors("POST", "/v2/bot/message/narrowcast", bad);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].starts_with("/filter/demographic/gte: \"age_21\" is not one of"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("/recipient/and/0/type: unknown type \"segment\""),
        "{errs:?}"
    );
}

#[test]
fn rich_menu_requests_carry_lines_documented_limits() {
    let menu = json!({
        "size": {"width": 2500, "height": 1686},
        "selected": false,
        "name": "小浜市メニュー",
        "chatBarText": "メニュー",
        "areas": [{"bounds": {"x": 0, "y": 0, "width": 1250, "height": 1686},
                   "action": {"type": "postback", "data": "menu=shelters"}}]
    });
    assert!(body_errors("POST", "/v2/bot/richmenu", menu.clone()).is_empty());
    let mut too_wide = menu.clone();
    too_wide["size"]["width"] = json!(3000);
    too_wide["chatBarText"] = json!("とても長いチャットバーのテキストです");
    let errs = body_errors("POST", "/v2/bot/richmenu", too_wide);
    assert_eq!(errs.len(), 2, "{errs:?}");
    let errs = body_errors("POST", "/v2/bot/richmenu", json!({"name": "x"}));
    assert_eq!(
        errs.len(),
        4,
        "size, selected, chatBarText and areas are required: {errs:?}"
    );
}

#[test]
fn operations_are_found_by_the_most_specific_path() {
    let spec = Spec::messaging();
    assert_eq!(
        spec.operation("GET", "/v2/bot/richmenu/list")
            .unwrap()
            .operation_id,
        "getRichMenuList"
    );
    assert_eq!(
        spec.operation("GET", "/v2/bot/richmenu/richmenu-1")
            .unwrap()
            .operation_id,
        "getRichMenu"
    );
    assert_eq!(
        spec.operation("POST", "/v2/bot/richmenu/richmenu-1/content")
            .unwrap()
            .body,
        tayori_fake_line::RequestBody::Binary
    );
    assert!(spec.operation("POST", "/v2/bot/message/pushh").is_none());
}

#[test]
fn the_webhook_spec_checks_callback_bodies_too() {
    let ok = json!({
        "destination": "U0123456789abcdef0123456789abcdef",
        "events": [{
            "type": "follow", "mode": "active", "timestamp": 1, "webhookEventId": "01H",
            "deliveryContext": {"isRedelivery": false}, "replyToken": "r",
            "source": {"type": "user", "userId": "U1"}, "follow": {"isUnblocked": false}
        }]
    });
    assert_eq!(
        Spec::webhook().validate("CallbackRequest", &ok),
        Vec::<String>::new()
    );
    let mut bad = ok.clone();
    bad["events"][0]["type"] = json!("followed");
    let errs = Spec::webhook().validate("CallbackRequest", &bad);
    assert!(
        errs[0].starts_with("/events/0/type: unknown type"),
        "{errs:?}"
    );
}

#[test]
fn two_thousand_full_multicasts_validate_quickly() {
    // The benchmark pushes ~2,000 multicasts of 500 recipients through the fake.
    let to: Vec<String> = (0..500).map(|i| format!("U{i:032x}")).collect();
    let body = json!({"to": to, "messages": [text("ごみ収集のお知らせ"), bubble(json!([{"type": "text", "text": "燃えるごみ"}]))]});
    let spec = Spec::messaging();
    let operation = spec.operation("POST", "/v2/bot/message/multicast").unwrap();
    let started = std::time::Instant::now();
    for _ in 0..2000 {
        assert!(spec.check_body(operation, &body).is_empty());
    }
    let elapsed = started.elapsed();
    // Generous for an unoptimised debug build on a shared 2-core machine.
    assert!(elapsed < std::time::Duration::from_secs(10), "{elapsed:?}");
    eprintln!("2,000 multicast validations: {elapsed:?}");
}
