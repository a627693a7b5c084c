//! 5374 import and export, on the real 京丹後市 files and the shipped Obama sample.

use chrono::{NaiveDate, Weekday};
use tayori_garbage::{
    export5374, import5374, Calendar, Exported5374, Files5374, Holidays, Imported, Schedule,
    SAMPLE_NOTICE,
};

const AREA_DAYS: &[u8] = include_bytes!("fixtures/kyotango/area_days.csv");
const CENTER: &[u8] = include_bytes!("fixtures/kyotango/center.csv");
const DESCRIPTION: &[u8] = include_bytes!("fixtures/kyotango/description.csv");
const TARGET: &[u8] = include_bytes!("fixtures/kyotango/target.csv");

fn kyotango() -> Imported {
    import5374(Files5374 {
        area_days: AREA_DAYS,
        center: Some(CENTER),
        description: Some(DESCRIPTION),
        target: Some(TARGET),
    })
    .unwrap()
}

fn reimport(files: &Exported5374) -> Imported {
    import5374(Files5374 {
        area_days: files.area_days.as_bytes(),
        center: Some(files.center.as_bytes()),
        description: Some(files.description.as_bytes()),
        target: Some(files.target.as_bytes()),
    })
    .unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_kyotango_files_import_with_every_district_kind_centre_and_item() {
    let imported = kyotango();
    let cal = &imported.calendar;
    assert_eq!(cal.districts.len(), 169);
    assert_eq!(
        cal.kinds.len(),
        12,
        "7 scheduled kinds and 5 dictionary-only ones"
    );
    assert_eq!(cal.kinds.iter().filter(|k| k.scheduled).count(), 7);
    assert_eq!(cal.rules.len(), 169 * 7, "no cell in the file is empty");
    assert_eq!(cal.centre_pauses.len(), 25);
    assert_eq!(imported.dictionary.entries.len(), 776);

    let first = cal.rule("峰山町元町区", "容器包装プラスチック").unwrap();
    assert_eq!(
        first.schedules,
        vec![Schedule::NthWeekday {
            weekday: Weekday::Wed,
            nths: vec![2, 4]
        }]
    );
    assert_eq!(cal.kind("可燃ごみ").unwrap().colour, "#ea3b13");
    assert_eq!(cal.centre_pauses[4].range.from, d("2026-12-29"));
}

#[test]
fn kyotango_round_trips_import_export_import_to_an_equal_calendar_and_identical_files() {
    // What is compared: (1) the Calendar and Dictionary values of the first import and of the
    // import of its export are equal (every field: districts, kinds with colours and flags,
    // rules, centre pauses, dictionary entries); (2) exporting the re-import gives the same
    // four files byte for byte as the first export. The first export is not compared with the
    // original bytes: it is canonical UTF-8 (the original may be CP932 or differ in spacing).
    let first = kyotango();
    let exported = export5374(&first.calendar, &first.dictionary);
    let second = reimport(&exported);
    assert_eq!(second, first);
    assert_eq!(export5374(&second.calendar, &second.dictionary), exported);
}

#[test]
fn the_kyotango_export_keeps_the_original_rows_of_area_days_center_and_target() {
    // The city's files are already canonical, so the export reproduces them line by line.
    let exported = kyotango().calendar;
    let files = export5374(&exported, &kyotango().dictionary);
    assert_eq!(files.area_days.as_bytes(), AREA_DAYS);
    assert_eq!(files.center.as_bytes(), CENTER);
    assert_eq!(files.description.as_bytes(), DESCRIPTION);
    assert_eq!(files.target.as_bytes(), TARGET);
}

#[test]
fn the_obama_sample_exports_back_to_its_shipped_files() {
    let sample = tayori_garbage::obama_sample();
    let files = export5374(&sample.calendar, &sample.dictionary);
    let shipped = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/../../data/garbage/obama-sample/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    assert_eq!(files.area_days, shipped("area_days.csv"));
    assert_eq!(files.center, shipped("center.csv"));
    assert_eq!(files.description, shipped("description.csv"));
    assert_eq!(files.target, shipped("target.csv"));
}

#[test]
fn a_cp932_upload_imports_the_same_as_utf8() {
    let (sjis, _, unmappable) =
        encoding_rs::SHIFT_JIS.encode(std::str::from_utf8(AREA_DAYS).unwrap());
    assert!(!unmappable);
    let from_sjis = import5374(Files5374 {
        area_days: &sjis,
        ..Default::default()
    })
    .unwrap();
    let from_utf8 = import5374(Files5374 {
        area_days: AREA_DAYS,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(from_sjis, from_utf8);
}

#[test]
fn bad_cells_are_all_reported_with_line_and_column_and_nothing_is_imported() {
    let area_days = "地区,センター,燃やすごみ,びん\n小浜,,月 木,水2\n雲浜,,水6,火2:13\n西津,,月\n";
    let err = import5374(Files5374 {
        area_days: area_days.as_bytes(),
        ..Default::default()
    })
    .unwrap_err();
    let lines: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "area_days.csv 3行目 3列目: 「水6」は曜日と週の指定として読めません",
            "area_days.csv 3行目 4列目: 「13」は月（1〜12）として読めません",
            "area_days.csv 4行目: 列の数が3です（見出し行は4列）",
        ]
    );
}

#[test]
fn a_bad_date_in_center_csv_fails_the_whole_import() {
    let center = "名称,休止開始日,休止終了日\nA,2026/12/29,2027/1/3\nA,2026/13/1,2027/1/3\n";
    let err = import5374(Files5374 {
        area_days: "地区,センター,燃やすごみ\n小浜,A,月 木\n".as_bytes(),
        center: Some(center.as_bytes()),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.errors.len(), 1);
    assert_eq!(
        err.errors[0].to_string(),
        "center.csv 3行目 2列目: 「2026/13/1」は日付（例: 2026/12/29）として読めません"
    );
}

#[test]
fn a_district_served_by_a_paused_centre_gets_no_collection_in_the_pause() {
    let imported = import5374(Files5374 {
        area_days: "地区,センター,燃やすごみ\n小浜,A,月 木\n宮川,,月 木\n".as_bytes(),
        center: Some("名称,休止開始日,休止終了日\nA,2026/12/29,2027/1/3\n".as_bytes()),
        ..Default::default()
    })
    .unwrap();
    let h = Holidays::none();
    assert!(imported
        .calendar
        .collections_on("小浜", d("2026-12-31"), &h)
        .is_empty());
    assert_eq!(
        imported
            .calendar
            .collections_on("宮川", d("2026-12-31"), &h)
            .len(),
        1
    );
}

#[test]
fn the_obama_sample_loads_and_every_district_has_burnable_garbage_twice_a_week() {
    let sample = tayori_garbage::obama_sample();
    let cal: Calendar = sample.calendar;
    assert_eq!(Calendar::obama_sample(), cal);
    let names: Vec<&str> = cal.districts.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "小浜",
            "雲浜",
            "西津",
            "内外海",
            "国富",
            "宮川",
            "松永",
            "遠敷",
            "今富",
            "口名田",
            "中名田",
            "加斗"
        ]
    );
    assert_eq!(cal.kinds.len(), 10);
    assert!(cal.validate().is_ok());
    let h = Holidays::bundled();
    for district in &cal.districts {
        // A week in June 2026 with no holiday and no pause.
        let days: Vec<NaiveDate> = d("2026-06-08")
            .iter_days()
            .take(7)
            .filter(|day| {
                cal.collections_on(&district.name, *day, &h)
                    .iter()
                    .any(|c| c.kind == "燃やすごみ")
            })
            .collect();
        assert_eq!(days.len(), 2, "{}", district.name);
        assert!(cal.rule(&district.name, "燃やすごみ").is_some());
    }
    assert!(cal
        .kinds
        .iter()
        .all(|k| k.description.starts_with("【サンプル】")));
    assert!(SAMPLE_NOTICE.contains("サンプル"));
    assert!(sample.dictionary.entries.len() >= 80);
}

