//! The delivery list and log (配信ログ, 仕様書 6.2.1.6 / 6.3.2) through the console's real router:
//! it grows by every garbage notice, so it shows 50 a page with links to the next and previous
//! pages, filters by period (JST dates of creation), status and kind (normal, test, garbage
//! notice), totals the whole filtered period rather than the page, and its CSV follows the
//! same filters.

use crate::support;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, TimeZone, Utc};
use tayori_domain::delivery::{
    Bubble, Composition, Delivery, Totals, GARBAGE_NOTICE_AUTHOR, TESTERS,
};
use tayori_domain::segment::Target;
use tayori_domain::staff::Permission;
use tayori_domain::time::jst;
use tayori_records::Deliveries;

use support::Console;

async fn clerk() -> Console {
    Console::signed_in(
        "clerk",
        "小浜 花子",
        "総務課",
        [Permission::DeliveryDraft].into_iter().collect(),
    )
    .await
}

fn jst_at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    jst()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A draft made at `at` for `target`.
fn draft(id: &str, title: &str, at: DateTime<Utc>, target: Target) -> Delivery {
    let mut d = Delivery::draft(id.into(), "clerk", at);
    let composition = Composition {
        title: title.into(),
        category: "一般".into(),
        bubbles: vec![Bubble::Text {
            text: "お知らせです。".into(),
        }],
        target,
        send_at: None,
    };
    d.compose(composition, at).unwrap();
    d
}

/// `d` released at its creation and sent with `totals`.
fn finished(mut d: Delivery, totals: Totals) -> Delivery {
    let at = d.created().at;
    let by = d.created().by.clone();
    let description = if d.is_test() {
        TESTERS
    } else {
        "すべての友だち"
    };
    d.submit(&by, true, description.into(), at).unwrap();
    assert!(d.start_sending(at));
    assert!(d.close(totals, Vec::new(), at));
    d
}

const TEN_NINE_SENT: Totals = Totals {
    recipients: 10,
    succeeded: 9,
    failed: 1,
    not_sent: 0,
};

/// A sent delivery made at `at` that reached 10 friends, 9 of them.
fn sent(id: &str, title: &str, at: DateTime<Utc>) -> Delivery {
    finished(draft(id, title, at, Target::All), TEN_NINE_SENT)
}

async fn store(c: &Console, deliveries: &[Delivery]) {
    let records = Deliveries::new(c.state.platform.table.clone());
    for d in deliveries {
        records.create(d).await.unwrap();
    }
}

/// The ids of the deliveries listed on a page, in order.
fn listed(body: &str) -> Vec<String> {
    body.split("href=\"/admin/deliveries/")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .filter(|id| id.starts_with("list-"))
        .collect()
}

/// The target of the link marked `rel`, unescaped.
fn link(body: &str, rel: &str) -> Option<String> {
    let rest = body.split(&format!("rel=\"{rel}\" href=\"")).nth(1)?;
    Some(rest[..rest.find('"').unwrap()].replace("&amp;", "&"))
}

