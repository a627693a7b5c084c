//! Friends through two places in the local run: a clerk sets up the add-friend kit in the
//! console (basic ID, contact, 広報誌 and 窓口), prints each place's poster, and two simulator
//! citizens each read one place's QR (the citizens' page counts the read and opens LINE's
//! add-friend screen) and follow. The console then shows one read for each place and two
//! friends added today.

use crate::support;
use support::clerk::{http, Clerk};

const LOGIN: &str = "kikaku";
const PASSWORD: &str = "obama-kaigan-2026";

#[tokio::test]
async fn citizens_who_read_two_places_qr_codes_and_follow_show_up_under_each_place() {
    let dir = tempfile::tempdir().unwrap();
    tayori_local::create_admin(dir.path(), "小浜市", LOGIN, "企画 一郎", PASSWORD)
        .await
        .unwrap();
    let running = support::run(dir.path(), std::time::Duration::from_secs(3600)).await;
    let base = running.base_url.clone();
    let mut clerk = Clerk::signed_in(&base, LOGIN, PASSWORD).await;

    let before = clerk.get("/admin/friend-kit").await;
    assert_eq!(before.status, 200);
    assert!(
        before.body.contains("ベーシックIDを保存すると"),
        "{}",
        before.body
    );
    let saved = clerk
        .post(
            "/admin/friend-kit/account",
            &[
                ("basic_id", "@123abcde"),
                ("department", "企画部 総合政策課"),
                ("phone", "0770-53-1111"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    for place in ["広報誌", "窓口"] {
        let added = clerk
            .post("/admin/friend-kit/places", &[("place", place)])
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
    }
    let page = clerk.get("/admin/friend-kit").await.body;
    let link = |code: &str| format!("{base}/liff/join/{code}");
    assert!(
        page.contains(&link("1")) && page.contains(&link("2")),
        "{page}"
    );

    let poster = clerk
        .get("/admin/friend-kit/places/1/poster?paper=a4")
        .await;
    assert_eq!(poster.status, 200);
    assert!(poster.bytes.starts_with(b"%PDF-"), "a PDF to print");

    // Two citizens, each from one place.
    for code in ["1", "2"] {
        let opened = http().get(link(code)).send().await.unwrap();
        assert_eq!(opened.status(), 302);
        assert_eq!(
            opened.headers()["location"],
            "https://line.me/R/ti/p/%40123abcde",
            "LINE's add-friend screen opens"
        );
        support::follower(&base).await;
    }
    let ended = http().get(link("9")).send().await.unwrap();
    assert_eq!(ended.status(), 404);
    assert!(ended.text().await.unwrap().contains("受付は終了しました"));

    let page = clerk.get("/admin/friend-kit").await.body;
    let row = |place: &str| {
        let at = page.find(&format!("<th>{place}</th>")).expect(place);
        page[at..].split("</tr>").next().unwrap().to_string()
    };
    for place in ["広報誌", "窓口"] {
        assert!(
            row(place).contains("<td class=\"num\">1</td>"),
            "one read for {place}: {}",
            row(place)
        );
    }
    let totals = page.split("<tfoot>").nth(1).expect("the trend's totals");
    assert!(
        totals
            .contains("<td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">+2</td>"),
        "two friends added, none blocked: {totals}"
    );
}