#[test]
fn the_obama_sample_pauses_over_new_year() {
    let cal = Calendar::obama_sample();
    let h = Holidays::bundled();
    let collected = |day: &str| !cal.collections_on("小浜", d(day), &h).is_empty();
    assert!(collected("2026-12-28"));
    assert!(
        !collected("2026-12-31"),
        "Thursday 31 Dec is in the 12/31–1/3 pause"
    );
    assert!(collected("2027-01-04"));
}

/// Third-party 5374 data with a formula in a description and a dictionary notice, and a
/// sublabel that legitimately starts with a minus sign.
fn with_formulas() -> Imported {
    let description = "label,sublabel,description,styles,Bgcolor\r\n燃やすごみ,-,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",,#e8503a\r\n";
    let target = "type,name,notice,furigana\r\n燃やすごみ,生ごみ,@SUM(A1),なまごみ\r\n燃やすごみ,紙くず,+81 0770,かみくず\r\n";
    import5374(Files5374 {
        area_days: "地区,センター,燃やすごみ\r\n小浜,,月 木\r\n".as_bytes(),
        center: None,
        description: Some(description.as_bytes()),
        target: Some(target.as_bytes()),
    })
    .unwrap()
}

#[test]
fn formulas_in_imported_cells_are_neutralised_when_exported() {
    let imported = with_formulas();
    assert_eq!(
        imported.calendar.kinds[0].description,
        "=HYPERLINK(\"http://evil\",\"x\")"
    );
    let files = export5374(&imported.calendar, &imported.dictionary);
    assert!(
        files
            .description
            .contains(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\","),
        "{}",
        files.description
    );
    assert!(files.target.contains(",\"'@SUM(A1)\","), "{}", files.target);
    assert!(files.target.contains(",\"'+81 0770\","), "{}", files.target);
    for file in [&files.area_days, &files.description, &files.target] {
        for line in file.lines() {
            for cell in line.split(',') {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t']),
                    "a cell Excel would run: {cell:?} in {line:?}"
                );
            }
        }
    }
}

#[test]
fn neutralised_cells_import_back_as_the_values_they_were() {
    let imported = with_formulas();
    let files = export5374(&imported.calendar, &imported.dictionary);
    let again = reimport(&files);
    assert_eq!(again, imported);
    assert_eq!(
        again.calendar.kinds[0].sublabel, "-",
        "a leading minus survives"
    );
    assert_eq!(export5374(&again.calendar, &again.dictionary), files);
}