#[tokio::test]
async fn a_hundred_and_twenty_deliveries_are_shown_fifty_a_page_newest_first() {
    let mut c = clerk().await;
    let now = Utc::now();
    let all: Vec<Delivery> = (0..120)
        .map(|n| {
            sent(
                &format!("list-{n:03}"),
                &format!("お知らせ {n:03}"),
                now - Duration::minutes(5 * (120 - n)),
            )
        })
        .collect();
    store(&c, &all).await;
    let newest_first: Vec<String> = (0..120).rev().map(|n| format!("list-{n:03}")).collect();

    let first = c.get("/admin/deliveries").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(listed(&first.body), newest_first[..50]);
    assert_eq!(link(&first.body, "prev"), None);
    let second = c
        .get(&link(&first.body, "next").expect("a next page"))
        .await;
    assert_eq!(listed(&second.body), newest_first[50..100]);
    let third = c
        .get(&link(&second.body, "next").expect("a third page"))
        .await;
    assert_eq!(listed(&third.body), newest_first[100..]);
    assert_eq!(link(&third.body, "next"), None, "the last page");

    // Back from the third page is the second again, and back from there the first.
    let back = c
        .get(&link(&third.body, "prev").expect("a previous page"))
        .await;
    assert_eq!(listed(&back.body), newest_first[50..100]);
    let front = c
        .get(&link(&back.body, "prev").expect("the first page"))
        .await;
    assert_eq!(listed(&front.body), newest_first[..50]);

    // The total is the period's, on every page: 120 deliveries of 10 recipients each.
    for page in [&first, &second, &third] {
        assert!(
            page.body
                .contains("配信 120 件、対象 1200 人、成功 1080 通、失敗 120 通"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn the_period_status_and_kind_filters_narrow_the_list_its_total_and_its_csv() {
    let mut c = clerk().await;
    let june_first = finished(
        draft(
            "list-june-first",
            "6月の初め",
            jst_at(2025, 6, 1, 0, 5),
            Target::All,
        ),
        Totals {
            recipients: 100,
            succeeded: 100,
            ..Totals::default()
        },
    );
    let june_last = sent("list-june-last", "6月の終わり", jst_at(2025, 6, 30, 23, 55));
    let tested_at = jst_at(2025, 6, 15, 10, 0);
    let june_test = finished(
        draft("list-june-original", "6月", tested_at, Target::All)
            .test_copy("list-june-test".into(), "clerk", tested_at)
            .unwrap(),
        TEN_NINE_SENT,
    );
    let june_garbage = finished(
        Delivery::automatic(
            "list-june-garbage".into(),
            GARBAGE_NOTICE_AUTHOR,
            "ごみ",
            "ごみ収集のお知らせ 6/16 雲浜".into(),
            "お知らせです。".into(),
            Target::All,
            jst_at(2025, 6, 15, 18, 0),
        ),
        TEN_NINE_SENT,
    );
    let june_draft = draft(
        "list-june-draft",
        "6月の下書き",
        jst_at(2025, 6, 20, 9, 0),
        Target::All,
    );
    let may = sent("list-may", "5月の終わり", jst_at(2025, 5, 31, 23, 55));
    let july = sent("list-july", "7月の初め", jst_at(2025, 7, 1, 0, 5));
    store(
        &c,
        &[
            june_first,
            june_last,
            june_test,
            june_garbage,
            june_draft,
            may,
            july,
        ],
    )
    .await;

    let june = "/admin/deliveries?from=2025-06-01&to=2025-06-30";
    let page = c.get(june).await;
    assert_eq!(
        listed(&page.body),
        [
            "list-june-last",
            "list-june-draft",
            "list-june-garbage",
            "list-june-test",
            "list-june-first",
        ],
        "JST days, both ends included"
    );
    // Tests are listed but not totalled; the draft has nothing to add.
    assert!(
        page.body
            .contains("配信 4 件、対象 120 人、成功 118 通、失敗 2 通"),
        "{}",
        page.body
    );

    let sent_only = c.get(&format!("{june}&status=sent")).await;
    assert!(!listed(&sent_only.body).contains(&"list-june-draft".to_string()));
    assert_eq!(listed(&sent_only.body).len(), 4);

    let garbage = c.get(&format!("{june}&kind=garbage_notice")).await;
    assert_eq!(listed(&garbage.body), ["list-june-garbage"]);
    assert!(garbage
        .body
        .contains("配信 1 件、対象 10 人、成功 9 通、失敗 1 通"));

    let tests = c.get(&format!("{june}&kind=test")).await;
    assert_eq!(listed(&tests.body), ["list-june-test"]);

    let normal = c.get(&format!("{june}&kind=normal&status=sent")).await;
    assert_eq!(listed(&normal.body), ["list-june-last", "list-june-first"]);

    // The filters stay in the form.
    assert!(normal.body.contains("value=\"2025-06-01\""));
    assert!(normal.body.contains("value=\"2025-06-30\""));

    // The CSV has the same rows.
    let asked = c
        .post(
            tayori_admin::pages::deliveries::EXPORT_PATH,
            &[
                ("from", "2025-06-01"),
                ("to", "2025-06-30"),
                ("kind", "normal"),
                ("status", "sent"),
                ("encoding", "utf8"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let (made, bytes) = c.made_export("clerk").await;
    assert!(made
        .conditions()
        .described()
        .contains("2025年6月1日〜2025年6月30日"));
    let csv = String::from_utf8(bytes).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].starts_with("list-june-last,"), "{csv}");
    assert!(rows[1].starts_with("list-june-first,"), "{csv}");
}

#[tokio::test]
async fn a_period_that_cannot_be_read_is_said_and_nothing_else_is_assumed() {
    let mut c = clerk().await;
    let page = c.get("/admin/deliveries?from=2025-13-01").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("期間の開始日を正しく入力してください。"));
    assert!(
        page.body.contains("value=\"2025-13-01\""),
        "what was typed is kept"
    );
    let backwards = c
        .get("/admin/deliveries?from=2025-07-01&to=2025-06-01")
        .await;
    assert!(backwards
        .body
        .contains("期間の終了日は開始日以降にしてください。"));
}

#[tokio::test]
async fn a_drafts_target_is_listed_as_it_reads_now() {
    let mut c = clerk().await;
    let now = Utc::now();
    let kumohama = Target::Segment {
        conditions: vec![tayori_domain::segment::SegmentCondition {
            item: "district".into(),
            matching: tayori_domain::segment::Match::AnyOf,
            values: vec!["雲浜".into()],
        }],
    };
    let draft = draft("list-draft", "まだ下書きの配信", now, kumohama);
    assert!(
        draft.target_description().is_empty(),
        "fixed only at submission"
    );
    store(&c, &[draft]).await;
    let page = c.get("/admin/deliveries").await;
    let row = page
        .body
        .split("<tr>")
        .find(|row| row.contains("まだ下書きの配信"))
        .unwrap();
    assert!(row.contains("<td>居住地区: 雲浜</td>"), "{row}");
}
