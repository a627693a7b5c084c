//! Each fixture read as a bulletin; the expected kinds, areas and intensities are the ones
//! written in the files (see fixtures/SOURCES.md).

use tayori_jma::{
    parse, parse_feed, Bulletin, Family, InfoType, Intensity, MessageType, ParseError, Parsed,
    ReportStatus, Warning, WarningStatus,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn bulletin(name: &str) -> Bulletin {
    match parse(&fixture(name)).unwrap() {
        Parsed::Bulletin(b) => *b,
        other => panic!("{name}: {other:?}"),
    }
}

fn kinds(b: &Bulletin, area: &str) -> Vec<(String, WarningStatus)> {
    b.area(area)
        .unwrap_or_else(|| panic!("area {area} missing"))
        .warnings
        .iter()
        .map(|w| (w.code.clone(), w.status))
        .collect()
}

fn k(code: &str, status: WarningStatus) -> (String, WarningStatus) {
    (code.into(), status)
}

#[test]
fn vpww54_heavy_rain_emergency_warning_for_tokyo() {
    let b = bulletin("15_14_01_170216_VPWW54.xml");
    assert_eq!(b.message_type, MessageType::Vpww54);
    assert_eq!(b.family(), Family::Weather);
    assert_eq!(b.title, "東京都気象警報・注意報");
    assert_eq!(b.status, ReportStatus::Normal);
    assert_eq!(b.info_type, InfoType::Issued);
    assert_eq!(b.report_time.to_rfc3339(), "2017-01-26T08:20:00+00:00");
    // 新宿区 (市町村等): 大雨特別警報 発表, read from Body/Warning only (the same area in
    // MeteorologicalInfos adds nothing).
    let shinjuku = b.area("1310400").unwrap();
    assert_eq!(shinjuku.name, "新宿区");
    assert!(shinjuku.warnings.contains(&Warning {
        code: "33".into(),
        name: "大雨特別警報".into(),
        status: WarningStatus::Issued
    }));
    assert!(b.unknown_codes.is_empty(), "{:?}", b.unknown_codes);
}

#[test]
fn vpww54_heavy_snow_keeps_continued_and_issued_apart() {
    let b = bulletin("15_11_03_150916_VPWW54.xml");
    let issued = b
        .areas
        .iter()
        .flat_map(|a| &a.warnings)
        .filter(|w| w.code == "36" && w.status == WarningStatus::Issued)
        .count();
    assert_eq!(issued, 10);
    let continued = b
        .areas
        .iter()
        .flat_map(|a| &a.warnings)
        .filter(|w| w.code == "02")
        .all(|w| w.status == WarningStatus::Continued);
    assert!(continued);
}

#[test]
fn vpww53_all_cancelled_for_nara() {
    let b = bulletin("15_08_05_130412_VPWW53.xml");
    assert_eq!(b.message_type, MessageType::Vpww53);
    assert_eq!(
        b.headline,
        "【特別警報解除】奈良県の特別警報を解除しました。"
    );
    assert_eq!(
        kinds(&b, "290000"),
        [
            k("33", WarningStatus::Cancelled),
            k("04", WarningStatus::Cancelled)
        ]
    );
    assert!(b
        .areas
        .iter()
        .flat_map(|a| &a.warnings)
        .all(|w| w.status == WarningStatus::Cancelled));
}

#[test]
fn vpww56_level_4_landslide_warning() {
    let b = bulletin("15_17_01_250630_VPWW56.xml");
    assert_eq!(b.message_type, MessageType::LevelWarning(56));
    assert_eq!(b.family(), Family::LevelWeather);
    assert_eq!(kinds(&b, "3220900"), [k("49", WarningStatus::Issued)]);
    assert_eq!(kinds(&b, "320000"), [k("49", WarningStatus::Continued)]);
    // 隠岐: 発表警報・注意報はなし, listed without kinds.
    let oki = b.areas.iter().find(|a| a.name == "隠岐").unwrap();
    assert!(oki.warnings.is_empty());
}

#[test]
fn vxww50_landslide_alert_issued_then_lifted() {
    let b = bulletin("17_04_01_250630_VXWW50.xml");
    assert_eq!(b.message_type, MessageType::Vxww50);
    assert_eq!(kinds(&b, "1420600"), [k("3", WarningStatus::Issued)]);
    assert_eq!(kinds(&b, "1410011"), [k("0", WarningStatus::NotInForce)]);
    let lifted = bulletin("17_04_03_250630_VXWW50.xml");
    assert_eq!(
        kinds(&lifted, "1420600"),
        [k("1", WarningStatus::Cancelled)]
    );
}

#[test]
fn vtse41_drill_lists_fukui_with_an_advisory() {
    let b = bulletin("32-39_12_02_250206_VTSE41.xml");
    assert_eq!(b.message_type, MessageType::Vtse41);
    assert_eq!(b.status, ReportStatus::Training);
    assert_eq!(b.area("370").unwrap().name, "福井県");
    assert_eq!(kinds(&b, "370"), [k("62", WarningStatus::Issued)]);
    assert_eq!(kinds(&b, "300"), [k("53", WarningStatus::Issued)]);
    // The hypocentre's area (和歌山県南方沖) is not a forecast area.
    assert!(b.areas.iter().all(|a| a.code.len() == 3));
}

#[test]
fn vtse41_forecast_after_lifting() {
    let b = bulletin("32-39_11_13_250206_VTSE41.xml");
    assert_eq!(kinds(&b, "370"), [k("71", WarningStatus::NotInForce)]);
}

#[test]
fn vtse41_retraction_has_no_areas() {
    let b = bulletin("38-39_03_01_210805_VTSE41.xml");
    assert_eq!(b.info_type, InfoType::Retracted);
    assert!(b.areas.is_empty());
}

#[test]
fn vtse41_test_made_variants() {
    let b = bulletin("test-made/VTSE41_fukui_warning_normal.xml");
    assert_eq!(b.status, ReportStatus::Normal);
    assert_eq!(kinds(&b, "370"), [k("51", WarningStatus::Issued)]);
    let lifted = bulletin("test-made/VTSE41_fukui_warning_lifted.xml");
    assert_eq!(kinds(&lifted, "370"), [k("50", WarningStatus::Cancelled)]);
}

#[test]
fn vxse53_intensities_in_reinan_and_obama() {
    let b = bulletin("32-35_07_06_240613_VXSE53.xml");
    assert_eq!(b.message_type, MessageType::Vxse53);
    assert_eq!(
        b.area("22").unwrap().max_intensity,
        Some(Intensity::SixLower)
    );
    assert_eq!(b.area("18").unwrap().max_intensity, Some(Intensity::Three));
    assert_eq!(b.area("401").unwrap().max_intensity, Some(Intensity::Three));
    let obama = b.area("1820400").unwrap();
    assert_eq!(obama.name, "小浜市");
    assert_eq!(obama.max_intensity, Some(Intensity::Three));

    let real = bulletin("20210217190220_0_VXSE53_010000.xml");
    assert_eq!(
        real.area("401").unwrap().max_intensity,
        Some(Intensity::One)
    );
    assert_eq!(
        real.area("451").unwrap().max_intensity,
        Some(Intensity::Three)
    );
    assert!(real.area("1820400").is_none());
}

#[test]
fn vxko_river_flood_forecast() {
    let b = bulletin("16_02_02_220728_VXKOii.xml");
    assert_eq!(b.message_type, MessageType::Vxko);
    assert_eq!(b.title, "六角川氾濫警戒情報");
    assert_eq!(kinds(&b, "890904000100"), [k("30", WarningStatus::Issued)]);
    // 武雄市, a municipality expected to flood.
    assert_eq!(kinds(&b, "4120600"), [k("30", WarningStatus::Issued)]);
}

#[test]
fn other_message_types_are_unsupported_not_guessed() {
    assert_eq!(
        parse(&fixture("85-82_02_07_250630_VPFJ51.xml")).unwrap(),
        Parsed::Unsupported {
            control_title: "府県気象解説情報".into()
        }
    );
}

#[test]
fn an_unknown_kind_code_is_reported_and_left_out() {
    let xml = String::from_utf8(fixture("15_14_01_170216_VPWW54.xml"))
        .unwrap()
        .replace("<Code>33</Code>", "<Code>99</Code>");
    let Parsed::Bulletin(b) = parse(xml.as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(b.unknown_codes, ["99"]);
    assert!(b
        .areas
        .iter()
        .flat_map(|a| &a.warnings)
        .all(|w| w.code != "99"));
}

#[test]
fn broken_messages_are_errors_not_panics() {
    assert!(matches!(
        parse(&fixture("test-made/VTSE41_truncated.xml")),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(
        parse(b"not xml at all"),
        Err(ParseError::Malformed(_))
    ));
    let no_status = String::from_utf8(fixture("32-39_12_02_250206_VTSE41.xml"))
        .unwrap()
        .replace("<Status>訓練</Status>", "<Status>本番</Status>");
    assert!(matches!(
        parse(no_status.as_bytes()),
        Err(ParseError::Unexpected {
            field: "Control/Status",
            ..
        })
    ));
    let bad_intensity = String::from_utf8(fixture("20210217190220_0_VXSE53_010000.xml"))
        .unwrap()
        .replace("<MaxInt>3</MaxInt>", "<MaxInt>8</MaxInt>");
    assert!(parse(bad_intensity.as_bytes()).is_err());
    // Every prefix of a real message is an error or a bulletin, never a panic.
    let whole = fixture("17_04_01_250630_VXWW50.xml");
    for cut in (0..whole.len()).step_by(97) {
        let _ = parse(&whole[..cut]);
    }
}

#[test]
fn the_real_eqvol_feed() {
    let entries = parse_feed(&fixture("eqvol_feed_20211112.xml")).unwrap();
    assert_eq!(entries.len(), 17);
    assert_eq!(entries[0].title, "噴火に関する火山観測報");
    assert_eq!(
        entries[0].link,
        "http://www.data.jma.go.jp/developer/xml/data/20211112014833_0_VFVO52_400000.xml"
    );
    assert_eq!(entries[0].id, entries[0].link);
    assert_eq!(entries[0].updated.to_rfc3339(), "2021-11-12T01:48:31+00:00");
    let quakes: Vec<_> = entries
        .iter()
        .filter(|e| e.type_code() == Some("VXSE53"))
        .collect();
    assert_eq!(quakes.len(), 1);
    assert_eq!(quakes[0].title, "震源・震度に関する情報");
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.type_code() == Some("VFVO53"))
            .count(),
        15
    );
}
