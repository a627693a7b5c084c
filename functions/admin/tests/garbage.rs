//! ごみカレンダー through the console's real router: the month grid agrees with the engine,
//! rule edits, suspensions, 5374 import and export, and the notice settings each change what is
//! stored and shown; a staff member without the permission is refused.

use crate::support;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use tayori_domain::staff::{Permission, PermissionSet};
use tayori_domain::time::to_jst;
use tayori_garbage::rules::{DateRange, Districts, Suspension};
use tayori_garbage::{import5374, Calendar, Files5374, SAMPLE_NOTICE};
use tayori_records::{GarbageRecords, StoredCalendar};

use std::collections::HashMap;
use support::Console;

const JANUARY: &str = "/admin/garbage?district=%E9%9B%B2%E6%B5%9C&month=2027-01";

async fn signed_in(permissions: PermissionSet) -> Console {
    Console::signed_in("kankyo", "環境さん", "環境衛生課", permissions).await
}

fn records(c: &Console) -> GarbageRecords {
    GarbageRecords::new(c.state.platform.table.clone())
}

async fn stored_calendar(c: &Console) -> StoredCalendar {
    records(c).calendar().await.unwrap()
}

fn garbage_only() -> PermissionSet {
    [Permission::GarbageCalendars].into_iter().collect()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The grid cell of `date`, as HTML.
fn cell(body: &str, date: NaiveDate) -> &str {
    let start = body
        .find(&format!("id=\"day-{date}\""))
        .unwrap_or_else(|| panic!("no cell for {date}"));
    let len = body[start..].find("</td>").unwrap();
    &body[start..start + len]
}

/// The kinds a cell shows as chips, in order.
fn chips(cell: &str) -> Vec<String> {
    cell.split("data-kind=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

async fn engine_kinds(c: &Console, district: &str, date: NaiveDate) -> Vec<String> {
    let holidays = records(c).holidays().await.unwrap().holidays;
    stored_calendar(c)
        .await
        .calendar
        .collections_on(district, date, &holidays)
        .into_iter()
        .map(|k| k.kind)
        .collect()
}

#[tokio::test]
async fn a_clerk_sees_the_sample_banner_and_a_month_grid_that_agrees_with_the_engine() {
    let mut c = signed_in(garbage_only()).await;
    let page = c.get(JANUARY).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(SAMPLE_NOTICE), "sample banner");
    assert!(
        !page.body.contains("district-mismatch"),
        "the sample's districts are the 居住地区 choices"
    );
    assert!(
        page.body.contains("href=\"/admin/garbage\""),
        "left menu entry"
    );
    assert!(page.body.contains("雲浜地区　2027年1月"));
    let mut collection_days = 0;
    for date in day(2027, 1, 1).iter_days().take(31) {
        let expected = engine_kinds(&c, "雲浜", date).await;
        collection_days += usize::from(!expected.is_empty());
        assert_eq!(chips(cell(&page.body, date)), expected, "{date}");
    }
    assert!(
        collection_days >= 8,
        "a January with collections to compare"
    );
    // The sample pauses 12/31–1/3 and 1/11 is 成人の日.
    assert!(chips(cell(&page.body, day(2027, 1, 1))).is_empty());
    assert!(cell(&page.body, day(2027, 1, 11)).contains("成人の日"));
    // 1 January 2027 is a Friday: five blank cells before it in a 日〜土 week.
    let first_row = &page.body[page.body.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert_eq!(first_row.matches("class=\"other\"").count(), 5);
    assert!(page.body.contains("内閣府"), "holiday attribution");
}

#[tokio::test]
async fn a_rule_edit_changes_the_grid_and_is_audited() {
    let mut c = signed_in(garbage_only()).await;
    let monday = day(2027, 1, 18);
    let wednesday = day(2027, 1, 20);
    c.get("/admin/garbage/rules?district=%E9%9B%B2%E6%B5%9C&kind=%E7%87%83%E3%82%84%E3%81%99%E3%81%94%E3%81%BF").await;
    let before = c.get(JANUARY).await;
    assert!(chips(cell(&before.body, monday)).contains(&"燃やすごみ".to_string()));
    assert!(!chips(cell(&before.body, wednesday)).contains(&"燃やすごみ".to_string()));

    let saved = c
        .post(
            "/admin/garbage/rules",
            &[
                ("district", "雲浜"),
                ("kind", "燃やすごみ"),
                ("weekly", "wed"),
                ("weekly", "sat"),
                ("on_holiday", "collect"),
            ]
            .into_iter()
            .chain(MONTHS.map(|m| ("month", m)))
            .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = c.get(JANUARY).await;
    assert!(!chips(cell(&after.body, monday)).contains(&"燃やすごみ".to_string()));
    assert!(chips(cell(&after.body, wednesday)).contains(&"燃やすごみ".to_string()));
    let other = c
        .get("/admin/garbage?district=%E8%A5%BF%E6%B4%A5&month=2027-01")
        .await;
    assert!(
        chips(cell(&other.body, monday)).contains(&"燃やすごみ".to_string()),
        "西津 keeps its own days"
    );
    assert!(c
        .audit_actions()
        .await
        .contains(&"ごみ収集ルールを変更".to_string()));
    assert!(stored_calendar(&c).await.updated.unwrap().by == "kankyo");
}

#[tokio::test]
async fn a_rule_the_calendar_check_refuses_is_shown_with_the_input_kept_and_nothing_saved() {
    let mut c = signed_in(garbage_only()).await;
    c.get("/admin/garbage/rules").await;
    let before = stored_calendar(&c).await;
    let refused = c
        .post(
            "/admin/garbage/rules",
            &[
                ("district", "雲浜"),
                ("kind", "燃やすごみ"),
                ("weekly", "mon"),
                ("month", "1"),
                ("extra_dates", "2027/1/6"),
                ("cancelled_dates", "2027-01-06\nあした"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("日付として読めない行があります：あした"));
    assert!(refused.body.contains("2027/1/6"), "the typed input is kept");
    let refused = c
        .post(
            "/admin/garbage/rules",
            &[
                ("district", "雲浜"),
                ("kind", "燃やすごみ"),
                ("weekly", "mon"),
                ("month", "1"),
                ("extra_dates", "2027/1/6"),
                ("cancelled_dates", "2027-01-06"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("が追加日と中止日の両方にあります"));
    assert_eq!(stored_calendar(&c).await, before);
}

#[tokio::test]
async fn a_suspension_is_stored_shown_in_the_grid_and_can_be_removed() {
    let mut c = signed_in(garbage_only()).await;
    let thursday = day(2027, 1, 7);
    assert!(!engine_kinds(&c, "雲浜", thursday).await.is_empty());
    c.get("/admin/garbage/suspensions").await;
    let preview = c
        .post(
            "/admin/garbage/suspensions",
            &[
                ("districts_mode", "some"),
                ("district", "雲浜"),
                ("kinds_mode", "all"),
                ("from", "2027-01-07"),
                ("reason", "大雪"),
                ("substitute", "2027-01-09"),
                ("message", ""),
                ("step", "preview"),
            ],
        )
        .await;
    let message = "大雪のため、1月7日（木）の雲浜地区のごみ収集は中止します。1月9日（土）に振り替えて収集します。";
    assert!(preview.body.contains(message), "{}", preview.body);
    assert!(
        stored_calendar(&c).await.calendar.suspensions.is_empty(),
        "a preview saves nothing"
    );
    let saved = c
        .post(
            "/admin/garbage/suspensions",
            &[
                ("districts_mode", "some"),
                ("district", "雲浜"),
                ("kinds_mode", "all"),
                ("from", "2027-01-07"),
                ("reason", "大雪"),
                ("substitute", "2027-01-09"),
                ("message", message),
                ("generated", message),
                ("step", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = stored_calendar(&c).await.calendar.suspensions;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message, message);
    assert_eq!(stored[0].substitute, Some(day(2027, 1, 9)));

    let grid = c.get(JANUARY).await;
    let stopped = cell(&grid.body, thursday);
    assert!(stopped.contains("収集中止") && stopped.contains("大雪"));
    assert!(chips(stopped).is_empty());
    assert!(cell(&grid.body, day(2027, 1, 9)).contains("大雪の中止分"));
    let other = c
        .get("/admin/garbage?district=%E8%A5%BF%E6%B4%A5&month=2027-01")
        .await;
    assert!(!cell(&other.body, thursday).contains("収集中止"));

    let list = c.get("/admin/garbage/suspensions").await;
    assert!(list.body.contains(message));
    let removed = c
        .post(
            "/admin/garbage/suspensions/0/remove",
            &[("from", "2027-01-07"), ("reason", "大雪")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(stored_calendar(&c).await.calendar.suspensions.is_empty());
    let actions = c.audit_actions().await;
    assert!(actions.contains(&"ごみ収集を中止".to_string()));
    assert!(actions.contains(&"ごみ収集の中止を取消".to_string()));
}

#[tokio::test]
async fn a_suspension_ending_before_it_starts_or_without_districts_is_refused() {
    let mut c = signed_in(garbage_only()).await;
    c.get("/admin/garbage/suspensions").await;
    let refused = c
        .post(
            "/admin/garbage/suspensions",
            &[
                ("districts_mode", "some"),
                ("kinds_mode", "all"),
                ("from", "2027-01-07"),
                ("to", "2027-01-06"),
                ("reason", "大雪"),
                ("message", "中止します"),
                ("step", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("終わりの日が始まりの日より前です"));
    assert!(refused.body.contains("地区を1つ以上選ぶか"));
    assert!(stored_calendar(&c).await.calendar.suspensions.is_empty());
}

const MONTHS: [&str; 12] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
];

const SMALL_AREA_DAYS: &str =
    "地区,センター,燃やすごみ,びん\r\n東地区,,月 木,水2\r\n西地区,,火 金,水4\r\n";

#[tokio::test]
async fn a_broken_import_names_the_file_and_line_and_changes_nothing() {
    let mut c = signed_in(garbage_only()).await;
    c.get("/admin/garbage/data").await;
    let before = stored_calendar(&c).await;
    let broken = "地区,センター,燃やすごみ,びん\r\n東地区,,月 木,水2\r\n西地区,,火 金,毎週\r\n";
    let answer = c
        .upload(
            "/admin/garbage/import",
            &[("area_days", "area_days.csv", broken.as_bytes())],
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.body.contains("area_days.csv 3行目"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("毎週"));
    assert_eq!(stored_calendar(&c).await, before);

    let not_csv = c
        .upload(
            "/admin/garbage/import",
            &[("area_days", "calendar.xlsx", b"PK\x03\x04\x00\x00")],
        )
        .await;
    assert_eq!(not_csv.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_csv.body.contains("CSVファイルではありません"));
    let big = vec![b'a'; 2 * 1024 * 1024 + 1];
    let too_big = c
        .upload(
            "/admin/garbage/import",
            &[("area_days", "area_days.csv", &big)],
        )
        .await;
    assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_big.body.contains("大きすぎます"));
    assert_eq!(stored_calendar(&c).await, before);
}

#[tokio::test]
async fn a_good_import_replaces_the_sample_and_its_export_imports_back_the_same() {
    let mut c = signed_in(garbage_only()).await;
    c.get("/admin/garbage/data").await;
    let description = "label,sublabel,description,styles,Bgcolor\r\n燃やすごみ,週2回,生ごみなど,,#e8503a\r\nびん,月1回,飲料のびん,,#2a9d8f\r\n";
    let target = "type,name,notice,furigana\r\nびん,ジャムのびん,ふたを外す,じゃむのびん\r\n";
    let imported = c
        .upload(
            "/admin/garbage/import",
            &[
                ("area_days", "area_days.csv", SMALL_AREA_DAYS.as_bytes()),
                ("center", "", b""),
                ("description", "description.csv", description.as_bytes()),
                ("target", "target.csv", target.as_bytes()),
            ],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let page = c.get("/admin/garbage/data").await;
    assert!(page
        .body
        .contains("取り込みました：地区2件、ごみの種類2件、分別辞典1品目"));
    assert!(
        !page.body.contains(SAMPLE_NOTICE),
        "the sample banner is gone"
    );
    let stored = stored_calendar(&c).await;
    assert!(!stored.sample);
    assert_eq!(stored.calendar.districts.len(), 2);
    // Its districts are not the 居住地区 choices: the clerk is told who would get nothing.
    for tab in ["/admin/garbage", "/admin/garbage/notices"] {
        let shown = c.get(tab).await.body;
        assert!(
            shown.contains("カレンダーにだけある地区：東地区、西地区"),
            "{tab}: {shown}"
        );
        assert!(shown.contains("「居住地区」にだけある選択肢：小浜、雲浜、西津"));
    }
    assert!(stored
        .updated
        .as_ref()
        .unwrap()
        .what
        .starts_with("5374取込"));
    assert!(c
        .audit_actions()
        .await
        .contains(&"ごみカレンダーを取込".to_string()));

    let mut files = HashMap::new();
    for name in ["area_days", "center", "description", "target"] {
        let file = c.get(&format!("/admin/garbage/export/{name}.csv")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("text/csv"));
        assert!(file.bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
        files.insert(name, file.bytes);
    }
    let again = import5374(Files5374 {
        area_days: &files["area_days"],
        center: Some(&files["center"]),
        description: Some(&files["description"]),
        target: Some(&files["target"]),
    })
    .unwrap();
    assert_eq!(again.calendar, stored.calendar);
    assert_eq!(again.dictionary, records(&c).dictionary().await.unwrap());
    assert_eq!(
        c.get("/admin/garbage/export/README").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn import_small(c: &mut Console) -> support::Answered {
    c.upload(
        "/admin/garbage/import",
        &[("area_days", "area_days.csv", SMALL_AREA_DAYS.as_bytes())],
    )
    .await
}

#[tokio::test]
async fn a_new_import_keeps_the_snow_day_staff_set_and_says_so() {
    let mut c = signed_in(garbage_only()).await;
    c.get("/admin/garbage/data").await;
    assert_eq!(import_small(&mut c).await.status, StatusCode::SEE_OTHER);
    // A snow day next week in 東地区, set after the city's calendar came in.
    let next_week = to_jst(Utc::now()).date_naive() + Duration::days(7);
    let snow = Suspension {
        districts: Districts::Only(vec!["東地区".into()]),
        kinds: None,
        range: DateRange {
            from: next_week,
            to: next_week,
        },
        reason: "大雪".into(),
        substitute: None,
        message: "大雪のため収集を中止します。".into(),
    };
    records(&c)
        .update_calendar("kankyo", Utc::now(), "収集中止", |cal| {
            cal.suspensions.push(snow.clone());
            Ok::<_, ()>(())
        })
        .await
        .unwrap()
        .unwrap();

    assert_eq!(import_small(&mut c).await.status, StatusCode::SEE_OTHER);
    let page = c.get("/admin/garbage/data").await;
    assert!(
        page.body.contains("収集中止1件を引き継ぎました"),
        "{}",
        page.body
    );
    assert_eq!(stored_calendar(&c).await.calendar.suspensions, vec![snow]);
}

#[tokio::test]
async fn the_cabinet_office_holiday_csv_is_taken_and_shown_with_who_uploaded_it() {
    let mut c = signed_in(garbage_only()).await;
    c.get("/admin/garbage/data").await;
    let csv =
        "国民の祝日・休日月日,国民の祝日・休日名称\r\n2028/1/1,元日\r\n2028/1/10,成人の日\r\n";
    let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
    let answer = c
        .upload(
            "/admin/garbage/holidays",
            &[("holidays", "syukujitsu.csv", &cp932)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = c.get("/admin/garbage/data").await;
    assert!(
        page.body.contains("2028年1月10日（月）"),
        "last holiday shown"
    );
    assert!(page.body.contains("kankyo、祝日CSV取込"));
    assert_eq!(records(&c).holidays().await.unwrap().holidays.len(), 2);

    let bad = c
        .upload(
            "/admin/garbage/holidays",
            &[(
                "holidays",
                "syukujitsu.csv",
                "国民の祝日・休日月日,国民の祝日・休日名称\n2028/13/1,何か\n".as_bytes(),
            )],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("syukujitsu.csv 2行目"));
    assert_eq!(records(&c).holidays().await.unwrap().holidays.len(), 2);
}

#[tokio::test]
async fn notice_settings_save_and_reload_and_a_bad_time_is_refused() {
    let mut c = signed_in(garbage_only()).await;
    let page = c.get("/admin/garbage/notices").await;
    assert!(page.body.contains("value=\"06:30\""));
    assert!(page.body.contains("value=\"19:00\""));
    let calendar: Calendar = stored_calendar(&c).await.calendar;
    let kinds: Vec<_> = calendar.kinds.iter().filter(|k| k.scheduled).collect();
    let mut fields = vec![
        ("enabled", "on".to_string()),
        ("morning_at", "06:45".to_string()),
        ("evening_at", "20:00".to_string()),
    ];
    for (i, kind) in kinds.iter().enumerate() {
        if i != 1 {
            fields.push((leak(format!("on-{i}")), "1".into()));
        }
        fields.push((
            leak(format!("wording-{i}")),
            format!("明日は{}の日です。", kind.name),
        ));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = c.post("/admin/garbage/notices", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let settings = records(&c).notices().await.unwrap();
    assert_eq!(settings.morning_at.format("%H:%M").to_string(), "06:45");
    assert_eq!(settings.evening_at.format("%H:%M").to_string(), "20:00");
    assert!(!settings.kind(&calendar, &kinds[1].id).on);
    assert_eq!(
        settings.kind(&calendar, &kinds[0].id).wording,
        format!("明日は{}の日です。", kinds[0].name)
    );
    let reloaded = c.get("/admin/garbage/notices").await;
    assert!(reloaded.body.contains("value=\"06:45\""));
    assert!(reloaded
        .body
        .contains(&format!("明日は{}の日です。", kinds[2].name)));

    let refused = c
        .post(
            "/admin/garbage/notices",
            &[
                ("enabled", "on"),
                ("morning_at", "25:00"),
                ("evening_at", "20:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("時刻は「06:30」のように"));
    assert_eq!(records(&c).notices().await.unwrap(), settings);
    assert!(c
        .audit_actions()
        .await
        .contains(&"ごみ収集のお知らせ設定を変更".to_string()));
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[tokio::test]
async fn staff_without_the_garbage_permission_get_403_on_pages_and_on_posts_with_a_valid_token() {
    let everything_else: PermissionSet = Permission::ALL
        .into_iter()
        .filter(|p| *p != Permission::GarbageCalendars)
        .collect();
    let mut c = signed_in(everything_else).await;
    let home = c.get("/admin").await;
    assert!(
        !home.body.contains("href=\"/admin/garbage\""),
        "no menu entry"
    );
    assert!(!c.csrf.is_empty(), "a valid token from the home page");
    for path in [
        "/admin/garbage",
        "/admin/garbage/rules",
        "/admin/garbage/suspensions",
        "/admin/garbage/data",
        "/admin/garbage/notices",
        "/admin/garbage/export/area_days.csv",
    ] {
        let a = c.get(path).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "GET {path}");
        assert!(
            a.body.contains("ごみ収集カレンダー"),
            "the refusal names the permission"
        );
    }
    let refused = c
        .post(
            "/admin/garbage/suspensions",
            &[
                ("districts_mode", "all"),
                ("kinds_mode", "all"),
                ("from", "2027-01-07"),
                ("reason", "大雪"),
                ("message", "中止します"),
                ("step", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = c
        .post(
            "/admin/garbage/notices",
            &[
                ("enabled", "off"),
                ("morning_at", "07:00"),
                ("evening_at", "20:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(stored_calendar(&c).await.calendar.suspensions.is_empty());
    assert!(records(&c).notices().await.unwrap().enabled);
}

#[tokio::test]
async fn holidays_past_the_published_csv_are_computed_and_the_equinoxes_marked_provisional() {
    let mut c = signed_in(garbage_only()).await;
    let march = |year: i32| format!("/admin/garbage?district=%E9%9B%B2%E6%B5%9C&month={year}-03");
    let published = c.get(&march(2027)).await.body;
    let equinox = cell(&published, day(2027, 3, 21));
    assert!(
        equinox.contains("春分の日") && !equinox.contains("見込み"),
        "{equinox}"
    );
    let computed = c.get(&march(2028)).await.body;
    let equinox = cell(&computed, day(2028, 3, 20));
    assert!(equinox.contains("春分の日（見込み）"), "{equinox}");
    let january = c
        .get("/admin/garbage?district=%E9%9B%B2%E6%B5%9C&month=2028-01")
        .await
        .body;
    let coming_of_age = cell(&january, day(2028, 1, 10));
    assert!(coming_of_age.contains("成人の日") && !coming_of_age.contains("見込み"));

    let page = c.get("/admin/garbage/data").await.body;
    assert!(
        page.contains("2028年以降の祝日は、法律の規定から計算しています"),
        "{page}"
    );
}

#[tokio::test]
async fn in_a_deployment_the_sample_banner_says_citizens_get_nothing_and_where_to_import() {
    // The office console is configured as the Lambda is: the sample is withheld.
    let mut c = signed_in(garbage_only()).await;
    for tab in [
        "/admin/garbage",
        "/admin/garbage/notices",
        "/admin/garbage/rules",
    ] {
        let page = c.get(tab).await.body;
        assert!(page.contains(SAMPLE_NOTICE), "{tab}");
        assert!(page.contains("市民には使っていません"), "{tab}: {page}");
        assert!(page.contains("「準備中」"), "{tab}");
        assert!(page.contains("href=\"/admin/garbage/data\""), "{tab}");
    }
}

#[tokio::test]
async fn a_formula_in_imported_data_is_neutralised_in_the_console_s_export() {
    let mut c = signed_in(garbage_only()).await;
    c.get("/admin/garbage/data").await;
    let description = "label,sublabel,description,styles,Bgcolor\r\n燃やすごみ,-,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",,#e8503a\r\n";
    let target = "type,name,notice,furigana\r\n燃やすごみ,生ごみ,@SUM(A1),なまごみ\r\n";
    let imported = c
        .upload(
            "/admin/garbage/import",
            &[
                ("area_days", "area_days.csv", SMALL_AREA_DAYS.as_bytes()),
                ("description", "description.csv", description.as_bytes()),
                ("target", "target.csv", target.as_bytes()),
            ],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let exported = c.get("/admin/garbage/export/description.csv").await.body;
    assert!(
        exported.contains(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\","),
        "{exported}"
    );
    assert!(exported.contains("燃やすごみ,\"'-\","), "{exported}");
    let target = c.get("/admin/garbage/export/target.csv").await.body;
    assert!(target.contains(",\"'@SUM(A1)\","), "{target}");
}
