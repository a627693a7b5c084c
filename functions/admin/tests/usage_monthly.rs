//! 月次レポート: last month's usage as a PDF, there from the first of this month, with friends
//! added and blocked against the month before, each service, 地区 and 事業; this month is not
//! offered (it is not over).

use crate::support::{office_config, Console};

use axum::http::StatusCode;
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use tayori_adapters::embedded;
use tayori_domain::staff::Permission;
use tayori_domain::time::{jst, to_jst};
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_fake_line::FakeLine;
use tayori_line::{LineClient, LineConfig};
use tayori_ports::SystemClock;
use tayori_records::{Occasion, UsageEvents};

fn mid_month(first: NaiveDate) -> DateTime<Utc> {
    first
        .with_day(15)
        .unwrap()
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap())
        .and_local_timezone(jst())
        .unwrap()
        .with_timezone(&Utc)
}

/// Every page's text, with the line breaks and spaces wrapping put in taken out.
fn text_of(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages)
        .expect("text extracts")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[tokio::test]
async fn last_months_report_is_a_pdf_with_friends_services_and_districts_against_the_month_before()
{
    let dir = tempfile::tempdir().unwrap();
    let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock)).unwrap();
    let fake = FakeLine::new();
    let (base, _server) = fake.serve().await;
    let line = Arc::new(LineClient::new(LineConfig::at(&base, "token")));
    let c = Console::configured(platform, line, dir, office_config());
    c.add_staff(
        "kikaku",
        "企画さん",
        "企画課",
        [Permission::UsageReports].into_iter().collect(),
        Utc::now(),
    )
    .await;
    let this_month = to_jst(Utc::now()).date_naive().with_day(1).unwrap();
    let last = this_month.checked_sub_months(Months::new(1)).unwrap();
    let before = last.checked_sub_months(Months::new(1)).unwrap();
    let usage = UsageEvents::new(c.state.platform.table.clone());
    let kumohama: BTreeMap<String, Vec<String>> =
        [("district".to_string(), vec!["雲浜".to_string()])].into();
    for (kind, month, n) in [
        (UsageKind::FriendAdded, last, 2),
        (UsageKind::FriendBlocked, last, 1),
        (UsageKind::ShelterLookup, last, 3),
        (UsageKind::FriendAdded, before, 1),
        (UsageKind::ShelterLookup, this_month, 7),
    ] {
        for _ in 0..n {
            let event = UsageEvent::one(kind, mid_month(month)).with_attributes(kumohama.clone());
            usage.record(&Occasion::each_time(), &event).await.unwrap();
        }
    }
    let mut b = c.another_browser();
    b.sign_in("kikaku").await;
    let page = b.get("/admin/usage").await.body;
    let code = last.format("%Y-%m").to_string();
    assert!(
        page.contains(&format!("<option value=\"{code}\">")),
        "{page}"
    );
    assert!(!page.contains(&format!(
        "<option value=\"{}\">",
        this_month.format("%Y-%m")
    )));

    let pdf = b.get(&format!("/admin/usage/monthly?month={code}")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    // The manual's picture of a report is drawn from this one (docs/manual/usage.md).
    if let Ok(path) = std::env::var("TAYORI_MONTHLY_SAMPLE") {
        std::fs::write(path, &pdf.bytes).unwrap();
    }
    let text = text_of(&pdf.bytes);
    for expected in [
        "小浜市LINE公式アカウント利用状況報告",
        &last.format("%Y年%-m月").to_string(),
        "友だち追加2人、ブロック1人、差し引き+1人（前月は友だち追加1人、ブロック0人）",
        "避難所検索",
        "雲浜",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(
        text.contains("避難所検索30+3"),
        "3 lookups last month, none before, this month's 7 not among them: {text}"
    );

    // The same month's CSV, through the export function.
    b.get("/admin/usage").await;
    let asked = b
        .post(
            "/admin/usage/export",
            &[
                ("month", code.as_str()),
                ("by", "district"),
                ("encoding", "utf8"),
            ],
        )
        .await;
    assert_eq!(asked.location.as_deref(), Some("/admin/exports"));
    let (_, csv) = b.made_export("kikaku").await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.lines().any(|l| l == "避難所検索,3,3"),
        "last month's 3 lookups in 雲浜, not this month's 7: {csv}"
    );

    let unfinished = b
        .get(&format!(
            "/admin/usage/monthly?month={}",
            this_month.format("%Y-%m")
        ))
        .await;
    assert_eq!(unfinished.status, StatusCode::NOT_FOUND);
    let nonsense = b.get("/admin/usage/monthly?month=2026-13").await;
    assert_eq!(nonsense.status, StatusCode::NOT_FOUND);
}
