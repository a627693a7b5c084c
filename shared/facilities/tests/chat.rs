//! The LINE replies, checked against LINE's limits.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tayori_domain::facility::{FacilityKind, KindId, Position, ShelterStatus};
use tayori_domain::hazard::Hazard;
use tayori_facilities::chat::{ask_location, distance_words, nearest_reply, ChatRequest};
use tayori_facilities::{NearbyAnswer, NearbySite, OpenEmergency, SiteStatus};
use tayori_line::message::{Action, Message};

const MAP: &str = "https://liff.line.me/1234-abcd/shelters";

fn here() -> Position {
    Position::new(35.4953, 135.7466).unwrap()
}

fn site(n: usize, metres: f64) -> NearbySite {
    NearbySite {
        id: format!("E18204000{n:02}201"),
        name: format!("避難所{n}"),
        address: "福井県小浜市".into(),
        lat: 35.49 + n as f64 * 0.001,
        lng: 135.75,
        distance_m: metres,
        hazards: vec![Hazard::Flood, Hazard::Tsunami],
        designated_shelter: n.is_multiple_of(2),
        status: None,
        capacity: None,
        phone: None,
        barrier_free: None,
        pets: None,
        welfare: false,
        hours: None,
        url: None,
        note: None,
    }
}

fn answer(sites: Vec<NearbySite>) -> NearbyAnswer {
    NearbyAnswer {
        position: here(),
        kind: KindId::shelter(),
        kind_name: "避難所".into(),
        emergency: None,
        hazards: vec![],
        sites,
    }
}

fn json(message: &Message) -> Value {
    serde_json::to_value(message).unwrap()
}

#[test]
fn distances_read_as_a_citizen_says_them() {
    for (metres, words) in [
        (3.0, "約10m"),
        (349.0, "約350m"),
        (994.0, "約990m"),
        (995.0, "約1.0km"),
        (1234.0, "約1.2km"),
        (12_345.0, "約12.3km"),
    ] {
        assert_eq!(distance_words(metres), words, "{metres}");
    }
}

#[test]
fn the_answer_is_a_carousel_of_five_with_route_and_map_buttons() {
    let sites = (0..7).map(|n| site(n, 100.0 + n as f64 * 400.0)).collect();
    let reply = nearest_reply(&answer(sites), MAP);
    tayori_line::validate::messages(&reply).unwrap();
    assert_eq!(reply.len(), 2);
    let carousel = json(&reply[0]);
    let bubbles = carousel["contents"]["contents"].as_array().unwrap();
    assert_eq!(bubbles.len(), 5);
    let first = &bubbles[0];
    let body = first["body"]["contents"].as_array().unwrap();
    assert_eq!(body[0]["text"], "避難所0");
    assert_eq!(body[1]["text"], "直線距離 約100m");
    assert_eq!(body[2]["text"], "指定緊急避難場所：洪水・津波");
    assert_eq!(body[3]["text"], "指定避難所");
    let buttons = first["footer"]["contents"].as_array().unwrap();
    assert_eq!(buttons[0]["action"]["label"], "徒歩ルート");
    assert_eq!(
        buttons[0]["action"]["uri"],
        "https://www.google.com/maps/dir/?api=1&destination=35.49,135.75&travelmode=walking"
    );
    assert_eq!(buttons[1]["action"]["label"], "地図で見る");
    assert_eq!(
        buttons[1]["action"]["uri"],
        format!("{MAP}?lat=35.4953&lng=135.7466&site=E1820400000201")
    );
    // No emergency: no status line.
    assert!(!carousel.to_string().contains("開設状況"));

    let note = json(&reply[1]);
    let text = note["text"].as_str().unwrap();
    assert!(text.contains("直線距離"), "{text}");
    assert!(
        text.contains("小浜市の最新の情報もご確認ください"),
        "{text}"
    );
    assert!(text.contains("指定避難所は避難生活を送る施設"), "{text}");
    assert!(text.ends_with("出典：国土地理院 指定緊急避難場所・指定避難所データ（小浜市）"));
}

#[test]
fn hazard_quick_replies_carry_the_position_back() {
    let reply = nearest_reply(&answer(vec![site(1, 300.0)]), MAP);
    let quick = reply[1].quick_reply().unwrap();
    let labels: Vec<_> = quick
        .items
        .iter()
        .map(|i| i.action.label().unwrap())
        .collect();
    assert_eq!(labels, ["津波", "洪水", "土砂", "地震", "火事"]);
    let Action::Postback { data, .. } = &quick.items[0].action else {
        panic!("a postback")
    };
    assert_eq!(
        data,
        "shelters:near?lat=35.4953&lng=135.7466&hazard=tsunami"
    );
    let back = ChatRequest::from_postback(data).unwrap();
    assert_eq!(back.position, here());
    assert_eq!(back.hazard, Some(Hazard::Tsunami));
    assert_eq!(back.kind, None);
    assert_eq!(back.to_postback(), *data);
    let query = back.to_query();
    assert_eq!((query.limit, query.hazard), (5, Some(Hazard::Tsunami)));
}

