//! Friends through two places in the local run: a clerk sets up the add-friend kit in the
//! console (basic ID, contact, 広報誌 and 窓口) and prints a poster; two simulator citizens each
//! open one place's QR page signed in with LINE (the page counts the read and tells the API who
//! opened it) and follow: one after opening the page, one before (LINE's add-friend prompt while
//! the page signs in). A phone camera outside LINE reads 広報誌's QR without signing in, and
//! someone follows who came another way. The console then shows each place's reads and the
//! follow it brought, three friends added today, and the follows by place in the usage report.

use crate::support;
use support::clerk::{http, Clerk};

const LOGIN: &str = "kikaku";
const PASSWORD: &str = "obama-kaigan-2026";

/// The citizen opened place `code`'s page inside LINE: the page's script posts to the API
/// with the ID token LIFF gives it (the simulator's, here).
async fn opened_signed_in(base: &str, user_id: &str, code: &str) {
    let token = support::id_token(base, user_id).await;
    let told = http()
        .post(format!("{base}/api/join/{code}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(told.status(), 200, "{}", told.text().await.unwrap());
}

#[tokio::test]
async fn citizens_who_open_two_places_qr_pages_and_follow_show_up_under_each_place() {
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

    // 広報誌: the page first, then the follow.
    let hanako = support::citizen(&base, "若狭 花子").await;
    let opened = http().get(link("1")).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    let opened = opened.text().await.unwrap();
    assert!(
        opened.contains("https://line.me/R/ti/p/%40123abcde"),
        "the add-friend link: {opened}"
    );
    opened_signed_in(&base, &hanako, "1").await;
    support::follow(&base, &hanako).await;
    // 窓口: the follow first, then the page (reloaded once: counted once).
    let jiro = support::citizen(&base, "小浜 次郎").await;
    support::follow(&base, &jiro).await;
    http().get(link("2")).send().await.unwrap();
    opened_signed_in(&base, &jiro, "2").await;
    opened_signed_in(&base, &jiro, "2").await;
    // A phone camera outside LINE: a read, and no follow known to come from it.
    http().get(link("1")).send().await.unwrap();
    support::follower(&base).await;

    let ended = http().get(link("9")).send().await.unwrap();
    assert_eq!(ended.status(), 404);
    assert!(ended.text().await.unwrap().contains("受付は終了しました"));

    let page = clerk.get("/admin/friend-kit").await.body;
    let counts = |place: &str| {
        let at = page.find(&format!("<th>{place}</th>")).expect(place);
        page[at..]
            .split("</tr>")
            .next()
            .unwrap()
            .split("<td class=\"num\">")
            .skip(1)
            .map(|cell| cell.split('<').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        counts("広報誌"),
        ["2", "1"],
        "reads, and follows from 広報誌"
    );
    assert_eq!(counts("窓口"), ["1", "1"], "reads, and follows from 窓口");
    let totals = page.split("<tfoot>").nth(1).expect("the trend's totals");
    assert!(
        totals
            .contains("<td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">+3</td>"),
        "three friends added, none blocked: {totals}"
    );
    let by_place = clerk.get("/admin/usage?by=place").await.body;
    assert!(
        by_place.contains("<th class=\"num\">広報誌</th>")
            && by_place.contains("<th class=\"num\">窓口</th>"),
        "{by_place}"
    );
}
