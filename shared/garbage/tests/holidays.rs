//! The Cabinet Office holiday CSV, as published.

use chrono::{Datelike, NaiveDate};
use tayori_garbage::Holidays;

const BUNDLED: &str = include_str!("../../../data/garbage/holidays/syukujitsu.csv");

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_bundled_holidays_name_new_year_and_substitute_holidays() {
    let h = Holidays::bundled();
    assert_eq!(h.len(), 1067);
    assert_eq!(h.name(d("2027-01-01")).as_deref(), Some("元日"));
    assert_eq!(h.name(d("2026-09-22")).as_deref(), Some("休日"));
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

/// Days the Cabinet Office lists that no rule of the law makes: imperial ceremonies, each
/// declared by its own act for its one year.
const CEREMONIES: [&str; 4] = ["1959-04-10", "1989-02-24", "1990-11-12", "1993-06-09"];

/// The years whose holidays were moved by one-off acts (the 2019 enthronement, the Tokyo
/// Olympics in 2020 and 2021): the rules cannot know them, the published CSV gives them.
const ONE_OFF_YEARS: std::ops::RangeInclusive<i32> = 2019..=2021;

fn published_in(year: i32) -> Vec<(NaiveDate, String)> {
    Holidays::bundled()
        .iter()
        .filter(|(day, _)| day.year() == year)
        .filter(|(day, _)| !CEREMONIES.contains(&day.to_string().as_str()))
        .map(|(day, name)| (day, name.to_owned()))
        .collect()
}

#[test]
fn the_law_s_rules_reproduce_the_cabinet_office_csv_for_every_year_it_covers() {
    // The CSV starts in 1955 and the bundled copy ends with 2027. Every year is compared whole
    // (dates and names), except the ceremonies and the one-off years above.
    let mut compared = 0;
    for year in 1955..=2027 {
        if ONE_OFF_YEARS.contains(&year) {
            continue;
        }
        let computed: Vec<(NaiveDate, String)> = tayori_garbage::holiday_law::holidays_in(year)
            .into_iter()
            .map(|h| (h.date, h.name.to_owned()))
            .collect();
        assert_eq!(computed, published_in(year), "{year}");
        compared += 1;
    }
    assert_eq!(compared, 70);
}

#[test]
fn the_holidays_of_2028_come_from_the_law_with_the_equinoxes_provisional() {
    let h = Holidays::bundled();
    let days: Vec<(String, String, bool)> = d("2028-01-01")
        .iter_days()
        .take_while(|day| day.year() == 2028)
        .filter_map(|day| {
            h.holiday(day)
                .map(|x| (day.to_string(), x.name, x.provisional))
        })
        .collect();
    let expected = [
        ("2028-01-01", "元日", false),
        ("2028-01-10", "成人の日", false),
        ("2028-02-11", "建国記念の日", false),
        ("2028-02-23", "天皇誕生日", false),
        ("2028-03-20", "春分の日", true),
        ("2028-04-29", "昭和の日", false),
        ("2028-05-03", "憲法記念日", false),
        ("2028-05-04", "みどりの日", false),
        ("2028-05-05", "こどもの日", false),
        ("2028-07-17", "海の日", false),
        ("2028-08-11", "山の日", false),
        ("2028-09-18", "敬老の日", false),
        ("2028-09-22", "秋分の日", true),
        ("2028-10-09", "スポーツの日", false),
        ("2028-11-03", "文化の日", false),
        ("2028-11-23", "勤労感謝の日", false),
    ]
    .map(|(day, name, provisional)| (day.to_string(), name.to_string(), provisional));
    assert_eq!(days, expected);
    // Published equinoxes are final.
    assert!(!h.holiday(d("2027-03-21")).unwrap().provisional);
}

#[test]
fn a_substitute_for_a_sunday_equinox_is_provisional_too() {
    // 春分 2033 falls on Sunday 20 March: Monday 21 is its 振替休日.
    let h = Holidays::bundled();
    let equinox = h.holiday(d("2033-03-20")).unwrap();
    assert_eq!(
        (equinox.name.as_str(), equinox.provisional),
        ("春分の日", true)
    );
    let substitute = h.holiday(d("2033-03-21")).unwrap();
    assert_eq!(
        (substitute.name.as_str(), substitute.provisional),
        ("休日", true)
    );
}

#[test]
fn the_published_csv_wins_for_the_years_it_covers() {
    // An uploaded CSV listing 2028 with a one-off day the rules cannot know, and without 海の日.
    let published = Holidays::from_days([
        (d("2028-01-01"), "元日".to_string()),
        (d("2028-06-01"), "記念の日".to_string()),
    ]);
    assert_eq!(published.name(d("2028-06-01")).as_deref(), Some("記念の日"));
    assert!(
        !published.is_holiday(d("2028-07-17")),
        "2028 is as published"
    );
    assert!(!published.holiday(d("2028-06-01")).unwrap().provisional);
    // Years the CSV does not cover still follow the law.
    assert_eq!(published.name(d("2029-01-08")).as_deref(), Some("成人の日"));
    assert!(Holidays::none().holiday(d("2029-01-08")).is_none());
}
