//! GSI's lists and staff's CSV, as published and as broken.

use tayori_domain::facility::{FacilityKind, KindId, PositionError};
use tayori_domain::hazard::Hazard;
use tayori_facilities::data::{OBAMA_EMERGENCY_SITES, OBAMA_SHELTERS};
use tayori_facilities::import::{gsi, kinds};
use tayori_facilities::{LineError, Problem};

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The emergency-site list with line `line` (1-based) rewritten by `change` on its cells.
fn with_row(line: usize, change: impl Fn(&mut Vec<String>)) -> Vec<u8> {
    let mut lines: Vec<String> = text(OBAMA_EMERGENCY_SITES)
        .lines()
        .map(str::to_owned)
        .collect();
    let mut cells: Vec<String> = lines[line - 1].split(',').map(str::to_owned).collect();
    change(&mut cells);
    lines[line - 1] = cells.join(",");
    (lines.join("\n") + "\n").into_bytes()
}

fn column(heading: &str) -> usize {
    gsi::EMERGENCY_SITES_HEADINGS
        .iter()
        .position(|h| *h == heading)
        .unwrap()
}

#[test]
fn obamas_published_lists_join_into_ninety_sites() {
    let sites = gsi::parse(OBAMA_EMERGENCY_SITES, OBAMA_SHELTERS).unwrap();
    assert_eq!(sites.emergency_site_rows, 88);
    assert_eq!(sites.shelter_rows, 37);
    // 35 指定避難所 share a site number and a name with a 指定緊急避難場所; 小浜市総合福祉センター
    // and 福井県立若狭高等学校 (whose 避難場所 is its グラウンド, another place) stand alone.
    assert_eq!(sites.joined, 35);
    assert_eq!(sites.sites.len(), 88 + 37 - 35);

    let by_id = |id: &str| sites.sites.iter().find(|s| s.id() == id).unwrap();
    let gym = by_id("E1820400029202");
    assert_eq!(gym.name(), "小浜市民体育館");
    assert!(gym.is_designated_shelter());
    assert_eq!(gym.gsi_ids(), ["E1820400029202", "E1820400029111"]);
    assert_eq!(
        gym.hazards(),
        [
            Hazard::Flood,
            Hazard::Landslide,
            Hazard::StormSurge,
            Hazard::InlandFlood
        ]
    );
    let ground = by_id("E1820400029201");
    assert_eq!(ground.name(), "中央グラウンド");
    assert!(!ground.is_designated_shelter());
    assert_eq!(ground.hazards(), [Hazard::Earthquake, Hazard::LargeFire]);
    let welfare = by_id("E1820400016121");
    assert!(welfare.is_designated_shelter());
    assert!(welfare.hazards().is_empty());
    assert_eq!(welfare.accepts(), Some("要配慮者"));
    assert_eq!(
        (welfare.position().lat(), welfare.position().lng()),
        (35.485006, 135.78132)
    );
    let ids: std::collections::HashSet<_> = sites.sites.iter().map(|s| s.id()).collect();
    assert_eq!(ids.len(), sites.sites.len(), "one site per id");
}

