//! Issue 13 §3 in the local run: a JMA message dropped in the feed folder (which replaces
//! JMA's URL) switches the menu and sends the first message once, as the poll on every tick
//! reads the folder.

use crate::support;
use std::time::Duration;
use tayori_disaster::RuleDesk;
use tayori_domain::richmenu::MenuMode;
use tayori_records::RichMenus;

const TSUNAMI: &str = "default-tsunami-warning";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../shared/jma/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tsunami_warning_in_the_feed_folder_switches_the_menu_and_sends_once() {
    let dir = tempfile::tempdir().unwrap();
    let running = support::run(dir.path(), Duration::from_millis(200)).await;
    let citizen = support::follower(&running.base_url).await;
    let rules = RuleDesk::new(
        running.platform.table.clone(),
        running.platform.clock.clone(),
    );
    rules.list().await.unwrap();
    rules.set_enabled(TSUNAMI, true, "tanaka").await.unwrap();

    let feed = dir.path().join(tayori_local::JMA_FEED_DIR);
    assert!(feed.is_dir(), "the local run makes the feed folder");
    let file = "20261201000001_0_VTSE41_010000.xml";
    std::fs::write(
        feed.join(file),
        fixture("test-made/VTSE41_fukui_warning_normal.xml"),
    )
    .unwrap();
    let link = format!("http://www.data.jma.go.jp/developer/xml/data/{file}");
    let now = chrono::Utc::now().to_rfc3339();
    std::fs::write(
        feed.join("eqvol.xml"),
        format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>高頻度（地震火山）</title>\
             <entry><title>津波警報・注意報・予報a</title><id>{link}</id><updated>{now}</updated>\
             <link type=\"application/xml\" href=\"{link}\"/></entry></feed>"
        ),
    )
    .unwrap();

    let fake = running.fake_line.clone();
    let texts = |fake: &tayori_fake_line::FakeLine| -> Vec<String> {
        fake.sent_messages_to(&citizen)
            .iter()
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .filter(|t| t.contains("津波警報"))
            .collect()
    };
    support::wait_for("the first message", || texts(&fake).len() == 1).await;
    let menus = RichMenus::new(running.platform.table.clone());
    let mut switched = false;
    for _ in 0..100 {
        if menus.designation().await.unwrap().mode() == MenuMode::Emergency {
            switched = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(switched, "the emergency menu is in force");

    // More ticks read the same folder: nothing more is sent.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(texts(&fake).len(), 1);
    running.stop().await;
}
