//! The Cabinet Office holiday CSV, as published.

use chrono::NaiveDate;
use tayori_garbage::Holidays;

const BUNDLED: &str = include_str!("../../../data/garbage/holidays/syukujitsu.csv");

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_bundled_holidays_name_new_year_and_substitute_holidays() {
    let h = Holidays::bundled();
    assert_eq!(h.len(), 1067);
    assert_eq!(h.name(d("2027-01-01")), Some("元日"));
    assert_eq!(h.name(d("2026-09-22")), Some("休日"));
    assert!(!h.is_holiday(d("2026-12-28")));
    assert_eq!(h.last_date(), Some(d("2027-11-23")));
}

#[test]
fn the_csv_parses_the_same_as_downloaded_in_cp932_with_crlf() {
    let crlf = BUNDLED.replace('\n', "\r\n");
    let (cp932, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&crlf);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&cp932).is_err(),
        "the test really feeds CP932"
    );
    assert_eq!(
        Holidays::parse_cabinet_office_csv(&cp932).unwrap(),
        Holidays::bundled()
    );
}

#[test]
fn the_csv_parses_in_utf8_with_a_bom() {
    let with_bom = format!("\u{feff}{BUNDLED}");
    assert_eq!(
        Holidays::parse_cabinet_office_csv(with_bom.as_bytes()).unwrap(),
        Holidays::bundled()
    );
}

#[test]
fn broken_rows_are_reported_with_their_line_numbers() {
    let text = "国民の祝日・休日月日,国民の祝日・休日名称\n2027/1/1,元日\n2027/13/1,ありえない日\n2027/2/11\n2027/2/23,\n";
    let err = Holidays::parse_cabinet_office_csv(text.as_bytes()).unwrap_err();
    let lines: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "syukujitsu.csv 3行目 1列目: 「2027/13/1」は日付（例: 2027/1/1）として読めません",
            "syukujitsu.csv 4行目: 列の数が1です（日付と名称の2列が必要です）",
            "syukujitsu.csv 5行目 2列目: 祝日の名称が空です",
        ]
    );
}

#[test]
fn a_file_with_another_header_is_refused() {
    let err =
        Holidays::parse_cabinet_office_csv("date,name\n2027/1/1,元日\n".as_bytes()).unwrap_err();
    assert_eq!(err.errors[0].line, Some(1));
}