#[test]
fn malformed_postbacks_are_not_requests() {
    for data in [
        "menu:open",
        "shelters:near?lat=abc&lng=135",
        "shelters:near?lat=95&lng=135",
        "shelters:near?lat=35&lng=135&hazard=snow",
        "shelters:near?lat=35&lng=135&user=U1",
        "shelters:near?lng=135",
        "shelters:near?lat=35&lng=135&kind=Bad",
    ] {
        assert_eq!(ChatRequest::from_postback(data), None, "{data}");
    }
    let kind = ChatRequest::from_postback("shelters:near?lat=35&lng=135&kind=kominkan").unwrap();
    assert_eq!(kind.kind, Some(KindId::new("kominkan").unwrap()));
}

#[test]
fn during_an_emergency_each_shelter_says_its_status_and_when() {
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T21:33:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let mut full = site(2, 500.0);
    full.status = Some(SiteStatus {
        status: ShelterStatus::Full,
        label: "満員",
        updated_at: at,
        updated_at_jst: tayori_domain::time::format_jst(at),
    });
    let mut a = answer(vec![site(0, 200.0), full]);
    a.emergency = Some(OpenEmergency {
        id: "e1".into(),
        title: "大雨".into(),
        hazards: vec![Hazard::Flood],
    });
    a.hazards = vec![Hazard::Flood];
    let reply = nearest_reply(&a, MAP);
    tayori_line::validate::messages(&reply).unwrap();
    let text = json(&reply[0]).to_string();
    assert!(text.contains("開設状況：情報はまだありません"), "{text}");
    assert!(
        text.contains("開設状況：満員（2026年12月2日 06:33 更新）"),
        "{text}"
    );
    assert!(text.contains("hazard=flood"), "{text}");
    let note = json(&reply[1]);
    assert!(note["text"]
        .as_str()
        .unwrap()
        .contains("洪水の指定緊急避難場所を表示しています"));
}

#[test]
fn nothing_found_is_said_plainly_with_the_filters_still_offered() {
    let mut a = answer(vec![]);
    a.hazards = vec![Hazard::Volcano];
    let reply = nearest_reply(&a, MAP);
    tayori_line::validate::messages(&reply).unwrap();
    assert_eq!(reply.len(), 1);
    let text = json(&reply[0])["text"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with("近くに避難所が見つかりませんでした。"),
        "{text}"
    );
    assert!(text.contains("火山現象"), "{text}");
    assert_eq!(reply[0].quick_reply().unwrap().items.len(), 5);
}

#[test]
fn a_staff_kinds_answer_has_no_hazards_and_no_gsi_note() {
    let mut hall = site(1, 800.0);
    hall.hazards.clear();
    hall.designated_shelter = false;
    hall.hours = Some("9:00〜17:00".into());
    let mut a = answer(vec![hall]);
    a.kind = KindId::new("kominkan").unwrap();
    a.kind_name = "公民館".into();
    let reply = nearest_reply(&a, MAP);
    tayori_line::validate::messages(&reply).unwrap();
    let carousel = json(&reply[0]).to_string();
    assert!(carousel.contains("開館時間：9:00〜17:00"));
    assert!(carousel.contains("kind=kominkan"));
    assert!(!carousel.contains("指定緊急避難場所"));
    assert!(reply[1].quick_reply().is_none());
    assert!(!json(&reply[1]).to_string().contains("国土地理院"));
}

#[test]
fn asking_for_a_location_opens_lines_picker() {
    let shelters = ask_location(None);
    let kominkan = FacilityKind::new(KindId::new("kominkan").unwrap(), "公民館").unwrap();
    let halls = ask_location(Some(&kominkan));
    for (message, word) in [(&shelters, "近くの避難所"), (&halls, "近くの公民館")] {
        tayori_line::validate::messages(std::slice::from_ref(message)).unwrap();
        assert!(json(message)["text"].as_str().unwrap().contains(word));
        let quick = message.quick_reply().unwrap();
        assert_eq!(
            quick.items[0].action,
            Action::Location {
                label: Some("位置情報を送る".into())
            }
        );
    }
}