#[test]
fn each_kind_of_bad_row_is_reported_with_its_line_and_column() {
    const E: &str = gsi::EMERGENCY_SITES_FILE;
    type Case = (&'static str, Vec<u8>, LineError);
    let cases: Vec<Case> = vec![
        (
            "missing latitude",
            with_row(3, |c| c[column("緯度")].clear()),
            LineError::new(E, 3, Some("緯度"), Problem::Missing),
        ),
        (
            "non-numeric longitude",
            with_row(4, |c| c[column("経度")] = "135.7x".into()),
            LineError::new(E, 4, Some("経度"), Problem::NotANumber("135.7x".into())),
        ),
        (
            "latitude off the globe",
            with_row(5, |c| c[column("緯度")] = "95.5".into()),
            LineError::new(
                E,
                5,
                Some("緯度"),
                Problem::Position(PositionError::Latitude),
            ),
        ),
        (
            "longitude off the globe",
            with_row(5, |c| c[column("経度")] = "-181".into()),
            LineError::new(
                E,
                5,
                Some("経度"),
                Problem::Position(PositionError::Longitude),
            ),
        ),
        (
            "a hazard flag other than 1",
            with_row(6, |c| c[column("津波")] = "○".into()),
            LineError::new(E, 6, Some("津波"), Problem::Flag("○".into())),
        ),
        (
            "a 指定避難所 id in the 避難場所 list",
            with_row(7, |c| c[1] = "E1820400006111".into()),
            LineError::new(
                E,
                7,
                Some("共通ID"),
                Problem::WrongList {
                    list: "指定緊急避難場所",
                },
            ),
        ),
        (
            "an unexpected header",
            with_row(1, |c| c[column("津波")] = "津波浸水".into()),
            LineError::new(
                E,
                1,
                None,
                Problem::Header {
                    expected: gsi::EMERGENCY_SITES_HEADINGS.join(","),
                },
            ),
        ),
        (
            "a missing column",
            with_row(8, |c| {
                c.pop();
            }),
            LineError::new(
                E,
                8,
                None,
                Problem::Columns {
                    expected: 17,
                    found: 16,
                },
            ),
        ),
    ];
    for (name, file, expected) in cases {
        let report = gsi::parse(&file, OBAMA_SHELTERS).expect_err(name);
        assert_eq!(report.errors, vec![expected], "{name}");
    }
}

#[test]
fn every_bad_row_is_reported_at_once_in_japanese() {
    let file = {
        let once = with_row(3, |c| c[column("緯度")].clear());
        let text = String::from_utf8(once).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines[9] = lines[9].replace("福井県小浜市,", "福井県小浜市,,");
        lines.join("\n")
    };
    let report = gsi::parse(file.as_bytes(), OBAMA_SHELTERS).unwrap_err();
    assert_eq!(report.errors.len(), 2);
    let shown = report.to_string();
    assert!(
        shown.starts_with("取り込めませんでした（2件の誤り）"),
        "{shown}"
    );
    assert!(
        shown.contains("指定緊急避難場所 3行目「緯度」：値がありません"),
        "{shown}"
    );
    assert!(
        shown.contains("指定緊急避難場所 10行目：列の数が18です（17列にしてください）"),
        "{shown}"
    );
}

#[test]
fn cp932_and_bom_files_read_as_utf8_does() {
    let expected = gsi::parse(OBAMA_EMERGENCY_SITES, OBAMA_SHELTERS).unwrap();
    let cp932 = |bytes: &[u8]| {
        let utf8 = text(bytes);
        let (encoded, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&utf8);
        assert!(!unmappable);
        encoded.into_owned()
    };
    let bom = |bytes: &[u8]| [b"\xEF\xBB\xBF".as_slice(), bytes].concat();
    let sites = cp932(OBAMA_EMERGENCY_SITES);
    assert!(std::str::from_utf8(&sites).is_err(), "really CP932");
    assert_eq!(
        gsi::parse(&sites, &cp932(OBAMA_SHELTERS)).unwrap(),
        expected
    );
    assert_eq!(
        gsi::parse(&bom(OBAMA_EMERGENCY_SITES), &bom(OBAMA_SHELTERS)).unwrap(),
        expected
    );
    let report = gsi::parse(b"\xff\xfe\x00garbage", OBAMA_SHELTERS).unwrap_err();
    assert_eq!(report.errors[0].problem, Problem::Encoding);
}

fn staff_kinds() -> Vec<FacilityKind> {
    vec![
        FacilityKind::shelter(),
        FacilityKind::new(KindId::new("kominkan").unwrap(), "公民館").unwrap(),
        FacilityKind::new(KindId::new("aed").unwrap(), "AED").unwrap(),
    ]
}

const KIND_HEADER: &str = "種別,名称,住所,緯度,経度,電話番号,開館時間,URL,備考\n";

#[test]
fn a_kind_csv_becomes_sites_of_its_kinds() {
    let file = format!(
        "{KIND_HEADER}公民館,雲浜公民館,福井県小浜市雲浜1-1,35.5,135.75,0770-52-0001,9:00〜17:00,https://www1.city.obama.fukui.jp/,\n\
         aed,市役所AED,福井県小浜市大手町6-3,35.4953,135.7466,,,,1階正面玄関\n"
    );
    let read = kinds::parse(file.as_bytes(), &staff_kinds()).unwrap();
    assert_eq!(
        read.kinds.iter().map(KindId::as_str).collect::<Vec<_>>(),
        ["aed", "kominkan"]
    );
    let hall = &read.sites[0];
    assert_eq!(hall.kind().as_str(), "kominkan");
    assert_eq!(hall.extras().phone.as_deref(), Some("0770-52-0001"));
    assert_eq!(hall.extras().hours.as_deref(), Some("9:00〜17:00"));
    assert_eq!(
        hall.id(),
        kinds::site_id(hall.kind(), "雲浜公民館", "福井県小浜市雲浜1-1")
    );
    assert_eq!(read.sites[1].extras().note.as_deref(), Some("1階正面玄関"));
}

#[test]
fn a_kind_csv_with_bad_rows_imports_nothing() {
    let file = format!(
        "{KIND_HEADER}図書館,市立図書館,小浜市,35.5,135.7,,,,\n\
         避難所,どこか,小浜市,35.5,135.7,,,,\n\
         公民館,,小浜市,35.5,135.7,,,,\n\
         公民館,A館,小浜市,,135.7,12-34,,,\n\
         公民館,B館,小浜市,35.5,135.7,,,http://example.jp,\n\
         公民館,C館,小浜市,35.5,135.7,,,,\n\
         公民館,C館,小浜市,35.6,135.7,,,,\n"
    );
    let report = kinds::parse(file.as_bytes(), &staff_kinds()).unwrap_err();
    let got: Vec<(usize, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (2, Some("種別")),
            (3, Some("種別")),
            (4, Some("名称")),
            (5, Some("緯度")),
            (5, Some("電話番号")),
            (6, Some("URL")),
            (8, None),
        ]
    );
    assert_eq!(
        report.errors[0].problem,
        Problem::UnknownKind("図書館".into())
    );
    assert_eq!(report.errors[1].problem, Problem::ShelterKind);
    assert_eq!(report.errors[6].problem, Problem::Duplicate { line: 7 });
    let wrong_header = "種類,名称\n公民館,A\n";
    let report = kinds::parse(wrong_header.as_bytes(), &staff_kinds()).unwrap_err();
    assert!(matches!(report.errors[0].problem, Problem::Header { .. }));
}
